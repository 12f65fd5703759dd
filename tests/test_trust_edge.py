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


@pytest.mark.slow
def test_item_closed_standard_fds_are_not_reused_for_files(tmp_path):
    # Started with fd 0 and 2 closed, the next file opened (an --output file) would be fd 0 or 2,
    # where anything writing to fd 2 underneath Python (jax's C++ logging) would land: priorcli
    # points them at /dev/null first, and sys.stdin/sys.stderr stay None (closed is still closed).
    code = ("import os, sys\n"
            "from priorcli.cli.edge import _reserve_standard_fds\n"
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


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["table", "csv", "raw", "json"])
def test_item_broken_pipe_exits_0_quietly_in_every_format(fmt):
    result = _into_closed_pipe(["sample", "lognormal", "-n", "1000", "--format", fmt])
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.slow
@pytest.mark.parametrize("argv", [["sample", "lognormal", "-n", "300000"],
                                  ["summarize", "gamma", "--alpha", "2", "--beta", "1"],
                                  ["solve", "--mode", "1", "--sigma", "0.5"],
                                  ["list"]])
def test_item_broken_pipe_on_table_output_of_every_command(argv):
    result = _into_closed_pipe(argv)
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.slow
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


@pytest.mark.slow
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


# ---------------------------------------------------------------------------------------------
# explore


def _screen(state, keys=(), *, roulette=False, size=(80, 24), resize=None):
    """Drive the app at ``size`` (then resized to ``resize``); the screen's lines and the state."""
    from priorcli.explore.app import ExploreApp

    async def go():
        app = ExploreApp(state, roulette=roulette)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            for key in keys:
                await pilot.press(key)
            if resize is not None:
                await pilot.resize_terminal(*resize)
            await pilot.pause()
            await pilot.pause()
            return [strip.text for strip in app.screen._compositor.render_strips()]

    return asyncio.run(go())


@pytest.mark.parametrize("range_text,needle", [
    ("0,1e308", "within"), ("-1e200,0", "within"), ("0,1e-300", "too narrow"), ("5,5.00000001", "too narrow"),
    ("0,inf", "finite"), ("3,1", "LO < HI"), ("1,1", "LO < HI"),
])
def test_item_explore_roulette_range_is_validated_before_the_app(run, range_text, needle):
    assert_usage_error(run("explore", "--roulette", "--range", range_text), "--range", needle)


@pytest.mark.parametrize("bins", ["100000", "201", "1", "0", "-3"])
def test_item_explore_roulette_bins_are_capped(run, bins):
    assert_usage_error(run("explore", "--roulette", "--range", "0,10", "--bins", bins), "--bins", bins, "200")


@pytest.mark.slow
def test_item_explore_roulette_edges_at_the_limits_still_work():
    from priorcli.explore.roulette_state import RouletteState

    state = RouletteState(0.0, 1e100, 200)
    assert len(state.edges) == 201 and state.edges[-1] == 1e100
    lines = _screen(RouletteState(-1e100, 1e100, 10, [0, 0, 0, 1, 2, 3, 2, 1, 0, 0]), roulette=True)
    assert "┌" in lines[1] and "┐" in lines[1]


def test_item_explore_accepts_count_as_its_help_lists(run):
    from priorcli.explore import run as explore_run

    help_text = run("explore", "beta", "--help").stdout
    assert "--count N" in help_text
    state = explore_run.build_state("beta", ["--mean", "0.3", "--count", "10"], roulette=False, range_text=None,
                                    bins=None)
    # The Stan guide's mean/count: alpha = mean * count, beta = (1 - mean) * count.
    assert state.params == pytest.approx({"concentration1": 3.0, "concentration0": 7.0}, rel=1e-9)
    assert stats.beta(3.0, 7.0).mean() == pytest.approx(0.3)
    assert "count" in state.fields() and state.target_text["count"] == "10.0"
    # Not a terminal: the arguments were fine, so the terminal is what is refused.
    assert_usage_error(run("explore", "beta", "--mean", "0.3", "--count", "10"), "explore needs a terminal")


def test_item_explore_count_only_where_the_family_takes_it():
    from priorcli.explore import run as explore_run
    from priorcli.families.help import lookup, target_rows

    state = explore_run.build_state("beta", ["--mean", "0.3", "--count", "10"], roulette=False, range_text=None,
                                    bins=None)
    state.set_family("gamma")  # Gamma's help lists no --count: the field goes, and so does its value
    assert "count" not in state.fields() and state.target_text["count"] == ""
    for family in ("beta", "gamma", "normal", "betaproportion"):
        listed = {flags.split()[0].lstrip("-") for flags, _ in target_rows(lookup(family))}
        state.set_family(family)
        shown = {"quantile" if f == "quantiles" else f for f in state.target_fields}
        # skewness and kurtosis targets are the command line's; explore's form does not offer them
        assert listed - {"lower", "skewness", "kurtosis"} == shown - {"lower", "upper", "mass"}, family


def test_item_explore_too_small_terminal_says_so_and_redraws_when_enlarged():
    from priorcli.explore.state import ExploreState
    from priorcli.families.registry import resolve_fast

    state = ExploreState(resolve_fast("lognormal"), {})
    small = _screen(state, size=(60, 18))
    assert small[0].startswith("terminal too small (need at least 80x20)")
    assert not any("┌" in line or "mean" in line for line in small)
    enlarged = _screen(state, size=(60, 18), resize=(80, 24))
    assert enlarged[0].startswith("priorcli explore  LogNormal")
    box = [line for line in enlarged if "┌" in line or "└" in line]
    assert len(box) == 2 and all(line.rstrip().endswith(("┐", "┘")) for line in box), enlarged
    keys = _screen(state, ["right"], size=(60, 18))  # keys still work while too small
    assert keys[0].startswith("terminal too small") and state.params["loc"] != 0.0


def test_item_explore_roulette_too_small_terminal():
    from priorcli.explore.roulette_state import RouletteState

    lines = _screen(RouletteState(0.0, 10.0, 10), roulette=True, size=(60, 18))
    assert lines[0].startswith("terminal too small (need at least 80x20)")


def test_item_explore_stepped_values_have_6_significant_digits():
    from priorcli.explore.state import ExploreState, round_step
    from priorcli.families.registry import resolve_fast

    state = ExploreState(resolve_fast("normal"), {"loc": 0.0, "scale": 1.0})
    for _ in range(3):
        state.step(1)  # loc: 0.1, 0.2, 0.30000000000000004 unrounded
    assert state.params["loc"] == 0.3 and state.param_text["loc"] == "0.3"
    state.move_focus(1)
    for _ in range(5):
        state.step(1)  # scale: 1.1 ** 5 = 1.6105100000000006 unrounded
    assert state.param_text["scale"] == "1.61051" and state.params["scale"] == 1.61051
    beta = ExploreState(resolve_fast("beta"), {}, {"mean": "0.3", "count": "10"})
    beta.focus = beta.fields().index("mean")
    beta.step(1)
    assert len(beta.target_text["mean"].replace("0.", "", 1)) <= 6
    # A step that 6 digits would undo keeps as many digits as it needs, inside the constraint.
    assert round_step(1000.0, 1000.0001, "real") == 1000.0001
    assert round_step(0.9999999, 0.99999996, "unit_interval") == 0.99999996
    assert round_step(2.0, 2.2000000000000006, "positive") == 2.2
