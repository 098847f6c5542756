"""Screens of manual §3.2: "Zoeken signalen", "Selecteren signalen", print page and CSV.

Role "Raadplegen en muteren ELIP signalen", chosen municipality only: every read goes through
``signals.selectors`` → ``Signal.objects.filter_for_user``. The search criteria (possibly a BSN) are
POSTed and kept in the session under an opaque search id (``pib.search_tokens``: a BSN is kept
only as a reference to the person, never as the number); result, paging and sorting URLs carry
only that id, the page and the sort (ASVS 14.2.1: no BSN in a URL).
"""

import re

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from pib.access import role_required
from pib.constants import Role
from pib.models import Person, ReadLogEntry
from pib.readlog import log_read
from pib.search_tokens import search_load, search_store
from pib.tables import pager, table_configure

from .constants import SignalStatus
from .export import csv_chunks, csv_response
from .filters import OPEN, SignalFilter
from .models import PersonContact
from .selectors import linkable_person_ids, open_signals_count, signals_for_list
from .services import MAX_ID, person_contact_assign, signal_status_change
from .tables import SignalTable, person_detail_url
from .workflow import SignalTransitionError

ROLE = Role.ELIP_SIGNALS
SEARCH_KIND = "signalen"
# Searches without personal data have fixed ids ("Toon deze signalen", "Toon alle signalen").
PRESETS = {"openstaand": {"status": OPEN}, "alle": {}}
SORT_VALUE = re.compile(r"^-?[a-z_]{1,30}$")
# ASCII digits only (fullmatch): str.isdigit() also accepts '²', which int() refuses.
PAGE_VALUE = re.compile(r"[0-9]{1,9}")
ID_VALUE = re.compile(r"[0-9]{1,19}")
ACTIONS = {"in_behandeling": SignalStatus.IN_PROGRESS, "afgehandeld": SignalStatus.DONE}


# --- search criteria kept server-side --------------------------------------------------------


def _criteria_from_post(post) -> dict:
    """The submitted form data of the search fields only (the split dates have _0/_1/_2 parts)."""
    data = {}
    for key in post:
        if key.split("_")[0] in {"bsn", "code", "status"} or re.match(r"^date_(from|to)_[012]$", key):
            data[key] = post.get(key, "")[:20]
    return data


def _load_search(request, search_id: str) -> dict | None:
    """The stored criteria, or None when the search is gone (or names a BSN no person has any more)."""
    if search_id in PRESETS:
        return PRESETS[search_id]
    data = search_load(request, SEARCH_KIND, search_id)
    return None if data is None or None in data.values() else data


def _filterset(request, data):
    return SignalFilter(data, queryset=signals_for_list(request.user, request.municipality))


# --- screens ------------------------------------------------------------------------------


@never_cache
@role_required(ROLE)
@require_http_methods(["GET", "HEAD", "POST"])
def search(request):
    """Zoeken signalen ELIP."""
    municipality = request.municipality
    no_results = False
    if request.method == "POST":
        if "toon_alle" in request.POST:
            return redirect("signals:results", search_id="alle")
        filterset = _filterset(request, request.POST)
        if filterset.is_valid():
            bsn = filterset.form.cleaned_data.get("bsn") or ""
            found = filterset.qs.exists()
            if bsn:
                # A BSN search is a look-up of a person, found or not: logged before the redirect,
                # so "is this BSN one of ours" cannot be learned without a trace.
                persons = list(Person.objects.filter(bsn=bsn).only("pk", "bsn")) if found else []
                result = ReadLogEntry.Result.FOUND if found else ReadLogEntry.Result.NOT_FOUND
                log_read(request, screen="Zoeken signalen", persons=persons, role=ROLE, result=result, bsn=bsn)
            if found:
                search_id = search_store(request, SEARCH_KIND, _criteria_from_post(request.POST))
                return redirect("signals:results", search_id=search_id)
            no_results = True
    else:
        # "Zoeken signalen" reached back from the results: the form shows that search's criteria.
        kept = request.GET.get("zoekopdracht", "")
        data = _load_search(request, kept)
        filterset = _filterset(request, data or None)
        if data and not filterset.is_valid():
            filterset = _filterset(request, None)
    return render(
        request,
        "signals/search.html",
        {
            "form": filterset.form,
            "open_count": open_signals_count(request.user, municipality),
            "no_results": no_results,
        },
        status=200,
    )


SELECT_ALL_PARAM, SELECT_ALL_VALUE = "selectie", "alle"


def _results_url(search_id, *, page=None, sort=None, all_found=False) -> str:
    url = reverse("signals:results", kwargs={"search_id": search_id})
    params = {k: v for k, v in (("pagina", page), ("sortering", sort)) if v}
    if all_found:
        params[SELECT_ALL_PARAM] = SELECT_ALL_VALUE
    return f"{url}?{urlencode(params)}" if params else url


