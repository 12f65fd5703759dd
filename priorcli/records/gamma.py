"""Gamma(concentration, rate=1); its logpdf, entropy and shape equation serve InverseGamma and Chi2 too.

The record (``RECORD``) and its scipy oracle (``SCIPY``: the scipy.stats distribution and the
parameter translation the tests check against; scipy.stats is imported when it is called).
"""

from __future__ import annotations

import math

from priorcli.errors import InfeasibleError
from priorcli.records.base import POSITIVE_LINE, inversion, np, param, record, sc
from priorcli.records import shape
from priorcli.records.fitdata import check_positive, solve_decreasing
from priorcli.records.oracle import ScipyOracle
from priorcli.records.starts import positive_mean


# Gamma(concentration, rate=1)
def gamma_logpdf(x, concentration, rate):
    a = concentration
    return a * np.log(rate) + sc.xlogy(a - 1.0, x) - rate * x - sc.gammaln(a)


def gamma_entropy(concentration, rate):
    a = concentration
    return a - math.log(rate) + sc.gammaln(a) + (1.0 - a) * sc.digamma(a)


def gamma_shape(family: str, y) -> float:
    """Solve log(a) - digamma(a) = log(mean y) - mean(log y) for the Gamma shape a."""
    mean = float(np.mean(y))
    s = math.log(mean) - float(np.mean(np.log(y)))
    if not s > 1e-14:
        raise InfeasibleError(
            f"cannot fit {family}: the values are (nearly) all equal, so the maximum-likelihood "
            "concentration is infinite"
        )
    guess = (3.0 - s + math.sqrt((s - 3.0) ** 2 + 24.0 * s)) / (12.0 * s)
    return solve_decreasing(lambda a: math.log(a) - float(sc.digamma(a)) - s, guess, f"{family} concentration")


def _gamma_mle(x):
    a = gamma_shape("Gamma", x)
    return {"concentration": a, "rate": a / float(np.mean(x))}


def gamma_fit_start(x):
    m, v = float(np.mean(x)), float(np.var(x))
    a = m * m / v if v > 0 else 1.0
    return {"concentration": a, "rate": a / m}


RECORD = record(
    "Gamma",
    (param("concentration", "positive"), param("rate", "positive", 1.0)),
    support=POSITIVE_LINE,
    cdf=lambda x, concentration, rate: sc.gammainc(concentration, rate * x),
    icdf=lambda q, concentration, rate: sc.gammaincinv(concentration, q) / rate,
    sf=lambda x, concentration, rate: sc.gammaincc(concentration, rate * x),
    isf=lambda q, concentration, rate: sc.gammainccinv(concentration, q) / rate,
    moment_shift=lambda r, concentration, rate: (
        float(sc.poch(concentration, r)) / rate**r, "Gamma", {"concentration": concentration + r, "rate": rate}),
    logpdf=gamma_logpdf,
    mean=lambda concentration, rate: concentration / rate,
    variance=lambda concentration, rate: concentration / (rate * rate),
    mode=lambda concentration, rate: (concentration - 1.0) / rate if concentration >= 1.0 else None,
    entropy=gamma_entropy,
    **shape.pair(lambda concentration, rate: shape.gamma(concentration)),
    scaling={"rate": "rate"},
    moment_start=positive_mean(lambda m, s, cv: {"concentration": cv**-2, "rate": m / (s * s)}),
    formulas=("mean = concentration / rate", "sd = sqrt(concentration) / rate",
              "mode = (concentration - 1) / rate for concentration >= 1"),
    example="priorcli summarize gamma --mean 2 --sd 1",
    inversions=(
        inversion({"mean", "sd"})(lambda xp, mean, sd: {"concentration": (mean / sd) ** 2, "rate": mean / (sd * sd)}),
    ),
    fit_check=check_positive,
    fit_start=gamma_fit_start,
    mle=_gamma_mle,
)

SCIPY = ScipyOracle("gamma", lambda concentration, rate: {"a": concentration, "scale": 1.0 / rate})
