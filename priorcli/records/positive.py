"""Records of the families on the positive half-line (or above a parameter): Gamma, InverseGamma,
Chi2, HalfCauchy, HalfNormal, Exponential, Weibull, Pareto, LogUniform, Levy (LogNormal has its own
module, ``priorcli.records.lognormal``).

Cores are vectorised (numpy ufuncs, scipy.special); summaries are scalar ``math``; inversions are
written against ``xp`` (math, numpy or expressions, see ``priorcli.records.base``).
"""

from __future__ import annotations

import math

from priorcli.errors import ConvergenceError, InfeasibleError
from priorcli.records.base import (
    EULER,
    INF,
    LOG2,
    LOG2PI,
    LOGPI,
    POSITIVE_LINE,
    inversion,
    np,
    param,
    record,
    sc,
)
from priorcli.records.fitdata import bounds_check, check_positive, range_mle, require, require_positive


def _positive_mean(start):
    """A moment start for a positive family: None unless the mean is positive."""

    def guarded(m: float, s: float):
        return start(m, s, s / m) if m > 0.0 else None

    return guarded


# Gamma(concentration, rate=1)
def _gamma_logpdf(x, concentration, rate):
    a = concentration
    return a * np.log(rate) + sc.xlogy(a - 1.0, x) - rate * x - sc.gammaln(a)


def _gamma_entropy(concentration, rate):
    a = concentration
    return a - math.log(rate) + sc.gammaln(a) + (1.0 - a) * sc.digamma(a)



# The maximum-likelihood fits of Gamma, InverseGamma and Chi2 solve one score equation in one unknown.
def _solve_decreasing(f, guess: float, what: str) -> float:
    """The root of a decreasing function on (0, inf), bracketed outward from ``guess``."""
    from scipy.optimize import brentq

    lo, hi = guess / 2.0, guess * 2.0
    for _ in range(200):
        if f(lo) > 0.0:
            break
        lo /= 4.0
    for _ in range(200):
        if f(hi) < 0.0:
            break
        hi *= 4.0
    if not (f(lo) > 0.0 > f(hi)):
        raise ConvergenceError(f"could not bracket the maximum-likelihood {what}")
    root, info = brentq(f, lo, hi, xtol=1e-300, rtol=4.0 * np.finfo(float).eps, maxiter=500, full_output=True)
    if not info.converged:
        raise ConvergenceError(f"the maximum-likelihood {what} did not converge ({info.flag})")
    return float(root)


def _gamma_shape(family: str, y) -> float:
    """Solve log(a) - digamma(a) = log(mean y) - mean(log y) for the Gamma shape a."""
    mean = float(np.mean(y))
    s = math.log(mean) - float(np.mean(np.log(y)))
    if not s > 1e-14:
        raise InfeasibleError(
            f"cannot fit {family}: the values are (nearly) all equal, so the maximum-likelihood "
            "concentration is infinite"
        )
    guess = (3.0 - s + math.sqrt((s - 3.0) ** 2 + 24.0 * s)) / (12.0 * s)
    return _solve_decreasing(lambda a: math.log(a) - float(sc.digamma(a)) - s, guess, f"{family} concentration")


def _gamma_mle(x):
    a = _gamma_shape("Gamma", x)
    return {"concentration": a, "rate": a / float(np.mean(x))}


def _gamma_fit_start(x):
    m, v = float(np.mean(x)), float(np.var(x))
    a = m * m / v if v > 0 else 1.0
    return {"concentration": a, "rate": a / m}


GAMMA = record(
    "Gamma",
    (param("concentration", "positive"), param("rate", "positive", 1.0)),
    support=POSITIVE_LINE,
    cdf=lambda x, concentration, rate: sc.gammainc(concentration, rate * x),
    icdf=lambda q, concentration, rate: sc.gammaincinv(concentration, q) / rate,
    logpdf=_gamma_logpdf,
    mean=lambda concentration, rate: concentration / rate,
    variance=lambda concentration, rate: concentration / (rate * rate),
    mode=lambda concentration, rate: (concentration - 1.0) / rate if concentration >= 1.0 else None,
    entropy=_gamma_entropy,
    scaling={"rate": "rate"},
    moment_start=_positive_mean(lambda m, s, cv: {"concentration": cv**-2, "rate": m / (s * s)}),
    formulas=("mean = concentration / rate", "sd = sqrt(concentration) / rate",
              "mode = (concentration - 1) / rate for concentration >= 1"),
    example="priorcli summarize gamma --mean 2 --sd 1",
    inversions=(
        inversion({"mean", "sd"})(lambda xp, mean, sd: {"concentration": (mean / sd) ** 2, "rate": mean / (sd * sd)}),
    ),
    fit_check=check_positive,
    fit_start=_gamma_fit_start,
    mle=_gamma_mle,
)