def _headers(table, search_id) -> list[dict]:
    """Column headers; clicking one cycles ascending → descending → unsorted (manual §3.2.1)."""
    current = list(table.order_by or ())
    headers = []
    for column in table.columns:
        name = column.name
        if current == [name]:
            nxt, state = f"-{name}", "ascending"
        elif current == [f"-{name}"]:
            nxt, state = None, "descending"
        else:
            nxt, state = name, None
        url = _results_url(search_id, sort=nxt) if column.orderable else None
        headers.append({"name": name, "header": column.header, "url": url, "state": state})
    return headers


@never_cache
@role_required(ROLE)
@require_http_methods(["GET", "HEAD", "POST"])
def results(request, search_id):
    """Selecteren signalen ELIP (GET) and its buttons (POST: In behandeling, Afgehandeld, Printen)."""
    data = _load_search(request, search_id)
    if data is None:
        messages.info(request, "Uw zoekopdracht is verlopen. Zoek opnieuw.")
        return redirect("signals:search")
    if request.method == "POST":
        return _results_action(request, search_id)
    filterset = _filterset(request, data)
    if not filterset.is_valid():
        messages.info(request, "Uw zoekopdracht is verlopen. Zoek opnieuw.")
        return redirect("signals:search")
    table = table_configure(SignalTable(filterset.qs), request)  # a fixed page size, known sort keys only
    page_signals = list(table.page.object_list.data) if table.page else []
    back = request.get_full_path()
    _mark_links(request, page_signals)
    for signal in page_signals:
        contact_url = reverse("signals:contact_person", kwargs={"public_id": signal.person.public_id})
        signal.contact_url = f"{contact_url}?{urlencode({'terug': back})}"
    log_read(request, screen="Selecteren signalen", persons=[s.person for s in page_signals], role=ROLE)
    sort = ",".join(table.order_by or ())
    all_found = request.GET.get(SELECT_ALL_PARAM) == SELECT_ALL_VALUE
    return render(
        request,
        "signals/results.html",
        {
            "table": table,
            "search_id": search_id,
            "found_count": table.paginator.count,
            "page_signals": page_signals,
            "page_signal_ids": [s.pk for s in page_signals],
            "headers": _headers(table, search_id),
            "current_page": table.page.number,
            "current_sort": sort,
            "all_found": all_found,
            "page_only_url": _results_url(search_id, page=table.page.number, sort=sort),
            "pager": pager(table, lambda number: _results_url(search_id, page=number, sort=sort, all_found=all_found)),
            "search_url": f"{reverse('signals:search')}?{urlencode({'zoekopdracht': search_id})}",
        },
    )


def _mark_links(request, page_signals) -> None:
    """Per signal: ``moved`` (the person no longer lives in this municipality: SS404, shown as
    "verhuisd") and ``detail_url``, set only where this user may open the person's screen: the
    role "Raadplegen ELIP personen" for this municipality and the person still reachable
    (``signals.selectors.linkable_person_ids``). Anything else shows the BSN without a link."""
    municipality = request.municipality
    may_open = Role.ELIP_PERSONS in request.roles
    ids = [s.person_id for s in page_signals]
    reachable = linkable_person_ids(request.user, municipality, ids) if may_open else set()
    for signal in page_signals:
        signal.moved = signal.person.municipality_id != municipality.pk
        signal.detail_url = (
            person_detail_url(signal.person.public_id) if signal.person_id in reachable and not signal.moved else None
        )


def _selected_ids(request, search_id):
    """The signals the buttons act on. Normally the ticked ones (the header checkbox without
    JavaScript: every signal of the page). After "Selecteer alle N gevonden signalen"
    (``alle_gevonden``): every signal the search finds, on every page, except those the user
    unticked on the page shown. ``None`` when the search has expired."""
    ticked = request.POST.getlist("signaal")
    if request.POST.get("alle_gevonden") == "1":
        data = _load_search(request, search_id)
        filterset = _filterset(request, data) if data is not None else None
        if filterset is None or not filterset.is_valid():
            return None
        on_page = {i for i in request.POST.getlist("pagina_signaal") if ID_VALUE.fullmatch(i)}
        unticked = {int(i) for i in on_page - set(ticked)}
        return [str(pk) for pk in filterset.qs.order_by().values_list("pk", flat=True) if pk not in unticked]
    if request.POST.get("alle"):
        ticked += request.POST.getlist("pagina_signaal")
    return ticked


