"""Weibull(scale, concentration): numpyro's order, scale first.

The record (``RECORD``) and its scipy oracle (``SCIPY``: the scipy.stats distribution and the
parameter translation the tests check against; scipy.stats is imported when it is called).
"""

from __future__ import annotations

import math

from priorcli.records.base import EULER, LOG2, POSITIVE_LINE, np, param, record, sc
from priorcli.records import shape
from priorcli.records.fitdata import check_positive
from priorcli.records.oracle import ScipyOracle
from priorcli.records.starts import positive_mean


# Weibull(scale, concentration)  -- note numpyro's order: scale first
def _weibull_logpdf(x, scale, concentration):
    k = concentration
    z = x / scale
    return np.log(k / scale) + sc.xlogy(k - 1.0, z) - z**k


def _weibull_variance(scale, concentration):
    g1 = sc.gammaln(1.0 + 1.0 / concentration)
    g2 = sc.gammaln(1.0 + 2.0 / concentration)
    # Gamma(1+2/k) - Gamma(1+1/k)^2 = Gamma(1+2/k) * (1 - exp(2 g1 - g2))
    return scale * scale * math.exp(g2) * -math.expm1(2.0 * g1 - g2)


def _weibull_start(m, s, cv):
    k = min(max(cv**-1.086, 0.05), 1e6)  # a rough fit of the cv-shape relation
    return {"scale": m / math.gamma(1.0 + 1.0 / k), "concentration": k}


def _weibull_mode(scale, concentration):
    k = concentration
    if k > 1.0:
        return scale * ((k - 1.0) / k) ** (1.0 / k)
    if k == 1.0:
        return 0.0
    return None


def _weibull_fit_start(x):
    sd_log = float(np.std(np.log(x)))
    k = math.pi / (sd_log * math.sqrt(6.0)) if sd_log > 0 else 1.0
    z = x / float(np.max(x))
    return {"scale": float(np.max(x)) * float(np.mean(z**k)) ** (1.0 / k), "concentration": k}


RECORD = record(
    "Weibull",
    (param("scale", "positive"), param("concentration", "positive")),
    support=POSITIVE_LINE,
    cdf=lambda x, scale, concentration: -np.expm1(-((x / scale) ** concentration)),
    icdf=lambda q, scale, concentration: scale * (-np.log1p(-q)) ** (1.0 / concentration),
    sf=lambda x, scale, concentration: np.exp(-((x / scale) ** concentration)),
    isf=lambda q, scale, concentration: scale * (-np.log(q)) ** (1.0 / concentration),
    logpdf=_weibull_logpdf,
    mean=lambda scale, concentration: scale * math.exp(sc.gammaln(1.0 + 1.0 / concentration)),
    variance=_weibull_variance,
    mode=_weibull_mode,
    median=lambda scale, concentration: scale * LOG2 ** (1.0 / concentration),
    entropy=lambda scale, concentration: EULER * (1.0 - 1.0 / concentration) + math.log(scale / concentration) + 1.0,
    **shape.pair(lambda scale, concentration: shape.weibull(concentration)),
    scaling={"scale": "scale"},
    moment_start=positive_mean(_weibull_start),
    formulas=("mean = scale * Gamma(1 + 1/concentration)", "median = scale * log(2)^(1/concentration)"),
    fit_check=check_positive,
    fit_start=_weibull_fit_start,
)

SCIPY = ScipyOracle("weibull_min", lambda scale, concentration: {"c": concentration, "scale": scale})
