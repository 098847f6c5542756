"""The load test's case worker (locust; started by tests/bench/load.py, never on its own).

Each simulated user signs in as a municipal case worker does — the password (PBKDF2, as in
production), then the second step with a code of its authenticator app (TOTP, computed here from the
load account's known secret) — and then clicks through the portal:

* signal search: "Zoeken signalen" (its open count), then the criteria POSTed (status, code, a month)
  or "Toon deze signalen", then page 1 of "Selecteren signalen";
* result paging: another page of that search, sometimes sorted by another column;
* person list: a page of "Overzicht ELIP", sometimes sorted;
* person detail: "Details" of a person found on the list (exams, contracts, invoices, Routewijzer);
* CSV: "Download" of the current search's selection (searches over one month only).

Between clicks a user waits 1–3 s (``LOAD_MODE=caseworker``) or paces itself to a share of a
target rate that steps up every ``LOAD_STEP_SECONDS`` (``LOAD_MODE=rate``, ``LOAD_RATES=2,4,8``:
requests per second over all users; Poisson arrivals). The clock starts once every user has
signed in; after ``LOAD_DURATION`` seconds (caseworker) or the last step — or the first step whose
p95 passes ``LOAD_P95_LIMIT_MS`` — the run stops itself.

Requests go to gunicorn on loopback as the TLS proxy forwards them: ``Host`` the site address,
``X-Forwarded-Proto: https``; the Secure session and CSRF cookies are sent back over this loopback
hop as the browser sends them to the proxy. No redirect is followed: every page must answer 200,
every form POST 302 to where it should; anything else is an error. Every request is written to
``LOAD_SAMPLES`` (JSON) with its name, start, milliseconds and outcome.
"""

import datetime as dt
import hashlib
import hmac
import html
import json
import os
import random
import re
import struct
import time
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from urllib.parse import urlencode

import gevent
from gevent.event import Event
from locust import FastHttpUser, events, task
from locust.exception import StopUser

HOST = os.environ.get("LOAD_HOST", "elip.example.nl")
PASSWORD = os.environ.get("LOAD_PASSWORD", "")
ACCOUNTS = [line.split() for line in Path(os.environ["LOAD_ACCOUNTS"]).read_text().splitlines() if line.strip()]
USERS = int(os.environ.get("LOAD_USERS", len(ACCOUNTS)))
MODE = os.environ.get("LOAD_MODE", "caseworker")
DURATION = float(os.environ.get("LOAD_DURATION", "60"))
RATES = [float(r) for r in os.environ.get("LOAD_RATES", "").split(",") if r]
STEP_SECONDS = float(os.environ.get("LOAD_STEP_SECONDS", "15"))
P95_LIMIT_MS = float(os.environ.get("LOAD_P95_LIMIT_MS", "150"))
SIGN_IN_TIMEOUT = float(os.environ.get("LOAD_SIGN_IN_TIMEOUT", "180"))
# Rate mode: clicks at the first rate for this long before the steps are timed, so a fresh gunicorn's
# first requests (templates compiled, database connections opened, caches cold) are not in step 1.
WARMUP_SECONDS = float(os.environ.get("LOAD_WARMUP_SECONDS", "10"))
LOGIN_NAMES = ("login: forms", "login: password", "login: second factor")

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# The pager has only "< Vorige" and "Volgende >" (templates/partials/pager.html): a case worker pages
# from where they are, never jumps to page 150.
NEXT = re.compile(r'href="([^"]+)"[^>]*rel="next"')
PREVIOUS = re.compile(r'href="([^"]+)"[^>]*rel="prev"')
PERSON = re.compile(r'href="(/elip/personen/[0-9a-f-]{36}/)"')
RESULTS = re.compile(r"^/signalen/resultaten/([^/?]+)/$")
SIGNAL_SORTS = ["placed_on", "-placed_on", "code", "status", "surname", "-surname"]
PERSON_SORTS = ["naam", "-naam", "einddatum", "-einddatum", "geboortedatum"]
NOTHING_FOUND = "Er zijn geen zoekresultaten gevonden"
STATUSES = ["open", "open", "nieuw", "in_behandeling", ""]
CODES = ["", "", "SS400", "SS401", "SS402", "SS403", "SS404"]

accounts = iter(ACCOUNTS)
signed_in = 0
started = Event()
clock = {"t0": None, "stopped_after_step": None}
samples: list = []