# InverseGamma(concentration, rate=1): 1/X ~ Gamma(concentration, rate); `rate` is the scale of X
def _invgamma_logpdf(x, concentration, rate):
    a = concentration
    return np.where(x > 0.0, a * np.log(rate) - sc.gammaln(a) - (a + 1.0) * np.log(x) - rate / x, -INF)


def _invgamma_entropy(concentration, rate):
    a = concentration
    return a + math.log(rate) + sc.gammaln(a) - (1.0 + a) * sc.digamma(a)


def _invgamma_mean_sd(xp, mean, sd):
    a = 2 + (mean / sd) ** 2
    return {"concentration": a, "rate": mean * (a - 1)}


def _invgamma_mle(x):
    y = 1.0 / x  # 1/X ~ Gamma(concentration, rate): the MLE is the Gamma MLE of 1/X
    a = _gamma_shape("InverseGamma", y)
    return {"concentration": a, "rate": a / float(np.mean(y))}


def _invgamma_fit_start(x):
    start = _gamma_fit_start(1.0 / x)
    return {"concentration": start["concentration"], "rate": start["rate"]}


INVERSE_GAMMA = record(
    "InverseGamma",
    (param("concentration", "positive"), param("rate", "positive", 1.0)),
    support=POSITIVE_LINE,
    cdf=lambda x, concentration, rate: sc.gammaincc(concentration, rate / x),
    icdf=lambda q, concentration, rate: rate / sc.gammainccinv(concentration, q),
    logpdf=_invgamma_logpdf,
    mean=lambda concentration, rate: rate / (concentration - 1.0) if concentration > 1.0 else None,
    variance=lambda concentration, rate: (
        rate * rate / ((concentration - 1.0) ** 2 * (concentration - 2.0)) if concentration > 2.0 else None
    ),
    mode=lambda concentration, rate: rate / (concentration + 1.0),
    entropy=_invgamma_entropy,
    scaling={"rate": "scale"},
    moment_start=_positive_mean(lambda m, s, cv: _invgamma_mean_sd(math, m, s)),
    formulas=("mean = rate / (concentration - 1) for concentration > 1", "mode = rate / (concentration + 1)"),
    inversions=(inversion({"mean", "sd"})(_invgamma_mean_sd),),
    fit_check=check_positive,
    fit_start=_invgamma_fit_start,
    mle=_invgamma_mle,
)

# Chi2(df) = Gamma(df / 2, rate=1/2)
def _chi2_mle(x):
    target = float(np.mean(np.log(x))) - LOG2  # digamma(df / 2) = mean(log x) - log 2
    half = _solve_decreasing(lambda k: target - float(sc.digamma(k)), max(float(np.mean(x)) / 2.0, 1e-3),
                             "Chi2 df")
    return {"df": 2.0 * half}


CHI2 = record(
    "Chi2",
    (param("df", "positive"),),
    support=POSITIVE_LINE,
    cdf=lambda x, df: sc.gammainc(0.5 * df, 0.5 * x),
    icdf=lambda q, df: 2.0 * sc.gammaincinv(0.5 * df, q),
    logpdf=lambda x, df: _gamma_logpdf(x, 0.5 * df, 0.5),
    mean=lambda df: df,
    variance=lambda df: 2.0 * df,
    mode=lambda df: df - 2.0 if df >= 2.0 else None,
    entropy=lambda df: _gamma_entropy(0.5 * df, 0.5),
    moment_start=_positive_mean(lambda m, s, cv: {"df": m}),
    fit_check=check_positive,
    fit_start=lambda x: {"df": float(np.mean(x))},
    mle=_chi2_mle,
)

# HalfCauchy(scale=1)
HALF_CAUCHY = record(
    "HalfCauchy",
    (param("scale", "positive", 1.0),),
    support=POSITIVE_LINE,
    cdf=lambda x, scale: 2.0 / math.pi * np.arctan(x / scale),
    icdf=lambda q, scale: scale * np.tan(0.5 * math.pi * q),
    logpdf=lambda x, scale: LOG2 - LOGPI - np.log(scale) - np.log1p((x / scale) ** 2),
    mean=lambda scale: None,
    variance=lambda scale: None,
    mode=lambda scale: 0.0,
    median=lambda scale: scale,
    entropy=lambda scale: LOG2PI + math.log(scale),
    scaling={"scale": "scale"},
    moment_start=_positive_mean(lambda m, s, cv: {"scale": m}),
    formulas=("median = scale", "mode = 0", "mean undefined"),
    fit_check=check_positive,
    fit_start=lambda x: {"scale": float(np.median(x))},
)

