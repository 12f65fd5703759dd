"""Issue 19, draws from files and pipes: several --input files pooled, an .npz with a foreign
member, a JSON integer beyond Python's parsing limit, a FIFO named like a binary format, and the
packages the NetCDF reader needs (declared in pyproject.toml, named when missing).

Oracles: numpy and scipy on the values the test itself wrote (concatenated for pooling)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import tomllib
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from conftest import assert_usage_error
from test_input import assert_summary_matches, lines_of
from test_input_formats import write_cmdstan_csv

REPO = Path(__file__).resolve().parents[1]


def cmdstan_values(path, name: str) -> np.ndarray:
    """A column of a CmdStan file as numpy reads it (comment lines skipped)."""
    text = [line for line in Path(path).read_text().splitlines() if line and not line.startswith("#")]
    header = text[0].split(",")
    table = np.loadtxt(text[1:], delimiter=",", ndmin=2)
    return table[:, header.index(name)]


@pytest.fixture
def chains(tmp_path):
    """Three CmdStan output files, one per chain, as `cmdstan sample` writes them."""
    paths = []
    for chain in range(3):
        path = tmp_path / f"out-{chain + 1}.csv"
        write_cmdstan_csv(path, draws=300 + 50 * chain, seed=chain)
        paths.append(path)
    return paths


def arviz():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ArviZ announces its 1.0 refactor on import
        import arviz as az
    return az


# ---------------------------------------------------------------------------------------------
# Item 10: several --input files are pooled


def test_item10_repeated_input_files_are_pooled(run, chains):
    a, b = chains[:2]
    result = run("summarize", "--input", a, "--input", b, "--column", "mu", "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    pooled = np.concatenate([cmdstan_values(a, "mu"), cmdstan_values(b, "mu")])
    assert_summary_matches(doc["summary"], pooled)
    assert doc["sources"] == [{"path": str(a), "n": 300}, {"path": str(b), "n": 350}]
    assert isinstance(doc["source"], str) and str(a) in doc["source"] and str(b) in doc["source"]
    assert doc["variable"] == "mu"


def test_item10_a_shell_glob_after_input_is_pooled(run, chains):
    """`--input out-*.csv`: the shell passes the paths as separate words after --input."""
    doc = run.json("summarize", "--input", *chains, "--variable", "theta", "--variable", "tau")
    assert list(doc["variables"]) == ["theta.1", "theta.2", "theta.3", "tau"]
    for name, entry in doc["variables"].items():
        assert_summary_matches(entry["mc"], np.concatenate([cmdstan_values(p, name) for p in chains]))
    assert doc["sources"] == [{"path": str(p), "n": n} for p, n in zip(chains, (300, 350, 400))]


def test_item10_table_shows_each_files_draw_count(run, chains):
    result = run("summarize", "--input", *chains[:2], "--column", "tau", "--no-plot")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:3] == ["650 draws of tau from 2 files", f"  {chains[0]}: 300 draws",
                                              f"  {chains[1]}: 350 draws"]


def test_item10_fit_uses_the_pooled_draws(run, chains):
    doc = run.json("summarize", "--input", *chains, "--column", "mu", "--fit", "normal")
    pooled = np.concatenate([cmdstan_values(p, "mu") for p in chains])
    loc, scale = stats.norm.fit(pooled)  # the closed-form maximum-likelihood estimate
    assert doc["fit"]["params"]["loc"] == pytest.approx(loc, rel=1e-6, abs=1e-9)
    assert doc["fit"]["params"]["scale"] == pytest.approx(scale, rel=1e-6)


def test_item10_files_with_other_variables_are_refused_naming_the_file(run, tmp_path, chains):
    other = tmp_path / "other.csv"
    other.write_text("mu,theta.1,theta.2\n" + "".join(f"{i},{i + 1},{i + 2}\n" for i in range(5)))
    result = run("summarize", "--input", chains[0], other, "--variable", "theta")
    assert_usage_error(result, f"'{other}'", "'theta.1', 'theta.2'", "same variables", code=1)
    named, unnamed = tmp_path / "named.csv", tmp_path / "unnamed.csv"
    named.write_text("x\n1\n2\n")
    unnamed.write_text("3\n4\n")  # no header row: its one column has no name
    assert_usage_error(run("summarize", "--input", named, "--input", unnamed),
                       f"'{unnamed}'", "unnamed draws", "'x'", code=1)


@pytest.mark.slow
def test_item10_netcdf_files_must_read_the_same_group(run, tmp_path):
    az = arviz()
    first, second = tmp_path / "a.nc", tmp_path / "b.nc"
    az.from_dict(prior={"mu": np.zeros((1, 10))}).to_netcdf(str(first))
    az.from_dict(posterior={"mu": np.ones((1, 10))}).to_netcdf(str(second))
    assert_usage_error(run("summarize", "--input", first, second), f"'{second}'", "'posterior'", "--group", code=1)
    doc = run.json("summarize", "--input", first, "--input", first)
    assert doc["summary"]["n"] == 20 and doc["group"] == "prior"


def test_item10_stdin_pools_with_files_once(run, tmp_path):
    path = tmp_path / "x.txt"
    path.write_text(lines_of([5.0, 6.0]))
    doc = run.json("summarize", "--input", "-", "--input", path, input=lines_of([1.0, 2.0, 3.0]))
    assert_summary_matches(doc["summary"], [1.0, 2.0, 3.0, 5.0, 6.0])
    assert doc["sources"] == [{"path": "-", "n": 3}, {"path": str(path), "n": 2}]
    assert_usage_error(run("summarize", "--input", "-", "--input", "-", input="1\n"), "'-'", "once")


def test_item10_a_word_after_input_that_is_no_file_is_a_usage_error(run, tmp_path):
    path = tmp_path / "x.txt"
    path.write_text(lines_of([1.0, 2.0]))
    assert_usage_error(run("summarize", "--input", path, "gamma"), "'gamma'", "--input", "FAMILY")
    assert_usage_error(run("summarize", "--input", path, "gamma", "--alpha", "2"), "--input")


def test_item10_drop_nonfinite_counts_over_all_files(run, tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("1\nnan\n2\n")
    b.write_text("inf\n3\n")
    result = run("summarize", "--input", a, b, "--drop-nonfinite", "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert_summary_matches(doc["summary"], [1.0, 2.0, 3.0])
    assert doc["sources"] == [{"path": str(a), "n": 3}, {"path": str(b), "n": 2}]
    assert "dropped 2 non-finite value(s)" in result.stderr


# ---------------------------------------------------------------------------------------------
# .npz with a member that is not an array


@pytest.mark.parametrize("args", [(), ("--variable", "mu")])
def test_item_npz_with_a_non_npy_member_names_file_and_member(run, tmp_path, args):
    path = tmp_path / "s.npz"
    np.savez(path, mu=np.arange(5.0))
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("notes.txt", "not an array")
    assert_usage_error(run("summarize", "--input", path, *args), f"'{path}'", "'notes.txt'", "not a .npy", code=1)


# ---------------------------------------------------------------------------------------------
# JSON integer longer than Python's int parsing limit


@pytest.mark.parametrize("digits", ["9" * 5000, "-" + "9" * 5000, "9" * 400])
def test_item_json_huge_integer_reads_as_inf_and_is_refused_with_its_element(run, tmp_path, digits):
    path = tmp_path / "d.json"
    path.write_text(f"[1, 2,\n {digits}, 4]")
    assert_usage_error(run("summarize", "--input", path), str(path), "element [2]", "inf", code=1)
    result = run("summarize", "--input", path, "--drop-nonfinite", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert_summary_matches(json.loads(result.stdout)["summary"], [1.0, 2.0, 4.0])


def test_item_json_integers_read_as_numpy_reads_them(run, tmp_path):
    values = [3, 2**53 + 1, -(10**20), 12345678901234567891]
    path = tmp_path / "d.json"
    path.write_text(json.dumps(values))
    doc = run.json("summarize", "--input", path)
    assert_summary_matches(doc["summary"], np.array([float(v) for v in values]))


# ---------------------------------------------------------------------------------------------
# A FIFO named like a binary format is read once, never reopened


def _write_nc(path):
    arviz().from_dict(prior={"mu": np.arange(20.0).reshape(2, 10)}).to_netcdf(str(path))


def _write_npy(path):
    np.save(path, np.arange(20.0))


def _write_npz(path):
    np.savez(path, mu=np.arange(20.0))


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX FIFOs")
@pytest.mark.parametrize("suffix, write", [(".nc", _write_nc), (".npy", _write_npy), (".npz", _write_npz)])
def test_item_fifo_with_binary_suffix_is_read_once(tmp_path, suffix, write):
    regular = tmp_path / f"regular{suffix}"
    write(regular)
    data = regular.read_bytes()
    fifo = tmp_path / f"x{suffix}"
    os.mkfifo(fifo)

    def writer():
        try:
            with open(fifo, "wb") as handle:
                handle.write(data)
        except BrokenPipeError:  # a reader that closed early (the bug: it opens the FIFO again)
            pass

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        # A bounded wait, not a timing: a reader that reopens the FIFO blocks for ever.
        result = subprocess.run([sys.executable, "-m", "priorcli", "summarize", "--input", str(fifo),
                                 "--format", "json"], capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail(f"summarize --input on a FIFO named {suffix} blocked")
    finally:
        if thread.is_alive():  # release a writer still waiting for a reader
            os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
        thread.join(10)
    assert result.returncode == 0, result.stderr
    assert_summary_matches(json.loads(result.stdout)["summary"], np.arange(20.0))


# ---------------------------------------------------------------------------------------------
# Install: the NetCDF reader's packages are declared, and a missing one is named


def _distribution_closure(requirements: list[str]) -> set[str]:
    """Every installed distribution that ``requirements`` pull in (extras left out)."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    seen: set[str] = set()
    todo = list(requirements)
    while todo:
        requirement = Requirement(todo.pop())
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        name = canonicalize_name(requirement.name)
        if name in seen:
            continue
        seen.add(name)
        try:
            todo += metadata.requires(requirement.name) or []
        except metadata.PackageNotFoundError:
            pass
    return seen


