"""priorcli explore: the state models, the Textual app through its own pilot (App.run_test), and
one run in a real terminal (tmux). The oracles are priorcli's own commands (summarize, solve: the
app must show what they print) and scipy.stats' cdfs for the roulette's losses."""

from __future__ import annotations

import asyncio
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest
from scipy import stats

from conftest import assert_usage_error, packages_after
from priorcli.errors import InfeasibleError, UsageError
from priorcli.explore import run as explore_run
from priorcli.explore.roulette_state import RouletteState
from priorcli.explore.state import ExploreState, step_value
from priorcli.families.registry import resolve_fast
from priorcli.records import scipy_oracle
from priorcli.explore.roulette import bin_edges, candidates, quantile_targets, rank_chips


def drive(state, keys, *, roulette=False, size=(80, 24), settle=False, burst=False):
    """Press ``keys`` in the app at ``size``; returns (app, screen texts by widget id, running).
    ``settle``: let the roulette's ranking worker finish (it may hand over to a new one for newer
    chips) before reading the screen. ``burst``: the keys sent all at once, as the driver sends
    them, without ``pilot.press``'s wait for the CPU to idle after each (which lets a running
    ranking finish first: one whole ranking per key instead of a burst)."""
    from textual import events

    from priorcli.explore.app import ExploreApp

    async def go():
        app = ExploreApp(state, roulette=roulette)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            for key in keys:
                if burst:
                    event = events.Key(key, key if len(key) == 1 else None)
                    event.set_sender(app)
                    app.post_message(event)
                else:
                    await pilot.press(key)
            await pilot.pause()
            for _ in range(100 if settle else 0):
                await app.workers.wait_for_complete()
                await pilot.pause()
                if not state.stale and not app.workers:
                    break
            texts = {w.id: str(w.render()) for w in app.screen.query("Static") if w.id}
            running = app.is_running
        return app, texts, running

    return asyncio.run(go())


def table_of(text: str) -> dict[str, str]:
    """'mean  1.64872' rows of a summary table -> {name: cell}."""
    rows = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and re.fullmatch(r"mean|sd|mode|median|q[0-9.]+", parts[0]):
            rows[parts[0]] = parts[1]
    return rows


def lognormal(**params):
    return ExploreState(resolve_fast("lognormal"), params)


# ---------------------------------------------------------------------------------------------
# Parameters


@pytest.mark.slow
def test_stepping_a_parameter_shows_what_summarize_prints(run):
    state = lognormal()
    _, texts, running = drive(state, ["right", "right", "down", "right", "left", "left", "left"])
    assert running
    # loc is real: two additive steps of a tenth of the scale; scale is positive: x1.1 then /1.1 three
    # times; each stepped value is rounded to 6 significant digits (1.1, 1, 0.909091, 0.826446).
    assert state.params["loc"] == pytest.approx(0.2, rel=1e-12)
    assert state.params["scale"] == float(f"{float(f'{1 / 1.1:.6g}') / 1.1:.6g}") == 0.826446
    result = run("summarize", "lognormal", "--loc", repr(state.params["loc"]), "--scale", repr(state.params["scale"]))
    assert result.exit_code == 0, result.stderr
    expected = table_of(result.stdout)
    assert len(expected) == 11
    assert table_of(texts["table"]) == expected


@pytest.mark.slow
def test_typed_values_are_exact_and_invalid_ones_stay_in_place(run):
    state = lognormal()
    # '=' starts an empty edit so a minus sign can be typed; '-' alone steps down.
    _, texts, running = drive(state, ["equals_sign", "minus", "2", "full_stop", "5", "enter",
                                      "down", "equals_sign", "minus", "3", "enter"])
    assert running
    assert state.params == {"loc": -2.5, "scale": 1.0}
    assert "scale" in state.param_error and "positive" in state.param_error["scale"]
    assert "-3 !" in texts["fields"]  # shown as typed, marked invalid
    assert "must be a positive number" in texts["status"]
    result = run("summarize", "lognormal", "--loc", "-2.5", "--scale", "1")
    assert table_of(texts["table"]) == table_of(result.stdout)


