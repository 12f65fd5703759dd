"""Chi2(df) = Gamma(df / 2, rate=1/2).

The record (``RECORD``) and its scipy oracle (``SCIPY``: the scipy.stats distribution and the
parameter translation the tests check against; scipy.stats is imported when it is called).
"""

from __future__ import annotations

from priorcli.records.base import LOG2, POSITIVE_LINE, np, param, record, sc
from priorcli.records import shape
from priorcli.records.fitdata import check_positive, solve_decreasing
from priorcli.records.gamma import gamma_entropy, gamma_logpdf
from priorcli.records.oracle import ScipyOracle
from priorcli.records.starts import positive_mean


# Chi2(df) = Gamma(df / 2, rate=1/2)
def _chi2_mle(x):
    target = float(np.mean(np.log(x))) - LOG2  # digamma(df / 2) = mean(log x) - log 2
    half = solve_decreasing(lambda k: target - float(sc.digamma(k)), max(float(np.mean(x)) / 2.0, 1e-3),
                             "Chi2 df")
    return {"df": 2.0 * half}


RECORD = record(
    "Chi2",
    (param("df", "positive"),),
    support=POSITIVE_LINE,
    cdf=lambda x, df: sc.gammainc(0.5 * df, 0.5 * x),
    icdf=lambda q, df: 2.0 * sc.gammaincinv(0.5 * df, q),
    sf=lambda x, df: sc.gammaincc(0.5 * df, 0.5 * x),
    isf=lambda q, df: 2.0 * sc.gammainccinv(0.5 * df, q),
    logpdf=lambda x, df: gamma_logpdf(x, 0.5 * df, 0.5),
    moment_shift=lambda r, df: (float(sc.poch(0.5 * df, r)) * 2.0**r, "Chi2", {"df": df + 2.0 * r}),
    mean=lambda df: df,
    variance=lambda df: 2.0 * df,
    mode=lambda df: df - 2.0 if df >= 2.0 else None,
    entropy=lambda df: gamma_entropy(0.5 * df, 0.5),
    **shape.pair(lambda df: shape.gamma(0.5 * df)),
    moment_start=positive_mean(lambda m, s, cv: {"df": m}),
    fit_check=check_positive,
    fit_start=lambda x: {"df": float(np.mean(x))},
    mle=_chi2_mle,
)

SCIPY = ScipyOracle("chi2", lambda df: {"df": df})
