"""Bad-input sweep: "bad input gets a clear Dutch error and changes nothing; no 500 page for anything
a user can type or a URL can hold".

Every portal URL pattern (the authorization walk's enumeration, so patterns added later are swept
automatically; Django admin and static files excluded) is requested by a user holding all eight
roles for municipality A, with real objects (an ELIP person with a letter, exams, a contract,
invoices, a signal and a contact person):

* GET with hostile query strings (bad/huge/negative pages, bad sorts, NUL, ``<script>``, path
  traversal, 10,000-character values, repeated keys, invalid UTF-8 escapes) under both the generic
  names (page/sort/zoek) and the names the screens really read (pagina/sorteer/sortering/terug/…);
* every path argument replaced by hostile values (unknown ids, malformed UUIDs, huge ints, unicode,
  NUL, traversal), GET and POST;
* POST with an empty body, with every form field of the screen filled with one kind of garbage
  (5,000 characters, HTML, SQL, NUL bytes, emoji, negative numbers, impossible dates, BSNs failing
  the elfproef, CR/LF), with arrays where scalars are expected, with invalid UTF-8 and with too many
  fields.

Per request: no exception, never a 500, the status is one of 200/302/303/400/403/404/405, the
registry tables of the portal's writes are unchanged (except the one legitimate action a screen's
button performs with any body), a 200 or 400 answer to a POST shows a ``utrecht-form-field-error-message`` /
``utrecht-alert--error`` element, and every error text or flash message is Dutch (no Django English).

The form fields of a screen are read from its own HTML (every ``<form method="post">`` whose
action is the screen), plus the few fields of forms that only appear in another state.

Speed without dropping anything: every URL pattern is its own test (pytest-xdist spreads them).
The requests that may not change data run in batches inside one savepoint with one digest at the
end; a batch with any problem (a change, an error, a 500) is replayed one request at a time, so
the report still names the request. The hostile query values are sent one name at a time for the
names the screen really reads (found by a probe that records every ``request.GET`` lookup); the
names it never reads get every hostile value too, all at once, since a name nobody reads cannot
mask another.
"""

import datetime as dt
import hashlib
import re
from decimal import Decimal
from html import unescape
from urllib.parse import quote

import pytest
from django.contrib.messages import get_messages
from django.core.handlers import wsgi
from django.db import DatabaseError, transaction
from django.http import QueryDict
from django.test import Client

from elip.models import ElipEnrolment, ElipEnrolmentChange
from elip.services.enrolment import enrolment_enrol
from letters.models import Letter
from mijnduo.models import AccountChange, ActivationCode, MunicipalAccount
from pib.access import SESSION_KEY
from pib.constants import Role
from pib.models import Authorisation, Person
from signals.constants import SignalCode, SignalStatus
from signals.models import PersonContact, Signal, SignalStatusChange
from tests.pib import test_authorization_walk as walk
from tests.pib.factories import PersonFactory, municipality

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.usefixtures("no_template_capture")]

A, B = walk.A, walk.B
ALLOWED = {200, 302, 303, 400, 403, 404, 405}
BRIEF_PREFIX = "elip:brief"
ENROLMENT_STATES = ("aangemeld", "niet-aangemeld")
VALID_ENROLMENT = {
    "letter_phone": "050 599 96 00",
    "letter_email": "elip@gemeente.nl",
    "letter_website": "www.gemeente.nl/inburgering",
    "contact_name": "Jan de Vries",
    "contact_phone": "",
    "contact_email": "",
    "contact_postcode": "1234 AB",
    "contact_house_number": "6",
    "contact_house_number_addition": "",
    "contact_street": "Stationsplein",
    "contact_city": "Amsterdam",
}

