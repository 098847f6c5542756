import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from elip.demo.history import add_letter_history


class Command(BaseCommand):
    help = (
        "Geeft de demo een geschiedenis van verzendingen: brieven (zonder PDF) en een vergelijkingsgroep in de "
        "afgelopen maanden, met wat er daarna met die personen gebeurde (docs/figures.md). Doet niets als er al "
        "oudere brieven zijn."
    )

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=18, help="maanden terug (standaard 18)")
        parser.add_argument(
            "--extra-persons",
            type=int,
            default=2000,
            help="extra inburgeraars in de aangemelde gemeenten (standaard 2000)",
        )
        parser.add_argument("--seed", type=int, default=2025, help="zaadwaarde: dezelfde waarde geeft dezelfde data")
        parser.add_argument("--today", default=None, help="peildatum JJJJ-MM-DD (standaard vandaag)")

    def handle(self, *args, months, seed, today, extra_persons, **options):
        if months < 1:
            raise CommandError("--months moet minstens 1 zijn.")
        try:
            reference = dt.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError:
            raise CommandError(f"Ongeldige datum voor --today: {today!r}. Gebruik JJJJ-MM-DD.") from None
        counts = add_letter_history(today=reference, months=months, seed=seed, extra_persons=extra_persons)
        if not counts:
            self.stdout.write("Er is al een geschiedenis van brieven; niets toegevoegd.")
            return
        self.stdout.write(
            f"Geschiedenis van {months} maanden: {counts['runs']} verzendingen, {counts['letters']} brieven, "
            f"{counts['comparison']} in de vergelijkingsgroep, {counts['ended']} beëindigde plichten, "
            f"{counts['extensions']} verlengingen."
        )
