"""Figures of the weekly run for operators (Prometheus text format at /gezondheid/metrics/).

Per recent run (``run_date`` label): letters by render status (made, failed, waiting), bundles,
whether it finished, and the time per letter: from the run's start to its last bundle, divided
by the letters rendered. Counts only: no person data ever appears here.
"""

from django.db.models import Count, Max

from letters.models import Letter, LetterBundle, RenderStatus

from .constants import RunStatus
from .models import SelectionRun

RECENT_RUNS = 8


def weekly_run_figures(limit: int = RECENT_RUNS) -> list[dict]:
    runs = list(SelectionRun.objects.order_by("-run_date")[:limit])
    ids = [run.dispatch_id for run in runs]
    letters: dict[int, dict[str, int]] = {}
    for row in (
        Letter.objects.filter(dispatch_id__in=ids).values("dispatch_id", "render_status").annotate(n=Count("id"))
    ):
        letters.setdefault(row["dispatch_id"], {})[row["render_status"]] = row["n"]
    bundles = {
        row["dispatch_id"]: row
        for row in LetterBundle.objects.filter(dispatch_id__in=ids)
        .values("dispatch_id")
        .annotate(n=Count("id"), last=Max("created_at"))
    }
    figures = []
    for run in runs:
        counts = letters.get(run.dispatch_id, {})
        made = counts.get(RenderStatus.RENDERED, 0)
        bundle = bundles.get(run.dispatch_id)
        seconds = (bundle["last"] - run.started_at).total_seconds() if bundle else None
        figures.append(
            {
                "run_date": run.run_date.isoformat(),
                "finished": run.status == RunStatus.DONE,
                "letters_made": made,
                "letters_failed": counts.get(RenderStatus.FAILED, 0),
                "letters_waiting": counts.get(RenderStatus.PENDING, 0),
                "bundles": bundle["n"] if bundle else 0,
                "duration_seconds": seconds,
                "seconds_per_letter": (seconds / made) if (seconds is not None and made) else None,
                "started_at": run.started_at.timestamp(),
            }
        )
    return figures


METRICS = (
    ("elip_run_letters_made", "Letters whose PDF was made, per weekly run.", "letters_made"),
    ("elip_run_letters_failed", "Letters whose PDF failed for good, per weekly run.", "letters_failed"),
    ("elip_run_letters_waiting", "Letters still waiting for their PDF, per weekly run.", "letters_waiting"),
    ("elip_run_bundles", "Municipality bundles built, per weekly run.", "bundles"),
    ("elip_run_finished", "1 when the run's selection and letters are complete.", "finished"),
    ("elip_run_duration_seconds", "From the run's start to its last bundle.", "duration_seconds"),
    ("elip_run_seconds_per_letter", "duration_seconds divided by the letters made.", "seconds_per_letter"),
    ("elip_run_started_timestamp_seconds", "When the run started (Unix time).", "started_at"),
)


def _number(value) -> str:
    if isinstance(value, bool | int):
        return str(int(value))
    return repr(round(float(value), 3))


def prometheus_text() -> str:
    figures = weekly_run_figures()
    lines = []
    for name, help_text, key in METRICS:
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
        for figure in figures:
            value = figure[key]
            if value is None:
                continue
            lines.append(f'{name}{{run_date="{figure["run_date"]}"}} {_number(value)}')
    return "\n".join(lines) + "\n"
