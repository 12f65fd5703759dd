"""The plot-range rule (priorcli.plot.range) against scipy: the mass shown is computed with scipy's
cdf, the interquartile share with scipy's ppf, and the optimum by brute force over scipy's cdf."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as st

from priorcli.errors import UsageError
from priorcli.plot.range import (
    END_SHIFT,
    IQR_SHARE,
    MIN_MASS,
    TIE_MASS,
    choose_range,
    choose_shared_range,
    draws_quantile,
    wants_log,
)

INF = math.inf

# name: (scipy distribution, support, mode)
CONTINUOUS = {
    "HalfCauchy(5)": (st.halfcauchy(scale=5), (0.0, INF), 0.0),
    "StudentT(1)": (st.t(1), (-INF, INF), 0.0),
    "LogNormal(0, 3)": (st.lognorm(3), (0.0, INF), math.exp(-9)),
    "LogNormal(0, 1)": (st.lognorm(1), (0.0, INF), math.exp(-1)),
    "Normal(2, 3)": (st.norm(2, 3), (-INF, INF), 2.0),
    "Exponential(1)": (st.expon(), (0.0, INF), 0.0),
    "HalfNormal(1)": (st.halfnorm(), (0.0, INF), 0.0),
    "Gamma(0.5, 1)": (st.gamma(0.5), (0.0, INF), 0.0),
    "Gamma(5, 2)": (st.gamma(5, scale=0.5), (0.0, INF), 2.0),
    "Beta(2, 5)": (st.beta(2, 5), (0.0, 1.0), 0.2),
    "StudentT(3)": (st.t(3), (-INF, INF), 0.0),
    "Levy(0, 1)": (st.levy(), (0.0, INF), 1 / 3),
    "Gumbel(0, 1)": (st.gumbel_r(), (-INF, INF), 0.0),
}


def _axis(log):
    return np.log10 if log else (lambda x: x)


def _mass(d, r):
    return d.cdf(r.hi) - d.cdf(r.lo)


def _iqr_share(d, r):
    t = _axis(r.log)
    q25, q75 = d.ppf([0.25, 0.75])
    return (t(q75) - t(q25)) / (t(r.hi) - t(r.lo))


def _best_mass(d, r, support):
    """Brute force: the most mass any range of this width (in axis units) holds, by scipy."""
    t = _axis(r.log)
    inverse = (lambda u: 10.0**u) if r.log else (lambda u: u)
    width = t(r.hi) - t(r.lo)
    body = t(d.ppf(np.linspace(1e-6, 1 - 1e-6, 20001)))
    starts = np.concatenate([body, body - width])
    if r.log:
        starts = starts[np.isfinite(starts)]
    elif math.isfinite(support[0]):
        starts = np.concatenate([np.maximum(starts, support[0]), [support[0]]])
    return float(np.max(d.cdf(inverse(starts + width)) - d.cdf(inverse(starts))))


@pytest.mark.parametrize("name", CONTINUOUS)
@pytest.mark.parametrize("axis", ["auto", "linear"])
def test_rule_against_scipy(name, axis):
    d, support, mode = CONTINUOUS[name]
    r = choose_range(d.ppf, support, mode=mode, axis=axis)
    q005, q995 = d.ppf([0.005, 0.995])
    assert r.log == (axis == "auto" and support[0] >= 0 and math.log10(q995 / q005) > 3)
    mass = _mass(d, r)
    assert mass >= r.mass - 1e-12  # the reported mass is a lower bound of the true one
    assert r.how == "rule"
    if r.lo > support[0] or r.hi < support[1]:
        # Limited by the width the IQR allows: 15% of the axis (the ends rounded to printable
        # numbers, never widening it, each moved by at most END_SHIFT of the width), and no
        # range of that width holds noticeably more mass (up to the table's resolution).
        assert IQR_SHARE * (1 - 1e-9) <= _iqr_share(d, r) <= IQR_SHARE / (1 - 2 * END_SHIFT)
        assert mass >= _best_mass(d, r, support) - 2 * TIE_MASS
    else:
        assert _iqr_share(d, r) >= IQR_SHARE
    # Levy's tail (x^-1/2) is heavier than a Cauchy's: on a linear axis no range meets both
    # conditions and the IQR share wins; every other case holds 90%.
    heavy = (name, axis) == ("Levy(0, 1)", "linear")
    assert r.meets_mass == (not heavy)
    assert (mass >= MIN_MASS) == (not heavy)
    if not (r.log and mode <= 0):  # a mode at 0 has no place on a log axis
        assert r.lo <= mode <= r.hi


def test_named_ranges():
    """The ranges a user sees for the issue's examples."""
    cauchy = choose_range(st.t(1).ppf, (-INF, INF), mode=0.0)
    # IQR 2, width 2/0.15 = 13.33, its ends printed with 3 digits without widening it
    assert (cauchy.lo, cauchy.hi) == (-6.66, 6.66)
    half = choose_range(st.halfcauchy(scale=5).ppf, (0.0, INF), mode=0.0, axis="linear")
    assert (half.lo, half.hi) == (0.0, 66.6)  # IQR 10: 10 / 0.15 = 66.67, from the support's end
    whole = choose_range(st.beta(2, 2).ppf, (0.0, 1.0), mode=0.5)
    assert (whole.lo, whole.hi, whole.mass) == (0.0, 1.0, 1.0)  # the whole support fits


