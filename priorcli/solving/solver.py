"""The solver's entry point: ``solve(family, targets, fixed)`` picks the path for the family and
the targets, and checks every numerical answer against what was asked before returning it."""

from __future__ import annotations

import math

from priorcli import records
from priorcli.errors import ConvergenceError, InfeasibleError, PriorError, UsageError
from priorcli.solving.closed import WHAT, solve_algebra, solve_simplex
from priorcli.solving.equations import Eq, achieved, check_mean_bounds, equations
from priorcli.solving.lsq import free_directions, free_parameters_error
from priorcli.solving.maxent import maxent
from priorcli.solving.numeric import solve_std
from priorcli.solving.overfit import fit_overdetermined
from priorcli.solving.problem import Problem, Redundant, check_fixed
from priorcli.solving.result import MISS, TOL, Solution, Underdetermined
from priorcli.solving.underdetermined import underdetermined
from priorcli.solving.whole import solve_whole
from priorcli.families.targets import Targets

__all__ = ["solve", "solve_params"]


def solve(family: str, targets: Targets, fixed: dict[str, float] | None = None,
          record=None) -> Solution | Underdetermined:
    """Parameters of ``family`` (a numpyro class name) meeting ``targets``, with ``fixed`` held.

    ``fixed`` maps native parameter names to values; ``record`` replaces the family's record (a
    truncated family's, ``priorcli.records.truncated``). Raises UsageError for malformed requests,
    InfeasibleError for targets that cannot hold together, ConvergenceError when a numerical
    solve does not meet its targets.
    """
    fixed = dict(fixed or {})
    if not isinstance(targets, Targets):
        raise TypeError("targets must be a priorcli.families.targets.Targets")
    F = record or records.describe(family)
    if F is not None and F.multivariate:
        return solve_simplex(F, targets, fixed)
    if F is not None and F.algebra is not None and targets.mass is None and targets.lower is None \
            and targets.upper is None and targets.skewness is None and targets.kurtosis is None \
            and not _more_targets_than_params(family, targets, fixed, F):
        return solve_algebra(F, targets, fixed)
    import warnings

    with warnings.catch_warnings():
        # scipy.special on out-of-range trial points warns (overflow, divide by zero): the
        # solvers treat such points as undefined, the user need not see them.
        warnings.simplefilter("ignore", RuntimeWarning)
        result = _solve_record(family, targets, fixed, F)
    if isinstance(result, Solution):
        F.check_exact_counts(result.params)
    return result


def _equations_for(family: str, F, t: Targets, fixed: dict) -> tuple[list[Eq], list[str]]:
    """Validated equations and the free parameters (whole-number parameters must be held)."""
    free = [p.name for p in F.params if p.name not in fixed]
    domains = {p.name: p.domain for p in F.params}
    integer = [n for n in free if domains[n].integer]
    if integer:
        raise UsageError(
            f"{family}'s {integer[0]} is a whole number priorcli does not solve for: give it "
            f"(--{integer[0].replace('_', '-')} N)"
        )
    # held parameters may set the support (a Binomial's total_count)
    support = F.support_given(fixed)
    eqs = equations(family, t, support, F.discrete)
    if not eqs:
        raise UsageError(f"no targets given for {family}")
    check_mean_bounds(family, eqs, support)
    free = [p.name for p in F.params if p.name not in fixed]
    if not free:
        raise UsageError(f"every parameter of {family} is fixed: nothing to solve")
    if F.discrete:
        _check_discrete_targets(family, eqs)
    _check_atom_targets(family, F, eqs, len(free))
    return eqs, free


def _check_atom_targets(family: str, F, eqs: list[Eq], free: int) -> None:
    """A point mass beside a density (HurdleGamma) has no mode, nor an entropy to maximise."""
    for eq in eqs:
        if eq.kind == "mode" and F.atom:
            raise UsageError(f"{eq.label}: {family} has no mode (its point mass at 0 and its density are not "
                             "comparable); give the mean, the median or quantiles instead")
        if eq.kind == "mass" and F.atom and F.maxent_entropy is None and len(eqs) < free:
            raise UsageError(f"{eq.label}: {family} has no entropy to maximise (a point mass beside a density), "
                             "so an interval needs as many targets as free parameters; add targets or hold "
                             "parameters")


