"""Gumbel(loc=0, scale=1): the maximum-value Gumbel, scipy's gumbel_r.

The record (``RECORD``) and its scipy oracle (``SCIPY``: the scipy.stats distribution and the
parameter translation the tests check against; scipy.stats is imported when it is called).
"""

from __future__ import annotations

import math

from priorcli.records.base import EULER, LOC_SCALE, LOG2, REAL_LINE, SHIFT_SCALE, loc_scale_start, np, record
from priorcli.records import shape
from priorcli.records.fitdata import robust_spread
from priorcli.records.oracle import ScipyOracle


# Gumbel(loc=0, scale=1)  (maximum-value Gumbel, scipy's gumbel_r)
def _gumbel_logpdf(x, loc, scale):
    z = (x - loc) / scale
    return -z - np.exp(-z) - np.log(scale)


def _gumbel_fit_start(x):
    scale = float(np.std(x)) * math.sqrt(6.0) / math.pi or robust_spread(x)
    return {"loc": float(np.mean(x)) - EULER * scale, "scale": scale}


RECORD = record(
    "Gumbel",
    LOC_SCALE,
    support=REAL_LINE,
    cdf=lambda x, loc, scale: np.exp(-np.exp(-(x - loc) / scale)),
    icdf=lambda q, loc, scale: loc - scale * np.log(-np.log(q)),
    sf=lambda x, loc, scale: -np.expm1(-np.exp(-(x - loc) / scale)),
    isf=lambda q, loc, scale: loc - scale * np.log(-np.log1p(-q)),
    logpdf=_gumbel_logpdf,
    mean=lambda loc, scale: loc + EULER * scale,
    variance=lambda loc, scale: (math.pi * scale) ** 2 / 6.0,
    mode=lambda loc, scale: loc,
    median=lambda loc, scale: loc - scale * math.log(LOG2),
    entropy=lambda loc, scale: math.log(scale) + EULER + 1.0,
    **shape.constant(*shape.GUMBEL),
    scaling=SHIFT_SCALE,
    moment_start=loc_scale_start,
    fit_start=_gumbel_fit_start,
)

SCIPY = ScipyOracle("gumbel_r", lambda loc, scale: {"loc": loc, "scale": scale})
