"""The equation solver of the general path: exactly as many equations as free parameters, in
standardised coordinates (:class:`~priorcli.solving.problem.Problem`), cheapest method first.

1. closed forms (:mod:`priorcli.solving.closed`): the record's algebra (LogNormal's), its inversion,
   a target that is a native parameter (BetaProportion's mean), the linear solve of a
   location-scale or scale family with its shapes held;
2. one free parameter: a bracketed scan and brentq (:mod:`priorcli.solving.scan`); shape and scale
   of a scale family: the ratio of two targets fixes the shape, a 1-D scan again;
3. otherwise ``scipy.optimize.least_squares`` from several starts (:mod:`priorcli.solving.lsq`).
"""

from __future__ import annotations

from priorcli.solving.closed import algebra_candidates, linear, record_inversion
from priorcli.solving.equations import Eq
from priorcli.solving.lsq import solve_lsq
from priorcli.solving.problem import Problem, Redundant
from priorcli.solving.scan import solve_1d, solve_ratio

__all__ = ["solve_std"]

_SIMPLE = {"mode", "median", "mean", "sd", "quantile"}


def solve_std(prob: Problem, eqs: list[Eq], fixed: dict) -> tuple[list[dict], str, list[str]]:
    """Candidate std params meeting eqs exactly (len(eqs) == number of free params), the method
    and notes. Raises Redundant when two equations are the same quantity."""
    free = tuple(n for n in prob.names if n not in fixed)
    simple = {eq.kind for eq in eqs} <= _SIMPLE

    if prob.F.algebra is not None and simple:
        out, notes = algebra_candidates(prob.F, eqs, fixed)
        return out, "closed-form", notes

    closed = record_inversion(prob, eqs, free, fixed)
    if closed is not None:
        return [closed], "closed-form", []

    for i, eq in enumerate(eqs):
        name = prob.F.direct.get(eq.kind)
        if name in free and len(free) > 1:  # a target that is a parameter: fix it, solve the rest
            try:
                return solve_std(prob, eqs[:i] + eqs[i + 1 :], {**fixed, name: eq.value})
            except Redundant as red:  # its index counts the shorter list
                raise Redundant(red.drop + (red.drop >= i), red.root) from None

    shapes = [n for n in free if n not in prob.scaling]
    if prob.scaling and not shapes and simple and prob.F.solves_linearly:
        return [linear(prob, eqs, fixed, free)], "closed-form", []

    if len(free) == 1:
        return solve_1d(prob, eqs, fixed, free[0])

    scale_names = [n for n in free if prob.scaling.get(n) in ("scale", "rate")]
    if not prob.shift and simple and len(free) == 2 and len(shapes) == 1 and len(scale_names) == 1 and not prob.ordered:
        return solve_ratio(prob, eqs, fixed, shapes[0], scale_names[0])

    return solve_lsq(prob, eqs, fixed, free)
