"""The acknowledge button of the start-screen notice "… heeft het keurmerk Blik op Werk niet meer"
(docs/quality-mark-notice.md): POST with CSRF, role "Raadplegen ELIP personen" for the chosen
municipality; a loss that concerns none of its ELIP persons answers 404."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from pib.access import role_required
from pib.constants import Role

from ..services.quality_mark import NoticeNotFound, quality_mark_acknowledge


@role_required(Role.ELIP_PERSONS)
@require_POST
def acknowledge(request, loss_id):
    try:
        row = quality_mark_acknowledge(user=request.user, municipality=request.municipality, loss_id=loss_id)
    except NoticeNotFound:
        raise Http404("Geen melding voor uw gemeente.") from None
    if row is None:
        messages.info(request, "Deze melding was al als gelezen gemarkeerd voor uw gemeente.")
    else:
        messages.success(
            request,
            f"De melding over {row.loss.institution.name} is als gelezen gemarkeerd voor de gemeente "
            f"{request.municipality.name}. Uw collega's zien hem ook niet meer.",
        )
    return redirect("start")
