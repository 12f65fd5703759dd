"""Uniform(low=0, high=1).

The record (``RECORD``) and its scipy oracle (``SCIPY``: the scipy.stats distribution and the
parameter translation the tests check against; scipy.stats is imported when it is called).
"""

from __future__ import annotations

import math

from priorcli.records.base import np, param, record
from priorcli.records import shape
from priorcli.records.fitdata import bounds_check, range_mle
from priorcli.records.oracle import ScipyOracle


# Uniform(low=0, high=1)
RECORD = record(
    "Uniform",
    (param("low", "dependent", 0.0), param("high", "dependent", 1.0)),
    support=lambda low, high: (low, high),
    cdf=lambda x, low, high: (x - low) / (high - low),
    icdf=lambda q, low, high: low + q * (high - low),
    logpdf=lambda x, low, high: 0.0 * x - np.log(high - low),
    mean=lambda low, high: 0.5 * (low + high),
    variance=lambda low, high: (high - low) ** 2 / 12.0,
    mode=lambda low, high: None,
    median=lambda low, high: 0.5 * (low + high),
    entropy=lambda low, high: math.log(high - low),
    **shape.constant(0.0, -1.2),
    scaling={"low": "loc", "high": "loc"},
    support_params=("low", "high"),
    moving_support=(-math.inf, math.inf),
    ordered="add",
    linear={"low": (1.0, 0.0), "high": (1.0, 1.0)},
    moment_start=lambda m, s: {"low": m - math.sqrt(3.0) * s, "high": m + math.sqrt(3.0) * s},
    formulas=("mean = median = (low + high) / 2", "sd = (high - low) / sqrt(12)"),
    fit_check=bounds_check(-math.inf),
    mle=range_mle("Uniform"),
)

SCIPY = ScipyOracle("uniform", lambda low, high: {"loc": low, "scale": high - low})
