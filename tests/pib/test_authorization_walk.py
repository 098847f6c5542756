"""Authorization walk: every URL pattern of the project, requested by every kind of user, with
path arguments taken from municipality A, municipality B and out-of-scope persons.

Generic on purpose: URL patterns added later are walked automatically. Path kwargs are filled by
name (``public_id``, ``component``, ``*signal*``, ``pk`` after ``contracten/`` …); a kwarg the walk
does not know gets a dummy value of its converter's type and must not cause a 500.

What is proven, per user:

* anonymous: never a 200 outside the login page; a redirect goes to the login page.
* every portal view is wrapped in ``role_required`` (or is explicitly public / ``login_required_portal``);
  a user without that role gets 403 with the missing role named (Dutch explanation).
* no cross-municipality access: with the chosen municipality A, every URL that names an object of
  B, of a person without an ELIP letter, or of a person who moved away answers 404 (also on POST,
  also when only one of several path arguments is foreign), and the BSN of a person the user may
  not see never appears in any response body.
* a user of A and B sees B's objects only after choosing B, and then no longer A's.
* users without roles and DUO admins (superuser, no portal roles) get no portal data.
"""

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from html import unescape

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern

from letters.models import Letter
from pib.access import SESSION_KEY
from pib.constants import Role
from pib.models import Person
from signals.constants import SignalCode
from signals.models import Signal
from tests.elip.persons_data import full_history
from tests.letters.factories import LetterFactory
from tests.pib.factories import PersonFactory, UserFactory, municipality

pytestmark = pytest.mark.django_db

A, B = "GM0363", "GM0014"  # Amsterdam sorts before Groningen: a user of both starts in A
# Health probes for load balancers (elip/health.py): no login, no person data; metrics 404 without a token.
PUBLIC_PROBES = {"health", "health_live", "metrics"}
# Sign-in pages anybody may open (no data): Django's login, account activation by code (mijnduo).
SIGN_IN = {"login", "mijnduo:activate"}
# Links in e-mails that work without login (the signed token decides): the digest's opt-out.
EMAIL_LINKS = {"elip:digest_optout"}
PASSWORD_FREE_PUBLIC = SIGN_IN | PUBLIC_PROBES | EMAIL_LINKS  # URL names anybody may open (no data)
AUTH_VIEWS = SIGN_IN | {"logout"} | PUBLIC_PROBES | EMAIL_LINKS  # not portal views: no role
# Regional lists: one list across every municipality where the user holds Raadplegen ELIP personen.
REGIONAL = {"elip:worklist_region", "elip:worklist_region_csv"}
SKIP_POST = {"logout"}  # would end the session in the middle of the walk
UNSAFE = ("POST",)
OK_FOR_OWN = {200, 302, 303, 400, 404, 405}
DUMMIES = {
    "int": "987654",
    "str": "onbekend",
    "slug": "onbekend",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "path": "onbekend/pad",
}
# Harmless extra values for kwargs whose meaning the walk cannot derive from an object.
EXTRA_VALUES = {"search_id": ["alle", "openstaand"]}
KIND_WORDS = (
    ("signa", "signal"),
    ("contract", "contract"),
    ("factu", "invoice"),
    ("invoice", "invoice"),
    ("exam", "exam"),
    ("brief", "letter"),
    ("letter", "letter"),
    ("person", "person"),
    ("inburgeraar", "person"),
)
NEUTRAL_KINDS = {"component"}  # the same value in every world: names no object by itself
ROUTE_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


# --- the URL patterns ---------------------------------------------------------------------------


