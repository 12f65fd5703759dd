"""Issue 19, items 7 and 8 and the integer-support loops: exact values that exist are reported
(quadrature, a cdf integrated from the density, Hurdle families as an atom plus a continuous part),
draws beyond float64 are counted and said, and searches over integers finish for huge parameters.

Oracles: scipy.stats, closed forms, independent quadrature of the density, numpy simulations."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import integrate, special, stats

from priorcli import records

from conftest import assert_usage_error

QS = (0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975)
QS_TEXT = ",".join(repr(q) for q in QS)


def _summary(run, *args):
    return run.json("summarize", *args, "--quantiles", QS_TEXT)["summary"]


# ---------------------------------------------------------------------------------------------
# Item 7: values that exist are reported


@pytest.mark.slow
def test_item7_gompertz_sd_and_mode(run):
    s = _summary(run, "gompertz", "--concentration", "2")
    oracle = stats.gompertz(2.0)
    assert_allclose(s["sd"], oracle.std(), rtol=1e-8)
    assert_allclose(s["mean"], oracle.mean(), rtol=1e-8)
    assert s["mode"] == 0.0  # log density log c + x - c(e^x - 1) falls from 0 when c >= 1
    # c < 1: the mode is the root of 1 - c e^(x) = 0, log(1/c) / rate
    s = _summary(run, "gompertz", "--concentration", "0.3", "--rate", "2")
    assert_allclose(s["mode"], math.log(1 / 0.3) / 2, rtol=1e-8)
    assert_allclose(s["sd"], stats.gompertz(0.3, scale=0.5).std(), rtol=1e-8)


@pytest.mark.slow
def test_item7_doubly_truncated_power_law_mean_and_sd(run):
    s = _summary(run, "doublytruncatedpowerlaw", "--alpha", "-2", "--low", "1", "--high", "10")
    # density x^-2 / 0.9 on [1, 10]: E[X] = ln(10) / 0.9, E[X^2] = 9 / 0.9 = 10
    mean = math.log(10) / 0.9
    assert_allclose(s["mean"], mean, rtol=1e-8)
    assert_allclose(s["sd"], math.sqrt(10 - mean**2), rtol=1e-8)
    assert round(s["mean"], 3) == 2.558 and round(s["sd"], 3) == 1.859
    # another exponent, against scipy's quadrature of the density
    s = _summary(run, "doublytruncatedpowerlaw", "--alpha", "0.7", "--low", "0.5", "--high", "3")
    z = integrate.quad(lambda x: x**0.7, 0.5, 3, epsabs=0, epsrel=1e-13)[0]
    m = integrate.quad(lambda x: x**1.7 / z, 0.5, 3, epsabs=0, epsrel=1e-13)[0]
    v = integrate.quad(lambda x: (x - m) ** 2 * x**0.7 / z, 0.5, 3, epsabs=0, epsrel=1e-13)[0]
    assert_allclose([s["mean"], s["sd"]], [m, math.sqrt(v)], rtol=1e-8)


@pytest.mark.slow
def test_item7_lower_truncated_power_law_is_a_pareto(run):
    # x^alpha on (low, inf) with alpha = -3.5 is Pareto(b = 2.5, scale = low)
    s = _summary(run, "lowertruncatedpowerlaw", "--alpha", "-3.5", "--low", "2")
    oracle = stats.pareto(2.5, scale=2.0)
    assert_allclose([s["mean"], s["sd"]], [oracle.mean(), oracle.std()], rtol=1e-8)
    assert s["mode"] == 2.0
    # alpha = -3: the variance diverges (the integrand of E[X^2] falls as 1/x): unknown, not a number
    s = _summary(run, "lowertruncatedpowerlaw", "--alpha", "-3", "--low", "1")
    assert_allclose(s["mean"], 2.0, rtol=1e-8)
    assert s["sd"] is None


def test_item7_hurdle_gamma_quantiles(run):
    s = _summary(run, "hurdlegamma", "--gate", "0.3", "--concentration", "2")
    part = stats.gamma(2.0)
    for q in QS:  # P(X = 0) = 0.3, then the Gamma: F(x) = 0.3 + 0.7 G(x)
        want = 0.0 if q <= 0.3 else part.ppf((q - 0.3) / 0.7)
        assert_allclose(s["quantiles"][repr(q)], want, rtol=1e-8)
    assert round(s["median"], 3) == 1.058
    assert s["mode"] is None  # a point mass beside a density: no mode (README)
    # a transform carries the atom: E[exp(X)] = 0.3 * 1 + 0.7 * (3 / 2)^2 for Gamma(2, rate 3)
    s = _summary(run, "hurdlegamma", "--gate", "0.3", "--concentration", "2", "--rate", "3",
                 "--transform", "exp")
    assert_allclose(s["mean"], 0.3 + 0.7 * 2.25, rtol=1e-8)
    assert s["quantiles"]["0.25"] == 1.0


def test_item7_hurdle_lognormal_quantiles(run):
    s = _summary(run, "hurdlelognormal", "--gate", "0.1", "--loc", "0.5", "--scale", "2")
    part = stats.lognorm(2.0, scale=math.exp(0.5))
    for q in QS:
        want = 0.0 if q <= 0.1 else part.ppf((q - 0.1) / 0.9)
        assert_allclose(s["quantiles"][repr(q)], want, rtol=1e-8)


@pytest.mark.slow
@pytest.mark.parametrize("loc,kappa", [(0.5, 2.0), (0.0, 0.3), (-2.5, 4.0)])
def test_item7_vonmises_on_the_interval_around_loc(run, loc, kappa):
    doc = run.json("summarize", "vonmises", "--loc", loc, "--concentration", kappa, "--quantiles", QS_TEXT)
    s = doc["summary"]
    oracle = stats.vonmises(kappa, loc=loc)  # scipy's support: [loc - pi, loc + pi]
    assert_allclose(doc["support"], [loc - math.pi, loc + math.pi], rtol=1e-12)
    assert s["mean"] == loc
    assert_allclose(s["sd"], oracle.std(), rtol=1e-8)
    assert_allclose(s["median"], loc, atol=1e-10)
    assert_allclose(s["mode"], loc, atol=1e-8)
    for q in QS:
        assert_allclose(s["quantiles"][repr(q)], oracle.ppf(q), rtol=1e-8, atol=1e-12)


def test_item7_vonmises_concentrated_against_an_independent_quadrature(run):
    # scipy.stats.vonmises switches to a normal approximation for large kappa; integrate the density
    kappa = 50.0
    s = _summary(run, "vonmises", "--loc", "0", "--concentration", kappa)

    def density(x):
        return math.exp(kappa * (math.cos(x) - 1)) / (2 * math.pi * special.i0e(kappa))

    var = integrate.quad(lambda x: x * x * density(x), -math.pi, math.pi, epsabs=0, epsrel=1e-13, points=[0])[0]
    assert_allclose(s["sd"], math.sqrt(var), rtol=1e-8)
    from scipy.optimize import brentq

    q = brentq(lambda x: integrate.quad(density, -math.pi, x, epsabs=0, epsrel=1e-13)[0] - 0.025, -math.pi, 0,
               xtol=1e-15)
    assert_allclose(s["quantiles"]["0.025"], q, rtol=1e-8)


def test_item7_vonmises_draws_are_summarised_on_the_same_interval(run):
    n = 20_000
    doc = run.json("sample", "vonmises", "--loc", "3", "--concentration", "2", "-n", n, "--no-plot")
    mc, exact = doc["mc"], doc["exact"]
    se = exact["sd"] / math.sqrt(n)
    assert abs(mc["mean"] - 3.0) < 4.5 * se  # numpyro's draws lie in [-pi, pi): wrapped around loc
    assert abs(mc["median"] - exact["median"]) < 0.05


@pytest.mark.slow
def test_item7_relaxed_bernoulli_moments(run):
    # X = sigmoid((logits + L) / T), L ~ Logistic(0, 1): the moments by quadrature over L
    s = _summary(run, "relaxedbernoullilogits", "--temperature", "2", "--logits", "0.4")

    def moment(k):
        return integrate.quad(lambda l: special.expit((0.4 + l) / 2) ** k * stats.logistic.pdf(l),
                              -np.inf, np.inf, epsabs=0, epsrel=1e-13)[0]

    m1, m2 = moment(1), moment(2)
    assert_allclose([s["mean"], s["sd"]], [m1, math.sqrt(m2 - m1 * m1)], rtol=1e-8)


def test_item7_discrete_families_without_a_cdf(run):
    s = _summary(run, "bernoullilogits", "--logits", "0.3")
    oracle = stats.bernoulli(special.expit(0.3))
    assert [s["quantiles"][repr(q)] for q in QS] == list(oracle.ppf(QS))
    assert s["mode"] == 1.0
    # a heavy tail (variance infinite): the quantiles from a pmf table that covers part of the mass;
    # numpyro's BetaNegativeBinomial(c1, c0, n) is scipy's betanbinom(n, a=c0, b=c1)
    s = _summary(run, "betanegativebinomial", "--concentration1", "3.5", "--concentration0", "2", "--n", "2")
    oracle = stats.betanbinom(2, 2.0, 3.5)
    assert [s["quantiles"][repr(q)] for q in QS] == list(oracle.ppf(QS))
    assert s["mode"] == float(np.argmax(oracle.pmf(np.arange(200))))
    assert s["sd"] is None and s["mean"] == pytest.approx(oracle.mean(), rel=1e-10)


def test_item7_categorical_summaries_do_not_crash(run):
    s = _summary(run, "categoricalprobs", "--probs", "0.2,0.3,0.5")
    assert [s["quantiles"][repr(q)] for q in QS] == [0.0, 0.0, 1.0, 1.0, 2.0, 2.0, 2.0]
    assert s["mode"] == 2.0
    assert s["mean"] is None  # numpyro: categories are labels, their mean is nan


# ---------------------------------------------------------------------------------------------
# Item 8: draws beyond float64


def test_item8_counts_and_mode_of_underflowed_draws():
    from priorcli.stats.monte_carlo import mc_summary, range_note

    rng = np.random.default_rng(7)
    with np.errstate(over="ignore", under="ignore"):  # numpy's own draws: some underflow, some overflow
        x = np.exp(rng.normal(0.0, 300.0, 100_000))
    zeros, infs = int(np.sum(x == 0)), int(np.sum(np.isinf(x)))
    assert zeros > 100 and infs > 100
    s = mc_summary(x)
    assert (s.underflowed, s.overflowed) == (zeros, infs)
    assert s.mode is None and s.mean is None and s.sd is None
    assert s.median == pytest.approx(np.median(x))
    note = range_note(s, "theta")
    assert note.startswith(f"Note: {zeros} of 100000 draws of theta underflowed to 0 and {infs} overflowed to inf")
    # zeros beside values well clear of 1e-300 are values (a hurdle's zeros, max(u, 0)), not underflow
    y = np.where(rng.random(50_000) < 0.3, 0.0, rng.gamma(2.0, 1.0, 50_000))
    s = mc_summary(y)
    assert (s.underflowed, s.overflowed) == (0, 0) and s.mode is not None and range_note(s) is None
    # a Poisson's zeros are values
    assert mc_summary(rng.poisson(0.5, 1000).astype(float), discrete=True).underflowed == 0


def test_item8_moments_of_tiny_and_huge_draws_do_not_underflow():
    from priorcli.stats.monte_carlo import mc_summary

    rng = np.random.default_rng(3)
    z = rng.normal(size=10_000)
    for scale in (1e-300, 1e300):
        s = mc_summary(scale * (2.0 + z))
        assert_allclose([s.mean, s.sd], [scale * np.mean(2.0 + z), scale * np.std(2.0 + z, ddof=1)], rtol=1e-12)


FORUM = "theta_group ~ LogNormal(1, 1); tau_group ~ HalfCauchy(5); theta_part ~ LogNormal(theta_group, tau_group)"


def test_item8_forum_model_says_how_many_draws_left_float64(run):
    from priorcli.model.parse import parse_model
    from priorcli.model.numpyro import sample_model

    n = 100_000
    draws = sample_model(parse_model(FORUM), n, 0)["theta_part"]
    zeros, infs = int(np.sum(draws == 0)), int(np.sum(np.isinf(draws)))
    assert zeros > 0 and infs > 0
    result = run("sample", "--model", FORUM, "-n", n, "--format", "json")
    assert result.exit_code == 0, result.stderr
    import json

    summary = json.loads(result.stdout)["variables"]["theta_part"]["mc"]
    assert (summary["underflowed"], summary["overflowed"]) == (zeros, infs)
    assert summary["mode"] is None and summary["mean"] is None
    assert "underflowed" not in json.loads(result.stdout)["variables"]["theta_group"]["mc"]
    lines = result.stderr.splitlines()
    assert lines == [f"Note: {zeros} of {n} draws of theta_part underflowed to 0 and {infs} overflowed to inf "
                     "(beyond float64's range, 2.2e-308 to 1.8e308); the Monte Carlo mean, sd and mode are unknown"]


def _run_recording_warnings(run, *argv):
    """The command in-process, with every warning raised during it recorded (under pytest a
    warning is recorded rather than printed, so stderr alone would not show a RuntimeWarning)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run(*argv)
    return result, [f"{w.category.__name__}: {w.message}" for w in caught if issubclass(w.category, RuntimeWarning)]


