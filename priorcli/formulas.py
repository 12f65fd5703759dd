"""Closed-form facts about distribution families, keyed by numpyro class name.

Everything here is plain Python ``math`` plus ``scipy.special`` (and numpy for the few
summations), imported lazily so that ``import priorcli.formulas`` stays cheap: no jax, no
numpyro, no ``scipy.stats``.

Parameters use numpyro's argument names, order and defaults, and each family describes
numpyro's distribution exactly (checked against ``log_prob`` in the tests). All functions take
and return Python floats; they accept the parameters as keywords (positionally too, in
numpyro's order) and fill in numpyro's defaults.

Conventions
-----------
* ``mean`` / ``variance`` return ``None`` when undefined or infinite.
* ``mode`` returns ``None`` when there is no unique mode or the density is unbounded at a
  boundary; a boundary mode is returned when the density is finite and maximal there.
  For discrete families the mode is the argmax of the pmf, the smallest one when tied
  (ties are detected exactly on the given float values).
* ``icdf(q)`` for discrete families is the smallest integer ``k`` with ``cdf(k) >= q``.
* ``cdf`` / ``icdf`` / ``logpdf`` handle the support: outside it the cdf is 0 or 1 and the
  log density is ``-inf``; ``icdf(0)`` and ``icdf(1)`` are the support's ends; ``q``
  outside [0, 1] gives ``nan``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

__all__ = ["ParamSpec", "Formulas", "FORMULAS", "get"]

_INF = math.inf
_NAN = math.nan
_EULER = 0.57721566490153286061
_LOG2 = math.log(2.0)
_LOGPI = math.log(math.pi)
_LOG2PI = math.log(2.0 * math.pi)


def _sp():
    """scipy.special, imported on first use."""
    import scipy.special

    return scipy.special


@dataclass(frozen=True)
class ParamSpec:
    name: str  # numpyro name
    kind: str  # 'real' | 'positive' | 'unit_interval' | 'open_unit_interval' (ends degenerate) | 'nonnegative_integer' | 'positive_integer' | 'dependent'
    default: float | None  # numpyro's default, None if numpyro requires it


@dataclass(frozen=True)
class Formulas:
    name: str
    params: tuple[ParamSpec, ...]
    discrete: bool
    support: Callable[..., tuple[float, float]]
    cdf: Callable | None
    icdf: Callable | None
    logpdf: Callable | None
    mean: Callable | None
    variance: Callable | None
    mode: Callable | None
    median: Callable | None
    entropy: Callable | None


# --------------------------------------------------------------------------------------
# wrapping machinery: parameter binding, support handling, float conversion
# --------------------------------------------------------------------------------------


def _binder(name: str, params: tuple[ParamSpec, ...]):
    names = tuple(p.name for p in params)
    defaults = {p.name: p.default for p in params if p.default is not None}

    def bind(args, kwargs) -> dict:
        if len(args) > len(names):
            raise TypeError(f"{name}: expected at most {len(names)} parameters, got {len(args)}")
        out = dict(defaults)
        for n, v in zip(names, args):
            out[n] = float(v)
        for k, v in kwargs.items():
            if k not in names:
                raise TypeError(f"{name}: unknown parameter {k!r} (expected {', '.join(names)})")
            out[k] = float(v)
        missing = [n for n in names if n not in out]
        if missing:
            raise TypeError(f"{name}: missing parameter(s) {', '.join(missing)}")
        return out

    return bind


def _opt_float(v):
    return None if v is None else float(v)


def _wrap_summary(fn, bind):
    if fn is None:
        return None

    def summary(*args, **kwargs):
        return _opt_float(fn(**bind(args, kwargs)))

    summary.__name__ = getattr(fn, "__name__", "summary")
    return summary


def _wrap_support(fn, bind):
    def support(*args, **kwargs):
        lo, hi = fn(**bind(args, kwargs))
        return float(lo), float(hi)

    return support


def _wrap_cdf(fn, bind, support, discrete):
    def cdf(x, *args, **kwargs):
        p = bind(args, kwargs)
        x = float(x)
        if math.isnan(x):
            return _NAN
        lo, hi = support(**p)
        if discrete:
            x = math.floor(x) if math.isfinite(x) else x
            if x < lo:
                return 0.0
        elif x <= lo:
            return 0.0
        if x >= hi:
            return 1.0
        return float(fn(x, **p))

    return cdf


def _wrap_icdf(fn, bind, support, discrete):
    def icdf(q, *args, **kwargs):
        p = bind(args, kwargs)
        q = float(q)
        if not (0.0 <= q <= 1.0):
            return _NAN
        lo, hi = support(**p)
        if q == 0.0:
            return float(lo)
        if q == 1.0:
            return float(hi)
        v = float(fn(q, **p))
        return min(max(v, lo), hi)

    return icdf


def _wrap_logpdf(fn, bind, support, discrete):
    def logpdf(x, *args, **kwargs):
        p = bind(args, kwargs)
        x = float(x)
        if math.isnan(x):
            return _NAN
        lo, hi = support(**p)
        if x < lo or x > hi:
            return -_INF
        if discrete and x != math.floor(x):
            return -_INF
        return float(fn(x, **p))

    return logpdf


def _make(
    name,
    params,
    *,
    discrete=False,
    support,
    cdf=None,
    icdf=None,
    logpdf=None,
    mean=None,
    variance=None,
    mode=None,
    median=None,
    entropy=None,
) -> Formulas:
    params = tuple(params)
    bind = _binder(name, params)
    w_icdf = _wrap_icdf(icdf, bind, support, discrete) if icdf is not None else None
    if median is None and w_icdf is not None:

        def median(**p):
            return w_icdf(0.5, **p)

    return Formulas(
        name=name,
        params=params,
        discrete=discrete,
        support=_wrap_support(support, bind),
        cdf=_wrap_cdf(cdf, bind, support, discrete) if cdf is not None else None,
        icdf=w_icdf,
        logpdf=_wrap_logpdf(logpdf, bind, support, discrete) if logpdf is not None else None,
        mean=_wrap_summary(mean, bind),
        variance=_wrap_summary(variance, bind),
        mode=_wrap_summary(mode, bind),
        median=_wrap_summary(median, bind),
        entropy=_wrap_summary(entropy, bind),
    )


def _param(name, kind, default=None):
    return ParamSpec(name, kind, None if default is None else float(default))


_REAL_LINE = lambda **p: (-_INF, _INF)  # noqa: E731
_POS_LINE = lambda **p: (0.0, _INF)  # noqa: E731
_UNIT = lambda **p: (0.0, 1.0)  # noqa: E731
_LOC_SCALE = (_param("loc", "real", 0.0), _param("scale", "positive", 1.0))

FORMULAS: dict[str, Formulas] = {}


def _register(f: Formulas) -> None:
    FORMULAS[f.name] = f


# --------------------------------------------------------------------------------------
# continuous families
# --------------------------------------------------------------------------------------

# Normal(loc=0, scale=1)
_register(
    _make(
        "Normal",
        _LOC_SCALE,
        support=_REAL_LINE,
        cdf=lambda x, loc, scale: _sp().ndtr((x - loc) / scale),
        icdf=lambda q, loc, scale: loc + scale * _sp().ndtri(q),
        logpdf=lambda x, loc, scale: -0.5 * ((x - loc) / scale) ** 2 - math.log(scale) - 0.5 * _LOG2PI,
        mean=lambda loc, scale: loc,
        variance=lambda loc, scale: scale * scale,
        mode=lambda loc, scale: loc,
        median=lambda loc, scale: loc,
        entropy=lambda loc, scale: 0.5 * (1.0 + _LOG2PI) + math.log(scale),
    )
)


# LogNormal(loc=0, scale=1): log X ~ Normal(loc, scale)
def _lognormal_logpdf(x, loc, scale):
    if x <= 0.0:
        return -_INF
    lx = math.log(x)
    return -0.5 * ((lx - loc) / scale) ** 2 - math.log(scale) - 0.5 * _LOG2PI - lx


_register(
    _make(
        "LogNormal",
        _LOC_SCALE,
        support=_POS_LINE,
        cdf=lambda x, loc, scale: _sp().ndtr((math.log(x) - loc) / scale),
        icdf=lambda q, loc, scale: math.exp(loc + scale * _sp().ndtri(q)),
        logpdf=_lognormal_logpdf,
        mean=lambda loc, scale: math.exp(loc + 0.5 * scale * scale),
        variance=lambda loc, scale: math.expm1(scale * scale) * math.exp(2.0 * loc + scale * scale),
        mode=lambda loc, scale: math.exp(loc - scale * scale),
        median=lambda loc, scale: math.exp(loc),
        entropy=lambda loc, scale: loc + 0.5 + math.log(scale) + 0.5 * _LOG2PI,
    )
)


# Gamma(concentration, rate=1)
def _gamma_logpdf(x, concentration, rate):
    sc = _sp()
    a = concentration
    return a * math.log(rate) + sc.xlogy(a - 1.0, x) - rate * x - sc.gammaln(a)


def _gamma_entropy(concentration, rate):
    sc = _sp()
    a = concentration
    return a - math.log(rate) + sc.gammaln(a) + (1.0 - a) * sc.digamma(a)


_register(
    _make(
        "Gamma",
        (_param("concentration", "positive"), _param("rate", "positive", 1.0)),
        support=_POS_LINE,
        cdf=lambda x, concentration, rate: _sp().gammainc(concentration, rate * x),
        icdf=lambda q, concentration, rate: _sp().gammaincinv(concentration, q) / rate,
        logpdf=_gamma_logpdf,
        mean=lambda concentration, rate: concentration / rate,
        variance=lambda concentration, rate: concentration / (rate * rate),
        mode=lambda concentration, rate: (concentration - 1.0) / rate if concentration >= 1.0 else None,
        entropy=_gamma_entropy,
    )
)


# Beta(concentration1, concentration0): density ∝ x^(c1-1) (1-x)^(c0-1)
def _beta_logpdf(x, a, b):
    sc = _sp()
    return sc.xlogy(a - 1.0, x) + sc.xlog1py(b - 1.0, -x) - sc.betaln(a, b)


def _beta_variance(a, b):
    s = a + b
    return a * b / (s * s * (s + 1.0))


def _beta_mode(a, b):
    if a > 1.0 and b > 1.0:
        return (a - 1.0) / (a + b - 2.0)
    if a == 1.0 and b > 1.0:
        return 0.0
    if a > 1.0 and b == 1.0:
        return 1.0
    return None  # uniform (a == b == 1) or unbounded at a boundary


def _beta_entropy(a, b):
    sc = _sp()
    return (
        sc.betaln(a, b)
        - (a - 1.0) * sc.digamma(a)
        - (b - 1.0) * sc.digamma(b)
        + (a + b - 2.0) * sc.digamma(a + b)
    )


_register(
    _make(
        "Beta",
        (_param("concentration1", "positive"), _param("concentration0", "positive")),
        support=_UNIT,
        cdf=lambda x, concentration1, concentration0: _sp().betainc(concentration1, concentration0, x),
        icdf=lambda q, concentration1, concentration0: _sp().betaincinv(concentration1, concentration0, q),
        logpdf=lambda x, concentration1, concentration0: _beta_logpdf(x, concentration1, concentration0),
        mean=lambda concentration1, concentration0: concentration1 / (concentration1 + concentration0),
        variance=lambda concentration1, concentration0: _beta_variance(concentration1, concentration0),
        mode=lambda concentration1, concentration0: _beta_mode(concentration1, concentration0),
        entropy=lambda concentration1, concentration0: _beta_entropy(concentration1, concentration0),
    )
)


# BetaProportion(mean, concentration) = Beta(mean * concentration, (1 - mean) * concentration)
def _bp(mean, concentration):
    return mean * concentration, (1.0 - mean) * concentration


_register(
    _make(
        "BetaProportion",
        (_param("mean", "open_unit_interval"), _param("concentration", "positive")),
        support=_UNIT,
        cdf=lambda x, mean, concentration: _sp().betainc(*_bp(mean, concentration), x),
        icdf=lambda q, mean, concentration: _sp().betaincinv(*_bp(mean, concentration), q),
        logpdf=lambda x, mean, concentration: _beta_logpdf(x, *_bp(mean, concentration)),
        mean=lambda mean, concentration: mean,
        variance=lambda mean, concentration: mean * (1.0 - mean) / (concentration + 1.0),
        mode=lambda mean, concentration: _beta_mode(*_bp(mean, concentration)),
        entropy=lambda mean, concentration: _beta_entropy(*_bp(mean, concentration)),
    )
)


# StudentT(df, loc=0, scale=1)
def _t_logpdf(x, df, loc, scale):
    sc = _sp()
    z = (x - loc) / scale
    return (
        sc.gammaln(0.5 * (df + 1.0))
        - sc.gammaln(0.5 * df)
        - 0.5 * (math.log(df) + _LOGPI)
        - math.log(scale)
        - 0.5 * (df + 1.0) * math.log1p(z * z / df)
    )


def _t_entropy(df, loc, scale):
    sc = _sp()
    h = 0.5 * (df + 1.0)
    return (
        h * (sc.digamma(h) - sc.digamma(0.5 * df))
        + 0.5 * math.log(df)
        + sc.betaln(0.5 * df, 0.5)
        + math.log(scale)
    )


_register(
    _make(
        "StudentT",
        (_param("df", "positive"),) + _LOC_SCALE,
        support=_REAL_LINE,
        cdf=lambda x, df, loc, scale: _sp().stdtr(df, (x - loc) / scale),
        icdf=lambda q, df, loc, scale: loc + scale * _sp().stdtrit(df, q),
        logpdf=_t_logpdf,
        mean=lambda df, loc, scale: loc if df > 1.0 else None,
        variance=lambda df, loc, scale: scale * scale * df / (df - 2.0) if df > 2.0 else None,
        mode=lambda df, loc, scale: loc,
        median=lambda df, loc, scale: loc,
        entropy=_t_entropy,
    )
)


# InverseGamma(concentration, rate=1): 1/X ~ Gamma(concentration, rate); `rate` is the scale of X
def _invgamma_logpdf(x, concentration, rate):
    if x <= 0.0:
        return -_INF
    a = concentration
    return a * math.log(rate) - _sp().gammaln(a) - (a + 1.0) * math.log(x) - rate / x


def _invgamma_entropy(concentration, rate):
    sc = _sp()
    a = concentration
    return a + math.log(rate) + sc.gammaln(a) - (1.0 + a) * sc.digamma(a)


_register(
    _make(
        "InverseGamma",
        (_param("concentration", "positive"), _param("rate", "positive", 1.0)),
        support=_POS_LINE,
        cdf=lambda x, concentration, rate: _sp().gammaincc(concentration, rate / x),
        icdf=lambda q, concentration, rate: rate / _sp().gammainccinv(concentration, q),
        logpdf=_invgamma_logpdf,
        mean=lambda concentration, rate: rate / (concentration - 1.0) if concentration > 1.0 else None,
        variance=lambda concentration, rate: (
            rate * rate / ((concentration - 1.0) ** 2 * (concentration - 2.0)) if concentration > 2.0 else None
        ),
        mode=lambda concentration, rate: rate / (concentration + 1.0),
        entropy=_invgamma_entropy,
    )
)

# HalfCauchy(scale=1)
_register(
    _make(
        "HalfCauchy",
        (_param("scale", "positive", 1.0),),
        support=_POS_LINE,
        cdf=lambda x, scale: 2.0 / math.pi * math.atan(x / scale),
        icdf=lambda q, scale: scale * math.tan(0.5 * math.pi * q),
        logpdf=lambda x, scale: _LOG2 - _LOGPI - math.log(scale) - math.log1p((x / scale) ** 2),
        mean=lambda scale: None,
        variance=lambda scale: None,
        mode=lambda scale: 0.0,
        median=lambda scale: scale,
        entropy=lambda scale: _LOG2PI + math.log(scale),
    )
)

# HalfNormal(scale=1)
_register(
    _make(
        "HalfNormal",
        (_param("scale", "positive", 1.0),),
        support=_POS_LINE,
        cdf=lambda x, scale: math.erf(x / (scale * math.sqrt(2.0))),
        icdf=lambda q, scale: scale * math.sqrt(2.0) * _sp().erfinv(q),
        logpdf=lambda x, scale: 0.5 * (_LOG2 - _LOGPI) - math.log(scale) - 0.5 * (x / scale) ** 2,
        mean=lambda scale: scale * math.sqrt(2.0 / math.pi),
        variance=lambda scale: scale * scale * (1.0 - 2.0 / math.pi),
        mode=lambda scale: 0.0,
        median=lambda scale: scale * math.sqrt(2.0) * _sp().erfinv(0.5),
        entropy=lambda scale: 0.5 * (_LOGPI - _LOG2 + 1.0) + math.log(scale),
    )
)

# Exponential(rate=1)
_register(
    _make(
        "Exponential",
        (_param("rate", "positive", 1.0),),
        support=_POS_LINE,
        cdf=lambda x, rate: -math.expm1(-rate * x),
        icdf=lambda q, rate: -math.log1p(-q) / rate,
        logpdf=lambda x, rate: math.log(rate) - rate * x,
        mean=lambda rate: 1.0 / rate,
        variance=lambda rate: 1.0 / (rate * rate),
        mode=lambda rate: 0.0,
        median=lambda rate: _LOG2 / rate,
        entropy=lambda rate: 1.0 - math.log(rate),
    )
)


# Weibull(scale, concentration)  -- note numpyro's order: scale first
def _weibull_logpdf(x, scale, concentration):
    k = concentration
    z = x / scale
    return math.log(k / scale) + _sp().xlogy(k - 1.0, z) - z**k


def _weibull_variance(scale, concentration):
    sc = _sp()
    g1 = sc.gammaln(1.0 + 1.0 / concentration)
    g2 = sc.gammaln(1.0 + 2.0 / concentration)
    # Gamma(1+2/k) - Gamma(1+1/k)^2 = Gamma(1+2/k) * (1 - exp(2 g1 - g2))
    return scale * scale * math.exp(g2) * -math.expm1(2.0 * g1 - g2)


def _weibull_mode(scale, concentration):
    k = concentration
    if k > 1.0:
        return scale * ((k - 1.0) / k) ** (1.0 / k)
    if k == 1.0:
        return 0.0
    return None


_register(
    _make(
        "Weibull",
        (_param("scale", "positive"), _param("concentration", "positive")),
        support=_POS_LINE,
        cdf=lambda x, scale, concentration: -math.expm1(-((x / scale) ** concentration)),
        icdf=lambda q, scale, concentration: scale * (-math.log1p(-q)) ** (1.0 / concentration),
        logpdf=_weibull_logpdf,
        mean=lambda scale, concentration: scale * math.exp(_sp().gammaln(1.0 + 1.0 / concentration)),
        variance=_weibull_variance,
        mode=_weibull_mode,
        median=lambda scale, concentration: scale * _LOG2 ** (1.0 / concentration),
        entropy=lambda scale, concentration: (
            _EULER * (1.0 - 1.0 / concentration) + math.log(scale / concentration) + 1.0
        ),
    )
)

# Pareto(scale, alpha): support [scale, inf)
_register(
    _make(
        "Pareto",
        (_param("scale", "positive"), _param("alpha", "positive")),
        support=lambda scale, alpha: (scale, _INF),
        cdf=lambda x, scale, alpha: -math.expm1(alpha * math.log(scale / x)),
        icdf=lambda q, scale, alpha: scale * math.exp(-math.log1p(-q) / alpha),
        logpdf=lambda x, scale, alpha: math.log(alpha) + alpha * math.log(scale) - (alpha + 1.0) * math.log(x),
        mean=lambda scale, alpha: alpha * scale / (alpha - 1.0) if alpha > 1.0 else None,
        variance=lambda scale, alpha: (
            scale * scale * alpha / ((alpha - 1.0) ** 2 * (alpha - 2.0)) if alpha > 2.0 else None
        ),
        mode=lambda scale, alpha: scale,
        median=lambda scale, alpha: scale * 2.0 ** (1.0 / alpha),
        entropy=lambda scale, alpha: math.log(scale / alpha) + 1.0 + 1.0 / alpha,
    )
)


# Cauchy(loc=0, scale=1)
def _cauchy_icdf(q, loc, scale):
    if q < 0.5:
        return loc - scale / math.tan(math.pi * q)
    if q > 0.5:
        return loc + scale / math.tan(math.pi * (1.0 - q))
    return loc


_register(
    _make(
        "Cauchy",
        _LOC_SCALE,
        support=_REAL_LINE,
        # atan2(1, -z) = pi/2 + atan(z), without cancellation in the lower tail
        cdf=lambda x, loc, scale: math.atan2(1.0, -(x - loc) / scale) / math.pi,
        icdf=_cauchy_icdf,
        logpdf=lambda x, loc, scale: -_LOGPI - math.log(scale) - math.log1p(((x - loc) / scale) ** 2),
        mean=lambda loc, scale: None,
        variance=lambda loc, scale: None,
        mode=lambda loc, scale: loc,
        median=lambda loc, scale: loc,
        entropy=lambda loc, scale: math.log(4.0 * math.pi * scale),
    )
)


# Laplace(loc=0, scale=1)
def _laplace_cdf(x, loc, scale):
    z = (x - loc) / scale
    return 0.5 * math.exp(z) if z < 0.0 else 1.0 - 0.5 * math.exp(-z)


def _laplace_icdf(q, loc, scale):
    if q <= 0.5:
        return loc + scale * math.log(2.0 * q)
    return loc - scale * math.log(2.0 * (1.0 - q))


_register(
    _make(
        "Laplace",
        _LOC_SCALE,
        support=_REAL_LINE,
        cdf=_laplace_cdf,
        icdf=_laplace_icdf,
        logpdf=lambda x, loc, scale: -math.log(2.0 * scale) - abs(x - loc) / scale,
        mean=lambda loc, scale: loc,
        variance=lambda loc, scale: 2.0 * scale * scale,
        mode=lambda loc, scale: loc,
        median=lambda loc, scale: loc,
        entropy=lambda loc, scale: 1.0 + math.log(2.0 * scale),
    )
)


# Logistic(loc=0, scale=1)
def _logistic_cdf(x, loc, scale):
    z = (x - loc) / scale
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _logistic_logpdf(x, loc, scale):
    a = abs((x - loc) / scale)
    return -a - 2.0 * math.log1p(math.exp(-a)) - math.log(scale)


_register(
    _make(
        "Logistic",
        _LOC_SCALE,
        support=_REAL_LINE,
        cdf=_logistic_cdf,
        icdf=lambda q, loc, scale: loc + scale * (math.log(q) - math.log1p(-q)),
        logpdf=_logistic_logpdf,
        mean=lambda loc, scale: loc,
        variance=lambda loc, scale: (math.pi * scale) ** 2 / 3.0,
        mode=lambda loc, scale: loc,
        median=lambda loc, scale: loc,
        entropy=lambda loc, scale: math.log(scale) + 2.0,
    )
)


# Gumbel(loc=0, scale=1)  (maximum-value Gumbel, scipy's gumbel_r)
def _gumbel_logpdf(x, loc, scale):
    z = (x - loc) / scale
    return -z - math.exp(-z) - math.log(scale)


_register(
    _make(
        "Gumbel",
        _LOC_SCALE,
        support=_REAL_LINE,
        cdf=lambda x, loc, scale: math.exp(-math.exp(-(x - loc) / scale)),
        icdf=lambda q, loc, scale: loc - scale * math.log(-math.log(q)),
        logpdf=_gumbel_logpdf,
        mean=lambda loc, scale: loc + _EULER * scale,
        variance=lambda loc, scale: (math.pi * scale) ** 2 / 6.0,
        mode=lambda loc, scale: loc,
        median=lambda loc, scale: loc - scale * math.log(_LOG2),
        entropy=lambda loc, scale: math.log(scale) + _EULER + 1.0,
    )
)

# Uniform(low=0, high=1)
_register(
    _make(
        "Uniform",
        (_param("low", "dependent", 0.0), _param("high", "dependent", 1.0)),
        support=lambda low, high: (low, high),
        cdf=lambda x, low, high: (x - low) / (high - low),
        icdf=lambda q, low, high: low + q * (high - low),
        logpdf=lambda x, low, high: -math.log(high - low),
        mean=lambda low, high: 0.5 * (low + high),
        variance=lambda low, high: (high - low) ** 2 / 12.0,
        mode=lambda low, high: None,
        median=lambda low, high: 0.5 * (low + high),
        entropy=lambda low, high: math.log(high - low),
    )
)

# Chi2(df) = Gamma(df / 2, rate=1/2)
_register(
    _make(
        "Chi2",
        (_param("df", "positive"),),
        support=_POS_LINE,
        cdf=lambda x, df: _sp().gammainc(0.5 * df, 0.5 * x),
        icdf=lambda q, df: 2.0 * _sp().gammaincinv(0.5 * df, q),
        logpdf=lambda x, df: _gamma_logpdf(x, 0.5 * df, 0.5),
        mean=lambda df: df,
        variance=lambda df: 2.0 * df,
        mode=lambda df: df - 2.0 if df >= 2.0 else None,
        entropy=lambda df: _gamma_entropy(0.5 * df, 0.5),
    )
)


# LogUniform(low, high): log X ~ Uniform(log low, log high)
def _loguniform_variance(low, high):
    r = math.log(high / low)
    m = (high - low) / r
    return (high * high - low * low) / (2.0 * r) - m * m


_register(
    _make(
        "LogUniform",
        (_param("low", "positive"), _param("high", "positive")),
        support=lambda low, high: (low, high),
        cdf=lambda x, low, high: math.log(x / low) / math.log(high / low),
        icdf=lambda q, low, high: low * math.exp(q * math.log(high / low)),
        logpdf=lambda x, low, high: -math.log(x) - math.log(math.log(high / low)),
        mean=lambda low, high: (high - low) / math.log(high / low),
        variance=_loguniform_variance,
        mode=lambda low, high: low,
        median=lambda low, high: math.sqrt(low * high),
        entropy=lambda low, high: 0.5 * (math.log(low) + math.log(high)) + math.log(math.log(high / low)),
    )
)


# Kumaraswamy(concentration1=a, concentration0=b): density a b x^(a-1) (1 - x^a)^(b-1)
def _kuma_logpdf(x, concentration1, concentration0):
    sc = _sp()
    a, b = concentration1, concentration0
    return math.log(a) + math.log(b) + sc.xlogy(a - 1.0, x) + sc.xlog1py(b - 1.0, -(x**a))


def _kuma_moment(n, a, b):
    return b * math.exp(_sp().betaln(1.0 + n / a, b))


def _kuma_mode(concentration1, concentration0):
    a, b = concentration1, concentration0
    if a >= 1.0 and b >= 1.0 and not (a == 1.0 and b == 1.0):
        return ((a - 1.0) / (a * b - 1.0)) ** (1.0 / a)
    return None


def _kuma_entropy(concentration1, concentration0):
    a, b = concentration1, concentration0
    harmonic_b = _sp().digamma(b + 1.0) + _EULER
    return (1.0 - 1.0 / b) + (1.0 - 1.0 / a) * harmonic_b - math.log(a * b)


_register(
    _make(
        "Kumaraswamy",
        (_param("concentration1", "positive"), _param("concentration0", "positive")),
        support=_UNIT,
        cdf=lambda x, concentration1, concentration0: -math.expm1(concentration0 * math.log1p(-(x**concentration1))),
        icdf=lambda q, concentration1, concentration0: (
            (-math.expm1(math.log1p(-q) / concentration0)) ** (1.0 / concentration1)
        ),
        logpdf=_kuma_logpdf,
        mean=lambda concentration1, concentration0: _kuma_moment(1, concentration1, concentration0),
        variance=lambda concentration1, concentration0: (
            _kuma_moment(2, concentration1, concentration0) - _kuma_moment(1, concentration1, concentration0) ** 2
        ),
        mode=_kuma_mode,
        median=lambda concentration1, concentration0: (
            (-math.expm1(-_LOG2 / concentration0)) ** (1.0 / concentration1)
        ),
        entropy=_kuma_entropy,
    )
)


# Levy(loc, scale): support (loc, inf)
def _levy_logpdf(x, loc, scale):
    d = x - loc
    if d <= 0.0:
        return -_INF
    return 0.5 * (math.log(scale) - _LOG2PI) - 1.5 * math.log(d) - scale / (2.0 * d)


def _levy_icdf(q, loc, scale):
    t = _sp().ndtri(0.5 * q)
    return loc + scale / (t * t)


_register(
    _make(
        "Levy",
        (_param("loc", "real"), _param("scale", "positive")),
        support=lambda loc, scale: (loc, _INF),
        cdf=lambda x, loc, scale: 2.0 * _sp().ndtr(-math.sqrt(scale / (x - loc))),
        icdf=_levy_icdf,
        logpdf=_levy_logpdf,
        mean=lambda loc, scale: None,
        variance=lambda loc, scale: None,
        mode=lambda loc, scale: loc + scale / 3.0,
        median=lambda loc, scale: _levy_icdf(0.5, loc, scale),
        entropy=lambda loc, scale: 0.5 * (1.0 + 3.0 * _EULER + math.log(16.0 * math.pi * scale * scale)),
    )
)


# --------------------------------------------------------------------------------------
# discrete families
# --------------------------------------------------------------------------------------


def _discrete_icdf(cdf, q, guess, lo, hi):
    """Smallest integer k in [lo, hi] with cdf(k) >= q, searching from an initial guess."""
    if not math.isfinite(guess):
        guess = lo if guess < 0 else hi
    k = min(max(float(math.ceil(guess)), lo), hi)
    if not math.isfinite(k):
        return k
    while k > lo and cdf(k - 1.0) >= q:
        k -= 1.0
    while k < hi and cdf(k) < q:
        k += 1.0
    return k


def _discrete_entropy(logpmf_vec, lo, hi, center, spread):
    """-sum pmf log pmf by direct summation, in chunks until the tail is negligible."""
    import numpy as np

    start = max(lo, math.floor(center - 50.0 * spread - 10.0))
    chunk = int(max(2048, 20.0 * spread))
    total = 0.0
    k0 = start
    while k0 <= hi:
        k = np.arange(k0, min(k0 + chunk, hi + 1.0))
        lp = logpmf_vec(k)
        p = np.exp(lp)
        total += float(-np.sum(np.where(p > 0.0, p * lp, 0.0)))
        k0 = k[-1] + 1.0
        if k[0] > center and float(np.max(lp)) < -60.0:
            break
        chunk *= 2
    return total


# Poisson(rate)
def _poisson_logpmf(k, rate):
    sc = _sp()
    return sc.xlogy(k, rate) - rate - sc.gammaln(k + 1.0)


def _poisson_icdf(q, rate):
    sc = _sp()
    cdf = lambda k: sc.pdtr(k, rate)  # noqa: E731
    return _discrete_icdf(cdf, q, sc.pdtrik(q, rate), 0.0, _INF)


def _poisson_mode(rate):
    if rate >= 1.0 and rate == math.floor(rate):
        return rate - 1.0  # tie between rate-1 and rate
    return float(math.floor(rate))


def _poisson_entropy(rate):
    if rate == 0.0:
        return 0.0
    return _discrete_entropy(lambda k: _poisson_logpmf(k, rate), 0.0, _INF, rate, math.sqrt(rate))


_register(
    _make(
        "Poisson",
        (_param("rate", "positive"),),  # numpyro allows rate >= 0 (GreaterThanEq(0))
        discrete=True,
        support=lambda rate: (0.0, _INF),
        cdf=lambda x, rate: _sp().pdtr(x, rate),
        icdf=_poisson_icdf,
        logpdf=_poisson_logpmf,
        mean=lambda rate: rate,
        variance=lambda rate: rate,
        mode=_poisson_mode,
        entropy=_poisson_entropy,
    )
)


# BinomialProbs(probs, total_count=1)  -- note numpyro's order: probs first
def _binom_logpmf(k, probs, total_count):
    sc = _sp()
    n = total_count
    return (
        sc.gammaln(n + 1.0)
        - sc.gammaln(k + 1.0)
        - sc.gammaln(n - k + 1.0)
        + sc.xlogy(k, probs)
        + sc.xlog1py(n - k, -probs)
    )


def _binom_cdf(x, probs, total_count):
    return _sp().bdtr(x, int(total_count), probs)


def _binom_icdf(q, probs, total_count):
    sc = _sp()
    n = total_count
    if probs == 0.0:
        return 0.0
    if probs == 1.0:
        return n
    guess = sc.bdtrik(q, n, probs)
    if math.isnan(guess):
        guess = n * probs
    return _discrete_icdf(lambda k: _binom_cdf(k, probs, n), q, guess, 0.0, n)


def _binom_mode(probs, total_count):
    from fractions import Fraction

    n = total_count
    if probs == 1.0:
        return n
    m = (Fraction(n) + 1) * Fraction(probs)
    if m.denominator == 1 and m >= 1:
        return float(m - 1)  # tie between m-1 and m
    return float(math.floor(m))


def _binom_entropy(probs, total_count):
    n = total_count
    if probs in (0.0, 1.0) or n == 0.0:
        return 0.0
    return _discrete_entropy(
        lambda k: _binom_logpmf(k, probs, n), 0.0, n, n * probs, math.sqrt(n * probs * (1.0 - probs))
    )


_register(
    _make(
        "BinomialProbs",
        (_param("probs", "unit_interval"), _param("total_count", "nonnegative_integer", 1)),
        discrete=True,
        support=lambda probs, total_count: (0.0, total_count),
        cdf=_binom_cdf,
        icdf=_binom_icdf,
        logpdf=_binom_logpmf,
        mean=lambda probs, total_count: total_count * probs,
        variance=lambda probs, total_count: total_count * probs * (1.0 - probs),
        mode=_binom_mode,
        entropy=_binom_entropy,
    )
)


# BernoulliProbs(probs)
def _bernoulli_logpmf(k, probs):
    return _sp().xlogy(1.0, probs) if k == 1.0 else _sp().xlog1py(1.0, -probs)


def _bernoulli_entropy(probs):
    sc = _sp()
    return -sc.xlogy(probs, probs) - sc.xlog1py(1.0 - probs, -probs)


_register(
    _make(
        "BernoulliProbs",
        (_param("probs", "unit_interval"),),
        discrete=True,
        support=lambda probs: (0.0, 1.0),
        cdf=lambda x, probs: 1.0 - probs,  # only reached for x == 0
        icdf=lambda q, probs: 0.0 if q <= 1.0 - probs else 1.0,
        logpdf=_bernoulli_logpmf,
        mean=lambda probs: probs,
        variance=lambda probs: probs * (1.0 - probs),
        mode=lambda probs: 1.0 if probs > 0.5 else 0.0,
        entropy=_bernoulli_entropy,
    )
)


# GeometricProbs(probs): number of failures before the first success, support {0, 1, ...}
def _geom_cdf(x, probs):
    return -math.expm1((x + 1.0) * math.log1p(-probs)) if probs < 1.0 else 1.0


def _geom_icdf(q, probs):
    if probs >= 1.0:
        return 0.0
    guess = math.log1p(-q) / math.log1p(-probs) - 1.0
    return _discrete_icdf(lambda k: _geom_cdf(k, probs), q, guess, 0.0, _INF)


def _geom_entropy(probs):
    sc = _sp()
    return (-sc.xlog1py(1.0 - probs, -probs) - sc.xlogy(probs, probs)) / probs


_register(
    _make(
        "GeometricProbs",
        (_param("probs", "open_unit_interval"),),
        discrete=True,
        support=lambda probs: (0.0, _INF),
        cdf=_geom_cdf,
        icdf=_geom_icdf,
        logpdf=lambda k, probs: math.log(probs) + _sp().xlog1py(k, -probs),
        mean=lambda probs: (1.0 - probs) / probs,
        variance=lambda probs: (1.0 - probs) / (probs * probs),
        mode=lambda probs: 0.0,
        entropy=_geom_entropy,
    )
)


# NegativeBinomialProbs(total_count, probs) = GammaPoisson(total_count, rate=1/probs - 1).
# pmf(k) = C(k + r - 1, k) (1 - p)^r p^k: `probs` is the probability of the event being
# *counted*; this is scipy.stats.nbinom(n=total_count, p=1 - probs).
def _nb_logpmf(k, total_count, probs):
    sc = _sp()
    r = total_count
    return sc.gammaln(k + r) - sc.gammaln(r) - sc.gammaln(k + 1.0) + r * math.log1p(-probs) + sc.xlogy(k, probs)


def _nb_cdf(x, total_count, probs):
    return _sp().betainc(total_count, x + 1.0, 1.0 - probs)


def _nb_icdf(q, total_count, probs):
    sc = _sp()
    if probs == 0.0:
        return 0.0
    if probs >= 1.0:
        return _INF
    guess = sc.nbdtrik(q, total_count, 1.0 - probs)
    if math.isnan(guess):
        guess = total_count * probs / (1.0 - probs)
    return _discrete_icdf(lambda k: _nb_cdf(k, total_count, probs), q, guess, 0.0, _INF)


def _nb_mode(total_count, probs):
    from fractions import Fraction

    if probs >= 1.0:
        return None
    if total_count <= 1.0:
        return 0.0
    p = Fraction(probs)
    m = (Fraction(total_count) - 1) * p / (1 - p)
    if m.denominator == 1 and m >= 1:
        return float(m - 1)  # tie between m-1 and m
    return float(math.floor(m))


def _nb_entropy(total_count, probs):
    if probs == 0.0:
        return 0.0
    mean = total_count * probs / (1.0 - probs)
    sd = math.sqrt(mean) / math.sqrt(1.0 - probs)
    return _discrete_entropy(lambda k: _nb_logpmf(k, total_count, probs), 0.0, _INF, mean, sd)


_register(
    _make(
        "NegativeBinomialProbs",
        (_param("total_count", "positive"), _param("probs", "open_unit_interval")),
        discrete=True,
        support=lambda total_count, probs: (0.0, _INF),
        cdf=_nb_cdf,
        icdf=_nb_icdf,
        logpdf=_nb_logpmf,
        mean=lambda total_count, probs: total_count * probs / (1.0 - probs) if probs < 1.0 else None,
        variance=lambda total_count, probs: total_count * probs / (1.0 - probs) ** 2 if probs < 1.0 else None,
        mode=_nb_mode,
        entropy=_nb_entropy,
    )
)


# DiscreteUniform(low=0, high=1): integers low..high inclusive
def _du_n(low, high):
    return high - low + 1.0


def _du_icdf(q, low, high):
    n = _du_n(low, high)
    cdf = lambda k: (k - low + 1.0) / n  # noqa: E731
    return _discrete_icdf(cdf, q, low - 1.0 + math.ceil(q * n), low, high)


_register(
    _make(
        "DiscreteUniform",
        (_param("low", "dependent", 0), _param("high", "dependent", 1)),
        discrete=True,
        support=lambda low, high: (low, high),
        cdf=lambda x, low, high: (x - low + 1.0) / _du_n(low, high),
        icdf=_du_icdf,
        logpdf=lambda k, low, high: -math.log(_du_n(low, high)),
        mean=lambda low, high: 0.5 * (low + high),
        variance=lambda low, high: (_du_n(low, high) ** 2 - 1.0) / 12.0,
        mode=lambda low, high: low,  # all tied: the smallest
        entropy=lambda low, high: math.log(_du_n(low, high)),
    )
)


def get(name: str) -> Formulas | None:
    """The formulas for a numpyro family name (exact class name), or None if not tabulated."""
    return FORMULAS.get(name)