@dataclass
class Endpoint:
    route: str
    name: str
    callback: object
    params: list = field(default_factory=list)  # [(name, converter, literal segment before it)]
    url_name: str | None = None  # for re_path() patterns, built through reverse()
    regex: bool = False

    @property
    def required_role(self):
        """The role from ``role_required`` / None from ``login_required_portal``; ``...`` if unwrapped."""
        for candidate in (self.callback, getattr(self.callback, "view_class", None)):
            if candidate is not None and hasattr(candidate, "required_role"):
                return candidate.required_role
        return ...

    def build(self, values: dict) -> str:
        if self.regex:
            return self._reverse(values)

        def substitute(match):
            return str(values[match.group("name")])

        return "/" + ROUTE_PARAM.sub(substitute, self.route)

    def _reverse(self, values: dict) -> str:
        """re_path(): reverse() checks the regex; a dummy that does not fit is swapped for another."""
        assert self.url_name, f"unnamed re_path() pattern {self.route!r}: give it a name so the walk can build it"
        attempts = [values] + [
            {n: (dummy if str(v) in DUMMIES.values() else v) for n, v in values.items()} for dummy in DUMMIES.values()
        ]
        for attempt in attempts:
            try:
                return reverse(self.url_name, kwargs={n: str(v) for n, v in attempt.items()})
            except NoReverseMatch:
                continue
        raise AssertionError(f"the walk cannot build {self.route!r} with {values}")


def _is_static(callback) -> bool:
    module = getattr(callback, "__module__", "")
    return module.startswith(("django.views.static", "django.contrib.staticfiles"))


def _level_params(pattern, prefix):
    """Path kwargs of one level: [(name, converter, literal segment before it)]."""
    text = str(pattern)
    if isinstance(pattern, RegexPattern):
        literal = re.sub(r"\(\?P<[^>]+>[^)]*\)", "", text).strip("^$/")
        before = literal.split("/")[-1] if literal else ""
        return [(group, "str", before) for group in pattern.regex.groupindex]
    params = []
    for match in ROUTE_PARAM.finditer(text):
        before = (prefix + text[: match.start()]).rstrip("/").split("/")[-1]
        params.append((match.group("name"), match.group("conv") or "str", before))
    return params


