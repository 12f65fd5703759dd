"""Exact summaries through the CLI, against scipy.stats as the independent oracle."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import integrate, special, stats

PROBS = (0.001, 0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975, 0.999)
PROBS_TEXT = ",".join(repr(p) for p in PROBS)

# (family, CLI params, scipy frozen distribution, mode derived on paper)
FAMILIES = [
    ("lognormal", {"mu": 1.0, "sigma": 0.5}, stats.lognorm(s=0.5, scale=math.e), math.exp(1 - 0.25)),
    ("lognormal", {"loc": -2.0, "scale": 1.7}, stats.lognorm(s=1.7, scale=math.exp(-2)), math.exp(-2 - 1.7**2)),
    ("normal", {"loc": 3.0, "scale": 2.0}, stats.norm(3, 2), 3.0),
    ("gamma", {"alpha": 2.5, "beta": 4.0}, stats.gamma(2.5, scale=1 / 4), 1.5 / 4),
    ("gamma", {"concentration": 0.4, "rate": 2.0}, stats.gamma(0.4, scale=0.5), None),
    ("beta", {"alpha": 2.0, "beta": 5.0}, stats.beta(2, 5), 1 / 5),
    ("beta", {"concentration1": 0.7, "concentration0": 0.3}, stats.beta(0.7, 0.3), None),
    ("studentt", {"df": 4.0, "loc": 1.0, "scale": 2.0}, stats.t(4, 1, 2), 1.0),
    ("student-t", {"nu": 1.5}, stats.t(1.5), 0.0),
    ("inversegamma", {"concentration": 3.0, "rate": 2.0}, stats.invgamma(3, scale=2), 2 / 4),
    ("halfcauchy", {"scale": 5.0}, stats.halfcauchy(scale=5), 0.0),
    ("half_normal", {"scale": 2.0}, stats.halfnorm(scale=2), 0.0),
    ("exponential", {"rate": 3.0}, stats.expon(scale=1 / 3), 0.0),
    ("weibull", {"scale": 2.0, "concentration": 1.5}, stats.weibull_min(1.5, scale=2), 2 * (0.5 / 1.5) ** (1 / 1.5)),
    ("pareto", {"scale": 1.5, "alpha": 3.0}, stats.pareto(3, scale=1.5), 1.5),
    ("chi2", {"df": 5.0}, stats.chi2(5), 3.0),
    ("cauchy", {"loc": 1.0, "scale": 2.0}, stats.cauchy(1, 2), 1.0),
    ("laplace", {"loc": 1.0, "scale": 2.0}, stats.laplace(1, 2), 1.0),
    ("logistic", {"loc": 1.0, "scale": 2.0}, stats.logistic(1, 2), 1.0),
    ("gumbel", {"loc": 1.0, "scale": 2.0}, stats.gumbel_r(1, 2), 1.0),
]


def _close(actual, expected, rtol=1e-8, atol=1e-12):
    if expected is None or not np.isfinite(expected):
        assert actual is None
    else:
        assert_allclose(actual, expected, rtol=rtol, atol=atol)


@pytest.mark.parametrize("family,params,oracle,mode", FAMILIES, ids=[f"{f}-{i}" for i, (f, *_) in enumerate(FAMILIES)])
def test_exact_summary_matches_scipy(run, family, params, oracle, mode):
    argv = ["summarize", family, "--quantiles", PROBS_TEXT]
    for name, value in params.items():
        argv += [f"--{name}", repr(value)]
    doc = run.json(*argv)
    summary = doc["summary"]
    assert summary["method"] == "exact" and summary["n"] is None
    for p in PROBS:
        _close(summary["quantiles"][repr(p)], oracle.ppf(p))
    _close(summary["median"], oracle.median())
    _close(summary["mean"], oracle.mean())
    _close(summary["sd"], oracle.std())
    _close(summary["mode"], mode, atol=1e-9)


def test_forum_example_lognormal(run):
    """The issue's example: median e^1, mode e^0.75, q0.975 as scipy's."""
    doc = run.json("summarize", "lognormal", "--mu", "1", "--sigma", "0.5")
    summary = doc["summary"]
    assert doc["family"] == "LogNormal" and doc["params"] == {"loc": 1.0, "scale": 0.5}
    assert_allclose(summary["median"], math.e, rtol=1e-12)
    assert_allclose(summary["mode"], math.exp(0.75), rtol=1e-12)
    assert_allclose(summary["quantiles"]["0.975"], stats.lognorm(s=0.5, scale=math.e).ppf(0.975), rtol=1e-8)
    assert list(summary["quantiles"]) == ["0.025", "0.05", "0.25", "0.5", "0.75", "0.95", "0.975"]


def _softplus(x):
    return np.logaddexp(0.0, x)


def _expect(fn, pdf, lo=-np.inf, hi=np.inf):
    return integrate.quad(lambda x: fn(x) * pdf(x), lo, hi, epsabs=0, epsrel=1e-12, limit=400)[0]


# (base family + params, transforms, oracle: (ppf(p), mean, sd, mode or None))
def _oracle_from_frozen(frozen, mode=None):
    return frozen.ppf, frozen.mean(), frozen.std(), mode


def _softplus_normal_oracle(mu, s):
    base = stats.norm(mu, s)
    mean = _expect(_softplus, base.pdf)
    var = _expect(lambda x: (_softplus(x) - mean) ** 2, base.pdf)
    return (lambda p: _softplus(base.ppf(p))), mean, math.sqrt(var), None


TRANSFORMED = [
    # The Stan guide's identities.
    (["logistic", "--loc", "0", "--scale", "1"], ["sigmoid"], _oracle_from_frozen(stats.uniform(0, 1))),
    (["logistic", "--loc", "0", "--scale", "1"], ["inv_logit"], _oracle_from_frozen(stats.uniform(0, 1))),
    (["normal", "--loc", "0", "--scale", "1"], ["inv_probit"], _oracle_from_frozen(stats.uniform(0, 1))),
    (["gamma", "--alpha", "3", "--beta", "2"], ["reciprocal"], _oracle_from_frozen(stats.invgamma(3, scale=2), 2 / 4)),
    (["normal", "--loc", "0.3", "--scale", "0.8"], ["exp"],
     _oracle_from_frozen(stats.lognorm(s=0.8, scale=math.exp(0.3)), math.exp(0.3 - 0.64))),
    # The other transforms, each against an independent derivation.
    (["normal", "--loc", "0.5", "--scale", "1.2"], ["softplus"], _softplus_normal_oracle(0.5, 1.2)),
    (["normal", "--loc", "1", "--scale", "2"], ["affine:3,-0.5"], _oracle_from_frozen(stats.norm(3 - 0.5, 1.0), 2.5)),
    (["normal", "--loc", "0", "--scale", "0.5"], ["lower:2"],
     _oracle_from_frozen(stats.lognorm(s=0.5, loc=2.0), 2 + math.exp(-0.25))),
    (["halfnormal", "--scale", "2"], ["power:2"], _oracle_from_frozen(stats.chi2(1, scale=4.0))),
    (["gamma", "--alpha", "4", "--beta", "3"], ["power:-1"], _oracle_from_frozen(stats.invgamma(4, scale=3), 3 / 5)),
    (["normal", "--loc", "0", "--scale", "1"], ["exp", "reciprocal"],
     _oracle_from_frozen(stats.lognorm(s=1.0, scale=1.0), math.exp(-1.0))),
    # Two decreasing steps make an increasing chain: 1/(1/X) is X again.
    (["gamma", "--alpha", "3", "--beta", "2"], ["reciprocal", "reciprocal"],
     _oracle_from_frozen(stats.gamma(3, scale=0.5), 1.0)),
    (["normal", "--loc", "1", "--scale", "2"], ["affine:0,-1", "affine:0,-1"], _oracle_from_frozen(stats.norm(1, 2), 1.0)),
]


@pytest.mark.parametrize("argv,transforms,oracle", TRANSFORMED, ids=[" ".join(a + t) for a, t, _ in TRANSFORMED])
def test_transformed_exact(run, argv, transforms, oracle):
    ppf, mean, sd, mode = oracle
    args = ["summarize", *argv, "--quantiles", PROBS_TEXT]
    for t in transforms:
        args += ["--transform", t]
    summary = run.json(*args)["summary"]
    for p in PROBS:
        assert_allclose(summary["quantiles"][repr(p)], ppf(p), rtol=1e-8, atol=1e-12)
    assert_allclose(summary["mean"], mean, rtol=1e-8)
    assert_allclose(summary["sd"], sd, rtol=1e-8)
    if mode is not None:
        assert_allclose(summary["mode"], mode, rtol=1e-9)


def test_bounds_transform_is_scaled_logit_normal(run):
    """bounds:L,U = L + (U-L) sigmoid(x): quantiles map through the monotone transform."""
    summary = run.json("summarize", "normal", "--loc", "0.5", "--scale", "1", "--transform", "bounds:2,10",
                       "--quantiles", PROBS_TEXT)["summary"]
    for p in PROBS:
        assert_allclose(summary["quantiles"][repr(p)], 2 + 8 * special.expit(stats.norm(0.5, 1).ppf(p)), rtol=1e-8)


@pytest.mark.slow
def test_divergent_mean_is_null(run):
    """exp of a Cauchy has no mean: report null, never a number from a failed integral."""
    summary = run.json("summarize", "cauchy", "--transform", "softplus")["summary"]
    assert summary["mean"] is None and summary["sd"] is None


def test_mode_where_the_density_overflows_is_null_not_a_crash(run):
    """reciprocal(exp(exp(X))) = exp(-e^X) for X ~ LogNormal(0, 1): the density is unbounded at 0 and
    the Jacobian overflows before the grid reaches that end, so the mode is unknown (null); the
    quantiles are the decreasing transform of X's: exp(-exp(x_{1-p}))."""
    summary = run.json("summarize", "lognormal", "--transform", "exp", "--transform", "exp",
                       "--transform", "reciprocal", "--quantiles", "0.25,0.5,0.75")["summary"]
    assert summary["mode"] is None
    for p in (0.25, 0.5, 0.75):
        assert_allclose(summary["quantiles"][repr(p)], np.exp(-np.exp(stats.lognorm(1).ppf(1 - p))), rtol=1e-8)


