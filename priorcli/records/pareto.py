"""Pareto(scale, alpha): support [scale, inf).

The record (``RECORD``) and its scipy oracle (``SCIPY``: the scipy.stats distribution and the
parameter translation the tests check against; scipy.stats is imported when it is called).
"""

from __future__ import annotations

import math

from priorcli.errors import InfeasibleError
from priorcli.records.base import INF, np, param, record
from priorcli.records import shape
from priorcli.records.fitdata import require, require_positive
from priorcli.records.oracle import ScipyOracle
from priorcli.records.starts import positive_mean


# Pareto(scale, alpha): support [scale, inf)
def _pareto_start(m, s, cv):
    alpha = 1.0 + math.sqrt(1.0 + cv**-2)
    return {"scale": m * (alpha - 1.0) / alpha, "alpha": alpha}


def _pareto_fit_check(family, x, fixed):
    require_positive(family, x)
    if "scale" in fixed:
        require(family, x, x >= fixed["scale"], f"[{fixed['scale']:g}, inf)")


def _pareto_mle(x, scale=None, alpha=None):
    scale = float(np.min(x)) if scale is None else scale
    if alpha is None:
        total = float(np.sum(np.log(x / scale)))
        if not total > 0.0:
            raise InfeasibleError("cannot fit Pareto: all values are equal to the scale, so alpha would be infinite")
        alpha = x.size / total
    return {"scale": scale, "alpha": alpha}


RECORD = record(
    "Pareto",
    (param("scale", "positive"), param("alpha", "positive")),
    support=lambda scale, alpha: (scale, INF),
    cdf=lambda x, scale, alpha: -np.expm1(alpha * np.log(scale / x)),
    icdf=lambda q, scale, alpha: scale * np.exp(-np.log1p(-q) / alpha),
    sf=lambda x, scale, alpha: np.exp(alpha * np.log(scale / x)),
    isf=lambda q, scale, alpha: scale * np.exp(-np.log(q) / alpha),
    logpdf=lambda x, scale, alpha: np.log(alpha) + alpha * np.log(scale) - (alpha + 1.0) * np.log(x),
    mean=lambda scale, alpha: alpha * scale / (alpha - 1.0) if alpha > 1.0 else None,
    variance=lambda scale, alpha: scale * scale * alpha / ((alpha - 1.0) ** 2 * (alpha - 2.0)) if alpha > 2.0 else None,
    mode=lambda scale, alpha: scale,
    median=lambda scale, alpha: scale * 2.0 ** (1.0 / alpha),
    entropy=lambda scale, alpha: math.log(scale / alpha) + 1.0 + 1.0 / alpha,
    **shape.pair(lambda scale, alpha: shape.pareto(alpha)),
    scaling={"scale": "scale"},
    support_params=("scale",),
    moving_support=(0.0, INF),
    moment_start=positive_mean(_pareto_start),
    formulas=("mean = alpha * scale / (alpha - 1) for alpha > 1", "mode = scale", "median = scale * 2^(1/alpha)"),
    fit_check=_pareto_fit_check,
    mle=_pareto_mle,
)

SCIPY = ScipyOracle("pareto", lambda scale, alpha: {"b": alpha, "scale": scale})