# HalfNormal(scale=1)
HALF_NORMAL = record(
    "HalfNormal",
    (param("scale", "positive", 1.0),),
    support=POSITIVE_LINE,
    cdf=lambda x, scale: sc.erf(x / (scale * math.sqrt(2.0))),
    icdf=lambda q, scale: scale * math.sqrt(2.0) * sc.erfinv(q),
    logpdf=lambda x, scale: 0.5 * (LOG2 - LOGPI) - np.log(scale) - 0.5 * (x / scale) ** 2,
    mean=lambda scale: scale * math.sqrt(2.0 / math.pi),
    variance=lambda scale: scale * scale * (1.0 - 2.0 / math.pi),
    mode=lambda scale: 0.0,
    median=lambda scale: scale * math.sqrt(2.0) * sc.erfinv(0.5),
    entropy=lambda scale: 0.5 * (LOGPI - LOG2 + 1.0) + math.log(scale),
    scaling={"scale": "scale"},
    moment_start=_positive_mean(lambda m, s, cv: {"scale": m / math.sqrt(2.0 / math.pi)}),
    formulas=("mean = scale * sqrt(2 / pi)", "median = scale * 0.6745", "mode = 0"),
    fit_check=check_positive,
    mle=lambda x: {"scale": float(np.sqrt(np.mean(x * x)))},
)

# Exponential(rate=1)
EXPONENTIAL = record(
    "Exponential",
    (param("rate", "positive", 1.0),),
    support=POSITIVE_LINE,
    cdf=lambda x, rate: -np.expm1(-rate * x),
    icdf=lambda q, rate: -np.log1p(-q) / rate,
    logpdf=lambda x, rate: np.log(rate) - rate * x,
    mean=lambda rate: 1.0 / rate,
    variance=lambda rate: 1.0 / (rate * rate),
    mode=lambda rate: 0.0,
    median=lambda rate: LOG2 / rate,
    entropy=lambda rate: 1.0 - math.log(rate),
    scaling={"rate": "rate"},
    moment_start=_positive_mean(lambda m, s, cv: {"rate": 1.0 / m}),
    formulas=("mean = sd = 1 / rate", "median = log(2) / rate", "mode = 0"),
    fit_check=check_positive,
    mle=lambda x: {"rate": 1.0 / float(np.mean(x))},
)


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


WEIBULL = record(
    "Weibull",
    (param("scale", "positive"), param("concentration", "positive")),
    support=POSITIVE_LINE,
    cdf=lambda x, scale, concentration: -np.expm1(-((x / scale) ** concentration)),
    icdf=lambda q, scale, concentration: scale * (-np.log1p(-q)) ** (1.0 / concentration),
    logpdf=_weibull_logpdf,
    mean=lambda scale, concentration: scale * math.exp(sc.gammaln(1.0 + 1.0 / concentration)),
    variance=_weibull_variance,
    mode=_weibull_mode,
    median=lambda scale, concentration: scale * LOG2 ** (1.0 / concentration),
    entropy=lambda scale, concentration: EULER * (1.0 - 1.0 / concentration) + math.log(scale / concentration) + 1.0,
    scaling={"scale": "scale"},
    moment_start=_positive_mean(_weibull_start),
    formulas=("mean = scale * Gamma(1 + 1/concentration)", "median = scale * log(2)^(1/concentration)"),
    fit_check=check_positive,
    fit_start=_weibull_fit_start,
)

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


PARETO = record(
    "Pareto",
    (param("scale", "positive"), param("alpha", "positive")),
    support=lambda scale, alpha: (scale, INF),
    cdf=lambda x, scale, alpha: -np.expm1(alpha * np.log(scale / x)),
    icdf=lambda q, scale, alpha: scale * np.exp(-np.log1p(-q) / alpha),
    logpdf=lambda x, scale, alpha: np.log(alpha) + alpha * np.log(scale) - (alpha + 1.0) * np.log(x),
    mean=lambda scale, alpha: alpha * scale / (alpha - 1.0) if alpha > 1.0 else None,
    variance=lambda scale, alpha: scale * scale * alpha / ((alpha - 1.0) ** 2 * (alpha - 2.0)) if alpha > 2.0 else None,
    mode=lambda scale, alpha: scale,
    median=lambda scale, alpha: scale * 2.0 ** (1.0 / alpha),
    entropy=lambda scale, alpha: math.log(scale / alpha) + 1.0 + 1.0 / alpha,
    scaling={"scale": "scale"},
    support_params=("scale",),
    moving_support=(0.0, INF),
    moment_start=_positive_mean(_pareto_start),
    formulas=("mean = alpha * scale / (alpha - 1) for alpha > 1", "mode = scale", "median = scale * 2^(1/alpha)"),
    fit_check=_pareto_fit_check,
    mle=_pareto_mle,
)


