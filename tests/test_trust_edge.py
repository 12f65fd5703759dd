"""Issue 19, the process edge and explore: closed standard streams, closed pipes, values that look
like options, shell completion without a shell, and explore's ranges, bins, targets, screen size
and stepped values."""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import subprocess
import sys

import pytest
from scipy import stats

from conftest import assert_usage_error
from priorcli.errors import UsageError

PRIORCLI = [sys.executable, "-m", "priorcli"]


def _shell(command: str, **kwargs) -> subprocess.CompletedProcess:
    """Run a priorcli command line through bash, so that `>&-` / `<&-` really close the fd."""
    return subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=300, **kwargs)


def _one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("Error: "), stderr
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    return lines[0]


# ---------------------------------------------------------------------------------------------
# Closed standard streams


@pytest.mark.parametrize("argv", [["sample", "lognormal", "-n", "100"],
                                  ["solve", "gamma", "--mean", "2", "--sd", "1"],
                                  ["summarize", "normal", "--format", "json"]])
def test_item_stdout_closed_is_one_error_line_and_exit_1(argv):
    result = _shell(shlex.join(PRIORCLI + argv) + " >&-")
    assert result.returncode == 1, result.stderr
    assert "standard output is closed" in _one_error_line(result.stderr)


def test_item_stdout_closed_writes_no_output_file(tmp_path):
    target = tmp_path / "draws.csv"
    result = _shell(shlex.join(PRIORCLI + ["sample", "normal", "-n", "50", "--output", str(target)]) + " >&-")
    assert result.returncode == 1
    _one_error_line(result.stderr)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("argv,needle", [
    (["summarize", "--input", "-"], "--input -"),
    (["sample", "--model", "-"], "--model -"),
])
def test_item_stdin_closed_is_one_error_line(argv, needle):
    result = _shell(shlex.join(PRIORCLI + argv) + " <&-")
    assert result.returncode == 1, result.stderr
    line = _one_error_line(result.stderr)
    assert needle in line and "no standard input" in line


def test_item_stdin_closed_does_not_matter_to_commands_that_do_not_read_it():
    result = _shell(shlex.join(PRIORCLI + ["solve", "gamma", "--mean", "2", "--sd", "1", "--format", "json"]) + " <&-")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["params"] == pytest.approx({"concentration": 4.0, "rate": 2.0})


def test_item_closed_standard_fds_are_not_reused_for_files(tmp_path):
    # Started with fd 0 and 2 closed, the next file opened (an --output file) would be fd 0 or 2,
    # where anything writing to fd 2 underneath Python (jax's C++ logging) would land: priorcli
    # points them at /dev/null first, and sys.stdin/sys.stderr stay None (closed is still closed).
    code = ("import os, sys\n"
            "from priorcli.cli import _reserve_standard_fds\n"
            "_reserve_standard_fds()\n"
            f"fd = os.open({str(tmp_path / 'f')!r}, os.O_WRONLY | os.O_CREAT)\n"
            "print(fd, sys.stdin is None, sys.stderr is None)\n")
    result = _shell(shlex.join([sys.executable, "-c", code]) + " <&- 2>&-")
    assert result.returncode == 0
    fd, stdin_none, stderr_none = result.stdout.split()
    assert int(fd) > 2 and stdin_none == "True" and stderr_none == "True"


# ---------------------------------------------------------------------------------------------
# A closed pipe (`| head -1`): exit 0, nothing on stderr


