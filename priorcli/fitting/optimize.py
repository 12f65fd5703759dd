"""Numerical maximisation of a likelihood in unconstrained coordinates (log for positive
parameters, logit for probabilities, a scaled shift for real ones): BFGS, a Nelder-Mead polish,
BFGS again, and an answer only once the gradient vanishes (or, at a kink, no small step improves
it) and no coordinate is running off to a boundary of the parameter space."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from priorcli.errors import ConvergenceError, InfeasibleError

# Gradient of the mean negative log-likelihood (per unit of the unconstrained coordinates, which
# start at O(1) scales) below which a point counts as a maximum.
_GRAD_TOL = 1e-6
# An estimate this many units of its coordinate from the start (e^18 ~ 7e7 times a positive
# parameter's starting value, 18 spreads for a location) is running off to a boundary.
_RUNAWAY = 18.0
# Beyond this distance (e^8 ~ 3000 times the start) a coordinate is checked for running away.
_DRIFT = 8.0


@dataclass(frozen=True)
class _Coord:
    """Maps an unconstrained coordinate u (0 at the start value) to a parameter value."""

    kind: str  # 'real' | 'log' | 'logit' | 'interval' | 'below'
    start: float
    scale: float = 1.0  # 'real': the data's spread; 'below': the distance unit below the bound
    low: float = 0.0
    high: float = 1.0
    # numpyro's biject_to(constraint), where numpyro is loaded anyway (the fit of a family without a
    # record): the value is transform(transform.inv(start) + scale * u); kind then only says which
    # way the coordinate can run off (priorcli.fitting.generic); y0 = transform.inv(start), computed
    # once, outside jax's tracing
    transform: Any = field(default=None, compare=False)
    y0: float = 0.0

    def origin(self) -> float:
        if self.transform is not None:
            return self.y0
        if self.kind == "log":
            return math.log(self.start)
        if self.kind in ("logit", "interval"):
            t = (self.start - self.low) / (self.high - self.low)
            return math.log(t) - math.log1p(-t)
        if self.kind == "below":
            return math.log((self.high - self.start) / self.scale)
        return 0.0

    def value(self, u, xp=np):
        if self.transform is not None:
            return self.transform(self.origin() + self.scale * u)
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


def _coord_for(domain, start: float, spread: float, transform=None) -> _Coord:
    """The coordinate of a parameter in ``domain`` (priorcli.records.domain): a scaled shift on the
    line, the log above 0, the logit between two ends. Without ``transform`` (numpyro's biject_to)
    these are written with numpy: the record fitter's path does not import jax."""
    y0 = float(transform.inv(start)) if transform is not None else 0.0
    if domain.line:
        return _Coord("real", start, scale=spread, transform=transform, y0=y0)
    if domain.lower_bounded and domain.low == 0.0:
        return _Coord("log", start, transform=transform, y0=y0)
    if domain.bounded:
        return _Coord("interval", start, low=domain.low, high=domain.high, transform=transform, y0=y0)
    raise AssertionError(domain.name)


class _Objective:
    """The mean negative log-likelihood in unconstrained coordinates (inf where undefined), its
    gradient, and the two tests of a minimum."""

    def __init__(self, objective_u: Callable, size: int, grad: Callable | None):
        self.objective_u = objective_u
        self.grad = grad
        self.f0 = self(np.zeros(size))  # at the start

    def __call__(self, u) -> float:
        try:
            with np.errstate(all="ignore"):
                value = float(self.objective_u(np.asarray(u, dtype=np.float64)))
        except (ArithmeticError, ValueError):  # a parameter underflowed to 0 or overflowed
            return math.inf
        return value if math.isfinite(value) else math.inf

    def gradient(self, u) -> np.ndarray:
        if self.grad is not None:
            with np.errstate(all="ignore"):
                return np.asarray(self.grad(np.asarray(u, dtype=np.float64)), dtype=np.float64)
        h = 1e-5
        g = np.empty(len(u))
        for i in range(len(u)):
            e = np.zeros(len(u))
            e[i] = h
            g[i] = (self(u + e) - self(u - e)) / (2.0 * h)
        return g

    def _no_worse(self, f) -> bool:
        return math.isfinite(f) and f <= self.f0 + 1e-12 * abs(self.f0)

    def converged(self, u, f) -> bool:
        if not self._no_worse(f):
            return False
        g = self.gradient(u)
        return bool(np.all(np.isfinite(g)) and np.max(np.abs(g)) <= _GRAD_TOL * max(1.0, abs(f)))

    def no_descent(self, u, f) -> bool:
        """For likelihoods with kinks (Laplace-like densities), where the gradient does not vanish
        at the maximum: no small step along any coordinate lowers the objective."""
        if not self._no_worse(f):
            return False
        tol = 1e-13 * max(1.0, abs(f))
        for h in (1e-7, 1e-5, 1e-3):
            for i in range(len(u)):
                for sign in (1.0, -1.0):
                    e = np.zeros(len(u))
                    e[i] = sign * h
                    if self(u + e) < f - tol:
                        return False
        return True


def _search(obj: _Objective, size: int):
    """(best u, its objective, whether it passed a test of a minimum, BFGS's first message)."""
    from scipy.optimize import minimize

    u0 = np.zeros(size)
    jac = obj.gradient if obj.grad is not None else "3-point"
    bfgs = {"gtol": 1e-10, "maxiter": 5000}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = minimize(obj, u0, method="BFGS", jac=jac, options=bfgs)
        best_u, best_f = np.asarray(result.x, dtype=np.float64), float(result.fun)
        if obj.converged(best_u, best_f):
            return best_u, best_f, True, result.message
        # BFGS often stops on "precision loss" next to the optimum, or strays after an infinite
        # step: polish with the derivative-free simplex from the better point, then BFGS again.
        start = best_u if math.isfinite(best_f) and best_f <= obj.f0 else u0
        polish = minimize(obj, start, method="Nelder-Mead",
                          options={"xatol": 1e-10, "fatol": 1e-15, "maxfev": 3000 * size, "adaptive": size > 2})
        if float(polish.fun) <= min(best_f, obj.f0):
            best_u, best_f = np.asarray(polish.x, dtype=np.float64), float(polish.fun)
        if obj.converged(best_u, best_f):
            return best_u, best_f, True, result.message
        again = minimize(obj, best_u, method="BFGS", jac=jac, options=bfgs)
        if math.isfinite(float(again.fun)) and float(again.fun) <= best_f:
            best_u, best_f = np.asarray(again.x, dtype=np.float64), float(again.fun)
        ok = obj.converged(best_u, best_f) or (bool(polish.success) and obj.no_descent(best_u, best_f))
        return best_u, best_f, ok, result.message


def _minimize(family: str, objective_u: Callable, coords: dict[str, _Coord], *,
              grad: Callable | None = None) -> dict[str, float]:
    """Minimise the mean negative log-likelihood ``objective_u(u)`` over the unconstrained
    coordinates ``u`` of ``coords`` (in their order), check the result, return the parameters."""
    names = tuple(coords)
    obj = _Objective(objective_u, len(names), grad)
    if not math.isfinite(obj.f0):
        raise ConvergenceError(f"cannot fit {family}: the log-likelihood is not finite at the starting point")
    best_u, best_f, ok, message = _search(obj, len(names))
    runaway = _runaway(obj, coords, names, best_u, best_f)
    if runaway is not None:
        name, where, value = runaway
        raise InfeasibleError(
            f"cannot fit {family}: the likelihood keeps growing as {name} goes to {where} "
            f"(stopped at {value:.6g}); the data fit a limiting case of {family}, not {family} itself"
        )
    if not ok:
        g = obj.gradient(best_u)
        largest = float(np.max(np.abs(g))) if np.all(np.isfinite(g)) else math.inf
        raise ConvergenceError(
            f"the maximum-likelihood fit of {family} did not converge ({str(message).strip()}; "
            f"largest gradient {largest:.3g}); the family may not suit these data"
        )
    return {n: float(coords[n].value(float(ui))) for n, ui in zip(names, best_u)}


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
