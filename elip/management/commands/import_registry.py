"""``manage.py import_registry PAD [PAD …]``: loads DUO registry extracts (docs/registry-import.md).

A directory loads its ``<bestand>.csv`` files in load order; files are recognised by their format
line. Prints per file the rows, new, changed and unchanged rows, signals and rows per second; on an
error the Dutch report (file, line, column — never a BSN) on stderr and exit code 1."""

import time

from django.core.management.base import BaseCommand, CommandError

from elip.services.registry_import import ImportFailed, registry_import


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")


class Command(BaseCommand):
    help = (
        "Laadt DUO-registerextracten (CSV, formaatversie 1, docs/registry-import.md): een map of losse "
        "bestanden. Per bestand alles of niets; bestaande rijen worden bijgewerkt via de registerdiensten "
        "(signalen SS401–SS404 zoals bij een wijziging in het beheer)."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="map met extractbestanden, of losse .csv-bestanden")

    def handle(self, *args, paths, **options):
        started = time.monotonic()

        def progress(result):
            rate = result.rows / result.seconds if result.seconds else 0
            self.stdout.write(
                f"{result.filename}: {_n(result.rows)} regels — {_n(result.created)} nieuw, "
                f"{_n(result.updated)} gewijzigd, {_n(result.unchanged)} ongewijzigd, "
                f"{_n(result.signals)} signalen; {result.seconds:.1f} s ({_n(int(rate))} regels/s)"
            )

        try:
            results = registry_import(paths=paths, progress=progress)
        except ImportFailed as failed:
            self.stderr.write("Import afgebroken:")
            for line in failed.errors:
                self.stderr.write(f"  {line}")
            raise CommandError("Het register is niet (volledig) geladen; zie de meldingen hierboven.") from None
        rows = sum(r.rows for r in results)
        seconds = time.monotonic() - started
        self.stdout.write(f"Klaar: {len(results)} bestanden, {_n(rows)} regels in {seconds:.1f} s.")
