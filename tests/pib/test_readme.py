"""The README stays true: every environment variable the settings read is in its settings table,
and the two commands it names exist in the Makefile that CI calls."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_variable_is_documented_in_the_readme():
    settings_source = (ROOT / "pib" / "settings.py").read_text()
    variables = set(re.findall(r"env\.\w+\(\s*\"([A-Z_]+)\"", settings_source))
    readme = (ROOT / "README.md").read_text()
    assert variables, "no variables found: the pattern is stale"
    missing = sorted(v for v in variables if f"`{v}`" not in readme)
    assert not missing, f"not in the README settings table: {missing}"


def test_the_two_commands_exist_and_ci_runs_the_test_command():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^demo:", makefile, flags=re.M) and re.search(r"^test:", makefile, flags=re.M)
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()