OTHER_METHODS = ("HEAD", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "FOO")
LONG = "x" * 10_000
HOSTILE_VALUES = [
    "abc",
    "-1",
    "0",
    "99999999999999999999",
    "DROP",
    "%00",
    "a%00b",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "..%2F..%2Fetc%2Fpasswd",
    "%ff%fe",
    "%F0%9F%98%80",
    "%0d%0aSet-Cookie:%20x=1",
    "//evil.example/",
    "javascript:alert(1)",
    LONG,
]
# Generic names from the brief, and the names the screens really read.
QUERY_NAMES = (
    "page",
    "sort",
    "sorteer",
    "zoek",
    "search_id",
    "pagina",
    "sortering",
    "per_pagina",
    "terug",
    "next",
    "gegevens",
)
MIXED_QUERIES = [
    "page=1&page=2&page=abc&sort=a&sort=-b",
    "pagina=1&pagina=x&sorteer=naam&sorteer=-naam&sorteer=%00&sortering=status&sortering=DROP",
    "%ff%fe=%ff%fe",
    f"{LONG}={LONG}",
    "&&&==&=",
    "pagina",
]
HOSTILE_QUERIES = [f"{name}={value}" for name in QUERY_NAMES for value in HOSTILE_VALUES] + MIXED_QUERIES
HOSTILE_PATH = {
    "int": ["0", "987654", "99999999999999999999", "9" * 400, "-1", "%00", "%C3%BC"],
    "uuid": [
        "00000000-0000-4000-8000-000000000000",
        "niet-een-uuid",
        "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",
        "00000000-0000-4000-8000-00000000000%00",
        "%C3%BC" * 12,
    ],
    "str": [
        "onbekend",
        "%00",
        "..%2F..%2Fetc",
        "%C3%BCn%C3%AFc%E2%82%AC%F0%9F%98%80",
        "%ff%fe",
        "%3Cscript%3E",
        "x" * 2000,
        "99999999999999999999",
    ],
}
GARBAGE = {
    "5000 tekens": "x" * 5000,
    "html": "<img src=x onerror=alert(1)>",
    "sql": "' OR 1=1 --",
    "nul-byte": "12\x0034",
    "alleen nul-byte": "\x00",
    "emoji": "\U0001f600\U0001f648",
    "negatief": "-1",
    "negatief groot": "-99999999999999999999",
    "huge int": "9" * 5000,
    "datum 31-02-2023": "31-02-2023",
    "datum 2023-13-45": "2023-13-45",
    "datum 0000-00-00": "0000-00-00",
    "bsn zonder elfproef": "123456780",
    "crlf": "a\r\nb",
    "unicode cijfers": "\u0661\u0662\u0663",
    "superscript cijfers": "\u00b2\u00b3",
    "cijfer + regeleinde": "1\n",
    "spaties": "   ",
}
# Fields of forms that only appear in another state than the one swept (by screen name).
EXTRA_FIELDS = {
    "choose_municipality": ["gemeente", "next"],
    "elip:brief_enrol_confirm": ["gegevens"],
    "elip:brief_change_confirm": ["gegevens"],
    "signals:results": ["signaal", "alle", "pagina_signaal", "pagina", "sortering"],
    "signals:contact_person": ["medewerker", "terug"],
    "login": ["username", "password", "next"],
    "mijnduo:user_roles": ["roles"],
}
# A screen whose button performs its action with any body (there is nothing to type).
ACTION_WITH_ANY_BODY = {("elip:brief_withdraw", "aangemeld")}
# Removing the contact person is an empty choice ("Geen contactpersoon") of the form.
ACTION_WITH_EMPTY_BODY = {"signals:contact_person"}
ERROR_ELEMENT = re.compile(r'class="[^"]*\b(utrecht-form-field-error-message|utrecht-alert--error)\b')
ERROR_TEXT = re.compile(
    r'<(p|div)[^>]*class="[^"]*\b(?:utrecht-form-field-error-message|utrecht-alert--error)\b[^"]*"[^>]*>(.*?)</\1>',
    re.DOTALL,
)
ENGLISH = re.compile(
    r"This field|Enter a |Select a valid|Ensure this|Null characters|not allowed|is required|Invalid|"
    r"Please |valid date|valid number|Forbidden|Server Error|Bad Request|Not Found",
)
DIGEST_MODELS = (
    ElipEnrolment,
    ElipEnrolmentChange,
    Signal,
    SignalStatusChange,
    PersonContact,
    Letter,
    Person,
    Authorisation,
    AccountChange,
    ActivationCode,
    MunicipalAccount,
)


