"""HalfCauchy(scale=1).

The record (``RECORD``) and its scipy oracle (``SCIPY``: the scipy.stats distribution and the
parameter translation the tests check against; scipy.stats is imported when it is called).
"""

from __future__ import annotations

import math

from priorcli.records.base import LOG2, LOG2PI, LOGPI, POSITIVE_LINE, np, param, record
from priorcli.records.fitdata import check_positive
from priorcli.records.oracle import ScipyOracle
from priorcli.records.starts import positive_mean


# HalfCauchy(scale=1)
RECORD = record(
    "HalfCauchy",
    (param("scale", "positive", 1.0),),
    support=POSITIVE_LINE,
    cdf=lambda x, scale: 2.0 / math.pi * np.arctan(x / scale),
    icdf=lambda q, scale: scale * np.tan(0.5 * math.pi * q),
    sf=lambda x, scale: 2.0 / math.pi * np.arctan2(scale, x),
    isf=lambda q, scale: scale / np.tan(0.5 * math.pi * q),
    logpdf=lambda x, scale: LOG2 - LOGPI - np.log(scale) - np.log1p((x / scale) ** 2),
    mean=lambda scale: None,
    variance=lambda scale: None,
    mode=lambda scale: 0.0,
    median=lambda scale: scale,
    entropy=lambda scale: LOG2PI + math.log(scale),
    scaling={"scale": "scale"},
    moment_start=positive_mean(lambda m, s, cv: {"scale": m}),
    formulas=("median = scale", "mode = 0", "mean undefined"),
    fit_check=check_positive,
    fit_start=lambda x: {"scale": float(np.median(x))},
)

SCIPY = ScipyOracle("halfcauchy", lambda scale: {"scale": scale})