# LogUniform(low, high): log X ~ Uniform(log low, log high)
def _loguniform_variance(low, high):
    r = math.log(high / low)
    m = (high - low) / r
    return (high * high - low * low) / (2.0 * r) - m * m


LOG_UNIFORM = record(
    "LogUniform",
    (param("low", "positive"), param("high", "positive")),
    support=lambda low, high: (low, high),
    cdf=lambda x, low, high: np.log(x / low) / np.log(high / low),
    icdf=lambda q, low, high: low * np.exp(q * np.log(high / low)),
    logpdf=lambda x, low, high: -np.log(x) - np.log(np.log(high / low)),
    mean=lambda low, high: (high - low) / math.log(high / low),
    variance=_loguniform_variance,
    mode=lambda low, high: low,
    median=lambda low, high: math.sqrt(low * high),
    entropy=lambda low, high: 0.5 * (math.log(low) + math.log(high)) + math.log(math.log(high / low)),
    scaling={"low": "scale", "high": "scale"},
    support_params=("low", "high"),
    moving_support=(0.0, INF),
    ordered="mul",
    moment_start=_positive_mean(lambda m, s, cv: {"low": m / (1.0 + 3.0 * cv), "high": m * (1.0 + 3.0 * cv)}),
    fit_check=bounds_check(0.0),
    mle=range_mle("LogUniform"),
)


# Levy(loc, scale): support (loc, inf)
def _levy_logpdf(x, loc, scale):
    d = x - loc
    return np.where(d > 0.0, 0.5 * (np.log(scale) - LOG2PI) - 1.5 * np.log(d) - scale / (2.0 * d), -INF)


def _levy_icdf(q, loc, scale):
    t = sc.ndtri(0.5 * q)
    return loc + scale / (t * t)


def _levy_fit_check(family, x, fixed):
    if "loc" in fixed:
        require(family, x, x > fixed["loc"], f"({fixed['loc']:g}, inf)")
    elif x.size < 4:
        # With loc free the likelihood grows without bound as loc approaches min(x) unless n > 3.
        raise InfeasibleError(f"cannot fit {family} with a free loc to {x.size} value(s); it needs at least 4")


def _levy_fit_start(x):
    low = float(np.min(x))
    loc = low - max(float(np.median(x)) - low, 1e-12 * max(abs(low), 1.0))
    return {"loc": loc, "scale": x.size / float(np.sum(1.0 / (x - loc)))}


def _levy_fit_coords(x, start):
    # loc must stay below the smallest value: loc = min(x) - w * exp(u).
    low = float(np.min(x))
    width = low - start["loc"]
    if not width > 0.0:
        return {}
    return {"loc": {"kind": "below", "scale": width, "high": low}}


LEVY = record(
    "Levy",
    (param("loc", "real"), param("scale", "positive")),
    support=lambda loc, scale: (loc, INF),
    cdf=lambda x, loc, scale: 2.0 * sc.ndtr(-np.sqrt(scale / (x - loc))),
    icdf=_levy_icdf,
    logpdf=_levy_logpdf,
    mean=lambda loc, scale: None,
    variance=lambda loc, scale: None,
    mode=lambda loc, scale: loc + scale / 3.0,
    median=lambda loc, scale: float(_levy_icdf(0.5, loc, scale)),
    entropy=lambda loc, scale: 0.5 * (1.0 + 3.0 * EULER + math.log(16.0 * math.pi * scale * scale)),
    scaling={"loc": "loc", "scale": "scale"},
    support_params=("loc",),
    moving_support=(-INF, INF),
    moment_start=lambda m, s: {"loc": m, "scale": s},
    fit_check=_levy_fit_check,
    fit_start=_levy_fit_start,
    fit_coords=_levy_fit_coords,
)

RECORDS = (
    GAMMA,
    INVERSE_GAMMA,
    HALF_CAUCHY,
    HALF_NORMAL,
    EXPONENTIAL,
    WEIBULL,
    PARETO,
    CHI2,
    LOG_UNIFORM,
    LEVY,
)