def test_step_rules():
    assert step_value(2.0, "positive", 1, 0.1) == pytest.approx(2.2)
    assert step_value(2.0, "positive", -1, 0.1) == pytest.approx(2.0 / 1.1)
    assert step_value(-1.0, "real", -1, 0.25) == pytest.approx(-1.25)
    up = step_value(0.5, "unit_interval", 1, 0.1)
    assert 0.5 < up < 1 and math.log(up / (1 - up)) == pytest.approx(0.2)
    assert step_value(1.0, "positive_integer", -1, 0.1) == 1.0
    assert step_value(3.0, "nonnegative_integer", 1, 0.1) == 4.0


def test_uniform_low_cannot_pass_high():
    state = ExploreState(resolve_fast("uniform"), {"low": 0.0, "high": 1.0})
    assert not state.set_param("low", "2")
    assert state.params == {"low": 0.0, "high": 1.0} and "low" in state.param_error


def test_discrete_family_plots_pmf_points():
    state = ExploreState(resolve_fast("poisson"), {"rate": 3.0})
    view = state.view()
    xs, ys = view.curve
    assert view.discrete and all(float(x).is_integer() for x in xs)
    assert ys == pytest.approx(stats.poisson.pmf(xs, 3.0), rel=1e-10)


# ---------------------------------------------------------------------------------------------
# Targets and families


