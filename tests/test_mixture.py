"""Mixtures (issue 21 item 2): ``Mixture(weights, [D, ...])`` as a quoted FAMILY, in the model
language and compare, in the emitted programs.

Oracles: an independent numerical mixture built from scipy.stats components (the summed cdfs
inverted by brentq from a wide bracket, moments by scipy's quad over the summed densities, the
mode by a fine grid), and numpy's own simulation for the draws; Monte Carlo tolerances from n.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import scipy.integrate as si
import scipy.optimize as so
import scipy.stats as st

from conftest import Run
from priorcli.families.registry import resolve
from priorcli.sampling import draws as sampling
from priorcli.stats import mixture
from priorcli.stats.exact import DEFAULT_QUANTILES, DistSpec, ExactDistribution

K_SIGMA = 5


class Oracle:
    """A mixture of frozen scipy.stats distributions, computed without priorcli."""

    def __init__(self, weights, dists, discrete=False):
        self.w, self.d, self.discrete = np.asarray(weights, float), dists, discrete

    def cdf(self, x):
        return float(sum(w * d.cdf(x) for w, d in zip(self.w, self.d)))

    def pdf(self, x):
        return float(sum(w * (d.pmf(x) if self.discrete else d.pdf(x)) for w, d in zip(self.w, self.d)))

    def ppf(self, p):
        if self.discrete:
            k = 0.0
            while self.cdf(k) < p:
                k += 1
            return k
        return so.brentq(lambda x: self.cdf(x) - p, -1e3, 1e3, xtol=1e-13, rtol=1e-15, maxiter=1000)

    def moment(self, fn):
        if self.discrete:
            ks = np.arange(0, 2000)
            return float(sum(fn(k) * self.pdf(k) for k in ks))
        total = 0.0
        for a, b in ((-np.inf, 0.0), (0.0, np.inf)):
            total += si.quad(lambda x: fn(x) * self.pdf(x), a, b, epsabs=0, epsrel=1e-12, limit=500)[0]
        return total

    def mean(self):
        return self.moment(lambda x: x)

    def sd(self):
        m = self.mean()
        return math.sqrt(self.moment(lambda x: (x - m) ** 2))


def _spec(weights, components):
    return mixture.mixture_spec(weights, [DistSpec(resolve(f), p) for f, p in components])


CASES = {
    "two normals": ([0.3, 0.7], [("Normal", {"loc": 0.0, "scale": 1.0}), ("Normal", {"loc": 3.0, "scale": 0.5})],
                    [st.norm(0, 1), st.norm(3, 0.5)]),
    "normal and gamma": ([0.4, 0.6], [("Normal", {"loc": -1.0, "scale": 0.7}),
                                      ("Gamma", {"concentration": 3.0, "rate": 2.0})],
                         [st.norm(-1, 0.7), st.gamma(3, scale=0.5)]),
    "three families": ([0.2, 0.5, 0.3], [("StudentT", {"df": 6.0, "loc": 1.0, "scale": 2.0}),
                                         ("LogNormal", {"loc": 0.5, "scale": 0.4}),
                                         ("Uniform", {"low": -3.0, "high": -1.0})],
                       [st.t(6, 1, 2), st.lognorm(0.4, scale=math.exp(0.5)), st.uniform(-3, 2)]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_exact_values_against_a_scipy_mixture(case):
    weights, components, dists = CASES[case]
    exact = ExactDistribution(_spec(weights, components))
    oracle = Oracle(weights, dists)
    for p in DEFAULT_QUANTILES + (0.001, 0.999):
        assert exact.quantile(p) == pytest.approx(oracle.ppf(p), rel=1e-9, abs=1e-9), p
    for x in (-2.0, 0.0, 0.5, 2.5):
        assert exact.base.cdf(x) == pytest.approx(oracle.cdf(x), rel=1e-12, abs=1e-14)
        assert math.exp(float(exact.log_density(np.array([x]))[0])) == pytest.approx(oracle.pdf(x), rel=1e-10)
    assert exact.mean() == pytest.approx(oracle.mean(), rel=1e-9, abs=1e-12)
    assert exact.sd() == pytest.approx(oracle.sd(), rel=1e-8)
    grid = np.linspace(-5, 8, 130001)
    best = grid[int(np.argmax([oracle.pdf(x) for x in grid]))]
    mode = exact.mode()
    assert mode == pytest.approx(best, abs=2e-4)
    assert oracle.pdf(mode) >= oracle.pdf(best) * (1 - 1e-12)


def test_discrete_mixture_against_scipy():
    exact = ExactDistribution(_spec([0.35, 0.65], [("Poisson", {"rate": 2.0}), ("Poisson", {"rate": 9.0})]))
    oracle = Oracle([0.35, 0.65], [st.poisson(2), st.poisson(9)], discrete=True)
    for p in DEFAULT_QUANTILES:
        assert exact.quantile(p) == oracle.ppf(p), p
    assert exact.mean() == pytest.approx(oracle.mean(), rel=1e-12)
    assert exact.sd() == pytest.approx(oracle.sd(), rel=1e-10)
    ks = np.arange(0, 40)
    assert exact.mode() == ks[int(np.argmax([oracle.pdf(k) for k in ks]))]


@pytest.mark.parametrize("case", list(CASES))
def test_draws_match_the_exact_cdf_and_moments(case):
    weights, components, dists = CASES[case]
    spec = _spec(weights, components)
    n = 200_000
    x = sampling.draw(spec, n, seed=3)
    assert x.shape == (n,)
    exact = ExactDistribution(spec)
    for p in (0.05, 0.25, 0.5, 0.75, 0.95):
        level = exact.base.cdf(float(np.quantile(x, p)))
        assert abs(level - p) < K_SIGMA * math.sqrt(p * (1 - p) / n) + 1 / n, p
    sd = exact.sd()
    assert abs(x.mean() - exact.mean()) < K_SIGMA * sd / math.sqrt(n)
    # sd of the sample variance: sqrt((m4 - sd^4) / n), m4 from the oracle
    oracle = Oracle(weights, dists)
    m4 = oracle.moment(lambda t: (t - exact.mean()) ** 4)
    assert abs(x.var() - sd ** 2) < K_SIGMA * math.sqrt((m4 - sd ** 4) / n)
    # the draws are seeded as the rest of priorcli: the same seed, the same draws
    assert np.array_equal(sampling.draw(spec, 1000, seed=3), x[:1000])


def test_component_weights_are_the_categorical_frequencies():
    """Components on disjoint ranges: the share of draws in each is its weight (binomial error)."""
    spec = _spec([0.2, 0.5, 0.3], [("Uniform", {"low": 0.0, "high": 1.0}), ("Uniform", {"low": 2.0, "high": 3.0}),
                                   ("Uniform", {"low": 4.0, "high": 5.0})])
    n = 100_000
    x = sampling.draw(spec, n, seed=1)
    for (lo, hi), w in zip(((0, 1), (2, 3), (4, 5)), (0.2, 0.5, 0.3)):
        share = np.mean((x >= lo) & (x <= hi))
        assert abs(share - w) < K_SIGMA * math.sqrt(w * (1 - w) / n)


# ---------------------------------------------------------------------------------------------
# command line

M = "Mixture([0.3, 0.7], [Normal(0, 1), Normal(3, 0.5)])"


@pytest.mark.slow
def test_summarize_a_quoted_mixture_json():
    result = Run()("summarize", M, "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["family"] == "Mixture"
    assert doc["params"] == {"weights": [0.3, 0.7], "components": [
        {"family": "Normal", "params": {"loc": 0.0, "scale": 1.0}},
        {"family": "Normal", "params": {"loc": 3.0, "scale": 0.5}}]}
    oracle = Oracle([0.3, 0.7], [st.norm(0, 1), st.norm(3, 0.5)])
    assert doc["summary"]["mean"] == pytest.approx(2.1, rel=1e-12)
    assert doc["summary"]["sd"] == pytest.approx(oracle.sd(), rel=1e-9)
    for p, q in doc["summary"]["quantiles"].items():
        assert q == pytest.approx(oracle.ppf(float(p)), rel=1e-9)
    table = Run()("summarize", M)
    assert table.exit_code == 0 and "Mixture([0.3, 0.7], [Normal(loc=0, scale=1)" in table.stdout


@pytest.mark.slow
def test_sample_a_quoted_mixture_and_the_model_language():
    result = Run()("sample", M, "-n", 50000, "--seed", 4, "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["family"] == "Mixture" and doc["exact"]["mean"] == pytest.approx(2.1)
    sd = doc["exact"]["sd"]
    assert abs(doc["mc"]["mean"] - 2.1) < K_SIGMA * sd / math.sqrt(50000)
    # the model language draws the same mixture the same way (one site, the same seed)
    raw_family = Run()("sample", M, "-n", 2000, "--seed", 4, "--format", "raw")
    raw_model = Run()("sample", "--model", f"x ~ {M}", "-n", 2000, "--seed", 4, "--format", "raw")
    assert raw_family.exit_code == 0 and raw_model.exit_code == 0, raw_model.stderr
    a, b = (np.loadtxt(r.stdout.splitlines()[-2000:]) for r in (raw_family, raw_model))
    assert np.allclose(a, b, rtol=0, atol=1e-12)


@pytest.mark.slow
def test_varying_weights_and_components_in_a_model():
    """w ~ Beta(2, 2); y ~ Mixture([w, 1 - w], [Normal(0, 1), Normal(5, 1)]): P(y > 2.5) is E[1 - w]
    times P(N(5,1) > 2.5) plus E[w] P(N(0,1) > 2.5), E[w] = 1/2."""
    spec = "w ~ Beta(2, 2)\ny ~ Mixture([w, 1 - w], [Normal(0, 1), Normal(5, 1)])"
    n = 40000
    result = Run()("sample", "--model", spec, "-n", n, "--seed", 2, "--format", "raw")
    assert result.exit_code == 0, result.stderr
    table = np.loadtxt(result.stdout.splitlines()[1:], delimiter=",")
    p = 0.5 * st.norm.sf(2.5) + 0.5 * st.norm.sf(2.5, 5, 1)
    share = np.mean(table[:, 1] > 2.5)
    assert abs(share - p) < K_SIGMA * math.sqrt(p * (1 - p) / n)


@pytest.mark.slow
def test_compare_takes_a_mixture():
    result = Run()("compare", M, "Normal(0, 1)", "--format", "json", "-n", 20000)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["distributions"][0]["exact"]["mean"] == pytest.approx(2.1)


BAD = [
    (["summarize", "Mixture([0.3, 0.6], [Normal(0, 1), Normal(3, 0.5)])"], "weights [0.3, 0.6] sum to 0.9"),
    (["summarize", "Mixture([1.2, -0.2], [Normal(0, 1), Normal(3, 0.5)])"], "must not be negative"),
    (["summarize", "Mixture([0.3, 0.3, 0.4], [Normal(0, 1), Normal(3, 0.5)])"], "3 weights for 2 components"),
    (["summarize", "Mixture([], [])"], "empty vector"),
    (["summarize", "Mixture([1], [])"], "list is empty"),
    (["summarize", "Mixture([0.5, 0.5], [Normal(0, -1), Normal(3, 0.5)])"], "scale"),
    (["summarize", "Mixture([0.5, 0.5], [Normal(0, 1), Poisson(3)])"], "all continuous or all discrete"),
    (["summarize", "Mixture([0.5, 0.5], [Normal(0, 1), Normal(3, 0.5)])", "--loc", "1"], "quoted distribution"),
    (["sample", "--model", "x ~ Mixture([0.5, 0.5], [Normal(0, 1), exp(Normal(0, 1))])"], "plain families"),
    (["sample", "--model", "x ~ Mixture([0.5, 0.5], Normal(0, 1))"], "list of distributions"),
    (["sample", "--model", "x ~ Mixture(0.5, [Normal(0, 1)])"], "weights are a vector"),
    (["compare", "Mixture([0.5, 0.4], [Normal(0, 1), Normal(3, 0.5)])"], "sum to 0.9"),
    (["sample", "--model", "w ~ Uniform(0, 2)\nx ~ Mixture([w, 1 - w], [Normal(0, 1), Normal(3, 1)])"],
     "must not be negative"),
]


@pytest.mark.slow
@pytest.mark.parametrize("args, message", BAD)
def test_bad_input_is_one_error_line_exit_2(args, message):
    result = Run()(*args)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert message in lines[0], lines[0]
    assert "Traceback" not in result.stderr
