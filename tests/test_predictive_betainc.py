"""``solve --model`` / ``--numpyro`` with a target on a Beta or StudentT variable whose parameter is
free: jax has no derivative of Betainc in a and b, so the conditional cdf cannot be used there and
the targets read the draws' smoothed cdf (the draws are differentiable through jax's gamma
sampler). The solve used to report "did not converge from any start" for these.

Oracle: scipy's beta/t cdf, the exact parameter by brentq. Tolerance from n: the smoothed cdf of N
draws at the target has standard error sqrt(p(1 - p)/N); divided by |dF/dtheta| at the exact
value, K of those bound the parameter's error (the kernel's bias, O(h^2) with h = IQR/sqrt(N), is
far below that)."""

from __future__ import annotations

import json
import math

import pytest
import scipy.stats as st
from scipy.optimize import brentq

K = 4.0
N = 4000


def solved(run, *args) -> dict:
    result = run("solve", *args, "-n", N, "--format", "json")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def band(cdf, exact: float, p: float) -> float:
    slope = abs(cdf(exact * (1 + 1e-5)) - cdf(exact * (1 - 1e-5))) / (2e-5 * exact)
    return K * math.sqrt(p * (1 - p) / N) / slope


@pytest.mark.slow
def test_beta_shape_from_its_median(run):
    doc = solved(run, "--model", "p ~ Beta(a, 2)", "--median", "p:0.3")
    cdf = lambda a: st.beta.cdf(0.3, a, 2)  # noqa: E731
    exact = brentq(lambda a: cdf(a) - 0.5, 0.05, 20, xtol=1e-13)
    assert abs(doc["free"]["a"] - exact) < band(cdf, exact, 0.5), (doc["free"], exact)
    assert doc["achieved"]["p"]["median"]["met"] is True


@pytest.mark.slow
def test_student_t_degrees_of_freedom_from_a_quantile(run):
    doc = solved(run, "--model", "t ~ StudentT(nu, 0, 1)", "--quantile", "t:0.95=2.5")
    cdf = lambda nu: st.t.cdf(2.5, nu)  # noqa: E731
    exact = brentq(lambda nu: cdf(nu) - 0.95, 1, 50, xtol=1e-13)
    assert abs(doc["free"]["nu"] - exact) < band(cdf, exact, 0.95), (doc["free"], exact)


@pytest.mark.slow
def test_numpyro_file_with_a_free_beta_shape(run, tmp_path):
    source = tmp_path / "m.py"
    source.write_text("import numpyro\nimport numpyro.distributions as dist\n\n\n"
                      "def model(a=1.0):\n    numpyro.sample('p', dist.Beta(a, 2.0))\n")
    doc = solved(run, "--numpyro", f"{source}:model", "--free", "a", "--median", "p:0.3")
    cdf = lambda a: st.beta.cdf(0.3, a, 2)  # noqa: E731
    exact = brentq(lambda a: cdf(a) - 0.5, 0.05, 20, xtol=1e-13)
    assert abs(doc["free"]["a"] - exact) < band(cdf, exact, 0.5), (doc["free"], exact)
