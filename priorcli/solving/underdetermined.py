"""Underdetermined families: the targets leave one free parameter. The answer is the relation and
a small table: one parameter varied over a few values, the others solved for each."""

from __future__ import annotations

import math

from priorcli.errors import ConvergenceError, InfeasibleError, PriorError
from priorcli.solving.numeric import solve_std
from priorcli.solving.problem import Problem, Redundant
from priorcli.solving.result import Underdetermined, show
from priorcli.families.targets import Targets

__all__ = ["underdetermined"]


def underdetermined(prob: Problem, t: Targets, labels: str) -> Underdetermined:
    """One free parameter left: vary one parameter over a small grid, solve for the rest."""
    free = prob.free
    shapes = [n for n in free if n not in prob.scaling]
    scales = [n for n in free if prob.scaling.get(n) in ("scale", "rate")]
    order = shapes + scales + [n for n in free if n not in shapes and n not in scales]
    best: tuple[str, list] | None = None
    prob.budget = 400  # a table row that needs a long search is not worth waiting for
    error: PriorError | None = None
    for vary in order:
        rows = []
        for v in prob.grid_values(vary):
            fixed = dict(prob.fixed)
            fixed[vary] = v
            try:
                cands = [fixed] if not prob.eqs else solve_std(prob, prob.eqs, fixed)[0]
            except Redundant:
                continue
            except PriorError as e:
                error = error or e
                continue
            p = {**prob.from_std(cands[0]), **prob.fixed_orig}
            if all(math.isfinite(x) for x in p.values()):
                rows.append({"params": p})
        if best is None or len(rows) > len(best[1]):
            best = (vary, rows)
        if len(rows) >= 3:
            break
    vary, rows = best
    if not rows:
        vals = [prob.back(vary, v) for v in prob.grid_values(vary)]
        tried = f"for {vary} from {show(min(vals))} to {show(max(vals))}"
        if isinstance(error, InfeasibleError):
            raise InfeasibleError(f"{labels} cannot hold together for {prob.family} {tried}")
        raise ConvergenceError(f"found no {prob.family} meeting {labels} {tried}")
    others = [n for n in free if n != vary]
    if not others:
        relation = f"{labels} hold{'s' if ',' not in labels else ''} for every {vary} of {prob.family}"
    else:
        relation = (
            f"{labels} leave{'s' if ',' not in labels else ''} one degree of freedom in {prob.family}: "
            f"each value of {vary} gives the {', '.join(others)} that meet{'s' if len(others) == 1 else ''} them"
        )
    return Underdetermined(prob.family, relation, tuple(rows), t.as_dict(), vary)
