"""Beheren ELIP brief (manual §3.3–3.6), role 'Beheren ELIP brief'.

Flow without JavaScript: the form posts to itself; valid data is shown on a confirmation page
that carries it in a signed hidden field (django.core.signing, bound to user, municipality and
step, valid one hour). Nothing is saved until the confirmation is posted; the service validates
again. No person data is shown on these screens, so nothing is read-logged here.
"""

import logging

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from elip.forms import EnrolmentForm
from elip.models import ElipEnrolment
from elip.selectors import dispatch_overview, estimate_for_municipality
from elip.services.enrolment import (
    ENROLMENT_FIELDS,
    FIELD_LABELS,
    LETTER_FIELDS,
    EnrolmentError,
    NothingChanged,
    enrolment_change,
    enrolment_data,
    enrolment_diff,
    enrolment_enrol,
    enrolment_withdraw,
    validate_enrolment_data,
)
from letters.services import preview_pdf
from pib.access import role_required
from pib.constants import Role
from pib.formatting import format_phone

logger = logging.getLogger(__name__)

TOKEN_MAX_AGE = 60 * 60  # seconds a confirmation page stays valid
MSG_EXPIRED = "De bevestiging is verlopen of ongeldig. Vul de gegevens opnieuw in en verstuur ze nog een keer."


def _enrolment(municipality) -> ElipEnrolment | None:
    return ElipEnrolment.objects.filter(municipality=municipality).first()


def _salt(request, step: str) -> str:
    return f"elip.brief.{step}.{request.municipality.pk}.{request.user.pk}"


def _sign(request, step: str, data: dict) -> str:
    return signing.dumps(data, salt=_salt(request, step), compress=True)


