"""Raadplegen ELIP personen (manual chapter 4): search, overview, detail and its sub-screens.

The search, its count and "Overzicht ELIP" show the municipality's ELIP persons whose obligation
is active (``elip.selectors.elip_persons_listed``). A person's screens open for
``elip.selectors.persons_reachable``: those persons plus the ones whose obligation ended while
their SS402 signal to this municipality still exists (shown with the end status and date). A
person the chosen municipality may not see (no letter yet, moved away, another municipality,
SS402 signal gone) and any sub-object that is not that person's answer 404, exactly like an id
that does not exist.
Every screen that shows person data writes read-log rows in the same request. The BSN is only
ever POSTed: it never appears in a URL, a redirect or a log line.
"""

from django import forms
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from pib.access import role_required
from pib.constants import ObligationStatus, Role
from pib.forms import AccessibleFormMixin, BsnField
from pib.models import Contract, Exam, Invoice, ReadLogEntry
from pib.readlog import log_read
from pib.selectors import EXAM_ORDER, exam_rows, person_list
from pib.selectors import person_detail as load_person_detail
from pib.tables import pager, same_query_page_url, table_configure
from signals.selectors import obligation_ended_on

from ..routes import routes, with_routes
from ..selectors import elip_persons_listed, persons_reachable
from ..tables import PersonTable
from .downloads import own_letter

ROLE = Role.ELIP_PERSONS

# Screen names in the read log.
SCREEN_SEARCH = "ELIP zoeken"
SCREEN_LIST = "Overzicht ELIP"
SCREEN_DETAIL = "Details ELIP-inburgeraar"
SCREEN_EXAM = "Details examen"
SCREEN_CONTRACT = "Details contract"
SCREEN_INVOICE = "Details factuur"

NOT_FOUND_MESSAGE = "Er is geen ELIP-inburgeraar gevonden met dit burgerservicenummer."


class BsnSearchForm(AccessibleFormMixin, forms.Form):
    bsn = BsnField()


def _person_or_404(request, public_id):
    """The person behind ``public_id`` if the chosen municipality may see them, else 404."""
    return get_object_or_404(persons_reachable(request.user, request.municipality), public_id=public_id)


@sensitive_post_parameters("bsn")  # masked in error reports, should this view ever fail
@role_required(ROLE)
@require_http_methods(["GET", "HEAD", "POST"])
def search(request):
    """Zoeken ELIP (§4.1, §4.1.2): the number of ELIP persons and a search by BSN (POST only)."""
    persons = elip_persons_listed(request.user, request.municipality)
    if request.method == "POST":
        form = BsnSearchForm(request.POST)
        if form.is_valid():
            person = persons.filter(bsn=form.cleaned_data["bsn"]).only("public_id", "bsn").first()
            if person is not None:
                # A hit is a look-up of a person too: logged before the redirect, so "is this BSN one
                # of ours" cannot be learned without a trace (the detail screen logs its own read).
                log_read(request, screen=SCREEN_SEARCH, persons=[person], role=ROLE, result=ReadLogEntry.Result.FOUND)
                return redirect("elip:person_detail", public_id=person.public_id)
            log_read(
                request,
                screen=SCREEN_SEARCH,
                role=ROLE,
                result=ReadLogEntry.Result.NOT_FOUND,
                bsn=form.cleaned_data["bsn"],
            )
            form.add_error("bsn", NOT_FOUND_MESSAGE)
    else:
        form = BsnSearchForm()
    context = {"form": form, "count": persons.count()}
    return render(request, "elip/person_search.html", context)


@role_required(ROLE)
@require_safe
def overview(request):
    """Overzicht ELIP (§4.1.1): all ELIP persons of the municipality, paginated and sortable."""
    table = table_configure(PersonTable(person_list(elip_persons_listed(request.user, request.municipality))), request)
    shown = [row.record for row in table.page.object_list] if table.page else []
    if shown:
        log_read(request, screen=SCREEN_LIST, persons=shown, role=ROLE)
    context = {"table": table, "pager": pager(table, same_query_page_url(request, table))}
    return render(request, "elip/person_list.html", context)


@role_required(ROLE)
@require_safe
def detail(request, public_id):
    """Details <naam> (§4.2–4.5): every field, exams, enrolments, contracts, invoices, extensions,
    and the Routewijzer (``elip.routes``, annotated on the same person query)."""
    person = load_person_detail(with_routes(persons_reachable(request.user, request.municipality)), public_id)
    if person is None:
        raise Http404("Geen ELIP-inburgeraar")
    log_read(request, screen=SCREEN_DETAIL, persons=[person], role=ROLE)
    ended = person.obligation_status != ObligationStatus.OBLIGED
    context = {
        "person": person,
        "obligation_ended": ended,
        "obligation_ended_on": obligation_ended_on(request.municipality, person) if ended else None,
        "exam_rows": exam_rows(person),
        "enrolments": person.enrolments.all(),
        "contracts": person.contracts.all(),
        "invoices": person.invoices.all(),
        "extensions": person.extensions.all(),
        "own_letter": own_letter(request.municipality, person),
        "routes": None if ended else routes(person, timezone.localdate()),
    }
    return render(request, "elip/person_detail.html", context)


@role_required(ROLE)
@require_safe
def exam(request, public_id, component):
    """Details examen <onderdeel> <naam> (§4.3): the attempts, newest first."""
    person = _person_or_404(request, public_id)
    if component not in EXAM_ORDER:
        raise Http404("Onbekend examenonderdeel")
    exam = get_object_or_404(Exam.objects.prefetch_related("attempts"), person=person, component=component)
    attempts = sorted(exam.attempts.all(), key=lambda a: a.number, reverse=True)
    log_read(request, screen=SCREEN_EXAM, persons=[person], role=ROLE)
    return render(request, "elip/person_exam.html", {"person": person, "exam": exam, "attempts": attempts})


@role_required(ROLE)
@require_safe
def contract(request, public_id, pk):
    """Details contract (§4.3): every field of one of the person's contracts."""
    person = _person_or_404(request, public_id)
    contract = get_object_or_404(Contract.objects.select_related("institution"), pk=pk, person=person)
    log_read(request, screen=SCREEN_CONTRACT, persons=[person], role=ROLE)
    return render(request, "elip/person_contract.html", {"person": person, "contract": contract})


@role_required(ROLE)
@require_safe
def invoice(request, public_id, pk):
    """Details factuur (§4.4): every field of one of the person's invoices, with Reden weigering."""
    person = _person_or_404(request, public_id)
    invoice = get_object_or_404(Invoice.objects.select_related("contract__institution"), pk=pk, person=person)
    log_read(request, screen=SCREEN_INVOICE, persons=[person], role=ROLE)
    return render(request, "elip/person_invoice.html", {"person": person, "invoice": invoice})