def digest() -> str:
    """One hash over every row of the tables the portal writes to (read-log rows excluded)."""
    h = hashlib.sha256()
    for model in DIGEST_MODELS:
        for row in model.objects.order_by("pk").values_list():
            h.update(repr(row).encode())
        h.update(b"|")
    return h.hexdigest()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def form_fields(html: str, action_path: str) -> tuple[set[str], set[tuple[str, str]]]:
    """Input names and submit buttons ``(name, value)`` of every POST form on the page whose action
    is ``action_path``."""
    names, buttons = set(), set()
    for attrs, inner in re.findall(r"<form\b([^>]*)>(.*?)</form>", html, re.DOTALL | re.IGNORECASE):
        if 'method="post"' not in attrs.lower():
            continue
        action = re.search(r'action="([^"]*)"', attrs)
        target = unescape(action.group(1)).split("?")[0] if action else ""
        if target not in ("", action_path):
            continue
        names |= set(re.findall(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', inner))
        for button in re.findall(r"<button\b[^>]*>", inner):
            name, value = re.search(r'\bname="([^"]+)"', button), re.search(r'\bvalue="([^"]*)"', button)
            if name:
                buttons.add((name.group(1), unescape(value.group(1)) if value else ""))
    names.discard("csrfmiddlewaretoken")
    return names, buttons


class Sweep:
    def __init__(self, user, label):
        self.user = user
        self.label = label
        self.problems: list[str] = []
        self.requests = 0
        self.client = self.new_client()
        self.before = digest()  # every request starts from this data (it runs in a rolled-back savepoint)

    def new_client(self) -> Client:
        client = Client(raise_request_exception=False)
        client.force_login(self.user)
        session = client.session
        session[SESSION_KEY] = municipality(A).pk
        session.save()
        return client

    def _request(self, method, url, *, data=None, raw=None):
        if raw is not None:
            return self.client.post(url, raw, content_type="application/x-www-form-urlencoded")
        if method == "POST":
            return self.client.post(url, data or {})
        if method == "GET":
            return self.client.get(url)
        return self.client.generic(method, url, "x=%00&y=%ff")

    def _check(self, response, text, messages, method, where, post_checks) -> list[str]:
        """The checks of one response that do not need the database."""
        problems = []
        status = response.status_code
        if getattr(response, "exc_info", None):
            problems.append(f"{where}: raised {response.exc_info[1]!r}")
        probe_down = self.label in walk.PUBLIC_PROBES and status == 503  # "not healthy", not a crash
        if status not in ALLOWED and not probe_down:
            problems.append(f"{where}: status {status}")
        shows_error = ERROR_ELEMENT.search(text) or (status == 400 and "Ongeldig verzoek" in text)
        if method == "POST" and post_checks and status in (200, 400) and not shows_error:
            problems.append(
                f"{where}: {status} without a utrecht-form-field-error-message / utrecht-alert--error element"
            )
        for _tag, inner in ERROR_TEXT.findall(text):
            if ENGLISH.search(_text(inner)):
                problems.append(f"{where}: English error text {_text(inner)[:120]!r}")
        for message in messages:
            if ENGLISH.search(message):
                problems.append(f"{where}: English message {message[:120]!r}")
        if status == 404 and ENGLISH.search(_text(text)):
            problems.append(f"{where}: English 404 page")
        return problems

    def _exchange(self, method, url, *, name, what, data=None, raw=None, post_checks=True):
        """Send one request (no savepoint, no digest); returns (response, body, problems)."""
        where = f"{method} {url[:160]} [{name}] ({what})"
        response = self._request(method, url, data=data, raw=raw)
        text = walk.body(response)
        messages = [str(m) for m in get_messages(response.wsgi_request)] if hasattr(response, "wsgi_request") else []
        problems = self._check(response, text, messages, method, where, post_checks)
        if not self.client.session.get("_auth_user_id"):
            self.client = self.new_client()
        return response, text, problems

    def send(self, method, url, *, name, what, data=None, raw=None, may_change=False, post_checks=True):
        """One request in a savepoint (every request starts from the same data); returns (status, body)."""
        sid = transaction.savepoint()
        where = f"{method} {url[:160]} [{name}] ({what})"
        self.requests += 1
        try:
            response, text, problems = self._exchange(
                method, url, name=name, what=what, data=data, raw=raw, post_checks=post_checks
            )
            try:
                after = digest()
            except DatabaseError as exc:
                after = None
                problems.append(f"{where}: the database transaction is broken afterwards: {exc!r}")
        finally:
            transaction.savepoint_rollback(sid)
        if after is not None and after != self.before and not may_change:
            problems.append(f"{where}: changed data")
        self.problems += problems
        return response.status_code, text

    def send_all(self, requests):
        """Requests that may not change data, ``(method, url, kwargs)`` each: all in one savepoint
        with one digest at the end. If anything is wrong, they are replayed one by one (``send``),
        so the report names each request that did it."""
        sid = transaction.savepoint()
        clean = True
        try:
            for method, url, kwargs in requests:
                _, _, problems = self._exchange(method, url, **kwargs)
                if problems:
                    clean = False
                    break
            if clean:
                try:
                    clean = digest() == self.before
                except DatabaseError:
                    clean = False
        finally:
            transaction.savepoint_rollback(sid)
        if clean:
            self.requests += len(requests)
            return
        for method, url, kwargs in requests:
            self.send(method, url, **kwargs)

    def assert_clean(self):
        assert not self.problems, f"{len(self.problems)} problems:\n" + "\n".join(self.problems[:80])


class _ReadNames(QueryDict):
    """A ``request.GET`` that records which names the code looks up (``ALL`` when it iterates)."""

    seen: set = set()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._recording = True  # the lookups of parsing the query itself do not count

    def _saw(self, key):
        if getattr(self, "_recording", False):
            self.seen.add(key)

    def __getitem__(self, key):
        self._saw(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self._saw(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self._saw(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        self._saw(key)
        return super().__contains__(key)

    def _everything(self, method, *args):
        self._saw(ALL)
        return getattr(super(), method)(*args)

    def __iter__(self):
        return self._everything("__iter__")

    def items(self):
        return self._everything("items")

    def lists(self):
        return self._everything("lists")

    def keys(self):
        return self._everything("keys")

    def values(self):
        return self._everything("values")

    def dict(self):
        return self._everything("dict")

    def copy(self):
        return self._everything("copy")

    def urlencode(self, safe=None):
        return self._everything("urlencode", safe)


ALL = object()


def query_names_read(sweep: Sweep, url: str) -> set[str]:
    """The names of ``QUERY_NAMES`` the screen at ``url`` looks up in ``request.GET`` (all of them
    when it iterates over the query), with every name present."""
    _ReadNames.seen = set()
    original = wsgi.QueryDict
    wsgi.QueryDict = _ReadNames
    try:
        sweep.send("GET", f"{url}?{'&'.join(f'{n}=1' for n in QUERY_NAMES)}", name="probe", what="namen")
    finally:
        wsgi.QueryDict = original
    return set(QUERY_NAMES) if ALL in _ReadNames.seen else _ReadNames.seen & set(QUERY_NAMES)


def hostile_queries(read: set[str]) -> list[str]:
    """``HOSTILE_QUERIES`` for a screen that reads ``read``: each read name with each hostile value
    on its own; the unread names with each hostile value all together; and the mixed queries."""
    unread = [n for n in QUERY_NAMES if n not in read]
    queries = [f"{name}={value}" for name in QUERY_NAMES if name in read for value in HOSTILE_VALUES]
    if unread:
        queries += ["&".join(f"{name}={value}" for name in unread) for value in HOSTILE_VALUES]
    return queries + MIXED_QUERIES


# --- data -----------------------------------------------------------------------------------------


def _make_world(state: str):
    person = PersonFactory(elip=True, code=A, loan_used=Decimal("8720"), first_names="Anna", last_name="Amsterdammer")
    world = walk._world("A", person, A, signal_municipality=A)
    Signal.objects.create(
        municipality=municipality(A),
        person=person,
        code=SignalCode.SS401,
        placed_on=dt.date(2025, 3, 6),
        status=SignalStatus.IN_PROGRESS,
    )
    user = walk.user_with("alle-rollen", {A: list(Role.values)})
    PersonContact.objects.create(municipality=municipality(A), person=person, user=user)
    if state == "aangemeld":
        enrolment_enrol(municipality=municipality(A), user=user, data=VALID_ENROLMENT)
    return world, user


def _url(endpoint, values) -> str:
    kinds = {name: walk.kind_of(name, conv, before) for name, conv, before in endpoint.params}
    filled = {}
    for name, conv, _ in endpoint.params:
        kind = kinds[name]
        if kind:
            filled[name] = values[kind]
        else:
            filled[name] = walk.EXTRA_VALUES.get(name, [walk.DUMMIES.get(conv, "onbekend")])[0]
    return endpoint.build(filled), filled


def real_id_garbage(user) -> dict[str, str]:
    """The ids of real rows the screens take (a signal, the user, the municipality), written the
    way ``int()`` accepts but a form must not: with a line end or spaces. Taken from this test's
    own rows, so the sweep never depends on which ids earlier tests used up."""
    signal = Signal.objects.filter(municipality=municipality(A)).order_by("pk").first()
    ids = {"signaal": signal.pk, "gebruiker": user.pk, "gemeente": municipality(A).pk}
    garbage = {}
    for kind, pk in ids.items():
        garbage[f"echt {kind}-id + regeleinde"] = f"{pk}\n"
        garbage[f"echt {kind}-id tussen spaties"] = f" {pk} "
    return garbage


def _post_bodies(fields, buttons, garbage_kinds=None):
    """Garbage in every input, without a button and with each submit button's own value (a button
    like "Toon alle signalen" would otherwise skip the validation of the other fields)."""
    fields = sorted(fields)
    presses = [None, *sorted(buttons)]
    yield "lege body", {}, None
    for name, value in sorted(buttons):
        yield f"lege body + {name}={value}", {name: value}, None
    for label, garbage in (garbage_kinds or GARBAGE).items():
        for press in presses:
            data = dict.fromkeys(fields, garbage)
            if press:
                data[press[0]] = press[1]
            yield f"{label}{f' + {press[0]}={press[1]}' if press else ''}", data, None
        if buttons:
            yield f"{label} ook in de knoppen", dict.fromkeys(fields + [n for n, _ in buttons], garbage), None
    for press in presses:
        data = {f: ["1", GARBAGE["html"], "\x00"] for f in fields}
        if press:
            data[press[0]] = [press[1], GARBAGE["sql"]]
        yield f"lijsten i.p.v. waarden{f' + {press[0]}' if press else ''}", data, None
    yield "ongeldige utf-8", None, "&".join(f"{quote(f)}=%ff%fe%00" for f in fields) or "%ff%fe=%ff"
    yield "te veel velden", None, "&".join(f"v{i}=1" for i in range(1200))


def _cases():
    for endpoint in walk.ENDPOINTS:
        states = ENROLMENT_STATES if endpoint.name.startswith(BRIEF_PREFIX) else ("-",)
        for state in states:
            yield pytest.param(endpoint, state, id=f"{endpoint.name}-{state}")


CASES = list(_cases())


def test_the_sweep_covers_every_portal_pattern():
    names = {p.values[0].name for p in CASES}
    assert {e.name for e in walk.ENDPOINTS} == names
    assert not any(e.route.startswith(("beheer/", "static/")) for e in walk.ENDPOINTS)
    assert len(HOSTILE_QUERIES) >= 150 and len(GARBAGE) >= 15


@pytest.mark.parametrize(("endpoint", "state"), CASES)
def test_bad_input(endpoint, state):
    world, user = _make_world(state)
    sweep = Sweep(user, endpoint.name)
    name = endpoint.name
    url, filled = _url(endpoint, world.values)
    path = url.split("?")[0]

    # Hostile query strings, other HTTP methods (with a garbage body), and hostile path arguments
    # one at a time (the others from municipality A): none of them may change data.
    batch = [
        ("GET", f"{url}?{query}", {"name": name, "what": "query"})
        for query in hostile_queries(query_names_read(sweep, url))
    ]
    batch += [(method, url, {"name": name, "what": "methode"}) for method in OTHER_METHODS]
    for param, conv, _ in endpoint.params:
        for value in HOSTILE_PATH.get(conv, HOSTILE_PATH["str"]) + HOSTILE_PATH["str"][:2]:
            hostile = endpoint.build({**filled, param: value}) if not endpoint.regex else None
            if hostile is None:
                continue
            batch.append(("GET", hostile, {"name": name, "what": f"pad {param}"}))
            if name not in walk.SKIP_POST:
                batch.append(("POST", hostile, {"name": name, "what": f"pad {param}", "post_checks": False}))
    sweep.send_all(batch)

    # POST: the fields of the screen's own forms, filled with garbage.
    if name in walk.SKIP_POST:
        sweep.assert_clean()
        return
    _, page = sweep.send("GET", url, name=name, what="formulier lezen")
    fields, buttons = form_fields(page, path)
    fields |= set(EXTRA_FIELDS.get(name, ()))
    batch = []
    for what, data, raw in _post_bodies(fields, buttons, {**GARBAGE, **real_id_garbage(user)}):
        may_change = (name, state) in ACTION_WITH_ANY_BODY or (what == "lege body" and name in ACTION_WITH_EMPTY_BODY)
        if may_change:
            sweep.send("POST", url, name=name, what=f"POST {what}", data=data, raw=raw, may_change=True)
        else:
            batch.append(("POST", url, {"name": name, "what": f"POST {what}", "data": data, "raw": raw}))
    sweep.send_all(batch)
    print(f"{name} [{state}]: {sweep.requests} requests, fields {sorted(fields)}, buttons {sorted(buttons)}")
    sweep.assert_clean()


# --- targeted checks --------------------------------------------------------------------------------


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _errors(text: str) -> list[str]:
    return [_text(inner) for _tag, inner in ERROR_TEXT.findall(text)]


def _assert_dutch_form_error(response, before, *expected):
    text = walk.body(response)
    assert response.exc_info is None
    assert response.status_code == 200, response.status_code
    errors = " ".join(_errors(text))
    assert errors, "no utrecht-form-field-error-message / utrecht-alert--error element"
    assert not ENGLISH.search(errors), errors
    for fragment in expected:
        assert fragment in errors, (fragment, errors)
    assert digest() == before


def test_csrf_failure_is_the_dutch_403_page():
    _, user = _make_world("aangemeld")
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(user)
    before = digest()
    for url, data in (
        ("/elip/brief/wijzigen/", {**VALID_ENROLMENT, "contact_name": "Iemand Anders"}),
        ("/elip/brief/afmelden/", {}),
        (
            "/signalen/resultaten/alle/",
            {"actie": "afgehandeld", "signaal": list(Signal.objects.values_list("pk", flat=True))},
        ),
        ("/gemeente-kiezen/", {"gemeente": str(municipality(A).pk)}),
    ):
        response = client.post(url, data)
        assert response.exc_info is None
        assert response.status_code == 403, url
        text = walk.body(response)
        assert "Het formulier is verlopen" in text and "niets gewijzigd" in text, url
    anonymous = Client(enforce_csrf_checks=True, raise_request_exception=False)
    response = anonymous.post("/inloggen/", {"username": "alle-rollen", "password": "geheim-wachtwoord-123"})
    assert response.status_code == 403 and "Het formulier is verlopen" in walk.body(response)
    assert digest() == before


BAD_DATES = [
    (("31", "2", "2023"), "Vul een bestaande datum in"),
    (("45", "13", "2023"), "Vul een bestaande datum in"),
    (("0", "0", "0"), "Vul een bestaande datum in"),
    (("31-02-2023", "", ""), "Vul een volledige datum in"),
    (("2023-13-45", "x", "y"), "Vul een bestaande datum in"),
    (("0000-00-00", "00", "0000"), "Vul een bestaande datum in"),
    (("1", "", ""), "Vul een volledige datum in"),
    (("-1", "-1", "-2023"), "Vul een bestaande datum in"),
    (("1", "1", "99999999999999999999"), "Vul een bestaande datum in"),
    (("1", "1", "9" * 5000), "Vul een bestaande datum in"),
    (("\x00", "1", "2023"), ""),
    (("\U0001f600", "1", "2023"), "Vul een bestaande datum in"),
    (("\u00b2", "1", "2023"), "Vul een bestaande datum in"),
    (("<b>1</b>", "1", "2023"), "Vul een bestaande datum in"),
]


@pytest.mark.parametrize("field", ["date_from", "date_to"])
@pytest.mark.parametrize(("parts", "message"), BAD_DATES)
def test_signal_search_dates_get_a_dutch_message(field, parts, message):
    _, user = _make_world("-")
    client = _client(user)
    before = digest()
    data = {f"{field}_{i}": part for i, part in enumerate(parts)}
    response = client.post("/signalen/", {**data, "zoek": "1"})
    _assert_dutch_form_error(response, before, message)


def test_signal_search_date_range_the_wrong_way_round():
    _, user = _make_world("-")
    before = digest()
    data = {"date_from_0": "2", "date_from_1": "3", "date_from_2": "2025", "date_to_0": "1"}
    data |= {"date_to_1": "3", "date_to_2": "2025", "zoek": "1"}
    _assert_dutch_form_error(_client(user).post("/signalen/", data), before, "ligt vóór de datum")


BAD_ENROLMENT = [
    ("letter_phone", "abc", "Vul een geldig Nederlands telefoonnummer in"),
    ("letter_phone", "06-1234567890123", "Vul een geldig Nederlands telefoonnummer in"),
    ("letter_phone", "+1 555 123 4567", "Vul een geldig Nederlands telefoonnummer in"),
    ("letter_phone", "\u0660\u0665\u0660\u0665\u0669\u0669\u0669\u0666\u0660\u0660", "telefoonnummer"),
    ("letter_phone", "050\x005999600", ""),
    ("contact_phone", "-1", "Vul een geldig Nederlands telefoonnummer in"),
    ("letter_email", "geen-e-mail", "Vul een geldig e-mailadres in"),
    ("letter_email", "a@b", "Vul een geldig e-mailadres in"),
    ("letter_email", "x" * 5000 + "@gemeente.nl", "Vul een geldig e-mailadres in"),
    ("letter_email", "<img src=x onerror=alert(1)>@gemeente.nl", "Vul een geldig e-mailadres in"),
    ("contact_email", "' OR 1=1 --", "Vul een geldig e-mailadres in"),
    ("letter_website", "javascript:alert(1)", "Vul een geldig webadres in"),
    ("letter_website", "http://localhost", "Vul een geldig webadres in"),
    ("letter_website", "ftp://www.gemeente.nl", "Vul een geldig webadres in"),
    ("letter_website", "https://gebruiker:wachtwoord@www.gemeente.nl", "Vul een geldig webadres in"),
    ("letter_website", "www.gemeente.nl/" + "x" * 5000, ""),
    ("contact_postcode", "0123 AB", "Vul een geldige postcode in"),
    ("contact_postcode", "1234", "Vul een geldige postcode in"),
    ("contact_postcode", "ABCD 12", "Vul een geldige postcode in"),
    ("contact_postcode", "1234 AB\x00", ""),
    ("contact_house_number", "0", "Vul een huisnummer in met alleen cijfers"),
    ("contact_house_number", "-1", "Vul een huisnummer in met alleen cijfers"),
    ("contact_house_number", "12a", "Vul een huisnummer in met alleen cijfers"),
    ("contact_house_number", "99999999999999999999", "Vul een huisnummer in met alleen cijfers"),
    ("contact_house_number", "\u00b2", "Vul een huisnummer in met alleen cijfers"),
    ("contact_house_number_addition", "\U0001f600", "Vul een toevoeging in"),
    ("contact_name", "", "Het veld 'Contactpersoon' is verplicht."),
    ("contact_name", "x" * 5000, "Vul hier hoogstens"),
    ("contact_city", "Amsterdam\x00", ""),
]


@pytest.mark.parametrize("state", ENROLMENT_STATES)
@pytest.mark.parametrize(("field", "value", "message"), BAD_ENROLMENT)
def test_enrolment_form_fields_get_a_dutch_message(state, field, value, message):
    _, user = _make_world(state)
    url = "/elip/brief/wijzigen/" if state == "aangemeld" else "/elip/brief/aanmelden/"
    before = digest()
    response = _client(user).post(url, {**VALID_ENROLMENT, "contact_name": "Iemand Anders", field: value})
    _assert_dutch_form_error(response, before, message)
    assert f'id="id_{field}-error"' in walk.body(response)
    assert "utrecht-form-field-error-message" in walk.body(response)


def test_nul_bytes_in_the_login_form():
    _make_world("-")
    before = digest()
    client = Client(raise_request_exception=False)
    for data in (
        {"username": "alle-rollen\x00", "password": "geheim-wachtwoord-123"},
        {"username": "alle-rollen", "password": "geheim\x00-wachtwoord-123"},
        {"username": "\x00", "password": "\x00"},
        {"username": "x" * 5000, "password": "y" * 5000},
        {"username": ["alle-rollen", "\x00"], "password": ["a", "b"]},
        {"username": "' OR 1=1 --", "password": "' OR 1=1 --", "next": "\x00//evil.example"},
    ):
        response = client.post("/inloggen/", data)
        text = walk.body(response)
        assert response.exc_info is None and response.status_code == 200, data
        assert "Uw gebruikersnaam of wachtwoord is onjuist" in text and "utrecht-alert--error" in text
        assert "_auth_user_id" not in client.session
    assert digest() == before


@pytest.mark.parametrize(
    "gemeente", ["\x00", "1\x00", "\u00b2", "\u0661", "1\n", "-1", "99999999999999999999", "9" * 5000, "", "abc"]
)
def test_hostile_municipality_choice_changes_nothing(gemeente):
    _, user = _make_world("-")
    Authorisation.objects.create(user=user, municipality=municipality(B), role=Role.ELIP_PERSONS)
    client = _client(user)
    session = client.session
    session[SESSION_KEY] = municipality(A).pk
    session.save()
    response = client.post("/gemeente-kiezen/", {"gemeente": gemeente, "next": "/elip/personen/"})
    assert response.exc_info is None and response.status_code == 302
    assert client.session[SESSION_KEY] == municipality(A).pk
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == ["U bent niet geautoriseerd voor deze gemeente. De gekozen gemeente is niet gewijzigd."]


@pytest.mark.parametrize(
    "target", ["/\x00", "/elip/\r\nSet-Cookie: x=1", "//evil.example/", "\x00/", "/" + "x" * 5000, "/\U0001f600/"]
)
def test_hostile_redirect_targets_after_a_valid_action(target):
    """The valid actions that redirect to a URL from the form: the chooser's ``next`` and the
    contact person's ``terug``. A hostile target is replaced or made harmless, never a 500."""
    world, user = _make_world("-")
    Authorisation.objects.create(user=user, municipality=municipality(B), role=Role.ELIP_PERSONS)
    client = _client(user)
    response = client.post("/gemeente-kiezen/", {"gemeente": str(municipality(B).pk), "next": target})
    assert response.exc_info is None and response.status_code == 302
    assert "\r" not in response["Location"] and "\n" not in response["Location"]
    assert not response["Location"].startswith("//")
    assert client.session[SESSION_KEY] == municipality(B).pk
    client.post("/gemeente-kiezen/", {"gemeente": str(municipality(A).pk)})
    assert client.session[SESSION_KEY] == municipality(A).pk
    url = f"/signalen/contactpersoon/{world.person.public_id}/"
    response = client.post(url, {"medewerker": str(user.pk), "terug": "/signalen" + target})
    assert response.exc_info is None and response.status_code == 302
    assert response["Location"].startswith("/signalen")
    assert "\r" not in response["Location"] and "\n" not in response["Location"]


def test_the_sweep_reports_changes_and_server_errors(monkeypatch):
    """The sweep's own check: a real change and a server error do not go unnoticed, and every
    request starts from the same data (the savepoint is rolled back)."""
    _, user = _make_world("aangemeld")
    sweep = Sweep(user, "zelftest")
    sweep.send("POST", "/elip/brief/afmelden/", name="elip:brief_withdraw", what="echte actie")
    assert any("changed data" in problem for problem in sweep.problems)
    assert ElipEnrolment.objects.get(municipality=municipality(A)).is_enrolled

    def boom(*args, **kwargs):
        raise RuntimeError("stuk")

    monkeypatch.setattr("elip.views.persons.person_list", boom)
    sweep.problems.clear()
    sweep.send("GET", "/elip/personen/overzicht/?pagina=1", name="elip:persons_list", what="fout")
    assert any("raised RuntimeError" in problem for problem in sweep.problems)
    assert any("status 500" in problem for problem in sweep.problems)


def test_a_batch_with_a_change_is_replayed_and_names_the_request():
    """``send_all``'s own check: one changing request in a batch is found and named, alone."""
    _, user = _make_world("aangemeld")
    sweep = Sweep(user, "zelftest")
    sweep.send_all(
        [
            ("GET", "/elip/personen/overzicht/?pagina=1", {"name": "elip:persons_list", "what": "leest"}),
            ("POST", "/elip/brief/afmelden/", {"name": "elip:brief_withdraw", "what": "echte actie"}),
            ("GET", "/elip/personen/overzicht/?pagina=2", {"name": "elip:persons_list", "what": "leest"}),
        ]
    )
    assert len(sweep.problems) == 1 and "changed data" in sweep.problems[0]
    assert "POST /elip/brief/afmelden/" in sweep.problems[0]
    assert sweep.requests == 3
    assert ElipEnrolment.objects.get(municipality=municipality(A)).is_enrolled


def test_the_probe_finds_the_query_names_a_screen_reads():
    _, user = _make_world("aangemeld")
    sweep = Sweep(user, "zelftest")
    assert query_names_read(sweep, "/elip/personen/overzicht/") >= {"pagina", "sorteer"}
    preview = query_names_read(sweep, "/elip/brief/voorbeeldbrief.pdf")
    assert "gegevens" in preview and not preview & {"page", "sort", "pagina", "sorteer", "zoek"}
    assert len(hostile_queries(set())) == len(HOSTILE_VALUES) + len(MIXED_QUERIES)
    assert hostile_queries(set(QUERY_NAMES)) == HOSTILE_QUERIES
    sweep.assert_clean()
