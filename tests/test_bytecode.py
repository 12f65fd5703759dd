"""The test session's byte-compiled priorcli (conftest.byte_compile): every module has its pyc in
place for the child interpreters, and a pyc whose module was edited since is never read."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

import priorcli
from conftest import byte_compile

PACKAGE = Path(priorcli.__file__).resolve().parent


def test_every_priorcli_module_has_its_pyc():
    if not os.access(PACKAGE, os.W_OK):
        pytest.skip("priorcli's tree cannot be written to: its children compile from source")
    missing = [str(path.relative_to(PACKAGE)) for path in sorted(PACKAGE.rglob("*.py"))
               if not os.path.exists(importlib.util.cache_from_source(str(path)))]
    assert missing == []


def _value(directory) -> str:
    """``mod.VALUE`` as a new interpreter that writes no bytecode imports it from ``directory``."""
    done = subprocess.run([sys.executable, "-S", "-c", "import mod; print(mod.VALUE)"], cwd=directory,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_pyc_is_read_only_while_its_source_is_unchanged(tmp_path):
    source = tmp_path / "mod.py"
    source.write_text("VALUE = 1\n")
    os.utime(source, (1_700_000_000, 1_700_000_000))
    assert byte_compile(str(tmp_path))
    pyc = Path(importlib.util.cache_from_source(str(source)))
    assert pyc.exists()
    # The control: other bytes behind the same mtime and size (which no edit leaves) -- the pyc is
    # what is read, so the children do use the session's bytecode.
    source.write_text("VALUE = 2\n")
    os.utime(source, (1_700_000_000, 1_700_000_000))
    assert _value(tmp_path) == "1"
    # An edit (a new mtime, even at the same size): the source is read, not the stale pyc,
    # and the next session's byte_compile replaces the pyc.
    os.utime(source, (1_700_000_005, 1_700_000_005))
    assert _value(tmp_path) == "2"
    stale = pyc.read_bytes()
    assert byte_compile(str(tmp_path))
    assert pyc.read_bytes() != stale
    source.write_text("VALUE = 3\n")
    os.utime(source, (1_700_000_005, 1_700_000_005))
    assert _value(tmp_path) == "2"  # the new pyc is the one read