def _check_discrete_targets(family: str, eqs: list[Eq]) -> None:
    """A discrete family's quantiles are whole numbers; its mode is a step in the parameters."""
    for eq in eqs:
        if eq.location and not abs(eq.value) <= records.MAX_WHOLE:
            raise UsageError(f"{eq.label} is beyond 2^53, where float64 no longer counts the whole numbers of "
                             f"{family} exactly")
        if eq.kind in ("quantile", "median") and eq.value != math.floor(eq.value):
            raise UsageError(f"{eq.label} is not a whole number: the quantiles of {family} are whole numbers")
        if eq.kind == "mode":
            raise UsageError(
                f"{eq.label}: the mode of {family} is a whole number that a range of parameters share; "
                "give the mean, the median or quantiles instead"
            )


def _more_targets_than_params(family: str, t: Targets, fixed: dict, F) -> bool:
    """Whether a least-squares fit is needed (cheap: no numerics)."""
    from priorcli.errors import PriorError

    try:
        eqs = equations(family, t, F.support_given())
    except PriorError:
        return False  # the ordinary path reports it
    return len(eqs) > len([p for p in F.params if p.name not in fixed])


def _solve_record(family: str, t: Targets, fixed: dict, F) -> Solution | Underdetermined:
    """Any family with a record: closed forms, scans, least squares, maximum entropy."""
    if F is None:
        raise UsageError(f"solving for targets is not supported for {family}; give its parameters directly")
    fixed = check_fixed(family, F, fixed)
    whole = [n for n in F.solves_whole if n not in fixed]
    if whole:  # a whole number scanned for, the rest solved at each (priorcli.solving.whole)
        # the targets against the support of every whole number (a held n = 1 would name (0, 1))
        equations(family, t, F.support_given({**fixed, whole[0]: math.inf}), F.discrete)
        return solve_whole(family, F, t, fixed, whole[0], lambda held: _solve_held(family, t, held, F))
    eqs, free = _equations_for(family, F, t, fixed)
    n, k = len(eqs), len(free)
    has_mass = any(eq.kind == "mass" for eq in eqs)
    labels = ", ".join(eq.label for eq in eqs)
    prob = Problem(family, F, eqs, fixed)
    if n > k:
        return _least_squares(prob, t)
    if n < k and not has_mass:
        if k - n > 1:
            raise UsageError(
                f"not enough targets for {family}: {k} free parameters ({', '.join(free)}) but only {labels}; "
                "give more targets or fix parameters"
            )
        return underdetermined(prob, t, labels)
    try:
        if n < k:
            cands, method, notes = _maxent_held(prob, eqs, fixed)
        else:
            cands, method, notes = solve_std(prob, prob.eqs, prob.fixed)
    except Redundant as red:
        eqs2 = [eq for i, eq in enumerate(eqs) if i != red.drop]
        if red.root is None:  # an exact identity (the same quantity twice)
            return underdetermined(Problem(family, F, eqs2, fixed), t, labels)
        table = _checked_table(Problem(family, F, eqs2, fixed), prob, t, labels)
        if table is not None:
            return table
        cands, method, notes = [red.root], "root", []
    return _finish(prob, t, cands, method, notes)


def _solve_held(family: str, t: Targets, held: dict, F) -> Solution | Underdetermined:
    """One whole number of the scan held: the rest solved, or, with every parameter then held
    (``solve binomial --probs 0.3 --mean 6``), the targets scored there as a fit scores them."""
    if any(p.name not in held for p in F.params):
        return _solve_record(family, t, held, F)
    support = F.support_given(held)
    eqs = equations(family, t, support, F.discrete)
    check_mean_bounds(family, eqs, support)
    prob = Problem(family, F, eqs, held)
    weights = [t.weight(eq.key) for eq in eqs]
    fit_residuals = [prob.fit_residual(eq, prob.fixed) for eq in prob.eqs]
    loss = float(sum(w * r * r for w, r in zip(weights, fit_residuals)))
    if not math.isfinite(loss):
        raise InfeasibleError(f"{family} cannot meet the targets at {held}")
    verifier = Problem(family, F, eqs, held)
    got = achieved(t, lambda eq: verifier.value(eq, held))
    if loss <= TOL * TOL:
        return Solution(family, dict(held), t.as_dict(), got, (), (), "closed-form")
    return Solution(family, dict(held), t.as_dict(), got, (), (), "least-squares", loss=loss,
                    residuals={eq.key: r for eq, r in zip(eqs, fit_residuals)},
                    weights={eq.key: w for eq, w in zip(eqs, weights)}, misses=_misses(verifier, prob.c, held))


