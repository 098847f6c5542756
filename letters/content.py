"""What an ELIP letter says: a JSON snapshot of DUO's data on the letter date.

``build_snapshots`` loads a whole batch of persons in a fixed number of queries
(independent of the batch size) and returns, per person id, a plain dict of
strings, booleans and lists. The snapshot is stored on the Letter row at the run;
rendering uses only the snapshot, so a later change to the person never changes a
letter that was sent. Values are pre-formatted exactly as the manual's appendix
letter shows them (dates in tables ``dd.mm.jjjj``, amounts ``10.000,00``, the term
end and letter date in words ``15 december 2020``), independent of the locale.

Interpretation of the loan overview (the model letter shows "Hoofdsom 10.000,00,
Opgebouwde rente 0,00, Hoofdsom + rente 8.000,00, Nog te lenen 2.000,00"):

* Hoofdsom            = the person's loan limit (leenruimte, ``Loan.limit``);
* Opgebouwde rente    = ``Loan.interest``;
* Hoofdsom + rente    = what was actually borrowed (paid invoices, ``loan_used``) plus
                        the interest: the debt so far;
* Nog te lenen        = limit − used (``loan_remaining``), never below 0,00.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Prefetch

from pib.constants import ExamComponent, Gender
from pib.dates import add_months
from pib.formatting import amount, date_figures, date_words, format_phone
from pib.models import Enrolment, Exam, ExamAttempt, LoanRequest, Municipality, Person
from pib.selectors import exam_rows, persons_with_loan_usage
from pib.validators import strip_bidi_controls

SNAPSHOT_VERSION = 2  # 2: phone printed grouped, ONA written out


# The letter's names and order (the appendix: speaking, listening, reading, writing, KNM; then ONA).
EXAM_NAMES = {
    ExamComponent.SPEAKING: "Spreekvaardigheid",
    ExamComponent.LISTENING: "Luistervaardigheid",
    ExamComponent.READING: "Leesvaardigheid",
    ExamComponent.WRITING: "Schrijfvaardigheid",
    ExamComponent.KNM: "Kennis Nederlandse Maatschappij",
    ExamComponent.ONA: "Oriëntatie op de Nederlandse Arbeidsmarkt (ONA)",
}
# In the list of exams still to do ONA has been written out already (the exam table comes first).
EXAM_SHORT_NAMES = {ExamComponent.ONA: "ONA"}
EXAM_ORDER = {component: i for i, component in enumerate(EXAM_NAMES)}

# How many months before the term end the fine sentence starts to appear (DOMAIN.md "The letter").
FINE_SENTENCE_MONTHS = 12


def date_short(value: dt.date | None) -> str:
    """``15.12.2020`` as in the letter's tables; empty for no date."""
    return date_figures(value, separator=".", empty="")


def fine_sentence_applies(term_end: dt.date, on_date: dt.date) -> bool:
    """The fine sentence: the term ends within 12 months of the letter date, boundary included
    (term end exactly ``on_date`` + 12 months counts, one day later does not). A term that has
    already ended counts too (the manual's own example letter is such a case)."""
    return term_end <= add_months(on_date, FINE_SENTENCE_MONTHS)


def _capitalise_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def recipient_and_salutation(person: Person) -> tuple[dict, str]:
    """Address block and salutation by gender.

    A Dutch surname prefix is written in lower case after initials ("De heer W. van Zuilen") and
    with a capital when it opens the name ("Geachte heer Van Zuilen,").
    """
    # Older registry rows may hold bidi control characters (refused since issue 11): not on paper.
    surname = strip_bidi_controls(person.surname)
    if person.gender == Gender.FEMALE:
        title, salutation = "Mevrouw", f"Geachte mevrouw {_capitalise_first(surname)},"
    elif person.gender == Gender.MALE:
        title, salutation = "De heer", f"Geachte heer {_capitalise_first(surname)},"
    else:
        title, salutation = "", f"Geachte heer/mevrouw {_capitalise_first(surname)},"
    initials = strip_bidi_controls(person.initials)
    name_line = " ".join(p for p in (title, initials, surname) if p)
    recipient = {
        "title": title,
        "initials": initials,
        "surname": surname,
        "name_line": name_line,
        "address_line": strip_bidi_controls(person.address_line),
        "postcode_city": strip_bidi_controls(f"{person.postcode} {person.city.upper()}"),
    }
    return recipient, salutation


