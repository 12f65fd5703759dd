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
from priorcli.solving.problem import Budget, Problem, Redundant
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

    def __init__(self, prob: Problem):
        self.prob = prob
        self.used = 0

    def negh(self, x) -> float:
        prob = self.prob
        self.used += 1
        if self.used > prob.budget:
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

    obj = _Objective(prob)
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
            return None
        except (ValueError, RuntimeError, OverflowError, ArithmeticError, np.linalg.LinAlgError):
            continue
    return None


def maxent(prob: Problem) -> tuple[list[dict], str, list[str]]:
    """Maximum-entropy member meeting every equation (one of them an interval mass)."""
    mass = next(eq for eq in prob.eqs if eq.kind == "mass")
    best = _search(prob, _equal_tailed_start(prob, mass))
    if best is None:
        # Unattainable mass, or a solver failure?
        top = _max_mass(prob, mass)
        if top < mass.value - 1e-9:
            raise InfeasibleError(
                f"{mass.label} is unattainable for {prob.family}: the mass there is at most {top:.6g}"
            )
        raise ConvergenceError(f"the maximum-entropy search for {mass.label} did not converge for {prob.family}")
    notes = [f"maximum-entropy {prob.family} with {mass.label}"]
    return [prob.params_of(best, prob.free, prob.fixed)], "maxent", notes


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
