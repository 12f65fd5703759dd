"""VonMises in Stan: ``von_mises(loc, concentration)``, the solve line, ``--emit stan`` (the parameter
declared on numpyro's [-pi, pi]) and ``--emit stan-prior`` (von_mises_rng's draws, on [loc - pi,
loc + pi], wrapped onto numpyro's [-pi, pi)).

Oracles: scipy.stats.vonmises, whose cdf runs over the real line (one more per turn), so the angle
wrapped onto [-pi, pi) has cdf G(w) = F(w) - F(-pi); its quantiles by brentq on G. The Stan programs
are run by PyStan, compiled with the session's others (tests/stan_registry.py).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from scipy import optimize, stats

import stan_registry
from conftest import Run

CASES = {"a": (2.5, 3.0), "b": (-1.0, 0.8), "c": (0.5, 12.0)}  # loc, concentration: a's mass crosses pi
MODEL = "".join(f"{name} ~ VonMises({loc!r}, {k!r})\n" for name, (loc, k) in CASES.items())
N = 10_000


def wrapped_cdf(w, loc, k):
    d = stats.vonmises(k, loc=loc)
    return d.cdf(w) - d.cdf(-math.pi)


def wrapped_quantile(p, loc, k):
    return optimize.brentq(lambda w: wrapped_cdf(w, loc, k) - p, -math.pi, math.pi, xtol=1e-13)


@pytest.mark.slow
def test_solve_prints_the_stan_line_and_the_convention():
    doc = Run().json("solve", "vonmises", "--lower", -1, "--upper", 1, "--mass", 0.9)
    assert re.fullmatch(r"von_mises\(\S+, 3\.29409\)", doc["stan"]), doc["stan"]
    out = Run()("solve", "vonmises", "--lower", -1, "--upper", 1, "--mass", 0.9).stdout
    assert "von_mises_rng draws" in " ".join(out.split()) and "[-pi, pi)" in out


def test_emitted_programs():
    prior = Run()("sample", "--model", MODEL, "--emit", "stan-prior").stdout
    assert "real a = von_mises_rng(2.5, 3.0);" in prior or "real a = von_mises_rng(2.5, 3);" in prior
    assert "a = a - 2 * pi() * floor((a + pi()) / (2 * pi()));" in prior
    model = Run()("sample", "--model", MODEL, "--emit", "stan").stdout
    assert "real<lower=-pi(), upper=pi()> a;" in model and "a ~ von_mises(2.5, 3" in model
    solved = Run()("solve", "vonmises", "--lower", -1, "--upper", 1, "--mass", 0.9, "--emit", "stan-prior").stdout
    assert "x = x - 2 * pi() * floor((x + pi()) / (2 * pi()));" in solved


POINTS = np.random.default_rng(3).normal(0, 1.5, size=(10, len(CASES)))
# The session's Stan programs are compiled as one (stan_registry): the stan-prior program's draws
# under fixed_param, and the stan program's log density and constrained values at random
# unconstrained points.
PRIOR = stan_registry.Program("prior", lambda: Run()("sample", "--model", MODEL, "--emit", "stan-prior").stdout,
                              draws=N)
DENSITY = stan_registry.Program(
    "density", lambda: Run()("sample", "--model", MODEL, "--emit", "stan").stdout,
    inputs=lambda: {"points": POINTS},
    driver="out['lp'] = np.array([model.log_prob(list(u), adjust_transform=False) for u in inputs['points']])\n"
           "out['values'] = np.array([model.constrain_pars(list(u), include_gqs=False) for u in inputs['points']])")
STAN_PROGRAMS = (PRIOR, DENSITY)


@pytest.fixture(scope="module")
def ran(stan_programs):
    return {**{n: v.ravel() for n, v in stan_programs(PRIOR).items()}, **stan_programs(DENSITY)}


@pytest.mark.slow
def test_stan_prior_draws_are_numpyros_wrapped_angles(ran):
    """Stan's draws, wrapped, follow scipy's von Mises wrapped onto [-pi, pi): at the exact wrapped
    quantiles the empirical cdf is within 5 standard errors sqrt(p (1 - p) / n) of p."""
    out = ran
    for name, (loc, k) in CASES.items():
        draws = out[name]
        assert draws.shape == (N,)
        assert np.all(draws >= -math.pi) and np.all(draws < math.pi), name
        for p in (0.02, 0.1, 0.25, 0.5, 0.75, 0.9, 0.98):
            q = wrapped_quantile(p, loc, k)
            assert abs(np.mean(draws <= q) - p) <= 5 * math.sqrt(p * (1 - p) / N), (name, p)
    # unwrapped, loc 2.5's draws would straddle loc + pi - 2 pi: both ends of [-pi, pi) hold mass
    a = out["a"]
    assert np.mean(a < -2.0) == pytest.approx(wrapped_cdf(-2.0, 2.5, 3.0), abs=5 * math.sqrt(0.25 / N))


@pytest.mark.slow
def test_stan_model_density_is_scipys_on_numpyros_interval(ran):
    """The `stan` program: the parameter constrained to [-pi, pi], and at random unconstrained points
    Stan's log density (no Jacobian) differs between points as scipy's von Mises log densities do."""
    values = ran["values"]
    assert values.shape == (10, len(CASES))  # the parameters a, b, c: nothing of the prior's
    assert np.all(np.abs(values) <= math.pi)
    oracle = np.array([sum(stats.vonmises.logpdf(v, k, loc=loc) for v, (loc, k) in zip(row, CASES.values()))
                       for row in values])
    np.testing.assert_allclose(ran["lp"] - ran["lp"][0], oracle - oracle[0], rtol=1e-9, atol=1e-9)
