"""``solve --model`` with a Metalog prior (priorcli/model/jaxdists.py's metalog plan): a metalog
of constant coefficients or quantiles is a parent (or a Mixture component) of the variables whose
free names the predictive solver finds.

Oracle: Keelin's metalog written here from its defining equations (the a-coefficients solve
Y a = z with Y[i] = (1, L_i, (p_i - 1/2) L_i), z the quantile values on M's scale), not priorcli's
code; the target equation is then solved by scipy quadrature over u (the metalog's uniform) and
brentq. Tolerances: a target averaged over n random metalog draws carries their Monte Carlo error,
converted to the free name through the equation's slope (K standard errors); one read from the
conditional cdf of constants is exact up to the optimiser."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import scipy.stats as st
from scipy.integrate import quad
from scipy.optimize import brentq

from conftest import assert_usage_error

K = 5.0  # standard errors
N = 4000  # fitting draws
P = (0.1, 0.5, 0.9)
X = (1.0, 2.0, 4.0)


def keelin(p, x, lower=None):
    """The 3-term metalog's quantile function through (p_i, x_i) (Keelin 2016, eq. 6-8)."""
    p, x = np.asarray(p), np.asarray(x)
    L = np.log(p / (1 - p))
    Y = np.column_stack([np.ones_like(p), L, (p - 0.5) * L])
    z = x if lower is None else np.log(x - lower)
    a = np.linalg.solve(Y, z)

    def Q(u):
        u = np.asarray(u, dtype=np.float64)
        lu = np.log(u / (1 - u))
        m = a[0] + a[1] * lu + a[2] * (u - 0.5) * lu
        return m if lower is None else lower + np.exp(m)

    return Q


def solved(run, *args, n: int = N) -> dict:
    result = run("solve", "--model", *args, "-n", n, "--format", "json")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def _expect(f, Q) -> float:
    """E f(Q(U)) by quadrature over u (logit-spaced ends handled by quad's adaptivity)."""
    return quad(lambda u: f(Q(u)), 0.0, 1.0, limit=400, epsabs=1e-12)[0]


@pytest.mark.slow
@pytest.mark.parametrize("lower", [None, 0.0])
def test_scale_on_a_metalog_parent_meets_the_median_of_keelins_equations(run, lower):
    """y ~ Normal(x * s, 1), x ~ Metalog(...): the median of y is 2 where E Phi(2 - s Q(U)) = 1/2."""
    Q = keelin(P, X, lower)
    bound = "" if lower is None else f", lower={lower:g}"
    doc = solved(run, f"x ~ Metalog(p=[0.1,0.5,0.9], x=[1,2,4]{bound}); y ~ Normal(x*s, 1)", "--median", "y:2")
    s = doc["free"]["s"]

    def prob(s_):
        return _expect(lambda x: st.norm.cdf(2.0 - s_ * x), Q)

    truth = brentq(lambda s_: prob(s_) - 0.5, 0.01, 10.0, xtol=1e-12)
    # priorcli's residual is the mean of Phi(2 - s x) over N metalog draws: its standard error,
    # through the slope d/ds E Phi(2 - s x) = -E[x phi(2 - s x)], is the error of s
    spread = math.sqrt(_expect(lambda x: st.norm.cdf(2.0 - truth * x) ** 2, Q) - 0.25)
    slope = _expect(lambda x: x * st.norm.pdf(2.0 - truth * x), Q)
    se = spread / math.sqrt(N) / slope
    assert abs(s - truth) < K * se, (s, truth, se)
    assert doc["achieved"]["y"]["median"]["met"] is True
    # the draws of the fresh check are the metalog's: the median of x itself is 2 (a1 = 2)
    assert abs(float(Q(0.5)) - 2.0) < 1e-12


@pytest.mark.slow
def test_two_free_names_downstream_of_a_metalog(run):
    """y ~ Normal(m + x, t): a mean and an sd of y from two free names; mean = m + E x and
    var = t^2 + Var x, so the oracle is closed form given E x and Var x by quadrature."""
    Q = keelin(P, X)
    doc = solved(run, "x ~ Metalog(p=[0.1,0.5,0.9], x=[1,2,4]); y ~ Normal(m + x, t)",
                 "--mean", "y:5", "--sd", "y:2")
    m, t = doc["free"]["m"], doc["free"]["t"]
    ex = _expect(lambda x: x, Q)
    vx = _expect(lambda x: (x - ex) ** 2, Q)
    kurt = _expect(lambda x: (x - ex) ** 4, Q)
    var_y = 4.0
    # mean of N draws of y: se sqrt(var_y / N); sd of N draws: se ~ sqrt((mu4 - var^2) / N) / (2 sd)
    mu4 = kurt + 6 * vx * t * t + 3 * t ** 4
    assert abs(m - (5.0 - ex)) < K * math.sqrt(var_y / N), (m, ex)
    sd_se = math.sqrt((mu4 - var_y ** 2) / N) / (2 * 2.0)
    # t = sqrt(sd^2 - Var x): d t / d sd = sd / t
    assert abs(t - math.sqrt(var_y - vx)) < K * sd_se * 2.0 / math.sqrt(var_y - vx), (t, vx)


@pytest.mark.slow
def test_weight_of_a_metalog_component_is_exact_from_the_conditional_cdf(run):
    """y ~ Mixture([w, 1 - w], [Metalog(...lower=0), Normal(6, 1)]), median 3: the mixed cdf of
    constants is exact, so w F_ml(3) + (1 - w) Phi(-3) = 1/2 closes the oracle."""
    Q = keelin(P, X, 0.0)
    doc = solved(run, "y ~ Mixture([w, 1 - w], [Metalog(p=[0.1,0.5,0.9], x=[1,2,4], lower=0), Normal(6, 1)])",
                 "--median", "y:3")
    F3 = brentq(lambda u: float(Q(u)) - 3.0, 1e-12, 1 - 1e-12, xtol=1e-15)
    w = (0.5 - st.norm.cdf(-3.0)) / (F3 - st.norm.cdf(-3.0))
    assert abs(doc["free"]["w"] - w) < 1e-6, (doc["free"]["w"], w)
    assert doc["achieved"]["y"]["median"]["met"] is True


@pytest.mark.slow
def test_solved_model_with_a_metalog_emits(run):
    """--emit of the solved model writes the metalog as a quantile function of a uniform."""
    result = run("solve", "--model", "x ~ Metalog(p=[0.1,0.5,0.9], x=[1,2,4]); y ~ Normal(x*s, 1)",
                 "--median", "y:2", "-n", N, "--emit", "numpyro")
    assert result.exit_code == 0, result.stderr
    assert "metalog_quantile(" in result.stdout and 'numpyro.sample("x_u"' in result.stdout


@pytest.mark.slow
def test_a_free_name_inside_the_metalog_is_one_usage_error(run):
    result = run("solve", "--model", "x ~ Metalog(p=[0.1,0.5,0.9], x=[1,2,s]); y ~ Normal(x, 1)",
                 "--median", "y:2")
    assert_usage_error(result, "Metalog's x", "constant")
