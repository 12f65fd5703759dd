"""Issue 20, item 1: packages by job (read from the files; the layers themselves are test_layout's)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "priorcli"
# the top-level modules left, each with its reason in the README's table
TOP_LEVEL = {"__init__", "__main__", "api", "errors", "cachedirs", "ranking"}
NEW_PACKAGES = {"cli", "commands", "families", "stats", "sampling", "model", "plot", "render", "dists"}


def _docstring(path: Path) -> str:
    return ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""


def test_item1_only_the_justified_modules_stay_at_the_top():
    assert {p.stem for p in PACKAGE.glob("*.py")} == TOP_LEVEL
    assert not (PACKAGE / "formulas.py").exists()  # the dead alias is gone


def test_item1_each_new_package_says_what_it_owns_and_may_import():
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert NEW_PACKAGES <= packages
    for name in NEW_PACKAGES:
        doc = _docstring(PACKAGE / name / "__init__.py")
        assert len(doc) > 150 and "import" in doc, name


@pytest.mark.slow
def test_item1_package_inits_import_nothing_heavy():
    # the new __init__s are docstrings (cli re-exports its entry points): importing one module of a
    # package must not pull in its neighbours, nor numpy or jax
    code = ("import sys; import priorcli.families.targets, priorcli.stats, priorcli.model.tree, "
            "priorcli.render.outfile, priorcli.plot, priorcli.sampling, priorcli.commands, priorcli.dists; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'jax', 'priorcli')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = set(eval(out))  # a printed list of module names
    assert not any(m.split(".")[0] in ("numpy", "jax") for m in loaded), loaded
    assert "priorcli.families.registry" not in loaded and "priorcli.stats.exact" not in loaded


def test_item1_cli_entry_points_stay_where_the_console_script_and_tests_find_them():
    import typer

    import priorcli.cli as cli
    from priorcli.cli import typer_app

    assert cli.main is typer_app.main and cli.run is typer_app.run
    assert isinstance(cli.app, typer.Typer)
    pyproject = (PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert 'priorcli = "priorcli.cli:main"' in pyproject
