import time

from django.core.management.base import BaseCommand

from elip.registry_export import registry_export


class Command(BaseCommand):
    help = (
        "Schrijft het register als extractbestanden in het importformaat (docs/registry-import.md), één "
        "CSV-bestand per soort, in de opgegeven map. Let op: de bestanden bevatten persoonsgegevens."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="map waarin de bestanden komen (wordt aangemaakt)")

    def handle(self, *args, directory, **options):
        started = time.monotonic()

        def progress(filename, count):
            self.stdout.write(f"  {filename:<22} {count:>10,} regels".replace(",", "."))

        registry_export(directory=directory, progress=progress)
        self.stdout.write(f"Geëxporteerd in {time.monotonic() - started:.1f} s naar {directory}.")