def _unsign(request, step: str, token: str) -> dict | None:
    try:
        data = signing.loads(token or "", salt=_salt(request, step), max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    return data if isinstance(data, dict) else None


PHONE_FIELDS = ("letter_phone", "contact_phone")


def _summary(data: dict, fields) -> list[tuple[str, str]]:
    """Label and value per field; phone numbers with the Dutch grouping the letter prints."""
    return [(FIELD_LABELS[f], format_phone(data.get(f, "")) if f in PHONE_FIELDS else data.get(f, "")) for f in fields]


def _address(data: dict) -> str:
    number = " ".join(p for p in (data.get("contact_house_number"), data.get("contact_house_number_addition")) if p)
    street = " ".join(p for p in (data.get("contact_street", ""), number) if p)
    place = " ".join(p for p in (data.get("contact_postcode", ""), data.get("contact_city", "")) if p)
    return ", ".join(p for p in (street, place) if p)


def _blocks(data: dict) -> dict:
    """The overview's two blocks: the letter data and DUO's contact data (manual §3.5)."""
    return {
        "letter_rows": _summary(data, LETTER_FIELDS),
        "contact_rows": [
            *_summary(data, ("contact_name", "contact_phone", "contact_email")),
            ("Adres", _address(data)),
        ],
    }


def _estimate(municipality) -> int | None:
    return estimate_for_municipality(municipality, on_date=timezone.localdate())


@role_required(Role.ELIP_LETTER)
@require_safe
def brief(request):
    """§3.3 when not enrolled (explanation, estimate, 'Meld aan'); §3.5 when enrolled."""
    enrolment = _enrolment(request.municipality)
    if enrolment is None or not enrolment.is_enrolled:
        return render(
            request,
            "elip/brief_not_enrolled.html",
            {"estimate": _estimate(request.municipality), "enrolment": enrolment},
        )
    overview = dispatch_overview(request.municipality, today=timezone.localdate())
    return render(
        request,
        "elip/brief_overview.html",
        {
            "enrolment": enrolment,
            "overview": overview,
            "estimate": _estimate(request.municipality),
            **_blocks(enrolment_data(enrolment)),
        },
    )


def _form_step(request, *, step: str, initial: dict, template_context: dict):
    """GET: the form; POST: validate → confirmation page (nothing saved), or the form with errors."""
    if request.method == "POST":
        form = EnrolmentForm(request.POST)
        if form.is_valid():
            data = {f: form.cleaned_data[f] for f in ENROLMENT_FIELDS}
            if step == "wijzigen" and not enrolment_diff(initial, data):
                messages.info(request, "U hebt geen gegevens gewijzigd.")
                return redirect("elip:brief")
            context = {
                **template_context,
                "step": step,
                "token": _sign(request, step, data),
                "preview_token": _sign(request, "voorbeeld", {f: data[f] for f in LETTER_FIELDS}),
                **_blocks(data),
            }
            if step == "wijzigen":
                context["changes"] = [
                    (FIELD_LABELS[f], *((format_phone(v) for v in (old, new)) if f in PHONE_FIELDS else (old, new)))
                    for f, (old, new) in enrolment_diff(initial, data).items()
                ]
            return render(request, "elip/brief_confirm.html", context)
    else:
        # Phone numbers are stored in E.164 and shown as the letter prints them (050 599 96 00).
        form = EnrolmentForm(initial={**initial, **{f: format_phone(initial.get(f, "")) for f in PHONE_FIELDS}})
    return render(request, "elip/brief_form.html", {**template_context, "form": form, "step": step})


def _confirm_step(request, *, step: str, service, success: str):
    if request.method != "POST":
        return redirect("elip:brief")
    data = _unsign(request, step, request.POST.get("gegevens", ""))
    if data is None:
        messages.error(request, MSG_EXPIRED)
        return redirect("elip:brief_enrol" if step == "aanmelden" else "elip:brief_change")
    try:
        service(municipality=request.municipality, user=request.user, data=data)
    except NothingChanged as exc:
        messages.info(request, str(exc))
    except EnrolmentError as exc:
        messages.error(request, str(exc))
    except ValidationError:
        messages.error(request, MSG_EXPIRED)
    else:
        messages.success(request, success)
    return redirect("elip:brief")


@role_required(Role.ELIP_LETTER)
@require_http_methods(["GET", "HEAD", "POST"])
def enrol(request):
    """'Elip aanmelden' (§3.4). A withdrawn municipality starts from its previous data."""
    enrolment = _enrolment(request.municipality)
    if enrolment is not None and enrolment.is_enrolled:
        messages.info(request, "Uw gemeente is al aangemeld voor de ELIP-ondersteuning.")
        return redirect("elip:brief")
    return _form_step(
        request,
        step="aanmelden",
        initial=enrolment_data(enrolment),
        template_context={"title": "Elip aanmelden", "confirm_title": "Aanmelden", "confirm_button": "Aanmelden"},
    )


@role_required(Role.ELIP_LETTER)
@require_http_methods(["GET", "HEAD", "POST"])
def enrol_confirm(request):
    return _confirm_step(
        request,
        step="aanmelden",
        service=enrolment_enrol,
        success="Uw gemeente is aangemeld voor de ELIP-ondersteuning.",
    )


@role_required(Role.ELIP_LETTER)
@require_http_methods(["GET", "HEAD", "POST"])
def change(request):
    """'Wijzig' (§3.5): the same form, filled with the current data."""
    enrolment = _enrolment(request.municipality)
    if enrolment is None or not enrolment.is_enrolled:
        messages.error(request, "Uw gemeente is niet aangemeld voor de ELIP-ondersteuning.")
        return redirect("elip:brief")
    return _form_step(
        request,
        step="wijzigen",
        initial=enrolment_data(enrolment),
        template_context={"title": "Elip wijzigen", "confirm_title": "Wijzigen", "confirm_button": "Bewaar"},
    )


@role_required(Role.ELIP_LETTER)
@require_http_methods(["GET", "HEAD", "POST"])
def change_confirm(request):
    return _confirm_step(
        request, step="wijzigen", service=enrolment_change, success="De wijziging van uw ELIP-gegevens is opgeslagen."
    )


@role_required(Role.ELIP_LETTER)
@require_http_methods(["GET", "HEAD", "POST"])
def withdraw(request):
    """'Meld af' (§3.6): a confirmation page; the POST withdraws."""
    enrolment = _enrolment(request.municipality)
    if enrolment is None or not enrolment.is_enrolled:
        messages.error(request, "Uw gemeente is niet aangemeld voor de ELIP-ondersteuning.")
        return redirect("elip:brief")
    if request.method == "POST":
        try:
            enrolment_withdraw(municipality=request.municipality, user=request.user)
        except EnrolmentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Uw gemeente is afgemeld voor de ELIP-ondersteuning.")
        return redirect("elip:brief")
    return render(request, "elip/brief_withdraw.html", {"enrolment": enrolment})


@role_required(Role.ELIP_LETTER)
@require_safe
def preview(request):
    """'Bekijk voorbeeldbrief (PDF)': the letter for a sample person with this municipality's
    letter data — the data being entered (signed ``gegevens`` from the confirmation page) or the
    stored data. No real person's data is involved."""
    token = request.GET.get("gegevens")
    if token:
        data = _unsign(request, "voorbeeld", token)
        if data is None:
            messages.error(request, MSG_EXPIRED)
            return redirect("elip:brief")
    else:
        data = enrolment_data(_enrolment(request.municipality))
    data = {f: str(data.get(f, "") or "") for f in LETTER_FIELDS}
    if not data["letter_phone"] and not data["letter_email"]:
        messages.error(
            request,
            "Er is nog geen telefoonnummer of e-mailadres voor de brief. "
            "Vul eerst de gegevens in; daarna kunt u de voorbeeldbrief bekijken.",
        )
        return redirect("elip:brief")
    try:
        validate_enrolment_data({**data, "contact_name": "-"})
    except ValidationError:
        messages.error(request, MSG_EXPIRED)
        return redirect("elip:brief")
    try:
        pdf = preview_pdf(
            municipality=request.municipality,
            phone=data["letter_phone"],
            email=data["letter_email"],
            website=data["letter_website"],
        )
    except Exception:  # the preview must never turn into a 500 for the user
        logger.exception("Voorbeeldbrief kon niet worden gemaakt")
        return render(request, "elip/brief_preview_unavailable.html", status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="voorbeeldbrief-elip.pdf"'
    response["Cache-Control"] = "no-store"
    return response
