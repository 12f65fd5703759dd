"""LogUniform(low, high): log X ~ Uniform(log low, log high).

The record (``RECORD``) and its scipy oracle (``SCIPY``: the scipy.stats distribution and the
parameter translation the tests check against; scipy.stats is imported when it is called).
"""

from __future__ import annotations

import math

from priorcli.records.base import INF, np, param, record
from priorcli.records.fitdata import bounds_check, range_mle
from priorcli.records.oracle import ScipyOracle
from priorcli.records.starts import positive_mean


# LogUniform(low, high): log X ~ Uniform(log low, log high)
def _loguniform_variance(low, high):
    r = math.log(high / low)
    m = (high - low) / r
    return (high * high - low * low) / (2.0 * r) - m * m


RECORD = record(
    "LogUniform",
    (param("low", "positive"), param("high", "positive")),
    support=lambda low, high: (low, high),
    cdf=lambda x, low, high: np.log(x / low) / np.log(high / low),
    icdf=lambda q, low, high: low * np.exp(q * np.log(high / low)),
    logpdf=lambda x, low, high: -np.log(x) - np.log(np.log(high / low)),
    mean=lambda low, high: (high - low) / math.log(high / low),
    variance=_loguniform_variance,
    mode=lambda low, high: low,
    median=lambda low, high: math.sqrt(low * high),
    entropy=lambda low, high: 0.5 * (math.log(low) + math.log(high)) + math.log(math.log(high / low)),
    scaling={"low": "scale", "high": "scale"},
    support_params=("low", "high"),
    moving_support=(0.0, INF),
    ordered="mul",
    moment_start=positive_mean(lambda m, s, cv: {"low": m / (1.0 + 3.0 * cv), "high": m * (1.0 + 3.0 * cv)}),
    fit_check=bounds_check(0.0),
    mle=range_mle("LogUniform"),
)

SCIPY = ScipyOracle("loguniform", lambda low, high: {"a": low, "b": high})
