"""Records of the families on the real line (or an interval set by the parameters):
Normal, StudentT, Cauchy, Laplace, Logistic, Gumbel, Uniform.

Cores are vectorised (numpy ufuncs, scipy.special); summaries are scalar ``math``. Parameters use
numpyro's names, order and defaults.
"""

from __future__ import annotations

import math

from priorcli.errors import InfeasibleError
from priorcli.records.base import (
    EULER,
    LOC_SCALE,
    LOG2,
    LOG2PI,
    LOGPI,
    REAL_LINE,
    SHIFT_SCALE,
    loc_scale_start,
    np,
    param,
    record,
    sc,
)
from priorcli.records.fitdata import bounds_check, range_mle, require_spread, robust_spread

def _loc_scale_fit_start(x):
    return {"loc": float(np.median(x)), "scale": robust_spread(x)}


# Normal(loc=0, scale=1)
def _normal_mle(x):
    loc = float(np.mean(x))
    require_spread("Normal", x)
    return {"loc": loc, "scale": float(np.sqrt(np.mean((x - loc) ** 2)))}


NORMAL = record(
    "Normal",
    LOC_SCALE,
    support=REAL_LINE,
    cdf=lambda x, loc, scale: sc.ndtr((x - loc) / scale),
    icdf=lambda q, loc, scale: loc + scale * sc.ndtri(q),
    logpdf=lambda x, loc, scale: -0.5 * ((x - loc) / scale) ** 2 - np.log(scale) - 0.5 * LOG2PI,
    mean=lambda loc, scale: loc,
    variance=lambda loc, scale: scale * scale,
    mode=lambda loc, scale: loc,
    median=lambda loc, scale: loc,
    entropy=lambda loc, scale: 0.5 * (1.0 + LOG2PI) + math.log(scale),
    scaling=SHIFT_SCALE,
    moment_start=loc_scale_start,
    formulas=("mean = median = mode = loc", "sd = scale"),
    fit_start=_loc_scale_fit_start,
    mle=_normal_mle,
)


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
    start = _loc_scale_fit_start(x)
    start["df"] = 5.0
    return start


STUDENT_T = record(
    "StudentT",
    (param("df", "positive"),) + LOC_SCALE,
    support=REAL_LINE,
    cdf=lambda x, df, loc, scale: sc.stdtr(df, (x - loc) / scale),
    icdf=lambda q, df, loc, scale: loc + scale * sc.stdtrit(df, q),
    logpdf=_t_logpdf,
    mean=lambda df, loc, scale: loc if df > 1.0 else None,
    variance=lambda df, loc, scale: scale * scale * df / (df - 2.0) if df > 2.0 else None,
    mode=lambda df, loc, scale: loc,
    median=lambda df, loc, scale: loc,
    entropy=_t_entropy,
    scaling=SHIFT_SCALE,
    moment_start=lambda m, s: {"df": 5.0, "loc": m, "scale": s},
    formulas=("mean = median = mode = loc (mean for df > 1)", "sd = scale * sqrt(df / (df - 2)) for df > 2"),
    fit_start=_t_fit_start,
)


# Cauchy(loc=0, scale=1)
def _cauchy_icdf(q, loc, scale):
    lower = loc - scale / np.tan(math.pi * q)
    upper = loc + scale / np.tan(math.pi * (1.0 - q))
    return np.where(q < 0.5, lower, np.where(q > 0.5, upper, loc))


def _cauchy_fit_start(x):
    q25, q50, q75 = np.quantile(x, [0.25, 0.5, 0.75])
    scale = float(q75 - q25) / 2.0
    return {"loc": float(q50), "scale": scale if scale > 0 else robust_spread(x)}


CAUCHY = record(
    "Cauchy",
    LOC_SCALE,
    support=REAL_LINE,
    # atan2(1, -z) = pi/2 + atan(z), without cancellation in the lower tail
    cdf=lambda x, loc, scale: np.arctan2(1.0, -(x - loc) / scale) / math.pi,
    icdf=_cauchy_icdf,
    logpdf=lambda x, loc, scale: -LOGPI - np.log(scale) - np.log1p(((x - loc) / scale) ** 2),
    mean=lambda loc, scale: None,
    variance=lambda loc, scale: None,
    mode=lambda loc, scale: loc,
    median=lambda loc, scale: loc,
    entropy=lambda loc, scale: math.log(4.0 * math.pi * scale),
    scaling=SHIFT_SCALE,
    moment_start=loc_scale_start,
    formulas=("median = mode = loc", "mean undefined"),
    fit_start=_cauchy_fit_start,
)


# Laplace(loc=0, scale=1)
def _laplace_cdf(x, loc, scale):
    z = (x - loc) / scale
    return np.where(z < 0.0, 0.5 * np.exp(np.minimum(z, 0.0)), 1.0 - 0.5 * np.exp(-np.maximum(z, 0.0)))


def _laplace_icdf(q, loc, scale):
    return np.where(q <= 0.5, loc + scale * np.log(2.0 * q), loc - scale * np.log(2.0 * (1.0 - q)))


