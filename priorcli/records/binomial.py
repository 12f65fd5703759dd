"""BinomialProbs(probs, total_count=1): numpyro's order, probs first.

The record (``RECORD``) and its scipy oracle (``SCIPY``: the scipy.stats distribution and the
parameter translation the tests check against; scipy.stats is imported when it is called).
"""

from __future__ import annotations

import math
from fractions import Fraction

from priorcli.records.base import discrete_entropy, discrete_search, np, param, record, sc
from priorcli.records import shape
from priorcli.records.fitdata import check_counts_to_total
from priorcli.records.oracle import ScipyOracle


# BinomialProbs(probs, total_count=1)  -- note numpyro's order: probs first
def _binom_logpmf(k, probs, total_count):
    n = total_count
    return (
        sc.gammaln(n + 1.0)
        - sc.gammaln(k + 1.0)
        - sc.gammaln(n - k + 1.0)
        + sc.xlogy(k, probs)
        + sc.xlog1py(n - k, -probs)
    )


def _binom_cdf(x, probs, total_count):
    return sc.bdtr(x, np.asarray(total_count).astype(np.int64), probs)


def _binom_icdf(q, probs, total_count):
    n = total_count
    guess = sc.bdtrik(q, n, probs)
    guess = np.where(np.isnan(guess), n * probs, guess)
    k = discrete_search(lambda k: _binom_cdf(k, probs, n), q, guess, 0.0, n)
    return np.where(probs == 0.0, 0.0, np.where(probs == 1.0, n, k))


def _binom_mode(probs, total_count):
    n = total_count
    if probs == 1.0:
        return n
    m = (Fraction(n) + 1) * Fraction(probs)
    if m.denominator == 1 and m >= 1:
        return float(m - 1)  # tie between m-1 and m
    return float(math.floor(m))


def _binom_entropy(probs, total_count):
    n = total_count
    if probs in (0.0, 1.0) or n == 0.0:
        return 0.0
    return discrete_entropy(
        lambda k: _binom_logpmf(k, probs, n), 0.0, n, n * probs, math.sqrt(n * probs * (1.0 - probs))
    )


def _binom_mle(x, probs=None, total_count=None):
    if total_count is None:
        raise AssertionError("total_count is fixed before the fit")  # the fitter refuses earlier
    if probs is None:
        probs = float(np.mean(x)) / total_count if total_count > 0 else 0.0
    return {"probs": probs, "total_count": total_count}


RECORD = record(
    "BinomialProbs",
    (param("probs", "unit_interval"), param("total_count", "nonnegative_integer", 1)),
    discrete=True,
    support=lambda probs, total_count: (0.0, total_count),
    cdf=_binom_cdf,
    icdf=_binom_icdf,
    logpdf=_binom_logpmf,
    mean=lambda probs, total_count: total_count * probs,
    variance=lambda probs, total_count: total_count * probs * (1.0 - probs),
    mode=_binom_mode,
    entropy=_binom_entropy,
    **shape.pair(lambda probs, total_count: shape.binomial(probs, total_count)),
    support_params=("total_count",),
    solves_whole=("total_count",),
    fit_check=check_counts_to_total,
    mle=_binom_mle,
)

SCIPY = ScipyOracle("binom", lambda probs, total_count: {"n": total_count, "p": probs})
