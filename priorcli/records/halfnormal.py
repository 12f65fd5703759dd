"""HalfNormal(scale=1).

The record (``RECORD``) and its scipy oracle (``SCIPY``: the scipy.stats distribution and the
parameter translation the tests check against; scipy.stats is imported when it is called).
"""

from __future__ import annotations

import math

from priorcli.records.base import LOG2, LOGPI, POSITIVE_LINE, np, param, record, sc
from priorcli.records import shape
from priorcli.records.fitdata import check_positive
from priorcli.records.oracle import ScipyOracle
from priorcli.records.starts import positive_mean


# HalfNormal(scale=1)
RECORD = record(
    "HalfNormal",
    (param("scale", "positive", 1.0),),
    support=POSITIVE_LINE,
    cdf=lambda x, scale: sc.erf(x / (scale * math.sqrt(2.0))),
    icdf=lambda q, scale: scale * math.sqrt(2.0) * sc.erfinv(q),
    sf=lambda x, scale: sc.erfc(x / (scale * math.sqrt(2.0))),
    isf=lambda q, scale: scale * math.sqrt(2.0) * sc.erfcinv(q),
    logpdf=lambda x, scale: 0.5 * (LOG2 - LOGPI) - np.log(scale) - 0.5 * (x / scale) ** 2,
    mean=lambda scale: scale * math.sqrt(2.0 / math.pi),
    variance=lambda scale: scale * scale * (1.0 - 2.0 / math.pi),
    mode=lambda scale: 0.0,
    median=lambda scale: scale * math.sqrt(2.0) * sc.erfinv(0.5),
    entropy=lambda scale: 0.5 * (LOGPI - LOG2 + 1.0) + math.log(scale),
    **shape.constant(*shape.HALFNORMAL),
    scaling={"scale": "scale"},
    moment_start=positive_mean(lambda m, s, cv: {"scale": m / math.sqrt(2.0 / math.pi)}),
    formulas=("mean = scale * sqrt(2 / pi)", "median = scale * 0.6745", "mode = 0"),
    fit_check=check_positive,
    mle=lambda x: {"scale": float(np.sqrt(np.mean(x * x)))},
)

SCIPY = ScipyOracle("halfnorm", lambda scale: {"scale": scale})
