"""A fixed set of edge persons for the letter's visual regression test and its screenshots.

Each case is a complete snapshot (what ``letters.content`` stores), built from fixed values only:
no database, no factories, no "today" — so the same case gives the same pixels on any day.
The recipient block and the salutation come from ``letters.content.recipient_and_salutation``
on an unsaved ``Person``; the phone number through ``pib.formatting.format_phone``; the rest is
written out as the content module writes it (dates ``dd.mm.jjjj``, amounts ``10.000,00``).
"""

from __future__ import annotations

import datetime as dt

from letters.content import SNAPSHOT_VERSION, fine_sentence_applies, recipient_and_salutation
from pib.constants import Gender
from pib.formatting import date_words as date_in_words
from pib.formatting import format_phone
from pib.models import Person

LETTER_DATE = dt.date(2026, 6, 17)
EXAMS = [
    ("Spreekvaardigheid", "14.05.2025", "Geslaagd", 2),
    ("Luistervaardigheid", "20.07.2025", "Geslaagd", 1),
    ("Leesvaardigheid", "08.02.2026", "Niet geslaagd", 4),
    ("Schrijfvaardigheid", "12.01.2026", "Niet geslaagd", 3),
    ("Kennis Nederlandse Maatschappij", "26.10.2025", "Geslaagd", 1),
]
ONA = "Oriëntatie op de Nederlandse Arbeidsmarkt (ONA)"


def _snapshot(person: Person, *, term_end: dt.date, phone="050 367 91 11", email="elip@groningen.nl",
              website="gemeente.groningen.nl/elip", exams=None, courses=None) -> dict:  # fmt: skip
    recipient, salutation = recipient_and_salutation(person)
    exams = EXAMS if exams is None else exams
    rows = [{"name": n, "last_exam": d, "status": s, "attempts": a} for n, d, s, a in exams]
    return {
        "version": SNAPSHOT_VERSION,
        "letter_date": LETTER_DATE.isoformat(),
        "letter_date_words": date_in_words(LETTER_DATE),
        "recipient": recipient,
        "bsn": "999999990",
        "salutation": salutation,
        "municipality": {"name": "Groningen", "phone": format_phone(phone), "email": email, "website": website},
        "term_end": term_end.isoformat(),
        "term_end_words": date_in_words(term_end),
        "fine_sentence": fine_sentence_applies(term_end, LETTER_DATE),
        "exams": rows,
        "exams_to_do": [
            "ONA" if r["name"] == ONA else r["name"] for r in rows if r["status"] in ("Niet geslaagd", "Nog te doen")
        ],
        "requests": [{"kind": "Verzoek lening", "received_on": "18.12.2023", "status": "Toegekend"}],
        "loan": {
            "start": "28.12.2023",
            "end": f"{term_end:%d.%m.%Y}",
            "principal": "10.000,00",
            "interest": "0,00",
            "principal_plus_interest": "9.612,50",
            "remaining": "387,50",
        },
        "courses": courses
        if courses is not None
        else [{"name": "Hier leert u Nederlands, Inburgering", "start": "18.01.2024", "end": "20.05.2025"}],
    }


def person(**fields) -> Person:
    defaults = {
        "first_names": "Amira",
        "prefix": "",
        "last_name": "Haddad",
        "gender": Gender.FEMALE,
        "street": "Oosterstraat",
        "house_number": 12,
        "house_number_addition": "",
        "postcode": "9711 NR",
        "city": "Groningen",
    }
    return Person(**{**defaults, **fields})


def cases() -> dict[str, dict]:
    soon = dt.date(2026, 12, 15)
    return {
        "lange-namen-en-straat": _snapshot(
            person(
                first_names="Mohammed Abdulrahman Abdelkarim Oluwaseun",
                prefix="van der",
                last_name="Abdelrahmanzadeh-Oyelaran-Kristiansdóttir",
                gender=Gender.MALE,
                street="Burgemeester Jhr. Mr. Dr. Theodorus Hendrikus Antonius van Wesselingh-Kraaijenbrinkstraat"
                "-Noordzijde bij de Oude Rijksweg naar Zuidbroek en Hoogezand-Sappemeer",
                house_number=1234,
                house_number_addition="bis 3 hoog",
                postcode="9747 AG",
            ),
            term_end=soon,
            email="inburgering-elip-ondersteuning@gemeente-groningen-en-omstreken.nl",
            website="www.gemeente-groningen.nl/werk-en-inkomen/inburgering/elip-ondersteuning",
        ),
        "veel-pogingen": _snapshot(
            person(first_names="Olga Zinaida"),
            term_end=soon,
            exams=[
                ("Spreekvaardigheid", "14.05.2026", "Niet geslaagd", 11),
                ("Luistervaardigheid", "20.04.2026", "Geslaagd", 9),
                ("Leesvaardigheid", "08.02.2026", "Niet geslaagd", 12),
                ("Schrijfvaardigheid", "12.01.2026", "Niet geslaagd", 10),
                ("Kennis Nederlandse Maatschappij", "26.10.2025", "Geslaagd", 7),
                (ONA, "03.03.2026", "Niet geslaagd", 8),
            ],
        ),
        "zes-opleidingen": _snapshot(
            person(first_names="Tesfaye", last_name="Gebremariam", gender=Gender.MALE),
            term_end=soon,
            courses=[
                {"name": f"{school}, {course}", "start": start, "end": end}
                for school, course, start, end in (
                    ("Taalschool Het Noorden", "Alfabetisering", "08.01.2024", "28.06.2024"),
                    ("Taalschool Het Noorden", "Inburgering", "02.09.2024", "20.12.2024"),
                    ("Alfa-college Groningen", "Inburgering", "06.01.2025", "27.06.2025"),
                    ("Noorderpoort Taal en Integratie", "Inburgering", "01.09.2025", "19.12.2025"),
                    ("Stichting Taalhuis Stad en Ommeland", "Inburgering", "05.01.2026", "27.03.2026"),
                    ("Hier leert u Nederlands", "Inburgering", "06.04.2026", "26.06.2026"),
                )
            ],
        ),
        "geslacht-onbekend": _snapshot(
            person(first_names="Noor", last_name="Rahimi", gender=Gender.UNKNOWN), term_end=soon
        ),
        "alleen-telefoon": _snapshot(person(last_name="Yilmaz"), term_end=soon, email="", website=""),
        "alleen-email": _snapshot(person(last_name="Kowalska"), term_end=soon, phone="", website=""),
        "termijn-verstreken": _snapshot(
            person(first_names="Wilmer", last_name="Gonzalez", gender=Gender.MALE), term_end=dt.date(2025, 12, 15)
        ),
    }
