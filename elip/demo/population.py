"""Deterministic synthetic population for the demo, the tests and the benchmarks.

Rows are generated as plain tuples and written in bulk: PostgreSQL COPY (psycopg 3) when
on PostgreSQL, executemany elsewhere. Ids are assigned here (after the current maximum), so
the same seed on an empty database gives the same rows, ids included.

Distribution, relative to the reference date (``today``):
- term start 6 months to 8 years ago, term end 3 years later (+ extensions for ~18%), so
  term ends run from years ago to years ahead;
- loan use skewed to the top: ~35% under 50%, ~27% 50–75%, ~24% 75–95%, ~14% 95–100%;
- obligation: ~72% still obliged, the rest met, exempted, released or ended;
- paid invoices add up exactly to the loan used; ~8% of contracts also carry a rejected invoice;
- nobody is obliged before 18 (Wi2013): every birth date is at least 18 years before the term start;
- postcodes come from the municipality's own PC4 ranges (``fixtures/postcodes-gemeenten.csv``, the
  64 largest municipalities) or else from its province's (``fixtures/postcodes-provincies.csv``);
- one institution (``LOST_MARK_INSTITUTION``, Noorderpoort Taal) lost its Blik op Werk mark
  ``LOST_MARK_DAYS_AGO`` days before the reference date, so the Werkvoorraad flags its students;
- ``showcase_persons`` adds a few hand-made ELIP candidates to the headline demo municipality
  (Groningen): unknown gender, very long names and streets, all six exam components with attempts,
  six courses.
"""

import csv
import datetime as dt
import random
import uuid
from bisect import bisect
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate
from pathlib import Path

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max

from pib.constants import AttemptResult, Course, ExamComponent, Gender, InvoiceStatus, Law, LoanRequestStatus
from pib.constants import ObligationStatus as OS
from pib.models import (
    Contract,
    Enrolment,
    Exam,
    ExamAttempt,
    Institution,
    Invoice,
    Loan,
    LoanRequest,
    Municipality,
    Person,
    QualityMarkLoss,
    TermExtension,
)
from pib.route_facts import refresh_route_facts
from pib.services import quality_mark_loss_record

from . import names

# Columns written per model (attnames); generated columns (total_amount) are left to the database.
COLUMNS = {
    Person: [
        "id",
        "public_id",
        "bsn",
        "first_names",
        "prefix",
        "last_name",
        "gender",
        "birth_date",
        "street",
        "house_number",
        "house_number_addition",
        "postcode",
        "city",
        "municipality_id",
        "law",
        "obligation_status",
        "term_start",
        "term_end",
        "culpable_overrun",
        "lesson_hours_integration",
        "lesson_hours_literacy",
    ],
    TermExtension: ["id", "person_id", "kind", "previous_end", "new_end", "granted_on"],
    Loan: ["id", "person_id", "limit", "start_date", "end_date", "interest"],
    LoanRequest: ["id", "person_id", "kind", "received_on", "status"],
    Exam: ["id", "person_id", "component", "exempted"],
    ExamAttempt: ["id", "exam_id", "number", "date", "result"],
    Enrolment: ["id", "person_id", "course", "institution_id", "start_date", "end_date"],
    Contract: [
        "id",
        "person_id",
        "number",
        "course",
        "institution_id",
        "start_date",
        "end_date",
        "hours",
        "hourly_rate",
        "materials_amount",
    ],
    Invoice: [
        "id",
        "person_id",
        "contract_id",
        "number",
        "description",
        "invoice_date",
        "status",
        "period_start",
        "period_end",
        "course_count",
        "course_amount",
        "materials_amount",
        "exam_amount",
        "rejection_reason",
    ],
}
ORDER = list(COLUMNS)  # FK-safe insert order
COMPONENTS = [ExamComponent.KNM, ExamComponent.READING, ExamComponent.LISTENING, ExamComponent.WRITING,
              ExamComponent.SPEAKING]  # fmt: skip
