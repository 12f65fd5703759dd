"""BetaProportion(mean, concentration) = Beta(mean * concentration, (1 - mean) * concentration).

The record (``RECORD``) and its scipy oracle (``SCIPY``: the scipy.stats distribution and the
parameter translation the tests check against; scipy.stats is imported when it is called).
"""

from __future__ import annotations

from priorcli.records.base import UNIT, inversion, param, record, sc
from priorcli.records import shape
from priorcli.records.beta import (
    beta_entropy, beta_fit_start, beta_logpdf, beta_mode, count_from_sd, sd_below_bound, sd_too_large,
)
from priorcli.records.fitdata import check_open_unit
from priorcli.records.oracle import ScipyOracle
from priorcli.records.starts import unit_start


# BetaProportion(mean, concentration) = Beta(mean * concentration, (1 - mean) * concentration)
def _bp(mean, concentration):
    return mean * concentration, (1.0 - mean) * concentration


def _from_beta(params):
    a, b = params["concentration1"], params["concentration0"]
    return {"mean": a / (a + b), "concentration": a + b}


RECORD = record(
    "BetaProportion",
    (param("mean", "open_unit_interval"), param("concentration", "positive")),
    support=UNIT,
    cdf=lambda x, mean, concentration: sc.betainc(*_bp(mean, concentration), x),
    icdf=lambda q, mean, concentration: sc.betaincinv(*_bp(mean, concentration), q),
    logpdf=lambda x, mean, concentration: beta_logpdf(x, *_bp(mean, concentration)),
    mean=lambda mean, concentration: mean,
    variance=lambda mean, concentration: mean * (1.0 - mean) / (concentration + 1.0),
    mode=lambda mean, concentration: beta_mode(*_bp(mean, concentration)),
    entropy=lambda mean, concentration: beta_entropy(*_bp(mean, concentration)),
    **shape.pair(lambda mean, concentration: shape.beta(mean * concentration, (1.0 - mean) * concentration)),
    inversions=(
        inversion({"mean", "count"})(lambda xp, mean, count: {"mean": mean, "concentration": count}),
        inversion({"mean", "sd"}, valid=sd_below_bound, why=sd_too_large("BetaProportion"))(
            lambda xp, mean, sd: {"mean": mean, "concentration": count_from_sd(mean, sd)}
        ),
    ),
    direct={"mean": "mean", "count": "concentration"},
    moment_start=unit_start(lambda m, nu: {"mean": m, "concentration": nu}),
    fit_check=check_open_unit,
    fit_start=lambda x: _from_beta(beta_fit_start(x)),
    # the MLE is invariant under reparameterisation: fit Beta(a, b), then mean = a/(a+b), c = a+b
    mle_via=("Beta", _from_beta),
    not_auto="Beta in (mean, concentration)",
)

SCIPY = ScipyOracle("beta", lambda mean, concentration: {"a": mean * concentration,
                                                      "b": (1.0 - mean) * concentration})
