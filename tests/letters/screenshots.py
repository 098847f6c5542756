"""Write the letter screenshots of docs/screenshots/ (PNG, 80 dpi) from the edge persons:

    DJANGO_SETTINGS_MODULE=tests.settings .venv/bin/python -m tests.letters.screenshots

Pages: letter-<case>-<page>.png for every case of ``edge_letters.cases()``.
"""

import subprocess
import tempfile
from pathlib import Path

import django

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def main():
    django.setup()
    from letters.pdf import render_to_pdf
    from letters.services import LETTER_TEMPLATE

    from .edge_letters import cases

    with tempfile.TemporaryDirectory() as tmp:
        for name, snapshot in cases().items():
            pdf = Path(tmp) / f"{name}.pdf"
            context = {"s": snapshot, "reference": "HH63/999999990", "sample": False}
            pdf.write_bytes(render_to_pdf(LETTER_TEMPLATE, context))
            subprocess.run(["pdftoppm", "-r", "80", "-png", str(pdf), str(OUT / f"letter-{name}")], check=True)  # noqa: S603, S607
            print(name, sorted(p.name for p in OUT.glob(f"letter-{name}-*.png")))


if __name__ == "__main__":
    main()