def _maxent_held(prob: Problem, eqs: list[Eq], fixed: dict):
    """Maximum entropy with the targets that are parameters (the record's ``direct``: a hurdle's
    P(X = 0) is its gate) held as those parameters; the parameter the record's ``maxent_holds``
    names (a zero-inflated family's gate) must be held or pinned so, or the message says how."""
    F = prob.F
    pinned = {F.direct[eq.kind]: eq.value for eq in eqs if F.direct.get(eq.kind) in prob.free}
    hold = F.maxent_holds if F.maxent_holds is not None and F.maxent_holds[0] in prob.free \
        and F.maxent_holds[0] not in pinned else None
    mass = next(eq for eq in eqs if eq.kind == "mass")
    if hold is not None and F.atom:  # an atom beside a density: no entropy with the gate free
        raise UsageError(f"{mass.label}: {prob.family} has no entropy to maximise with its {hold[0]} free (a point "
                         f"mass beside a density); {hold[1]}, or give as many targets as free parameters")
    reduced = prob
    if pinned:
        reduced = Problem(prob.family, F, [eq for eq in eqs if F.direct.get(eq.kind) not in pinned],
                          {**fixed, **pinned})
    try:
        cands, method, notes = maxent(reduced)
    except (InfeasibleError, ConvergenceError) as exc:
        if hold is None:
            raise
        raise type(exc)(f"{exc} ({hold[0]} is free: {hold[1]})") from None
    return [prob.to_std(reduced.from_std(c)) for c in cands], method, notes


def _checked_table(reduced: Problem, prob: Problem, t: Targets, labels: str) -> Underdetermined | None:
    """The table of a numerically judged redundancy, if every row meets every target, dropped one
    included; else None (the system was determined, only ill-conditioned)."""
    try:
        table = underdetermined(reduced, t, labels)
    except PriorError:
        return None
    if all(_missed(prob, row["params"]) is None for row in table.solutions):
        return table
    return None


def _missed(prob: Problem, params: dict):
    """(target, value there) for the first target that ``params`` (original units) misses, or None.
    Non-finite parameters miss the first target whatever it gives."""
    verifier = Problem(prob.family, prob.F, prob.eqs_orig, prob.fixed_orig)
    finite = all(math.isfinite(v) for v in params.values())
    for eq in prob.eqs_orig:
        got = verifier.value(eq, params)
        if not finite or not abs(got - eq.value) <= TOL * verifier.denom(eq, prob.c):
            return eq, got
    return None


def _least_squares(prob: Problem, t: Targets) -> Solution:
    """More targets than free parameters: the weighted least-squares fit (priorcli.solving.overfit)."""
    weights = [t.weight(eq.key) for eq in prob.eqs_orig]
    fit = fit_overdetermined(prob, weights)
    params = {**prob.from_std(fit.params), **prob.fixed_orig}
    if not all(math.isfinite(v) for v in params.values()):
        raise ConvergenceError(f"the least-squares fit of {prob.family} gave non-finite parameters")
    verifier = Problem(prob.family, prob.F, prob.eqs_orig, prob.fixed_orig)
    for eq in prob.eqs_orig:  # a moment the family lacks (HalfCauchy's mean) leaves the loss nan
        if not math.isfinite(verifier.value(eq, params)):
            raise InfeasibleError(f"{eq.label}: {prob.family} has no {WHAT.get(eq.kind, eq.kind)}")
    if not math.isfinite(fit.loss):
        raise ConvergenceError(f"the least-squares fit of {prob.family} gave a loss of {fit.loss}")
    _check_pinned(prob, fit)
    loss, fit_residuals = fit.loss, fit.residuals
    rounded = _rounded_ends(prob, params)
    if rounded is not None:  # whole-number ends: the rounded fit
        params = rounded
        p = prob.to_std(params)
        fit_residuals = [prob.fit_residual(eq, p) for eq in prob.eqs]
        loss = float(sum(w * r * r for w, r in zip(weights, fit_residuals)))
    got = achieved(t, lambda eq: verifier.value(eq, params))
    residuals = {eq.key: r for eq, r in zip(prob.eqs_orig, fit_residuals)}
    weights_by_key = {eq.key: w for eq, w in zip(prob.eqs_orig, weights)}
    k = len(prob.free)
    notes = (f"{len(prob.eqs)} targets for {k} free parameter{'s' if k > 1 else ''}: least-squares fit, "
             f"loss {loss:.3g} (sum of weighted squared residuals; see the README)",)
    return Solution(prob.family, params, t.as_dict(), got, notes, (), "least-squares",
                    loss=loss, residuals=residuals, weights=weights_by_key,
                    misses=_misses(verifier, prob.c, params))


