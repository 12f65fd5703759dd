"""Helpers for the ``priorcli explore`` rows of benchmarks/run.py; each prints ``seconds=X`` last.

    python benchmarks/explore_bench.py first-frame   # cold start to the first full frame, in a pty
    python benchmarks/explore_bench.py update        # one parameter step of LogNormal, in-process

``first-frame`` starts ``python -m priorcli explore lognormal`` on a fresh 80x24 pseudo-terminal
and reports the time from spawning it until its table's last row (``q0.975``) has been drawn; it
then presses Esc and checks the exit code is 130. ``update`` times what one key press costs
without the terminal: the state change, the exact summary, the density curve and the plot text
(the median of 200 presses, alternating up and down so the values stay put).
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import statistics
import struct
import sys
import termios
import time


def first_frame() -> float:
    pid, fd = pty.fork()
    if pid == 0:  # the child: priorcli on the pty
        os.environ.update({"TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"})
        os.execv(sys.executable, [sys.executable, "-m", "priorcli", "explore", "lognormal"])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    t0 = time.perf_counter()
    seen = b""
    deadline = t0 + 60
    while b"q0.975" not in seen:
        if time.perf_counter() > deadline:
            os.kill(pid, 9)
            raise SystemExit("no first frame within 60 s")
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            seen = (seen + os.read(fd, 65536))[-4096:]
    elapsed = time.perf_counter() - t0
    time.sleep(0.3)  # a lone Esc byte is only a key press once no sequence follows it
    os.write(fd, b"\x1b")
    while True:  # drain until the child closes the pty
        try:
            ready, _, _ = select.select([fd], [], [], 5)
            if not ready or not os.read(fd, 65536):
                break
        except OSError:
            break
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 130:
        raise SystemExit(f"explore exited {code} after Esc, expected 130")
    return elapsed


def update() -> float:
    from priorcli import render
    from priorcli.explore.plot import density_text
    from priorcli.explore.state import ExploreState
    from priorcli.families import resolve_fast

    state = ExploreState(resolve_fast("lognormal"), {"loc": 0.0, "scale": 1.0})
    state.move_focus(1)  # scale: a multiplicative step

    def press(direction: int) -> None:
        state.step(direction)
        view = state.view()
        render.summary_rows([view.summary])
        density_text(view.curve, view.log_x, view.discrete, 46, 18)

    press(1)  # warm-up: first-use imports
    times = []
    for i in range(200):
        t0 = time.perf_counter()
        press(1 if i % 2 else -1)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else ""
    if which not in ("first-frame", "update"):
        raise SystemExit("usage: explore_bench.py first-frame|update")
    seconds = first_frame() if which == "first-frame" else update()
    print(f"seconds={seconds:.6f}")
