"""HurdlePoisson(gate, rate=1): 0 with probability ``gate``, else a zero-truncated Poisson(rate).

numpyro's class: P(0) = gate, P(k) = (1 - gate) Poisson(k | rate) / (1 - e^-rate) for k >= 1. Every
zero is the hurdle's (unlike ZeroInflatedPoisson, whose Poisson makes zeros too). PyMC's
``HurdlePoisson`` has ``psi`` = P(nonzero) = 1 - gate. ``gate`` is in [0, 1) (``GATE``).

The record (``RECORD``) and its scipy oracle (``SCIPY``: built by hand from scipy's poisson,
truncated at 0). The maximum-likelihood fit is separable: gate = the share of zeros, and the rate
solves rate / (1 - e^-rate) = the mean of the nonzero values (either one held keeps the other's).
"""

from __future__ import annotations

import math

from priorcli.errors import InfeasibleError
from priorcli.records.base import INF, discrete_search, np, param, record, sc
from priorcli.records.fitdata import check_counts, solve_decreasing
from priorcli.records.oracle import ZeroMassOracle
from priorcli.records.poisson import RECORD as POISSON
from priorcli.records.zeroinflatedpoisson import (
    GATE, HOLD_GATE, hurdle_logpmf, hurdle_truncated_cdf, require_gate_below_one, zero_entropy, zero_share,
)


def _positive(rate):
    """P(Poisson > 0) = 1 - e^-rate, without cancellation."""
    return -np.expm1(-np.asarray(rate, dtype=float))


def _cdf(k, gate, rate):
    truncated = hurdle_truncated_cdf(k, lambda j: sc.pdtr(j, rate), lambda j: sc.pdtrc(j, rate), np.exp(-rate),
                                     _positive(rate))
    return gate + (1.0 - gate) * truncated


def _icdf(q, gate, rate):
    inner = np.exp(-rate) + _positive(rate) * np.clip((q - gate) / (1.0 - gate), 0.0, 1.0)
    guess = np.where(q <= gate, 0.0, np.maximum(sc.pdtrik(np.minimum(inner, 1.0), rate), 1.0))
    return discrete_search(lambda k: _cdf(k, gate, rate), q, guess, 0.0, INF)


def _logpmf(k, gate, rate):
    return hurdle_logpmf(k, gate, lambda j: POISSON.logpdf(j, rate=rate), np.log(_positive(rate)))


def _mean(gate, rate):
    return (1.0 - gate) * rate / -math.expm1(-rate)


def _variance(gate, rate):
    second = (1.0 - gate) * (rate + rate * rate) / -math.expm1(-rate)
    return second - _mean(gate, rate) ** 2


def _mode(gate, rate):
    """0, or the zero-truncated Poisson's mode (its smallest argmax over k >= 1) when that beats gate."""
    top = max(1.0, POISSON.mode(rate=rate))
    at_top = (1.0 - gate) * math.exp(POISSON.logpdf(top, rate=rate)) / -math.expm1(-rate)
    return 0.0 if gate >= at_top else top


def _entropy(gate, rate):
    return zero_entropy(lambda k: _logpmf(k, gate, rate), _mean(gate, rate), _variance(gate, rate))


def _moment_start(m, s):
    if not m > 0.0:
        return None
    rate = max(m, 0.5)
    gate = min(max(1.0 - m * -math.expm1(-rate) / rate, 0.02), 0.9)
    return {"gate": gate, "rate": rate}


def _truncated_rate(mean_positive: float) -> float:
    """The rate with rate / (1 - e^-rate) = the mean of the nonzero values (> 1)."""
    return solve_decreasing(lambda r: mean_positive - r / -math.expm1(-r), mean_positive, "HurdlePoisson rate")


def _mle(x, gate=None, rate=None):
    if gate is None:
        require_gate_below_one("HurdlePoisson", x)
    positives = x[x > 0.0]
    if rate is None:
        if positives.size == 0:
            raise InfeasibleError("cannot fit HurdlePoisson's rate: all values are 0")
        if np.all(positives == 1.0):
            raise InfeasibleError("cannot fit HurdlePoisson: every nonzero value is 1, so the maximum-likelihood "
                                  "rate is 0")
        rate = _truncated_rate(float(np.mean(positives)))
    return {"gate": zero_share(x) if gate is None else gate, "rate": rate}


RECORD = record(
    "HurdlePoisson",
    (param("gate", GATE), param("rate", "positive", 1.0)),
    discrete=True,
    support=lambda gate, rate: (0.0, INF),
    cdf=_cdf,
    icdf=_icdf,
    logpdf=_logpmf,
    mean=_mean,
    variance=_variance,
    mode=_mode,
    entropy=_entropy,
    moment_start=_moment_start,
    formulas=("P(0) = gate", "P(k) = (1 - gate) Poisson(k | rate) / (1 - exp(-rate)), k >= 1",
              "mean = (1 - gate) rate / (1 - exp(-rate))"),
    example="priorcli solve hurdlepoisson --gate 0.4 --mean 3",
    zero_mass=lambda gate, rate: gate,
    direct={"p_zero": "gate"},
    maxent_holds=HOLD_GATE,
    fit_check=check_counts,
    mle=_mle,
)

SCIPY = ZeroMassOracle("poisson", lambda rate: {"mu": rate}, "hurdle")