def _misses(verifier: Problem, scale: float, params: dict) -> dict:
    """Targets a fit misses by more than MISS: relative to the requested value (to the targets'
    spread for a location near 0 of a location family, as the residuals are)."""
    out = {}
    for eq in verifier.eqs_orig:
        got = verifier.value(eq, params)
        denom = abs(eq.value) if eq.kind == "mass" else verifier.denom(eq, scale)
        relative = abs(got - eq.value) / denom
        if relative > MISS:
            out[eq.key] = {"requested": eq.value, "achieved": got, "relative": relative}
    return out


def _check_pinned(prob: Problem, fit) -> None:
    """More targets than parameters, all met (loss 0), can still leave a parameter free: a Normal's
    mode, median and mean all fix its loc and say nothing of its scale. Then any scale would be as
    good as the one returned, so it is a usage error, not an answer."""
    x = prob.x_of(fit.params) if fit.loss <= 1e-20 else None
    if x is None:
        return
    free = free_directions(lambda y: prob.residuals(prob.eqs, prob.params_of(y)), x)
    if free:
        raise free_parameters_error(prob.eqs_orig, prob.family, free)


def _finish(prob: Problem, t: Targets, cands: list[dict], method: str, notes: list[str]) -> Solution:
    """Back to original units, pick the answer, verify it, build the Solution."""
    family = prob.family
    full = [{**prob.from_std(p), **prob.fixed_orig} for p in cands]
    params = full[0]
    alternatives = tuple({"params": p} for p in full[1:])
    # verify in the original units
    verifier = Problem(family, prob.F, prob.eqs_orig, prob.fixed_orig)
    params = _whole_ends(prob, params)
    missed = _missed(prob, params)
    if missed is not None:
        eq, got = missed
        raise ConvergenceError(
            f"the {family} solution ({', '.join(f'{k}={v:.6g}' for k, v in params.items())}) misses "
            f"{eq.label}: it gives {got:.8g}"
        )
    got = achieved(t, lambda eq: verifier.value(eq, params))
    return Solution(family, params, t.as_dict(), got, tuple(notes), alternatives, method)


def _free_ends(prob: Problem) -> list[str]:
    """A discrete family's support ends being solved for (DiscreteUniform's low and high)."""
    return [n for n in prob.F.support_params if n in prob.free] if prob.F.discrete else []


def _rounded_ends(prob: Problem, params: dict) -> dict | None:
    """``params`` with the free support ends of a discrete family rounded to whole numbers; None
    when they are whole already (or there are none)."""
    ends = _free_ends(prob)
    if all(params[n] == math.floor(params[n]) for n in ends):
        return None
    return {k: (float(round(v)) if k in ends else v) for k, v in params.items()}


def _whole_ends(prob: Problem, params: dict) -> dict:
    """A discrete family's support ends (DiscreteUniform's low and high) are whole numbers: the
    answer with them rounded, if it still meets every target; else an InfeasibleError."""
    rounded = _rounded_ends(prob, params)
    if rounded is None:
        return params
    ends = _free_ends(prob)
    missed = _missed(prob, rounded)
    if missed is None:
        return rounded
    eq, got = missed
    raise InfeasibleError(
        f"{prob.family}'s {' and '.join(ends)} are whole numbers: the answer "
        f"({', '.join(f'{k}={v:.6g}' for k, v in params.items())}) rounds to "
        f"({', '.join(f'{k}={v:.6g}' for k, v in rounded.items())}), which misses {eq.label} (it gives "
        f"{got:.6g}); give targets that whole-number {' and '.join(ends)} can meet"
    )


def solve_params(family: str, targets: Targets, fixed: dict, whole: bool = False, record=None):
    """Native parameters meeting the targets, for ``sample``/``summarize`` and model statements that
    give targets instead of parameters (the whole Solution with ``whole``): an underdetermined
    request is a usage error there."""
    result = solve(family, targets, fixed, record)
    if isinstance(result, Underdetermined):
        raise UsageError(
            f"the targets leave a parameter of {family} free ({result.relation}); "
            "add a second target or fix a parameter"
        )
    return result if whole else result.params


def target_loss(family: str, t: Targets, params: dict, record=None) -> tuple[float, dict]:
    """The least-squares loss of ``params`` against ``t`` and each target's residual (as a
    least-squares fit reports them; ~0 for an exact solution): what ``solve --family`` ranks by.
    ``record`` replaces the family's (a truncated family's), as in :func:`solve`."""
    F = record or records.get(family)
    support = F.moving_support or F.support_given(params)  # a fit may leave a target off the support
    eqs = equations(family, t, support, F.discrete)
    prob = Problem(family, F, eqs, {})
    p = prob.to_std(params)
    residuals = {eq.key: prob.fit_residual(eq, p) for eq in prob.eqs}
    return float(sum(t.weight(k) * r * r for k, r in residuals.items())), residuals
