"""One-dimensional searches: a bracketed scan of a grid refined by brentq (one free parameter, or
the shape of a scale family from the ratio of two targets), and the choice among several roots."""

from __future__ import annotations

import math

from priorcli.errors import InfeasibleError
from priorcli.solving.equations import Eq
from priorcli.solving.problem import Problem
from priorcli.solving.result import show

__all__ = ["select", "scan", "solve_1d", "solve_ratio"]


def brentq(f, lo, hi, xtol=1e-300):
    from scipy.optimize import brentq as _brentq

    return _brentq(f, lo, hi, xtol=xtol, maxiter=500)


def select(prob: Problem, cands: list[dict], eqs, notes: list[str]) -> list[dict]:
    """Order several exact solutions: the max-entropy one for interval mass, else the least spread
    (smallest sd, as "the smaller sigma" for LogNormal; else the narrowest 5%-95% interval)."""
    if len(cands) < 2:
        return cands
    if any(eq.kind == "mass" for eq in eqs):
        keys = [-prob.entropy(p) for p in cands]
        which = "the maximum-entropy one"
    else:
        sd = Eq("sd", "sd", 1.0)
        keys = [prob.value(sd, p) for p in cands]
        which = "the one with the smallest sd"
        if not all(math.isfinite(k) for k in keys):
            lo, hi = Eq("q", "quantile", 0.0, p=0.05), Eq("q", "quantile", 0.0, p=0.95)
            keys = [prob.value(hi, p) - prob.value(lo, p) for p in cands]
            which = "the one with the narrowest 5%-95% interval"
    order = sorted(range(len(cands)), key=lambda i: keys[i] if math.isfinite(keys[i]) else math.inf)
    cands = [cands[i] for i in order]
    shown = "; ".join(
        ", ".join(f"{k}={v:.6g}" for k, v in prob.from_std(p).items() if k in prob.free) for p in cands
    )
    notes.append(f"{len(cands)} solutions ({shown}); chose {which}")
    return cands


def scan(fun, grid) -> tuple[list[float], list[float]]:
    """Roots of fun on a grid, and the grid values.

    Sign changes between grid points are refined by brentq; so are sign changes hidden at the
    edge of the region where fun is defined (bisected first) and pairs of roots hidden inside a
    grid cell around a local minimum of |fun| (found with a bounded scalar minimisation).
    """

    def f(x):
        try:
            v = fun(x)
        except (ValueError, OverflowError, ZeroDivisionError):
            return math.nan
        return v if math.isfinite(v) else math.nan

    def root(a, b):
        try:
            return brentq(f, a, b, xtol=1e-14)
        except (ValueError, RuntimeError):
            return None

    vals = [f(x) for x in grid]
    roots = []
    n = len(grid)
    for i in range(n - 1):
        x0, x1, v0, v1 = grid[i], grid[i + 1], vals[i], vals[i + 1]
        ok0, ok1 = not math.isnan(v0), not math.isnan(v1)
        if ok0 and v0 == 0.0:
            roots.append(x0)
        elif ok0 and ok1:
            if v0 * v1 < 0.0:
                roots.append(root(x0, x1))
        elif ok0 or ok1:  # the edge of the defined region lies in this cell
            good, bad, vg = (x0, x1, v0) if ok0 else (x1, x0, v1)
            edge = good
            for _ in range(60):
                mid = 0.5 * (edge + bad)
                if mid in (edge, bad):
                    break
                if math.isnan(f(mid)):
                    bad = mid
                else:
                    edge = mid
            ve = f(edge)
            if edge != good and not math.isnan(ve) and ve * vg < 0.0:
                roots.append(root(min(edge, good), max(edge, good)))
    if n and vals[-1] == 0.0:
        roots.append(grid[-1])
    # two roots inside one cell: a local minimum of |f| that crosses zero
    for i in range(1, n - 1):
        va, vb, vc = vals[i - 1], vals[i], vals[i + 1]
        if any(math.isnan(v) for v in (va, vb, vc)) or vb == 0.0:
            continue
        if not (va * vb > 0.0 and vb * vc > 0.0 and abs(vb) < abs(va) and abs(vb) < abs(vc)):
            continue
        from scipy.optimize import minimize_scalar

        sgn = 1.0 if vb > 0.0 else -1.0
        r = minimize_scalar(
            lambda x: sgn * f(x) if not math.isnan(f(x)) else math.inf,
            bounds=(grid[i - 1], grid[i + 1]),
            method="bounded",
            options={"xatol": 1e-13},
        )
        xm = float(r.x)
        vm = f(xm)
        if not math.isnan(vm) and vm * vb < 0.0:
            roots += [root(grid[i - 1], xm), root(xm, grid[i + 1])]
    roots = sorted(x for x in roots if x is not None)
    out: list[float] = []
    for x in roots:
        if not out or abs(x - out[-1]) > 1e-10 * max(1.0, abs(x)):
            out.append(x)
    return out, vals