@pytest.mark.slow
def test_install_netcdf_is_read_with_only_the_declared_dependencies(tmp_path):
    """What CI's fresh venv from pyproject.toml has: every package outside the closure of
    [project].dependencies is made unimportable (arviz, in the test extra, brings h5py along, so
    the test environment alone proves nothing), then a NetCDF file written here is read."""
    from importlib import metadata

    from packaging.utils import canonicalize_name

    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    closure = _distribution_closure(declared) | {"priorcli"}
    blocked = sorted(module for module, dists in metadata.packages_distributions().items()
                     if not module.startswith("_") and module.isidentifier()
                     and not any(canonicalize_name(d) in closure for d in dists))
    assert "arviz" in blocked  # the block is real: the test extra is not in the closure
    path = tmp_path / "prior.nc"
    arviz().from_dict(prior={"mu": np.linspace(-1, 1, 40).reshape(2, 20)}).to_netcdf(str(path))
    code = (
        "import sys\n"
        f"blocked = set({blocked!r})\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in blocked:\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from priorcli.cli import run\n"
        f"sys.argv = ['priorcli', 'summarize', '--input', {str(path)!r}, '--format', 'json']\n"
        "run()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert_summary_matches(json.loads(result.stdout)["summary"], np.linspace(-1, 1, 40))


def test_install_h5py_is_declared_with_its_reason():
    text = (REPO / "pyproject.toml").read_text()
    declared = tomllib.loads(text)["project"]["dependencies"]
    assert any(d.replace(" ", "").startswith("h5py") for d in declared)
    line = next(line for line in text.splitlines() if line.strip().startswith('"h5py'))
    assert "#" in line  # the comment saying why


@pytest.mark.parametrize("module", ["h5py", "h5netcdf"])
def test_install_missing_netcdf_package_is_one_error_line(run, tmp_path, monkeypatch, module):
    path = tmp_path / "prior.nc"
    _write_nc(path)
    monkeypatch.setitem(sys.modules, module, None)  # `import module` now raises ImportError
    assert_usage_error(run("summarize", "--input", path),
                       f"reading .nc files needs the {module} package (pip install {module})", code=1)
