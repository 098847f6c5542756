"""``make demo`` prints a backup code for every demo account, so a newcomer is in within a minute."""

import importlib
import re
from pathlib import Path

import pytest
from django.core.management import call_command

MAKEFILE = Path(__file__).resolve().parents[2] / "Makefile"


def demo_module():
    for name in ("elip.demo.accounts", "pib.demo.accounts"):  # the demo generator, wherever it lives
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError:
            continue
    raise AssertionError("no demo account generator found")


def makefile_accounts() -> list[str]:
    return re.search(r"^DEMO_ACCOUNTS := (.+)$", MAKEFILE.read_text(), re.M).group(1).split()


def test_make_demo_names_every_demo_account():
    module = demo_module()
    names = [row[0] for row in module.USERS] + [row[0] for row in getattr(module, "ADMINS", [])]
    assert sorted(makefile_accounts()) == sorted(names)
    assert "manage.py backup_codes $(DEMO_ACCOUNTS)" in MAKEFILE.read_text()


@pytest.mark.django_db
def test_every_demo_account_gets_backup_codes(capsys):
    demo_module().create_demo_accounts()
    call_command("backup_codes", *makefile_accounts())
    out = capsys.readouterr().out
    for name in makefile_accounts():
        line = next(line for line in out.splitlines() if line.strip().startswith(name + " "))
        assert len(re.findall(r"\b[a-z2-7]{8}\b", line.split(name, 1)[1])) == 10, line
