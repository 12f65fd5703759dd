"""Issue 19, the output files: never an overwrite that --force did not allow (checked when the file
is put in place), the umask and the replaced file's permissions, a full disk or a read-only
directory as one Error line, SIGTERM removing the temporary file, and the variable names carried by
--output and --format raw when there are several variables (sample --model, compare)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import assert_usage_error

PRIORCLI = [sys.executable, "-m", "priorcli"]
ENV = {**os.environ, "NO_COLOR": "1", "PRIORCLI_NO_SAMPLER_CACHE": "1"}


@contextlib.contextmanager
def tmpfs(directory, size: str, *, read_only: bool = False):
    """A small tmpfs mounted at ``directory`` (a real full disk or read-only mount); the test is
    skipped where mounting is not permitted."""
    options = f"size={size}" + (",ro" if read_only else "")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(directory)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield directory
    finally:
        subprocess.run(["umount", "-l", str(directory)], capture_output=True)


def entries(directory) -> list[str]:
    return sorted(os.listdir(directory))


# ---------------------------------------------------------------------------------------------
# Item 1: never replace a file that appeared meanwhile; permissions; unwritable places


@pytest.mark.slow
def test_item1_output_refuses_file_created_meanwhile(run, tmp_path, monkeypatch):
    """The file appears after the start-of-run check, while the draws are written (a second run,
    another program): the final step refuses to replace it, exit 1, and leaves no temporary file."""
    from priorcli.sampling import draws as sampling

    target = tmp_path / "draws.csv"
    real = sampling.draw_chunks

    def chunks_then_a_rival(*args, **kwargs):
        for i, chunk in enumerate(real(*args, **kwargs)):
            if i == 1:
                target.write_text("someone else's file\n")
            yield chunk

    monkeypatch.setattr(sampling, "draw_chunks", chunks_then_a_rival)
    result = run("sample", "normal", "-n", sampling.CHUNK + 5, "--output", target, "--no-plot")
    assert_usage_error(result, str(target), "--force", code=1)
    assert target.read_text() == "someone else's file\n"
    assert entries(tmp_path) == ["draws.csv"]


def test_item1_put_in_place_never_replaces_without_force(tmp_path):
    from priorcli.render import outfile
    from priorcli.errors import OutputError

    target = str(tmp_path / "t.json")
    for rival in ("file", "dangling symlink"):
        if rival == "file":
            with open(target, "w") as handle:
                handle.write("theirs")
        else:
            os.unlink(target)
            os.symlink(str(tmp_path / "nowhere"), target)
        staged = outfile.Staged(target, "t.json", force=False)
        with os.fdopen(staged.create(), "w") as handle:
            handle.write("ours")
        with pytest.raises(OutputError, match="--force"):
            staged.commit()
        staged.discard()
        assert os.path.lexists(target) and entries(tmp_path) == ["t.json"]
        if rival == "file":
            assert open(target).read() == "theirs"
        else:
            assert os.readlink(target) == str(tmp_path / "nowhere")
    staged = outfile.Staged(target, "t.json", force=True)  # --force replaces the link itself
    with os.fdopen(staged.create(), "w") as handle:
        handle.write("ours")
    staged.commit()
    assert not os.path.islink(target) and open(target).read() == "ours" and entries(tmp_path) == ["t.json"]


def test_item1_a_dangling_symlink_counts_as_existing(run, tmp_path):
    target = tmp_path / "d.npy"
    target.symlink_to(tmp_path / "elsewhere.npy")
    assert_usage_error(run("sample", "normal", "-n", 10, "--output", target), str(target), "--force")
    assert entries(tmp_path) == ["d.npy"] and not (tmp_path / "elsewhere.npy").exists()


def test_item1_new_files_follow_the_umask_and_force_keeps_the_mode(run, tmp_path):
    target = tmp_path / "d.csv"
    previous = os.umask(0o027)
    try:
        assert run("sample", "normal", "-n", 10, "--output", target, "--no-plot").exit_code == 0
        assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
        os.chmod(target, 0o604)
        assert run("sample", "normal", "-n", 10, "--output", target, "--force", "--no-plot").exit_code == 0
        assert stat.S_IMODE(os.stat(target).st_mode) == 0o604
        code = tmp_path / "m.py"  # emitted code goes through the same step
        assert run("sample", "--model", "x ~ Normal(0, 1)", "--emit", "numpyro", "--output", code).exit_code == 0
        assert stat.S_IMODE(os.stat(code).st_mode) == 0o640
    finally:
        os.umask(previous)
    assert entries(tmp_path) == ["d.csv", "m.py"]


def test_item1_a_directory_given_as_output_is_a_usage_error(run, tmp_path):
    directory = tmp_path / "d.csv"
    directory.mkdir()
    for extra in ((), ("--force",)):
        result = run("sample", "normal", "-n", 10, "--output", directory, *extra)
        assert_usage_error(result, str(directory), "is a directory", code=2)
    assert entries(tmp_path) == ["d.csv"] and entries(directory) == []


def test_item1_a_read_only_mount_is_one_error_line(run, tmp_path):
    mount = tmp_path / "ro"
    mount.mkdir()
    with tmpfs(mount, "1m", read_only=True):
        for name in ("d.csv", "d.npy"):
            result = run("sample", "normal", "-n", 10, "--output", mount / name, "--no-plot")
            assert_usage_error(result, str(mount / name), "Read-only file system", code=1)
        result = run("sample", "--model", "x ~ Normal(0, 1)", "--emit", "stan", "--output", mount / "m.stan")
        assert_usage_error(result, "Read-only file system", code=1)


@pytest.mark.slow
def test_item1_an_unwritable_directory_is_one_error_line(tmp_path):
    directory = tmp_path / "locked"
    directory.mkdir()
    directory.chmod(0o555)
    target = directory / "d.csv"
    argv = PRIORCLI + ["sample", "normal", "-n", "10", "--output", str(target)]
    if os.geteuid() == 0:  # root writes anywhere: run it without the capability that allows that
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: permissions cannot be tested")
        argv = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *argv]
    try:
        result = subprocess.run(argv, env=ENV, capture_output=True, text=True, timeout=120)
        assert result.returncode == 1, result.stderr
        assert result.stderr.splitlines() == [f"Error: --output '{target}': cannot write in directory '{directory}' "
                                              "(Permission denied)"]
        assert entries(directory) == []
    finally:
        directory.chmod(0o755)


# ---------------------------------------------------------------------------------------------
# Item 2: a full disk, SIGTERM


@pytest.mark.slow
@pytest.mark.parametrize("name, n", [("d.npy", 1_000_000), ("d.csv", 1_100_000)])
def test_item2_full_disk_is_an_error_and_leaves_no_temp(tmp_path, name, n):
    """A real full disk (a 1 MB tmpfs): .npy (8 MB, written at once) used to die of SIGBUS in its
    memory map and leave its temporary file; .csv above one chunk streams."""
    mount = tmp_path / "small"
    mount.mkdir()
    with tmpfs(mount, "1m"):
        target = mount / name
        result = subprocess.run(PRIORCLI + ["sample", "normal", "-n", str(n), "--output", str(target), "--no-plot"],
                                env=ENV, capture_output=True, text=True, timeout=300)
        assert result.returncode == 1, (result.returncode, result.stderr)
        assert result.stderr.splitlines() == [
            f"Error: could not write the output: No space left on device (--output '{target}')"]
        assert result.stdout == ""
        assert entries(mount) == []


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])  # SIGHUP: a closed terminal or ssh session
def test_item2_sigterm_removes_the_temporary_file(tmp_path, signum):
    target = tmp_path / "draws.json"
    process = subprocess.Popen(
        PRIORCLI + ["sample", "normal", "-n", "100000000", "--format", "json", "--output", str(target)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV,
    )
    deadline = time.monotonic() + 120
    while not any(p.name.startswith(".priorcli-") for p in tmp_path.iterdir()):
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.1)
    process.send_signal(signum)
    _, err = process.communicate(timeout=120)
    assert process.returncode == -signum, (process.returncode, err.decode())  # killed by it, as it asked
    assert err == b""
    assert entries(tmp_path) == []


# ---------------------------------------------------------------------------------------------
# Item 9: names in sample --model's outputs


MODEL = "a ~ Normal(0, 1); s ~ HalfNormal(1); b = 2 * a + 1"  # b is a closed form of a: the oracle


def _model_raw(run, *extra):
    result = run("sample", "--model", MODEL, "-n", 200, "--seed", 4, "--format", "raw", *extra)
    assert result.exit_code == 0, result.stderr
    return result.stdout.splitlines()


def test_item9_model_raw_has_a_header_line(run):
    lines = _model_raw(run)
    assert lines[0] == "a,s,b" and len(lines) == 201
    rows = np.array([[float(v) for v in line.split(",")] for line in lines[1:]])
    np.testing.assert_allclose(rows[:, 2], 2 * rows[:, 0] + 1, rtol=1e-12, atol=1e-12)
    assert (rows[:, 1] > 0).all() and (rows[:, 0] < 0).any()
    assert _model_raw(run, "--show", "b,a")[0] == "b,a"
    single = _model_raw(run, "--show", "s")  # one variable: one draw per line, nothing else, as sample FAMILY
    assert len(single) == 200 and all(float(v) > 0 for v in single)


def test_item9_model_outputs_carry_the_names(run, tmp_path):
    files = {suffix: tmp_path / f"m{suffix}" for suffix in (".csv", ".npy", ".json")}
    for path in files.values():
        result = run("sample", "--model", MODEL, "-n", 200, "--seed", 4, "--output", path, "--show", "b,s,a",
                     "--no-plot")
        assert result.exit_code == 0, result.stderr
    lines = files[".csv"].read_text().splitlines()
    assert lines[0] == "b,s,a" and len(lines) == 201
    csv = np.array([[float(v) for v in line.split(",")] for line in lines[1:]])
    npy = np.load(files[".npy"])
    assert npy.shape == (200,) and npy.dtype.names == ("b", "s", "a")
    doc = json.loads(files[".json"].read_text())
    assert list(doc) == ["b", "s", "a"] and all(len(v) == 200 for v in doc.values())
    for columns in ({k: csv[:, i] for i, k in enumerate("bsa")}, {k: npy[k] for k in "bsa"},
                    {k: np.array(v) for k, v in doc.items()}):
        np.testing.assert_allclose(columns["b"], 2 * columns["a"] + 1, rtol=1e-12, atol=1e-12)
        assert (columns["s"] > 0).all()
        np.testing.assert_array_equal(columns["a"], csv[:, 2])  # the same draws in every file
    # summarize reads the CSV back by name
    back = run("summarize", "--input", files[".csv"], "--column", "a", "--format", "json")
    assert back.exit_code == 0, back.stderr
    assert json.loads(back.stdout)["summary"]["mean"] == pytest.approx(float(np.mean(csv[:, 2])), rel=1e-12)


@pytest.mark.slow
def test_item9_a_single_family_sample_is_written_as_before(run, tmp_path):
    """No header, a plain float64 array, a JSON list: the bytes np.save and %.17g lines give."""
    raw = run("sample", "gamma", "--alpha", "2", "-n", 300, "--seed", 5, "--format", "raw")
    draws = np.array([float(v) for v in raw.stdout.split()])
    for suffix in (".csv", ".npy", ".json"):
        result = run("sample", "gamma", "--alpha", "2", "-n", 300, "--seed", 5, "--output", tmp_path / f"g{suffix}")
        assert result.exit_code == 0, result.stderr
    assert (tmp_path / "g.csv").read_text() == raw.stdout
    oracle = tmp_path / "oracle.npy"
    np.save(oracle, draws)
    assert (tmp_path / "g.npy").read_bytes() == oracle.read_bytes()
    assert (tmp_path / "g.json").read_text() == json.dumps(draws.tolist()) + "\n"
    dirichlet = run("sample", "dirichlet", "--concentration", "1,2,3", "-n", 50, "--seed", 5, "--format", "raw")
    rows = np.array([[float(v) for v in line.split(",")] for line in dirichlet.stdout.splitlines()])
    assert run("sample", "dirichlet", "--concentration", "1,2,3", "-n", 50, "--seed", 5,
               "--output", tmp_path / "dir.npy").exit_code == 0
    np.save(oracle, rows)
    assert (tmp_path / "dir.npy").read_bytes() == oracle.read_bytes()


# ---------------------------------------------------------------------------------------------
# Item 11: compare --format raw is draws


def test_item11_compare_raw_is_draws_one_column_per_distribution(run):
    n = 4000
    result = run("compare", "Normal(0, 1)", "Normal(5, 2)", "LogNormal(0, 0.5)", "-n", n, "--seed", 7,
                 "--format", "raw")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "d1,d2,d3" and len(lines) == n + 1
    rows = np.array([[float(v) for v in line.split(",")] for line in lines[1:]])
    for column, (mean, sd) in zip(rows.T, [(0, 1), (5, 2), (np.exp(0.125), np.sqrt((np.exp(0.25) - 1) * np.exp(0.25)))]):
        assert abs(column.mean() - mean) < 4.5 * sd / np.sqrt(n)
    assert (rows[:, 2] > 0).all()
    one = run("compare", "Normal(5, 2)", "-n", 50, "--seed", 7, "--format", "raw")
    assert one.exit_code == 0 and len(one.stdout.splitlines()) == 50
    assert [float(v) for v in one.stdout.split()] == [float(line.split(",")[1]) for line in lines[1:51]]


def test_item9_names_outside_latin1_and_draws_json_cannot_hold(run, tmp_path):
    path = tmp_path / "u.npy"
    assert run("sample", "--model", "θ ~ Normal(0, 1); b = θ + 1", "-n", 20, "--output", path).exit_code == 0
    saved = np.load(path)
    assert saved.dtype.names == ("θ", "b")
    np.testing.assert_allclose(saved["b"], saved["θ"] + 1, rtol=1e-12, atol=1e-12)
    result = run("sample", "--model", "x ~ Normal(1000, 1); y = exp(x)", "-n", 5, "--output", tmp_path / "o.json")
    assert_usage_error(result, "o.json", "not finite", code=1)
    assert entries(tmp_path) == ["u.npy"]