def walk_patterns(resolver=None, prefix="", namespace="", params=(), regex=False):
    """Every leaf pattern below ``resolver``, with its full route, namespaced name and path kwargs."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        is_regex = regex or isinstance(pattern.pattern, RegexPattern)
        all_params = (*params, *_level_params(pattern.pattern, prefix))
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin" or pattern.namespace == "admin":
                continue  # Django admin's own patterns (DUO staff; covered by admin tests)
            if pattern.namespace == "controlroom":
                continue  # DUO's control room under /beheer/ (DUO staff; tests/controlroom/test_access.py walks it)
            ns = ":".join(p for p in (namespace, pattern.namespace) if p)
            yield from walk_patterns(pattern, route, ns, all_params, is_regex)
        elif isinstance(pattern, URLPattern):
            if _is_static(pattern.callback):
                continue
            url_name = ":".join(p for p in (namespace, pattern.name) if p) if pattern.name else None
            yield Endpoint(
                route=route,
                name=url_name or route,
                callback=pattern.callback,
                params=list(all_params),
                url_name=url_name,
                regex=is_regex,
            )


ENDPOINTS = list(walk_patterns())


def kind_of(name: str, converter: str, before: str):
    lowered = name.lower()
    if lowered == "public_id" or converter == "uuid":
        return "public_id"
    if lowered == "component":
        return "component"
    for word, kind in KIND_WORDS:
        if word in lowered:
            return kind
    if lowered in {"pk", "id", "object_id"}:
        for word, kind in KIND_WORDS:
            if word in before.lower():
                return kind
    return None


# --- the data: objects in A and B, and out-of-scope persons ------------------------------------


@dataclass
class World:
    """One person and their objects; ``visible_to`` is the municipality that may see them."""

    label: str
    person: Person
    visible_to: str | None
    values: dict


def _world(label, person, visible_to, signal_municipality=None):
    data = full_history(person, invoices=2)
    values = {
        "public_id": person.public_id,
        "person": person.pk,
        "component": data["exams"][1].component,
        "exam": data["exams"][1].pk,
        "contract": data["contract"].pk,
        "invoice": data["invoices"][0].pk,
    }
    letter = Letter.objects.filter(person=person).first()
    if letter is not None:
        values["letter"] = letter.pk
    if signal_municipality:
        signal = Signal.objects.create(
            municipality=municipality(signal_municipality),
            person=person,
            code=SignalCode.SS400,
            placed_on=dt.date(2025, 3, 5),
        )
        values["signal"] = signal.pk
    return World(label=label, person=person, visible_to=visible_to, values=values)


@pytest.fixture
def worlds():
    in_a = _world(
        "A",
        PersonFactory(elip=True, code=A, loan_used=Decimal("8720"), first_names="Anna", last_name="Amsterdammer"),
        A,
        signal_municipality=A,
    )
    in_b = _world(
        "B",
        PersonFactory(elip=True, code=B, loan_used=Decimal("8720"), first_names="Bert", last_name="Groninger"),
        B,
        signal_municipality=B,
    )
    no_letter = _world("zonder brief", PersonFactory(municipality=municipality(A), loan_used=9500), None)
    moved = PersonFactory(municipality=municipality(A), loan_used=9500)
    LetterFactory(person=moved)
    Person.objects.filter(pk=moved.pk).update(municipality=municipality(B))
    moved.refresh_from_db()
    moved_world = _world("verhuisd naar B", moved, B)
    return {w.label: w for w in (in_a, in_b, no_letter, moved_world)}


# --- requests ---------------------------------------------------------------------------------


@dataclass
class Variant:
    url: str
    worlds: set  # labels of the worlds whose objects are named in the URL (empty: none)


def variants(endpoint: Endpoint, worlds: dict) -> list[Variant]:
    """The URL with each world's objects, plus mixes (one argument from B, the rest from A).
    Kwargs the walk cannot derive get their converter's dummy (and harmless extras)."""
    kinds = {name: kind_of(name, conv, before) for name, conv, before in endpoint.params}
    dummies = {name: DUMMIES.get(conv, "onbekend") for name, conv, _ in endpoint.params}
    object_params = [n for n, k in kinds.items() if k and k not in NEUTRAL_KINDS]
    choices = [dummies] + [
        {**dummies, name: extra} for name, kind in kinds.items() if kind is None for extra in EXTRA_VALUES.get(name, [])
    ]
    if not object_params:
        neutral = {n: next(iter(worlds.values())).values[k] for n, k in kinds.items() if k in NEUTRAL_KINDS}
        return [Variant(endpoint.build({**choice, **neutral}), set()) for choice in choices]
    result = []
    for world in worlds.values():
        if any(k not in world.values for k in kinds.values() if k):
            continue  # e.g. no signal for a person without a letter
        named = {n: world.values[k] for n, k in kinds.items() if k}
        result += [Variant(endpoint.build({**choice, **named}), {world.label}) for choice in choices]
    if len(object_params) > 1:
        home, foreign = worlds["A"], worlds["B"]
        for name in object_params:
            named = {n: home.values[k] for n, k in kinds.items() if k}
            named[name] = foreign.values[kinds[name]]
            result.append(Variant(endpoint.build({**dummies, **named}), {"A", "B"}))
    return result


def body(response) -> str:
    content = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    return unescape(content.decode("utf-8", errors="replace"))