def test_heavier_tails_than_cauchy_keep_the_body_readable():
    """StudentT(0.5): no range with IQR >= 15% of it holds 90%; the IQR share wins and the
    range still holds the most mass such a range can."""
    d = st.t(0.5)
    r = choose_range(d.ppf, (-INF, INF), mode=0.0)
    assert not r.meets_mass and _mass(d, r) < MIN_MASS
    assert IQR_SHARE * (1 - 1e-9) <= _iqr_share(d, r) <= IQR_SHARE / (1 - 2 * END_SHIFT)
    assert _mass(d, r) >= _best_mass(d, r, (-INF, INF)) - 2 * TIE_MASS
    assert r.lo == -r.hi


def test_mode_far_in_a_tail_is_included():
    # LogNormal(0, 3) on a linear axis: the mode e^-9 sits at the support's end.
    d = st.lognorm(3)
    r = choose_range(d.ppf, (0.0, INF), mode=math.exp(-9), axis="linear")
    assert r.lo <= math.exp(-9) <= r.hi
    assert _mass(d, r) >= MIN_MASS


@pytest.mark.parametrize("d, support, mode", [
    (st.poisson(3), (0.0, INF), 2.0),
    (st.poisson(250), (0.0, INF), 249.0),
    (st.binom(10, 0.3), (0.0, 10.0), 3.0),
    (st.bernoulli(0.9), (0.0, 1.0), 1.0),
    (st.geom(0.05, loc=-1), (0.0, INF), 0.0),
    (st.nbinom(2, 0.1), (0.0, INF), 9.0),
])
def test_discrete_ranges(d, support, mode):
    r = choose_range(d.ppf, support, discrete=True, mode=mode)
    assert not r.log and r.discrete
    assert float(r.lo).is_integer() and float(r.hi).is_integer()
    shown = d.cdf(r.hi) - d.cdf(r.lo - 1)  # P(lo <= X <= hi)
    assert shown >= r.mass - 1e-12 and shown >= MIN_MASS
    q25, q75 = d.ppf([0.25, 0.75])
    assert (q75 - q25 + 1) / (r.hi - r.lo + 1) >= IQR_SHARE  # pmf points, counted
    assert r.lo <= mode <= r.hi
    assert support[0] <= r.lo and r.hi <= support[1]


