"""Records of the families on the unit interval: Beta, BetaProportion, Kumaraswamy.

Cores are vectorised (numpy ufuncs, scipy.special); summaries are scalar ``math``; inversions are
written against ``xp`` (math, numpy or expressions, see ``priorcli.records.base``).
"""

from __future__ import annotations

import math

from priorcli.records.base import EULER, LOG2, UNIT, inversion, np, param, record, sc, show
from priorcli.records.fitdata import check_open_unit


# Beta(concentration1, concentration0): density ∝ x^(c1-1) (1-x)^(c0-1)
def _beta_logpdf(x, a, b):
    return sc.xlogy(a - 1.0, x) + sc.xlog1py(b - 1.0, -x) - sc.betaln(a, b)


def _beta_variance(a, b):
    s = a + b
    return a * b / (s * s * (s + 1.0))


def _beta_mode(a, b):
    if a > 1.0 and b > 1.0:
        return (a - 1.0) / (a + b - 2.0)
    if a == 1.0 and b > 1.0:
        return 0.0
    if a > 1.0 and b == 1.0:
        return 1.0
    return None  # uniform (a == b == 1) or unbounded at a boundary


def _beta_entropy(a, b):
    return sc.betaln(a, b) - (a - 1.0) * sc.digamma(a) - (b - 1.0) * sc.digamma(b) + (a + b - 2.0) * sc.digamma(a + b)


def _sd_below_bound(mean, sd):
    """A distribution on (0, 1) with this mean has variance below mean * (1 - mean)."""
    return sd * sd < mean * (1 - mean)


def _sd_too_large(family: str):
    def why(mean, sd):
        return (
            f"sd={show(sd)} is too large for a {family} with mean={show(mean)}: "
            f"it must be below sqrt(mean*(1-mean)) = {math.sqrt(mean * (1.0 - mean)):.6g}"
        )

    return why


def _unit_start(family: str):
    """Rough parameters with mean m in (0, 1) and sd s (the variance capped below its bound)."""

    def start(m: float, s: float):
        if not 0.0 < m < 1.0:
            return None
        nu = m * (1.0 - m) / min(s * s, 0.9 * m * (1.0 - m)) - 1.0
        if family == "BetaProportion":
            return {"mean": m, "concentration": nu}
        if family == "Kumaraswamy":
            return {"concentration1": max(m * nu, 0.1), "concentration0": max((1.0 - m) * nu, 0.1)}
        return {"concentration1": m * nu, "concentration0": (1.0 - m) * nu}

    return start


def _count_from_sd(mean, sd):
    """The Beta's count (concentration1 + concentration0) with this mean and sd."""
    return mean * (1 - mean) / (sd * sd) - 1


def _beta_fit_start(x):
    m, v = float(np.mean(x)), float(np.var(x))
    common = m * (1.0 - m) / v - 1.0 if v > 0 else 2.0
    if not common > 0.0:
        common = 2.0
    return {"concentration1": m * common, "concentration0": (1.0 - m) * common}


BETA = record(
    "Beta",
    (param("concentration1", "positive"), param("concentration0", "positive")),
    support=UNIT,
    cdf=lambda x, concentration1, concentration0: sc.betainc(concentration1, concentration0, x),
    icdf=lambda q, concentration1, concentration0: sc.betaincinv(concentration1, concentration0, q),
    logpdf=lambda x, concentration1, concentration0: _beta_logpdf(x, concentration1, concentration0),
    mean=lambda concentration1, concentration0: concentration1 / (concentration1 + concentration0),
    variance=lambda concentration1, concentration0: _beta_variance(concentration1, concentration0),
    mode=lambda concentration1, concentration0: _beta_mode(concentration1, concentration0),
    entropy=lambda concentration1, concentration0: _beta_entropy(concentration1, concentration0),
    inversions=(
        # the Stan guide's mean/count parameterisation: count = alpha + beta
        inversion({"mean", "count"})(
            lambda xp, mean, count: {"concentration1": count * mean, "concentration0": count * (1 - mean)}
        ),
        inversion({"mean", "sd"}, valid=_sd_below_bound, why=_sd_too_large("Beta"))(
            lambda xp, mean, sd: {
                "concentration1": mean * _count_from_sd(mean, sd),
                "concentration0": (1 - mean) * _count_from_sd(mean, sd),
            }
        ),
    ),
    moment_start=_unit_start("Beta"),
    formulas=("mean = alpha / (alpha + beta)", "mode = (alpha - 1) / (alpha + beta - 2) for alpha, beta > 1",
              "count = alpha + beta (alpha = count * mean, as in the Stan guide)"),
    example="priorcli sample beta --mean 0.3 --count 10",
    fit_check=check_open_unit,
    fit_start=_beta_fit_start,
)


