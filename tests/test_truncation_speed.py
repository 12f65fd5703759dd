"""The truncated moments' fast paths (``solve --family auto --truncate`` went from ~20-30 s to a few):

* quad's first 21-point Gauss-Kronrod step vectorised (priorcli.records.kronrod): where scipy's
  ``quad`` stops after that step it returns that step's value, so the vectorised step must accept
  exactly where quad does and give its value (checked against ``quad(..., full_output=1)``'s
  ``last``);
* closed-form truncated moments through a record's ``moment_shift`` (x^r f(x; p) = c f'(x; p')):
  Gamma, Chi2, Exponential, LogNormal, InverseGamma, checked against scipy.stats' own
  ``expect(..., conditional=True)`` and against priorcli's quadrature; the variance falls back
  to the quadrature where E[X^2] - m^2 would cancel.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import integrate, stats

from priorcli import records
from priorcli.records import kronrod
from priorcli.records import truncated as T


FUNCTIONS = [
    lambda x: np.exp(-x * x),
    lambda x: stats.gamma(0.5).pdf(x),
    lambda x: x * x * stats.norm.pdf(x),
    lambda x: np.sin(3 * x) ** 2,
    lambda x: 1.0 / (1.0 + x * x),
    lambda x: np.log(x + 3.0) * stats.lognorm(1.0).pdf(x),
]
PIECES = [(0.0, 1.0), (0.1, 3.0), (0.0, 30.0), (1e-12, 1e-8), (5.0, 6.0), (2.5, 2.6), (3.0, 100.0)]


@pytest.mark.parametrize("f", FUNCTIONS)
@pytest.mark.parametrize("epsabs", [0.0, 1e-14, 1e-10])
@pytest.mark.slow
def test_first_kronrod_step_accepts_where_quad_stops_and_gives_its_value(f, epsabs):
    steps = kronrod.first_step(f(kronrod.nodes(PIECES)), PIECES)
    for (lo, hi), step in zip(PIECES, steps):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value, _, info = integrate.quad(f, lo, hi, epsabs=epsabs, epsrel=1e-12, full_output=1, limit=500)
        mine = step(epsabs, 1e-12)
        if info["last"] == 1:
            assert mine == pytest.approx(value, rel=4e-15, abs=1e-300), (lo, hi)
        else:
            assert mine is None, (lo, hi, info["last"])


CASES = [  # (family, params, scipy distribution, truncation ends)
    ("Gamma", {"concentration": 2.5, "rate": 0.7}, stats.gamma(2.5, scale=1 / 0.7), (0.0, 10.0)),
    ("Gamma", {"concentration": 0.3, "rate": 2.0}, stats.gamma(0.3, scale=0.5), (0.5, 4.0)),
    ("Gamma", {"concentration": 2.0, "rate": 1.0}, stats.gamma(2.0), (8.0, 9.0)),  # upper tail: sf
    ("Chi2", {"df": 3.4}, stats.chi2(3.4), (0.0, 10.0)),
    ("Chi2", {"df": 1e-3}, stats.chi2(1e-3), (0.0, 10.0)),  # nearly all the mass at 0's singularity
    ("Exponential", {"rate": 0.35}, stats.expon(scale=1 / 0.35), (1.0, math.inf)),
    ("LogNormal", {"loc": 1.1, "scale": 0.65}, stats.lognorm(0.65, scale=math.exp(1.1)), (0.0, 10.0)),
    ("LogNormal", {"loc": 0.0, "scale": 2.0}, stats.lognorm(2.0), (2.0, 50.0)),
    ("InverseGamma", {"concentration": 2.5, "rate": 7.0}, stats.invgamma(2.5, scale=7.0), (0.0, 10.0)),
    ("InverseGamma", {"concentration": 0.5, "rate": 1.0}, stats.invgamma(0.5), (0.0, 10.0)),  # no mean untruncated
]


def _truncated(name, params, ends):
    F = records.get(name)
    base = T.record_base(F, params)
    return base, T.bounds(base, T.Truncation(*(None if math.isinf(v) else v for v in ends)), name)


@pytest.mark.parametrize("name, params, d, ends", CASES)
def test_closed_form_truncated_moments_match_scipy(name, params, d, ends):
    base, k = _truncated(name, params, ends)
    assert base.partial is not None
    m = T.mean(base, k)
    v = T.variance(base, k)
    lo, hi = ends
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m_scipy = d.expect(lambda x: x, lb=lo, ub=hi, conditional=True, epsrel=1e-13, limit=500)
        v_scipy = d.expect(lambda x: (x - m_scipy) ** 2, lb=lo, ub=hi, conditional=True, epsrel=1e-13, limit=500)
    # scipy's expect integrates Chi2(0.001)'s density, singular at 0, to 1e-7 (mean) and 5e-4
    # (variance) only: that case is checked by test_truncated_gamma_moment_is_the_textbook_formula
    if params != {"df": 1e-3}:
        assert m == pytest.approx(m_scipy, rel=1e-9)
        assert v == pytest.approx(v_scipy, rel=1e-8)
    # and priorcli's own quadrature (what ran before the closed forms), which gives up (None) on
    # Chi2(0.001)'s density singular at 0, where the closed form has the exact value
    quad_m, quad_v = T.expect(base, k, lambda x: x), T.expect(base, k, lambda x: (x - m) ** 2)
    assert quad_m == pytest.approx(m, rel=1e-11) if params != {"df": 1e-3} else quad_m is None
    assert quad_v == pytest.approx(v, rel=1e-10)


def test_truncated_gamma_moment_is_the_textbook_formula():
    """E[X^r | X < b] of a Chi2(df) = Gamma(df/2, scale 2): 2^r Gamma(k + r)/Gamma(k) P(k + r, b/2)/P(k, b/2)."""
    from scipy import special

    df, b = 1e-3, 10.0
    base, k = _truncated("Chi2", {"df": df}, (0.0, b))
    kk = df / 2
    ratio = lambda r: 2.0**r * math.exp(math.lgamma(kk + r) - math.lgamma(kk)) * special.gammainc(kk + r, b / 2) \
        / special.gammainc(kk, b / 2)  # noqa: E731
    assert T.mean(base, k) == pytest.approx(ratio(1), rel=1e-13)
    assert T.variance(base, k) == pytest.approx(ratio(2) - ratio(1) ** 2, rel=1e-12)


def test_variance_that_would_cancel_falls_back_to_the_quadrature(monkeypatch):
    """A narrow truncation far from 0 (sd << mean): E[X^2] - m^2 would lose digits, so the variance
    is the quadrature of (x - m)^2 (its value is scipy's)."""
    base, k = _truncated("Gamma", {"concentration": 400.0, "rate": 1.0}, (395.0, 405.0))
    calls = []
    real = T.expect
    monkeypatch.setattr(T, "expect", lambda *a: calls.append(1) or real(*a))
    v = T.variance(base, k)
    assert calls == [1]  # the mean is closed form, the variance the quadrature
    d = stats.gamma(400.0)
    m = d.expect(lambda x: x, lb=395, ub=405, conditional=True)
    assert v == pytest.approx(d.expect(lambda x: (x - m) ** 2, lb=395, ub=405, conditional=True), rel=1e-9)


def test_no_quadrature_for_the_moments_of_a_shifted_family(monkeypatch):
    """Solving a truncated Chi2 (median and sd: the one-parameter least squares whose scan was the
    slow part) evaluates its mean and sd without a quadrature except where the variance would cancel
    (a huge df squeezed against 10): about 90 quadratures where there were about 1000."""
    from priorcli.ranking import rank_solutions

    calls = []
    real = T.expect
    monkeypatch.setattr(T, "expect", lambda *a: calls.append(1) or real(*a))
    ranking = rank_solutions("chi2", [("median", "3"), ("sd", "2")], truncate=T.parse_truncation("0,10"))
    assert ranking.best.solution.params["df"] == pytest.approx(3.46552529, rel=1e-7)
    assert len(calls) < 150
