"""StudentT(df, loc=0, scale=1).

The record (``RECORD``) and its scipy oracle (``SCIPY``: the scipy.stats distribution and the
parameter translation the tests check against; scipy.stats is imported when it is called).
"""

from __future__ import annotations

import math

from priorcli.records.base import LOC_SCALE, LOG2PI, REAL_LINE, SHIFT_SCALE, np, param, record, sc
from priorcli.records import shape
from priorcli.records.fitdata import loc_scale_fit_start
from priorcli.records.oracle import ScipyOracle


# StudentT(df, loc=0, scale=1)
def _t_logpdf(x, df, loc, scale):
    z = (x - loc) / scale
    # log(Gamma((df+1)/2) / Gamma(df/2)) through poch: the difference of gammaln cancels
    # catastrophically for large df (fits whose df runs off to infinity need it smooth).
    return (
        np.log(sc.poch(0.5 * df, 0.5))
        - 0.5 * np.log(df * math.pi)
        - np.log(scale)
        - 0.5 * (df + 1.0) * np.log1p(z * z / df)
    )


def _t_entropy(df, loc, scale):
    if df >= 100.0:
        # The digamma difference and betaln cancel catastrophically as df grows (0.5 nats off by
        # df = 1e16): the series in 1/df about the normal's entropy (as scipy.stats.t uses).
        u = 1.0 / df
        series = u + u**2 / 4 - u**3 / 6 - u**4 / 8 + 0.3 * u**5 + u**6 / 4
        return 0.5 * (1.0 + LOG2PI) + series + math.log(scale)
    h = 0.5 * (df + 1.0)
    return (
        h * (sc.digamma(h) - sc.digamma(0.5 * df))
        + 0.5 * math.log(df)
        + sc.betaln(0.5 * df, 0.5)
        + math.log(scale)
    )


def _t_fit_start(x):
    start = loc_scale_fit_start(x)
    start["df"] = 5.0
    return start


RECORD = record(
    "StudentT",
    (param("df", "positive"),) + LOC_SCALE,
    support=REAL_LINE,
    cdf=lambda x, df, loc, scale: sc.stdtr(df, (x - loc) / scale),
    icdf=lambda q, df, loc, scale: loc + scale * sc.stdtrit(df, q),
    sf=lambda x, df, loc, scale: sc.stdtr(df, -(x - loc) / scale),
    isf=lambda q, df, loc, scale: loc - scale * sc.stdtrit(df, q),
    logpdf=_t_logpdf,
    mean=lambda df, loc, scale: loc if df > 1.0 else None,
    variance=lambda df, loc, scale: scale * scale * df / (df - 2.0) if df > 2.0 else None,
    mode=lambda df, loc, scale: loc,
    median=lambda df, loc, scale: loc,
    entropy=_t_entropy,
    **shape.pair(lambda df, loc, scale: shape.studentt(df)),
    scaling=SHIFT_SCALE,
    moment_start=lambda m, s: {"df": 5.0, "loc": m, "scale": s},
    formulas=("mean = median = mode = loc (mean for df > 1)", "sd = scale * sqrt(df / (df - 2)) for df > 2"),
    fit_start=_t_fit_start,
)

SCIPY = ScipyOracle("t", lambda df, loc, scale: {"df": df, "loc": loc, "scale": scale})
