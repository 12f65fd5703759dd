"""Closed forms: answers without a numerical search.

* A family with a target algebra (the record's ``algebra`` hook: LogNormal's, in
  :mod:`priorcli.records.lognormal`, ``math`` and ``statistics.NormalDist`` only, so this path
  imports neither numpy nor scipy nor jax and runs in shell loops) from location/sd targets,
  whole; one target left gives the relation and a small table over sigma.
* A multivariate family (Dirichlet) from a simplex mean and a count (the record's inversion);
  without a count, a table.
* Inside the general solver (standardised coordinates): the record's :class:`Inversion` when the
  targets are exactly the ones it takes (Gamma/InverseGamma/Beta/BetaProportion from mean+sd,
  Beta from mean+count), and the linear solve of a location-scale or scale family whose shapes are
  held: every target is ``loc + b * scale`` with ``b`` from the standard member.
"""

from __future__ import annotations

import math

from priorcli.errors import ConvergenceError, InfeasibleError, UsageError
from priorcli.solving.equations import Eq, achieved, equations, finite
from priorcli.solving.problem import Problem, Redundant
from priorcli.solving.result import SIGMA_GRID, TOL, Solution, Underdetermined, show
from priorcli.families.targets import Targets

__all__ = ["solve_algebra", "solve_simplex", "algebra_candidates", "record_inversion", "linear", "WHAT"]


# ---- a record's target algebra (LogNormal's) ----------------------------------------------


def _term(alg, eq: Eq):
    return alg.term(eq.kind, eq.value, eq.label, eq.p)


def _algebra_value(F, eq: Eq, mu: float, s: float) -> float:
    if eq.kind not in F.algebra.kinds:
        raise UsageError(f"{eq.label} does not apply to {F.name}")
    return F.algebra.value_at(eq.kind, mu, s, eq.p, eq.lower, eq.upper)


def _check_fixed_algebra(F, fixed: dict) -> dict:
    out = {}
    domains = {p.name: p.domain for p in F.params}
    for name, v in fixed.items():
        if name not in domains:
            raise UsageError(f"{F.name} has no parameter {name!r} (expected {', '.join(F.param_names)})")
        v = finite(name, v)
        d = domains[name]
        if d.lower_bounded and d.low == 0.0 and not d.low_closed and not v > 0.0:
            raise UsageError(f"{name}={show(v)} must be positive")
        out[name] = v
    return out


def _several(cands: list[tuple[float, float]]) -> list[str]:
    if len(cands) < 2:
        return []
    shown = " and ".join(f"scale={s:.6g}" for _, s in cands)
    return [f"{len(cands)} solutions: {shown}; chose the smaller scale (sigma)"]


def _as_params(F, cand: tuple[float, float]) -> dict:
    loc_name, scale_name = F.param_names
    return {loc_name: cand[0], scale_name: cand[1]}


def algebra_candidates(F, eqs: list[Eq], fixed: dict) -> tuple[list[dict], list[str]]:
    """(loc, scale) candidates of location/sd equations from the record's algebra, ascending scale,
    and a note when there are several; the general solver's path for such a family (a single
    equation left is Redundant)."""
    alg = F.algebra
    cands = alg.candidates([_term(alg, eq) for eq in eqs], fixed)
    if isinstance(cands, alg.Term):  # pragma: no cover - counted before
        raise Redundant(len(eqs) - 1)
    return [_as_params(F, c) for c in cands], _several(cands)


def _algebra_table(F, term, eqs: list[Eq], fixed: dict, t: Targets) -> Underdetermined:
    """One target left: the relation between mu and sigma, and a table over sigma."""
    alg = F.algebra
    loc_name, scale_name = F.param_names
    if loc_name in fixed:
        mu = fixed[loc_name]
        rows = tuple({"params": _as_params(F, (mu, s))} for s in SIGMA_GRID)
        rel = f"{term.label} holds for every sigma when {loc_name}={show(mu)} ({alg.fixed_loc})"
        return Underdetermined(F.name, rel, rows, t.as_dict(), scale_name)
    if term.kind == "quantile":
        z = term.b
        rel = f"mu = log(quantile {show(term.p)}) {'-' if z >= 0 else '+'} {abs(z):.6g}*sigma"
    else:
        rel = alg.relation[term.kind]
    value = next(eq.value for eq in eqs if eq.label == term.label)  # as the user gave it
    rel += f", where log({show(value)}) = {term.logv:.6g} ({alg.names})"
    rows = tuple({"params": _as_params(F, (term.logv - term.c(s), s))} for s in SIGMA_GRID)
    return Underdetermined(F.name, rel, rows, t.as_dict(), scale_name)


