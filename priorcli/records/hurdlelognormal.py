"""HurdleLogNormal(gate, loc=0, scale=1): 0 with probability ``gate``, else a LogNormal(loc, scale).

numpyro's class, read as HurdleGamma is (``priorcli.records.hurdlegamma``): an atom ``gate`` at 0
and the density (1 - gate) LogNormal(x | loc, scale) on (0, inf). PyMC's ``HurdleLogNormal`` has
``psi`` = 1 - gate, ``mu`` = loc, ``sigma`` = scale. ``gate`` is in [0, 1).

The record (``RECORD``) and its scipy oracle (``SCIPY``: built by hand from scipy's lognorm). The
maximum-likelihood fit: gate = the share of zeros, loc = the mean of log y over the positive values
y, scale = the root mean square of log y - loc (each held parameter kept).
"""

from __future__ import annotations

import math

from priorcli.errors import InfeasibleError
from priorcli.records.base import POSITIVE_LINE, np, param, record, sc
from priorcli.records.hurdlegamma import HURDLE_NOT_AUTO, hurdle_fit_check, hurdle_moment_start, no_entropy, no_mode
from priorcli.records.lognormal import RECORD as LOGNORMAL
from priorcli.records.oracle import ZeroMassOracle
from priorcli.records.zeroinflatedpoisson import GATE, HOLD_GATE, hurdle_icdf, hurdle_logpdf, zero_share, zi_mean, zi_variance


def _logpdf(x, gate, loc, scale):
    return hurdle_logpdf(x, gate, lambda y: LOGNORMAL.logpdf(y, loc=loc, scale=scale))


def _mle(x, gate=None, loc=None, scale=None):
    logs = np.log(x[x > 0.0])
    if logs.size:
        loc = float(np.mean(logs)) if loc is None else loc
        if scale is None:
            scale = math.sqrt(float(np.mean((logs - loc) ** 2)))
            if not scale > 0.0:
                raise InfeasibleError("cannot fit HurdleLogNormal: all nonzero values are equal, so the "
                                      "maximum-likelihood scale is 0")
    return {"gate": zero_share(x) if gate is None else gate, "loc": loc, "scale": scale}


def _part(mu, sd):
    scale2 = math.log1p((sd / mu) ** 2)
    return {"loc": math.log(mu) - 0.5 * scale2, "scale": math.sqrt(scale2)}


RECORD = record(
    "HurdleLogNormal",
    (param("gate", GATE), param("loc", "real", 0.0), param("scale", "positive", 1.0)),
    support=POSITIVE_LINE,
    cdf=lambda x, gate, loc, scale: gate + (1.0 - gate) * sc.ndtr((np.log(x) - loc) / scale),
    icdf=lambda q, gate, loc, scale: hurdle_icdf(q, gate, lambda p: np.exp(loc + scale * sc.ndtri(p))),
    logpdf=_logpdf,
    mean=lambda gate, loc, scale: zi_mean(gate, LOGNORMAL.mean(loc=loc, scale=scale)),
    variance=lambda gate, loc, scale: zi_variance(gate, LOGNORMAL.mean(loc=loc, scale=scale),
                                                  LOGNORMAL.variance(loc=loc, scale=scale)),
    mode=no_mode,
    entropy=no_entropy,
    scaling={"loc": "logloc"},
    moment_start=hurdle_moment_start(_part),
    formulas=("P(0) = gate", "density (1 - gate) LogNormal(x | loc, scale) for x > 0",
              "mean = (1 - gate) exp(loc + scale^2 / 2)"),
    example="priorcli summarize hurdlelognormal --gate 0.3 --loc 0 --scale 1",
    zero_mass=lambda gate, loc, scale: gate,
    direct={"p_zero": "gate"},
    maxent_holds=HOLD_GATE,
    maxent_entropy=lambda gate, loc, scale: LOGNORMAL.entropy(loc=loc, scale=scale),
    not_auto=HURDLE_NOT_AUTO,
    fit_check=lambda family, x, fixed: hurdle_fit_check(family, x, fixed, ("loc", "scale")),
    mle=_mle,
)

SCIPY = ZeroMassOracle("lognorm", lambda loc, scale: {"s": scale, "scale": math.exp(loc)}, "hurdle")
