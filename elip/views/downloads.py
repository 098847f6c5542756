"""Downloaden bestanden: the municipality's own copy of its ELIP letters (DOMAIN.md "The letter").

Who: the role Raadplegen ELIP personen for the chosen municipality (``role_required``; every other
user gets the 403 page). What: the bundle ("gebundelde versie") of each of the municipality's runs
of the last 3 months (``elip.selectors.downloadable_bundles`` decides, nothing else), and a
person's own letter from the person's detail — only a letter sent on behalf of the chosen
municipality to a person whose screens it may open now (``elip.selectors.persons_reachable``). Anything else is a 404,
exactly like an id that does not exist. Files are streamed (``FileResponse``), never cached
(``private, no-store``), and every download writes a read-log row for every person in the file,
in the same request. File names carry no BSN or name.
"""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from letters.models import Letter, RenderStatus
from letters.views import pdf_response
from pib.access import role_required
from pib.constants import Role
from pib.models import Person
from pib.readlog import log_read

from ..selectors import downloadable_bundles, persons_reachable

ROLE = Role.ELIP_PERSONS
SCREEN_BUNDLE = "Downloaden bestanden: gebundelde ELIP-brieven (PDF)"
SCREEN_LETTER = "Details ELIP-inburgeraar: ELIP-brief (PDF)"


def _stream(field, filename: str) -> FileResponse:
    return pdf_response(field, filename, as_attachment=True)


@role_required(ROLE)
@require_safe
def downloads(request):
    """The list: per run of the last 3 months its date, number of letters and the bundle."""
    bundles = list(downloadable_bundles(request.user, request.municipality))
    return render(request, "elip/downloads.html", {"bundles": bundles})


@role_required(ROLE)
@require_safe
def bundle(request, pk):
    """One bundle of the chosen municipality, if it is still in the last 3 months; read-logged per letter."""
    found = get_object_or_404(
        downloadable_bundles(request.user, request.municipality).select_related("municipality"), pk=pk
    )
    filename = f"elip-brieven-{found.municipality.code}-{found.dispatch.date:%Y%m%d}.pdf"
    response = _stream(found.pdf, filename)
    persons = Person.objects.filter(elip_letter__dispatch=found.dispatch, elip_letter__municipality=found.municipality)
    log_read(request, screen=SCREEN_BUNDLE, persons=list(persons.only("pk", "bsn").order_by("pk")), role=ROLE)
    return response


def own_letter(municipality, person):
    """The person's letter if it was sent on behalf of ``municipality`` and its PDF is there, else None."""
    return (
        Letter.objects.filter(person=person, municipality=municipality, render_status=RenderStatus.RENDERED)
        .exclude(pdf="")
        .only("pk", "pdf", "letter_date")
        .first()
    )


@role_required(ROLE)
@require_safe
def person_letter(request, public_id):
    """The person's own ELIP letter (from 'Details'), read-logged for that person."""
    person = get_object_or_404(
        persons_reachable(request.user, request.municipality).only("pk", "bsn"), public_id=public_id
    )
    letter = own_letter(request.municipality, person)
    if letter is None:
        raise Http404("Geen ELIP-brief van deze gemeente")
    response = _stream(letter.pdf, f"elip-brief-{letter.letter_date:%Y%m%d}.pdf")
    log_read(request, screen=SCREEN_LETTER, persons=[person], role=ROLE)
    return response
