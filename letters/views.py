"""Staff-only downloads of letter and bundle PDFs, reached from Django admin (never public media)."""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404

from pib.models import Person
from pib.readlog import log_read

from .models import Letter, LetterBundle


def pdf_response(field, filename: str, *, as_attachment: bool = False) -> FileResponse:
    """The one way a stored letter or bundle PDF is streamed: 404 when missing, never cached."""
    if not field:
        raise Http404("Nog geen PDF")
    try:
        handle = field.storage.open(field.name, "rb")
    except FileNotFoundError as exc:
        raise Http404("PDF niet gevonden") from exc
    response = FileResponse(handle, content_type="application/pdf", filename=filename, as_attachment=as_attachment)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def letter_pdf(request, model_admin, object_id):
    """Wrapped by ``admin_site.admin_view`` (staff login) and checked against view permission."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    letter = Letter.objects.select_related("person").filter(pk=object_id).first()
    if letter is None:
        raise Http404("Brief niet gevonden")
    response = pdf_response(letter.pdf, f"elip-brief-{letter.pk}.pdf")
    log_read(request, screen="beheer: ELIP-brief (PDF)", persons=[letter.person])
    return response


def bundle_pdf(request, model_admin, object_id):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    bundle = LetterBundle.objects.select_related("municipality", "dispatch").filter(pk=object_id).first()
    if bundle is None:
        raise Http404("Bundel niet gevonden")
    response = pdf_response(bundle.pdf, f"elip-brieven-{bundle.municipality.code}-{bundle.dispatch.date:%Y%m%d}.pdf")
    persons = Person.objects.filter(
        elip_letter__dispatch=bundle.dispatch, elip_letter__municipality=bundle.municipality
    ).only("pk", "bsn")
    log_read(request, screen="beheer: gebundelde ELIP-brieven (PDF)", persons=list(persons))
    return response
