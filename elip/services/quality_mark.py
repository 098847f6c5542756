"""Acknowledging the start-screen notice that an institution lost its Blik op Werk mark
(docs/quality-mark-notice.md). Per municipality, logged: one ``QualityMarkAcknowledgement`` row per
acknowledgement (who, when, how many persons the notice named)."""

import logging

from django.db import transaction

from ..models import QualityMarkAcknowledgement
from ..notices import quality_mark_notices

logger = logging.getLogger(__name__)


class NoticeNotFound(Exception):
    """The loss concerns none of the municipality's ELIP persons the user may see."""


@transaction.atomic
def quality_mark_acknowledge(*, user, municipality, loss_id: int) -> QualityMarkAcknowledgement | None:
    """Hide the notice about ``loss_id`` for ``municipality``. None when it was already acknowledged
    (a double click, a colleague a moment earlier); ``NoticeNotFound`` when it concerns nobody the user
    sees there."""
    notice = next((n for n in quality_mark_notices(user, municipality) if n.loss.pk == loss_id), None)
    if notice is None:
        if QualityMarkAcknowledgement.objects.filter(municipality=municipality, loss_id=loss_id).exists():
            return None
        raise NoticeNotFound
    row = QualityMarkAcknowledgement.objects.create(
        municipality=municipality, loss=notice.loss, acknowledged_by=user, persons_count=notice.persons
    )
    logger.info(
        "quality-mark notice %s acknowledged for %s by user %s (%d persons)",
        loss_id,
        municipality.code,
        user.pk,
        notice.persons,
    )
    return row
