"""``solve --model`` with ``Mixture(weights, [D, ...])`` and ``truncated(D, low=, high=)``
(priorcli/model/jaxdists.py): the free names of a mixture's weights and components, and of a
truncated family, solved through the same jax machinery as any other family.

Oracles: the exact mixture cdf from scipy's components at the solved values (and its quantiles by
brentq), closed forms (a symmetric mixture's median; E[w] of a Beta weight; a Poisson mixture's
mean), scipy's truncnorm/gamma for truncations. Tolerances come from n: a target read from the
conditional cdf of constant parameters is exact up to the optimiser; one that averages over n
random parents carries their Monte Carlo error, K standard errors of n draws."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import scipy.stats as st
from scipy.optimize import brentq

from conftest import assert_usage_error

K = 4.0  # standard errors
N = 4000  # fitting draws
Phi = st.norm.cdf


def solved(run, *args, n: int = N) -> dict:
    result = run("solve", "--model", *args, "-n", n, "--format", "json")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def mixture_cdf(x, weights, comps) -> float:
    return float(sum(w * c.cdf(x) for w, c in zip(weights, comps)))


def mixture_quantile(p, weights, comps) -> float:
    return brentq(lambda x: mixture_cdf(x, weights, comps) - p, -50, 50, xtol=1e-13)


# ---------------------------------------------------------------------------------------------
# the brief's two examples


@pytest.mark.slow
def test_component_parameters_from_two_quantiles_match_the_scipy_mixture(run):
    doc = solved(run, "y ~ Mixture([0.3, 0.7], [Normal(m, 1), Normal(5, s)])",
                 "--quantile", "y:0.1=0", "--quantile", "y:0.9=6")
    m, s = doc["free"]["m"], doc["free"]["s"]
    weights, comps = (0.3, 0.7), (st.norm(m, 1), st.norm(5, s))
    for p, v in ((0.1, 0.0), (0.9, 6.0)):
        # the probability scale: within K standard errors of a proportion of N draws
        band = K * math.sqrt(p * (1 - p) / N)
        assert abs(mixture_cdf(v, weights, comps) - p) < band, (p, m, s)
        # the exact quantile at the solved values: the same band through the density there
        density = sum(w * c.pdf(v) for w, c in zip(weights, comps))
        assert abs(mixture_quantile(p, weights, comps) - v) < band / density, (p, m, s)
        # the fresh check's probability is a proportion of 10 N independent draws of that mixture
        got = doc["achieved"]["y"][f"q{p!r}"]
        exact = mixture_cdf(v, weights, comps)
        assert abs(got["probability"] - exact) < K * math.sqrt(exact * (1 - exact) / doc["check_draws"])
        assert got["met"] is True
    assert doc["domains"] == {"m": "a real number", "s": "positive"}
    assert doc["met"] is True and doc["targets"] == {"y": {"q0.1": 0.0, "q0.9": 6.0}}


@pytest.mark.slow
def test_a_beta_weight_from_the_mixture_median(run):
    doc = solved(run, "w ~ Beta(a, 2); y ~ Mixture([w, 1 - w], [Normal(0, 1), Normal(5, 1)])",
                 "--quantile", "y:0.5=2")
    # P(y <= 2) = E[w] Phi(2) + (1 - E[w]) Phi(-3) = 1/2, E[w] = a / (a + 2)
    mean_w = (0.5 - Phi(-3)) / (Phi(2) - Phi(-3))
    a = 2 * mean_w / (1 - mean_w)
    # the fit sets the mean of N Beta draws to mean_w: its sd over N draws, carried to a
    sd_w = st.beta(a, 2).std()
    band = K * sd_w / math.sqrt(N) * 2 / (1 - mean_w) ** 2
    assert abs(doc["free"]["a"] - a) < band, (doc["free"], a, band)
    assert doc["domains"] == {"a": "positive"}
    assert doc["met"] is True


# ---------------------------------------------------------------------------------------------
# paper answers and exact conditionals


@pytest.mark.slow
def test_fixed_weights_symmetric_mixture_median_is_the_midpoint(run):
    # 0.5 N(m, 1) + 0.5 N(m + 4, 1) is symmetric about m + 2: median 0 <=> m = -2
    doc = solved(run, "y ~ Mixture([0.5, 0.5], [Normal(m, 1), Normal(m + 4, 1)])", "--median", "y:0")
    assert abs(doc["free"]["m"] + 2.0) < 1e-6, doc["free"]


@pytest.mark.slow
def test_a_weight_of_a_poisson_mixture_from_its_mean(run):
    # p * 1 + (1 - p) * 10 = 4: p = 2/3, from the conditional mean (no Monte Carlo error)
    doc = solved(run, "y ~ Mixture([p, 1 - p], [Poisson(1), Poisson(10)])", "--mean", "y:4")
    assert abs(doc["free"]["p"] - 2 / 3) < 1e-6, doc["free"]
    assert doc["domains"] == {"p": "in (0, 1)"}


@pytest.mark.slow
def test_a_target_downstream_of_a_mixture_moves_its_weight(run):
    # x ~ Normal(y, 1) with y the mixture: P(x <= 2) = p Phi(2 / sqrt 2) + (1 - p) Phi(-3 / sqrt 2).
    # The weight only reaches x through y's draws (the implicit gradient); 0.8 puts p far from its start 1/2.
    doc = solved(run, "y ~ Mixture([p, 1 - p], [Normal(0, 1), Normal(5, 1)]); x ~ Normal(y, 1)",
                 "--quantile", "x:0.8=2")
    hi, lo = Phi(2 / math.sqrt(2)), Phi(-3 / math.sqrt(2))
    p = (0.8 - lo) / (hi - lo)
    # the fitted mean of N per-draw cdfs Phi(2 - y_i) in [0, 1] (sd at most 1/2), divided by its slope in p
    band = K * 0.5 / math.sqrt(N) / (hi - lo)
    assert abs(doc["free"]["p"] - p) < band, (doc["free"], p, band)
    assert doc["met"] is True


@pytest.mark.slow
def test_a_transformed_mixture_median(run):
    # exp of the symmetric mixture: median 1 <=> the mixture's median 0 <=> m = -2
    doc = solved(run, "y ~ exp(Mixture([0.5, 0.5], [Normal(m, 1), Normal(m + 4, 1)]))", "--median", "y:1")
    assert abs(doc["free"]["m"] + 2.0) < 1e-6, doc["free"]


# ---------------------------------------------------------------------------------------------
# truncated(...): it was run untruncated before


@pytest.mark.slow
def test_truncated_normal_location_from_its_median(run):
    doc = solved(run, "y ~ truncated(Normal(m, 1), low=0)", "--median", "y:1")
    exact = brentq(lambda m: st.truncnorm.cdf(1, -m, np.inf, loc=m) - 0.5, -5, 5, xtol=1e-13)
    assert abs(doc["free"]["m"] - exact) < 1e-6, (doc["free"], exact)
    assert doc["achieved"]["y"]["median"]["met"] is True


@pytest.mark.slow
def test_truncated_gamma_shape_from_a_quantity_downstream(run):
    # Gamma has no icdf in numpyro: drawn by bisection, differentiated implicitly; z = 2 y has median 4
    doc = solved(run, "y ~ truncated(Gamma(k, 1), high=5); z = 2 * y", "--median", "z:4")

    def cdf(k):
        return st.gamma.cdf(2, k) / st.gamma.cdf(5, k)

    exact = brentq(lambda k: cdf(k) - 0.5, 0.1, 10, xtol=1e-13)
    slope = abs(cdf(exact + 1e-5) - cdf(exact - 1e-5)) / 2e-5
    band = K * math.sqrt(0.25 / N) / slope  # the kernel cdf of N draws at the median
    assert abs(doc["free"]["k"] - exact) < band, (doc["free"], exact, band)


# ---------------------------------------------------------------------------------------------
# bad input: one Error line


def test_weights_of_two_free_names_are_refused_before_solving(run):
    result = run("solve", "--model", "y ~ Mixture([a, b], [Normal(0, 1), Normal(5, 1)])",
                 "--quantile", "y:0.5=2", "--quantile", "y:0.9=5", "-n", 200)
    assert_usage_error(result, "Mixture weights must sum to 1", "a=", "b=")


def test_weights_with_a_constant_that_cannot_sum_to_one(run):
    result = run("solve", "--model", "y ~ Mixture([a, 0.3], [Normal(0, 1), Normal(5, 1)])",
                 "--quantile", "y:0.5=2", "-n", 200)
    assert_usage_error(result, "Mixture weights must sum to 1", "0.8")


@pytest.mark.slow
def test_negative_weights_at_the_solution_cannot_be_met(run):
    # 0.5 <= a <= 1.5 keeps the weights valid; a median of 6 needs more than all the weight on N(5, 1)
    result = run("solve", "--model", "y ~ Mixture([a - 0.5, 1.5 - a], [Normal(0, 1), Normal(5, 1)])",
                 "--quantile", "y:0.5=6", "-n", 500)
    assert_usage_error(result, "invalid weights", "must not be negative", code=1)


@pytest.mark.parametrize("spec, needle", [
    ("y ~ truncated(Mixture([0.5, 0.5], [Normal(m, 1), Normal(5, 1)]), low=0)", "not a Mixture"),
    ("y ~ Mixture([0.5, 0.5], [Normal(m, 1), Poisson(3)])", "all continuous or all discrete"),
    ("y ~ Mixture([0.5, 0.5], [Normal(m, 1), Normal(5, -1)])", "scale = -1"),
    ("y ~ Mixture([0.2, 0.3, 0.5], [Normal(m, 1), Normal(5, 1)])", "3 weights for 2 components"),
    ("y ~ Mixture([0.5, 0.5], [Normal(m, 1), Normal(5, 1)])", "'z', which is not a variable"),
])
def test_bad_mixture_models_are_one_error_line(run, spec, needle):
    target = "z:0.5=2" if "not a variable" in needle else "y:0.5=2"
    result = run("solve", "--model", spec, "--quantile", target, "-n", 200)
    assert_usage_error(result, needle)


def test_a_discrete_mixture_quantile_must_be_whole(run):
    result = run("solve", "--model", "y ~ Mixture([0.5, 0.5], [Poisson(r), Poisson(5)])",
                 "--quantile", "y:0.5=2.5", "-n", 200)
    assert_usage_error(result, "discrete")


@pytest.mark.slow
def test_a_missed_mixture_target_is_exit_1_after_the_document(run):
    # half the mass sits on N(5, 1): no m puts the 0.9 quantile at 2
    result = run("solve", "--model", "y ~ Mixture([0.5, 0.5], [Normal(m, 1), Normal(5, 1)])",
                 "--quantile", "y:0.9=2", "-n", 500, "--format", "json")
    assert result.exit_code == 1, (result.stdout, result.stderr)
    doc = json.loads(result.stdout)
    assert doc["met"] is False and doc["achieved"]["y"]["q0.9"]["met"] is False
    assert doc["achieved"]["y"]["q0.9"]["miss_se"] > 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: the targets cannot all be met"), result.stderr
