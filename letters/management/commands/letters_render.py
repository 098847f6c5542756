"""Render letters that are still pending or failed (e.g. after the task's retries ran out), then bundle.

python manage.py letters_render            # all runs, queued as Celery batches
python manage.py letters_render --run 2026-11-26 --here   # in this process
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Min

from letters.models import Letter, RenderStatus
from letters.services import bundles_build, letters_render
from letters.tasks import render_letter_batch

BATCH = 25


class Command(BaseCommand):
    help = "Maak de PDF van ELIP-brieven die nog wachten of mislukt zijn, en bundel daarna per gemeente."

    def add_arguments(self, parser):
        parser.add_argument("--run", help="alleen de verzending van deze datum (JJJJ-MM-DD)")
        parser.add_argument("--here", action="store_true", help="in dit proces in plaats van via Celery")

    def handle(self, *args, run=None, here=False, **options):
        letters = Letter.objects.exclude(render_status=RenderStatus.RENDERED)
        if run:
            try:
                run_date = dt.date.fromisoformat(run)
            except ValueError as exc:
                raise CommandError("Ongeldige datum, gebruik JJJJ-MM-DD.") from exc
            letters = letters.filter(letter_date=run_date)
        ids = list(letters.order_by("pk").values_list("pk", flat=True))
        batches = [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]
        failed = []
        for batch in batches:
            if here:
                failed += letters_render(letter_ids=batch)
            else:
                render_letter_batch.delay_on_commit(batch)
        if here:
            bundled = Letter.objects.filter(letter_date=run_date) if run else Letter.objects.all()
            one_per_run = bundled.order_by().values("run_id").annotate(first=Min("pk")).values("first")
            for letter in Letter.objects.filter(pk__in=one_per_run).select_related("run").order_by("run_id"):
                bundles_build(run=letter.run)
            self.stdout.write(f"{len(ids) - len(failed)} brief/brieven aangemaakt, {len(failed)} mislukt.")
        else:
            self.stdout.write(f"{len(ids)} brief/brieven in {len(batches)} batch(es) in de wachtrij gezet.")