def _quantiles_over(prob: Problem, eq, grid, fixed, name) -> list[float]:
    """A discrete family's quantile at ``eq``'s level over the scan grid, in the user's units."""
    out = []
    for x in grid:
        try:
            v = prob.value(eq, prob.params_of([x], (name,), fixed))
        except (ValueError, OverflowError, ZeroDivisionError, TypeError):
            continue
        if v is not None and math.isfinite(v):
            out.append(prob.back_value(eq, v))
    return out


def solve_1d(prob: Problem, eqs, fixed, name) -> tuple[list[dict], str, list[str]]:
    (eq,) = eqs
    d = prob.denom(eq)

    def fun(x):
        return prob.gap(eq, prob.params_of([x], (name,), fixed))

    grid = prob.grid(name)
    roots, vals = scan(fun, grid)
    if not roots:
        finite = [v * d + eq.value for v in vals if math.isfinite(v)]
        lo_p = prob.params_of([grid[0]], (name,), fixed)[name]
        hi_p = prob.params_of([grid[-1]], (name,), fixed)[name]
        span = f"for {name} in [{show(prob.back(name, lo_p))}, {show(prob.back(name, hi_p))}]"
        if eq.kind == "mass":
            best = _max_mass_1d(prob, eq, fixed, name, grid, vals)
            raise InfeasibleError(f"{eq.label} is unattainable for {prob.family}: the mass there is at most {best:.6g}")
        if prob.F.discrete and eq.kind in ("quantile", "median"):
            # the scan's values are mid-step cdf gaps there, not quantiles: say what the quantile does
            finite = _quantiles_over(prob, eq, grid, fixed, name)
        else:
            finite = [prob.back_value(eq, v) for v in finite]
        if finite:
            lo, hi = min(finite), max(finite)
            rng = f"{eq.kind} stays within [{lo:.6g}, {hi:.6g}] {span}"
        else:
            rng = f"{eq.kind} is undefined {span}"
        raise InfeasibleError(f"{eq.label} is out of reach for {prob.family}: {rng}")
    cands = [prob.params_of([x], (name,), fixed) for x in roots]
    notes: list[str] = []
    cands = select(prob, cands, eqs, notes)
    return cands, "root", notes


def _max_mass_1d(prob, eq, fixed, name, grid, vals) -> float:
    """Largest attainable interval mass over one free parameter."""
    from scipy.optimize import minimize_scalar

    finite = [(v, x) for v, x in zip(vals, grid) if math.isfinite(v)]
    if not finite:
        return math.nan
    v, x = max(finite)
    best = v + eq.value
    step = grid[1] - grid[0]
    try:
        r = minimize_scalar(
            lambda y: -prob.value(eq, prob.params_of([y], (name,), fixed)),
            bounds=(x - step, x + step),
            method="bounded",
            options={"xatol": 1e-12},
        )
        best = max(best, -float(r.fun))
    except (ValueError, RuntimeError):
        pass
    return best


def solve_ratio(prob: Problem, eqs, fixed, shape: str, scale: str) -> tuple[list[dict], str, list[str]]:
    """Scale family, shape and scale free: the ratio of two targets fixes the shape (1-D root)."""
    e1, e2 = eqs
    target = math.log(e1.value / e2.value)
    kind = prob.scaling[scale]

    def member(x):
        p = prob.params_of([x], (shape,), fixed)
        p[scale] = 1.0
        return p

    def fun(x):
        p = member(x)
        b1, b2 = prob.value(e1, p), prob.value(e2, p)
        if not (b1 > 0.0 and b2 > 0.0):
            return math.nan
        return math.log(b1 / b2) - target

    grid = prob.grid(shape)
    roots, vals = scan(fun, grid)
    if not roots:
        finite = [math.exp(v + target) for v in vals if math.isfinite(v)]
        lo_s = prob.params_of([grid[0]], (shape,), fixed)[shape]
        hi_s = prob.params_of([grid[-1]], (shape,), fixed)[shape]
        rng = (
            f"{e1.kind}/{e2.kind} stays within [{min(finite):.6g}, {max(finite):.6g}]"
            if finite
            else f"{e1.kind}/{e2.kind} is undefined"
        )
        raise InfeasibleError(
            f"{e1.label} and {e2.label} cannot hold together for {prob.family}: {rng} "
            f"for {shape} in [{show(lo_s)}, {show(hi_s)}] (asked {e1.value / e2.value:.6g})"
        )
    cands = []
    for x in roots:
        p = member(x)
        s = e1.value / prob.value(e1, p)
        p[scale] = s if kind == "scale" else 1.0 / s
        cands.append(p)
    notes: list[str] = []
    cands = select(prob, cands, eqs, notes)
    return cands, "root", notes