def test_log_switch_threshold():
    assert wants_log(st.lognorm(3).ppf, (0.0, INF), False)
    assert wants_log(st.halfcauchy(scale=5).ppf, (0.0, INF), False)  # 0.5%..99.5%: 4.2 decades
    assert not wants_log(st.halfnorm().ppf, (0.0, INF), False)  # 2.65 decades
    assert not wants_log(st.norm().ppf, (-INF, INF), False)  # not positive
    assert not wants_log(st.poisson(0.5).ppf, (0.0, INF), True)  # discrete: always linear
    ratio = st.expon().ppf(0.995) / st.expon().ppf(0.005)
    assert wants_log(st.expon().ppf, (0.0, INF), False) == (math.log10(ratio) > 3)


def test_by_hand():
    d = st.lognorm(1)
    tail = choose_range(d.ppf, (0.0, INF), tail=0.005)
    q005, q995 = d.ppf([0.005, 0.995])  # rounded outward to printable ends: (0.0760, 13.2)
    assert tail.lo <= q005 and q995 <= tail.hi
    assert max(q005 - tail.lo, tail.hi - q995) <= END_SHIFT * (q995 - q005) * (1 + 1e-9)
    assert tail.how == "tail" and not tail.log
    hand = choose_range(d.ppf, (0.0, INF), hand_range=(0.5, 8.0))
    assert (hand.lo, hand.hi, hand.how) == (0.5, 8.0, "range")
    assert _mass(d, hand) >= hand.mass - 1e-12
    logged = choose_range(d.ppf, (0.0, INF), hand_range=(0.01, 100.0), axis="log")
    assert logged.log
    counts = choose_range(st.poisson(30).ppf, (0.0, INF), discrete=True, hand_range=(20.5, 40.2))
    assert (counts.lo, counts.hi) == (21.0, 40.0)


@pytest.mark.parametrize("kwargs", [
    {"axis": "log", "hand_range": (-1.0, 5.0)},
    {"axis": "log", "tail": 0.01},
])
def test_a_log_axis_refuses_non_positive_ends(kwargs):
    with pytest.raises(UsageError):
        choose_range(st.norm().ppf, (-INF, INF), **kwargs)


def test_discrete_refuses_a_log_axis():
    with pytest.raises(UsageError, match="discrete"):
        choose_range(st.poisson(3).ppf, (0.0, INF), discrete=True, axis="log")


def test_from_draws_matches_the_empirical_distribution():
    """With draws only, the rule holds for the draws themselves (their empirical cdf)."""
    x = st.halfcauchy(scale=5).rvs(20000, random_state=np.random.default_rng(4))
    quantile = draws_quantile(x)
    for axis in ("auto", "linear"):
        r = choose_range(quantile, (x.min(), x.max()), mode=1.0, axis=axis, bounded=False)
        shown = np.mean((x >= r.lo) & (x <= r.hi))
        assert shown >= r.mass - 1e-12 and shown >= MIN_MASS
        t = _axis(r.log)
        q25, q75 = np.quantile(x, [0.25, 0.75])
        assert (t(q75) - t(q25)) / (t(r.hi) - t(r.lo)) >= IQR_SHARE - 1e-12
    assert choose_range(quantile, (x.min(), x.max()), bounded=False).log  # the draws' range is no bound


def test_shared_range_holds_each_distributions_own():
    dists = [st.lognorm(1, scale=math.e), st.lognorm(1), st.lognorm(3)]
    items = [(d.ppf, (0.0, INF), False, None) for d in dists]
    shared, own = choose_shared_range(items)
    assert shared.log  # LogNormal(0, 3) spans over three decades, and all are positive
    for d, r in zip(dists, own):
        assert shared.lo <= r.lo and r.hi <= shared.hi
        assert _mass(d, shared) >= _mass(d, r) >= MIN_MASS
    linear, _ = choose_shared_range(items[:2])
    assert not linear.log
    mixed, _ = choose_shared_range(items + [(st.norm().ppf, (-INF, INF), False, 0.0)])
    assert not mixed.log  # a Normal cannot go on a log axis
