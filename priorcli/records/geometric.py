"""GeometricProbs(probs): the number of failures before the first success, support {0, 1, ...}.

The record (``RECORD``) and its scipy oracle (``SCIPY``: the scipy.stats distribution and the
parameter translation the tests check against; scipy.stats is imported when it is called).
"""

from __future__ import annotations

from priorcli.records.base import INF, discrete_search, np, param, record, sc
from priorcli.records import shape
from priorcli.records.fitdata import check_counts
from priorcli.records.oracle import ScipyOracle
from priorcli.records.starts import clip_unit


# GeometricProbs(probs): number of failures before the first success, support {0, 1, ...}
def _geom_cdf(x, probs):
    return np.where(probs < 1.0, -np.expm1((x + 1.0) * np.log1p(-probs)), 1.0)


def _geom_icdf(q, probs):
    guess = np.log1p(-q) / np.log1p(-probs) - 1.0
    k = discrete_search(lambda k: _geom_cdf(k, probs), q, np.where(probs >= 1.0, 0.0, guess), 0.0, INF)
    return np.where(probs >= 1.0, 0.0, k)


def _geom_entropy(probs):
    return (-sc.xlog1py(1.0 - probs, -probs) - sc.xlogy(probs, probs)) / probs


RECORD = record(
    "GeometricProbs",
    (param("probs", "open_unit_interval"),),
    discrete=True,
    support=lambda probs: (0.0, INF),
    cdf=_geom_cdf,
    icdf=_geom_icdf,
    logpdf=lambda k, probs: np.log(probs) + sc.xlog1py(k, -probs),
    mean=lambda probs: (1.0 - probs) / probs,
    variance=lambda probs: (1.0 - probs) / (probs * probs),
    mode=lambda probs: 0.0,
    entropy=_geom_entropy,
    **shape.pair(lambda probs: shape.negbinomial(1.0, probs)),
    moment_start=lambda m, s: {"probs": clip_unit(1.0 / (1.0 + m))} if m >= 0.0 else None,
    fit_check=check_counts,
    mle=lambda x: {"probs": 1.0 / (1.0 + float(np.mean(x)))},
)

SCIPY = ScipyOracle("geom", lambda probs: {"p": probs, "loc": -1.0})
