"""The control room's demo data: run history, realistic timings, an alert (controlroom/demo.py).

python manage.py controlroom_demo [--seed 2025]
"""

from django.core.management.base import BaseCommand

from controlroom.demo import build_control_demo


class Command(BaseCommand):
    help = "Vult de controlekamer voor de demo: eerdere runs, hun tijden en een melding."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2025, help="zaadwaarde (standaard 2025)")

    def handle(self, *args, seed, **options):
        result = build_control_demo(seed=seed)
        self.stdout.write(
            f"Controlekamer: {result['runs_added']} eerdere run(s) toegevoegd, {result['runs_timed']} run(s) "
            f"met tijden, {result['alerts']} nieuwe melding(en)."
        )
