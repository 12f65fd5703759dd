"""Skewness and excess kurtosis in closed form (the ``--skewness``/``--kurtosis`` targets), one pair
per family, named by the records' own parameters; each record file takes its pair as its
``skewness`` and ``kurtosis`` fields. None where the moment is undefined or infinite. The excess
kurtosis is the fourth standardised moment minus 3 (0 for a Normal), as scipy.stats reports it.
"""

from __future__ import annotations

import math

from priorcli.records.base import sc

ZETA3 = 1.2020569031595942


def from_raw(m1, m2, m3, m4=None):
    """(skewness, excess kurtosis) from the raw moments E X, E X^2, E X^3 (, E X^4)."""
    var = m2 - m1 * m1
    skew = (m3 - 3.0 * m1 * m2 + 2.0 * m1**3) / var**1.5
    if m4 is None:
        return skew, None
    kurt = (m4 - 4.0 * m1 * m3 + 6.0 * m1 * m1 * m2 - 3.0 * m1**4) / (var * var) - 3.0
    return skew, kurt


def constant(skew, kurt) -> dict:
    """The record fields of a family whose shape does not move (no shape parameter)."""
    return {"skewness": lambda **p: skew, "kurtosis": lambda **p: kurt}


def lognormal(loc, scale):
    w1 = math.expm1(scale * scale)  # exp(sigma^2) - 1
    w = w1 + 1.0
    return (w + 2.0) * math.sqrt(w1), w**4 + 2.0 * w**3 + 3.0 * w * w - 6.0


def gamma(concentration):
    return 2.0 / math.sqrt(concentration), 6.0 / concentration


def beta(a, b):
    s = a + b
    skew = 2.0 * (b - a) * math.sqrt(s + 1.0) / ((s + 2.0) * math.sqrt(a * b))
    kurt = 6.0 * ((a - b) ** 2 * (s + 1.0) - a * b * (s + 2.0)) / (a * b * (s + 2.0) * (s + 3.0))
    return skew, kurt


def studentt(df):
    return (0.0 if df > 3.0 else None), (6.0 / (df - 4.0) if df > 4.0 else None)


def inversegamma(a):
    skew = 4.0 * math.sqrt(a - 2.0) / (a - 3.0) if a > 3.0 else None
    kurt = 6.0 * (5.0 * a - 11.0) / ((a - 3.0) * (a - 4.0)) if a > 4.0 else None
    return skew, kurt


def weibull(k):
    g = [math.exp(sc.gammaln(1.0 + r / k)) for r in range(1, 5)]
    return from_raw(*g)


def pareto(alpha):
    a = alpha
    skew = 2.0 * (1.0 + a) / (a - 3.0) * math.sqrt((a - 2.0) / a) if a > 3.0 else None
    kurt = 6.0 * (a**3 + a * a - 6.0 * a - 2.0) / (a * (a - 3.0) * (a - 4.0)) if a > 4.0 else None
    return skew, kurt


def kumaraswamy(a, b):
    m = [b * math.exp(sc.betaln(1.0 + r / a, b)) for r in range(1, 5)]
    return from_raw(*m)


def binomial(probs, n):
    v = n * probs * (1.0 - probs)
    if not v > 0.0:
        return None, None
    return (1.0 - 2.0 * probs) / math.sqrt(v), (1.0 - 6.0 * probs * (1.0 - probs)) / v


def negbinomial(r, success):
    """NB counting failures before the r-th success, success probability ``success`` (scipy's p)."""
    q = 1.0 - success
    if not q > 0.0:
        return None, None
    return (2.0 - success) / math.sqrt(q * r), 6.0 / r + success * success / (q * r)


def pair(fn) -> dict:
    """The record fields ``skewness`` and ``kurtosis`` from one function of the parameters
    returning both: ``record(..., **shape.pair(lambda df, loc, scale: shape.studentt(df)))``."""
    return {"skewness": lambda **p: fn(**p)[0], "kurtosis": lambda **p: fn(**p)[1]}


HALFNORMAL = (math.sqrt(2.0) * (4.0 - math.pi) / (math.pi - 2.0) ** 1.5, 8.0 * (math.pi - 3.0) / (math.pi - 2.0) ** 2)
GUMBEL = (12.0 * math.sqrt(6.0) * ZETA3 / math.pi**3, 2.4)
