"""InverseGamma(concentration, rate=1): 1/X ~ Gamma(concentration, rate); `rate` is the scale of X.

The record (``RECORD``) and its scipy oracle (``SCIPY``: the scipy.stats distribution and the
parameter translation the tests check against; scipy.stats is imported when it is called).
"""

from __future__ import annotations

import math

from priorcli.records.base import INF, POSITIVE_LINE, inversion, np, param, record, sc
from priorcli.records import shape
from priorcli.records.fitdata import check_positive
from priorcli.records.gamma import gamma_fit_start, gamma_shape
from priorcli.records.oracle import ScipyOracle
from priorcli.records.starts import positive_mean


# InverseGamma(concentration, rate=1): 1/X ~ Gamma(concentration, rate); `rate` is the scale of X
def _invgamma_logpdf(x, concentration, rate):
    a = concentration
    return np.where(x > 0.0, a * np.log(rate) - sc.gammaln(a) - (a + 1.0) * np.log(x) - rate / x, -INF)


def _invgamma_entropy(concentration, rate):
    a = concentration
    return a + math.log(rate) + sc.gammaln(a) - (1.0 + a) * sc.digamma(a)


def _invgamma_mean_sd(xp, mean, sd):
    a = 2 + (mean / sd) ** 2
    return {"concentration": a, "rate": mean * (a - 1)}


def _invgamma_mle(x):
    y = 1.0 / x  # 1/X ~ Gamma(concentration, rate): the MLE is the Gamma MLE of 1/X
    a = gamma_shape("InverseGamma", y)
    return {"concentration": a, "rate": a / float(np.mean(y))}


def _invgamma_fit_start(x):
    start = gamma_fit_start(1.0 / x)
    return {"concentration": start["concentration"], "rate": start["rate"]}


RECORD = record(
    "InverseGamma",
    (param("concentration", "positive"), param("rate", "positive", 1.0)),
    support=POSITIVE_LINE,
    cdf=lambda x, concentration, rate: sc.gammaincc(concentration, rate / x),
    icdf=lambda q, concentration, rate: rate / sc.gammainccinv(concentration, q),
    sf=lambda x, concentration, rate: sc.gammainc(concentration, rate / x),
    isf=lambda q, concentration, rate: rate / sc.gammaincinv(concentration, q),
    logpdf=_invgamma_logpdf,
    moment_shift=lambda r, concentration, rate: None if concentration <= r else (
        rate**r / float(sc.poch(concentration - r, r)), "InverseGamma", {"concentration": concentration - r, "rate": rate}),
    mean=lambda concentration, rate: rate / (concentration - 1.0) if concentration > 1.0 else None,
    variance=lambda concentration, rate: (
        rate * rate / ((concentration - 1.0) ** 2 * (concentration - 2.0)) if concentration > 2.0 else None
    ),
    mode=lambda concentration, rate: rate / (concentration + 1.0),
    entropy=_invgamma_entropy,
    **shape.pair(lambda concentration, rate: shape.inversegamma(concentration)),
    scaling={"rate": "scale"},
    moment_start=positive_mean(lambda m, s, cv: _invgamma_mean_sd(math, m, s)),
    formulas=("mean = rate / (concentration - 1) for concentration > 1", "mode = rate / (concentration + 1)"),
    inversions=(inversion({"mean", "sd"})(_invgamma_mean_sd),),
    fit_check=check_positive,
    fit_start=_invgamma_fit_start,
    mle=_invgamma_mle,
)

SCIPY = ScipyOracle("invgamma", lambda concentration, rate: {"a": concentration, "scale": rate})
