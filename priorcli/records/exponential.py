"""Exponential(rate=1).

The record (``RECORD``) and its scipy oracle (``SCIPY``: the scipy.stats distribution and the
parameter translation the tests check against; scipy.stats is imported when it is called).
"""

from __future__ import annotations

import math

from priorcli.records.base import LOG2, POSITIVE_LINE, np, param, record
from priorcli.records import shape
from priorcli.records.fitdata import check_positive
from priorcli.records.oracle import ScipyOracle
from priorcli.records.starts import positive_mean


# Exponential(rate=1)
RECORD = record(
    "Exponential",
    (param("rate", "positive", 1.0),),
    support=POSITIVE_LINE,
    cdf=lambda x, rate: -np.expm1(-rate * x),
    icdf=lambda q, rate: -np.log1p(-q) / rate,
    sf=lambda x, rate: np.exp(-rate * x),
    isf=lambda q, rate: -np.log(q) / rate,
    moment_shift=lambda r, rate: (math.factorial(r) / rate**r, "Gamma", {"concentration": 1.0 + r, "rate": rate}),
    logpdf=lambda x, rate: np.log(rate) - rate * x,
    mean=lambda rate: 1.0 / rate,
    variance=lambda rate: 1.0 / (rate * rate),
    mode=lambda rate: 0.0,
    median=lambda rate: LOG2 / rate,
    entropy=lambda rate: 1.0 - math.log(rate),
    **shape.constant(2.0, 6.0),
    scaling={"rate": "rate"},
    moment_start=positive_mean(lambda m, s, cv: {"rate": 1.0 / m}),
    formulas=("mean = sd = 1 / rate", "median = log(2) / rate", "mode = 0"),
    fit_check=check_positive,
    mle=lambda x: {"rate": 1.0 / float(np.mean(x))},
)

SCIPY = ScipyOracle("expon", lambda rate: {"scale": 1.0 / rate})
