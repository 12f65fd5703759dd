"""Beta(concentration1, concentration0); its helpers serve BetaProportion too.

The record (``RECORD``) and its scipy oracle (``SCIPY``: the scipy.stats distribution and the
parameter translation the tests check against; scipy.stats is imported when it is called).
"""

from __future__ import annotations

import math

from priorcli.records.base import UNIT, inversion, np, param, record, sc, show
from priorcli.records import shape
from priorcli.records.fitdata import check_open_unit
from priorcli.records.oracle import ScipyOracle
from priorcli.records.starts import unit_start


# Beta(concentration1, concentration0): density ∝ x^(c1-1) (1-x)^(c0-1)
def beta_logpdf(x, a, b):
    return sc.xlogy(a - 1.0, x) + sc.xlog1py(b - 1.0, -x) - sc.betaln(a, b)


def _beta_variance(a, b):
    s = a + b
    return a * b / (s * s * (s + 1.0))


def beta_mode(a, b):
    if a > 1.0 and b > 1.0:
        return (a - 1.0) / (a + b - 2.0)
    if a == 1.0 and b > 1.0:
        return 0.0
    if a > 1.0 and b == 1.0:
        return 1.0
    return None  # uniform (a == b == 1) or unbounded at a boundary


def beta_entropy(a, b):
    return sc.betaln(a, b) - (a - 1.0) * sc.digamma(a) - (b - 1.0) * sc.digamma(b) + (a + b - 2.0) * sc.digamma(a + b)

def sd_below_bound(mean, sd):
    """A distribution on (0, 1) with this mean has variance below mean * (1 - mean)."""
    return sd * sd < mean * (1 - mean)


def sd_too_large(family: str):
    def why(mean, sd):
        return (
            f"sd={show(sd)} is too large for a {family} with mean={show(mean)}: "
            f"it must be below sqrt(mean*(1-mean)) = {math.sqrt(mean * (1.0 - mean)):.6g}"
        )

    return why

def count_from_sd(mean, sd):
    """The Beta's count (concentration1 + concentration0) with this mean and sd."""
    return mean * (1 - mean) / (sd * sd) - 1


def beta_fit_start(x):
    m, v = float(np.mean(x)), float(np.var(x))
    common = m * (1.0 - m) / v - 1.0 if v > 0 else 2.0
    if not common > 0.0:
        common = 2.0
    return {"concentration1": m * common, "concentration0": (1.0 - m) * common}


RECORD = record(
    "Beta",
    (param("concentration1", "positive"), param("concentration0", "positive")),
    support=UNIT,
    cdf=lambda x, concentration1, concentration0: sc.betainc(concentration1, concentration0, x),
    icdf=lambda q, concentration1, concentration0: sc.betaincinv(concentration1, concentration0, q),
    sf=lambda x, concentration1, concentration0: sc.betainc(concentration0, concentration1, 1.0 - x),
    isf=lambda q, concentration1, concentration0: 1.0 - sc.betaincinv(concentration0, concentration1, q),
    logpdf=lambda x, concentration1, concentration0: beta_logpdf(x, concentration1, concentration0),
    mean=lambda concentration1, concentration0: concentration1 / (concentration1 + concentration0),
    variance=lambda concentration1, concentration0: _beta_variance(concentration1, concentration0),
    mode=lambda concentration1, concentration0: beta_mode(concentration1, concentration0),
    entropy=lambda concentration1, concentration0: beta_entropy(concentration1, concentration0),
    **shape.pair(lambda concentration1, concentration0: shape.beta(concentration1, concentration0)),
    inversions=(
        # the Stan guide's mean/count parameterisation: count = alpha + beta
        inversion({"mean", "count"})(
            lambda xp, mean, count: {"concentration1": count * mean, "concentration0": count * (1 - mean)}
        ),
        inversion({"mean", "sd"}, valid=sd_below_bound, why=sd_too_large("Beta"))(
            lambda xp, mean, sd: {
                "concentration1": mean * count_from_sd(mean, sd),
                "concentration0": (1 - mean) * count_from_sd(mean, sd),
            }
        ),
    ),
    moment_start=unit_start(lambda m, nu: {"concentration1": m * nu, "concentration0": (1.0 - m) * nu}),
    formulas=("mean = alpha / (alpha + beta)", "mode = (alpha - 1) / (alpha + beta - 2) for alpha, beta > 1",
              "count = alpha + beta (alpha = count * mean, as in the Stan guide)"),
    example="priorcli sample beta --mean 0.3 --count 10",
    fit_check=check_open_unit,
    fit_start=beta_fit_start,
)

SCIPY = ScipyOracle("beta", lambda concentration1, concentration0: {"a": concentration1, "b": concentration0})
