"""Parameters that depend on a random parent are checked on the draws, never on placeholders.

``v ~ Uniform(-z, 0)`` with ``z ~ Exponential(1)`` has low < high in every draw; it was refused
because the check between parameters ran on placeholder values (low = 1). A draw that really breaks
a constraint (``Uniform(z, 0)`` with z > 0) is one Error line, exit 2 for ``sample --model`` and
``--emit`` (as a negative constant scale is), exit 1 for ``solve --model`` at its solution.

Oracle: v = -z U with U ~ Uniform(0, 1) independent of z, so for t > 0
P(v <= -t) = P(z U >= t) = int_t^inf (1 - t / z) e^{-z} dz, by scipy's quad.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import integrate

from conftest import assert_usage_error

MODEL = "z ~ Exponential(1); v ~ Uniform(-z, 0)"
N = 20000
SEED = 3


def _cdf_v(x: float) -> float:
    """P(v <= x) for x <= 0, by quadrature of the closed form in the module docstring."""
    t = -x
    if t <= 0:
        return 1.0
    value, _ = integrate.quad(lambda z: (1.0 - t / z) * math.exp(-z), t, math.inf, epsabs=1e-13, epsrel=1e-12)
    return value


def _draws(text: str, n: int, seed: int) -> dict:
    from priorcli.model import parse as lang
    from priorcli.model.numpyro import is_family, sample_model

    return sample_model(lang.parse_model(text, is_family=is_family), n, seed)


def test_oracle_cdf_is_a_distribution():
    # the oracle itself: 0 at -inf, 1 at 0, and E[v] = -1/2 from its tail integral
    assert _cdf_v(-40.0) < 1e-15 and _cdf_v(0.0) == 1.0
    mean, _ = integrate.quad(_cdf_v, -math.inf, 0.0)
    assert mean == pytest.approx(0.5, abs=1e-9)  # E[v] = -int_{-inf}^0 F(x) dx


def test_draws_of_v_match_the_closed_form():
    draws = _draws(MODEL, N, SEED)
    z, v = draws["z"], draws["v"]
    assert np.all(np.isfinite(v)) and np.all(v <= 0.0) and np.all(v >= -z)
    for p in (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99):
        q = float(np.quantile(v, p))
        se = math.sqrt(p * (1 - p) / N)
        assert abs(_cdf_v(q) - p) < 5 * se, (p, q, _cdf_v(q))
    # the conditional law given z: U = -v / z is Uniform(0, 1), independent of z
    u = -v / z
    assert abs(u.mean() - 0.5) < 5 * math.sqrt(1 / 12 / N)
    assert abs(np.corrcoef(u, z)[0, 1]) < 5 / math.sqrt(N)


def test_cli_samples_the_model(run):
    out = run.json("sample", "--model", MODEL, "-n", N, "--seed", SEED, "--quantiles", "0.1,0.5,0.9", "--no-plot")
    mc = out["variables"]["v"]["mc"]
    for key, q in mc["quantiles"].items():
        p = float(key)
        assert abs(_cdf_v(q) - p) < 5 * math.sqrt(p * (1 - p) / N), (p, q)
    assert abs(mc["mean"] + 0.5) < 5 * math.sqrt(7 / 36 / N)  # Var(zU) = E z^2 E U^2 - 1/4 = 2/3 - 1/4


@pytest.mark.parametrize("text", [
    "z ~ Exponential(1); v ~ Uniform(z, z + 1)",
    "z ~ Exponential(1); v ~ Uniform(-z - 1, -z)",
    "z ~ Exponential(1); v ~ Beta(z, z)",
    "z ~ Exponential(1); v ~ HalfNormal(z + 0.5)",
    "z ~ Exponential(1); v ~ Triangular(-z, 0, z)",
    "z ~ Exponential(1); v ~ Uniform(low=-z)",
])
def test_valid_random_parameters_are_drawn(text):
    draws = _draws(text, 2000, 0)
    assert np.all(np.isfinite(draws["v"]))


@pytest.mark.parametrize("text, needles", [
    ("z ~ Exponential(1); v ~ Uniform(z, 0)", ("line 1", "'low' must be below 'high'", "Uniform(z, 0)")),
    ("z ~ Exponential(1); v ~ Uniform(low=z)", ("'low' must be below 'high'", "high 1")),
    ("z ~ Exponential(1); v ~ HalfNormal(z - 2)", ("'scale' of HalfNormal", "some draws")),
    ("z ~ Exponential(1); v ~ Triangular(0, -z, z)", ("must lie between", "Triangular(0, -z, z)")),
    ("m ~ Normal(0, 1); v ~ Normal(m, -1)", ("scale = -1", "positive")),
])
def test_invalid_draws_are_one_error(run, text, needles):
    assert_usage_error(run("sample", "--model", text, "-n", 500, "--no-plot"), *needles)


def test_emit_takes_a_random_bound(run):
    result = run("sample", "--model", MODEL, "--emit", "stan")
    assert result.exit_code == 0, result.stderr
    assert "real<lower=-z, upper=0> v;" in result.stdout
    assert_usage_error(run("sample", "--model", "z ~ Exponential(1); v ~ Uniform(z, 0)", "--emit", "numpyro"),
                       "'low' must be below 'high'")


@pytest.mark.slow
def test_solve_model_with_a_random_bound(run):
    result = run("solve", "--model", "z ~ Exponential(a); v ~ Uniform(-z, 0)", "--quantile", "v:0.5=-0.5",
                 "-n", 2000, "--format", "json")
    assert result.exit_code == 0, result.stderr
    a = json.loads(result.stdout)["free"]["a"]
    # the median of v = -z U with z ~ Exponential(a) is -m / a, m the median of the oracle above
    from scipy import optimize

    m = -optimize.brentq(lambda x: _cdf_v(x) - 0.5, -5.0, -1e-9)
    density = (_cdf_v(-m + 1e-5) - _cdf_v(-m - 1e-5)) / 2e-5  # of v at its median, for z ~ Exponential(1)
    rel_se = math.sqrt(0.25 / 2000) / density / m  # of a sample median of 2000 draws, relative
    assert a == pytest.approx(m / 0.5, rel=5 * rel_se)


@pytest.mark.slow
@pytest.mark.parametrize("text, needle", [
    ("z ~ Exponential(a); v ~ Uniform(z, 0)", "'low' must be below 'high'"),
    ("z ~ Exponential(a); v ~ HalfNormal(z - 2)", "'scale' of HalfNormal"),
])
def test_solve_model_refuses_invalid_draws_at_the_solution(run, text, needle):
    result = run("solve", "--model", text, "--quantile", "v:0.5=1", "-n", 1000)
    assert_usage_error(result, needle, "at the solution a=", code=1)
