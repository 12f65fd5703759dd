"""A whole-number parameter solved for (Binomial's and BetaBinomial's total_count, the record's
``solves_whole``): the other parameters are solved with it held at each whole number in turn, as
PreliZ's maxent and quartile do over a continuous n, and the best is kept: the smallest
least-squares loss (0 for targets met exactly), then, among losses within ``TIE`` of it, the
largest entropy when an interval mass is a target (maximum entropy, as for every family). Several
whole numbers meeting every target exactly without a mass to choose among them leave the parameter
free: a usage error naming it.

The scan starts at the smallest whole number whose support holds every target value and runs
while it can still improve: up to twice the best so far plus 20 (each criterion is unimodal in n
for these families), until ``GIVE_UP`` whole numbers in a row cannot meet the targets, at most
``SCAN`` of them; a best still among the last tenth of those is a ConvergenceError (the targets
favour ever larger n: towards the Poisson limit). A search that did not converge at some n is a
ConvergenceError too, at once, while the criterion still improves: it proves nothing about that n,
whose best member may beat every other (BetaBinomial's maximum-entropy search for 0.9 on [2, 8]
fails from n = 28, where members with more entropy than n = 27's exist). Once a solved n has scored
worse than the best, the peak is passed, and such an n counts as one that cannot meet the targets.
"""

from __future__ import annotations

import math
from dataclasses import replace

from priorcli.errors import ConvergenceError, PriorError, UsageError
from priorcli.families.targets import Targets
from priorcli.solving.result import Solution, Underdetermined, show

__all__ = ["solve_whole"]

TIE = 1e-12  # losses this close are equally good
SCAN = 150  # whole numbers tried at most
GIVE_UP = 5  # consecutive whole numbers that cannot meet the targets end the scan


def _start(t: Targets) -> int:
    """The smallest n whose support {0, ..., n} holds every target value."""
    values = [v for v in (t.mode, t.median, t.mean, t.upper) if v is not None]
    values += [v for _, v in t.quantiles]
    return max(1, math.ceil(max(values, default=1.0)))


def solve_whole(family: str, F, t: Targets, fixed: dict, name: str, solve_held) -> Solution:
    """``solve_held(fixed)`` solves the rest with ``fixed`` (``name`` included) held."""
    mass = t.mass is not None
    first = _start(t)
    best: tuple | None = None  # (loss, -entropy or 0, n, solution)
    exact: list[int] = []
    error: PriorError | None = None
    tried = failures = 0
    scored = first - 1  # the last whole number solved
    n = first
    while tried < SCAN and (best is None or n <= 2 * best[2] + 20):
        tried += 1
        try:
            sol = solve_held({**fixed, name: float(n)})
        except ConvergenceError as e:
            # not a proof that n cannot meet the targets (an infeasible n raises InfeasibleError):
            # while the criterion still improves, a member there may beat the best so far
            if best is None or scored <= best[2]:
                raise _unscanned(name, first, n, best, e) from None
            error = error or e  # past the peak (a scored n worse than the best): unimodal, as a failure
            sol = None
        except PriorError as e:
            error = error or e
            sol = None
        if isinstance(sol, Underdetermined):
            raise UsageError(f"the targets leave {family}'s other parameters free even with {name} held; "
                             "give more targets")
        failures = failures + 1 if sol is None else 0
        if sol is not None:
            scored = n
            loss = sol.loss or 0.0
            if loss <= TIE:
                exact.append(n)
            h = F.entropy(**sol.params) if mass and F.entropy is not None else 0.0
            key = (loss, -(h if h is not None and math.isfinite(h) else -math.inf))
            if best is None or key[0] < best[0] - TIE or (abs(key[0] - best[0]) <= TIE and key[1] < best[1]):
                best = (key[0], key[1], n, sol)
        if best is not None and failures >= GIVE_UP:
            break  # past the whole numbers that can meet the targets
        n += 1
    if best is None:
        raise error if error is not None else ConvergenceError(f"no whole {name} of {family} meets the targets")
    if tried >= SCAN and best[2] > n - SCAN // 10:
        raise ConvergenceError(f"{family}: the fit still improves as {name} grows (best {best[2]} of {first} to "
                               f"{n}): the targets favour ever larger {name}; give --{name.replace('_', '-')} N")
    if not mass and len(exact) > 1:
        raise UsageError(
            f"the targets leave {family}'s {name} free: {name} = {exact[0]}, {exact[1]}, ... each meet them "
            f"exactly; give --{name.replace('_', '-')} N or another target (an interval --lower/--upper/--mass "
            "picks the maximum-entropy one)")
    sol = best[3]
    how = "the largest entropy" if mass and len(exact) > 1 else "the smallest least-squares loss" \
        if (sol.loss or 0.0) > TIE else "the targets met exactly"
    note = (f"{name} solved over the whole numbers {first} to {first + tried - 1}: {name} = {show(float(best[2]))} "
            f"gives {how}")
    return replace(sol, notes=(note, *sol.notes))


def _unscanned(name: str, first: int, n: int, best: tuple | None, exc: ConvergenceError) -> ConvergenceError:
    """The scan's refusal: ``exc`` (which names the family) at ``n``, the best before it, how to go on."""
    so_far = f"; the best of {first} to {n - 1} is {name} = {best[2]}" if best is not None else ""
    return ConvergenceError(f"{exc} with {name} = {n}, so the scan over the whole numbers from {first} cannot "
                            f"say which {name} is best{so_far}; give --{name.replace('_', '-')} N")
