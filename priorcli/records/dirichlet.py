"""Dirichlet(concentration): the one multivariate family priorcli takes.

Its record holds no scalar closed forms (the records in ``RECORDS`` serve the univariate fast
paths); what priorcli knows beyond numpyro here is the mean/count inversion of the Stan guide, the
solve from a mode and the mass within +-bound of it (PreliZ's dirichlet_mode, below) and the text
``priorcli info`` shows. ``SCIPY`` is its scipy oracle (scipy.stats.dirichlet).
"""

from __future__ import annotations

import math

from priorcli.errors import ConvergenceError, InfeasibleError, UsageError
from priorcli.records.base import FamilyRecord, Inversion, TargetSolve, param, show
from priorcli.records.oracle import ScipyOracle


def _mean_count(xp, mean, count):
    """concentration = count * mean (a simplex mean, count = sum of the concentrations)."""
    return {"concentration": tuple(count * m for m in mean)}


def _components(concentration) -> list[tuple[str, dict]]:
    """Component i is Beta(concentration_i, sum(concentration) - concentration_i)."""
    total = sum(concentration)
    return [("Beta", {"concentration1": a, "concentration0": total - a}) for a in concentration]


def _mean_of(concentration) -> tuple[float, ...]:
    total = math.fsum(concentration)
    return tuple(c / total for c in concentration)


# ---- Dirichlet from a mode vector and the mass within +-bound of it, as PreliZ's ``dirichlet_mode``.
#
# The idea is PreliZ's (after Michael et al. 2017); the code is priorcli's own, on scipy:
#
# * the concentrations are ``a_i = 1 + tau * mode_i`` for one ``tau > 0``, so every member has the
#   requested mode exactly: ``(a_i - 1) / (a0 - K) = mode_i`` (``a0 = sum(a) = K + tau``);
# * component i's marginal is ``Beta(a_i, a0 - a_i)``; the condition on ``tau`` is PreliZ's: the mean
#   over the components of the lower tail ``P(X_i < mode_i - bound)`` (the end clipped at 0, where a
#   component's tail is 0) equals ``(1 - mass) / 2``, the tail a central interval of that mass would
#   leave on one side.
#
# PreliZ searches ``tau`` by halving steps until the condition holds within 1e-4 of probability;
# priorcli finds the root itself (scipy's brentq in ``log tau``, bracketed on a grid from 1e-8 to
# 1e15), so its concentrations are the condition's exact ones (PreliZ's differ from them by 0.5% in
# its own test, 1.8% at mass 0.999). The mean lower tail falls from its flat-Dirichlet limit (tau -> 0) towards 0
# as tau grows, almost always monotonically; where it first rises a little (a few mode vectors with
# a small mass), the largest root is taken and the others are reported as alternatives.

_LOG_TAU = (math.log(1e-8), math.log(1e15), 461)  # the bracketing grid (about 0.1 apart in log tau)
_TOL = 1e-10  # accepted absolute miss of the tail condition (probability)


def _tails(tau, mode, lows):
    """Mean over components of P(X_i < lows_i) at concentrations 1 + tau * mode (tau: array)."""
    import numpy as np
    from scipy.special import betainc

    m = np.asarray(mode, dtype=float)
    t = np.asarray(tau, dtype=float)[..., None]
    k = m.size
    return np.mean(betainc(1.0 + t * m, (k - 1.0) + t * (1.0 - m), np.asarray(lows)), axis=-1)


def component_masses(concentration, mode, bound) -> tuple[float, ...]:
    """Each component's own mass within mode_i +- bound (ends clipped to [0, 1]) under its Beta
    marginal: what the mean tail condition leaves each component."""
    import numpy as np
    from scipy.special import betainc

    a = np.asarray(concentration, dtype=float)
    b = a.sum() - a
    m = np.asarray(mode, dtype=float)
    lo, hi = np.clip(m - bound, 0.0, 1.0), np.clip(m + bound, 0.0, 1.0)
    return tuple(float(v) for v in betainc(a, b, hi) - betainc(a, b, lo))


def check_bound(mode, bound: float) -> float:
    """``bound`` as a float, or the UsageError naming it: positive, and below the largest mode
    component (else every lower end mode_i - bound is clipped to 0 and no member meets a mass)."""
    if isinstance(bound, bool) or not isinstance(bound, (int, float)) or not math.isfinite(bound):
        raise UsageError(f"bound={bound!r} is not a finite number")
    bound = float(bound)
    if not bound > 0.0:
        raise UsageError(f"bound={show(bound)} must be positive (the half-width of the interval mode_i +- bound)")
    top = max(mode)
    if not bound < top:
        raise UsageError(f"bound={show(bound)} must be below the largest mode component ({show(top)}): "
                         "the mass is read below mode_i - bound, which is then 0 for every component")
    return bound