def solve_json(run, family, *args):
    result = run("solve", family, *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.slow
def test_typed_targets_give_what_solve_gives(run):
    state = lognormal()
    keys = ["t", "down", "2", "enter", "down", "down", "down"]  # median 2, then to quantiles
    keys += ["0", "full_stop", "9", "5", "equals_sign", "1", "0", "enter"]
    _, texts, running = drive(state, keys)
    assert running and state.mode == "targets"
    doc = solve_json(run, "lognormal", "--median", "2", "--quantile", "0.95=10")
    assert state.params == pytest.approx(doc["params"], rel=1e-12)
    assert "loss" in texts["solved"] and "q0.95" in texts["solved"]
    assert state.document()["params"] == pytest.approx(doc["params"], rel=1e-12)
    assert state.document()["numpyro"] == doc["numpyro"]


@pytest.mark.slow
def test_switching_family_keeps_the_targets(run):
    state = ExploreState(resolve_fast("lognormal"), {}, {"median": "2", "quantiles": "0.95=10"})
    _, texts, running = drive(state, ["f", "w", "e", "i", "b", "enter"])
    assert running and state.family.name == "Weibull"
    doc = solve_json(run, "weibull", "--median", "2", "--quantile", "0.95=10")
    assert state.params == pytest.approx(doc["params"], rel=1e-9)
    assert "Weibull" in texts["title"]


@pytest.mark.slow
def test_underdetermined_targets_move_along_the_free_parameter(run):
    state = lognormal()
    _, texts, _ = drive(state, ["t", "1", "enter"])  # mode 1 only: one degree of freedom
    assert state.free_name == "scale" and state.focused == "mode" and "scale*" in texts["fields"]
    before = dict(state.params)
    drive(state, ["up", "right", "right"])
    assert state.focused == "free"
    assert state.params["scale"] == pytest.approx(before["scale"] * 1.1**2, rel=1e-12)
    # every member meets the target exactly: the mode of LogNormal is exp(loc - scale^2)
    assert math.exp(state.params["loc"] - state.params["scale"] ** 2) == pytest.approx(1.0, rel=1e-12)
    doc = solve_json(run, "lognormal", "--mode", "1", "--scale", repr(state.params["scale"]))
    assert state.params == pytest.approx(doc["params"], rel=1e-12)


@pytest.mark.slow
def test_targets_that_cannot_hold_stay_in_the_app():
    state = lognormal()
    _, texts, running = drive(state, ["t", "1", "enter", "down", "down", "0", "full_stop", "5", "enter"])
    assert running  # mode 1 above mean 0.5: refused by the solver, shown in the status line
    assert "mean" in texts["status"].lower() and state.message
    assert state.params["scale"] > 0  # the last valid member is still shown
    state2 = lognormal()
    _, texts, running = drive(state2, ["t", "down", "equals_sign", "minus", "1", "enter"])
    assert running and "median" in state2.target_error and "support" in texts["status"]


# ---------------------------------------------------------------------------------------------
# Roulette


SCIPY = {name: scipy_oracle(name) for name in (
    "Normal", "StudentT", "Logistic", "Gumbel", "Cauchy", "Laplace", "Levy", "Uniform", "Gamma", "LogNormal", "Weibull", "InverseGamma", "HalfCauchy", "HalfNormal", "Exponential", "Chi2", "Pareto", "LogUniform", "Beta", "BetaProportion", "Triangular",
)}  # the families' scipy oracles, declared beside their records


def oracle_targets(lo, hi, chips):
    """(p, v): the cumulative chip proportion at each filled bin's right edge, strictly inside
    (0, 1), computed with numpy."""
    chips = np.asarray(chips)
    edges = np.linspace(lo, hi, len(chips) + 1)
    cum = np.cumsum(chips) / chips.sum()
    keep = (chips > 0) & (cum < 1)
    return cum[keep], edges[1:][keep]


def oracle_loss(family, params, ps, vs):
    """The probability-scale loss sum (F(v) - p)^2 with scipy.stats' cdf."""
    return float(np.sum((SCIPY[family](params).cdf(vs) - ps) ** 2))


def gamma_chips():
    """400 chips spread as Gamma(4, rate 1) would spread them over 16 bins of [0, 16)."""
    edges = np.linspace(0, 16, 17)
    return np.round(400 * np.diff(stats.gamma(4).cdf(edges))).astype(int).tolist()


@pytest.mark.slow
def test_roulette_ranking_is_solve_family_on_the_chip_quantiles(run):
    chips = gamma_chips()
    state = RouletteState(0.0, 16.0, 16, chips)
    state.refit()
    ps, vs = oracle_targets(0, 16, chips)
    targets = quantile_targets(bin_edges(0, 16, 16), chips)
    assert [p for p, _ in targets.quantiles] == pytest.approx(ps.tolist(), abs=1e-15)
    assert [v for _, v in targets.quantiles] == pytest.approx(vs.tolist(), abs=1e-12)
    names = candidates(0.0, 16.0)
    assert set(names) == set(SCIPY) - {"Beta", "BetaProportion"}  # Beta is out: the range leaves [0, 1]
    # the same ranking as the command line for the same quantile targets and family list
    args = ["solve", "--family", ",".join(names)]
    for p, v in targets.quantiles:
        args += ["--quantile", f"{p!r}={v!r}"]
    doc = run.json(*args)
    ranked = state.ranking.ranked
    assert [r.family for r in ranked] == [r["family"] for r in doc["ranking"]]
    assert [s.family for s in state.ranking.skipped] == [s["family"] for s in doc["skipped"]]
    for mine, theirs in zip(ranked, doc["ranking"]):
        assert mine.solution.params == pytest.approx(theirs["params"], rel=1e-12)
        assert mine.loss == pytest.approx(theirs["loss"], rel=1e-12, abs=1e-18)
    # Gamma-shaped chips rank Gamma first; every loss recomputed with scipy.stats
    assert ranked[0].family == "Gamma"
    assert ranked[0].solution.params == pytest.approx({"concentration": 4.0, "rate": 1.0}, rel=0.05)
    for r in ranked:
        assert r.loss == pytest.approx(oracle_loss(r.family, r.solution.params, ps, vs), rel=1e-9, abs=1e-15)
    doc = state.document()
    assert doc["family"] == "Gamma" and doc["method"] == "least-squares"
    assert doc["loss"] == pytest.approx(ranked[0].loss) and len(doc["targets"]) == len(ps)
    expected = state.expected()
    assert sum(expected) == pytest.approx(400 * np.diff(SCIPY["Gamma"](ranked[0].solution.params).cdf([0, 16]))[0])


def test_roulette_candidates_follow_the_range():
    assert set(candidates(-5, 5)) == {"Normal", "StudentT", "Logistic", "Gumbel", "Cauchy", "Laplace", "Uniform",
                                      "Levy", "Triangular"}
    inside = set(candidates(0, 1))
    assert {"Beta", "Kumaraswamy", "Gamma"} <= inside
    assert not any(resolve_fast(n).discrete for n in candidates(0, 10))  # whole-number edges: still continuous


def drive_roulette(state, keys, size=(80, 24), burst=False):
    return drive(state, keys, roulette=True, size=size, settle=True, burst=burst)


@pytest.mark.slow
def test_roulette_in_the_app_ranks_the_chips():
    state = RouletteState(-5.0, 5.0, 10)
    keys = ["left", "up", "space", "right", "up", "up", "up", "up", "right", "up", "up", "right", "up",
            "down", "down", "down"]  # the last removes the only chip of bin 8 and then refuses
    _, texts, running = drive_roulette(state, keys)
    assert running and not state.stale
    assert state.chips == [0, 0, 0, 0, 2, 4, 2, 0, 0, 0]
    assert "no chips" in texts["status"]
    expected = rank_chips(bin_edges(-5, 5, 10), [0, 0, 0, 0, 2, 4, 2, 0, 0, 0])
    assert [r.family for r in state.ranking.ranked] == [r.family for r in expected.ranked]
    assert state.best.family in texts["ranking"]
    # two targets: the three-parameter StudentT is skipped, with its reason
    assert [s.family for s in state.ranking.skipped] == ["StudentT", "Triangular"]  # 3 parameters, 2 quartiles
    doc = state.document()
    assert doc["family"] == state.best.family
    assert set(doc["targets"]) == {"q0.25", "q0.75"} and doc["targets"]["q0.25"] == pytest.approx(0.0)


@pytest.mark.slow
def test_roulette_latest_chips_win():
    state = RouletteState(0.0, 16.0, 16, gamma_chips())
    old = state.snapshot()
    state.add()  # a chip lands while the old chips are being ranked
    assert state.stale and state.compute(old, stop=lambda: True) is None  # stopped between families
    assert not state.apply(old[0], state.compute(old))  # a finished stale result is dropped
    assert state.ranking is None and state.stale
    # in the app: a burst of presses, the worker hands over, the shown ranking is of the last chips
    state = RouletteState(0.0, 16.0, 16, gamma_chips())
    _, texts, _ = drive_roulette(state, ["up"] * 6 + ["right", "up", "up"], burst=True)
    assert not state.stale and state.chips[8:10] == [8 + 6, 4 + 2]
    fresh = rank_chips(state.edges, state.chips)
    assert [(r.family, r.loss) for r in state.ranking.ranked] == [(r.family, r.loss) for r in fresh.ranked]


@pytest.mark.slow
def test_roulette_keys_are_handled_while_a_ranking_runs():
    """A ranking held up in its worker thread (waiting on an event) blocks no key: chips are
    counted and drawn at once, and when it ends its stale result is dropped and the latest
    chips are ranked next."""
    import threading

    from priorcli.explore.app import ExploreApp

    state = RouletteState(0.0, 16.0, 16, gamma_chips())
    release, ranked = threading.Event(), []
    compute = state.compute

    def held_compute(snapshot, stop=None):
        ranked.append(snapshot)
        if len(ranked) == 1:
            release.wait(60)
        return compute(snapshot, stop)

    state.compute = held_compute

    async def go():
        app = ExploreApp(state, roulette=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            for key in ("up", "up", "right", "up"):
                await pilot.press(key)
            texts = {w.id: str(w.render()) for w in app.screen.query("Static") if w.id}
            during = (list(state.chips), state.stale, len(ranked), texts)
            release.set()
            for _ in range(100):
                await app.workers.wait_for_complete()
                await pilot.pause()
                if not state.stale and not app.workers:
                    break
        return during

    chips, stale, started, texts = asyncio.run(go())
    assert chips[8:10] == [8 + 2, 4 + 1] and stale and started == 1  # one worker, still held
    assert "ranking the families" in texts["status"] and "5 chips, 403 in all" in texts["title"]
    assert [v for v, _ in ranked] == [0, 3]  # the held snapshot, then straight to the latest chips
    assert not state.stale and state.best.family == "Gamma"
    fresh = rank_chips(state.edges, state.chips)
    assert [(r.family, r.loss) for r in state.ranking.ranked] == [(r.family, r.loss) for r in fresh.ranked]


def test_roulette_needs_three_filled_bins():
    with pytest.raises(InfeasibleError, match="at least 3 bins"):
        quantile_targets(bin_edges(0, 1, 4), [0, 3, 3, 0])
    state = RouletteState(0.0, 1.0, 5)
    assert state.document() is None and "Up or Space" in state.message
    _, texts, running = drive_roulette(state, ["up", "right", "up"])
    assert running and state.ranking is None and "at least 3 bins" in texts["status"]


# ---------------------------------------------------------------------------------------------
# Leaving, and refusing to start


@pytest.mark.slow
def test_enter_and_q_accept_escape_and_ctrl_c_cancel():
    app, _, _ = drive(lognormal(), ["right", "enter"])
    lines, doc = app.return_value
    assert lines["numpyro"] == "dist.LogNormal(loc=0.1, scale=1.0)" == doc["numpyro"]
    assert lines["stan"] == "lognormal(0.1, 1.0)" and lines["pymc"].startswith("pm.LogNormal(")
    app, _, _ = drive(lognormal(), ["q"])
    assert app.return_value[1]["family"] == "LogNormal"
    for key in ("escape", "ctrl+c"):
        app, _, running = drive(lognormal(), [key])
        assert app.return_value is None and not running


def test_output_document_is_written_whole_and_never_clobbered(tmp_path, capsys):
    state = ExploreState(resolve_fast("gamma"), {}, {"mean": "2", "sd": "1"})
    path = tmp_path / "chosen.json"
    explore_run.write_choice(state.lines(), state.document(), str(path), False, sys.stdout)
    doc = json.loads(path.read_text())
    assert doc["params"] == pytest.approx({"concentration": 4.0, "rate": 2.0})
    assert doc["targets"] == {"mean": 2.0, "sd": 1.0} and set(doc) >= {"family", "achieved", "numpyro", "stan"}
    assert "numpyro: dist.Gamma(concentration=4.0, rate=2.0)" in capsys.readouterr().out
    with pytest.raises(UsageError, match="exists; add --force"):
        explore_run.check_output(str(path), force=False)
    explore_run.check_output(str(path), force=True)
    with pytest.raises(UsageError, match=r"\.json"):
        explore_run.check_output(str(tmp_path / "x.csv"), force=False)


def test_not_a_terminal_is_one_line_and_exit_2(run):
    assert_usage_error(run("explore", "lognormal"), "explore needs a terminal", "stdin")


def test_bad_arguments_are_refused_before_the_screen_opens():
    with pytest.raises(UsageError, match="--range"):
        explore_run.build_state(None, [], roulette=True, range_text=None, bins=None)
    with pytest.raises(UsageError, match="LO < HI"):
        explore_run.build_state(None, [], roulette=True, range_text="3,1", bins=None)
    with pytest.raises(UsageError, match="unknown family"):
        explore_run.build_state("lognrml", [], roulette=False, range_text=None, bins=None)
    with pytest.raises(UsageError, match="positive"):
        explore_run.build_state("gamma", ["--rate", "-1"], roulette=False, range_text=None, bins=None)
    with pytest.raises(UsageError, match="multivariate"):
        explore_run.build_state("dirichlet", ["--concentration", "1,2"], roulette=False, range_text=None,
                                bins=None)
    state = explore_run.build_state("gamma", ["--mean", "2", "--sd", "1"], roulette=False, range_text=None,
                                    bins=None)
    assert state.mode == "targets" and state.params == pytest.approx({"concentration": 4.0, "rate": 2.0})


@pytest.mark.slow
def test_other_commands_do_not_import_textual():
    _, loaded = packages_after(["--help"], ["solve", "--mode", "1", "--sigma", "0.5"], ["explore", "--help"],
                               ["summarize", "gamma", "--alpha", "2", "--beta", "1"], packages=("textual",))
    assert loaded == []


# ---------------------------------------------------------------------------------------------
# A real terminal


def _capture(session):
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout


def _wait_for(session, needle, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        screen = _capture(session)
        if needle in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{needle!r} not on screen:\n{_capture(session)}")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_tmux_end_to_end(tmp_path):
    session = f"priorcli-explore-{os.getpid()}"
    out = tmp_path / "chosen.json"
    command = (f"cd {tmp_path} && NO_COLOR=1 {sys.executable} -m priorcli explore lognormal --output {out}; "
               f"echo EXIT=$?; sleep 60")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24", command], check=True, env=env)
    try:
        screen = _wait_for(session, "q0.975")
        assert "LogNormal(loc=0, scale=1)" in screen and "1.64872" in screen  # exact mean of LogNormal(0, 1)
        subprocess.run(["tmux", "send-keys", "-t", session, "Right", "Down", "Right"], check=True)
        screen = _wait_for(session, "LogNormal(loc=0.1, scale=1.1)")
        assert "2.02385" in screen  # mean exp(0.1 + 1.21 / 2)
        subprocess.run(["tmux", "send-keys", "-t", session, "Enter"], check=True)
        screen = _wait_for(session, "EXIT=")
        assert "EXIT=0" in screen
        assert "numpyro: dist.LogNormal(loc=0.1, scale=1.1)" in screen and "Stan:    lognormal(0.1, 1.1)" in screen
        assert json.loads(out.read_text())["params"] == {"loc": 0.1, "scale": 1.1}
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
