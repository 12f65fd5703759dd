"""Laplace(loc=0, scale=1).

The record (``RECORD``) and its scipy oracle (``SCIPY``: the scipy.stats distribution and the
parameter translation the tests check against; scipy.stats is imported when it is called).
"""

from __future__ import annotations

import math

from priorcli.errors import InfeasibleError
from priorcli.records.base import LOC_SCALE, REAL_LINE, SHIFT_SCALE, loc_scale_start, np, record
from priorcli.records import shape
from priorcli.records.fitdata import loc_scale_fit_start, require_spread
from priorcli.records.oracle import ScipyOracle


# Laplace(loc=0, scale=1)
def _laplace_cdf(x, loc, scale):
    z = (x - loc) / scale
    return np.where(z < 0.0, 0.5 * np.exp(np.minimum(z, 0.0)), 1.0 - 0.5 * np.exp(-np.maximum(z, 0.0)))


def _laplace_sf(x, loc, scale):
    z = (x - loc) / scale
    return np.where(z > 0.0, 0.5 * np.exp(-np.maximum(z, 0.0)), 1.0 - 0.5 * np.exp(np.minimum(z, 0.0)))


def _laplace_icdf(q, loc, scale):
    return np.where(q <= 0.5, loc + scale * np.log(2.0 * q), loc - scale * np.log(2.0 * (1.0 - q)))


def _laplace_mle(x):
    loc = float(np.median(x))
    scale = float(np.mean(np.abs(x - loc)))
    if not scale > 0.0:
        require_spread("Laplace", x)
        raise InfeasibleError("cannot fit Laplace: more than half of the values are equal; the scale would be 0")
    return {"loc": loc, "scale": scale}


RECORD = record(
    "Laplace",
    LOC_SCALE,
    support=REAL_LINE,
    cdf=_laplace_cdf,
    icdf=_laplace_icdf,
    sf=_laplace_sf,
    isf=lambda q, loc, scale: np.where(q <= 0.5, loc - scale * np.log(2.0 * q), loc + scale * np.log(2.0 * (1.0 - q))),
    logpdf=lambda x, loc, scale: -np.log(2.0 * scale) - np.abs(x - loc) / scale,
    mean=lambda loc, scale: loc,
    variance=lambda loc, scale: 2.0 * scale * scale,
    mode=lambda loc, scale: loc,
    median=lambda loc, scale: loc,
    entropy=lambda loc, scale: 1.0 + math.log(2.0 * scale),
    **shape.constant(0.0, 3.0),
    scaling=SHIFT_SCALE,
    moment_start=loc_scale_start,
    fit_start=loc_scale_fit_start,
    mle=_laplace_mle,
)

SCIPY = ScipyOracle("laplace", lambda loc, scale: {"loc": loc, "scale": scale})
