"""``summarize --input FILE --fit metalog [--terms K] [--lower L] [--upper U]`` (issue 21, item 7):
Keelin's least squares of the metalog coefficients at the plotting positions (i - 0.5) / n.

Oracles: the same equations solved here with numpy's lstsq on Keelin's basis written from the
paper (tests/test_metalog.py's, in y itself); scipy.stats' logistic and log-logistic (fisk), which
are the 2-term unbounded and log metalogs exactly; a 3-term metalog's draws made with numpy's
uniforms through the oracle quantile function, its cdf by scipy's brentq on it. Monte Carlo bands:
a fitted p-quantile q of n draws has |F(q) - p| <= 4.5 sqrt(p (1 - p) / n) + 1/n.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import optimize, stats

from conftest import assert_usage_error
from test_metalog import K_SIGMA, keelin_basis, oracle_quantile, to_scale

INF = math.inf
PROBS = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)


def _write(tmp_path, values, name="data.txt"):
    path = tmp_path / name
    np.savetxt(path, values, fmt="%.17g")
    return str(path)


def _fit(run, path, *args):
    result = run("summarize", "--input", path, "--fit", "metalog", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["fit"]


def _oracle_lstsq(x, k, lower, upper):
    x = np.sort(x)
    y = (np.arange(1, x.size + 1) - 0.5) / x.size
    return np.linalg.lstsq(keelin_basis(y, k), to_scale(x, lower, upper), rcond=None)[0]


@pytest.mark.parametrize("k, lower, upper, make", [
    (3, -INF, INF, lambda r: r.normal(2, 1, 800)),
    (4, -INF, INF, lambda r: r.gumbel(0, 2, 600)),
    (5, 0.0, INF, lambda r: r.gamma(2, 1, 1000)),
    (3, -INF, 10.0, lambda r: 10 - r.gamma(3, 1, 700)),
    (4, 0.0, 1.0, lambda r: r.beta(2, 5, 900)),
])
def test_coefficients_are_the_least_squares_of_keelins_equations(run, tmp_path, k, lower, upper, make):
    x = make(np.random.default_rng(k))
    args = ["--terms", k] + (["--lower", lower] if lower != -INF else []) + (["--upper", upper] if upper != INF else [])
    fit = _fit(run, _write(tmp_path, x), *args)
    assert fit["family"] == "Metalog" and fit["terms"] == k and fit["method"] == "least-squares"
    np.testing.assert_allclose(fit["params"]["a"], _oracle_lstsq(x, k, lower, upper), rtol=1e-9, atol=1e-12)
    assert fit["params"]["lower"] == (None if lower == -INF else lower)
    assert fit["params"]["upper"] == (None if upper == -INF or upper == INF else upper)


def test_default_is_the_largest_feasible_of_at_most_five_terms(run, tmp_path):
    x = np.random.default_rng(3).gamma(2, 1, 1000)
    fit = _fit(run, _write(tmp_path, x), "--lower", 0)
    assert fit["terms"] == 5 and fit["tried"] == [{"terms": 5, "feasible": True}]
    np.testing.assert_allclose(fit["params"]["a"], _oracle_lstsq(x, 5, 0.0, INF), rtol=1e-9)


def test_infeasible_fits_are_skipped_down_to_a_feasible_one(run, tmp_path):
    r = np.random.default_rng(1)
    x = np.concatenate([r.normal(0, 0.05, 500), r.normal(10, 0.05, 500)])  # two narrow modes
    fit = _fit(run, _write(tmp_path, x))
    k = fit["terms"]
    assert k < 5 and [t["terms"] for t in fit["tried"]] == list(range(5, k - 1, -1))
    y = np.linspace(1e-6, 1 - 1e-6, 200001)
    for t in fit["tried"]:  # each one's verdict, checked on the oracle's quantile function
        q = oracle_quantile(_oracle_lstsq(x, t["terms"], -INF, INF), -INF, INF, y)
        assert t["feasible"] == bool(np.all(np.diff(q) > 0)), t
    np.testing.assert_allclose(fit["params"]["a"], _oracle_lstsq(x, k, -INF, INF), rtol=1e-9)


def _band(p, n):
    return K_SIGMA * math.sqrt(p * (1 - p) / n) + 1 / n


@pytest.mark.slow
def test_large_logistic_and_log_logistic_samples_give_their_quantiles(run, tmp_path):
    n = 200_000  # beyond MAX_POINTS: the fit goes through 65536 order statistics
    r = np.random.default_rng(11)
    for truth, args in ((stats.logistic(1.5, 0.7), []), (stats.fisk(2.5, scale=3.0), ["--lower", 0])):
        x = truth.rvs(size=n, random_state=r)
        fit = _fit(run, _write(tmp_path, x), "--terms", 2, *args)
        a = fit["params"]["a"]
        lower = fit["params"]["lower"] if fit["params"]["lower"] is not None else -INF
        for p in PROBS:
            q = oracle_quantile(a, lower, INF, p)[0]
            assert abs(truth.cdf(q) - p) <= _band(p, n), (p, q, truth.ppf(p))
        if not args:  # the 2-term unbounded metalog is Logistic(a1, a2): its likelihood and KS statistic
            fitted = stats.logistic(a[0], a[1])
            assert fit["log_likelihood"] == pytest.approx(fitted.logpdf(x).sum(), rel=1e-9)
            assert fit["ks"] == pytest.approx(stats.kstest(x, fitted.cdf).statistic, rel=1e-6)


@pytest.mark.slow
def test_large_sample_of_a_known_metalog_gives_its_quantiles(run, tmp_path):
    a_true, lower, n = [1.0, 0.4, 0.15], 0.0, 100_000
    x = oracle_quantile(a_true, lower, INF, np.random.default_rng(5).uniform(size=n))
    fit = _fit(run, _write(tmp_path, x), "--lower", 0)
    assert fit["terms"] == 5

    def true_cdf(v):
        return optimize.brentq(lambda y: oracle_quantile(a_true, lower, INF, y)[0] - v, 1e-15, 1 - 1e-15, xtol=1e-15)

    for p in PROBS:
        q = oracle_quantile(fit["params"]["a"], lower, INF, p)[0]
        assert abs(true_cdf(q) - p) <= _band(p, n), (p, q)


@pytest.mark.parametrize("data, args, needles, code", [
    ("gamma", ["--terms", "1"], ["--terms", "2 to 30"], 2),
    ("gamma", ["--terms", "2.5"], ["--terms"], 2),
    ("gamma", ["--lower", "0.5"], ["--lower 0.5", "data value(s)"], 2),
    ("gamma", ["--upper", "3"], ["--upper 3", "data value(s)"], 2),
    ("gamma", ["--lower", "3", "--upper", "1"], ["--lower 3", "below"], 2),
    ("gamma", ["--a", "1,2"], ["--a", "--terms K"], 2),
    ("gamma", ["--truncate", "0,"], ["--truncate"], 2),
    ("modes", ["--terms", "7"], ["--terms 7", "not a distribution"], 1),
    ("equal", [], ["distinct"], 1),
])
def test_bad_input_is_one_error_line(run, tmp_path, data, args, needles, code):
    r = np.random.default_rng(0)
    values = {"gamma": r.gamma(2, 1, 300), "equal": np.ones(5),
              "modes": np.concatenate([r.normal(0, 0.05, 500), r.normal(10, 0.05, 500)])}[data]
    result = run("summarize", "--input", _write(tmp_path, values), "--fit", "metalog", *args, "--no-plot")
    assert_usage_error(result, *needles, code=code)


def test_table_shows_the_fit_and_its_code_lines(run, tmp_path):
    result = run("summarize", "--input", _write(tmp_path, np.random.default_rng(2).gamma(2, 1, 500)), "--fit",
                 "metalog", "--lower", "0")
    assert result.exit_code == 0, result.stderr
    text = result.stdout.replace("\n", " ")
    assert "metalog fit (Keelin's least squares" in text and "5 terms" in text and "metalog_quantile(" in text
    assert "fit: Metalog(a=[" in text  # the fitted density drawn over the histogram
