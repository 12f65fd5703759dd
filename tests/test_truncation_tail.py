"""A truncation deep in the upper tail (issue 21, item 1): the mass, cdf and quantiles come from the
record's survival function where F(a) is near 1, so a Normal cut 8-9 sd up (and 20 sd up) keeps
full precision; checked against scipy.stats.truncnorm and a Gamma's upper tail against scipy's
gamma survival function and the closed-form truncated moments."""

from __future__ import annotations

import math

import pytest
import scipy.special as sc
import scipy.stats as st

import priorcli

PROBS = (0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975)


@pytest.mark.parametrize("ends", [(8.0, 9.0), (8.0, None), (20.0, 25.0), (30.0, None)])
def test_normal_deep_in_the_upper_tail_against_truncnorm(ends):
    loc, scale = 1.0, 2.0
    low, high = ends
    s = priorcli.summarize("normal", loc=loc, scale=scale, truncate=(loc + scale * low,
                                                                    None if high is None else loc + scale * high))
    tn = st.truncnorm(low, math.inf if high is None else high, loc=loc, scale=scale)
    for p in PROBS:
        assert s.quantiles[p] == pytest.approx(tn.ppf(p), rel=1e-10), p
    assert s.mean == pytest.approx(tn.mean(), rel=1e-9)
    assert s.sd == pytest.approx(tn.std(), rel=1e-6)
    assert s.mode == loc + scale * low


def test_gamma_upper_tail_against_the_survival_function():
    k, rate, a, b = 2.0, 1.0, 60.0, 70.0
    s = priorcli.summarize("gamma", concentration=k, rate=rate, truncate=(a, b))
    g = st.gamma(k, scale=1 / rate)
    sa, sb = g.sf(a), g.sf(b)  # F(a) rounds to 1 in float64: 1 - 6e-25
    assert g.cdf(a) == 1.0
    for p in PROBS:
        assert s.quantiles[p] == pytest.approx(g.isf(sa - p * (sa - sb)), rel=1e-10), p
    # E[X^j | a < X < b] = Gamma(k + j) / (Gamma(k) rate^j) (Q(k + j, ra) - Q(k + j, rb)) / (Q(k, ra) - Q(k, rb))
    z = sc.gammaincc(k, rate * a) - sc.gammaincc(k, rate * b)
    m1 = k / rate * (sc.gammaincc(k + 1, rate * a) - sc.gammaincc(k + 1, rate * b)) / z
    m2 = k * (k + 1) / rate**2 * (sc.gammaincc(k + 2, rate * a) - sc.gammaincc(k + 2, rate * b)) / z
    assert s.mean == pytest.approx(m1, rel=1e-9)
    assert s.sd == pytest.approx(math.sqrt(m2 - m1**2), rel=1e-6)


def test_cli_summarize_and_solve_deep_in_the_tail(run):
    doc = run.json("summarize", "normal", "--loc", "0", "--scale", "1", "--truncate", "8,9", "--no-plot")
    assert doc["summary"]["median"] == pytest.approx(st.truncnorm(8, 9).median(), rel=1e-10)
    solved = run.json("solve", "normal", "--loc", "0", "--truncate", "8,", "--median", "8.1")
    scale = solved["params"]["scale"]
    assert st.truncnorm(8 / scale, math.inf, scale=scale).median() == pytest.approx(8.1, rel=1e-8)


def test_lower_tail_keeps_its_precision_through_the_cdf():
    s = priorcli.summarize("normal", loc=0.0, scale=1.0, truncate=(-9.0, -8.0))
    tn = st.truncnorm(-9.0, -8.0)
    for p in PROBS:
        assert s.quantiles[p] == pytest.approx(tn.ppf(p), rel=1e-10), p


@pytest.mark.parametrize("family, params", [
    ("Normal", {"loc": 1.0, "scale": 2.0}), ("LogNormal", {"loc": 0.3, "scale": 0.7}),
    ("Gamma", {"concentration": 2.5, "rate": 1.5}), ("Exponential", {"rate": 2.0}),
    ("StudentT", {"df": 3.0, "loc": 1.0, "scale": 2.0}), ("Weibull", {"scale": 2.0, "concentration": 1.5}),
    ("HalfNormal", {"scale": 2.0}),
])
def test_record_survival_functions_against_scipy(family, params):
    import numpy as np

    from priorcli import records

    F, frozen = records.get(family), records.scipy_oracle(family)(params)
    for x in (0.5, 3.0, 30.0):
        assert F.sf(x, **params) == pytest.approx(frozen.sf(x), rel=1e-12), x
    for q in (0.3, 1e-10, 1e-200):
        assert F.isf(q, **params) == pytest.approx(frozen.isf(q), rel=1e-10), q
    xs = np.array([0.5, 3.0])
    assert F.sf(xs, **params) == pytest.approx(frozen.sf(xs), rel=1e-12)
