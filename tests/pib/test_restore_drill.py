"""The restore drill of docs/operations.md, performed by scripts/restore_drill.py on a small database:
a weekly run with letters and bundles (PDFs in the media directory) is backed up (pg_dump + media
tar), restored into a new database and directory, and found equal (row counts of every table,
sha256 of every media file and of every PDF the database names). A damaged restore is caught."""

import datetime as dt
import importlib.util
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def load_drill():
    spec = importlib.util.spec_from_file_location("restore_drill", ROOT / "scripts" / "restore_drill.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_backup_restore_drill_on_a_small_database(settings, tmp_path):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    from elip.services.weekly_run import weekly_run
    from letters.models import Letter, LetterBundle
    from tests.elip.factories import enrol
    from tests.pib.factories import PersonFactory, municipality
    from tests.workers import database_url

    for code, n in {"GM0363": 3, "GM0014": 2}.items():
        enrol(code)
        for _ in range(n):
            PersonFactory(loan_used=Decimal("8000"), term_end=dt.date(2024, 1, 1), municipality=municipality(code))
    weekly_run(run_date=dt.date(2023, 6, 14))
    assert Letter.objects.exclude(pdf="").count() == 5 and LetterBundle.objects.count() == 2

    url = database_url(connection.settings_dict)
    command = [sys.executable, "scripts/restore_drill.py", "--database-url", url, "--media-root", settings.MEDIA_ROOT]
    work, backup = tmp_path / "work", tmp_path / "backup"
    done = subprocess.run(
        [*command, "--backup-dir", str(backup), "--work-dir", str(work), "--keep"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "DRILL OK" in done.stdout
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["tables"]["letters_letter"] == 5 and len(manifest["media"]) >= 7

    # A restore that lost a byte of one PDF, or a row, is reported.
    drill = load_drill()
    drill_url = drill.with_database(url, f"{connection.settings_dict['NAME']}_drill")
    letter_pdf = next((work / "restored" / "media").rglob("letters/**/*.pdf"))
    letter_pdf.write_bytes(letter_pdf.read_bytes()[:-1])
    drill.psql(drill_url, "DELETE FROM signals_signalstatuschange; DELETE FROM elip_runmunicipality")
    problems = drill.compare(manifest, drill_url, work / "restored" / "media")
    assert any(letter_pdf.name in p for p in problems)
    assert any(p.startswith("table elip_runmunicipality") for p in problems)
    drill.psql(drill.with_database(url, "postgres"), f'DROP DATABASE IF EXISTS "{drill_url.rsplit("/", 1)[1]}"')