@pytest.mark.parametrize("argv", [["sample", "lognormal", "--mu", "1000"], ["summarize", "lognormal", "--mu", "1000"],
                                  ["summarize", "lognormal", "--mu", "-1000"],
                                  ["sample", "lognormal", "--mu", "-1000", "--format", "json"]])
def test_item8_parameters_beyond_float64_are_one_error(run, argv):
    result, runtime_warnings = _run_recording_warnings(run, *argv)
    assert result.exit_code == 1, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: LogNormal(loc=") and "beyond float64" in lines[0]
    assert ("overflows to inf" if "1000" == argv[3] else "underflows to 0") in lines[0]
    assert runtime_warnings == []


@pytest.mark.slow
def test_item8_partial_overflow_is_a_note_never_a_runtime_warning(run):
    argv = ["sample", "lognormal", "--mu", "700", "--sigma", "5"]
    raw, raw_warnings = _run_recording_warnings(run, *argv, "--format", "raw")
    infs = sum(1 for line in raw.stdout.split() if line == "inf")
    assert infs > 0
    table, table_warnings = _run_recording_warnings(run, *argv, "--no-plot")
    assert table.exit_code == 0
    assert table.stderr.splitlines() == [f"Note: {infs} of 10000 draws overflowed to inf (beyond float64's range, "
                                         "2.2e-308 to 1.8e308); the Monte Carlo mean and sd are unknown"]
    assert raw_warnings == table_warnings == []
    assert "RuntimeWarning" not in raw.stderr + table.stderr


def test_item8_streamed_draws_count_overflow_too(run):
    n = 1_100_000  # above one chunk: the streaming summary
    result = run("sample", "lognormal", "--mu", "700", "--sigma", "5", "-n", n, "--format", "json", "--no-plot")
    assert result.exit_code == 0, result.stderr
    import json

    mc = json.loads(result.stdout)["mc"]
    # Overflow is exp(N(700, 5)) > 1.797e308: P = 1 - Phi((log(1.797e308) - 700) / 5); a binomial count
    p = stats.norm.sf((math.log(np.finfo(float).max) - 700) / 5)
    assert abs(mc["overflowed"] - n * p) < 5 * math.sqrt(n * p * (1 - p))
    assert mc["mean"] is None and mc["median"] is not None
    assert f"Note: {mc['overflowed']} of {n} draws overflowed to inf" in result.stderr


# ---------------------------------------------------------------------------------------------
# Loops over integer support (k - 1 == k beyond 2**53)


def _cornish_fisher_poisson(rate, q):
    z = stats.norm.ppf(q)
    return rate + math.sqrt(rate) * z + (z * z - 1) / 6


def test_item8_poisson_huge_rate_finishes_with_correct_quantiles(run):
    # The rate 1e16 puts counts beyond 2**53, where float64 no longer holds every whole
    # number: refused at once (the records' check_exact_counts), not looped over.
    assert_usage_error(run("summarize", "poisson", "--rate", "1e16"), "rate=1e+16", "2^53", code=2)
    s = _summary(run, "poisson", "--rate", "1e15")
    assert s["mean"] == 1e15 and s["mode"] in (1e15 - 1, 1e15)  # an integer rate has two modes
    assert_allclose(s["sd"], math.sqrt(1e15), rtol=1e-12)
    for q in QS:  # scipy's ppf gives nan at such rates: the Cornish-Fisher expansion, O(1/rate)
        assert abs(s["quantiles"][repr(q)] - _cornish_fisher_poisson(1e15, q)) <= 4
    s = _summary(run, "poisson", "--rate", "1e12")  # below 2**53: exact, by scipy's cdf
    for q in QS:
        k = s["quantiles"][repr(q)]
        assert stats.poisson.cdf(k, 1e12) >= q > stats.poisson.cdf(k - 1, 1e12)


def test_item8_discrete_search_beyond_2_53_terminates():
    poisson = records.get("Poisson")
    qs = np.array([1e-12, 0.3, 0.5, 0.975])  # (far upper tails: pdtr's own precision near 1 limits them)
    for rate in (1e15, 1e20, 1e300):
        ks = poisson.icdf(qs, rate=rate)
        assert np.all(np.isfinite(ks)) and np.all(np.diff(ks) >= 0)
        assert_allclose(ks, [_cornish_fisher_poisson(rate, q) for q in qs], rtol=1e-14)
    # ordinary sizes stay exact (scipy's ppf)
    assert_allclose(poisson.icdf(qs, rate=47.3), stats.poisson.ppf(qs, 47.3))
    binom = records.get("BinomialProbs")
    assert_allclose(binom.icdf(qs, probs=0.3, total_count=20), stats.binom.ppf(qs, 20, 0.3))


def test_item8_poisson_log_pmf_keeps_precision_at_huge_rates():
    poisson = records.get("Poisson")
    for rate in (1e8, 1e12, 1e16):
        # Stirling: log pmf(rate) = -log(2 pi rate) / 2 - 1 / (12 rate) + O(rate^-2)
        assert_allclose(poisson.logpdf(rate, rate=rate), -0.5 * math.log(2 * math.pi * rate) - 1 / (12 * rate),
                        rtol=1e-12)
        # ratio of neighbours: log pmf(k + 1) - log pmf(k) = log(rate / (k + 1)), k = rate + 10 sd
        k = rate + 10 * math.sqrt(rate) if rate < 1e15 else None
        if k is not None:
            k = math.floor(k)
            diff = poisson.logpdf(float(k + 1), rate=rate) - poisson.logpdf(float(k), rate=rate)
            assert_allclose(diff, math.log(rate / (k + 1)), rtol=1e-6)


@pytest.mark.slow
def test_item8_sample_poisson_huge_rate_plots(run):
    result = run("sample", "poisson", "--rate", "1e15", "-n", "1000")
    assert result.exit_code == 0, result.stderr


@pytest.mark.slow
def test_item8_streamed_log_axis_with_an_edge_at_zero_warns_nothing(run):
    # Above one chunk the plot's display bins are read off the streaming grid; on a log grid an
    # edge at 0 took np.log(0) and printed numpy's RuntimeWarning with its source line.
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = run("sample", "weibull", "--scale", "2", "--concentration", "1.5", "-n", "1100000")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert "Weibull" in result.stdout
