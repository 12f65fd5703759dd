"""Maximum entropy: an interval mass with fewer targets than free parameters (as PreliZ's
``maxent``). SLSQP maximises the record's entropy with the targets as equality constraints, from
the equal-tailed member first; an answer counts once the constraints hold to 1e-10 after a
least-squares polish and the KKT condition holds (the entropy's gradient lies in the span of the
constraints' gradients)."""

from __future__ import annotations

import math

from priorcli.errors import ConvergenceError, InfeasibleError, UsageError
from priorcli.solving.equations import Eq
from priorcli.solving.numeric import solve_std
from priorcli.solving.overfit import at_edge
from priorcli.solving.problem import Budget, Problem, Redundant, mapped
from priorcli.solving.starts import starts

__all__ = ["maxent"]


def _equal_tailed_start(prob: Problem, mass: Eq) -> list[float] | None:
    """A feasible start: the equal-tailed member (2 free parameters, mass the only target)."""
    eqs, fixed, free = prob.eqs, prob.fixed, prob.free
    if not (len(eqs) == 1 and len(free) == 2):
        return None
    P, L, U = mass.value, mass.lower, mass.upper
    lo, hi = prob.support()
    if L > lo and U < hi:
        qs = [((1.0 - P) / 2.0, L), ((1.0 + P) / 2.0, U)]
    elif U < hi:
        qs = [(P / 2.0, lo + 0.5 * (U - lo)), (P, U)]
    else:
        qs = [(1.0 - P, L), (1.0 - P / 2.0, L + 0.5 * (hi - L))]
    qeqs = [Eq(f"q{p!r}", "quantile", v, p=p) for p, v in qs]
    try:
        cands, _, _ = solve_std(prob, qeqs, fixed)
        return prob.x_of(cands[0], free)
    except (InfeasibleError, ConvergenceError, UsageError, Redundant):
        return None


def _central_jacobian(f):
    """Jacobian by central differences: SLSQP's default forward steps limit the optimum to ~1e-8."""

    def jac(x):
        cols = []
        for i in range(len(x)):
            h = 1e-6 * max(1.0, abs(x[i]))
            xp, xm = list(x), list(x)
            xp[i] += h
            xm[i] -= h
            fp, fm = f(xp), f(xm)
            if isinstance(fp, list):
                cols.append([(u - v) / (2.0 * h) for u, v in zip(fp, fm)])
            else:
                cols.append((fp - fm) / (2.0 * h))
        if cols and isinstance(cols[0], list):
            return [list(row) for row in zip(*cols)]
        return cols

    return jac


class _Objective:
    """Negative entropy (with an evaluation budget) and the constraint residuals in x."""

    def __init__(self, prob: Problem, per_start: int | None = None):
        self.prob = prob
        self.used = 0
        self.limit = prob.budget if per_start is None else per_start

    def negh(self, x) -> float:
        prob = self.prob
        self.used += 1
        if self.used > self.limit:
            raise Budget
        h = prob.entropy(prob.params_of(x, prob.free, prob.fixed))
        return -h if math.isfinite(h) else 1e6

    def cons(self, x) -> list[float]:
        prob = self.prob
        r = prob.residuals(prob.eqs, prob.params_of(x, prob.free, prob.fixed))
        return [v if math.isfinite(v) else 1e3 for v in r]

    def stationary(self, x) -> bool:
        """KKT: the entropy gradient lies in the span of the constraint gradients."""
        import numpy as np

        g = np.asarray(_central_jacobian(self.negh)(x), dtype=float)
        J = np.atleast_2d(np.asarray(_central_jacobian(self.cons)(x), dtype=float))
        lam = np.linalg.lstsq(J.T, g, rcond=None)[0]
        return bool(np.linalg.norm(g - J.T @ lam) <= 1e-5 * max(1.0, np.linalg.norm(g)))


