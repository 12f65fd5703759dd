"""``priorcli solve "QUOTED" TARGETS --emit numpyro|stan|stan-prior|pymc``, the programs run by the real
frameworks (as tests/test_emit_run.py and tests/test_mixture_emit.py run sample --model's): a mixture
whose components' supports differ, a truncated base, and two transformed ones (of a truncation and
of a mixture).

Oracles: scipy.stats built from the solved free values (a mixture's summed cdfs, truncnorm, the
truncated gamma's cdf through the transforms' inverses). A quantile q that a program prints at level
p from n draws must have |F(q) - p| within emit_support's band (4.5 standard errors of a level, plus
1/n); the Stan programs' log densities (PyStan's log_prob) equal scipy's at points, and their
transformed parameters the transform of the raw one. priorcli's own exact quantiles of the program's
header text (summarize) equal scipy's, so the header names the distribution that was solved.

One Stan program per case (all compiled as one with the session's others, tests/stan_registry.py): ``stan`` where the density is the
interesting part (log_mix, log_sum_exp over supports that differ), ``stan-prior`` where the draws
are (the truncations' rejection loops)."""

from __future__ import annotations

import functools
import math
import re

import numpy as np
import pytest
import scipy.special as sp
import scipy.stats as st

from conftest import Run
import stan_registry
from emit_support import band, parse_printed_quantiles
from test_emit_run import _run_script

pytestmark = pytest.mark.slow

N = 10_000  # the emitted programs' default draw count
LEVELS = (0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975)  # and their default quantiles


def _mixture_cdf(weights, dists):
    return lambda x: float(sum(w * d.cdf(x) for w, d in zip(weights, dists)))


def _mixture_logpdf(weights, dists):
    return lambda x: float(sp.logsumexp([math.log(w) + d.logpdf(x) for w, d in zip(weights, dists)]))


def _mixture(f):  # Mixture([w, 1 - w], [Normal(0, 1), Gamma(a, 1)])
    weights, dists = (f["w"], 1 - f["w"]), (st.norm(0, 1), st.gamma(f["a"]))
    return _mixture_cdf(weights, dists), _mixture_logpdf(weights, dists)


def _truncated(f):  # truncated(Gamma(a, 1), low=1)
    g = st.gamma(f["a"])
    return (lambda x: (g.cdf(x) - g.cdf(1.0)) / g.sf(1.0) if x > 1 else 0.0), None


def _exp_truncated(f):  # exp(truncated(Normal(m, s), low=-1)): x = exp(raw)
    raw = st.truncnorm((-1.0 - f["m"]) / f["s"], np.inf, loc=f["m"], scale=f["s"])
    return (lambda x: float(raw.cdf(math.log(x))) if x > 0 else 0.0), raw.logpdf


def _softplus_mixture(f):  # softplus(Mixture([w, 1 - w], [Normal(m, 1), Normal(2, 0.5)])): x = log1p(exp(raw))
    weights, dists = (f["w"], 1 - f["w"]), (st.norm(f["m"], 1), st.norm(2, 0.5))
    cdf = _mixture_cdf(weights, dists)
    return (lambda x: cdf(math.log(math.expm1(x))) if x > 0 else 0.0), _mixture_logpdf(weights, dists)


# name -> (quoted text, targets, scipy oracle of the free values, the Stan program run)
CASES = {
    "mixture": ("Mixture([w, 1 - w], [Normal(0, 1), Gamma(a, 1)])", ("--median", "1", "--quantile", "0.9=3"),
                _mixture, "stan"),
    "truncated": ("truncated(Gamma(a, 1), low=1)", ("--mean", "3"), _truncated, "stan-prior"),
    "exp_truncated": ("exp(truncated(Normal(m, s), low=-1))", ("--median", "1", "--quantile", "0.9=3"),
                      _exp_truncated, "stan-prior"),
    "softplus_mixture": ("softplus(Mixture([w, 1 - w], [Normal(m, 1), Normal(2, 0.5)]))",
                         ("--median", "1", "--quantile", "0.9=2.5"), _softplus_mixture, "stan"),
}


@functools.lru_cache(maxsize=None)
def solved(case: str) -> dict:
    text, targets, _, _ = CASES[case]
    return Run().json("solve", text, *targets)


@functools.lru_cache(maxsize=None)
def emitted(case: str, target: str) -> str:
    text, targets, _, _ = CASES[case]
    result = Run()("solve", text, *targets, "--emit", target)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def oracle(case: str):
    return CASES[case][2](solved(case)["free"])


def level_misses(quantiles: dict[float, float], cdf, n: int) -> list:
    """Printed (or drawn) quantiles whose exact cdf is beyond Monte Carlo error of their level."""
    return [(p, q, cdf(q)) for p, q in quantiles.items() if not abs(cdf(q) - p) <= band(p, n)]


def header_text(program: str) -> str:
    lines = program.splitlines()
    at = next(i for i, line in enumerate(lines) if "from the model:" in line)
    return lines[at + 1].lstrip("#/ ").split(" ~ ", 1)[1]


