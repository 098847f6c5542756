"""Letters and bundles are PDF/A-3a: XMP identification, sRGB output intent, tags, language,
and a file ``qpdf --check`` finds clean. The bundle (pikepdf merge) keeps all of it."""

import io
import shutil
import subprocess

import pikepdf
import pytest

from letters.pdfa import merge_pdfa
from letters.services import letter_pdf_bytes

from .helpers import make_letters, model_person

PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"


def assert_pdfa_3a(data: bytes, *, title: str, pages: int | None = None):
    with pikepdf.open(io.BytesIO(data)) as pdf:
        meta = pdf.open_metadata()
        assert meta[PDFAID + "part"] == "3"
        assert meta[PDFAID + "conformance"] == "A"
        assert meta["{http://purl.org/dc/elements/1.1/}title"] == title
        intents = pdf.Root.OutputIntents
        assert len(intents) == 1
        assert pikepdf.Name("/GTS_PDFA1") == intents[0].S
        assert "/DestOutputProfile" in intents[0]  # the embedded ICC profile (sRGB)
        assert pdf.Root.MarkInfo.Marked is True
        assert str(pdf.Root.Lang) == "nl"
        tree = pdf.Root.StructTreeRoot
        keys = [int(k) for k in list(tree.ParentTree.Nums)[::2]]
        assert sorted(int(page.StructParents) for page in pdf.pages) == keys  # every page tagged, once
        assert "/ID" in pdf.trailer
        if pages is not None:
            assert len(pdf.pages) == pages
        return len(pdf.pages)


def qpdf_check(data: bytes, tmp_path) -> subprocess.CompletedProcess:
    path = tmp_path / "check.pdf"
    path.write_bytes(data)
    return subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True, check=False)  # noqa: S603, S607


def test_qpdf_is_installed():
    assert shutil.which("qpdf"), "qpdf ontbreekt: apt-get install qpdf (scripts/system-packages.sh)"


@pytest.mark.django_db
def test_a_letter_is_pdfa_3a_and_qpdf_clean(tmp_path):
    data = letter_pdf_bytes(make_letters([model_person()])[0])
    assert_pdfa_3a(data, title="ELIP-brief")
    result = qpdf_check(data, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors" in result.stdout


@pytest.mark.django_db
def test_a_bundle_keeps_pdfa_3a_its_tags_and_every_page(tmp_path):
    letters = make_letters([model_person(), model_person(last_name="Van der Berg-Achternaamlang")])
    pdfs = [letter_pdf_bytes(letter) for letter in letters]
    page_counts = [assert_pdfa_3a(data, title="ELIP-brief") for data in pdfs]
    data, pages = merge_pdfa([io.BytesIO(d) for d in pdfs])
    assert pages == sum(page_counts)
    assert_pdfa_3a(data, title="Gebundelde ELIP-brieven", pages=pages)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        document = pdf.Root.StructTreeRoot.K[0]
        assert pikepdf.Name.Document == document.S
        assert [part.S for part in document.K] == [pikepdf.Name.Part] * len(pdfs)  # one Part per letter
        page_ids = {page.objgen for page in pdf.pages}
        for part in document.K:
            assert part.P.objgen == document.objgen
            first = part.K[0] if isinstance(part.K, pikepdf.Array) else part.K
            while isinstance(first, pikepdf.Dictionary) and "/Pg" not in first:
                first = first.K[0] if isinstance(first.K, pikepdf.Array) else first.K
            assert first.Pg.objgen in page_ids  # tags point at the bundle's own pages
    result = qpdf_check(data, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_plain_page_merge_would_lose_pdfa_which_is_why_bundles_use_merge_pdfa(tmp_path):
    """The reason for ``merge_pdfa``: pypdf's page merge drops the XMP metadata and output intent."""
    from pypdf import PdfWriter

    from letters.services import preview_pdf

    letter = preview_pdf(municipality="Dorpenstad", phone="050 599 96 00")
    writer = PdfWriter()
    writer.append(io.BytesIO(letter))
    out = io.BytesIO()
    writer.write(out)
    with pikepdf.open(io.BytesIO(out.getvalue())) as pdf:
        assert "/OutputIntents" not in pdf.Root or "/Metadata" not in pdf.Root