def _search(prob: Problem, first: list[float] | None):
    """x of the maximum-entropy member: the first converged start (usually the equal-tailed
    member), or None."""
    import numpy as np
    from scipy.optimize import least_squares, minimize

    obj = _Objective(prob, per_start=prob.budget // 3)
    spent = 0
    for x0 in starts(prob, prob.eqs, prob.fixed, prob.free, first, limit=8):
        try:
            r = minimize(
                obj.negh,
                x0,
                jac=_central_jacobian(obj.negh),
                method="SLSQP",
                constraints=[{"type": "eq", "fun": obj.cons, "jac": _central_jacobian(obj.cons)}],
                options={"ftol": 1e-15, "maxiter": 200},
            )
            if r.status not in (0, 8):  # 8: no descent left at the precision asked: check KKT below
                continue
            polished = least_squares(obj.cons, r.x, method="trf", xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=200)
            x, viol = polished.x, max(abs(v) for v in polished.fun)
            if viol <= 1e-10 and obj.stationary(x):
                return x
        except Budget:
            # a start that wanders (towards a region of huge entropy sums) gives way to the next
            spent += obj.used
            if spent >= prob.budget:
                return None
            obj.used = 0
            continue
        except (ValueError, RuntimeError, OverflowError, ArithmeticError, np.linalg.LinAlgError):
            continue
    return None


def maxent(prob: Problem) -> tuple[list[dict], str, list[str]]:
    """Maximum-entropy member meeting every equation (one of them an interval mass)."""
    mass = next(eq for eq in prob.eqs if eq.kind == "mass")
    first = _equal_tailed_start(prob, mass)
    if prob.F.discrete and first is not None:
        # a discrete family's entropy is dear to evaluate far out, where an unbounded climb leads a
        # search: look far out first (e^8 and e^16 times the start) and refuse at once
        far = _keeps_growing(prob, first, steps=(8.0, 16.0))
        best = _search(prob, first) if far else None
        # a rise from the start far out may still stay below a maximum in between (a ZeroInflatedPoisson's
        # entropy from an interval at 0 rises as its gate -> 0, yet peaks inside, where PreliZ finds it):
        # kept when the search settles short of the far points and above their entropy
        inside = best is not None and abs(best[prob.free.index(far[0])] - first[prob.free.index(far[0])]) < 8.0 \
            if far else False
        if far and not (inside and prob.entropy(prob.params_of(best)) > _far_entropy(prob, first, far[0])):
            raise InfeasibleError(
                f"{mass.label} has no maximum-entropy {prob.family}: the entropy keeps growing as {far[0]} runs "
                "off to the edge of its range; add a target (a mean, a quantile) or hold a parameter"
            )
    else:
        far = []
    best = best if far else _search(prob, first)
    if best is None:
        edge = _boundary(prob, mass)
        if edge is not None:
            return edge
        # Unattainable mass, or a solver failure?
        top = _max_mass(prob, mass)
        if top < mass.value - 1e-9:
            raise InfeasibleError(
                f"{mass.label} is unattainable for {prob.family}: the mass there is at most {top:.6g}"
            )
        raise ConvergenceError(f"the maximum-entropy search for {mass.label} did not converge for {prob.family}")
    edge = [n for n, v in zip(prob.free, best) if at_edge(prob, n, v)] or _keeps_growing(prob, best) \
        or _ridge_off(prob, best)
    if edge:
        raise InfeasibleError(
            f"{mass.label} has no maximum-entropy {prob.family}: the entropy keeps growing as {edge[0]} runs off "
            "to the edge of its range; add a target (a mean, a quantile) or hold a parameter"
        )
    notes = [f"maximum-entropy {prob.family} with {mass.label}"]
    return [prob.params_of(best, prob.free, prob.fixed)], "maxent", notes


# With two or more degrees of freedom left (one interval, a gate and two more parameters free),
# _keeps_growing cannot re-solve along one parameter; a log or logit coordinate this far out (a
# factor e^16 ~ 9e6) is then a search that followed a ridge to a limiting case of the family
# (HurdleNegativeBinomial2: concentration -> 0 with mean / concentration held, a log-series), not a
# maximum to report.
_RIDGE = 16.0


def _ridge_off(prob: Problem, x) -> list[str]:
    """A mapped coordinate beyond _RIDGE when the targets leave two or more degrees of freedom."""
    if len(prob.free) - len(prob.eqs) < 2:
        return []
    return [n for n, v in zip(prob.free, x) if mapped(prob.domains[n]) and abs(v) >= _RIDGE
            and not _end_is_member(prob.domains[n], v < 0)]


def _end_is_member(domain, low: bool) -> bool:
    """Whether the end a coordinate runs to is itself a value of the parameter (a gate's 0 or 1,
    unit_interval being closed): the limit is then a member (ZeroInflatedNegativeBinomial2 with
    gate 0 is NegativeBinomial2, PreliZ's psi = 1), a boundary maximum to report."""
    end, closed = (domain.low, domain.low_closed) if low else (domain.high, domain.high_closed)
    return closed and math.isfinite(end)


def _edge_params(prob: Problem) -> list[tuple[str, int]]:
    """Free parameters that are an end of the support (Pareto's scale, Levy's loc, Uniform's low
    and high): (name, 0 for the lower end or 1 for the upper one)."""
    out = []
    base = {**prob.F.typical_params(), **prob.fixed}
    for name in prob.free:
        for end in (0, 1):
            try:
                hits = [prob.F.support(**{**base, name: v})[end] == v for v in (1.5, 2.5)]
            except (ValueError, TypeError, ArithmeticError):
                hits = [False]
            if all(hits):
                out.append((name, end))
    return out


def _pinned(prob: Problem, name: str, value: float) -> tuple[dict, float] | None:
    """The member meeting every target with ``name`` held at ``value``, and its entropy."""
    fixed = {**prob.fixed, name: value}
    if len(prob.eqs) != len(prob.free) - 1:
        return None
    try:
        cands, _, _ = solve_std(prob, prob.eqs, fixed)
    except (InfeasibleError, ConvergenceError, UsageError, Redundant, Budget):
        return None
    h = prob.entropy(cands[0])
    return (cands[0], h) if math.isfinite(h) else None


def _keeps_growing(prob: Problem, x, steps=(0.5, 1.0)) -> list[str]:
    """The parameter along which the entropy still rises, meeting the targets again, a factor e^0.5
    and e^1 (or 0.5 and 1 spreads) away: a search that stopped on a slow, unbounded climb (a
    NegativeBinomial whose mean runs off while its concentration falls) rather than at a maximum."""
    here = prob.entropy(prob.params_of(x))
    if not math.isfinite(here) or len(prob.eqs) != len(prob.free) - 1:
        return []
    tol = 1e-9 * max(1.0, abs(here))
    for i, name in enumerate(prob.free):
        for sign in (1.0, -1.0):
            rising = True
            for step in steps:
                y = list(x)
                y[i] += sign * step
                moved = _pinned(prob, name, prob.params_of(y)[name])
                if moved is None or not moved[1] > here + tol:
                    rising = False
                    break
            if rising:
                return [name]
    return []


def _far_entropy(prob: Problem, x, name: str) -> float:
    """The largest entropy meeting the targets with ``name`` moved e^8 and e^16 (8 and 16 spreads)
    either way from x: what a maximum must beat to be more than a stop on the way out."""
    i, out = prob.free.index(name), -math.inf
    for sign in (1.0, -1.0):
        for step in (8.0, 16.0):
            y = list(x)
            y[i] += sign * step
            moved = _pinned(prob, name, prob.params_of(y)[name])
            if moved is not None:
                out = max(out, moved[1])
    return out


def _boundary(prob: Problem, mass: Eq):
    """The maximum-entropy member where the optimum is on a boundary of the parameter space: an
    end of the support held at an end of the interval (PreliZ finds Pareto's scale = lower). Kept
    only when moving the held parameter a little either way, and meeting the targets again, gives
    no more entropy (a maximum along the boundary's neighbourhood, not just a feasible point)."""
    found = []
    for name, end in _edge_params(prob):
        value = mass.lower if end == 0 else mass.upper
        if not math.isfinite(value):
            continue
        here = _pinned(prob, name, value)
        if here is None:
            continue
        step = 1e-4 * max(abs(value), 1.0)
        beside = [_pinned(prob, name, value + d) for d in (-step, step)]
        if any(b is not None and b[1] > here[1] + 1e-9 * max(1.0, abs(here[1])) for b in beside):
            continue
        found.append((here[1], name, end, here[0]))
    if not found:
        return None
    h, name, end, params = max(found, key=lambda f: f[0])
    shown = prob.back(name, params[name])
    side = "lower" if end == 0 else "upper"
    notes = [f"maximum-entropy {prob.family} with {mass.label}: the optimum is on a boundary of the parameter "
             f"space, {name} = {shown:.6g} (the interval's {side} end is the support's {side} end); "
             "the maximum-entropy search inside it cannot reach it"]
    return [params], "maxent", notes


def _max_mass(prob: Problem, mass: Eq) -> float:
    """The largest mass the interval can hold (Nelder-Mead from a few starts)."""
    from scipy.optimize import minimize

    fixed, free = prob.fixed, prob.free

    def negm(x):
        v = prob.value(mass, prob.params_of(x, free, fixed))
        return -v if math.isfinite(v) else 0.0

    best = 0.0
    for x0 in starts(prob, [mass], fixed, free, limit=4):
        try:
            r = minimize(negm, x0, method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 800})
            best = max(best, -float(r.fun))
        except (ValueError, RuntimeError):
            continue
    return best