def _into_closed_pipe(argv) -> subprocess.CompletedProcess:
    """Run priorcli with stdout a pipe whose reading end is already closed: every write fails with
    EPIPE, deterministically (`| head -1` once head has gone)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(PRIORCLI + argv, stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=300)
    finally:
        os.close(write_end)


@pytest.mark.parametrize("fmt", ["table", "csv", "raw", "json"])
def test_item_broken_pipe_exits_0_quietly_in_every_format(fmt):
    result = _into_closed_pipe(["sample", "lognormal", "-n", "1000", "--format", fmt])
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.parametrize("argv", [["sample", "lognormal", "-n", "300000"],
                                  ["summarize", "gamma", "--alpha", "2", "--beta", "1"],
                                  ["solve", "--mode", "1", "--sigma", "0.5"],
                                  ["list"]])
def test_item_broken_pipe_on_table_output_of_every_command(argv):
    result = _into_closed_pipe(argv)
    assert (result.returncode, result.stderr) == (0, "")


def test_item_head_1_on_table_output_exits_0():
    result = _shell("set +o pipefail; " + shlex.join(PRIORCLI + ["sample", "lognormal", "-n", "200000"])
                    + " | head -1; echo \"status=${PIPESTATUS[0]}\"")
    assert result.stdout.startswith("LogNormal(loc=0, scale=1): 200000 draws, seed 0\n")
    assert result.stdout.strip().endswith("status=0"), result.stdout
    assert result.stderr == ""


# ---------------------------------------------------------------------------------------------
# Values that look like options


@pytest.mark.parametrize("value,loc", [("-1", -1.0), ("-1.5e3", -1500.0), ("-.5", -0.5), ("-0", 0.0)])
def test_item_negative_numbers_are_values_of_family_parameters(run, value, loc):
    doc = run.json("sample", "normal", "--mu", value, "-n", "20")
    assert doc["params"] == {"loc": loc, "scale": 1.0}


@pytest.mark.parametrize("value", ["-inf", "-nan", "-Infinity"])
def test_item_minus_inf_is_refused_as_not_finite_naming_the_parameter(run, value):
    assert_usage_error(run("sample", "lognormal", "--mu", value), "--mu", "finite", value)


def test_item_negative_values_of_targets_and_declared_options(run):
    # --quantile P=V and --lower/--upper are family targets; --range is sample's own option.
    doc = run.json("solve", "normal", "--quantile", "0.5=-2", "--lower", "-3", "--upper", "-1", "--mass", "0.9")
    assert doc["params"]["loc"] == pytest.approx(-2.0, abs=1e-6)
    assert doc["params"]["scale"] == pytest.approx(1 / stats.norm.ppf(0.95), rel=1e-6)
    result = run("sample", "normal", "-n", "200", "--range", "-5,5")
    assert result.exit_code == 0, result.stderr
    assert_usage_error(run("sample", "normal", "--range", "-inf,5"), "--range", "finite")
    assert_usage_error(run("solve", "normal", "--lower", "-inf", "--upper", "3", "--mass", "0.9"), "--lower", "finite")
    doc = run.json("summarize", "dirichlet", "--concentration", "1,2,3")  # a vector value still parses
    assert doc["params"]["concentration"] == [1.0, 2.0, 3.0]
    assert_usage_error(run("summarize", "dirichlet", "--concentration", "-1,2,3"), "--concentration")


def test_item_negative_value_in_a_subprocess_names_the_parameter():
    result = subprocess.run(PRIORCLI + ["sample", "lognormal", "--mu", "-inf"], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 2
    line = _one_error_line(result.stderr)
    assert "--mu" in line and "-n" not in line.replace("-inf", "")


# ---------------------------------------------------------------------------------------------
# --install-completion


@pytest.fixture
def no_shell_detected(monkeypatch, tmp_path):
    import shellingham

    def fail(*args, **kwargs):
        raise shellingham.ShellDetectionFailure()

    monkeypatch.setattr(shellingham, "detect_shell", fail)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("SHELL", raising=False)
    return tmp_path


def test_item_install_completion_without_a_shell_is_a_usage_error(run, no_shell_detected):
    result = run("--install-completion")
    assert_usage_error(result, "--install-completion", "no shell was detected", "bash", "zsh", "fish",
                       "priorcli --install-completion bash")
    assert result.stdout == ""
    assert list(no_shell_detected.iterdir()) == []  # nothing installed


def test_item_install_completion_names_the_shell(run, no_shell_detected):
    assert_usage_error(run("--install-completion", "tcsh"), "'tcsh'", "bash, zsh or fish")
    result = run("--install-completion", "zsh")
    assert result.exit_code == 0, result.stderr
    assert "zsh completion installed" in result.stdout
    assert "_PRIORCLI_COMPLETE=complete_zsh" in (no_shell_detected / ".zfunc" / "_priorcli").read_text()
    result = run("--install-completion=bash")
    assert result.exit_code == 0, result.stderr
    assert "_PRIORCLI_COMPLETE=complete_bash" in (no_shell_detected / ".bash_completions" / "priorcli.sh").read_text()
