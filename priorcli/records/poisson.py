"""Poisson(rate).

The record (``RECORD``) and its scipy oracle (``SCIPY``: the scipy.stats distribution and the
parameter translation the tests check against; scipy.stats is imported when it is called).
"""

from __future__ import annotations

import math

from priorcli.errors import InfeasibleError
from priorcli.records.base import INF, discrete_entropy, discrete_search, np, param, record, sc
from priorcli.records.discrete import log_factorial, xlogy_scalar
from priorcli.records import shape
from priorcli.records.fitdata import check_counts
from priorcli.records.oracle import ScipyOracle


# Poisson(rate)
def _poisson_logpmf(k, rate):
    direct = xlogy_scalar(k, rate) - rate - log_factorial(k)  # scipy's xlogy and gammaln(k + 1), the same floats
    # Beyond k ~ 1e7 the three terms (~k log k) cancel to ~1e-16 k: Loader's saddle-point form,
    # -log(2 pi k)/2 - stirlerr(k) - k (d - log1p(d)) with d = (rate - k)/k, keeps full precision.
    big = np.asarray(k) > 1e7
    if not np.any(big):
        return direct
    kk = np.where(big, k, 1e7)
    d = (rate - kk) / kk
    stirlerr = 1.0 / (12.0 * kk) - 1.0 / (360.0 * kk**3)
    saddle = -0.5 * np.log(2.0 * np.pi * kk) - stirlerr - kk * _d_minus_log1p(d)
    return np.where(big, saddle, direct)


def _d_minus_log1p(d):
    """d - log1p(d), by its series d^2/2 - d^3/3 + ... where |d| < 0.05 (the subtraction would
    lose the digits that matter: d ~ 1e-5 leaves 5e-11 from two numbers of 1e-5)."""
    d = np.asarray(d, dtype=np.float64)
    small = np.abs(d) < 0.05
    t = np.where(small, d, 0.0)
    series = np.zeros_like(t)
    for j in range(24, 1, -1):  # Horner: sum over j >= 2 of (-1)^j d^j / j; 0.05^23 < 1e-29
        series = series * t + (1.0 if j % 2 == 0 else -1.0) / j
    series = series * t * t
    with np.errstate(all="ignore"):
        return np.where(small, series, d - np.log1p(np.where(small, 0.0, d)))


def _poisson_cdf(x, rate):
    return sc.pdtr(x, rate)


def _poisson_mode(rate):
    if rate >= 1.0 and rate == math.floor(rate):
        return rate - 1.0  # tie between rate-1 and rate
    return float(math.floor(rate))


def _poisson_entropy(rate):
    if rate == 0.0:
        return 0.0
    return discrete_entropy(lambda k: _poisson_logpmf(k, rate), 0.0, INF, rate, math.sqrt(rate))


def _poisson_mle(x):
    rate = float(np.mean(x))
    if not rate > 0.0:
        raise InfeasibleError("cannot fit Poisson: all values are 0, so the maximum-likelihood rate is 0")
    return {"rate": rate}


RECORD = record(
    "Poisson",
    (param("rate", "positive"),),  # numpyro allows rate >= 0 (GreaterThanEq(0))
    discrete=True,
    support=lambda rate: (0.0, INF),
    cdf=_poisson_cdf,
    icdf=lambda q, rate: discrete_search(lambda k: _poisson_cdf(k, rate), q, sc.pdtrik(q, rate), 0.0, INF),
    logpdf=_poisson_logpmf,
    mean=lambda rate: rate,
    variance=lambda rate: rate,
    mode=_poisson_mode,
    entropy=_poisson_entropy,
    **shape.pair(lambda rate: (rate**-0.5, 1.0 / rate) if rate > 0.0 else (None, None)),
    moment_start=lambda m, s: {"rate": m} if m > 0.0 else None,
    direct={"mean": "rate"},
    fit_check=check_counts,
    mle=_poisson_mle,
)

SCIPY = ScipyOracle("poisson", lambda rate: {"mu": rate})
