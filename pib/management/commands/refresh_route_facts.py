import time

from django.core.management.base import BaseCommand

from pib.models import Person
from pib.route_facts import refresh_route_facts


class Command(BaseCommand):
    help = (
        "Berekent de routefeiten van elke inburgeraar opnieuw uit de examenregels (pib/route_facts.py) "
        "en bewaart wat afweek. Nodig na een herstel van examens of pogingen buiten Django om; "
        "daarna horen 0 inburgeraars te wijzigen."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        changed = refresh_route_facts()
        total = Person.objects.count()
        self.stdout.write(
            f"Routefeiten van {total:,} inburgeraars nagelopen in {time.monotonic() - started:.1f} s: "
            f"{changed:,} gewijzigd.".replace(",", ".")
        )
