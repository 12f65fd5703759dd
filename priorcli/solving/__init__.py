"""Targets -> parameters: the library behind ``priorcli solve``.

``solve(family, targets, fixed)`` turns what a modeller knows (mode, median, mean, sd, quantiles,
an interval's mass, a Beta/Dirichlet count) into native numpyro parameters. It returns a
:class:`Solution` (or an :class:`Underdetermined` table when one degree of freedom is left) and
raises the domain errors of :mod:`priorcli.errors` with one-line messages that name the offending
target: ``UsageError`` (exit 2) for malformed targets, ``InfeasibleError`` (exit 1) for targets that
cannot hold together, ``ConvergenceError`` (exit 1) when a numerical solve misses its targets.

The package is named ``solving`` so that ``priorcli.solve`` stays free for the public Python API
function (``priorcli.solve("lognormal", mode=1, sd=0.5)``): a submodule of that name would replace
the function on the package as soon as anything imported it.

Strategy, cheapest first (every per-family formula is read from the family records,
:mod:`priorcli.records`; none is kept here):

* LogNormal from location/sd targets: the record's closed forms on ``math`` and
  ``statistics.NormalDist`` only (no numpy/scipy/jax: this path runs in shell loops); only mode+sd
  and sd+quantile need ``scipy.optimize.brentq`` (imported lazily). Dirichlet from mean+count.
  (:mod:`.closed`)
* The records' inversions (Gamma/InverseGamma/Beta/BetaProportion from mean+sd, Beta from
  mean+count) and a linear solve for every location-scale or scale family whose shape is held
  fixed: targets are ``loc + b * scale`` with ``b`` from the standard member. (:mod:`.closed`)
* Otherwise numerics on the records' scalar closed forms (scipy.special): a 1-D bracketed
  scan/brentq (one free parameter, or shape + scale of a scale family via the ratio of two targets,
  :mod:`.scan`), else ``scipy.optimize.least_squares`` on relative residuals from several starts
  (:mod:`.lsq`, :mod:`.starts`). :mod:`.numeric` picks among them.
* Interval mass with fewer targets than free parameters: the maximum-entropy member (as PreliZ's
  ``maxent``) by SLSQP with an equality constraint on the mass (:mod:`.maxent`).
* One target short: the relation and a small table of solutions (:mod:`.underdetermined`).

All numerics run in coordinates standardised by the targets and unconstrained
(:mod:`.problem`), so results do not depend on the units of the targets. Every numerical answer
is checked against the requested targets (relative residual <= 1e-6, interval mass within 1e-6)
before it is returned (:mod:`.solver`). Targets become validated equations in :mod:`.equations`.
The answer is numbers and structure (:mod:`.result`); its code lines are the emitters'
(:class:`priorcli.emit.lines.Solved`).
"""

from __future__ import annotations

from priorcli.solving.result import SIGMA_GRID, Solution, Underdetermined, format_number
from priorcli.solving.solver import solve, solve_params, target_loss

__all__ = ["Solution", "Underdetermined", "solve", "solve_params", "target_loss", "format_number", "SIGMA_GRID"]