def _exam_rows(person: Person) -> tuple[list[dict], list[str]]:
    """The exam table in the letter's order and names (rows from ``pib.selectors.exam_rows``)."""
    rows, to_do = [], []
    for row in sorted(exam_rows(person), key=lambda r: EXAM_ORDER.get(r.exam.component, 99)):
        name = EXAM_NAMES.get(row.exam.component, row.exam.get_component_display())
        rows.append(
            {"name": name, "last_exam": date_short(row.date), "status": row.status.label, "attempts": row.attempts}
        )
        if row.to_do:
            to_do.append(EXAM_SHORT_NAMES.get(row.exam.component, name))
    return rows, to_do


def _loan(person: Person) -> dict | None:
    loan = getattr(person, "loan", None)
    if loan is None:
        return None
    used = Decimal(person.loan_used or 0)
    remaining = max(Decimal(person.loan_remaining or 0), Decimal(0))
    return {
        "start": date_short(loan.start_date),
        "end": date_short(loan.end_date),
        "principal": amount(loan.limit),
        "interest": amount(loan.interest),
        "principal_plus_interest": amount(used + loan.interest),
        "remaining": amount(remaining),
    }


def _contacts(municipality: Municipality, municipality_contacts: dict) -> dict:
    given = municipality_contacts.get(municipality.pk) or {}
    return {
        "name": given.get("name") or municipality.name,
        "phone": format_phone(given.get("phone")),
        "email": given.get("email") or "",
        "website": given.get("website") or "",
    }


def snapshot_for(person: Person, *, on_date: dt.date, municipality_contacts: dict) -> dict:
    """The snapshot of one person whose related data are already loaded (see ``snapshot_queryset``)."""
    recipient, salutation = recipient_and_salutation(person)
    exams, exams_to_do = _exam_rows(person)
    return {
        "version": SNAPSHOT_VERSION,
        "letter_date": on_date.isoformat(),
        "letter_date_words": date_words(on_date),
        "recipient": recipient,
        "bsn": person.bsn,
        "salutation": salutation,
        "municipality": _contacts(person.municipality, municipality_contacts),
        "term_end": person.term_end.isoformat(),
        "term_end_words": date_words(person.term_end),
        "fine_sentence": fine_sentence_applies(person.term_end, on_date),
        "exams": exams,
        "exams_to_do": exams_to_do,
        "requests": [
            {"kind": r.kind, "received_on": date_short(r.received_on), "status": r.get_status_display()}
            for r in person.requests.all()
        ],
        "loan": _loan(person),
        "courses": [
            {
                "name": f"{e.institution.name}, {e.get_course_display()}",
                "start": date_short(e.start_date),
                "end": date_short(e.end_date),
            }
            for e in person.enrolments.all()
        ],
    }


def snapshot_queryset(person_ids):
    """Persons with everything the letter shows, in a fixed number of queries:
    persons + municipality + loan + paid total (1), exams (1), attempts (1), requests (1),
    enrolments + institution (1)."""
    return (
        persons_with_loan_usage(Person.objects.filter(pk__in=list(person_ids)))
        .select_related("municipality", "loan")
        .prefetch_related(
            Prefetch("exams", queryset=Exam.objects.order_by("pk")),
            Prefetch("exams__attempts", queryset=ExamAttempt.objects.order_by("number")),
            Prefetch("requests", queryset=LoanRequest.objects.order_by("received_on", "pk")),
            Prefetch(
                "enrolments",
                queryset=Enrolment.objects.select_related("institution").order_by("start_date", "pk"),
            ),
        )
        .order_by("pk")
    )


def build_snapshots(person_ids, *, on_date: dt.date, municipality_contacts: dict) -> dict[int, dict]:
    """Per person id the JSON-serialisable snapshot of what the letter shows on ``on_date``.

    ``municipality_contacts`` is ``{municipality_id: {"name", "phone", "email", "website"}}``: the
    letter data from the municipality's ELIP enrolment. The municipality's DUO contact data are
    not asked for and never appear. A municipality missing from the mapping gets its registry name
    and no contact data.
    """
    person_ids = list(person_ids)
    if not person_ids:
        return {}
    return {
        person.pk: snapshot_for(person, on_date=on_date, municipality_contacts=municipality_contacts)
        for person in snapshot_queryset(person_ids)
    }
