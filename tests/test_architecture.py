"""The layers of docs/architecture.md hold, and the check that guards them really bites.

* ``lint-imports`` (the contracts in pyproject.toml, run by ``make lint``) passes on the code;
* on a copy of the tree, a module in ``pib`` importing ``elip`` makes it fail, and so does a pair
  of modules importing each other (one of them inside a function);
* no import edge anywhere can be followed back to where it started (no cycle between any two
  modules, function-local imports included: grimp reads them all);
* the graph in docs/architecture.md is the one the code has.

No database needed; the copies live in tmp_path, the real tree is never written to.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import architecture  # noqa: E402

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", "--config", str(cwd / "pyproject.toml")],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(cwd)},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree(tmp_path):
    """A copy of the four apps and the import-linter configuration."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "templates", "static")
    for app in architecture.APPS:
        shutil.copytree(ROOT / app, tmp_path / app, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_code_keeps_the_contracts():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_every_app_of_the_project_is_in_the_layers():
    """A new app outside the contracts would be unchecked: every folder with an apps.py is listed."""
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert apps == set(architecture.APPS)


def test_the_copy_keeps_them_too(tree):
    assert lint_imports(tree).returncode == 0


def test_an_upward_import_breaks_the_layers(tree):
    (tree / "pib" / "_tmp_upward.py").write_text(
        "def f():\n    from elip.models import SelectionRun\n\n    return SelectionRun\n"
    )
    result = lint_imports(tree)
    assert result.returncode == 1
    assert "pib is not allowed to import elip" in result.stdout
    assert "pib._tmp_upward -> elip.models" in result.stdout


def test_an_import_between_siblings_breaks_the_layers(tree):
    (tree / "letters" / "_tmp_sideways.py").write_text("import signals.models  # noqa\n")
    result = lint_imports(tree)
    assert result.returncode == 1
    assert "letters is not allowed to import signals" in result.stdout


def test_a_cycle_inside_an_app_breaks_the_acyclic_contract(tree):
    (tree / "elip" / "_tmp_a.py").write_text("from elip import _tmp_b  # noqa\n")
    (tree / "elip" / "_tmp_b.py").write_text("def f():\n    from elip import _tmp_a\n\n    return _tmp_a\n")
    result = lint_imports(tree)
    assert result.returncode == 1
    assert "No cycles are allowed in elip." in result.stdout


def test_no_import_can_be_followed_back_to_its_importer():
    graph = architecture.build_graph()
    cycles = []
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back:
                cycles.append(" -> ".join((module, *back)))
    assert cycles == []


def test_the_graph_in_the_doc_is_the_code_s():
    graph = architecture.build_graph()
    assert architecture.updated_doc(graph) == architecture.DOC.read_text(), (
        "docs/architecture.md is out of date: run python scripts/architecture.py"
    )