def make_client(user=None, chosen=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
        if chosen:
            session = client.session
            session[SESSION_KEY] = municipality(chosen).pk
            session.save()
    return client


def user_with(username, roles=None, **extra):
    user = UserFactory(username=username, roles=roles or {}, **extra)
    user.save()  # the factory sets the password after create; keep the session hash valid
    return user


class Walk:
    def __init__(self, worlds):
        self.worlds = worlds
        self.problems: list[str] = []
        self.statuses: dict[tuple[str, str], int] = {}

    def request(self, client, method, endpoint, variant):
        try:
            response = getattr(client, method.lower())(variant.url)
        except Exception as exc:  # a 500: report it with the URL and walk on
            self.problems.append(f"{method} {variant.url} [{endpoint.name}]: raised {exc!r}")
            return None
        self.statuses[(method, variant.url)] = response.status_code
        # 503 is the health probe's "not healthy" answer (e.g. the weekly run is overdue), not a crash.
        probe_down = endpoint.name in PUBLIC_PROBES and response.status_code == 503
        if response.status_code >= 500 and not probe_down:
            self.problems.append(f"{method} {variant.url}: {response.status_code}")
        return response

    def forbidden_bsns(self, chosen, region=frozenset()) -> dict[str, str]:
        """BSNs the response may not show: of persons not visible to the chosen municipality — or,
        on a regional list, to none of ``region`` (where the user holds Raadplegen ELIP personen)."""
        allowed = set(region) | {chosen}
        return {w.person.bsn: w.label for w in self.worlds.values() if chosen is None or w.visible_to not in allowed}

    def check_no_leak(self, response, chosen, where, region=frozenset()):
        text = body(response)
        for bsn, label in self.forbidden_bsns(chosen, region).items():
            if bsn in text:
                self.problems.append(f"{where}: shows the BSN of person '{label}'")

    def assert_clean(self):
        assert not self.problems, "\n".join(self.problems)


def _walk_as(walk: Walk, client, *, roles: set, chosen: str | None, user_is_anonymous=False, region=frozenset()):
    """``region``: the municipalities where the user holds Raadplegen ELIP personen; the regional
    lists (``REGIONAL``) may show their persons together, whichever is chosen (DOMAIN.md)."""
    for endpoint in ENDPOINTS:
        required = endpoint.required_role
        short = endpoint.name
        if required is ... and short not in AUTH_VIEWS:
            walk.problems.append(f"{short} ({endpoint.route}) is not wrapped in role_required/login_required_portal")
            continue
        for variant in variants(endpoint, walk.worlds):
            for method in ("GET", "POST"):
                if method == "POST" and short in SKIP_POST and not user_is_anonymous:
                    continue
                own = all(walk.worlds[label].visible_to == chosen for label in variant.worlds)
                has_role = required is None or required is ... or required in roles
                if method == "POST" and has_role and own and not user_is_anonymous:
                    continue  # a real mutation on the user's own data: the screens' own tests cover it
                response = walk.request(client, method, endpoint, variant)
                if response is None:
                    continue
                where = f"{method} {variant.url} [{short}]"
                status = response.status_code
                walk.check_no_leak(response, chosen, where, region if short in REGIONAL else frozenset())
                if user_is_anonymous:
                    if status == 200 and short not in PASSWORD_FREE_PUBLIC:
                        walk.problems.append(f"{where}: 200 for an anonymous user")
                    if status in (301, 302) and short not in AUTH_VIEWS:
                        login = resolve_url(settings.LOGIN_URL)
                        if not response.url.startswith(login):
                            walk.problems.append(f"{where}: anonymous redirected to {response.url}, not the login")
                    continue
                if required not in (None, ...) and required not in roles:
                    text = body(response)
                    if status != 403:
                        walk.problems.append(f"{where}: {status} without role {required}, expected 403")
                    elif Role(required).label not in text or "accountrol" not in text:
                        walk.problems.append(f"{where}: 403 without a Dutch explanation naming the role")
                    continue
                if own:
                    if status not in OK_FOR_OWN and not (short in PUBLIC_PROBES and status == 503):
                        walk.problems.append(f"{where}: {status} for the user's own data")
                elif status not in (404, 405):
                    walk.problems.append(f"{where}: {status} for another municipality's or out-of-scope data")


# --- the users --------------------------------------------------------------------------------


def test_walk_finds_the_portal_screens():
    names = {e.name for e in ENDPOINTS}
    assert {"start", "login", "elip:persons_search", "elip:person_detail", "elip:person_invoice"} <= names
    assert not any(e.route.startswith("beheer/") for e in ENDPOINTS)


def test_anonymous(worlds):
    walk = Walk(worlds)
    _walk_as(walk, make_client(), roles=set(), chosen=None, user_is_anonymous=True)
    walk.assert_clean()


@pytest.mark.parametrize("role", Role.values)
def test_user_of_a_with_single_role(worlds, role):
    walk = Walk(worlds)
    client = make_client(user_with("enkel", {A: [role]}))
    _walk_as(walk, client, roles={role}, chosen=A)
    walk.assert_clean()
    if role == Role.ELIP_PERSONS:  # the walk reached the person screens with data
        in_a = worlds["A"].values
        for url in (
            f"/elip/personen/{in_a['public_id']}/",
            f"/elip/personen/{in_a['public_id']}/contracten/{in_a['contract']}/",
            f"/elip/personen/{in_a['public_id']}/facturen/{in_a['invoice']}/",
            f"/elip/personen/{in_a['public_id']}/examens/{in_a['component']}/",
        ):
            assert walk.statuses[("GET", url)] == 200, url


@pytest.mark.parametrize("chosen", [A, B])
def test_user_of_a_and_b_sees_only_the_chosen_municipality(worlds, chosen):
    roles = list(Role.values)
    client = make_client(user_with("regio", {A: roles, B: roles}), chosen=chosen)
    walk = Walk(worlds)
    _walk_as(walk, client, roles=set(roles), chosen=chosen, region={A, B})
    walk.assert_clean()
    own = worlds["A" if chosen == A else "B"].values
    assert walk.statuses[("GET", f"/elip/personen/{own['public_id']}/")] == 200
    other = worlds["B" if chosen == A else "A"].values
    assert walk.statuses[("GET", f"/elip/personen/{other['public_id']}/")] == 404


def test_user_without_roles(worlds):
    walk = Walk(worlds)
    _walk_as(walk, make_client(user_with("geen-rol")), roles=set(), chosen=None)
    walk.assert_clean()


def test_duo_admin_without_portal_roles_gets_no_portal_data(worlds):
    admin = user_with("duo-beheerder", is_staff=True, is_superuser=True)
    walk = Walk(worlds)
    _walk_as(walk, make_client(admin), roles=set(), chosen=None)
    walk.assert_clean()


def test_kwarg_kinds_are_derived_from_names_and_routes():
    assert kind_of("public_id", "uuid", "personen") == "public_id"
    assert kind_of("pk", "int", "contracten") == "contract"
    assert kind_of("pk", "int", "facturen") == "invoice"
    assert kind_of("signal_id", "int", "") == "signal"
    assert kind_of("pk", "int", "signalen") == "signal"
    assert kind_of("component", "str", "examens") == "component"
    assert kind_of("search_id", "str", "resultaten") is None


def test_re_path_patterns_are_walked_too():
    from django.urls import include, path, re_path

    def view(request, **kwargs):
        return None

    urlconf = type(
        "Urls",
        (),
        {
            "urlpatterns": [
                path("a/", include(([re_path(r"^b/(?P<nummer>[0-9]+)/$", view, name="b")], "x"))),
            ]
        },
    )
    endpoints = list(walk_patterns(get_resolver(urlconf)))
    assert [(e.name, e.regex, [p[0] for p in e.params]) for e in endpoints] == [("x:b", True, ["nummer"])]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.conf.settings.ROOT_URLCONF", urlconf, raising=False)
        from django.urls import clear_url_caches

        clear_url_caches()
        try:
            assert endpoints[0].build({"nummer": "onbekend"}) == "/a/b/987654/"
        finally:
            mp.undo()
            clear_url_caches()


def test_unknown_kwargs_get_dummies():
    endpoint = Endpoint(
        route="x/<int:zaak>/<slug:code>/<onbekend>/",
        name="x",
        callback=None,
        params=[("zaak", "int", "x"), ("code", "slug", ""), ("onbekend", "str", "")],
    )
    built = variants(endpoint, {})
    assert {v.url for v in built} == {"/x/987654/onbekend/onbekend/"}
    assert str(uuid.UUID(DUMMIES["uuid"])) == DUMMIES["uuid"]
