"""Exact summaries of truncations deep in the upper tail (issue 21, item 1) for the families whose
records gained a survival function (Chi2, InverseGamma, Beta, Gumbel, Logistic, Laplace, Cauchy,
HalfCauchy, Pareto, Levy, Kumaraswamy), and the truncated mean and sd of ``summarize`` from the
record's closed-form partial moments (``moment_shift``), the solver's code path (item 3).

Oracles, computed here: scipy's survival function (quantiles isf(S(a) - p (S(a) - S(b)))), and
the mean and sd by scipy's quadrature of the density scaled by its value at a (scipy's own
``expect(conditional=True)`` divides by F(b) - F(a) = 0 there), or scipy.stats.truncnorm."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import scipy.stats as st
from scipy.integrate import quad

import priorcli

PROBS = (0.025, 0.25, 0.5, 0.75, 0.975)
RECORD_NAMES = {"chi2": "Chi2", "inversegamma": "InverseGamma", "beta": "Beta", "gumbel": "Gumbel",
                "logistic": "Logistic", "laplace": "Laplace", "cauchy": "Cauchy", "halfcauchy": "HalfCauchy",
                "pareto": "Pareto", "levy": "Levy", "gamma": "Gamma", "exponential": "Exponential",
                "lognormal": "LogNormal"}

DEEP = [  # (family, params, scipy twin, low, high): F(low) rounds to 1 in float64, or all but
    ("chi2", {"df": 3.0}, st.chi2(3.0), 150.0, 170.0),
    ("inversegamma", {"concentration": 3.0, "rate": 1.0}, st.invgamma(3.0), 1e6, 1e7),
    ("beta", {"concentration1": 2.0, "concentration0": 30.0}, st.beta(2.0, 30.0), 0.9, 0.95),
    ("gumbel", {"loc": 0.0, "scale": 1.0}, st.gumbel_r(), 40.0, 50.0),
    ("logistic", {"loc": 1.0, "scale": 2.0}, st.logistic(1.0, 2.0), 80.0, 100.0),
    ("laplace", {"loc": 1.0, "scale": 2.0}, st.laplace(1.0, 2.0), 80.0, 100.0),
    ("cauchy", {"loc": 0.0, "scale": 1.0}, st.cauchy(), 1e17, 2e17),
    ("halfcauchy", {"scale": 1.0}, st.halfcauchy(), 1e17, 2e17),
    ("pareto", {"scale": 1.0, "alpha": 2.0}, st.pareto(2.0), 1e9, 2e9),
    ("levy", {"loc": 0.0, "scale": 1.0}, st.levy(), 1e30, 2e30),
    ("gamma", {"concentration": 2.0, "rate": 1.0}, st.gamma(2.0), 60.0, 70.0),
    ("lognormal", {"loc": 0.0, "scale": 1.0}, st.lognorm(1.0), math.exp(9.0), math.exp(10.0)),
    ("weibull", {"scale": 1.0, "concentration": 2.0}, st.weibull_min(2.0), 7.0, 8.0),
    ("studentt", {"df": 3.0, "loc": 0.0, "scale": 1.0}, st.t(3.0), 1e6, 2e6),
]


def _moments(ref, a, b):
    """Mean and sd of ref on [a, b] by quad of the density divided by its value at a."""
    c = ref.logpdf(a)
    f = lambda x: math.exp(ref.logpdf(x) - c)  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        z = quad(f, a, b, epsrel=1e-13, epsabs=0.0, limit=200)[0]
        m = quad(lambda x: x * f(x), a, b, epsrel=1e-13, epsabs=0.0, limit=200)[0] / z
        v = quad(lambda x: (x - m) ** 2 * f(x), a, b, epsrel=1e-13, epsabs=0.0, limit=200)[0] / z
    return m, math.sqrt(v)


@pytest.mark.parametrize("family, params, ref, low, high", DEEP, ids=[c[0] for c in DEEP])
def test_exact_summary_deep_in_the_upper_tail(family, params, ref, low, high):
    assert ref.cdf(low) > 1 - 1e-8
    s = priorcli.summarize(family, truncate=(low, high), levels=PROBS, **params)
    sa, sb = ref.sf(low), ref.sf(high)
    for p in PROBS:
        assert s.quantiles[p] == pytest.approx(ref.isf(sa - p * (sa - sb)), rel=1e-10), p
    m, sd = _moments(ref, low, high)
    assert s.mean == pytest.approx(m, rel=1e-10)
    assert s.sd == pytest.approx(sd, rel=1e-8)
    assert s.mode == low  # each density decreases across the far tail


def test_kumaraswamy_near_one_against_its_closed_form():
    # S(x) = (1 - x^a)^b; the quantile solves S(x) = S(lo) - p (S(lo) - S(hi))
    a, b, lo, hi = 2.0, 3.0, 0.99999, 0.999999
    s = priorcli.summarize("kumaraswamy", concentration1=a, concentration0=b, truncate=(lo, hi), levels=PROBS)
    S = lambda x: (-math.expm1(a * math.log(x))) ** b  # noqa: E731
    for p in PROBS:
        target = S(lo) - p * (S(lo) - S(hi))
        x = math.exp(math.log1p(-target ** (1 / b)) / a)
        assert s.quantiles[p] == pytest.approx(x, rel=1e-12), p


@pytest.mark.parametrize("family", ["chi2", "inversegamma", "beta", "gumbel", "logistic", "laplace", "cauchy",
                                    "halfcauchy", "pareto", "levy"])
def test_new_record_survival_functions_against_scipy(family):
    from priorcli import records

    case = next(c for c in DEEP if c[0] == family)
    F, params, ref = records.get(RECORD_NAMES[family]), case[1], case[2]
    lo, hi = F.support(**params)
    xs = [x for x in (0.3, 0.7, 1.5, 3.0, 30.0) if lo < x < hi]
    for x in xs:
        assert F.sf(x, **params) == pytest.approx(ref.sf(x), rel=1e-12), x
    for q in (0.3, 0.5, 0.7, 1e-10, 1e-100):
        assert F.isf(q, **params) == pytest.approx(ref.isf(q), rel=1e-9), q
    assert F.sf(np.asarray(xs), **params) == pytest.approx(ref.sf(np.asarray(xs)), rel=1e-12)


def test_mass_underflow_is_one_error_exit_1(run):
    result = run("summarize", "normal", "--truncate", "40,50", "--no-plot")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: --truncate 40,50")
    assert "no probability" in lines[0] and "double precision" in lines[0]


# ---------------------------------------------------------------------------------------------
# summarize's truncated moments from the closed form (the record's moment_shift), as the solver's

SHIFTED = [  # (family, params, scipy twin, low, high)
    ("gamma", {"concentration": 2.5, "rate": 0.7}, st.gamma(2.5, scale=1 / 0.7), 0.5, 10.0),
    ("gamma", {"concentration": 2.0, "rate": 1.0}, st.gamma(2.0), 8.0, None),
    ("chi2", {"df": 3.4}, st.chi2(3.4), 1.0, 10.0),
    ("exponential", {"rate": 0.35}, st.expon(scale=1 / 0.35), 1.0, 4.0),
    ("lognormal", {"loc": 1.1, "scale": 0.65}, st.lognorm(0.65, scale=math.exp(1.1)), None, 10.0),
    ("inversegamma", {"concentration": 3.5, "rate": 2.0}, st.invgamma(3.5, scale=2.0), 0.2, 3.0),
]


@pytest.mark.parametrize("family, params, ref, low, high", SHIFTED, ids=[c[0] for c in SHIFTED])
def test_summarize_takes_the_closed_form_moments(family, params, ref, low, high, monkeypatch):
    from priorcli import records
    from priorcli.records import truncated as T

    lo, hi = -math.inf if low is None else low, math.inf if high is None else high
    want_mean = ref.expect(lambda x: x, lb=lo, ub=hi, conditional=True)
    want_var = ref.expect(lambda x: (x - want_mean) ** 2, lb=lo, ub=hi, conditional=True)

    def no_quadrature(*args, **kwargs):
        raise AssertionError("the truncated mean went to the quadrature")

    s = priorcli.summarize(family, truncate=(low, high), **params)
    assert s.mean == pytest.approx(want_mean, rel=1e-10)
    assert s.sd == pytest.approx(math.sqrt(want_var), rel=1e-8)
    # the solver's truncated record gives the same numbers by the same path
    rec = T.truncated_record(records.get(RECORD_NAMES[family]), T.make_truncation(low, high))
    assert rec.mean(**params) == s.mean
    monkeypatch.setattr(T, "expect", no_quadrature)
    assert priorcli.summarize(family, truncate=(low, high), **params).mean == s.mean


# ---------------------------------------------------------------------------------------------
# A continuous hurdle truncated: its atom at 0 counts in the mass (the cdf's) and so in the moments


@pytest.mark.parametrize("low, high", [(0.0, 5.0), (-1.0, 5.0), (None, 3.0), (1.0, None), (0.5, 3.0)])
def test_truncated_hurdle_gamma_moments_count_the_atom(low, high):
    g, k = 0.2, 2.0
    gamma = st.gamma(k)
    lo, hi = max(0.0, -math.inf if low is None else low), math.inf if high is None else high
    atom = g if (low is None or low <= 0.0) else 0.0
    part = (1 - g) * (gamma.cdf(hi) - gamma.cdf(lo))
    z = atom + part
    m1 = (1 - g) * gamma.expect(lambda x: x, lb=lo, ub=hi) / z
    m2 = (1 - g) * gamma.expect(lambda x: x * x, lb=lo, ub=hi) / z
    s = priorcli.summarize("hurdlegamma", gate=g, concentration=k, rate=1.0, truncate=(low, high))
    assert s.mean == pytest.approx(m1, rel=1e-9)
    assert s.sd == pytest.approx(math.sqrt(m2 - m1 * m1), rel=1e-8)
    # the median: P(X <= x) = (atom + (1 - g) (F(x) - F(lo))) / z = 1/2
    target = 0.5 * z - atom
    median = 0.0 if target <= 0 else gamma.ppf(gamma.cdf(lo) + target / (1 - g))
    assert s.median == pytest.approx(median, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("argv, needle", [
    (["summarize", "truncated(Poisson(3), low=1)"], "Poisson is discrete"),
    (["summarize", "truncated(ZeroInflatedPoisson(0.2, 3), low=1, high=5)"], "is discrete"),
    (["summarize", "truncated(exp(Normal(0, 1)), low=1)"], "untransformed"),
    (["summarize", "truncated(Mixture([0.5, 0.5], [Normal(0, 1), Normal(3, 1)]), low=0)"], "Mixture"),
    (["summarize", "truncated(LKJ(3, 2), low=0)"], "multivariate"),
    (["summarize", "poisson", "--rate", "3", "--truncate", "1,"], "Poisson is discrete"),
])
def test_a_discrete_or_transformed_base_is_one_usage_error(run, argv, needle):
    from conftest import assert_usage_error

    assert_usage_error(run(*argv, "--no-plot"), needle)
