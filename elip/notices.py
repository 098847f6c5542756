"""elip's notices on the start screen (registered in ``pib.start_notices`` by ``ElipConfig.ready``):
an institution lost its Blik op Werk quality mark (DOMAIN.md "Routes out of the obligation",
issue 14 point 3; docs/quality-mark-notice.md).

Guarantees and what enforces them:

* **Only the municipality's own, only for the role that sees the persons.** The count is taken
  over ``elip_persons_listed(user, municipality)`` — the ELIP persons of the chosen municipality
  that "Overzicht ELIP" lists, for a user holding "Raadplegen ELIP personen" there — filtered by
  worklist's ``enrolled_at_lost_institution`` (the one rule for "enrolled there"). Another
  municipality's users never see it; a user without that role gets no notice.
* **Aggregated**: the institution, the loss date and a count. No name, no BSN, no person link;
  who they are is on the Werkvoorraad (its "keurmerk" filter), read-logged there.
* **Until acknowledged, per municipality**: a notice is shown while the municipality has no
  acknowledgement of that loss with at least the current count (``QualityMarkAcknowledgement``,
  append-only, who and when) — so it comes back only when more of its ELIP persons turn out to be
  enrolled there.
* **Query cost**: one query finds the losses at institutions where any listed person is enrolled,
  with the municipality's highest acknowledged count; then one count per such loss (in practice
  zero or one).
"""

from dataclasses import dataclass

from django.db.models import Max, Q
from django.urls import NoReverseMatch, reverse

from pib.constants import Role
from pib.formatting import date_figures
from pib.models import Enrolment, Municipality, QualityMarkLoss
from pib.start_notices import Notice

from .selectors import elip_persons_listed, enrolled_at_lost_institution


@dataclass(frozen=True)
class QualityMarkNotice:
    loss: QualityMarkLoss
    persons: int

    @property
    def text(self) -> str:
        n = self.persons
        who = "1 van uw ELIP-inburgeraars volgt" if n == 1 else f"{n} van uw ELIP-inburgeraars volgen"
        return (
            f"{who} les bij {self.loss.institution.name}, dat op {date_figures(self.loss.lost_on)} "
            "het keurmerk Blik op Werk verloor."
        )


def quality_mark_notices(user, municipality: Municipality | None) -> list[QualityMarkNotice]:
    """The quality-mark notices the user's municipality has not acknowledged (see the module docstring)."""
    if municipality is None:
        return []
    listed = elip_persons_listed(user, municipality)
    losses = (
        QualityMarkLoss.objects.filter(
            institution_id__in=Enrolment.objects.filter(person__in=listed).values("institution_id")
        )
        .select_related("institution")
        .annotate(
            acknowledged=Max("acknowledgements__persons_count", filter=Q(acknowledgements__municipality=municipality))
        )
        .order_by("-lost_on", "-pk")
    )
    notices = []
    for loss in losses:
        count = listed.filter(enrolled_at_lost_institution(QualityMarkLoss.objects.filter(pk=loss.pk))).count()
        if count and (loss.acknowledged is None or count > loss.acknowledged):
            notices.append(QualityMarkNotice(loss=loss, persons=count))
    return notices


def _worklist_link() -> str:
    """The Werkvoorraad with its "school lost its quality mark" filter, if the screen exists."""
    try:
        return reverse("elip:worklist") + "?keurmerk=on"
    except NoReverseMatch:
        return ""


def start_notices(request) -> list[Notice]:
    """The provider registered in ``pib.start_notices``."""
    if Role.ELIP_PERSONS not in request.roles:
        return []
    link = _worklist_link()
    return [
        Notice(
            title=f"{notice.loss.institution.name} heeft het keurmerk Blik op Werk niet meer",
            text=notice.text,
            link_url=link,
            link_text="Bekijk in de Werkvoorraad wie het zijn" if link else "",
            acknowledge_url=reverse("elip:quality_mark_acknowledge", kwargs={"loss_id": notice.loss.pk}),
            acknowledge_label="Gelezen: verberg deze melding voor mijn gemeente",
        )
        for notice in quality_mark_notices(request.user, request.municipality)
    ]
