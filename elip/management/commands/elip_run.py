"""``python manage.py elip_run [--date JJJJ-MM-DD]``: the weekly ELIP run by hand.

Calls the same service as the Celery beat task and prints a table per municipality.
"""

import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError

from elip.constants import RunStatus
from elip.models import RunMunicipality
from elip.selectors import NoPolicyInForce
from elip.services.weekly_run import RunProgress, weekly_run
from elip.tasks import digests_after_run, today_in_amsterdam


def parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise CommandError(
            f"Ongeldige datum voor --date: {value!r}. Gebruik JJJJ-MM-DD, bijvoorbeeld 2023-06-14."
        ) from None


class Command(BaseCommand):
    help = (
        "Voert de wekelijkse ELIP-run uit: selecteert per aangemelde gemeente de ELIP-inburgeraars zonder brief, "
        "maakt brieven en SS400-signalen aan, zet de PDF's klaar en mailt de wekelijkse samenvatting. "
        "Nog een keer draaien voor dezelfde datum of "
        "week maakt niets dubbel; een afgebroken run gaat verder waar hij stopte."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", dest="run_date", default=None, help="datum van de run, JJJJ-MM-DD (standaard: vandaag)"
        )

    def handle(self, *args, run_date=None, **options):
        day = parse_date(run_date) if run_date is not None else today_in_amsterdam()
        tty = self.stdout.isatty() if hasattr(self.stdout, "isatty") else sys.stdout.isatty()

        shown = []

        def progress(p: RunProgress):
            if tty:
                shown.append(True)
                self.stdout.write(
                    f"\r{p.letters_created}/{p.letters_planned} brieven · "
                    f"gemeente {p.municipalities_done}/{p.municipalities_total} "
                    f"({p.municipality.name})\x1b[K",
                    ending="",
                )
                self.stdout.flush()

        try:
            run = weekly_run(run_date=day, progress=progress)
        except NoPolicyInForce as exc:
            raise CommandError(str(exc)) from None
        if shown:
            self.stdout.write("")  # end the progress line
        digests_after_run(run)  # the weekly e-mail digest (docs/digest.md); never stops the command

        if run.run_date != day:
            self.stdout.write(
                f"Deze week (week {run.iso_week} van {run.iso_year}) is al een run geweest op "
                f"{run.run_date:%d-%m-%Y}; er is niets aangemaakt."
            )
            if run.status != RunStatus.DONE:
                self.stdout.write(
                    f"Die run is niet afgerond. Maak hem af met: manage.py elip_run --date {run.run_date:%Y-%m-%d}"
                )
            return
        rows = list(
            RunMunicipality.objects.filter(run=run)
            .select_related("municipality")
            .order_by("municipality__name")
            .values_list("municipality__name", "letters_count")
        )
        self.stdout.write(f"ELIP-run {run.run_date:%d-%m-%Y} (criteria: {run.policy})")
        width = max([len("Gemeente")] + [len(name) for name, _ in rows])
        self.stdout.write(f"{'Gemeente':<{width}}  {'Brieven':>7}")
        self.stdout.write(f"{'-' * width}  {'-' * 7}")
        for name, count in rows:
            self.stdout.write(f"{name:<{width}}  {count:>7}")
        self.stdout.write(f"{'-' * width}  {'-' * 7}")
        self.stdout.write(f"{'Totaal':<{width}}  {sum(c for _, c in rows):>7}")
        if not rows:
            self.stdout.write("Geen aangemelde gemeenten: er zijn geen brieven aangemaakt.")