def test_dirichlet_components_are_beta(run):
    doc = run.json("summarize", "dirichlet", "--concentration", "1,2,3")
    rows = doc["summary"]
    assert len(rows) == 3
    for a, row in zip((1, 2, 3), rows):
        oracle = stats.beta(a, 6 - a)
        assert_allclose(row["mean"], oracle.mean(), rtol=1e-10)
        assert_allclose(row["sd"], oracle.std(), rtol=1e-10)
        assert_allclose(row["quantiles"]["0.975"], oracle.ppf(0.975), rtol=1e-8)


def test_discrete_family_without_cdf_uses_its_pmf(run):
    """numpyro's BetaBinomial has no cdf: quantiles and mode come from the summed pmf."""
    summary = run.json("summarize", "betabinomial", "--alpha", "2", "--beta", "3", "--total_count", "10",
                       "--quantiles", PROBS_TEXT)["summary"]
    oracle = stats.betabinom(10, 2, 3)
    for p in PROBS:
        assert summary["quantiles"][repr(p)] == oracle.ppf(p)
    assert summary["mode"] == float(np.argmax(oracle.pmf(np.arange(11))))
    assert_allclose(summary["mean"], oracle.mean(), rtol=1e-10)


@pytest.mark.slow
def test_circular_family_moments_are_those_of_the_interval_around_loc(run):
    # The linear moments on [loc - pi, loc + pi) (scipy's convention), not numpyro's circular variance.
    summary = run.json("summarize", "vonmises", "--loc", "0", "--concentration", "2")["summary"]
    assert summary["mean"] == 0.0
    assert_allclose(summary["sd"], stats.vonmises(2.0).std(), rtol=1e-8)


def test_discrete_poisson(run):
    summary = run.json("summarize", "poisson", "--rate", "3.5")["summary"]
    oracle = stats.poisson(3.5)
    assert summary["quantiles"]["0.975"] == oracle.ppf(0.975)
    assert summary["median"] == oracle.median()
    assert summary["mode"] == 3.0
    assert_allclose(summary["mean"], 3.5)


@pytest.mark.parametrize("argv,mean", [
    (["lognormal", "--sigma", "30"], math.exp(30.0**2 / 2)),  # E[e^X] = e^(s^2/2) (scipy gives inf)
    (["exponential", "--rate", "1e-300"], 1e300),
])
def test_summaries_beyond_float64_are_null_not_a_crash(run, argv, mean):
    """The variance overflows float64 (exp(900), 1e600): sd is unknown (null), the rest is exact."""
    for command in ("summarize", "sample"):
        doc = run.json(command, *argv)
        summary = doc["summary"] if command == "summarize" else doc["exact"]
        assert summary["sd"] is None
        assert_allclose(summary["mean"], mean, rtol=1e-12)