def solve_algebra(F, t: Targets, fixed: dict) -> Solution | Underdetermined:
    """A family with a target algebra (LogNormal) from mode/median/mean/sd/quantile targets, with
    loc or scale possibly fixed."""
    alg = F.algebra
    fixed = _check_fixed_algebra(F, fixed)
    eqs = equations(F.name, t, F.support_given())
    if not eqs:
        raise UsageError(f"no targets given: {F.name} takes --mode, --median, --mean, --sd, --quantile or an interval")
    cands = alg.candidates([_term(alg, eq) for eq in eqs], fixed)
    if isinstance(cands, alg.Term):
        return _algebra_table(F, cands, eqs, fixed, t)
    alternatives = tuple({"params": _as_params(F, c)} for c in cands[1:])
    mu, s = cands[0]
    params = _as_params(F, (mu, s))
    for eq in eqs:
        got = _algebra_value(F, eq, mu, s)
        if not (math.isfinite(mu) and math.isfinite(got) and abs(got - eq.value) <= TOL * abs(eq.value)):
            shown = ", ".join(f"{k}={v:.6g}" for k, v in params.items())
            raise ConvergenceError(f"{F.name}({shown}) misses {eq.label}: it gives {got:.6g}")
    kinds = {e.kind for e in eqs}
    return Solution(
        F.name,
        params,
        t.as_dict(),
        achieved(t, lambda eq: _algebra_value(F, eq, mu, s)),
        tuple(_several(cands)),
        alternatives,
        "root" if alg.needs_root(kinds) and F.param_names[1] not in fixed else "closed-form",
    )


# ---- a multivariate record's mean/count inversion (Dirichlet's) --------------------------

_COUNTS = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)  # the table's counts when none is given


def _simplex(F, name: str, value) -> tuple[float, ...]:
    """A simplex target (a mean or a mode): at least two components in (0, 1) summing to 1."""
    value = value if isinstance(value, (tuple, list)) else (value,)
    value = tuple(finite(name, v) for v in value)
    if len(value) < 2:
        raise UsageError(f"{name}={show(value)} must have at least two components for {F.name}")
    if any(not 0.0 < v < 1.0 for v in value):
        raise UsageError(f"{name}={show(value)}: every component must be strictly between 0 and 1")
    total = math.fsum(value)
    if abs(total - 1.0) > 1e-9:
        raise UsageError(f"{name}={show(value)} must sum to 1 (it sums to {total:.10g})")
    return value


def _words(kinds) -> str:
    order = ("mode", "mean", "bound", "mass", "count")
    names = [f"--{k}" for k in sorted(kinds, key=lambda k: order.index(k) if k in order else len(order))]
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)


def _forms(F) -> str:
    """The target sets a multivariate record solves, for messages ("--mean and --count, or ...")."""
    return ", or ".join(_words(ks) for ks in [inv.targets for inv in F.inversions] + [s.targets for s in F.solves])


def _record_solve(F, t: Targets, given: set) -> Solution | None:
    """The record's numerical solve taking exactly the given targets (Dirichlet's mode, bound and
    mass); None when none does. Part of one's targets without the rest is a usage error naming them."""
    for solve in F.solves:
        if given and given < solve.targets:
            raise UsageError(f"{F.name} from {_words(given)} needs {_words(solve.targets - given)} too")
        if given == solve.targets:
            values = {k: _simplex(F, k, v) if k in ("mode", "mean") else v for k, v in t.as_dict().items()}
            out = solve.solve(**values)
            got = {k: out["achieved"][k] for k in t.as_dict()}
            return Solution(F.name, out["params"], t.as_dict(), got, tuple(out["notes"]),
                            tuple(out["alternatives"]), out["method"])
    return None


def solve_simplex(F, t: Targets, fixed: dict) -> Solution | Underdetermined:
    """A multivariate family (Dirichlet) from a simplex mean and a count through its record's
    inversion: concentration = count * mean (the Stan guide); or through one of its record's
    numerical solves (from a mode, a bound and a mass, as PreliZ's dirichlet_mode)."""
    name = F.name
    if fixed:
        raise UsageError(f"{name} solving takes no fixed parameters (got {', '.join(fixed)})")
    given = set(t.as_dict())
    solved = _record_solve(F, t, given)
    if solved is not None:
        return solved
    if given - {"mean", "count"}:
        raise UsageError(f"{name} solving takes {_forms(F)}, not {_words(given)}")
    if t.mean is None:
        raise UsageError(f"{name} solving needs --mean (a simplex, e.g. 0.2,0.3,0.5) and --count, or a simplex "
                         f"--mode with --bound and --mass")
    mean = _simplex(F, "mean", t.mean)
    inversion = F.inversion({"mean", "count"}).formula
    if t.count is None:
        rows = tuple({"params": inversion(math, mean=mean, count=n)} for n in _COUNTS)
        (param,) = F.param_names
        relation = f"{param} = count * mean, for every count > 0"
        return Underdetermined(name, relation, rows, t.as_dict(), "count")
    count = finite("count", t.count)
    if count <= 0.0:
        raise UsageError(f"count={show(count)} must be positive")
    params = inversion(math, mean=mean, count=count)
    (conc,) = params.values()
    s = math.fsum(conc)
    got = {"mean": tuple(c / s for c in conc), "count": s}
    got = {k: got[k] for k in t.as_dict()}
    return Solution(name, params, t.as_dict(), got)