ATTEMPT_WEIGHTS = list(accumulate([25, 35, 20, 10, 6, 4]))  # 0..5 attempts
REJECTION_REASONS = [
    "Factuur valt buiten de contractperiode",
    "Dubbel ingediende factuur",
    "Lesuren niet aangetoond",
    "Instelling had geen geldig keurmerk op de factuurdatum",
]


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def bsn_for(k: int) -> str:
    """A unique, elfproef-valid BSN for person id k: the first valid one in its own block of 11."""
    for j in range(11):
        prefix = f"{20_000_000 + k * 11 + j:08d}"
        total = sum((9 - i) * int(c) for i, c in enumerate(prefix))
        check = total % 11
        if check <= 9:
            return prefix + str(check)
    raise AssertionError("unreachable: one of 11 consecutive prefixes has a check digit")  # pragma: no cover


FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@cache
def postcode_ranges() -> tuple[dict, dict]:
    """({municipality code: [(from, to)]}, {province: [(from, to)]}) from the fixtures (see their README)."""
    by_code, by_province = {}, {}
    with open(FIXTURES / "postcodes-gemeenten.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            by_code.setdefault(row["code"], []).append((int(row["pc4_from"]), int(row["pc4_to"])))
    with open(FIXTURES / "postcodes-provincies.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            by_province.setdefault(row["province"], []).append((int(row["pc4_from"]), int(row["pc4_to"])))
    return by_code, by_province


def postcode(rng: random.Random, code: str = "", province: str = "") -> str:
    """A postcode of the municipality's own ranges, else of its province, else anywhere."""
    by_code, by_province = postcode_ranges()
    ranges = by_code.get(code) or by_province.get(province) or [(1000, 9999)]
    low, high = rng.choice(ranges)
    while True:
        letters = rng.choice("ABCDEFGHJKLMNPRTVWXZ") + rng.choice("ABCDEGHJKLMNPRTVWXZ")
        if letters not in ("SA", "SD", "SS"):
            return f"{rng.randint(low, high)} {letters}"


@dataclass
class Ids:
    next: dict = field(default_factory=dict)

    @classmethod
    def after_existing(cls):
        return cls({m: (m.objects.aggregate(m=Max("id"))["m"] or 0) + 1 for m in ORDER})

    def take(self, model) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value


class Writer:
    """Writes tuples per model: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"

    def write(self, model, rows):
        if not rows:
            return
        table = connection.ops.quote_name(model._meta.db_table)
        cols = [model._meta.get_field(a).column if a != "id" else "id" for a in COLUMNS[model]]
        collist = ", ".join(connection.ops.quote_name(c) for c in cols)
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {table} ({collist}) FROM STDIN") as copy:  # noqa: S608
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(cols))
                cursor.executemany(f"INSERT INTO {table} ({collist}) VALUES ({marks})", rows)  # noqa: S608

    def reset_sequences(self):
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), ORDER):
                cursor.execute(sql)
            if self.postgres:  # fresh statistics, so the planner sees the bulk-loaded rows
                for model in ORDER:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def ensure_institutions() -> list[int]:
    for i, (name, street, number, pc, city) in enumerate(names.INSTITUTIONS, start=1):
        Institution.objects.get_or_create(
            code=f"BOW{i:05d}",
            defaults={
                "name": name,
                "creditor_street": street,
                "creditor_house_number": number,
                "creditor_postcode": pc,
                "creditor_city": city,
            },
        )
    return list(Institution.objects.order_by("id").values_list("id", flat=True))


class PopulationBuilder:
    def __init__(self, *, seed: int, today: dt.date, municipality_ids=None):
        """``municipality_ids``: persons live only there (default: anywhere, by weight)."""
        self.rng = random.Random(seed)
        self.today = today
        munis = list(Municipality.objects.order_by("code").values_list("id", "code", "name", "province"))
        self.places = {mid: (code, province) for mid, code, _n, province in munis}
        self.by_code = {code: (mid, name) for mid, code, name, _p in munis}
        if municipality_ids is not None:
            munis = [m for m in munis if m[0] in municipality_ids]
        self.municipalities = [(mid, name) for mid, _code, name, _p in munis]
        self.cum_weights = list(accumulate(names.MUNICIPALITY_WEIGHTS.get(code, 1) for _i, code, _n, _p in munis))
        self.institutions = ensure_institutions()
        self.institution_ids = dict(Institution.objects.values_list("code", "id"))

    def pick_municipality(self):
        r = self.rng.random() * self.cum_weights[-1]
        return self.municipalities[bisect(self.cum_weights, r)]

    def person(self, ids: Ids, rows: dict, showcase: dict | None = None):  # noqa: C901 - one whole record
        """One person with all records; ``showcase`` fixes some values (see ``showcase_persons``)."""
        rng, today = self.rng, self.today
        showcase = showcase or {}
        pid = ids.take(Person)
        g = rng.random()
        gender = Gender.FEMALE if g < 0.49 else Gender.MALE if g < 0.985 else Gender.UNKNOWN
        gender = showcase.get("gender", gender)
        pool = {Gender.FEMALE: names.FEMALE, Gender.MALE: names.MALE}.get(gender, names.FEMALE + names.MALE)
        first = " ".join(rng.sample(pool, 2 if rng.random() < 0.3 else 1))
        prefix, last = rng.choice(names.SURNAMES)
        first, prefix, last = showcase.get("first", first), showcase.get("prefix", prefix), showcase.get("last", last)
        muni_id, muni_name = self.by_code[showcase["municipality"]] if showcase else self.pick_municipality()
        law = Law.WI2013 if rng.random() < 0.94 else rng.choice([Law.WI2007, Law.WI2021])
        term_start = today - dt.timedelta(days=rng.randint(180, 8 * 365))
        if "term_start" in showcase:
            term_start = showcase["term_start"]
            law = Law.WI2013
        # Wi2013: the obligation starts at 18 at the earliest, so the person was 18 to 60 at its start.
        birth = add_years(term_start, -rng.randint(18, 59)) - dt.timedelta(days=rng.randint(0, 364))
        term_end = add_years(term_start, 3)
        for _ in range(0 if showcase else 2 if rng.random() < 0.03 else 1 if rng.random() < 0.18 else 0):
            new_end = term_end + dt.timedelta(days=rng.choice([92, 183, 274, 365]))
            granted = min(term_end, today) - dt.timedelta(days=rng.randint(5, 60))
            rows[TermExtension].append(
                (ids.take(TermExtension), pid, rng.choice(names.EXTENSION_KINDS), term_end.isoformat(),
                 new_end.isoformat(), granted.isoformat())
            )  # fmt: skip
            term_end = new_end
        s = rng.random()
        status = (
            OS.OBLIGED if s < 0.72 else OS.MET if s < 0.90 else OS.EXEMPTED if s < 0.95
            else OS.RELEASED if s < 0.98 else OS.ENDED
        )  # fmt: skip
        if showcase:
            status = OS.OBLIGED
        limit_cents = 1_000_000 if rng.random() < 0.97 else rng.choice([800_000, 500_000])
        u = rng.random()
        frac = (
            rng.uniform(0, 0.5) if u < 0.35 else rng.uniform(0.5, 0.75) if u < 0.62
            else rng.uniform(0.75, 0.95) if u < 0.86 else rng.uniform(0.95, 1.0)
        )  # fmt: skip
        used_cents = int(limit_cents * showcase.get("used", frac))
        if showcase:
            limit_cents = 1_000_000
            used_cents = int(limit_cents * showcase["used"])
        loan_start = term_start + dt.timedelta(days=rng.randint(10, 60))
        rows[Loan].append(
            (ids.take(Loan), pid, money(limit_cents), loan_start.isoformat(), max(term_end, loan_start).isoformat(),
             money(rng.choice([0, 0, 0, 1250, 3400])))
        )  # fmt: skip
        received = term_start + dt.timedelta(days=rng.randint(1, 9))
        if rng.random() < 0.05:
            rows[LoanRequest].append(
                (ids.take(LoanRequest), pid, "Verzoek lening", (received - dt.timedelta(days=30)).isoformat(),
                 LoanRequestStatus.REJECTED)
            )  # fmt: skip
        rows[LoanRequest].append((ids.take(LoanRequest), pid, "Verzoek lening", received.isoformat(),
                                  LoanRequestStatus.GRANTED))  # fmt: skip
        hours_integration, hours_literacy = self.contracts(
            ids,
            rows,
            pid,
            used_cents,
            loan_start,
            term_end,
            n=showcase.get("courses"),
            last_at=self.institution_ids.get(showcase.get("last_institution")),
        )
        self.exams(ids, rows, pid, term_start, status, showcase=bool(showcase))
        addition = rng.choice(["A", "B", "2", "bis", "hs"]) if rng.random() < 0.1 else ""
        addition = showcase.get("addition", addition)
        street = showcase.get("street") or rng.choice(names.STREETS)
        muni_code, province = self.places[muni_id]
        rows[Person].append(
            (
                pid, uuid.UUID(int=rng.getrandbits(128), version=4).hex, bsn_for(pid), first, prefix, last,
                gender, birth.isoformat(), street, rng.randint(1, 250), addition,
                postcode(rng, muni_code, province), muni_name, muni_id, law, status, term_start.isoformat(),
                term_end.isoformat(),
                status == OS.OBLIGED and term_end < today and rng.random() < 0.35,
                hours_integration, hours_literacy,
            )
        )  # fmt: skip

    def contracts(self, ids, rows, pid, used_cents, start, term_end, n=None, last_at=None):
        """Contracts, enrolments and invoices; ``last_at`` (an institution id) fixes where the
        last course was taken (a showcase person enrolled at the school that lost its mark)."""
        rng = self.rng
        n = n or (1 if used_cents < 300_000 else rng.randint(1, 3))
        cuts = sorted(rng.randint(0, used_cents) for _ in range(n - 1))
        parts = [b - a for a, b in zip([0, *cuts], [*cuts, used_cents], strict=True)]
        hours_total = {Course.INTEGRATION: 0, Course.LITERACY: 0}
        for k, part in enumerate(parts):
            course = Course.LITERACY if k == 0 and rng.random() < 0.15 else Course.INTEGRATION
            institution = rng.choice(self.institutions)
            if last_at and k == len(parts) - 1:
                institution = last_at
            c_start = start + dt.timedelta(days=rng.randint(0, 120) + 200 * k)
            c_end = c_start + dt.timedelta(days=rng.randint(150, 400))
            rate_cents = rng.choice([2000, 2500, 3000, 4000])
            materials = min(rng.choice([0, 20000]), part)
            hours = -(-(part - materials) // rate_cents) + rng.randint(0, 20)
            hours_total[course] += hours
            cid = ids.take(Contract)
            rows[Contract].append(
                (cid, pid, f"{pid:06X}{k}", course, institution, c_start.isoformat(), c_end.isoformat(), hours,
                 money(rate_cents), money(materials))
            )  # fmt: skip
            rows[Enrolment].append((ids.take(Enrolment), pid, course, institution, c_start.isoformat(),
                                    c_end.isoformat()))  # fmt: skip
            half = (c_end - c_start) // 2
            splits = [part] if part < 150_000 or rng.random() < 0.5 else [part // 2, part - part // 2]
            for j, amount in enumerate(splits):
                p_start = c_start + half * j
                p_end = p_start + half
                exam = min(rng.choice([0, 0, 29000, 35000]), amount)
                mat = min(materials if j == 0 else 0, amount - exam)
                rows[Invoice].append(
                    (ids.take(Invoice), pid, cid, f"F{pid:07d}-{k}{j}", "Factuur inburgeringscursus",
                     p_end.isoformat(), InvoiceStatus.PAID, p_start.isoformat(), p_end.isoformat(),
                     1, money(amount - exam - mat), money(mat), money(exam), "")
                )  # fmt: skip
            if rng.random() < 0.08:
                rows[Invoice].append(
                    (ids.take(Invoice), pid, cid, f"F{pid:07d}-{k}R", "Factuur inburgeringscursus",
                     c_end.isoformat(), InvoiceStatus.REJECTED, c_start.isoformat(), c_end.isoformat(),
                     1, money(rng.randint(10_000, 120_000)), money(0), money(0), rng.choice(REJECTION_REASONS))
                )  # fmt: skip
        return hours_total[Course.INTEGRATION], hours_total[Course.LITERACY]

    def exams(self, ids, rows, pid, term_start, status, showcase=False):
        """Exam components with attempts; a showcase person has all six, each with 1–6 attempts."""
        rng = self.rng
        components = COMPONENTS + ([ExamComponent.ONA] if showcase or rng.random() < 0.5 else [])
        for component in components:
            eid = ids.take(Exam)
            exempted = not showcase and (status == OS.RELEASED or rng.random() < 0.03)
            rows[Exam].append((eid, pid, component, exempted))
            if exempted:
                continue
            attempts = bisect(ATTEMPT_WEIGHTS, rng.random() * ATTEMPT_WEIGHTS[-1])
            if showcase:
                attempts = rng.randint(1, 6)
            if status == OS.MET:
                attempts = max(attempts, 1)
            day = term_start + dt.timedelta(days=rng.randint(60, 500))
            for number in range(1, attempts + 1):
                last = number == attempts
                passed = last and (status == OS.MET or rng.random() < 0.55)
                rows[ExamAttempt].append(
                    (ids.take(ExamAttempt), eid, number, day.isoformat(),
                     AttemptResult.PASSED if passed else AttemptResult.FAILED)
                )  # fmt: skip
                day += dt.timedelta(days=rng.randint(20, 120))


HEADLINE_MUNICIPALITY = "GM0014"  # Groningen: the demo account `groningen`


def showcase_persons(today: dt.date) -> list[dict]:
    """Hand-made ELIP candidates for the headline municipality: they meet the criteria today (term
    ends within 12 months, 80–99 % of the loan used) and show the edge cases on the screens and in
    the letters: unknown gender, very long names and street, all six exam components with attempts,
    six courses."""
    start = add_years(today, -3) + dt.timedelta(days=60)  # term ends in about 2 months
    long_street = "Burgemeester Jhr. Mr. Theodorus van Wesselingh-Kraaijenbrinkstraat-Noordzijde"  # BRP: 80
    base = {"municipality": HEADLINE_MUNICIPALITY, "term_start": start}
    return [
        {**base, "gender": Gender.UNKNOWN, "first": "Noor", "prefix": "", "last": "Rahimi", "used": 0.97},
        {**base, "gender": Gender.UNKNOWN, "first": "Sam Alex", "prefix": "", "last": "Okonkwo-Adeyemi",
         "used": 0.81},
        {**base, "gender": Gender.MALE, "first": "Mohammed Abdulrahman Abdelkarim Oluwaseun", "prefix": "van der",
         "last": "Abdelrahmanzadeh-Oyelaran-Kristiansdóttir", "street": long_street, "addition": "bis",
         "used": 0.88},
        {**base, "gender": Gender.FEMALE, "first": "Maria Guadalupe Esperanza", "prefix": "",
         "last": "Fernández de Córdoba y Villavicencio", "used": 0.92},
        {**base, "gender": Gender.MALE, "first": "Tesfaye", "prefix": "", "last": "Gebremariam", "courses": 6,
         "used": 0.96},
        {**base, "gender": Gender.FEMALE, "first": "Olga Zinaida", "prefix": "", "last": "Koblikova",
         "courses": 4, "used": 0.99},
    ]  # fmt: skip


def regional_showcase_persons(today: dt.date) -> list[dict]:
    """ELIP candidates in the other municipalities of the demo account ``regio`` (Westerkwartier,
    Het Hogeland; both enrolled in the demo), so its regional Werkvoorraad names several
    municipalities; two of them took their last course at the school that lost its mark. Added
    after the rest of the population, so the rest stays as the seed makes it."""

    def start(days):  # a term start whose end (3 years later) lies ``days`` ahead
        return add_years(today + dt.timedelta(days=days), -3)

    lost = {"courses": 3, "last_institution": LOST_MARK_INSTITUTION}
    return [
        {"municipality": "GM1969", "gender": Gender.FEMALE, "first": "Amina", "prefix": "", "last": "Yusuf",
         "term_start": start(40), "used": 0.91, **lost},
        {"municipality": "GM1969", "gender": Gender.MALE, "first": "Dawit", "prefix": "", "last": "Tesfamariam",
         "term_start": start(150), "used": 0.83},
        {"municipality": "GM1969", "gender": Gender.FEMALE, "first": "Lina", "prefix": "al", "last": "Hassan",
         "term_start": start(300), "used": 0.97},
        {"municipality": "GM1966", "gender": Gender.MALE, "first": "Omar", "prefix": "", "last": "Haddad",
         "term_start": start(75), "used": 0.88, **lost},
        {"municipality": "GM1966", "gender": Gender.FEMALE, "first": "Yerlan", "prefix": "", "last": "Nurlanova",
         "term_start": start(200), "used": 0.79},
        {"municipality": "GM1966", "gender": Gender.MALE, "first": "Bashir", "prefix": "", "last": "Ahmadi",
         "term_start": start(20), "used": 0.95},
    ]  # fmt: skip


LOST_MARK_INSTITUTION = "BOW00011"  # Noorderpoort Taal (Groningen)
LOST_MARK_DAYS_AGO = 400


def record_demo_quality_mark_loss(today: dt.date) -> QualityMarkLoss | None:
    """The demo's institution that lost its quality mark (once; None when it is not there)."""
    institution = Institution.objects.filter(code=LOST_MARK_INSTITUTION).first()
    if institution is None:
        return None
    existing = QualityMarkLoss.objects.filter(institution=institution).first()
    return existing or quality_mark_loss_record(
        institution=institution,
        lost_on=today - dt.timedelta(days=LOST_MARK_DAYS_AGO),
        note="Keurmerk Blik op Werk ingetrokken na audit (demogegevens).",
    )


def build_population(
    *, persons: int, seed: int, today: dt.date, chunk: int = 10_000, progress=None, municipality_ids=None
) -> dict:
    """Creates ``persons`` persons with all their records (the showcase persons of the headline
    municipality first and the regional showcase last, when they exist and ``persons`` allows, unless
    ``municipality_ids`` limits where they live); returns row counts per model."""
    builder = PopulationBuilder(seed=seed, today=today, municipality_ids=municipality_ids)
    ids = Ids.after_existing()
    writer = Writer()
    counts = dict.fromkeys(ORDER, 0)
    done = 0
    showcase = showcase_persons(today) if HEADLINE_MUNICIPALITY in builder.by_code else []
    showcase = [] if municipality_ids is not None else showcase
    showcase = showcase[: max(0, min(len(showcase), persons // 50))]  # only in a population of some size

    def write(rows):
        with transaction.atomic():
            for model in ORDER:
                writer.write(model, rows[model])
                counts[model] += len(rows[model])
            # COPY sends no signals: the route facts of these persons from the exam rows just written
            refresh_route_facts([row[0] for row in rows[Person]])

    def add_showcase(fixed_persons):
        rows = {m: [] for m in ORDER}
        for fixed in fixed_persons:
            builder.person(ids, rows, showcase=fixed)
        write(rows)

    if showcase:
        add_showcase(showcase)
        done = len(showcase)
    # the regional showcase comes last, in place of the population's last persons
    regional = regional_showcase_persons(today) if persons >= 1000 and municipality_ids is None else []
    regional = [fixed for fixed in regional if fixed["municipality"] in builder.by_code]
    while done < persons - len(regional):
        rows = {m: [] for m in ORDER}
        for _ in range(min(chunk, persons - len(regional) - done)):
            builder.person(ids, rows)
        write(rows)
        done += len(rows[Person])
        if progress:
            progress(done, persons)
    if regional:
        add_showcase(regional)
    writer.reset_sequences()
    if persons:
        record_demo_quality_mark_loss(today)
    return {m._meta.verbose_name_plural: n for m, n in counts.items()}
