"""Least squares: ``scipy.optimize.least_squares`` on relative residuals from several starts, for
as many equations as free parameters when no closed form or 1-D scan applies."""

from __future__ import annotations

import math

from priorcli.errors import ConvergenceError, UsageError
from priorcli.solving.problem import Budget, Problem, Redundant
from priorcli.solving.result import TOL
from priorcli.solving.starts import starts

__all__ = ["solve_lsq", "free_directions", "free_parameters_error"]


def solve_lsq(prob: Problem, eqs, fixed, free) -> tuple[list[dict], str, list[str]]:
    from scipy.optimize import least_squares

    used = [0]

    def fun(x):
        used[0] += 1
        if used[0] > prob.budget:
            raise Budget
        r = prob.residuals(eqs, prob.params_of(x, free, fixed))
        return [v if math.isfinite(v) else 1e3 for v in r]

    best = None
    for x0 in starts(prob, eqs, fixed, free):
        try:
            r = least_squares(fun, x0, method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=200 * len(free))
        except Budget:
            break
        except (ValueError, RuntimeError, OverflowError, ArithmeticError):
            continue
        worst = max(abs(v) for v in r.fun)
        if best is None or worst < best[0]:
            best = (worst, r.x)
        if worst < 1e-11:
            break
    if best is None or not best[0] < TOL:
        got = "" if best is None else f" (closest: relative residual {best[0]:.2g})"
        raise ConvergenceError(
            f"could not meet {', '.join(eq.label for eq in prob.eqs_orig)} for {prob.family}{got}"
        )
    root = prob.params_of(best[1], free, fixed)
    _check_rank(lambda x: prob.residuals(eqs, prob.params_of(x, free, fixed)), list(best[1]), eqs, root,
                prob.family)
    return [root], "root", []  # an exact root, found by least squares


# Singular values below this fraction of the largest count as zero. The Jacobian is taken by central
# differences (errors ~1e-10 relative), so a true zero shows as ~1e-9 while a determined but
# ill-conditioned system (a large df pinned by quantiles) stays well above.
_RANK_TOL = 1e-6


def _check_rank(residuals, x: list[float], eqs, root: dict, family: str) -> None:
    """Raise Redundant when the targets do not pin the parameters down where they are met.

    A root of as many equations as unknowns can still lie on a curve of roots: StudentT's 5% and 95%
    quantiles placed symmetrically about its median are one condition on (df, scale), and least
    squares would return whichever df it stopped at. Then the Jacobian at the root is singular; the
    equation whose removal leaves full rank is dropped, and the caller reports the relation (or,
    when that table misses a target, the root after all). ``residuals`` is outside the search's
    evaluation budget, which the search may have used up."""
    import numpy as np

    jac = _central_jacobian(residuals, x)
    if jac is None or not _rank_deficient(jac):
        return
    for drop in reversed(range(len(eqs))):
        rest = np.delete(jac, drop, axis=0)
        if np.linalg.matrix_rank(rest, tol=_RANK_TOL * np.linalg.norm(rest, 2)) == len(eqs) - 1:
            raise Redundant(drop, root)
    # Two or more degrees of freedom left (StudentT's mode, median and mean all fix its loc).
    free = free_directions(residuals, x, jac)
    if free:
        raise free_parameters_error(eqs, family, free)


def free_parameters_error(eqs, family: str, free: int) -> UsageError:
    return UsageError(f"{', '.join(eq.label for eq in eqs)} leave {free} parameter{'s' if free > 1 else ''} of "
                      f"{family} free (some of them fix the same quantity); give other targets or fix parameters")


def free_directions(residuals, x: list[float], jac=None) -> int:
    """How many directions the targets leave free at the root ``x``: the null directions of their
    Jacobian along which other roots are found well away. For each, a step of 0.5 (in the solver's
    coordinates) along it, then the other coordinates re-solved: a root there too means the step
    was free (straight or curved sets of roots alike); an ill-conditioned but determined system
    finds none, gives 0, and its root stands."""
    import numpy as np
    from scipy.optimize import least_squares

    jac = _central_jacobian(residuals, x) if jac is None else jac
    if jac is None:
        return 0
    _, sv, vt = np.linalg.svd(jac)
    small = [i for i in range(len(x)) if i >= len(sv) or sv[i] <= _RANK_TOL * sv[0]]
    if not small or not sv[0] > 0:
        return 0
    rest = vt[[i for i in range(len(x)) if i not in small]]

    def at(point):
        return [v if math.isfinite(v) else 1e3 for v in residuals(list(point))]

    for v in vt[small]:
        for step in (0.5, -0.5):
            base = np.asarray(x, dtype=float) + step * v
            far = at(base)
            if len(rest) and max(abs(r) for r in far) >= 1e-10:
                fit = least_squares(lambda z: at(base + rest.T @ z), np.zeros(len(rest)), method="lm", xtol=1e-15,
                                    ftol=1e-15, gtol=1e-15, max_nfev=100 * len(x))
                far = list(fit.fun)
            if not max(abs(r) for r in far) < 1e-10:
                return 0
    return len(small)


def _central_jacobian(fun, x: list[float]):
    import numpy as np

    cols = []
    for j, xj in enumerate(x):
        h = 1e-5 * max(1.0, abs(xj))
        up, down = list(x), list(x)
        up[j], down[j] = xj + h, xj - h
        try:
            cols.append((np.asarray(fun(up), dtype=float) - np.asarray(fun(down), dtype=float)) / (2 * h))
        except (ValueError, ArithmeticError):
            return None
    jac = np.column_stack(cols)
    return jac if np.all(np.isfinite(jac)) else None


def _rank_deficient(jac) -> bool:
    import numpy as np

    sv = np.linalg.svd(jac, compute_uv=False)
    return bool(sv[0] > 0 and sv[-1] <= _RANK_TOL * sv[0])

