"""Behaviour only a real process shows: closed pipes, Ctrl-C, and the console entry point."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time

import pytest

PRIORCLI = [sys.executable, "-m", "priorcli"]


@pytest.mark.slow
def test_closed_pipe_exits_quietly():
    producer = subprocess.Popen(PRIORCLI + ["sample", "normal", "-n", "2000000", "--format", "raw"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = producer.stdout.readline()  # like `| head -1`
    producer.stdout.close()
    _, err = producer.communicate(timeout=120)
    assert math.isfinite(float(first))  # the first line is one complete number (0.0 included)
    assert producer.returncode == 0
    assert err == b""


@pytest.mark.slow
def test_ctrl_c_exits_130_with_one_line_and_no_partial_file(tmp_path):
    target = tmp_path / "draws.csv"  # text: slow to write, so the run is surely still going
    process = subprocess.Popen(
        PRIORCLI + ["sample", "normal", "-n", "100000000", "--format", "json", "--output", str(target)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    # Wait until sampling has started: the temporary output file appears beside the target.
    deadline = time.monotonic() + 120
    while not any(p.name.startswith(".priorcli-") for p in tmp_path.iterdir()):
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err.decode()
    assert err.decode().strip().splitlines() == ["Error: interrupted"], err.decode()
    assert list(tmp_path.iterdir()) == []  # neither the target nor the temporary file


# sample | summarize between two real processes: tests/test_input.py::test_pipe_between_processes.


@pytest.mark.slow
def test_no_colour_when_not_a_terminal_even_without_no_color():
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    result = subprocess.run(PRIORCLI + ["sample", "lognormal", "-n", "500"], capture_output=True, env=env,
                            timeout=120)
    assert result.returncode == 0 and b"\x1b" not in result.stdout


@pytest.mark.slow
def test_ctrl_c_during_start_up_exits_promptly():
    """Ctrl-C while jax and its backend start: exit 130 with one line, within seconds. A raised
    KeyboardInterrupt used to land in jax's gc callback (swallowed: the run went on to exit 0) or
    in its backend start-up (which then hung)."""
    for delay in (0.3, 0.6, 0.8, 1.0, 1.4, 1.8):
        process = subprocess.Popen(PRIORCLI + ["sample", "normal", "-n", "100000000", "--format", "json"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
        assert process.returncode == 130, (delay, err.decode())
        assert err.decode().strip().splitlines() == ["Error: interrupted"], (delay, err.decode())


# ---------------------------------------------------------------------------------------------
# The entry point leaves without the interpreter's teardown (priorcli.cli.main): nothing may be lost


@pytest.mark.slow
def test_entry_point_flushes_everything_and_keeps_exit_codes(tmp_path):
    target = tmp_path / "draws.json"
    ok = subprocess.run(PRIORCLI + ["sample", "lognormal", "-n", "300", "--format", "json", "--output", str(target)],
                        capture_output=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    import json

    assert len(json.loads(target.read_text())) == 300  # the whole file, closed and in place
    assert [p.name for p in tmp_path.iterdir()] == ["draws.json"]
    # A long stdout through a pipe arrives whole: the final flush happens before the exit.
    raw = subprocess.run(PRIORCLI + ["sample", "normal", "-n", "200000", "--format", "raw"], capture_output=True,
                         timeout=120)
    assert raw.returncode == 0 and len(raw.stdout.split()) == 200000
    bad = subprocess.run(PRIORCLI + ["sample", "lognormal", "--sigma", "-1"], capture_output=True, timeout=120)
    assert bad.returncode == 2 and bad.stderr.decode().splitlines() == [
        "Error: --sigma -1 is outside its constraint: must be a positive number"]


@pytest.mark.slow
def test_entry_point_runs_atexit_callbacks():
    code = ("import atexit, sys\n"
            "atexit.register(lambda: sys.stderr.write('atexit ran\\n'))\n"
            "from priorcli.cli import main\n"
            "sys.argv = ['priorcli', 'solve', '--mode', '1', '--sigma', '0.5']\n"
            "main()\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "loc" in result.stdout
    assert result.stderr == "atexit ran\n"


@pytest.mark.slow
def test_a_full_disk_is_an_error_not_a_silent_success():
    if not os.path.exists("/dev/full"):
        import pytest

        pytest.skip("no /dev/full")
    with open("/dev/full", "w") as full:
        result = subprocess.run(PRIORCLI + ["solve", "--mode", "1", "--sigma", "0.5"], stdout=full,
                                stderr=subprocess.PIPE, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr == "Error: could not write the output: No space left on device\n"


@pytest.mark.slow
def test_profilers_still_get_their_data(tmp_path):
    # cProfile writes its file at shutdown: the quick exit steps aside while a profiler runs.
    out = tmp_path / "prof.out"
    result = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(out), "-m", "priorcli", "solve", "--mode", "1",
                             "--sigma", "0.5"], capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr
    import pstats

    assert pstats.Stats(str(out)).total_calls > 0


@pytest.mark.slow
def test_closed_stderr_keeps_the_exit_code():
    # Started with fd 2 closed, Python's sys.stderr is None: the quick exit must not trip over it.
    import shlex

    command = shlex.join(PRIORCLI + ["solve", "gamma", "--mean", "2", "--sd", "1", "--format", "json"])
    ok = subprocess.run(["sh", "-c", f"{command} 2>&-"], capture_output=True, timeout=120)
    assert ok.returncode == 0 and b'"concentration": 4.0' in ok.stdout
    bad = subprocess.run(["sh", "-c", f"{command.replace('--sd 1', '--sd -1')} 2>&-"], capture_output=True,
                         timeout=120)
    assert bad.returncode == 2


@pytest.mark.slow
def test_python_i_still_reaches_the_prompt():
    result = subprocess.run([sys.executable, "-i", "-m", "priorcli", "solve", "--mode", "1", "--sigma", "0.5"],
                            input="print('prompt reached')\n", capture_output=True, text=True, timeout=120)
    assert "prompt reached" in result.stdout