def _results_action(request, search_id):
    action = request.POST.get("actie", "")
    page = request.POST.get("pagina", "") if PAGE_VALUE.fullmatch(request.POST.get("pagina", "")) else None
    sort = request.POST.get("sortering", "") if SORT_VALUE.match(request.POST.get("sortering", "")) else None
    back = _results_url(search_id, page=page, sort=sort)
    if action == "alle_gevonden":
        # "Selecteer alle N gevonden signalen": the page again, with every found signal selected.
        return redirect(_results_url(search_id, page=page, sort=sort, all_found=True))
    ids = _selected_ids(request, search_id)
    if ids is None:
        messages.info(request, "Uw zoekopdracht is verlopen. Zoek opnieuw.")
        return redirect("signals:search")
    if action == "printen":
        return _print(request, ids, back)
    if action not in ACTIONS:
        messages.error(request, "Kies 'In behandeling', 'Afgehandeld' of 'Printen'.")
        return redirect(back)
    to_status = ACTIONS[action]
    try:
        result = signal_status_change(
            signals_qs_or_ids=ids, to_status=to_status, user=request.user, municipality=request.municipality
        )
    except SignalTransitionError as error:
        messages.error(request, str(error))
        return redirect(back)
    label = SignalStatus(to_status).label
    verb = "signaal heeft" if result.changed == 1 else "signalen hebben"
    text = f"{result.changed} {verb} de status '{label}' gekregen."
    if result.unchanged:
        text += f" {result.unchanged} {'signaal had' if result.unchanged == 1 else 'signalen hadden'} deze status al."
    messages.success(request, text)
    return redirect(back)


def _print(request, ids, back):
    if not ids:
        messages.error(request, "Selecteer ten minste één signaal om te printen.")
        return redirect(back)
    if not all(ID_VALUE.fullmatch(str(i)) and 0 < int(i) <= MAX_ID for i in ids):
        raise Http404
    wanted = {int(i) for i in ids}
    signals = list(signals_for_list(request.user, request.municipality).filter(pk__in=wanted))
    if len(signals) != len(wanted):
        # A signal of another municipality (or one already deleted): not this user's to see.
        raise Http404
    log_read(request, screen="Printen signalen", persons=[s.person for s in signals], role=ROLE)
    return render(
        request,
        "signals/print.html",
        {"signals": signals, "printed_at": timezone.localtime(), "back_url": back},
    )


# --- CSV ----------------------------------------------------------------------------------


def _csv_response(request, queryset, filename: str, screen: str) -> StreamingHttpResponse:
    def log_chunk(persons):
        log_read(request, screen=screen, persons=persons, role=ROLE)

    return csv_response(csv_chunks(queryset, on_chunk=log_chunk), filename)


def _filename(request, suffix: str) -> str:
    return f"signalen-{request.municipality.code}-{suffix}{timezone.localdate():%Y%m%d}.csv"


@role_required(ROLE)
@require_safe
def download_all(request):
    """ "Download alle signalen": every signal of the municipality, whatever its status."""
    queryset = signals_for_list(request.user, request.municipality).order_by("-placed_on", "-pk")
    return _csv_response(request, queryset, _filename(request, ""), "Download alle signalen")


@role_required(ROLE)
@require_safe
def download_search(request, search_id):
    """The signals of the current search (the selection shown on "Selecteren signalen")."""
    data = _load_search(request, search_id)
    if data is None:
        raise Http404
    filterset = _filterset(request, data)
    if not filterset.is_valid():
        raise Http404
    queryset = filterset.qs.order_by("-placed_on", "-pk")
    return _csv_response(request, queryset, _filename(request, "selectie-"), "Download selectie signalen")


# --- contact person -------------------------------------------------------------------------


def _contact_candidates(municipality):
    return (
        get_user_model()
        .objects.filter(authorisations__municipality=municipality, is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


@never_cache
@role_required(ROLE)
@require_http_methods(["GET", "HEAD", "POST"])
def contact_person(request, public_id):
    """Contactpersoon: the municipality assigns one of its own users to a person it has signals of."""
    municipality = request.municipality
    signal = signals_for_list(request.user, municipality).filter(person__public_id=public_id).first()
    if signal is None:
        raise Http404
    person = signal.person
    back = request.POST.get("terug") or request.GET.get("terug") or reverse("signals:search")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) or not back.startswith(
        "/signalen/"
    ):
        back = reverse("signals:search")
    candidates = list(_contact_candidates(municipality))
    error = ""
    if request.method == "POST":
        raw = request.POST.get("medewerker", "")
        chosen = next((u for u in candidates if str(u.pk) == raw), None)
        if raw == "":
            person_contact_assign(municipality=municipality, person=person, user=None)
            messages.success(request, "De contactpersoon is verwijderd.")
            return redirect(back)
        if chosen is None:
            error = "Kies een medewerker van uw gemeente."
        else:
            person_contact_assign(municipality=municipality, person=person, user=chosen)
            messages.success(request, f"{chosen.get_full_name() or chosen.username} is nu de contactpersoon.")
            return redirect(back)
    current = PersonContact.objects.filter(municipality=municipality, person=person).values_list("user_id", flat=True)
    log_read(request, screen="Contactpersoon signalen", persons=[person], role=ROLE)
    return render(
        request,
        "signals/contact_person.html",
        {
            "person": person,
            "candidates": candidates,
            "current_id": next(iter(current), None),
            "back": back,
            "error": error,
        },
        status=400 if error else 200,
    )
