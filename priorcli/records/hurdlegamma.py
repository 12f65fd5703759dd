"""HurdleGamma(gate, concentration, rate=1): 0 with probability ``gate``, else a Gamma.

numpyro's class: a point mass ``gate`` at 0 (an atom: the cdf jumps there, cdf(0) = gate) and the
density (1 - gate) Gamma(x | concentration, rate) on (0, inf); numpyro's log_prob is log(gate) at 0.
PyMC's ``HurdleGamma`` has ``psi`` = P(nonzero) = 1 - gate. ``gate`` is in [0, 1).

Quantiles are 0 up to the gate and the Gamma's at (q - gate) / (1 - gate) beyond; mean (1 - gate)
mu and variance (1 - gate)(sigma^2 + gate mu^2) from the Gamma's mu and sigma. No mode (a point mass
and a density are not comparable) and no entropy (neither a pmf's nor a density's).

The helpers ``hurdle_*`` here serve HurdleLogNormal too. The record (``RECORD``) and its scipy
oracle (``SCIPY``: built by hand from scipy's gamma). The maximum-likelihood fit is separable: gate
= the share of zeros, the Gamma fitted to the positive values (with either of its parameters held).
"""

from __future__ import annotations

import math

from priorcli.errors import InfeasibleError
from priorcli.records.base import POSITIVE_LINE, np, param, record, sc
from priorcli.records.fitdata import require, solve_decreasing
from priorcli.records.gamma import RECORD as GAMMA, gamma_logpdf, gamma_shape
from priorcli.records.oracle import ZeroMassOracle
from priorcli.records.zeroinflatedpoisson import GATE, HOLD_GATE, hurdle_icdf, hurdle_logpdf, require_gate_below_one, \
    zero_share, zi_mean, zi_variance


# why --family auto leaves out a hurdle of a continuous family (HurdleGamma, HurdleLogNormal)
HURDLE_NOT_AUTO = ("a point mass at 0 beside a density: its likelihood and entropy compare with neither a density's "
                   "nor a pmf's")


def hurdle_fit_check(family: str, x, fixed: dict, base_params=()) -> None:
    """Values in [0, inf), and positive ones to fit the part's free parameters with."""
    require(family, x, x >= 0.0, "[0, inf)")
    if "gate" not in fixed:
        require_gate_below_one(family, x)
    if any(p not in fixed for p in base_params) and not np.any(x > 0.0):
        raise InfeasibleError(f"cannot fit {family}: all values are 0, nothing to fit its positive part to")


def hurdle_moment_start(part):
    """moment_start(m, s) for a hurdle of ``part(mean, sd)`` (a gate of 0.2)."""

    def start(m, s):
        if not m > 0.0:
            return None
        gate = 0.2
        mu = m / (1.0 - gate)
        variance = s * s / (1.0 - gate) - gate * mu * mu
        params = part(mu, math.sqrt(variance) if variance > 0.0 else mu)
        return None if params is None else {"gate": gate, **params}

    return start


def no_mode(**params):
    """None: a point mass and a density are not comparable."""
    return None


def no_entropy(**params):
    """None: neither a pmf's entropy nor a density's."""
    return None


def _gamma_part(x, concentration=None, rate=None):
    y = x[x > 0.0]
    if concentration is None and rate is None:
        a = gamma_shape("HurdleGamma", y)
        return {"concentration": a, "rate": a / float(np.mean(y))}
    if rate is None:
        return {"concentration": concentration, "rate": concentration / float(np.mean(y))}
    if concentration is None:  # digamma(a) = log(rate) + mean(log y)
        target = math.log(rate) + float(np.mean(np.log(y)))
        a = solve_decreasing(lambda a: target - float(sc.digamma(a)), max(math.exp(target), 0.5),
                             "HurdleGamma concentration")
        return {"concentration": a, "rate": rate}
    return {"concentration": concentration, "rate": rate}


def _mle(x, gate=None, concentration=None, rate=None):
    part = _gamma_part(x, concentration, rate) if np.any(x > 0.0) else {"concentration": concentration, "rate": rate}
    return {"gate": zero_share(x) if gate is None else gate, **part}


RECORD = record(
    "HurdleGamma",
    (param("gate", GATE), param("concentration", "positive"), param("rate", "positive", 1.0)),
    support=POSITIVE_LINE,
    cdf=lambda x, gate, concentration, rate: gate + (1.0 - gate) * sc.gammainc(concentration, rate * x),
    icdf=lambda q, gate, concentration, rate: hurdle_icdf(q, gate, lambda p: sc.gammaincinv(concentration, p) / rate),
    logpdf=lambda x, gate, concentration, rate: hurdle_logpdf(x, gate,
                                                              lambda y: gamma_logpdf(y, concentration, rate)),
    mean=lambda gate, concentration, rate: zi_mean(gate, concentration / rate),
    variance=lambda gate, concentration, rate: zi_variance(gate, concentration / rate, concentration / rate**2),
    mode=no_mode,
    entropy=no_entropy,
    scaling={"rate": "rate"},
    moment_start=hurdle_moment_start(lambda mu, sd: {"concentration": (mu / sd) ** 2, "rate": mu / (sd * sd)}),
    formulas=("P(0) = gate", "density (1 - gate) Gamma(x | concentration, rate) for x > 0",
              "mean = (1 - gate) concentration / rate"),
    example="priorcli summarize hurdlegamma --gate 0.3 --concentration 2 --rate 1",
    zero_mass=lambda gate, concentration, rate: gate,
    direct={"p_zero": "gate"},
    maxent_holds=HOLD_GATE,
    maxent_entropy=lambda gate, concentration, rate: GAMMA.entropy(concentration=concentration, rate=rate),
    not_auto=HURDLE_NOT_AUTO,
    fit_check=lambda family, x, fixed: hurdle_fit_check(family, x, fixed, ("concentration", "rate")),
    mle=_mle,
)

SCIPY = ZeroMassOracle("gamma", lambda concentration, rate: {"a": concentration, "scale": 1.0 / rate}, "hurdle")
