"""Levy(loc, scale): support (loc, inf).

The record (``RECORD``) and its scipy oracle (``SCIPY``: the scipy.stats distribution and the
parameter translation the tests check against; scipy.stats is imported when it is called).
"""

from __future__ import annotations

import math

from priorcli.errors import InfeasibleError
from priorcli.records.base import EULER, INF, LOG2PI, np, param, record, sc
from priorcli.records.fitdata import require
from priorcli.records.oracle import ScipyOracle


# Levy(loc, scale): support (loc, inf)
def _levy_logpdf(x, loc, scale):
    d = x - loc
    return np.where(d > 0.0, 0.5 * (np.log(scale) - LOG2PI) - 1.5 * np.log(d) - scale / (2.0 * d), -INF)


def _levy_icdf(q, loc, scale):
    t = sc.ndtri(0.5 * q)
    return loc + scale / (t * t)


def _levy_fit_check(family, x, fixed):
    if "loc" in fixed:
        require(family, x, x > fixed["loc"], f"({fixed['loc']:g}, inf)")
    elif x.size < 4:
        # With loc free the likelihood grows without bound as loc approaches min(x) unless n > 3.
        raise InfeasibleError(f"cannot fit {family} with a free loc to {x.size} value(s); it needs at least 4")


def _levy_fit_start(x):
    low = float(np.min(x))
    loc = low - max(float(np.median(x)) - low, 1e-12 * max(abs(low), 1.0))
    return {"loc": loc, "scale": x.size / float(np.sum(1.0 / (x - loc)))}


def _levy_fit_coords(x, start):
    # loc must stay below the smallest value: loc = min(x) - w * exp(u).
    low = float(np.min(x))
    width = low - start["loc"]
    if not width > 0.0:
        return {}
    return {"loc": {"kind": "below", "scale": width, "high": low}}


RECORD = record(
    "Levy",
    (param("loc", "real"), param("scale", "positive")),
    support=lambda loc, scale: (loc, INF),
    cdf=lambda x, loc, scale: 2.0 * sc.ndtr(-np.sqrt(scale / (x - loc))),
    icdf=_levy_icdf,
    sf=lambda x, loc, scale: sc.erf(np.sqrt(0.5 * scale / (x - loc))),
    isf=lambda q, loc, scale: loc + 0.5 * scale / sc.erfinv(q) ** 2,
    logpdf=_levy_logpdf,
    mean=lambda loc, scale: None,
    variance=lambda loc, scale: None,
    mode=lambda loc, scale: loc + scale / 3.0,
    median=lambda loc, scale: float(_levy_icdf(0.5, loc, scale)),
    entropy=lambda loc, scale: 0.5 * (1.0 + 3.0 * EULER + math.log(16.0 * math.pi * scale * scale)),
    scaling={"loc": "loc", "scale": "scale"},
    support_params=("loc",),
    moving_support=(-INF, INF),
    moment_start=lambda m, s: {"loc": m, "scale": s},
    fit_check=_levy_fit_check,
    fit_start=_levy_fit_start,
    fit_coords=_levy_fit_coords,
)

SCIPY = ScipyOracle("levy", lambda loc, scale: {"loc": loc, "scale": scale})
