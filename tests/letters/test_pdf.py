"""The PDF helper: text in the PDF, asset-only fetcher, escaping, process-wide reuse, HarfBuzz subsetting."""

import ctypes.util
import glob
import io

import pytest
from pypdf import PdfReader

from letters import pdf as pdf_module
from letters.pdf import ASSET_DIR, AssetRefused, BundledAssetFetcher, get_renderer, html_to_pdf
from letters.services import letter_pdf_bytes, preview_pdf

from .helpers import CONTACTS, make_letters, model_person


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_libharfbuzz_subset_is_installed():
    """WeasyPrint subsets fonts with HarfBuzz; without Debian's libharfbuzz-subset0 it falls back to a
    path that made every letter about 2.5x slower. scripts/system-packages.sh installs it."""
    found = ctypes.util.find_library("harfbuzz-subset") or glob.glob("/usr/lib/*/libharfbuzz-subset.so.0")
    assert found, "libharfbuzz-subset0 ontbreekt: apt-get install libharfbuzz-subset0 (scripts/system-packages.sh)"
    ctypes.CDLL(found if isinstance(found, str) else found[0])  # and it loads


@pytest.mark.django_db
def test_pdf_text_contains_name_bsn_and_municipality_phone():
    person = model_person()
    letter = make_letters([person])[0]
    data = letter_pdf_bytes(letter)
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert "Mevrouw S.E.J. Tneinam" in text
    assert person.bsn in text
    assert CONTACTS["phone"] in text
    assert "Hoofdsom + rente" in text


@pytest.mark.django_db
def test_pages_are_a4_and_numbered_from_one_per_letter():
    letter = make_letters([model_person()])[0]
    reader = PdfReader(io.BytesIO(letter_pdf_bytes(letter)))
    n = len(reader.pages)
    assert n >= 2
    for i, page in enumerate(reader.pages, start=1):
        assert f"pagina {i} van {n}" in page.extract_text()
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - 595.3) < 1 and abs(height - 841.9) < 1


@pytest.mark.django_db
def test_fonts_are_the_bundled_source_sans_embedded():
    letter = make_letters([model_person(last_name="Şahinoğlu")])[0]
    data = letter_pdf_bytes(letter)
    reader = PdfReader(io.BytesIO(data))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts and all("Source-Sans-3" in f for f in fonts), fonts
    assert "Şahinoğlu" in pdf_text(data)


@pytest.mark.django_db
def test_markup_in_a_name_prints_as_text_and_fetches_nothing():
    hostile = "<img src=http://127.0.0.1:9/x>"
    letter = make_letters([model_person(last_name=hostile)])[0]
    fetcher = get_renderer().fetcher
    before = len(fetcher.requested)
    text = pdf_text(letter_pdf_bytes(letter))
    assert hostile in text.replace("\n", " ")
    asked = fetcher.requested[before:]
    assert not any("127.0.0.1" in url for url in fetcher.requested)
    assert asked == []  # a letter fetches nothing at all: the stylesheet and fonts were loaded once


def test_stylesheet_and_fonts_are_parsed_once_per_process():
    first = get_renderer()
    preview_pdf(municipality="Dorpenstad", phone="010 123 45 67")
    preview_pdf(municipality="Dorpenstad", phone="010 123 45 67")
    assert get_renderer() is first
    assert pdf_module._renderer.stylesheet is first.stylesheet
    assert pdf_module._renderer.font_config is first.font_config


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "https://example.org/font.woff",
        "file:///etc/passwd",
        (ASSET_DIR / ".." / ".." / ".." / "settings.py").as_uri(),
        (ASSET_DIR.parent.parent.parent / "pib" / "settings.py").as_uri(),
        "file://evil.example/" + str(ASSET_DIR / "letter.css"),
        "data:text/css,body{}",
        "ftp://example.org/x",
    ],
)
def test_fetcher_refuses_everything_but_bundled_assets(url):
    fetcher = BundledAssetFetcher()
    with pytest.raises((AssetRefused, ValueError)):
        fetcher.fetch(url)


def test_fetcher_serves_bundled_assets():
    fetcher = BundledAssetFetcher()
    response = fetcher.fetch((ASSET_DIR / "fonts" / "source-sans-3-latin-400-normal.woff").as_uri())
    assert response.read()[:4] == b"wOFF"


def test_html_that_references_outside_resources_renders_without_fetching_them():
    """Defence in depth: even markup that does reference remote/local files gets nothing."""
    fetcher = get_renderer().fetcher
    before = len(fetcher.refused)
    data = html_to_pdf(
        '<p>x</p><img src="http://127.0.0.1:9/x"><img src="file:///etc/hostname">'
        '<link rel="stylesheet" href="http://127.0.0.1:9/s.css">'
    )
    assert data.startswith(b"%PDF-")
    refused = fetcher.refused[before:]
    assert "http://127.0.0.1:9/x" in refused and "file:///etc/hostname" in refused


def test_preview_is_a_clearly_marked_sample():
    text = pdf_text(preview_pdf(municipality="Dorpenstad", phone="010 123 45 67", email="elip@dorpenstad.nl"))
    assert "VOORBEELD" in text
    assert "Voorbeeld" in text and "999999990" in text
    assert "010 123 45 67" in text and "elip@dorpenstad.nl" in text
    assert "gemeente Dorpenstad" in text
