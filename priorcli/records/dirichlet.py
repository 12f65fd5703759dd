"""Dirichlet(concentration): the one multivariate family priorcli takes.

Its record holds no scalar closed forms (the records in ``RECORDS`` serve the univariate fast
paths); what priorcli knows beyond numpyro here is the mean/count inversion of the Stan guide, the
solve from a mode and the mass within +-bound of it (PreliZ's dirichlet_mode, in
:mod:`priorcli.records.dirichletmode`) and the text ``priorcli info`` shows. ``SCIPY`` is its scipy oracle (scipy.stats.dirichlet).
"""

from __future__ import annotations

import math

from priorcli.records.base import FamilyRecord, Inversion, TargetSolve, param
from priorcli.records.oracle import ScipyOracle


def _mean_count(xp, mean, count):
    """concentration = count * mean (a simplex mean, count = sum of the concentrations)."""
    return {"concentration": tuple(count * m for m in mean)}


def _mode_bound_mass(mode, bound, mass) -> dict:
    """concentration = 1 + tau * mode, tau from the mass within +-bound (records/dirichletmode.py)."""
    from priorcli.records import dirichletmode

    return dirichletmode.solve_mode(mode, bound, mass)


def _components(concentration) -> list[tuple[str, dict]]:
    """Component i is Beta(concentration_i, sum(concentration) - concentration_i)."""
    total = sum(concentration)
    return [("Beta", {"concentration1": a, "concentration0": total - a}) for a in concentration]


def _mean_of(concentration) -> tuple[float, ...]:
    total = math.fsum(concentration)
    return tuple(c / total for c in concentration)


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
    solves=(TargetSolve(frozenset({"mode", "bound", "mass"}), _mode_bound_mass),),
)

SCIPY = ScipyOracle("dirichlet", lambda concentration: {"alpha": concentration})
