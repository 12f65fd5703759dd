"""NegativeBinomial2(mean, concentration): NB2 as regression users know it.

The record (``RECORD``) and its scipy oracle (``SCIPY``: the scipy.stats distribution and the
parameter translation the tests check against; scipy.stats is imported when it is called).
"""

from __future__ import annotations

from priorcli.records.base import INF, np, param, record
from priorcli.records import shape
from priorcli.records.negativebinomial import (
    nb_cdf, nb_entropy, nb_fit_check, nb_fit_start, nb_icdf, nb_logpmf, nb_mode, nb_total_count,
)
from priorcli.records.oracle import ScipyOracle


# NegativeBinomial2(mean, concentration) = GammaPoisson(concentration, rate=concentration/mean):
# NB2 as regression users know it, var = mean + mean^2 / concentration; scipy's
# nbinom(n=concentration, p=concentration / (concentration + mean)).
def _nb2_probs(mean, concentration):
    return mean / (mean + concentration)


RECORD = record(
    "NegativeBinomial2",
    (param("mean", "positive"), param("concentration", "positive")),
    discrete=True,
    support=lambda mean, concentration: (0.0, INF),
    cdf=lambda x, mean, concentration: nb_cdf(x, concentration, _nb2_probs(mean, concentration),
                                               concentration / (mean + concentration)),
    icdf=lambda q, mean, concentration: nb_icdf(q, concentration, _nb2_probs(mean, concentration),
                                                 concentration / (mean + concentration)),
    logpdf=lambda k, mean, concentration: nb_logpmf(k, concentration, _nb2_probs(mean, concentration)),
    mean=lambda mean, concentration: mean,
    variance=lambda mean, concentration: mean + mean * mean / concentration,
    mode=lambda mean, concentration: nb_mode(concentration, _nb2_probs(mean, concentration)),
    entropy=lambda mean, concentration: nb_entropy(concentration, _nb2_probs(mean, concentration)),
    **shape.pair(lambda mean, concentration: shape.negbinomial(concentration, concentration / (concentration + mean))),
    moment_start=lambda m, s: {"mean": m, "concentration": nb_total_count(m, s)} if m > 0.0 else None,
    direct={"mean": "mean"},
    formulas=("mean = mean", "variance = mean + mean^2 / concentration"),
    example="priorcli solve negativebinomial2 --mean 4 --sd 3",
    fit_check=nb_fit_check,
    fit_start=lambda x: {"mean": max(float(np.mean(x)), 1e-6), "concentration": nb_fit_start(x)["total_count"]},
)

SCIPY = ScipyOracle("nbinom", lambda mean, concentration: {"n": concentration,
                                                      "p": concentration / (concentration + mean)})