# BetaProportion(mean, concentration) = Beta(mean * concentration, (1 - mean) * concentration)
def _bp(mean, concentration):
    return mean * concentration, (1.0 - mean) * concentration


def _from_beta(params):
    a, b = params["concentration1"], params["concentration0"]
    return {"mean": a / (a + b), "concentration": a + b}


BETA_PROPORTION = record(
    "BetaProportion",
    (param("mean", "open_unit_interval"), param("concentration", "positive")),
    support=UNIT,
    cdf=lambda x, mean, concentration: sc.betainc(*_bp(mean, concentration), x),
    icdf=lambda q, mean, concentration: sc.betaincinv(*_bp(mean, concentration), q),
    logpdf=lambda x, mean, concentration: _beta_logpdf(x, *_bp(mean, concentration)),
    mean=lambda mean, concentration: mean,
    variance=lambda mean, concentration: mean * (1.0 - mean) / (concentration + 1.0),
    mode=lambda mean, concentration: _beta_mode(*_bp(mean, concentration)),
    entropy=lambda mean, concentration: _beta_entropy(*_bp(mean, concentration)),
    inversions=(
        inversion({"mean", "count"})(lambda xp, mean, count: {"mean": mean, "concentration": count}),
        inversion({"mean", "sd"}, valid=_sd_below_bound, why=_sd_too_large("BetaProportion"))(
            lambda xp, mean, sd: {"mean": mean, "concentration": _count_from_sd(mean, sd)}
        ),
    ),
    direct={"mean": "mean", "count": "concentration"},
    moment_start=_unit_start("BetaProportion"),
    fit_check=check_open_unit,
    fit_start=lambda x: _from_beta(_beta_fit_start(x)),
    # the MLE is invariant under reparameterisation: fit Beta(a, b), then mean = a/(a+b), c = a+b
    mle_via=("Beta", _from_beta),
)


# Kumaraswamy(concentration1=a, concentration0=b): density a b x^(a-1) (1 - x^a)^(b-1)
def _kuma_logpdf(x, concentration1, concentration0):
    a, b = concentration1, concentration0
    return np.log(a) + np.log(b) + sc.xlogy(a - 1.0, x) + sc.xlog1py(b - 1.0, -(x**a))


def _kuma_moment(n, a, b):
    return b * math.exp(sc.betaln(1.0 + n / a, b))


def _kuma_mode(concentration1, concentration0):
    a, b = concentration1, concentration0
    if a >= 1.0 and b >= 1.0 and not (a == 1.0 and b == 1.0):
        return ((a - 1.0) / (a * b - 1.0)) ** (1.0 / a)
    return None


def _kuma_entropy(concentration1, concentration0):
    a, b = concentration1, concentration0
    harmonic_b = sc.digamma(b + 1.0) + EULER
    return (1.0 - 1.0 / b) + (1.0 - 1.0 / a) * harmonic_b - math.log(a * b)


def _kuma_fit_start(x):
    # a = 1 is Beta(1, b); the profile MLE of b given a is -1 / mean(log(1 - x^a)).
    return {"concentration1": 1.0, "concentration0": -1.0 / float(np.mean(np.log1p(-x)))}


KUMARASWAMY = record(
    "Kumaraswamy",
    (param("concentration1", "positive"), param("concentration0", "positive")),
    support=UNIT,
    cdf=lambda x, concentration1, concentration0: -np.expm1(concentration0 * np.log1p(-(x**concentration1))),
    icdf=lambda q, concentration1, concentration0: (-np.expm1(np.log1p(-q) / concentration0)) ** (1.0 / concentration1),
    logpdf=_kuma_logpdf,
    mean=lambda concentration1, concentration0: _kuma_moment(1, concentration1, concentration0),
    variance=lambda concentration1, concentration0: (
        _kuma_moment(2, concentration1, concentration0) - _kuma_moment(1, concentration1, concentration0) ** 2
    ),
    mode=_kuma_mode,
    median=lambda concentration1, concentration0: (-math.expm1(-LOG2 / concentration0)) ** (1.0 / concentration1),
    entropy=_kuma_entropy,
    moment_start=_unit_start("Kumaraswamy"),
    fit_check=check_open_unit,
    fit_start=_kuma_fit_start,
)

RECORDS = (BETA, BETA_PROPORTION, KUMARASWAMY)
