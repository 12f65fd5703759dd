"""Cauchy(loc=0, scale=1).

The record (``RECORD``) and its scipy oracle (``SCIPY``: the scipy.stats distribution and the
parameter translation the tests check against; scipy.stats is imported when it is called).
"""

from __future__ import annotations

import math

from priorcli.records.base import LOC_SCALE, LOGPI, REAL_LINE, SHIFT_SCALE, loc_scale_start, np, record
from priorcli.records.fitdata import robust_spread
from priorcli.records.oracle import ScipyOracle


# Cauchy(loc=0, scale=1)
def _cauchy_icdf(q, loc, scale):
    lower = loc - scale / np.tan(math.pi * q)
    upper = loc + scale / np.tan(math.pi * (1.0 - q))
    return np.where(q < 0.5, lower, np.where(q > 0.5, upper, loc))


def _cauchy_fit_start(x):
    q25, q50, q75 = np.quantile(x, [0.25, 0.5, 0.75])
    scale = float(q75 - q25) / 2.0
    return {"loc": float(q50), "scale": scale if scale > 0 else robust_spread(x)}


RECORD = record(
    "Cauchy",
    LOC_SCALE,
    support=REAL_LINE,
    # atan2(1, -z) = pi/2 + atan(z), without cancellation in the lower tail
    cdf=lambda x, loc, scale: np.arctan2(1.0, -(x - loc) / scale) / math.pi,
    icdf=_cauchy_icdf,
    sf=lambda x, loc, scale: np.arctan2(1.0, (x - loc) / scale) / math.pi,
    isf=lambda q, loc, scale: loc + scale / np.tan(math.pi * q),
    logpdf=lambda x, loc, scale: -LOGPI - np.log(scale) - np.log1p(((x - loc) / scale) ** 2),
    mean=lambda loc, scale: None,
    variance=lambda loc, scale: None,
    mode=lambda loc, scale: loc,
    median=lambda loc, scale: loc,
    entropy=lambda loc, scale: math.log(4.0 * math.pi * scale),
    scaling=SHIFT_SCALE,
    moment_start=loc_scale_start,
    formulas=("median = mode = loc", "mean undefined"),
    fit_start=_cauchy_fit_start,
)

SCIPY = ScipyOracle("cauchy", lambda loc, scale: {"loc": loc, "scale": scale})
