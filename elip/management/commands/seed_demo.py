import datetime as dt
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from elip.demo.accounts import DEMO_PASSWORD, create_demo_accounts, create_demo_enrolments
from elip.demo.population import build_population
from pib.models import Person


class Command(BaseCommand):
    help = (
        "Bouwt een synthetische, reproduceerbare populatie inburgeraars met leningen, examens, contracten, "
        "facturen en verlengingen; maakt demo-accounts en ELIP-aanmeldingen aan."
    )

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, default=3000, help="aantal inburgeraars (standaard 3000)")
        parser.add_argument("--seed", type=int, default=2025, help="zaadwaarde: dezelfde waarde geeft dezelfde data")
        parser.add_argument(
            "--today", default=None, help="peildatum JJJJ-MM-DD waaromheen de data verdeeld wordt (standaard vandaag)"
        )
        parser.add_argument("--chunk", type=int, default=10_000, help="inburgeraars per schrijfslag")
        parser.add_argument("--if-empty", action="store_true", help="niets doen als er al inburgeraars zijn")
        parser.add_argument("--no-accounts", action="store_true", help="geen demo-accounts en aanmeldingen")

    def handle(self, *args, persons, seed, today, chunk, if_empty, no_accounts, **options):
        if persons < 0 or chunk < 1:
            raise CommandError("--persons moet 0 of meer zijn en --chunk minstens 1.")
        try:
            reference = dt.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError:
            raise CommandError(f"Ongeldige datum voor --today: {today!r}. Gebruik JJJJ-MM-DD.") from None
        if if_empty and Person.objects.exists():
            self.stdout.write("Er zijn al inburgeraars; de populatie blijft zoals ze is.")
        else:
            started = time.monotonic()
            tty = sys.stdout.isatty()

            def progress(done, total):
                if tty:
                    self.stdout.write(f"\r{done:,}/{total:,} inburgeraars".replace(",", "."), ending="")
                    self.stdout.flush()

            counts = build_population(persons=persons, seed=seed, today=reference, chunk=chunk, progress=progress)
            if tty:
                self.stdout.write("")
            seconds = time.monotonic() - started
            for name, n in counts.items():
                self.stdout.write(f"  {name:<36} {n:>10,}".replace(",", "."))
            self.stdout.write(f"Populatie aangemaakt in {seconds:.1f} s (peildatum {reference:%d-%m-%Y}, seed {seed}).")
        if not no_accounts:
            accounts = create_demo_accounts()
            create_demo_enrolments()
            self.stdout.write(f"\nDemo-accounts (wachtwoord voor allen: {DEMO_PASSWORD}):")
            for username, description in accounts:
                self.stdout.write(f"  {username:<12} {description}")
