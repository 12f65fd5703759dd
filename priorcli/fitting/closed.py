"""Families with a record: the record's vectorised log density is the likelihood; here are each
family's support check, starting values and closed-form MLEs where they exist."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from priorcli import records
from priorcli.errors import ConvergenceError, InfeasibleError, UsageError
from priorcli.families import FamilyInfo, resolve_fast
from priorcli.fitting.checks import (
    _check_estimates,
    _require,
    _require_counts,
    _require_not_constant,
    _require_open_unit,
    _require_positive,
    _require_spread,
    _value_text,
)
from priorcli.fitting.optimize import _Coord, _coord_for, _minimize, _spread

_LOG2 = math.log(2.0)

def _sp():
    import scipy.special

    return scipy.special


@dataclass(frozen=True)
class _Closed:
    check: Callable[[str, np.ndarray, dict], None]  # data in the support, given the fixed params
    start: Callable[[np.ndarray], dict] | None = None  # starting values for every parameter
    mle: Callable[[np.ndarray], dict] | None = None  # closed-form MLE when nothing is fixed
    coords: Callable[[np.ndarray, dict], dict] | None = None  # custom coordinates (Levy's loc)

    def fit(self, family: FamilyInfo, x: np.ndarray, fixed: dict) -> dict[str, float]:
        free = [p for p in family.params if p.name not in fixed]
        integer = [p.name for p in free if p.kind.endswith("integer")]
        if integer:
            raise UsageError(
                f"--fit {family.name}: '{integer[0]}' is an integer parameter and is not estimated; "
                f"give it, e.g. --fit '{family.name}({integer[0]}=10)'"
            )
        self.check(family.name, x, fixed)
        _require_not_constant(family, x, fixed)
        if not fixed and self.mle is not None:
            params = self.mle(x)
            _check_estimates(family, params)
            return params
        if self.mle is not None and self.start is None:
            # The closed form handles fixed parameters itself (Uniform, Pareto, ...).
            params = self.mle(x, **fixed)
            _check_estimates(family, params)
            return params
        start = dict(self.start(x))
        start.update(fixed)
        spread = _spread(x)
        custom = self.coords(x, start) if self.coords is not None else {}
        coords = {p.name: custom.get(p.name) or _coord_for(p.kind, start[p.name], spread) for p in free}

        names = tuple(coords)
        logpdf = records.get(family.name).logpdf

        def objective_u(u):
            params = {n: coords[n].value(u[i]) for i, n in enumerate(names)}
            return -np.mean(logpdf(x, **params, **fixed))

        params = _minimize(family.name, objective_u, coords)
        params.update(fixed)
        _check_estimates(family, params)
        return params


def _no_check(family, x, fixed):
    pass


def _positive_check(family, x, fixed):
    _require_positive(family, x)


def _unit_check(family, x, fixed):
    _require_open_unit(family, x)


def _count_check(family, x, fixed):
    _require_counts(family, x)


def _loc_scale_start(x):
    return {"loc": float(np.median(x)), "scale": _spread(x)}


# Normal --------------------------------------------------------------------------------------
def _normal_mle(x):
    loc = float(np.mean(x))
    _require_spread("Normal", x)
    return {"loc": loc, "scale": float(np.sqrt(np.mean((x - loc) ** 2)))}


# LogNormal -----------------------------------------------------------------------------------
def _lognormal_mle(x):
    lx = np.log(x)
    _require_spread("LogNormal", x)
    loc = float(np.mean(lx))
    return {"loc": loc, "scale": float(np.sqrt(np.mean((lx - loc) ** 2)))}


def _lognormal_start(x):
    lx = np.log(x)
    return {"loc": float(np.median(lx)), "scale": _spread(lx)}


# Gamma, InverseGamma, Chi2 -------------------------------------------------------------------
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


def _gamma_shape(family: str, y: np.ndarray) -> float:
    """Solve log(a) - digamma(a) = log(mean y) - mean(log y) for the Gamma shape a."""
    sc = _sp()
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


def _gamma_start(x):
    m, v = float(np.mean(x)), float(np.var(x))
    a = m * m / v if v > 0 else 1.0
    return {"concentration": a, "rate": a / m}


def _invgamma_mle(x):
    y = 1.0 / x  # 1/X ~ Gamma(concentration, rate): the MLE is the Gamma MLE of 1/X
    a = _gamma_shape("InverseGamma", y)
    return {"concentration": a, "rate": a / float(np.mean(y))}


def _invgamma_start(x):
    start = _gamma_start(1.0 / x)
    return {"concentration": start["concentration"], "rate": start["rate"]}


def _chi2_mle(x):
    sc = _sp()
    target = float(np.mean(np.log(x))) - _LOG2  # digamma(df / 2) = mean(log x) - log 2
    half = _solve_decreasing(lambda k: target - float(sc.digamma(k)), max(float(np.mean(x)) / 2.0, 1e-3),
                             "Chi2 df")
    return {"df": 2.0 * half}


# Beta, BetaProportion, Kumaraswamy -----------------------------------------------------------
def _beta_start(x):
    m, v = float(np.mean(x)), float(np.var(x))
    common = m * (1.0 - m) / v - 1.0 if v > 0 else 2.0
    if not common > 0.0:
        common = 2.0
    return {"concentration1": m * common, "concentration0": (1.0 - m) * common}


def _beta_fit_free(x):
    family = resolve_fast("Beta")
    return _CLOSED["Beta"].fit(family, x, {})


def _betaprop_mle(x):
    # The MLE is invariant under reparameterisation: fit Beta(a, b), then mean = a/(a+b), c = a+b.
    beta = _beta_fit_free(x)
    a, b = beta["concentration1"], beta["concentration0"]
    return {"mean": a / (a + b), "concentration": a + b}


def _betaprop_start(x):
    s = _beta_start(x)
    a, b = s["concentration1"], s["concentration0"]
    return {"mean": a / (a + b), "concentration": a + b}


def _kuma_start(x):
    # a = 1 is Beta(1, b); the profile MLE of b given a is -1 / mean(log(1 - x^a)).
    return {"concentration1": 1.0, "concentration0": -1.0 / float(np.mean(np.log1p(-x)))}


# StudentT, Cauchy, Laplace, Logistic, Gumbel ------------------------------------------------
def _t_start(x):
    start = _loc_scale_start(x)
    start["df"] = 5.0
    return start


def _cauchy_start(x):
    q25, q50, q75 = np.quantile(x, [0.25, 0.5, 0.75])
    scale = float(q75 - q25) / 2.0
    return {"loc": float(q50), "scale": scale if scale > 0 else _spread(x)}


def _laplace_mle(x):
    loc = float(np.median(x))
    scale = float(np.mean(np.abs(x - loc)))
    if not scale > 0.0:
        _require_spread("Laplace", x)
        raise InfeasibleError("cannot fit Laplace: more than half of the values are equal; the scale would be 0")
    return {"loc": loc, "scale": scale}


def _logistic_start(x):
    return {"loc": float(np.median(x)), "scale": float(np.std(x)) * math.sqrt(3.0) / math.pi or _spread(x)}


def _gumbel_start(x):
    scale = float(np.std(x)) * math.sqrt(6.0) / math.pi or _spread(x)
    return {"loc": float(np.mean(x)) - 0.5772156649015329 * scale, "scale": scale}


# HalfCauchy, HalfNormal, Exponential, Weibull, Pareto, Levy -----------------------------------
def _halfnormal_mle(x):
    return {"scale": float(np.sqrt(np.mean(x * x)))}


def _exponential_mle(x):
    return {"rate": 1.0 / float(np.mean(x))}


def _weibull_start(x):
    sd_log = float(np.std(np.log(x)))
    k = math.pi / (sd_log * math.sqrt(6.0)) if sd_log > 0 else 1.0
    z = x / float(np.max(x))
    return {"scale": float(np.max(x)) * float(np.mean(z**k)) ** (1.0 / k), "concentration": k}


def _pareto_check(family, x, fixed):
    _require_positive(family, x)
    if "scale" in fixed:
        _require(family, x, x >= fixed["scale"], f"[{fixed['scale']:g}, inf)")


def _pareto_mle(x, scale=None, alpha=None):
    scale = float(np.min(x)) if scale is None else scale
    if alpha is None:
        total = float(np.sum(np.log(x / scale)))
        if not total > 0.0:
            raise InfeasibleError("cannot fit Pareto: all values are equal to the scale, so alpha would be infinite")
        alpha = x.size / total
    return {"scale": scale, "alpha": alpha}


def _levy_check(family, x, fixed):
    if "loc" in fixed:
        _require(family, x, x > fixed["loc"], f"({fixed['loc']:g}, inf)")
    elif x.size < 4:
        # With loc free the likelihood grows without bound as loc approaches min(x) unless n > 3.
        raise InfeasibleError(f"cannot fit {family} with a free loc to {x.size} value(s); it needs at least 4")


def _levy_start(x):
    low = float(np.min(x))
    loc = low - max(float(np.median(x)) - low, 1e-12 * max(abs(low), 1.0))
    return {"loc": loc, "scale": x.size / float(np.sum(1.0 / (x - loc)))}


def _levy_coords(x, start):
    # loc must stay below the smallest value: loc = min(x) - w * exp(u).
    low = float(np.min(x))
    width = low - start["loc"]
    if not width > 0.0:
        return {}
    return {"loc": _Coord("below", start["loc"], scale=width, high=low)}


# Uniform, LogUniform, DiscreteUniform --------------------------------------------------------
def _bounds_check(support_low: float):
    def check(family, x, fixed):
        if support_low > -math.inf:
            _require_positive(family, x)
        low, high = fixed.get("low", -math.inf), fixed.get("high", math.inf)
        _require(family, x, (x >= low) & (x <= high), f"[{low:g}, {high:g}]")

    return check


def _range_mle(family: str, extra: float = 0.0):
    def mle(x, low=None, high=None):
        low = float(np.min(x)) if low is None else low
        high = float(np.max(x)) if high is None else high
        if not high + extra > low:
            raise InfeasibleError(
                f"cannot fit {family}: all values equal {_value_text(low)}, so low and high would coincide"
            )
        return {"low": low, "high": high}

    return mle


def _discrete_uniform_check(family, x, fixed):
    _require(family, x, x == np.floor(x), "the integers")
    _bounds_check(-math.inf)(family, x, fixed)


# Discrete ------------------------------------------------------------------------------------
def _poisson_mle(x):
    rate = float(np.mean(x))
    if not rate > 0.0:
        raise InfeasibleError("cannot fit Poisson: all values are 0, so the maximum-likelihood rate is 0")
    return {"rate": rate}


def _binomial_check(family, x, fixed):
    if "total_count" in fixed:
        _require_counts(family, x, fixed["total_count"])
    else:
        _require_counts(family, x)


def _binomial_mle(x, probs=None, total_count=None):
    if total_count is None:
        raise AssertionError("total_count is fixed before the fit")  # _Closed.fit refuses earlier
    if probs is None:
        probs = float(np.mean(x)) / total_count if total_count > 0 else 0.0
    return {"probs": probs, "total_count": total_count}


def _bernoulli_check(family, x, fixed):
    _require_counts(family, x, 1.0)


def _nb_check(family, x, fixed):
    _require_counts(family, x)
    if not fixed:
        mean, var = float(np.mean(x)), float(np.var(x))
        if not var > mean:
            raise InfeasibleError(
                f"cannot fit {family}: the data are not over-dispersed (variance {var:.6g} <= mean {mean:.6g}), "
                "so the maximum-likelihood total_count is infinite; fit poisson instead"
            )


def _nb_start(x):
    mean, var = float(np.mean(x)), float(np.var(x))
    r = mean * mean / (var - mean) if var > mean else 1.0
    r = r if r > 0 else 1.0
    return {"total_count": r, "probs": min(max(mean / (r + mean), 1e-6), 1.0 - 1e-6)}


_CLOSED: dict[str, _Closed] = {
    "Normal": _Closed(_no_check, _loc_scale_start, _normal_mle),
    "LogNormal": _Closed(_positive_check, _lognormal_start, _lognormal_mle),
    "Gamma": _Closed(_positive_check, _gamma_start, _gamma_mle),
    "InverseGamma": _Closed(_positive_check, _invgamma_start, _invgamma_mle),
    "Chi2": _Closed(_positive_check, lambda x: {"df": float(np.mean(x))}, _chi2_mle),
    "Beta": _Closed(_unit_check, _beta_start),
    "BetaProportion": _Closed(_unit_check, _betaprop_start, _betaprop_mle),
    "Kumaraswamy": _Closed(_unit_check, _kuma_start),
    "StudentT": _Closed(_no_check, _t_start),
    "Cauchy": _Closed(_no_check, _cauchy_start),
    "Laplace": _Closed(_no_check, _loc_scale_start, _laplace_mle),
    "Logistic": _Closed(_no_check, _logistic_start),
    "Gumbel": _Closed(_no_check, _gumbel_start),
    "HalfCauchy": _Closed(_positive_check, lambda x: {"scale": float(np.median(x))}),
    "HalfNormal": _Closed(_positive_check, None, _halfnormal_mle),
    "Exponential": _Closed(_positive_check, None, _exponential_mle),
    "Weibull": _Closed(_positive_check, _weibull_start),
    "Pareto": _Closed(_pareto_check, None, _pareto_mle),
    "Levy": _Closed(_levy_check, _levy_start, coords=_levy_coords),
    "Uniform": _Closed(_bounds_check(-math.inf), None, _range_mle("Uniform")),
    "LogUniform": _Closed(_bounds_check(0.0), None, _range_mle("LogUniform")),
    "DiscreteUniform": _Closed(_discrete_uniform_check, None,
                               _range_mle("DiscreteUniform", extra=1.0)),
    "Poisson": _Closed(_count_check, None, _poisson_mle),
    "BinomialProbs": _Closed(_binomial_check, None, _binomial_mle),
    "BernoulliProbs": _Closed(_bernoulli_check, None, lambda x: {"probs": float(np.mean(x))}),
    "GeometricProbs": _Closed(_count_check, None,
                              lambda x: {"probs": 1.0 / (1.0 + float(np.mean(x)))}),
    "NegativeBinomialProbs": _Closed(_nb_check, _nb_start),
    "NegativeBinomial2": _Closed(_nb_check, lambda x: {"mean": max(float(np.mean(x)), 1e-6),
                                                       "concentration": _nb_start(x)["total_count"]}),
    "BetaBinomial": _Closed(_binomial_check, lambda x: _betabinom_start(x)),
}


def _betabinom_start(x):
    # moments with n = max(x) (the held total_count is not known here): a rough start suffices
    n = max(float(np.max(x)), 1.0)
    m = min(max(float(np.mean(x)) / n, 0.05), 0.95)
    return {"concentration1": 2.0 * m, "concentration0": 2.0 * (1.0 - m), "total_count": n}
