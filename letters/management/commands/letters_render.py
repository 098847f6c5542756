"""Render letters that are still pending or failed (e.g. after the task's retries ran out), then bundle.

python manage.py letters_render            # all runs, queued as Celery batches
python manage.py letters_render --run 2026-11-26 --here   # in this process
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from letters.models import Dispatch, Letter, RenderStatus
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
        dispatches = Dispatch.objects.order_by("date")
        if run:
            try:
                run_date = dt.date.fromisoformat(run)
            except ValueError as exc:
                raise CommandError("Ongeldige datum, gebruik JJJJ-MM-DD.") from exc
            letters, dispatches = letters.filter(dispatch__date=run_date), dispatches.filter(date=run_date)
        ids = list(letters.order_by("pk").values_list("pk", flat=True))
        batches = [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]
        failed = []
        for batch in batches:
            if here:
                failed += letters_render(letter_ids=batch)
            else:
                render_letter_batch.delay_on_commit(batch)
        if here:
            for dispatch in dispatches:
                bundles_build(dispatch=dispatch)
            self.stdout.write(f"{len(ids) - len(failed)} brief/brieven aangemaakt, {len(failed)} mislukt.")
        else:
            self.stdout.write(f"{len(ids)} brief/brieven in {len(batches)} batch(es) in de wachtrij gezet.")
