"""DiscreteUniform(low=0, high=1): the integers low..high inclusive.

The record (``RECORD``) and its scipy oracle (``SCIPY``: the scipy.stats distribution and the
parameter translation the tests check against; scipy.stats is imported when it is called).
"""

from __future__ import annotations

import math

from priorcli.records.base import INF, discrete_search, np, param, record
from priorcli.records.fitdata import bounds_check, range_mle, require
from priorcli.records.oracle import ScipyOracle


# DiscreteUniform(low=0, high=1): integers low..high inclusive
def _du_cdf(x, low, high):
    return (x - low + 1.0) / (high - low + 1.0)


def _du_fit_check(family, x, fixed):
    require(family, x, x == np.floor(x), "the integers")
    bounds_check(-math.inf)(family, x, fixed)


RECORD = record(
    "DiscreteUniform",
    (param("low", "dependent", 0), param("high", "dependent", 1)),
    discrete=True,
    support=lambda low, high: (low, high),
    cdf=_du_cdf,
    icdf=lambda q, low, high: discrete_search(
        lambda k: _du_cdf(k, low, high), q, low - 1.0 + np.ceil(q * (high - low + 1.0)), low, high
    ),
    logpdf=lambda k, low, high: 0.0 * k - np.log(high - low + 1.0),
    mean=lambda low, high: 0.5 * (low + high),
    variance=lambda low, high: ((high - low + 1.0) ** 2 - 1.0) / 12.0,
    mode=lambda low, high: low,  # all tied: the smallest
    entropy=lambda low, high: math.log(high - low + 1.0),
    support_params=("low", "high"),
    moving_support=(-INF, INF),
    fit_check=_du_fit_check,
    mle=range_mle("DiscreteUniform", extra=1.0),
    not_auto="a fixed grid of integers",
)

SCIPY = ScipyOracle("randint", lambda low, high: {"low": low, "high": high + 1.0})
