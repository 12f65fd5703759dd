"""Normal(loc=0, scale=1).

The record (``RECORD``) and its scipy oracle (``SCIPY``: the scipy.stats distribution and the
parameter translation the tests check against; scipy.stats is imported when it is called).
"""

from __future__ import annotations

import math

from priorcli.records.base import LOC_SCALE, LOG2PI, REAL_LINE, SHIFT_SCALE, loc_scale_start, np, record, sc
from priorcli.records import shape
from priorcli.records.fitdata import loc_scale_fit_start, require_spread
from priorcli.records.oracle import ScipyOracle


# Normal(loc=0, scale=1)
def _normal_mle(x):
    loc = float(np.mean(x))
    require_spread("Normal", x)
    return {"loc": loc, "scale": float(np.sqrt(np.mean((x - loc) ** 2)))}


RECORD = record(
    "Normal",
    LOC_SCALE,
    support=REAL_LINE,
    cdf=lambda x, loc, scale: sc.ndtr((x - loc) / scale),
    icdf=lambda q, loc, scale: loc + scale * sc.ndtri(q),
    sf=lambda x, loc, scale: sc.ndtr(-(x - loc) / scale),
    isf=lambda q, loc, scale: loc - scale * sc.ndtri(q),
    logpdf=lambda x, loc, scale: -0.5 * ((x - loc) / scale) ** 2 - np.log(scale) - 0.5 * LOG2PI,
    mean=lambda loc, scale: loc,
    variance=lambda loc, scale: scale * scale,
    mode=lambda loc, scale: loc,
    median=lambda loc, scale: loc,
    entropy=lambda loc, scale: 0.5 * (1.0 + LOG2PI) + math.log(scale),
    **shape.constant(0.0, 0.0),
    scaling=SHIFT_SCALE,
    moment_start=loc_scale_start,
    formulas=("mean = median = mode = loc", "sd = scale"),
    fit_start=loc_scale_fit_start,
    mle=_normal_mle,
)

SCIPY = ScipyOracle("norm", lambda loc, scale: {"loc": loc, "scale": scale})
