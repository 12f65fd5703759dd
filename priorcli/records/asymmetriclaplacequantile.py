"""AsymmetricLaplaceQuantile(loc=0, scale=1, quantile=0.5), numpyro's quantile-regression
parametrisation: AsymmetricLaplace(loc, scale * k / quantile, k) with k = sqrt(quantile / (1 -
quantile)), so that P(X < loc) = quantile. The same distributions as AsymmetricLaplace, so
``--family auto`` ranks only that one.

The record (``RECORD``) and its scipy oracle (``SCIPY``: ``laplace_asymmetric``; scipy.stats is
imported when it is called).
"""

from __future__ import annotations

import math

from priorcli.records.asymmetriclaplace import (
    ald_cdf, ald_entropy, ald_icdf, ald_kurtosis, ald_logpdf, ald_mean, ald_skewness, ald_variance,
)
from priorcli.records.base import REAL, REAL_LINE, SHIFT_SCALE, np, param, record
from priorcli.records.oracle import ScipyOracle


def _classic(scale, quantile):
    """(scale, asymmetry) of the AsymmetricLaplace this is (numpyro's own conversion)."""
    k = (quantile / (1.0 - quantile)) ** 0.5
    return scale * k / quantile, k


def _via(core):
    def at(*x, loc, scale, quantile):
        s, k = _classic(scale, quantile)
        return core(*x, loc, s, k)

    return at


def _loc_of(f):
    return lambda loc, scale, quantile: f(loc=loc, scale=scale, quantile=quantile)


RECORD = record(
    "AsymmetricLaplaceQuantile",
    (param("loc", REAL, 0.0), param("scale", "positive", 1.0), param("quantile", "open_unit_interval", 0.5)),
    support=REAL_LINE,
    cdf=lambda x, loc, scale, quantile: _via(ald_cdf)(x, loc=loc, scale=scale, quantile=quantile),
    icdf=lambda q, loc, scale, quantile: _via(ald_icdf)(q, loc=loc, scale=scale, quantile=quantile),
    logpdf=lambda x, loc, scale, quantile: _via(ald_logpdf)(x, loc=loc, scale=scale, quantile=quantile),
    mean=_loc_of(_via(ald_mean)),
    variance=_loc_of(_via(ald_variance)),
    mode=lambda loc, scale, quantile: loc,
    entropy=_loc_of(_via(ald_entropy)),
    skewness=_loc_of(_via(ald_skewness)),
    kurtosis=_loc_of(_via(ald_kurtosis)),
    scaling=SHIFT_SCALE,
    moment_start=lambda m, s: {"loc": m, "scale": s / (2.0 * math.sqrt(2.0)), "quantile": 0.5},
    formulas=("AsymmetricLaplace(loc, scale * k / quantile, k), k = sqrt(quantile / (1 - quantile))",
              "P(X < loc) = quantile"),
    fit_start=lambda x: {"loc": float(np.median(x)),
                         "scale": max(float(np.mean(np.abs(x - np.median(x)))) / 2.0, 1e-12), "quantile": 0.5},
    not_auto="AsymmetricLaplace in (loc, scale, quantile)",
)


def _scipy(loc, scale, quantile):
    s, k = _classic(scale, quantile)
    return {"kappa": k, "loc": loc, "scale": s}


SCIPY = ScipyOracle("laplace_asymmetric", _scipy)
