"""More targets than free parameters: a weighted least-squares fit, as SHELF and PreliZ's
``quartile`` do for elicited judgements.

The loss is ``sum_i w_i r_i^2`` where ``r_i`` is, for a quantile (and the median) target,
``F(value) - p`` on the probability scale (a discrete family: the cdf half way up the step at the
value), for an interval mass the achieved minus the requested mass, and for the other targets
(mode, mean, sd, count) the relative residual ``(achieved - requested) / |requested|`` (for a
location target of a location family, relative to the targets' spread). Weights ``w_i`` default
to 1 (``--quantile 0.5=1@2`` gives 2).

``scipy.optimize.least_squares`` minimises it in the solver's standardised, unconstrained
coordinates from several starts: exact solutions of subsets of the targets (as many as there are
free parameters, through the ordinary solver), then the moment-matching starts. The answer is the
converged run with the smallest loss; if no run converges, or the best one runs off to a boundary
of the parameter space, that is a ConvergenceError naming the family and the reason (a run that
used up its evaluations creeping out along one coordinate runs off too: ``_drifting``).
"""

from __future__ import annotations

import itertools
import math

from priorcli.errors import ConvergenceError, PriorError
from priorcli.solving.equations import Eq
from priorcli.solving.numeric import solve_std
from priorcli.solving.problem import Budget, Problem, Redundant, on_line
from priorcli.solving.starts import starts

__all__ = ["fit_overdetermined", "Overfit", "at_edge"]

_MAX_SUBSETS = 6  # exact solves of target subsets tried as starting points
_RUNS = 4  # least-squares runs, from the starts with the smallest initial loss
_EDGE = 29.5  # an unconstrained coordinate this far out is at priorcli's clip (see Problem.params_of)
_DRIFT = 5.0  # a run that moved a coordinate this far (a factor e^5 ~ 150 on a log scale) was running off


class Overfit:
    """The least-squares answer in standardised coordinates."""

    def __init__(self, params: dict, loss: float, residuals: list[float]):
        self.params = params
        self.loss = loss
        self.residuals = residuals


def _subset_starts(prob: Problem, weights: list[float]) -> list[list[float]]:
    """Exact solutions of k of the n targets (heaviest and outermost first), as x."""
    k = len(prob.free)
    order = sorted(range(len(prob.eqs)), key=lambda i: (-weights[i], i))
    subsets = list(itertools.combinations(range(len(prob.eqs)), k))
    # outermost quantiles first: they pin the spread; then subsets holding the heaviest targets
    quant = [i for i, eq in enumerate(prob.eqs) if eq.kind in ("quantile", "median")]
    outer = tuple(sorted({quant[0], quant[-1]})) if len(quant) >= 2 else ()
    subsets.sort(key=lambda s: (s != outer[:k] if len(outer) == k else True, [order.index(i) for i in s]))
    out = []
    saved = prob.budget
    prob.budget = 400
    try:
        for subset in subsets[:_MAX_SUBSETS]:
            eqs = [prob.eqs[i] for i in subset]
            try:
                cands, _, _ = solve_std(prob, eqs, prob.fixed)
            except (PriorError, Redundant, Budget):
                continue
            x = prob.x_of(cands[0])
            if x is not None:
                out.append(x)
    finally:
        prob.budget = saved
    return out


def fit_overdetermined(prob: Problem, weights: list[float]) -> Overfit:
    """Weighted least squares of prob.eqs (more than free parameters) on the probability scale."""
    import numpy as np
    from scipy.optimize import least_squares

    root_w = [math.sqrt(w) for w in weights]
    used = [0]

    def fun(x):
        used[0] += 1
        if used[0] > 20 * prob.budget:
            raise Budget
        p = prob.params_of(x)
        r = [w * prob.fit_residual(eq, p) for w, eq in zip(root_w, prob.eqs)]
        return [v if math.isfinite(v) else 1e3 for v in r]

    def loss(x) -> float:
        return float(sum(v * v for v in fun(x)))

    candidates = _subset_starts(prob, weights) + starts(prob, prob.eqs, prob.fixed, prob.free, limit=12)
    scored = sorted((loss(x), i, x) for i, x in enumerate(candidates))
    best = None
    stalled = []  # (loss, x, x0) of runs that used up their evaluations
    why = "no starting point gave finite residuals"
    for _, _, x0 in scored[:_RUNS]:
        try:
            r = least_squares(fun, np.asarray(x0, dtype=float), method="trf", xtol=1e-14, ftol=1e-14, gtol=1e-12,
                              max_nfev=300 * len(prob.free))
        except Budget:
            why = "the search used up its evaluation budget"
            break
        except (ValueError, RuntimeError, OverflowError, ArithmeticError) as exc:
            why = f"scipy.optimize.least_squares failed ({exc})"
            continue
        value = float(2.0 * r.cost)
        if not r.success:
            why = f"scipy.optimize.least_squares stopped: {r.message}"
            if r.status == 0:
                stalled.append((value, list(r.x), list(x0)))
            continue
        if best is not None and abs(value - best[0]) <= 1e-9 * max(best[0], 1e-12):
            break  # a second start found the same minimum
        if best is None or value < best[0]:
            best = (value, list(r.x))
        if value < 1e-24:
            break  # the targets are met exactly
    if best is None:
        drifting = _drifting(prob, min(stalled), loss) if stalled else None
        if drifting is not None:
            raise _runs_off(prob, drifting)
        raise ConvergenceError(
            f"the least-squares fit of {prob.family} to {_labels(prob.eqs)} did not converge: {why}"
        )
    value, x = best
    edge = [n for n, v in zip(prob.free, x) if at_edge(prob, n, v)]
    if edge:
        raise _runs_off(prob, edge[0])
    p = prob.params_of(x)
    residuals = [prob.fit_residual(eq, p) for eq in prob.eqs]
    return Overfit(p, float(sum(w * r * r for w, r in zip(weights, residuals))), residuals)


def _runs_off(prob: Problem, name: str) -> ConvergenceError:
    return ConvergenceError(
        f"the least-squares fit of {prob.family} to {_labels(prob.eqs)} did not converge: {name} runs off "
        "to the edge of its range (the targets suit a limiting case of the family, not the family itself)"
    )


def _drifting(prob: Problem, run: tuple, loss) -> str | None:
    """The coordinate a run that used up its evaluations was creeping out along: it moved at least
    _DRIFT from its start, and half way from where it stopped to the edge of its range (priorcli's
    clip) the loss is lower still, so the infimum is the limiting case out there (a
    NegativeBinomial2 whose concentration grows towards the Poisson). Not the edge itself: there
    the family's own arithmetic is at its limits too."""
    value, x, x0 = run
    k = max(range(len(x)), key=lambda i: abs(x[i] - x0[i]))
    if abs(x[k] - x0[k]) < _DRIFT:
        return None
    name = prob.free[k]
    further = list(x)
    further[k] = (x[k] + math.copysign(_clip(prob, name), x[k] - x0[k])) / 2
    try:
        return name if loss(further) < value else None
    except Budget:
        return None


def at_edge(prob: Problem, name: str, v: float) -> bool:
    """Whether an unconstrained coordinate sits at priorcli's clip: the search ran off."""
    return abs(v) >= _clip(prob, name)


def _clip(prob: Problem, name: str) -> float:
    """How far out ``name``'s unconstrained coordinate counts as at the edge of its range."""
    return 1e7 if on_line(prob.domains[name]) and not prob.bounded else _EDGE


def _labels(eqs: list[Eq]) -> str:
    return ", ".join(eq.label for eq in eqs)
