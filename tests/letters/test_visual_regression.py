"""Visual regression of the letter: the edge persons of ``edge_letters.py`` rendered to PDF, every
page to a grey PNG (pdftoppm at 50 dpi) and compared with the committed reference images in
``tests/letters/reference/``. A layout change (CSS, template, fonts, page breaks) fails here until
the references are renewed on purpose:

    UPDATE_REFERENCES=1 .venv/bin/pytest tests/letters/test_visual_regression.py

then look at the new PNGs (git diff shows them) and commit them with the change. On a failure the
rendered pages and a difference image are written next to the test's tmp_path (path in the message).

Deterministic: fixed snapshots (no database, no today), the bundled fonts (Source Sans 3), the
pinned WeasyPrint and Debian's poppler. Tolerance: at most 0.2 % of a page's pixels may differ by
more than 48 grey levels (anti-aliasing noise is far below that; one moved line of text is ~1 %).
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from letters.pdf import render_to_pdf
from letters.services import LETTER_TEMPLATE

from .edge_letters import cases

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
DPI = 50
LEVEL = 48  # grey levels: a pixel differs when it changed more than this
MAX_DIFFERING = 0.002  # fraction of a page's pixels
UPDATE = os.environ.get("UPDATE_REFERENCES") == "1"
CASES = cases()


def render_pages(snapshot: dict, out_dir: Path, name: str) -> list[Path]:
    pdf = out_dir / f"{name}.pdf"
    pdf.write_bytes(render_to_pdf(LETTER_TEMPLATE, {"s": snapshot, "reference": "HH63/999999990", "sample": False}))
    subprocess.run(  # noqa: S603
        ["pdftoppm", "-r", str(DPI), "-gray", "-png", str(pdf), str(out_dir / name)],  # noqa: S607
        check=True,
        capture_output=True,
    )
    return sorted(out_dir.glob(f"{name}-*.png"))


def differing_fraction(actual: Image.Image, expected: Image.Image) -> float:
    if actual.size != expected.size:
        return 1.0
    diff = ImageChops.difference(actual.convert("L"), expected.convert("L"))
    changed = sum(diff.point(lambda v: 255 if v > LEVEL else 0).histogram()[255:])
    return changed / (actual.size[0] * actual.size[1])


def test_pdftoppm_is_installed():
    assert shutil.which("pdftoppm"), "pdftoppm ontbreekt: apt-get install poppler-utils"


@pytest.mark.parametrize("name", sorted(CASES))
def test_letter_looks_like_its_reference(name, tmp_path):
    pages = render_pages(CASES[name], tmp_path, name)
    references = sorted(REFERENCE_DIR.glob(f"{name}-*.png"))
    if UPDATE:
        for old in references:
            old.unlink()
        for page in pages:
            shutil.copy(page, REFERENCE_DIR / page.name)
        return
    assert references, f"geen referentiebeelden voor {name}: draai eenmaal met UPDATE_REFERENCES=1"
    assert len(pages) == len(references), f"{name}: {len(pages)} pagina's, referentie heeft er {len(references)}"
    for page, reference in zip(pages, references, strict=True):
        with Image.open(page) as actual, Image.open(reference) as expected:
            fraction = differing_fraction(actual, expected)
            if fraction > MAX_DIFFERING:
                ImageChops.difference(actual.convert("L"), expected.convert("L")).save(tmp_path / f"diff-{page.name}")
            assert fraction <= MAX_DIFFERING, (
                f"{reference.name}: {fraction:.2%} van de pixels verschilt (grens {MAX_DIFFERING:.1%}); "
                f"zie {tmp_path}. Bewuste wijziging? Vernieuw met UPDATE_REFERENCES=1."
            )


def test_the_comparison_sees_a_moved_line(tmp_path):
    """The test can fail: the same letter with one extra line at the top differs beyond the tolerance."""
    snapshot = dict(CASES["alleen-telefoon"])
    shifted = {**snapshot, "salutation": "Geachte mevrouw Yilmaz, " + "een regel langer " * 12}
    [first, *_] = render_pages(snapshot, tmp_path, "a")
    [moved, *_] = render_pages(shifted, tmp_path, "b")
    with Image.open(first) as a, Image.open(moved) as b:
        assert differing_fraction(a, b) > MAX_DIFFERING
        assert differing_fraction(a, a.copy()) == 0
