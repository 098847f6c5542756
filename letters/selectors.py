"""Reads of the letters app for the sweeper (``letters.tasks.sweep``): what the database says is
still to do, whatever the broker lost. The database is the truth: a letter is pending until its
PDF is stored, a bundle is missing until it holds every letter of its municipality and dispatch."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery

from .models import Letter, LetterBundle, RenderStatus


def stale_pending_letter_batches(*, created_before: dt.datetime, batch_size: int) -> list[list[int]]:
    """Ids of letters still pending (never rendered, not failed) made before ``created_before``,
    in batches of at most ``batch_size`` that each hold one dispatch and municipality, in id order
    (as the weekly run queues them). Failed letters are left to the task's retries and to
    ``manage.py letters_render`` (a letter that fails every time needs a person, not a loop)."""
    rows = (
        Letter.objects.filter(render_status=RenderStatus.PENDING, created_at__lt=created_before)
        .order_by("dispatch_id", "municipality_id", "pk")
        .values_list("dispatch_id", "municipality_id", "pk")
    )
    batches: list[list[int]] = []
    group = None
    for dispatch_id, municipality_id, pk in rows.iterator(chunk_size=2000):
        if (dispatch_id, municipality_id) != group or len(batches[-1]) >= batch_size:
            group = (dispatch_id, municipality_id)
            batches.append([])
        batches[-1].append(pk)
    return batches


def dispatches_missing_bundles() -> list[int]:
    """Ids of dispatches with a municipality whose letters are all rendered but whose bundle is
    missing, empty or holds fewer letters (the task that should have merged it died or was lost)."""
    bundled = LetterBundle.objects.filter(
        dispatch_id=OuterRef("dispatch_id"), municipality_id=OuterRef("municipality_id")
    ).exclude(pdf="")
    rows = (
        Letter.objects.values("dispatch_id", "municipality_id")
        .annotate(
            total=Count("pk"),
            rendered=Count("pk", filter=Q(render_status=RenderStatus.RENDERED)),
            in_bundle=Subquery(bundled.values("letters_count")[:1], output_field=IntegerField()),
        )
        .filter(total=F("rendered"))
        .filter(Q(in_bundle__isnull=True) | ~Q(in_bundle=F("total")))
        .order_by("dispatch_id")
        .values_list("dispatch_id", flat=True)
    )
    return sorted(set(rows))
