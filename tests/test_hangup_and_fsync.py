"""A closed terminal (SIGHUP) ends a writing priorcli as SIGTERM does: the temporary output file is
removed and the process dies of that signal; a committed --output file is fsynced before its rename."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

PRIORCLI = [sys.executable, "-m", "priorcli"]
ENV = {**os.environ, "NO_COLOR": "1", "PRIORCLI_NO_SAMPLER_CACHE": "1"}


@pytest.mark.slow
def test_sighup_removes_the_temporary_file_and_ends_by_the_signal(tmp_path):
    target = tmp_path / "draws.json"
    process = subprocess.Popen(
        PRIORCLI + ["sample", "normal", "-n", "100000000", "--format", "json", "--output", str(target)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV,
    )
    deadline = time.monotonic() + 120
    while not any(p.name.startswith(".priorcli-") for p in tmp_path.iterdir()):
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.1)
    process.send_signal(signal.SIGHUP)
    _, err = process.communicate(timeout=120)
    assert process.returncode == -signal.SIGHUP, (process.returncode, err.decode())
    assert err == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_output_is_fsynced_before_it_is_renamed_into_place(run, tmp_path, monkeypatch):
    calls = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append(("fsync", os.readlink(f"/proc/self/fd/{fd}"))),
                                                 real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (calls.append(("replace", str(a))), real_replace(a, b))[1])
    target = tmp_path / "d.csv"
    result = run("sample", "normal", "-n", 50, "--output", target, "--no-plot", "--force")
    assert result.exit_code == 0, result.stderr
    synced = [path for kind, path in calls if kind == "fsync"]
    assert synced and os.path.basename(synced[0]).startswith(".priorcli-")
    assert len(target.read_text().splitlines()) == 50  # one draw per line
