"""Least squares: ``scipy.optimize.least_squares`` on relative residuals from several starts, for
as many equations as free parameters when no closed form or 1-D scan applies."""

from __future__ import annotations

import math

from priorcli.errors import ConvergenceError
from priorcli.solving.problem import Budget, Problem
from priorcli.solving.result import TOL
from priorcli.solving.starts import starts

__all__ = ["solve_lsq"]


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
    return [prob.params_of(best[1], free, fixed)], "root", []  # an exact root, found by least squares

