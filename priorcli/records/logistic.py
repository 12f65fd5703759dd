"""Logistic(loc=0, scale=1).

The record (``RECORD``) and its scipy oracle (``SCIPY``: the scipy.stats distribution and the
parameter translation the tests check against; scipy.stats is imported when it is called).
"""

from __future__ import annotations

import math

from priorcli.records.base import LOC_SCALE, REAL_LINE, SHIFT_SCALE, loc_scale_start, np, record
from priorcli.records import shape
from priorcli.records.fitdata import robust_spread
from priorcli.records.oracle import ScipyOracle


# Logistic(loc=0, scale=1)
def _logistic_cdf(x, loc, scale):
    z = (x - loc) / scale
    e = np.exp(-np.abs(z))
    return np.where(z >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


def _logistic_logpdf(x, loc, scale):
    a = np.abs((x - loc) / scale)
    return -a - 2.0 * np.log1p(np.exp(-a)) - np.log(scale)


def _logistic_fit_start(x):
    return {"loc": float(np.median(x)), "scale": float(np.std(x)) * math.sqrt(3.0) / math.pi or robust_spread(x)}


RECORD = record(
    "Logistic",
    LOC_SCALE,
    support=REAL_LINE,
    cdf=_logistic_cdf,
    icdf=lambda q, loc, scale: loc + scale * (np.log(q) - np.log1p(-q)),
    sf=lambda x, loc, scale: 1.0 / (1.0 + np.exp((x - loc) / scale)),
    isf=lambda q, loc, scale: loc + scale * (np.log1p(-q) - np.log(q)),
    logpdf=_logistic_logpdf,
    mean=lambda loc, scale: loc,
    variance=lambda loc, scale: (math.pi * scale) ** 2 / 3.0,
    mode=lambda loc, scale: loc,
    median=lambda loc, scale: loc,
    entropy=lambda loc, scale: math.log(scale) + 2.0,
    **shape.constant(0.0, 1.2),
    scaling=SHIFT_SCALE,
    moment_start=loc_scale_start,
    fit_start=_logistic_fit_start,
)

SCIPY = ScipyOracle("logistic", lambda loc, scale: {"loc": loc, "scale": scale})