@pytest.mark.parametrize("case", CASES)
def test_the_solve_meets_its_targets_on_scipy(case):
    """The oracle itself: the solved values meet the targets on scipy's distribution."""
    cdf, _ = oracle(case)
    doc = solved(case)
    for key, value in doc["targets"].items():
        if key == "median":
            assert cdf(value) == pytest.approx(0.5, abs=1e-8), case
        elif key.startswith("q"):
            assert cdf(value) == pytest.approx(float(key[1:]), abs=1e-8), case
    if case == "truncated":  # the mean of the truncated gamma: a E[G; G > 1] / sf(1) = a sf_{a+1}(1) / sf_a(1)
        a = doc["free"]["a"]
        assert a * st.gamma(a + 1).sf(1) / st.gamma(a).sf(1) == pytest.approx(3.0, rel=1e-8)


@pytest.mark.parametrize("case", CASES)
def test_the_header_is_the_solved_distribution(case):
    """summarize of the header's text gives scipy's exact quantiles (the solved numbers, in full)."""
    cdf, _ = oracle(case)
    text = header_text(emitted(case, "numpyro"))
    assert not any(re.search(rf"\b{name}\b", text) for name in solved(case)["free"]), text
    doc = Run().json("summarize", text)
    for p, q in doc["summary"]["quantiles"].items():
        assert cdf(q) == pytest.approx(float(p), abs=1e-9), (case, p, q)


@pytest.mark.parametrize("target", ["numpyro", "pymc"])
@pytest.mark.parametrize("case", CASES)
def test_python_programs_print_the_solved_quantiles(case, target, tmp_path):
    cdf, _ = oracle(case)
    printed = parse_printed_quantiles(_run_script(emitted(case, target), tmp_path, f"{case}_{target}"))
    assert list(printed) == ["x"]
    assert tuple(printed["x"]) == LEVELS
    assert level_misses(printed["x"], cdf, N) == [], (case, target, printed["x"])


def test_the_check_catches_a_wrong_weight(tmp_path):
    """The same check fails for the mixture's numpyro program with its weights swapped."""
    cdf, _ = oracle("mixture")
    w = solved("mixture")["free"]["w"]
    code = emitted("mixture", "numpyro")
    wrong = code.replace(f"[{w!r}, {1 - w!r}]", f"[{1 - w!r}, {w!r}]")
    assert wrong != code
    printed = parse_printed_quantiles(_run_script(wrong, tmp_path, "wrong"))
    assert level_misses(printed["x"], cdf, N) != []


# ----------------------------------------------------------------------------------------------
# Stan, through PyStan: one program per case, compiled with the session's other Stan programs as
# one (stan_registry)


STAN_POINTS = {"mixture": [-1.5, -0.2, 0.3, 1.2, 4.0], "softplus_mixture": [-3.0, -1.0, 0.4, 1.8, 2.6]}
DENSITIES = {case: stan_registry.Program(
    f"density_{case}", functools.partial(emitted, case, "stan"),
    inputs=functools.partial(lambda case: {"points": np.array(STAN_POINTS[case])}, case),
    driver="out['lp'] = np.array([model.log_prob([p], adjust_transform=False) for p in inputs['points']])\n"
           "out['x'] = np.array([model.constrain_pars([p])[-1] for p in inputs['points']])")
    for case, spec in CASES.items() if spec[3] == "stan"}
PRIORS = {case: stan_registry.Program(f"prior_{case}", functools.partial(emitted, case, "stan-prior"), draws=N,
                                      outputs=("x",))
          for case, spec in CASES.items() if spec[3] == "stan-prior"}
STAN_PROGRAMS = (*DENSITIES.values(), *PRIORS.values())


@pytest.mark.parametrize("case", list(DENSITIES))
def test_stan_program_density_is_the_solved_one(case, stan_programs):
    """log_prob (every constant kept: log_mix / log_sum_exp of _lpdf) equals scipy's log density of
    the Stan parameter (x, or x_raw under a transform), and the transformed x is the transform of it."""
    _, logpdf = oracle(case)
    code = emitted(case, "stan")
    points = np.array(STAN_POINTS[case])
    transformed = "x_raw" in code
    out = stan_programs(DENSITIES[case])
    expected = [logpdf(p) for p in points]
    assert np.allclose(out["lp"], expected, rtol=1e-9, atol=1e-9), (case, out["lp"], expected)
    want = np.logaddexp(0.0, points) if transformed else points  # softplus of the raw parameter
    assert np.allclose(out["x"], want, rtol=1e-12), (case, out["x"])


@pytest.mark.parametrize("case", list(PRIORS))
def test_stan_prior_program_draws_the_solved_distribution(case, stan_programs):
    cdf, logpdf = oracle(case)
    draws = np.asarray(stan_programs(PRIORS[case])["x"], dtype=np.float64).ravel()
    assert draws.shape == (N,)
    quantiles = dict(zip(LEVELS, np.quantile(draws, LEVELS)))
    assert level_misses(quantiles, cdf, N) == [], (case, quantiles)
    assert draws.min() > (1.0 if case == "truncated" else math.exp(-1.0))  # the truncation holds
