"""Registry writes that are not about one person (those live in ``elip.services.registry``, which
knows which signal follows). Keyword-only, atomic."""

import datetime as dt

from django.db import transaction

from .models import Institution, QualityMarkLoss


@transaction.atomic
def quality_mark_loss_record(
    *, institution: Institution, lost_on: dt.date, note: str = "", instance: QualityMarkLoss | None = None
) -> QualityMarkLoss:
    """Record (or correct) that ``institution`` lost its Blik op Werk mark on ``lost_on``, and switch
    its current ``quality_mark`` off. Correcting the date or note of a recorded loss keeps the row
    (its history shows the change)."""
    loss = instance or QualityMarkLoss()
    loss.institution, loss.lost_on, loss.note = institution, lost_on, note
    loss.full_clean()
    loss.save()
    Institution.objects.filter(pk=institution.pk, quality_mark=True).update(quality_mark=False)
    return loss