def _laplace_mle(x):
    loc = float(np.median(x))
    scale = float(np.mean(np.abs(x - loc)))
    if not scale > 0.0:
        require_spread("Laplace", x)
        raise InfeasibleError("cannot fit Laplace: more than half of the values are equal; the scale would be 0")
    return {"loc": loc, "scale": scale}


LAPLACE = record(
    "Laplace",
    LOC_SCALE,
    support=REAL_LINE,
    cdf=_laplace_cdf,
    icdf=_laplace_icdf,
    logpdf=lambda x, loc, scale: -np.log(2.0 * scale) - np.abs(x - loc) / scale,
    mean=lambda loc, scale: loc,
    variance=lambda loc, scale: 2.0 * scale * scale,
    mode=lambda loc, scale: loc,
    median=lambda loc, scale: loc,
    entropy=lambda loc, scale: 1.0 + math.log(2.0 * scale),
    scaling=SHIFT_SCALE,
    moment_start=loc_scale_start,
    fit_start=_loc_scale_fit_start,
    mle=_laplace_mle,
)


# Logistic(loc=0, scale=1)
def _logistic_cdf(x, loc, scale):
    z = (x - loc) / scale
    e = np.exp(-np.abs(z))
    return np.where(z >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


def _logistic_logpdf(x, loc, scale):
    a = np.abs((x - loc) / scale)
    return -a - 2.0 * np.log1p(np.exp(-a)) - np.log(scale)


def _logistic_fit_start(x):
    return {"loc": float(np.median(x)), "scale": float(np.std(x)) * math.sqrt(3.0) / math.pi or robust_spread(x)}


LOGISTIC = record(
    "Logistic",
    LOC_SCALE,
    support=REAL_LINE,
    cdf=_logistic_cdf,
    icdf=lambda q, loc, scale: loc + scale * (np.log(q) - np.log1p(-q)),
    logpdf=_logistic_logpdf,
    mean=lambda loc, scale: loc,
    variance=lambda loc, scale: (math.pi * scale) ** 2 / 3.0,
    mode=lambda loc, scale: loc,
    median=lambda loc, scale: loc,
    entropy=lambda loc, scale: math.log(scale) + 2.0,
    scaling=SHIFT_SCALE,
    moment_start=loc_scale_start,
    fit_start=_logistic_fit_start,
)


# Gumbel(loc=0, scale=1)  (maximum-value Gumbel, scipy's gumbel_r)
def _gumbel_logpdf(x, loc, scale):
    z = (x - loc) / scale
    return -z - np.exp(-z) - np.log(scale)


def _gumbel_fit_start(x):
    scale = float(np.std(x)) * math.sqrt(6.0) / math.pi or robust_spread(x)
    return {"loc": float(np.mean(x)) - EULER * scale, "scale": scale}


GUMBEL = record(
    "Gumbel",
    LOC_SCALE,
    support=REAL_LINE,
    cdf=lambda x, loc, scale: np.exp(-np.exp(-(x - loc) / scale)),
    icdf=lambda q, loc, scale: loc - scale * np.log(-np.log(q)),
    logpdf=_gumbel_logpdf,
    mean=lambda loc, scale: loc + EULER * scale,
    variance=lambda loc, scale: (math.pi * scale) ** 2 / 6.0,
    mode=lambda loc, scale: loc,
    median=lambda loc, scale: loc - scale * math.log(LOG2),
    entropy=lambda loc, scale: math.log(scale) + EULER + 1.0,
    scaling=SHIFT_SCALE,
    moment_start=loc_scale_start,
    fit_start=_gumbel_fit_start,
)

# Uniform(low=0, high=1)
UNIFORM = record(
    "Uniform",
    (param("low", "dependent", 0.0), param("high", "dependent", 1.0)),
    support=lambda low, high: (low, high),
    cdf=lambda x, low, high: (x - low) / (high - low),
    icdf=lambda q, low, high: low + q * (high - low),
    logpdf=lambda x, low, high: 0.0 * x - np.log(high - low),
    mean=lambda low, high: 0.5 * (low + high),
    variance=lambda low, high: (high - low) ** 2 / 12.0,
    mode=lambda low, high: None,
    median=lambda low, high: 0.5 * (low + high),
    entropy=lambda low, high: math.log(high - low),
    scaling={"low": "loc", "high": "loc"},
    support_params=("low", "high"),
    moving_support=(-math.inf, math.inf),
    ordered="add",
    moment_start=lambda m, s: {"low": m - math.sqrt(3.0) * s, "high": m + math.sqrt(3.0) * s},
    formulas=("mean = median = (low + high) / 2", "sd = (high - low) / sqrt(12)"),
    fit_check=bounds_check(-math.inf),
    mle=range_mle("Uniform"),
)

RECORDS = (NORMAL, STUDENT_T, CAUCHY, LAPLACE, LOGISTIC, GUMBEL, UNIFORM)
