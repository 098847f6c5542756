"""Issue 11, content: bidi control characters refused by the registry (Dutch message) and names
isolated on screen; BRP field lengths; a long letter field wraps inside its box (looked at with
poppler: every word's box is measured); letter and bundle files 0640 in 0750 directories."""

import os
import re
import stat
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from letters.models import Letter
from letters.services import bundles_build, letter_pdf_bytes, letters_render
from pib.constants import Role
from pib.models import Person
from pib.validators import BIDI_CONTROLS, BIDI_MESSAGE
from tests.elip.persons_data import GRONINGEN
from tests.letters.helpers import make_dispatch, make_letters, model_person
from tests.pib.factories import PersonFactory, UserFactory, municipality

pytestmark = pytest.mark.django_db
MM = 72 / 25.4  # points per millimetre


@pytest.mark.parametrize("char", sorted(BIDI_CONTROLS))
@pytest.mark.parametrize("field", ["first_names", "prefix", "last_name", "street", "city", "house_number_addition"])
def test_registry_refuses_bidi_controls_with_a_dutch_message(field, char):
    person = PersonFactory.build(municipality=municipality("GM0363"))
    setattr(person, field, f"A{char}b")
    with pytest.raises(ValidationError) as error:
        person.full_clean(exclude=["bsn"])
    assert BIDI_MESSAGE in error.value.message_dict[field]


def test_admin_refuses_a_bidi_name_and_changes_nothing(client, django_user_model):
    root = django_user_model.objects.create_superuser("operator", password="x-Sterk-2025!")
    person = PersonFactory(municipality=municipality("GM0363"), last_name="Jansen")
    client.force_login(root)
    page = client.get(reverse("admin:pib_person_change", args=[person.pk]))
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"last_name": "Jansen\u202eovil", "municipality": person.municipality_id})
    for prefix in ("loan", "requests", "extensions", "exams", "enrolments", "contracts", "invoices"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(reverse("admin:pib_person_change", args=[person.pk]), data)
    assert response.status_code == 200
    assert "schrijfrichting" in response.content.decode()
    person.refresh_from_db()
    assert person.last_name == "Jansen"


def test_names_are_isolated_and_the_title_has_no_bidi_controls(client):
    person = PersonFactory(elip=True, code=GRONINGEN, loan_used=Decimal("8720"), last_name="Abc")
    Person.objects.filter(pk=person.pk).update(last_name="Abc\u202eevil")  # older data, before the validator
    client.force_login(UserFactory(roles={GRONINGEN: [Role.ELIP_PERSONS]}))
    html = client.get(reverse("elip:person_detail", kwargs={"public_id": person.public_id})).content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert "\u202e" not in title
    assert re.search(r'<h1 class="utrecht-heading-1">Details <bdi>[^<]*\u202e[^<]*</bdi></h1>', html)
    listing = client.get(reverse("elip:persons_list")).content.decode()
    assert "<bdi>" in listing


def test_brp_field_lengths():
    fields = {f.name: f for f in Person._meta.get_fields() if hasattr(f, "max_length")}
    expected = {
        "first_names": 200,
        "prefix": 10,
        "last_name": 200,
        "street": 80,
        "house_number_addition": 5,
        "postcode": 7,
        "city": 80,
    }
    assert {name: fields[name].max_length for name in expected} == expected
    person = PersonFactory.build(municipality=municipality("GM0363"), house_number=100000)
    with pytest.raises(ValidationError) as error:
        person.full_clean(exclude=["bsn"])
    assert "99999" in error.value.message_dict["house_number"][0]


def _word_boxes(pdf: bytes):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "brief.pdf"
        path.write_bytes(pdf)
        html = subprocess.run(
            ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        # looked at, too: a PNG of page 1 (kept when ELIP_KEEP_LETTER_PNG names a directory)
        keep = os.environ.get("ELIP_KEEP_LETTER_PNG")
        if keep:
            subprocess.run(
                ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), f"{keep}/long"], check=True
            )
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    return [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in re.findall(pattern, html)]


def test_a_200_character_street_stays_in_the_address_window():
    letter = make_letters([model_person()])[0]
    street = "Langestraatnaamzonderspaties" * 7 + "Eind"  # 200 characters, no place to break
    street = street[:196] + "Eind"
    assert len(street) == 200
    letter.snapshot["recipient"]["address_line"] = f"{street} 12"
    letter.snapshot["recipient"]["name_line"] = "Mevrouw " + "Achternaam" * 20
    words = _word_boxes(letter_pdf_bytes(letter))
    page_left, window_right, sender_left = 25 * MM, (25 + 95) * MM, (210 - 20 - 42) * MM
    pieces = [w for w in words if "Langestraat" in w[4] or "Eind" in w[4] or "Achternaam" in w[4]]
    assert pieces, "the street is not on page 1"
    assert "".join(w[4] for w in pieces if "Achternaam" not in w[4]).replace(" ", "").startswith("Langestraat")
    for x_min, _y_min, x_max, y_max, word in pieces:
        assert page_left - 1 <= x_min and x_max <= window_right + 1, (word, x_min, x_max)
        assert x_max < sender_left, word  # never into DUO's column
        assert y_max < 88 * MM + 18 * MM, word  # stays in the letterhead block


def test_letter_and_bundle_files_are_0640_in_0750_directories(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    dispatch = make_dispatch()
    letters = make_letters([model_person(), model_person()], dispatch=dispatch)
    letters_render(letter_ids=[letter.pk for letter in letters])
    bundles_build(dispatch=dispatch)
    paths = [Path(default_storage.path(name)) for name in Letter.objects.values_list("pdf", flat=True)]
    paths.append(Path(default_storage.path(dispatch.bundles.first().pdf.name)))
    for path in paths:
        assert stat.S_IMODE(path.stat().st_mode) == 0o640, path
        directory = path.parent
        while directory != tmp_path:
            assert stat.S_IMODE(directory.stat().st_mode) == 0o750, directory
            directory = directory.parent
    name = default_storage.save("x/y/z.pdf", ContentFile(b"%PDF-"))
    assert stat.S_IMODE(Path(default_storage.path(name)).stat().st_mode) == 0o640
