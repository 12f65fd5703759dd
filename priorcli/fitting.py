"""Maximum-likelihood fits of a family to draws: ``priorcli summarize --input PATH --fit FAMILY``.

``FAMILY`` is any family name priorcli accepts, optionally with parameters held fixed, in the
numpyro call style: ``gamma``, ``Gamma(rate=2)``, ``binomial(total_count=10)``. Integer-valued
parameters (a Binomial's ``total_count``) are never estimated: give them this way.

* Families with a record (``priorcli.records``, no jax; its vectorised ``logpdf`` is the likelihood): closed-form MLEs where they exist (Normal,
  LogNormal, Exponential, HalfNormal, Laplace, Pareto, Uniform, LogUniform, Poisson, Bernoulli,
  Geometric, Binomial with its total_count given, DiscreteUniform), one-dimensional root finding
  where the score equation has one unknown (Gamma, InverseGamma, Chi2), and otherwise numerical
  maximisation of a vectorised numpy log-likelihood.
* Every other numpyro family: the same maximisation, with the log-likelihood from numpyro's
  ``log_prob`` (through ``priorcli.stats.build_distribution``) and its gradient from jax.

Numerical maximisation works in unconstrained coordinates (log for positive parameters, logit for
probabilities, a scaled shift for real ones) from a moment-matching or robust start, with scipy's
BFGS, falling back to Nelder-Mead, and the answer is only returned once the gradient of the mean
log-likelihood is checked to vanish at it (or, for densities with kinks such as the asymmetric
Laplace, once no small step along any coordinate improves it): a failure is a
``ConvergenceError``, never a silent answer. Data outside the family's support are an
``InfeasibleError`` naming the value; so are data for which the likelihood has no maximum inside
the parameter space (all values equal; a negative binomial without over-dispersion; a Student-t
whose df runs off to infinity on light-tailed data), detected before or after the optimisation.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np

from priorcli import records
from priorcli.errors import ConvergenceError, InfeasibleError, InputError, UsageError
from priorcli.families import FamilyInfo, check_param, parse_number, resolve, resolve_fast

__all__ = ["Fit", "fit_family"]

_LOG2 = math.log(2.0)

# Gradient of the mean negative log-likelihood (per unit of the unconstrained coordinates, which
# start at O(1) scales) below which a point counts as a maximum.
_GRAD_TOL = 1e-6
# An estimate this many units of its coordinate from the start (e^18 ~ 7e7 times a positive
# parameter's starting value, 18 spreads for a location) is running off to a boundary.
_RUNAWAY = 18.0
# Beyond this distance (e^8 ~ 3000 times the start) a coordinate is checked for running away.
_DRIFT = 8.0


@dataclass(frozen=True)
class Fit:
    family: str  # numpyro class name
    params: dict[str, float]  # maximum-likelihood estimates (and fixed values), native names
    log_likelihood: float
    numpyro: str  # "dist.Gamma(concentration=2.01, rate=0.98)"


def fit_family(family_name: str, values: np.ndarray, fixed: dict | None = None) -> Fit:
    """Fit ``family_name`` (e.g. ``"gamma"`` or ``"Gamma(rate=2)"``) to ``values`` by maximum likelihood;
    ``fixed``: native parameters held (already checked by the registry parser)."""
    name, fixed_text = _split_spec(family_name)
    family = resolve_fast(name) or resolve(name)
    if family.multivariate:
        raise UsageError(f"--fit {family_name}: {family.name} is multivariate; fitting needs a univariate family")
    fixed = {**_parse_fixed(family, fixed_text, family_name), **(fixed or {})}
    if fixed and len(fixed) == len(family.params):
        raise UsageError(f"--fit {family_name} with every parameter of {family.name} held: leave at least one free")
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1:
        x = x.ravel()
    if x.size == 0:
        raise InputError("no values to fit")
    if not np.all(np.isfinite(x)):
        raise InputError("values to fit must be finite")
    closed = _CLOSED.get(family.name)
    if closed is not None:
        params = closed.fit(family, x, fixed)
        log_likelihood = float(np.sum(records.get(family.name).logpdf(x, **params)))
    else:
        params, log_likelihood = _fit_numpyro(family, x, fixed)
    if not math.isfinite(log_likelihood):
        raise ConvergenceError(f"the {family.name} fit has a non-finite log-likelihood ({log_likelihood})")
    ordered = {p: float(params[p]) for p in family.param_names}
    args = ", ".join(f"{k}={v:.6g}" for k, v in ordered.items())
    return Fit(family=family.name, params=ordered, log_likelihood=log_likelihood,
               numpyro=f"dist.{family.name}({args})")


# ---------------------------------------------------------------------------------------------
# The FAMILY[(name=value, ...)] spec


_SPEC = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_\-]*)\s*(?:\((.*)\))?\s*$", re.S)


def _split_spec(text: str) -> tuple[str, str]:
    match = _SPEC.match(text)
    if match is None:
        raise UsageError(
            f"--fit '{text}' is not a family name or NAME(param=value, ...), e.g. 'gamma' or 'Gamma(rate=2)'"
        )
    return match.group(1), (match.group(2) or "").strip()


def _parse_fixed(family: FamilyInfo, text: str, spec: str) -> dict[str, float]:
    fixed: dict[str, float] = {}
    if not text:
        return fixed
    aliases = family.aliases()
    for part in text.split(","):
        if "=" not in part:
            raise UsageError(
                f"--fit '{spec}': '{part.strip()}' must be NAME=VALUE (parameters of {family.name}: "
                f"{', '.join(family.param_names)})"
            )
        key, value_text = (s.strip() for s in part.split("=", 1))
        native = key if key in family.param_names else aliases.get(key)
        if native is None:
            raise UsageError(
                f"--fit '{spec}': unknown parameter '{key}' for {family.name} "
                f"(parameters: {', '.join(family.param_names)})"
            )
        if native in fixed:
            raise UsageError(f"--fit '{spec}': {family.name}'s '{native}' is given twice")
        param = family.param(native)
        if param.event_dim:
            raise UsageError(f"--fit '{spec}': vector parameter '{native}' cannot be fitted")
        value = parse_number(value_text, f"--fit {native}")
        check_param(param, value, f"--fit {native}")
        fixed[native] = value
    if len(fixed) == len(family.params):
        raise UsageError(f"--fit '{spec}' fixes every parameter of {family.name}; leave at least one free")
    return fixed


# ---------------------------------------------------------------------------------------------
# Support checks


def _value_text(value: float) -> str:
    return repr(float(value))


def _outside(family: str, support: str, value: float) -> InfeasibleError:
    return InfeasibleError(
        f"cannot fit {family}: the data contain {_value_text(value)}, outside its support {support}"
    )


def _require(family: str, x: np.ndarray, ok: np.ndarray, support: str) -> None:
    if not np.all(ok):
        raise _outside(family, support, x[int(np.argmin(ok))])


def _require_positive(family: str, x: np.ndarray) -> None:
    _require(family, x, x > 0.0, "(0, inf)")


def _require_open_unit(family: str, x: np.ndarray) -> None:
    _require(family, x, (x > 0.0) & (x < 1.0), "(0, 1)")


def _require_counts(family: str, x: np.ndarray, high: float = math.inf) -> None:
    ok = (x >= 0.0) & (x == np.floor(x)) & (x <= high)
    support = "{0, 1, 2, ...}" if math.isinf(high) else ("{0, 1}" if high == 1.0 else f"{{0, 1, ..., {high:g}}}")
    _require(family, x, ok, support)


def _require_not_constant(family: FamilyInfo, x: np.ndarray, fixed: dict) -> None:
    """A continuous family fitted to values that are all equal has its scale driven to 0."""
    if not family.discrete and not fixed and np.all(x == x[0]):
        raise InfeasibleError(
            f"cannot fit {family.name}: all {x.size} value(s) equal {_value_text(x[0])}, so the "
            "maximum-likelihood spread would be 0"
        )


def _require_spread(family: str, x: np.ndarray) -> None:
    if x.size < 2 or np.all(x == x[0]):
        raise InfeasibleError(
            f"cannot fit {family}: all {x.size} value(s) are equal to {_value_text(x[0])}; "
            "the maximum-likelihood scale would be 0"
        )


# ---------------------------------------------------------------------------------------------
# Numerical maximisation in unconstrained coordinates


@dataclass(frozen=True)
class _Coord:
    """Maps an unconstrained coordinate u (0 at the start value) to a parameter value."""

    kind: str  # 'real' | 'log' | 'logit' | 'interval' | 'below'
    start: float
    scale: float = 1.0  # 'real': the data's spread; 'below': the distance unit below the bound
    low: float = 0.0
    high: float = 1.0

    def origin(self) -> float:
        if self.kind == "log":
            return math.log(self.start)
        if self.kind in ("logit", "interval"):
            t = (self.start - self.low) / (self.high - self.low)
            return math.log(t) - math.log1p(-t)
        if self.kind == "below":
            return math.log((self.high - self.start) / self.scale)
        return 0.0

    def value(self, u, xp=np):
        if self.kind == "real":
            return self.start + self.scale * u
        if self.kind == "log":
            return xp.exp(self.origin() + u)
        if self.kind in ("logit", "interval"):
            t = 1.0 / (1.0 + xp.exp(-(self.origin() + u)))
            return self.low + (self.high - self.low) * t
        if self.kind == "below":
            return self.high - self.scale * xp.exp(self.origin() + u)
        raise AssertionError(self.kind)


def _coord_for(kind: str, start: float, spread: float, low: float = 0.0, high: float = 1.0) -> _Coord:
    if kind == "real":
        return _Coord("real", start, scale=spread)
    if kind in ("positive", "nonnegative"):
        return _Coord("log", start)
    if kind in ("unit_interval", "open_unit_interval"):
        return _Coord("logit", start)
    if kind == "interval":
        return _Coord("interval", start, low=low, high=high)
    raise AssertionError(kind)


def _spread(x: np.ndarray) -> float:
    """A robust, positive scale of the data."""
    q25, q75 = np.quantile(x, [0.25, 0.75])
    spread = float(q75 - q25) / 1.349
    if not spread > 0.0:
        spread = float(np.std(x))
    if not spread > 0.0:
        spread = max(abs(float(x[0])), 1.0)
    return spread


def _minimize(family: str, objective_u: Callable, coords: dict[str, _Coord], *,
              grad: Callable | None = None) -> dict[str, float]:
    """Minimise the mean negative log-likelihood ``objective_u(u)`` over the unconstrained
    coordinates ``u`` of ``coords`` (in their order), check the result, return the parameters."""
    from scipy.optimize import minimize

    names = tuple(coords)

    def params_at(u) -> dict[str, float]:
        return {n: float(coords[n].value(float(ui))) for n, ui in zip(names, u)}

    def objective(u):
        try:
            with np.errstate(all="ignore"):
                value = float(objective_u(np.asarray(u, dtype=np.float64)))
        except (ArithmeticError, ValueError):  # a parameter underflowed to 0 or overflowed
            return math.inf
        return value if math.isfinite(value) else math.inf

    u0 = np.zeros(len(names))
    f0 = objective(u0)
    if not math.isfinite(f0):
        raise ConvergenceError(f"cannot fit {family}: the log-likelihood is not finite at the starting point")

    def gradient(u) -> np.ndarray:
        if grad is not None:
            with np.errstate(all="ignore"):
                return np.asarray(grad(np.asarray(u, dtype=np.float64)), dtype=np.float64)
        h = 1e-5
        g = np.empty(len(u))
        for i in range(len(u)):
            e = np.zeros(len(u))
            e[i] = h
            g[i] = (objective(u + e) - objective(u - e)) / (2.0 * h)
        return g

    def converged(u, f) -> bool:
        if not (math.isfinite(f) and f <= f0 + 1e-12 * abs(f0)):
            return False
        g = gradient(u)
        return bool(np.all(np.isfinite(g)) and np.max(np.abs(g)) <= _GRAD_TOL * max(1.0, abs(f)))

    def no_descent(u, f) -> bool:
        """For likelihoods with kinks (Laplace-like densities), where the gradient does not vanish
        at the maximum: no small step along any coordinate lowers the objective."""
        if not (math.isfinite(f) and f <= f0 + 1e-12 * abs(f0)):
            return False
        tol = 1e-13 * max(1.0, abs(f))
        for h in (1e-7, 1e-5, 1e-3):
            for i in range(len(u)):
                for sign in (1.0, -1.0):
                    e = np.zeros(len(u))
                    e[i] = sign * h
                    if objective(u + e) < f - tol:
                        return False
        return True

    jac = gradient if grad is not None else "3-point"
    bfgs = {"gtol": 1e-10, "maxiter": 5000}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = minimize(objective, u0, method="BFGS", jac=jac, options=bfgs)
        best_u, best_f = np.asarray(result.x, dtype=np.float64), float(result.fun)
        ok = converged(best_u, best_f)
        if not ok:
            # BFGS often stops on "precision loss" next to the optimum, or strays after an infinite
            # step: polish with the derivative-free simplex from the better point, then BFGS again.
            start = best_u if math.isfinite(best_f) and best_f <= f0 else u0
            polish = minimize(objective, start, method="Nelder-Mead",
                              options={"xatol": 1e-10, "fatol": 1e-15, "maxfev": 3000 * len(names),
                                       "adaptive": len(names) > 2})
            if float(polish.fun) <= min(best_f, f0):
                best_u, best_f = np.asarray(polish.x, dtype=np.float64), float(polish.fun)
            ok = converged(best_u, best_f)
            if not ok:
                again = minimize(objective, best_u, method="BFGS", jac=jac, options=bfgs)
                if math.isfinite(float(again.fun)) and float(again.fun) <= best_f:
                    best_u, best_f = np.asarray(again.x, dtype=np.float64), float(again.fun)
                ok = converged(best_u, best_f) or (bool(polish.success) and no_descent(best_u, best_f))
    runaway = _runaway(objective, coords, names, best_u, best_f)
    if runaway is not None:
        name, where, value = runaway
        raise InfeasibleError(
            f"cannot fit {family}: the likelihood keeps growing as {name} goes to {where} "
            f"(stopped at {value:.6g}); the data fit a limiting case of {family}, not {family} itself"
        )
    if not ok:
        g = gradient(best_u)
        largest = float(np.max(np.abs(g))) if np.all(np.isfinite(g)) else math.inf
        raise ConvergenceError(
            f"the maximum-likelihood fit of {family} did not converge ({str(result.message).strip()}; "
            f"largest gradient {largest:.3g}); the family may not suit these data"
        )
    return params_at(best_u)


def _runaway(objective, coords, names, u, f) -> tuple[str, str, float] | None:
    """The coordinate that has drifted farthest from its moment-matching start, when it has drifted
    far and the objective keeps falling (or stays flat) on continuing the drift: the supremum of the
    likelihood is on a boundary of the parameter space (a Student-t with df -> infinity, a
    Gamma-Poisson without over-dispersion), where any finite value reported would be arbitrary."""
    if not math.isfinite(f):
        return None
    drifting = [i for i, n in enumerate(names) if coords[n].kind in ("real", "log", "below")]
    if not drifting:
        return None
    i = max(drifting, key=lambda k: abs(float(u[k])))
    ui = float(u[i])
    if abs(ui) <= _DRIFT:
        return None
    if abs(ui) <= _RUNAWAY:
        tol = f + 1e-6 * max(1.0, abs(f))
        along = np.zeros(len(u))
        along[i] = math.copysign(10.0, ui)
        ray = 10.0 * u / float(np.linalg.norm(u))  # a ridge: several coordinates drift together
        if objective(u + along) > tol and objective(u + ray) > tol:
            return None
    coord = coords[names[i]]
    if coord.kind == "log":
        where = "infinity" if ui > 0 else "0"
    elif coord.kind == "below":
        where = "-infinity" if ui > 0 else "the smallest value"
    else:
        where = "infinity" if ui > 0 else "-infinity"
    return names[i], where, float(coord.value(ui))


# ---------------------------------------------------------------------------------------------
# Families with a record: the record's vectorised log density, plus support checks, starting
# values and closed-form MLEs here


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


def _check_estimates(family: FamilyInfo, params: dict) -> None:
    for p in family.params:
        value = params[p.name]
        if not math.isfinite(value):
            raise ConvergenceError(f"the {family.name} fit gave a non-finite {p.name} ({value})")
        if p.kind == "positive" and not value > 0.0:
            raise InfeasibleError(
                f"cannot fit {family.name}: the maximum-likelihood {p.name} is {value:g}, outside (0, inf)"
            )


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


# ---------------------------------------------------------------------------------------------
# Every other numpyro family: log_prob through build_distribution, gradients from jax

_GENERIC_KINDS = ("real", "positive", "nonnegative", "unit_interval", "open_unit_interval", "openinterval", "interval")


def _generic_start(param, x: np.ndarray) -> float:
    name = param.name
    positive_data = bool(np.all(x > 0))
    if name == "loc":
        return float(np.median(x))
    if name == "scale":
        return _spread(x)
    if name == "rate" and positive_data:
        return 1.0 / float(np.mean(x))
    if name == "mean" and param.kind in ("positive", "nonnegative") and float(np.mean(x)) > 0:
        return float(np.mean(x))
    if param.default is not None and param.kind not in ("unit_interval", "open_unit_interval"):
        return float(param.default)
    if param.kind == "real":
        return 0.0
    if param.kind in ("positive", "nonnegative"):
        return 1.0
    if param.kind in ("unit_interval", "open_unit_interval", "openinterval", "interval"):
        low, high = _bounds(param)
        return 0.5 * (low + high)
    raise AssertionError(param.kind)


def _bounds(param) -> tuple[float, float]:
    constraint = param.constraint
    low = float(np.asarray(getattr(constraint, "lower_bound", 0.0)))
    high = float(np.asarray(getattr(constraint, "upper_bound", 1.0)))
    return low, high


def _fit_numpyro(family: FamilyInfo, x: np.ndarray, fixed: dict) -> tuple[dict[str, float], float]:
    import jax
    import jax.numpy as jnp

    from priorcli.stats import DistSpec, build_distribution

    free = [p for p in family.params if p.name not in fixed]
    for p in free:
        if p.kind.endswith("integer"):
            raise UsageError(
                f"--fit {family.name}: '{p.name}' is an integer parameter and is not estimated; "
                f"give it, e.g. --fit '{family.name}({p.name}=10)'"
            )
        if p.kind not in _GENERIC_KINDS or p.event_dim:
            raise UsageError(
                f"--fit {family.name}: cannot estimate '{p.name}' (constraint {p.kind}); "
                f"give it, e.g. --fit '{family.name}({p.name}=VALUE)', or fit another family"
            )
    start = {p.name: _generic_start(p, x) for p in free}
    spread = _spread(x)
    coords = {}
    for p in free:
        if p.kind in ("openinterval", "interval"):
            low, high = _bounds(p)
            coords[p.name] = _coord_for("interval", start[p.name], spread, low, high)
        else:
            coords[p.name] = _coord_for(p.kind, start[p.name], spread)

    # Support: checked once at the starting point, where the family's support is fixed by the
    # parameters held fixed (a free parameter that moves the support is refused above).
    start_dist = build_distribution(DistSpec(family, {**start, **fixed}))
    inside = np.asarray(start_dist.support(jnp.asarray(x)), dtype=bool)
    if not inside.all():
        raise _outside(family.name, family.support or "the family's support", x[int(np.argmin(inside))])
    _require_not_constant(family, x, fixed)

    data = jnp.asarray(x)
    names = tuple(coords)
    fixed_jnp = {k: jnp.asarray(v, dtype=jnp.float64) for k, v in fixed.items()}

    def mean_nll(u):
        params = {n: coords[n].value(u[i], xp=jnp) for i, n in enumerate(names)}
        distribution = build_distribution(DistSpec(family, {**params, **fixed_jnp}))
        return -jnp.mean(distribution.log_prob(data))

    value_and_grad = jax.jit(jax.value_and_grad(mean_nll))

    def objective_u(u):
        return float(value_and_grad(jnp.asarray(u))[0])

    def grad(u):
        return np.asarray(value_and_grad(jnp.asarray(u))[1], dtype=np.float64)

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Out-of-support values")
        params = _minimize(family.name, objective_u, coords, grad=grad)
        params.update(fixed)
        _check_estimates(family, params)
        final = build_distribution(DistSpec(family, params))
        log_likelihood = float(np.sum(np.asarray(final.log_prob(data), dtype=np.float64)))
    return params, log_likelihood