# ---- inside the general solver (standardised coordinates) -----------------------------------


def record_inversion(prob: Problem, eqs: list[Eq], free) -> dict | None:
    """The record's closed form for exactly these targets, every parameter free; None if none."""
    by = {eq.kind: eq.value for eq in eqs}
    if len(free) != len(prob.names) or len(by) != len(eqs):
        return None
    inversion = prob.F.inversion(set(by))
    if inversion is None:
        return None
    if not inversion.holds(**by):
        raise InfeasibleError(inversion.why(**by))
    return inversion(**by)


WHAT = {"mode": "unique mode", "median": "median", "mean": "finite mean", "sd": "finite sd", "quantile": "quantile",
        "skewness": "finite skewness", "kurtosis": "finite kurtosis"}


def _standard_member(prob: Problem, fixed: dict) -> dict:
    std = dict(fixed)
    if prob.F.linear is not None:  # the member at l = 0, s = 1
        std.update({n: cs for n, (_, cs) in prob.F.linear.items()})
    else:
        for n, k in prob.scaling.items():
            std[n] = 0.0 if k == "loc" else 1.0
    return std


def linear(prob: Problem, eqs: list[Eq], fixed: dict, free) -> dict:
    """Location-scale / scale families with shapes held: targets are loc + b * scale."""
    fam = prob.family
    std = _standard_member(prob, fixed)
    shape_desc = ", ".join(f"{n}={show(v)}" for n, v in fixed.items() if n not in prob.scaling)
    who = f"{fam} with {shape_desc}" if shape_desc else fam
    rows = []  # (coef_loc, coef_scale, rhs, label, eq index or None)
    for i, eq in enumerate(eqs):
        b = prob.value(eq, std)
        if not math.isfinite(b):
            raise InfeasibleError(f"{eq.label}: {who} has no {WHAT[eq.kind]}")
        rows.append((0.0 if eq.kind == "sd" else 1.0, b, eq.value, eq.label, i))
    if not prob.shift:  # one scale-like parameter
        (name,) = free
        _, b, v, label, _ = rows[0]
        if b <= 0.0:
            raise InfeasibleError(f"{label} cannot hold: {who} has its {eqs[0].kind} at 0 for every {name}")
        s = v / b
        out = dict(fixed)
        out[name] = s if prob.scaling[name] == "scale" else 1.0 / s
        return out
    return _linear_shift(prob, rows, fixed, who)


def _linear_shift(prob: Problem, rows: list, fixed: dict, who: str) -> dict:
    """Shift families: unknowns (l, s) with X = l + s * X0, from two rows (targets or fixed)."""
    names = prob.F.linear
    if names is None:
        loc_name = next(n for n, k in prob.scaling.items() if k == "loc")
        scale_name = next(n for n, k in prob.scaling.items() if k == "scale")
        names = {loc_name: (1.0, 0.0), scale_name: (0.0, 1.0)}
    for n, (cl, cs) in names.items():
        if n in fixed:
            rows.append((cl, cs, fixed[n], f"{n}={show(prob.back(n, fixed[n]))}", None))
    (a1, b1, r1, l1, i1), (a2, b2, r2, l2, i2) = rows
    det = a1 * b2 - a2 * b1
    size = max(abs(a1), abs(b1)) * max(abs(a2), abs(b2))
    if abs(det) <= 1e-12 * size:
        # the same combination of loc and scale: consistent -> one free parameter left
        f = (a2 / a1) if a1 else (b2 / b1)
        if abs(r2 - f * r1) <= 1e-10 * max(1.0, abs(r1), abs(r2)) and (i1 is not None or i2 is not None):
            raise Redundant(i2 if i2 is not None else i1)
        raise InfeasibleError(f"{l1} and {l2} cannot both hold for {who}: they pin the same quantity")
    loc = (r1 * b2 - r2 * b1) / det
    s = (a1 * r2 - a2 * r1) / det
    if not s > 0.0:
        hint = ""
        if a1 and a2:
            lo, hi = (l1, l2) if b1 < b2 else (l2, l1)
            hint = f": {lo.split('=')[0]} must lie below {hi.split('=')[0]} for every {who}"
        raise InfeasibleError(f"{l1} and {l2} cannot both hold{hint} (they imply a scale of {s * prob.c:.6g})")
    out = dict(fixed)
    for n, coefficients in names.items():
        out[n] = _combination(coefficients, loc, s)
    return out


def _combination(coefficients: tuple[float, float], loc: float, s: float) -> float:
    """cl * loc + cs * s, leaving out the zero terms (so that loc itself keeps its sign at -0.0)."""
    terms = [c * v for c, v in zip(coefficients, (loc, s)) if c]
    return terms[0] if len(terms) == 1 else terms[0] + terms[1]
