"""Celery tasks of the letters app: thin wrappers around letters.services."""

from celery import shared_task

from .models import Dispatch
from .services import LettersNotRendered, bundles_build, letters_render


@shared_task(
    bind=True,
    name="letters.render_letter_batch",
    acks_late=True,  # a batch is acknowledged only when done...
    reject_on_worker_lost=True,  # ...and requeued when its worker dies (SIGKILL, OOM)
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def render_letter_batch(self, letter_ids):
    """Render a batch of letters (skipping rendered ones), then bundle every municipality of their
    dispatch(es) whose letters are now all rendered. Failed letters are recorded on their rows; the task
    then raises so Celery retries the batch with backoff (only the failed letters are re-rendered).
    In eager mode (embedded demo, tests) failures stay recorded and are not raised."""
    failed = letters_render(letter_ids=letter_ids)
    for dispatch in Dispatch.objects.filter(letters__pk__in=list(letter_ids)).distinct().order_by("pk"):
        bundles_build(dispatch=dispatch)
    if failed and not self.request.is_eager:
        raise LettersNotRendered(failed)
    return {"rendered": len(letter_ids) - len(failed), "failed": failed}