def totp(key_hex: str, now: float | None = None) -> str:
    """RFC 6238 as django-otp's TOTPDevice checks it: SHA-1, 30 s steps from 0, six digits."""
    counter = int((time.time() if now is None else now) // 30)
    mac = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return f"{(struct.unpack('>I', mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


class BehindTlsProxy(DefaultCookiePolicy):
    """The browser's cookies reach the proxy over TLS; this hop is the proxy's plain loopback one."""

    def return_ok_secure(self, cookie, request):
        return True


def current_rate() -> float:
    t0 = clock["t0"]
    step = 0 if t0 is None else min(int((time.time() - t0) // STEP_SECONDS), len(RATES) - 1)
    return RATES[step]


def pager(response, url) -> tuple[str | None, str | None]:
    """The page's 'Volgende' and 'Vorige' links as paths (a pager link may be just '?pagina=2')."""
    path = url.split("?")[0]
    links = []
    for pattern in (NEXT, PREVIOUS):
        found = pattern.search(response.text or "")
        href = html.unescape(found.group(1)) if found else None
        links.append(path + href if href and href.startswith("?") else href)
    return links[0], links[1]


def month(months_back: int) -> tuple[dt.date, dt.date]:
    """First and last day of the month ``months_back`` before this one."""
    index = dt.date.today().year * 12 + dt.date.today().month - 1 - months_back
    first = dt.date(index // 12, index % 12 + 1, 1)
    return first, dt.date((index + 1) // 12, (index + 1) % 12 + 1, 1) - dt.timedelta(days=1)


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))] if ordered else 0.0


@events.request.add_listener
def record(request_type, name, response_time, response_length, exception, start_time=None, **kwargs):
    error = None if exception is None else str(exception)[:200]
    samples.append([name, start_time or time.time(), round(response_time, 2), error is None, response_length, error])


@events.test_start.add_listener
def control(environment, **kwargs):
    def run():
        started.wait(timeout=SIGN_IN_TIMEOUT)
        if MODE != "caseworker":
            gevent.sleep(WARMUP_SECONDS)
        clock["t0"] = time.time()
        if MODE == "caseworker":
            gevent.sleep(DURATION)
        else:
            for step in range(len(RATES)):
                gevent.sleep(max(0.0, clock["t0"] + (step + 1) * STEP_SECONDS - time.time()))
                begin = clock["t0"] + step * STEP_SECONDS
                window = [
                    s[2] for s in samples if s[0] not in LOGIN_NAMES and begin <= s[1] < begin + STEP_SECONDS and s[3]
                ]
                if percentile(window, 95) > P95_LIMIT_MS:
                    clock["stopped_after_step"] = step
                    break
        environment.runner.quit()

    gevent.spawn(run)


@events.test_stop.add_listener
def write_samples(environment, **kwargs):
    with open(os.environ["LOAD_SAMPLES"], "w") as out:
        json.dump({**clock, "users": USERS, "signed_in": signed_in, "samples": samples}, out)


class CaseWorker(FastHttpUser):
    connection_timeout = 30.0
    network_timeout = 120.0

    def wait_time(self):
        if MODE == "caseworker":
            return random.uniform(1.0, 3.0)
        now = time.time()
        self.due = max(self.due, now - 1.0) + random.expovariate(current_rate() / USERS)
        return max(0.0, self.due - now)

    # --- requests as the proxy forwards them ------------------------------------------------

    def page(self, url, name, expect=200, check=None):
        """GET ``url``; an error unless it answers ``expect`` (and ``check(response)`` holds)."""
        headers = {"Host": HOST, "X-Forwarded-Proto": "https"}
        with self.client.get(url, name=name, headers=headers, allow_redirects=False, catch_response=True) as response:
            if response.status_code != expect:
                response.failure(f"{response.status_code} for {name} (expected {expect})")
            elif check is not None and not check(response):
                response.failure(f"unexpected content for {name}")
            return response

    def post(self, url, name, data, expect_location, or_page=None):
        """POST a form (with the CSRF token of ``self.token``); an error unless it redirects as expected
        (or answers 200 with ``or_page`` in it: a search that found nothing)."""
        headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "Referer": f"https://{HOST}{url}",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        body = urlencode({"csrfmiddlewaretoken": self.token, **data})
        with self.client.post(
            url, name=name, data=body, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            location = response.headers.get("Location", "") if response.headers else ""
            if or_page is not None and response.status_code == 200 and or_page in (response.text or ""):
                self.keep_token(response)
                return None
            if response.status_code != 302 or not re.match(expect_location, location):
                response.failure(f"{response.status_code} for {name} → {location!r}")
                return None
            return location

    def keep_token(self, response):
        found = CSRF.search(response.text or "")
        if found:
            self.token = found.group(1)

    # --- sign-in ------------------------------------------------------------------------------

    def on_start(self):
        global signed_in
        self.client.cookiejar.set_policy(BehindTlsProxy())
        self.due = time.time()
        self.search_id, self.search_pager, self.month_search = None, (None, None), False
        self.person_pager, self.person_urls = (None, None), []
        try:
            username, key = next(accounts)
        except StopIteration:
            raise StopUser() from None
        try:
            ok = self.sign_in(username, key)
        finally:
            signed_in += 1
            if signed_in >= USERS:
                started.set()
        if not ok:
            raise StopUser()
        started.wait(timeout=SIGN_IN_TIMEOUT)

    def sign_in(self, username, key) -> bool:
        self.keep_token(self.page("/inloggen/", "login: forms"))
        second = self.post(
            "/inloggen/", "login: password", {"username": username, "password": PASSWORD}, r"^/inloggen/tweede-stap/"
        )
        if second is None:
            return False
        self.keep_token(self.page(second, "login: forms"))
        return self.post(second, "login: second factor", {"token": totp(key)}, r"^/$") is not None

    # --- the clicks -------------------------------------------------------------------------

    def results(self, url, name):
        response = self.page(url, name, check=lambda r: "Selecteren signalen" in (r.text or ""))
        self.search_pager = pager(response, url)
        self.keep_token(response)

    @task(3)
    def signal_search(self):
        screen = self.page("/signalen/", "signal search screen")
        self.keep_token(screen)
        self.wait()
        if random.random() < 0.25:
            self.search_id, self.month_search = "openstaand", False
            self.results("/signalen/resultaten/openstaand/", "results page 1")
            return
        criteria = {"bsn": "", "status": random.choice(STATUSES), "code": random.choice(CODES), "zoek": "1"}
        one_month = random.random() < 0.8
        if one_month:
            for prefix, day in zip(("date_from", "date_to"), month(random.randrange(24)), strict=True):
                criteria.update({f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year})
        location = self.post(
            "/signalen/", "signal search (POST)", criteria, r"^/signalen/resultaten/[^/]+/$", or_page=NOTHING_FOUND
        )
        if location is None:
            return
        self.search_id, self.month_search = RESULTS.match(location).group(1), one_month
        self.results(location, "results page 1")

    @task(4)
    def result_paging(self):
        """'Volgende' (or 'Vorige' on the last page), sometimes a column header (sorted, page 1)."""
        if self.search_id is None:
            return self.signal_search()
        following = self.search_pager[0] or self.search_pager[1]
        if following is None or random.random() < 0.3:
            following = (
                f"/signalen/resultaten/{self.search_id}/?{urlencode({'sortering': random.choice(SIGNAL_SORTS)})}"
            )
        self.results(following, "results paging")

    @task(2)
    def person_list(self):
        """'Overzicht ELIP' from the search screen's link, or its 'Volgende', or a column header."""
        url, chance = "/elip/personen/overzicht/", random.random()
        if chance < 0.4 and (self.person_pager[0] or self.person_pager[1]):
            url = self.person_pager[0] or self.person_pager[1]
        elif chance < 0.6:
            url += f"?{urlencode({'sorteer': random.choice(PERSON_SORTS), 'pagina': 1})}"
        response = self.page(url, "person list", check=lambda r: "Overzicht ELIP" in (r.text or ""))
        self.person_pager = pager(response, url)
        self.person_urls = PERSON.findall(response.text or "") or self.person_urls

    @task(3)
    def person_detail(self):
        if not self.person_urls:
            return self.person_list()
        self.page(random.choice(self.person_urls), "person detail", check=lambda r: "Routewijzer" in (r.text or ""))

    @task(1)
    def csv(self):
        if not self.month_search:  # a case worker downloads a month's selection, not every signal
            return self.signal_search()
        self.page(
            f"/signalen/resultaten/{self.search_id}/download/",
            "CSV of the selection",
            check=lambda r: (r.headers or {}).get("Content-Type", "").startswith("text/csv"),
        )
