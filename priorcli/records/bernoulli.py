"""BernoulliProbs(probs).

The record (``RECORD``) and its scipy oracle (``SCIPY``: the scipy.stats distribution and the
parameter translation the tests check against; scipy.stats is imported when it is called).
"""

from __future__ import annotations

from priorcli.records.base import np, param, record, sc
from priorcli.records import shape
from priorcli.records.fitdata import require_counts
from priorcli.records.oracle import ScipyOracle
from priorcli.records.starts import clip_unit


# BernoulliProbs(probs)
def _bernoulli_entropy(probs):
    return -sc.xlogy(probs, probs) - sc.xlog1py(1.0 - probs, -probs)


RECORD = record(
    "BernoulliProbs",
    (param("probs", "unit_interval"),),
    discrete=True,
    support=lambda probs: (0.0, 1.0),
    cdf=lambda x, probs: 1.0 - probs + 0.0 * x,  # only reached for x == 0
    icdf=lambda q, probs: np.where(q <= 1.0 - probs, 0.0, 1.0),
    logpdf=lambda k, probs: np.where(k == 1.0, sc.xlogy(1.0, probs), sc.xlog1py(1.0, -probs)),
    mean=lambda probs: probs,
    variance=lambda probs: probs * (1.0 - probs),
    mode=lambda probs: 1.0 if probs > 0.5 else 0.0,
    entropy=_bernoulli_entropy,
    **shape.pair(lambda probs: shape.binomial(probs, 1.0)),
    moment_start=lambda m, s: {"probs": clip_unit(m)},
    direct={"mean": "probs"},
    fit_check=lambda family, x, fixed: require_counts(family, x, 1.0),
    mle=lambda x: {"probs": float(np.mean(x))},
)

SCIPY = ScipyOracle("bernoulli", lambda probs: {"p": probs})
