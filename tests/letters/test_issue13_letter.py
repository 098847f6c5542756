"""Issue 13, the letter point by point: the closing line, phone numbers grouped, ONA written out,
the intro sentence on the page of its tables, the signature never alone, no break inside "e-mail",
addresses, e-mail and web addresses — checked on the PDF's text per page."""

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from letters.pdf import render_to_pdf
from letters.services import LETTER_TEMPLATE, preview_pdf, sample_snapshot
from pib.constants import AttemptResult, ExamComponent
from tests.pib.factories import add_exam

from .helpers import contacts_for, make_letters, model_person

CLOSING = "Dit bericht is automatisch aangemaakt en daarom niet ondertekend."
LETTER_DATE = dt.date(2021, 6, 25)


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def render(snapshot) -> bytes:
    return render_to_pdf(LETTER_TEMPLATE, {"s": snapshot, "reference": "HH63/1", "sample": False})


def snapshot(**municipality):
    contacts = {"phone": "050 599 96 00", "email": "elip@gemeente-dorpenstad.nl", "website": "", **municipality}
    return sample_snapshot(municipality_name="Dorpenstad", on_date=LETTER_DATE, **contacts)


def test_the_letter_ends_with_the_manuals_closing_line_after_the_signature():
    text = "\n".join(page_texts(render(snapshot())))
    assert CLOSING in text
    assert text.index("Directeur Registers & Examens") < text.index(CLOSING)


@pytest.mark.parametrize(
    ("typed", "printed"),
    [("0503679111", "050 367 91 11"), ("+31 20 255 29 09", "020 255 29 09"), ("14 050", "14 050")],
)
def test_the_phone_number_is_printed_grouped(typed, printed):
    data = preview_pdf(municipality="Dorpenstad", phone=typed)
    assert f"U kunt bellen naar {printed}." in " ".join(page_texts(data)).replace("\n", " ")


@pytest.mark.django_db
def test_the_snapshot_holds_the_stored_e164_number_grouped():
    person = model_person()
    letter = make_letters([person], contacts=contacts_for(person.municipality, phone="+31503679111"))[0]
    assert letter.snapshot["municipality"]["phone"] == "050 367 91 11"


@pytest.mark.django_db
def test_ona_is_written_out_in_the_exam_table_and_short_in_the_list_still_to_do():
    person = model_person()
    add_exam(person, ExamComponent.ONA, [AttemptResult.FAILED], first_date=dt.date(2020, 2, 1))
    snap = make_letters([person])[0].snapshot
    assert "Oriëntatie op de Nederlandse Arbeidsmarkt (ONA)" in [row["name"] for row in snap["exams"]]
    assert "ONA" in snap["exams_to_do"]


def many_exams(snap, n_courses=6):
    snap["courses"] = [
        {
            "name": f"Taalinstituut Nummer {i} met een lange naam, Inburgering",
            "start": "01.01.2019",
            "end": "01.06.2019",
        }
        for i in range(n_courses)
    ]
    return snap


@pytest.mark.parametrize("extra_paragraph_lines", [0, 3, 6, 9, 12])
def test_the_intro_sentence_stands_on_the_page_of_its_first_table(extra_paragraph_lines):
    """Whatever pushes the intro towards the page end (long addresses, a web address), it never
    stands alone: the page that has the sentence also has the exam table's heading."""
    snap = snapshot(website="www.gemeente-dorpenstad.nl/" + "lange-weg/" * extra_paragraph_lines)
    pages = page_texts(render(snap))
    [intro_page] = [p for p in pages if "Hieronder leest u de gegevens" in p]
    assert "Overzicht examenonderdelen" in intro_page


@pytest.mark.parametrize("n_courses", [1, 3, 6, 9])
def test_the_signature_block_never_stands_alone(n_courses):
    pages = page_texts(render(many_exams(snapshot(), n_courses)))
    [signature_page] = [p for p in pages if "Directeur Registers" in p]
    assert "Overzicht Opleidingen" in signature_page
    assert CLOSING in signature_page


def test_e_mail_and_addresses_are_never_broken_at_a_hyphen():
    snap = snapshot(email="inburgering-elip-ondersteuning@gemeente-dorpenstad-en-omstreken.nl",
                    website="www.gemeente-dorpenstad-en-omstreken.nl/elip-ondersteuning")  # fmt: skip
    snap["recipient"]["address_line"] = "Burgemeester van der Heijden-Zuidwestelijke-Havenkade 112-B"
    lines = [line.strip() for page in page_texts(render(snap)) for line in page.splitlines()]
    assert not [line for line in lines if line.endswith("-")], "a line breaks after a hyphen"
    text = "\n".join(lines)
    assert "inburgering-elip-ondersteuning@gemeente-dorpenstad-en-omstreken.nl" in text  # copyable as is
    assert "\u2060" not in text  # the word joiners are not extracted


@pytest.mark.django_db
def test_the_data_migration_normalises_stored_phone_numbers():
    import importlib

    from django.apps import apps

    from tests.elip.factories import enrol

    migration = importlib.import_module("elip.migrations.0003_normalise_phone_numbers")
    enrolment = enrol("GM0014")
    type(enrolment).objects.filter(pk=enrolment.pk).update(letter_phone="0503679111", contact_phone="14050")
    migration.forwards(apps, None)
    enrolment.refresh_from_db()
    assert (enrolment.letter_phone, enrolment.contact_phone) == ("+31503679111", "+3114050")
    type(enrolment).objects.filter(pk=enrolment.pk).update(letter_phone="geen nummer")
    migration.forwards(apps, None)  # what it cannot parse stays as it was
    enrolment.refresh_from_db()
    assert enrolment.letter_phone == "geen nummer"
