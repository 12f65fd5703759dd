"""A committed --output file is fsynced before its rename (SIGHUP's cleanup is tested beside
SIGTERM's in test_trust_output)."""

from __future__ import annotations

import os


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