def solve_mode(mode, bound, mass) -> dict:
    """The concentration meeting PreliZ's condition, with what it achieves. ``mode`` is a checked
    simplex (components in (0, 1) summing to 1); ``mass`` a probability. Returns {"params",
    "achieved", "notes", "alternatives", "method"}; InfeasibleError when no tau > 0 meets it."""
    import numpy as np
    from scipy.optimize import brentq, minimize_scalar

    bound = check_bound(mode, bound)
    mode = tuple(float(v) for v in mode)
    lows = np.clip(np.asarray(mode) - bound, 0.0, 1.0)
    target = (1.0 - mass) / 2.0
    grid = np.linspace(*_LOG_TAU)
    g = _tails(np.exp(grid), mode, lows) - target
    roots = []
    for i in np.flatnonzero(np.sign(g[:-1]) * np.sign(g[1:]) <= 0.0):
        if g[i] == 0.0:
            roots.append(float(grid[i]))
        elif g[i + 1] != 0.0:
            roots.append(brentq(lambda x: float(_tails(math.exp(x), mode, lows)) - target, grid[i], grid[i + 1],
                                xtol=1e-13, rtol=4 * np.finfo(float).eps))
    if not roots:
        _no_root(mode, bound, mass, lows, grid, g + target, minimize_scalar)
    taus = sorted({math.exp(x) for x in roots}, reverse=True)
    rows = [_member(tau, mode, bound, lows) for tau in taus]
    params, got, tail = rows[0]
    if not abs(tail - target) <= _TOL:
        raise ConvergenceError(f"Dirichlet from mode={show(mode)}, bound={show(bound)}, mass={show(mass)} did not "
                               f"converge: its mean lower tail is {tail:.6g}, not {target:.6g}")
    masses = component_masses(params["concentration"], mode, bound)
    notes = ("mass is PreliZ's: 1 - 2 * (the mean over components of P(X_i < mode_i - bound)); each "
             f"component's own mass within mode_i +- bound is {', '.join(f'{v:.4g}' for v in masses)}",)
    if len(rows) > 1:
        notes += (f"{len(rows)} concentrations meet the condition (its tail rises before it falls); "
                  "the most concentrated is shown, the others are the alternatives",)
    return {"params": params, "achieved": got, "notes": notes,
            "alternatives": tuple({"params": p} for p, _, _ in rows[1:]), "method": "root"}


def _member(tau: float, mode, bound: float, lows):
    conc = tuple(1.0 + tau * m for m in mode)
    total = math.fsum(conc)
    k = len(conc)
    tail = float(_tails(tau, mode, lows))
    got = {"mode": tuple((a - 1.0) / (total - k) for a in conc), "bound": bound, "mass": 1.0 - 2.0 * tail}
    return {"concentration": conc}, got, tail


def _no_root(mode, bound, mass, lows, grid, tails, minimize_scalar) -> None:
    """Why no tau > 0 meets the mass: the largest mean tail any member leaves (the flattest
    members', tau -> 0, but for a few modes a little above it) bounds the mass from below; the
    smallest (the most concentrated member on the grid) from above."""
    k = len(mode)
    flat = math.fsum(1.0 - (1.0 - lo) ** (k - 1) for lo in lows) / k  # tau -> 0: Beta(1, K - 1)
    i = int(tails.argmax())
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    best = minimize_scalar(lambda x: -float(_tails(math.exp(x), mode, lows)), bounds=(lo, hi), method="bounded")
    top = max(flat, float(tails.max()), -float(best.fun))
    what = f"mass={show(mass)} within +-{show(bound)} of mode={show(mode)}"
    if (1.0 - mass) / 2.0 >= top:
        raise InfeasibleError(
            f"{what} cannot be met: every Dirichlet with this mode puts more there (mass is PreliZ's "
            f"1 - 2 * the mean lower tail below mode_i - bound, at least {1.0 - 2.0 * top:.6g} for any "
            "concentration); ask for a larger mass or a smaller bound")
    raise InfeasibleError(f"{what} cannot be met: it needs concentrations beyond 1e15 (the mean lower tail is "
                          f"still {float(tails[-1]):.3g} there); ask for a smaller mass or a larger bound")


RECORD = FamilyRecord(
    name="Dirichlet",
    multivariate=True,
    params=(param("concentration", "positive"),),
    discrete=False,
    support=None,
    cdf=None,
    icdf=None,
    logpdf=None,
    mean=_mean_of,
    variance=None,
    mode=None,
    median=None,
    entropy=None,
    inversions=(Inversion(frozenset({"mean", "count"}), frozenset(), _mean_count),),
    formulas=(
        "mean_i = concentration_i / sum(concentration)",
        "component i ~ Beta(concentration_i, sum - concentration_i)",
        "count = sum(concentration) (concentration = count * mean, as in the Stan guide)",
        "mode_i = (concentration_i - 1) / (sum - K) when every concentration_i > 1",
        "from --mode, --bound, --mass: concentration = 1 + tau * mode with "
        "mean_i P(X_i < mode_i - bound) = (1 - mass) / 2 (PreliZ's dirichlet_mode)",
    ),
    example="priorcli sample dirichlet --concentration 1,2,3",
    components=_components,
    solves=(TargetSolve(frozenset({"mode", "bound", "mass"}), solve_mode),),
)

SCIPY = ScipyOracle("dirichlet", lambda concentration: {"alpha": concentration})
