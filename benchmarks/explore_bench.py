"""Helpers for the ``priorcli explore`` rows of benchmarks/run.py; each prints ``seconds=X`` last.

    python benchmarks/explore_bench.py first-frame   # cold start to the first full frame, in a pty
    python benchmarks/explore_bench.py update        # one parameter step of LogNormal, in-process
    python benchmarks/explore_bench.py chip          # one roulette chip press while a ranking runs
    python benchmarks/explore_bench.py rank          # the roulette's ranking of 400 chips, cold

``first-frame`` starts ``python -m priorcli explore lognormal`` on a fresh 80x24 pseudo-terminal
and reports the time from spawning it until its table's last row (``q0.975``) has been drawn; it
then presses Esc and checks the exit code is 130. ``update`` times what one key press costs
without the terminal: the state change, the exact summary, the density curve and the plot text
(the median of 200 presses, alternating up and down so the values stay put).

``chip`` drives the roulette app headless (Textual's pilot, 80x24) on 400 Gamma-shaped chips in
16 bins of [0, 16) and times 30 Up presses ten a second, each from posting the key event (as the
driver does) until the screen's key handler has returned (chips counted, text redrawn), while the
ranking worker thread runs (every press makes the running ranking stale, so it stops and the next
starts); it reports the median press and prints the slowest and the time the ranking then takes
to settle. ``rank`` is the first ranking of those
chips in a fresh process (imports of scipy etc. included, ranking module imported before timing).
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
    from priorcli.render import output as render
    from priorcli.explore.plot import density_text
    from priorcli.explore.state import ExploreState
    from priorcli.families.registry import resolve_fast

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


def _gamma_chips() -> list[int]:
    from scipy import stats

    cdf = [float(stats.gamma(4).cdf(k)) for k in range(17)]
    return [round(400 * (b - a)) for a, b in zip(cdf[:-1], cdf[1:])]


def chip() -> float:
    import asyncio

    from textual import events

    from priorcli.explore.app import ExploreApp, RouletteScreen
    from priorcli.explore.roulette_state import RouletteState

    state = RouletteState(0.0, 16.0, 16, _gamma_chips())
    handled: list[float] = []
    original = RouletteScreen.on_key

    def on_key(self, event) -> None:  # the app's own handler, timed to its end (redraw included)
        original(self, event)
        handled.append(time.perf_counter())

    RouletteScreen.on_key = on_key

    async def go() -> list[float]:
        app = ExploreApp(state, roulette=True)
        latencies, busy = [], 0
        async with app.run_test(size=(80, 24)) as pilot:
            await asyncio.sleep(0.05)
            for _ in range(30):
                busy += bool(app.workers)
                before = len(handled)
                t0 = time.perf_counter()
                app.screen.post_message(events.Key("up", None))  # as the driver posts a key press
                while len(handled) == before:
                    await asyncio.sleep(0.0005)
                latencies.append(handled[-1] - t0)
                await asyncio.sleep(0.1)  # fast typing: ten keys a second
            t0 = time.perf_counter()
            while state.stale or app.workers:
                await app.workers.wait_for_complete()
                await pilot.pause()
            settle = time.perf_counter() - t0
        print(f"{busy} of 30 presses while the ranking worker ran; slowest {max(latencies):.4f} s; "
              f"ranking settled {settle:.3f} s after the last press", file=sys.stderr)
        return latencies

    return statistics.median(asyncio.run(go()))


def rank() -> float:
    from priorcli.explore import roulette
    from priorcli.explore.roulette_state import RouletteState

    chips = _gamma_chips()
    state = RouletteState(0.0, 16.0, 16, chips)
    t0 = time.perf_counter()
    state.refit()
    elapsed = time.perf_counter() - t0
    if state.best is None or state.best.family != "Gamma":
        raise SystemExit(f"expected Gamma first, got {state.best and state.best.family}: {state.message}")
    print(f"{len(state.ranking.ranked)} families ranked of {len(roulette.candidates(0.0, 16.0))}", file=sys.stderr)
    return elapsed


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else ""
    helpers = {"first-frame": first_frame, "update": update, "chip": chip, "rank": rank}
    if which not in helpers:
        raise SystemExit("usage: explore_bench.py " + "|".join(helpers))
    seconds = helpers[which]()
    print(f"seconds={seconds:.6f}")
