"""Free names of a quoted distribution solved exactly from targets: ``priorcli solve
"Mixture([0.3, 0.7], [Normal(0, 1), Normal(m, s)])" --quantile 0.5=2 --quantile 0.9=4``.

The caller (``priorcli.model.quoted``) hands in the free names with their domains (from the
parameters they fill) and ``build(values) -> DistSpec``; this module solves on the distribution's
exact values (``priorcli.stats.exact.ExactDistribution``: a Mixture's record, a truncation's exact
cdf, quantiles and quadrature moments), never on draws:

* coordinates: each name's domain through numpyro's ``biject_to`` (log of a positive name, logit of
  a weight), one jitted map for all names;
* residuals as ``solve`` fits them: F(V) - P for a quantile or the median (a discrete distribution's
  mid-step cdf), achieved minus requested mass, relative for mean, sd and mode (relative to the
  targets' spread for a location near 0);
* scipy's ``least_squares`` (Levenberg-Marquardt) from the best few points of a grid of starts
  (mixtures are multimodal), every answer re-checked on the exact values: an exact solve (as many
  targets as names) must meet each target to 1e-6 (relative; absolute for a probability), else
  ConvergenceError; more targets than names is a least-squares fit with its residuals; fewer is a
  UsageError naming the names.

Raises PriorError subclasses; never prints.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from priorcli.errors import ConvergenceError, InfeasibleError, PriorError, UsageError
from priorcli.families.targets import Targets
from priorcli.solving.equations import Eq, achieved, check_mean_bounds, equations
from priorcli.solving.result import MISS, TOL, Solution, show

__all__ = ["FreeName", "QuotedSolution", "solve_free"]

#: targets a quoted distribution does not take (no exact value for them here)
_REFUSED = ("p_zero", "bound", "count")
#: targets without units (relative residuals, absolute about 0), from priorcli.stats.moments
_SHAPES = ("skewness", "kurtosis")
#: unconstrained coordinates beyond this are the edge of a domain (a weight within ~1e-11 of 0 or 1)
EDGE = 25.0
#: a residual where the distribution cannot be built or evaluated
BAD = 1e3
#: the quantile's pull where the cdf is flat (a value outside the support): small beside a cdf residual
FLAT_SLOPE = 1e-3
#: the most grid points evaluated, and the least-squares runs started from the best of them
MAX_GRID = 243
RUNS = 8


@dataclass(frozen=True)
class FreeName:
    """A free name and its open domain (low, high); ``text`` says where it comes from."""

    name: str
    low: float = -math.inf
    high: float = math.inf
    text: str = "a real number"


@dataclass(frozen=True)
class QuotedSolution(Solution):
    """A Solution of a quoted distribution: ``params`` are the solved distribution's (flat, as its
    DistSpec holds them), ``free`` the solved names, ``spec`` the DistSpec itself, ``domains``
    each name's domain in words; ``alternatives`` other exact solutions, each ``{"free": {...}}``."""

    free: dict = field(default_factory=dict)
    spec: Any = None
    domains: dict = field(default_factory=dict)
    label: str = ""

    def to_numpyro(self):
        """The solved distribution as a numpyro distribution (imports jax and numpyro; float64)."""
        from priorcli.stats.exact import build_distribution

        return build_distribution(self.spec)


# ---------------------------------------------------------------------------------------------
# Coordinates: numpyro's biject_to of each domain


def _constraint(d: FreeName):
    from numpyro.distributions import constraints

    if math.isfinite(d.low) and math.isfinite(d.high):
        return constraints.interval(d.low, d.high)
    if math.isfinite(d.low):
        return constraints.greater_than(d.low)
    if math.isfinite(d.high):
        return constraints.less_than(d.high)
    return constraints.real


class _Coordinates:
    """y (unconstrained, numpy) <-> values (the domains), through one jitted map each way."""

    def __init__(self, names: Sequence[FreeName]):
        import jax
        import jax.numpy as jnp
        from numpyro.distributions import biject_to

        transforms = [biject_to(_constraint(d)) for d in names]
        self.names = tuple(d.name for d in names)
        self._forward = jax.jit(lambda y: jnp.stack([t(y[i]) for i, t in enumerate(transforms)]))
        self._inverse = jax.jit(lambda x: jnp.stack([t.inv(x[i]) for i, t in enumerate(transforms)]))

    def values(self, y) -> dict[str, float]:
        import numpy as np

        x = np.asarray(self._forward(np.clip(np.asarray(y, dtype=np.float64), -40.0, 40.0)), dtype=np.float64)
        return {n: float(v) for n, v in zip(self.names, x)}

    def y_of(self, values: dict[str, float]):
        import numpy as np

        return np.asarray(self._inverse(np.array([values[n] for n in self.names], dtype=np.float64)), dtype=np.float64)


# ---------------------------------------------------------------------------------------------
# Exact values of one distribution


class _Exact:
    """The exact values the targets need, of one DistSpec (cdf through the transforms' inverses)."""

    def __init__(self, spec):
        from priorcli.stats.exact import ExactDistribution

        self.spec = spec
        self.exact = ExactDistribution(spec)
        self.discrete = spec.family.discrete
        self._inverse = None

    def cdf(self, y: float) -> float:
        lo, hi = self.exact.support
        if y < lo:
            return 0.0
        if y >= hi:
            return 1.0
        x = y
        if self.spec.transforms:
            x = self._base_point(y)
        value = self.exact.base.cdf(float(x))
        if value is None:
            raise InfeasibleError(f"{self.spec.label()} has no cdf here")
        return float(value) if self.exact.increasing else 1.0 - float(value)

    def _base_point(self, y: float) -> float:
        if self._inverse is None:
            from priorcli.families.transforms import build_chain

            chain = build_chain(list(self.spec.transforms))
            self._inverse = chain[::-1]
        import numpy as np

        x = np.float64(y)
        for t in self._inverse:
            x = t.inv(x)
        return float(x)

    def mid_cdf(self, v: float) -> float:
        return 0.5 * (self.cdf(v - 1.0) + self.cdf(v))

    def mass(self, lower: float, upper: float) -> float:
        below = self.cdf(math.ceil(lower) - 1.0) if self.discrete else self.cdf(lower)
        return self.cdf(upper) - below

    def value(self, eq: Eq) -> float | None:
        """The achieved value of one target (a quantile's value, the mass, the mean, ...)."""
        if eq.kind == "quantile":
            return self.exact.quantile(eq.p)
        if eq.kind == "median":
            return self.exact.quantile(0.5)
        if eq.kind == "mass":
            return self.mass(eq.lower, eq.upper)
        if eq.kind in _SHAPES:
            from priorcli.stats.moments import shape

            return shape(self.exact, eq.kind)
        return getattr(self.exact, eq.kind)()


def _number(fn) -> float:
    try:
        v = fn()
    except (PriorError, ValueError, ArithmeticError, TypeError):
        return math.nan
    return math.nan if v is None else float(v)


# ---------------------------------------------------------------------------------------------
# The problem: residuals in unconstrained coordinates


class _Problem:
    def __init__(self, label: str, names: Sequence[FreeName], build: Callable, eqs: list[Eq], scale: float):
        self.label = label
        self.names = tuple(names)
        self.build = build
        self.eqs = eqs
        self.scale = scale
        self.coords = _Coordinates(names)
        self._cache: dict[tuple, tuple] = {}

    def denom(self, eq: Eq) -> float:
        if eq.kind == "mass":
            return 1.0
        if eq.kind == "sd":
            return abs(eq.value)
        if eq.kind in _SHAPES:  # no units: relative, absolute about 0 (as solve's)
            return max(abs(eq.value), 1e-3) if eq.value != 0.0 else 1.0
        if eq.kind in ("quantile", "median"):  # a quantile's value (the check; the fit is on F)
            return max(abs(eq.value), self.scale)
        return max(abs(eq.value), self.scale)

    def exact_at(self, values: dict) -> _Exact | None:
        try:
            return _Exact(self.build(values))
        except (PriorError, ValueError, ArithmeticError, TypeError):
            return None

    def residual(self, ex: _Exact, eq: Eq) -> float:
        """One target's residual as a fit reads it (probability scale for quantiles and mass)."""
        if eq.kind in ("quantile", "median"):
            p = 0.5 if eq.kind == "median" else eq.p
            got = _number(lambda: (ex.mid_cdf if ex.discrete else ex.cdf)(eq.value))
            if not ex.discrete and got in (0.0, 1.0):
                # the value is outside the support (or past the cdf's float range): the cdf is flat
                # there and a search would stall, so the quantile's distance says which way to go
                q = _number(lambda: ex.value(eq))
                return got - p - FLAT_SLOPE * (q - eq.value) / self.denom(eq)
            return got - p
        if eq.kind == "mass":
            return _number(lambda: ex.mass(eq.lower, eq.upper)) - eq.value
        if eq.kind == "mode" and not ex.discrete:
            return self._mode_residual(ex, eq)
        return (_number(lambda: ex.value(eq)) - eq.value) / self.denom(eq)

    def _mode_residual(self, ex: _Exact, eq: Eq) -> float:
        """A smooth stand-in for (mode - v) / denom: the log density's slope at v times the variance
        (near a mode log f(x) ~ -(x - mode)^2 / (2 var)); the numerical mode itself moves in steps
        of its search's tolerance, which a finite-difference Jacobian cannot follow. The answer is
        checked on the mode itself."""
        h = 1e-5 * max(abs(eq.value), self.scale)
        slope = _number(lambda: (float(ex.exact.log_density(eq.value + h)) - float(ex.exact.log_density(eq.value - h)))
                        / (2.0 * h))
        sd = _number(ex.exact.sd)
        spread = sd if math.isfinite(sd) and sd > 0 else self.scale
        return slope * spread * spread / self.denom(eq)

    def residuals(self, y) -> list[float]:
        key = tuple(float(v) for v in y)
        hit = self._cache.get(key)
        if hit is not None:
            return list(hit)
        ex = self.exact_at(self.coords.values(y))
        out = [BAD] * len(self.eqs) if ex is None else [self.residual(ex, eq) for eq in self.eqs]
        out = [r if math.isfinite(r) else BAD for r in out]
        if len(self._cache) < 20000:
            self._cache[key] = tuple(out)
        return out

    def loss(self, y, weights) -> float:
        return float(sum(w * r * r for w, r in zip(weights, self.residuals(y))))

    def misses(self, values: dict) -> list[tuple[Eq, float]]:
        """(target, achieved) for each target an answer misses beyond TOL on the exact values."""
        ex = self.exact_at(values)
        out = []
        for eq in self.eqs:
            got = math.nan if ex is None else _number(lambda: ex.value(eq))
            if not abs(got - eq.value) <= TOL * self.denom(eq):
                out.append((eq, got))
        return out


# ---------------------------------------------------------------------------------------------
# Starts and runs


def _candidates(d: FreeName, locations: list[float], scale: float) -> list[float]:
    """A few values of one name inside its domain, in the targets' units."""
    if math.isfinite(d.low) and math.isfinite(d.high):
        return [d.low + (d.high - d.low) * t for t in (0.15, 0.5, 0.85)]
    spread = [scale * f for f in (0.25, 1.0, 4.0)]
    if math.isfinite(d.low):
        return [d.low + s for s in spread]
    if math.isfinite(d.high):
        return [d.high - s for s in spread]
    locs = sorted(set(locations)) or [0.0]
    mid = locs[len(locs) // 2]
    # the targets' values, and a spread either side (a symmetric start can be a saddle: N(-d, 1), N(d, 1))
    return sorted({locs[0], mid, locs[-1], mid - 2.0 * scale, mid + 2.0 * scale})


def _grid(prob: _Problem, locations: list[float]):
    import itertools

    import numpy as np

    axes = [_candidates(d, locations, prob.scale) for d in prob.names]
    points = list(itertools.product(*axes))
    if len(points) > MAX_GRID:  # many names: a fixed, seeded subset of the product
        keep = np.random.default_rng(0).choice(len(points), MAX_GRID, replace=False)
        points = [points[i] for i in sorted(keep)]
    out = []
    for point in points:
        y = prob.coords.y_of(dict(zip((d.name for d in prob.names), point)))
        if np.all(np.isfinite(y)):
            out.append(y)
    return out


def _runs(prob: _Problem, weights, locations: list[float]) -> list[tuple[float, Any]]:
    """(loss, y) of least-squares runs from the best starts of the grid, best first."""
    import numpy as np
    from scipy.optimize import least_squares

    sqrt_w = np.sqrt(np.asarray(weights, dtype=np.float64))
    starts = sorted(((prob.loss(y, weights), i, y) for i, y in enumerate(_grid(prob, locations))),
                    key=lambda item: (item[0], item[1]))
    results = []
    for start_loss, _, y0 in starts[:RUNS]:
        if not math.isfinite(start_loss):
            continue
        try:
            fit = least_squares(lambda y: sqrt_w * np.asarray(prob.residuals(y)), y0, method="lm", xtol=1e-15,
                                ftol=1e-15, gtol=1e-15, max_nfev=400 * len(y0), diff_step=1e-7)
        except (ValueError, ArithmeticError):
            continue
        y = np.clip(fit.x, -40.0, 40.0)
        results.append((prob.loss(y, weights), y))
    results.sort(key=lambda item: item[0])
    return results


# ---------------------------------------------------------------------------------------------
# The entry point


def _check_targets(t: Targets) -> None:
    for name in _REFUSED:
        if getattr(t, name) is not None:
            raise UsageError(f"--{name.replace('_', '-')} is not a target of a quoted distribution; give "
                             "--quantile P=V, --median, --mean, --sd, --mode, --skewness, --kurtosis or "
                             "--lower/--upper/--mass")


def _equations(label: str, t: Targets, support, discrete: bool) -> list[Eq]:
    _check_targets(t)
    if t.is_empty():
        raise UsageError("solve needs at least one target: --mode, --median, --mean, --sd, --quantile P=V, "
                         "or --lower L --upper U --mass P")
    eqs = equations(label, t, support, discrete)
    if support is not None:
        check_mean_bounds(label, eqs, support)
    return eqs


def _scale(eqs: list[Eq]) -> float:
    """The targets' units: the half range of their locations, else an sd target, else |value|, else 1."""
    locs = [eq.value for eq in eqs if eq.location] + [v for eq in eqs if eq.kind == "mass"
                                                      for v in (eq.lower, eq.upper) if math.isfinite(v)]
    spread = 0.5 * (max(locs) - min(locs)) if len(locs) > 1 else 0.0
    sds = [eq.value for eq in eqs if eq.kind == "sd"]
    for c in (spread, *sds, *(abs(v) for v in locs)):
        if c > 0:
            return c
    return 1.0


def _locations(eqs: list[Eq]) -> list[float]:
    return [eq.value for eq in eqs if eq.location] + [v for eq in eqs if eq.kind == "mass" for v in (eq.lower, eq.upper)]


def _support_of(names: Sequence[FreeName], build: Callable, locations, scale):
    """The support the targets are checked against: the same at every start, else None (it moves
    with the free names: Uniform(0, u)); and whether the distribution is discrete."""
    import itertools

    seen, discrete = set(), None
    axes = [_candidates(d, locations, scale) for d in names]
    for point in itertools.islice(itertools.product(*axes), 9):
        try:
            spec = build(dict(zip((d.name for d in names), point)))
            from priorcli.stats.exact import ExactDistribution

            seen.add(tuple(ExactDistribution(spec).support))
            discrete = spec.family.discrete
        except PriorError:
            continue
    if discrete is None:
        raise UsageError("no start inside the free names' domains gives a valid distribution ("
                         + ", ".join(f"{d.name}: {d.text}" for d in names) + ")")
    return (next(iter(seen)) if len(seen) == 1 else None), discrete


def solve_free(label: str, names: Sequence[FreeName], build: Callable, targets: Targets) -> QuotedSolution:
    """The free names of ``label`` (the quoted text) meeting ``targets``; ``build(values)`` gives the
    DistSpec at {name: value} (a PriorError where the values make no distribution)."""
    import warnings

    names = tuple(names)
    if not names:
        raise UsageError(f"'{label}' has no free names: write a name where a number should be solved "
                         "(Normal(m, s)), or use summarize for a distribution given in full")
    rough = [v for p, v in targets.quantiles] + [getattr(targets, k) for k in ("median", "mean", "mode", "lower",
                                                                                  "upper") if getattr(targets, k) is not None]
    support, discrete = _support_of(names, build, [float(v) for v in rough if isinstance(v, (int, float))], 1.0)
    eqs = _equations(label, targets, support, discrete)
    n, k = len(eqs), len(names)
    if n < k:
        raise UsageError(f"{k} free names ({', '.join(d.name for d in names)}) but only {n} target"
                         f"{'s' if n != 1 else ''} ({', '.join(eq.label for eq in eqs)}) in '{label}': give at least "
                         "as many targets as free names, or write numbers for some of them")
    prob = _Problem(label, names, build, eqs, _scale(eqs))
    weights = [targets.weight(eq.key) if n > k else 1.0 for eq in eqs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        _check_shapes(prob, _locations(eqs))
        runs = _runs(prob, weights, _locations(eqs))
        if not runs:
            raise ConvergenceError(f"the solve of '{label}' found no start where the targets can be evaluated")
        if n == k:
            return _exact(prob, targets, runs)
        return _least_squares(prob, targets, runs, weights)


def _check_shapes(prob: _Problem, locations: list[float]) -> None:
    """A --skewness/--kurtosis whose moment exists at no start (a StudentT component with df <= 3,
    a Cauchy's): InfeasibleError with the reason, rather than a solve that cannot move."""
    for eq in (eq for eq in prob.eqs if eq.kind in _SHAPES):
        first = None
        for y in _grid(prob, locations):
            ex = prob.exact_at(prob.coords.values(y))
            if ex is None:
                continue
            try:
                if math.isfinite(ex.value(eq)):
                    break
            except InfeasibleError as exc:
                first = first or exc
            except (PriorError, ValueError, ArithmeticError, TypeError):
                continue
        else:
            if first is not None:
                raise InfeasibleError(f"--{eq.kind} of '{prob.label}' exists at none of the solve's starts: {first}") from None


def _at_edge(prob: _Problem, y) -> list[str]:
    return [d.name for d, v in zip(prob.names, y) if abs(float(v)) > EDGE and (math.isfinite(d.low)
                                                                            or math.isfinite(d.high))]


def _describe(values: dict) -> str:
    return ", ".join(f"{k}={v:.6g}" for k, v in values.items())


def _exact(prob: _Problem, t: Targets, runs) -> QuotedSolution:
    """As many targets as names: the distinct roots that meet every target (the first is the one
    from the best start), or ConvergenceError naming the closest miss."""
    roots: list[dict] = []
    for _, y in runs:
        values = prob.coords.values(y)
        if _at_edge(prob, y) or prob.misses(values):
            continue
        if not any(all(abs(values[n] - r[n]) <= 1e-6 * max(1.0, abs(r[n])) for n in values) for r in roots):
            roots.append(values)
    if not roots:
        best = prob.coords.values(runs[0][1])
        edge = _at_edge(prob, runs[0][1])
        if edge:
            raise ConvergenceError(f"the solve of '{prob.label}' runs to the edge of {', '.join(edge)}'s domain "
                                   f"({_describe(best)}): no values inside meet the targets")
        eq, got = prob.misses(best)[0]
        raise ConvergenceError(f"the solve of '{prob.label}' does not meet the targets: the closest values found "
                               f"({_describe(best)}) give {eq.label.split('=')[0]}={got:.8g}, not {show(eq.value)}")
    _check_identified(prob, prob.coords.y_of(roots[0]), [1.0] * len(prob.eqs))
    notes = []
    if len(roots) > 1:
        notes.append(f"{len(roots)} solutions meet the targets (a mixture's can have several); shown: the one "
                     "from the best start, the others are alternatives")
    return _solution(prob, t, roots[0], "root", notes, alternatives=tuple({"free": r} for r in roots[1:]))


def _check_identified(prob: _Problem, y, weights) -> None:
    """Targets all met that say nothing of some direction (a weight between two equal components)
    leave names free: a usage error naming them, as ``solve`` refuses such requests."""
    import numpy as np

    from priorcli.solving.lsq import free_directions

    x = [float(v) for v in y]
    columns = []
    for j in range(len(x)):  # a Jacobian of zeros (the targets ignore every name) has no direction to test
        up, down = list(x), list(x)
        up[j] += 1e-4
        down[j] -= 1e-4
        columns.append(np.subtract(prob.residuals(up), prob.residuals(down)))
    if not np.any(np.abs(columns) > 1e-13) or free_directions(lambda z: prob.residuals(z), x):
        raise UsageError(f"{', '.join(eq.label for eq in prob.eqs)} leave some of {', '.join(d.name for d in prob.names)} "
                         f"free in '{prob.label}' (the targets do not depend on them there); give other targets "
                         "or write numbers for some names")


def _least_squares(prob: _Problem, t: Targets, runs, weights) -> QuotedSolution:
    loss, y = runs[0]
    values = prob.coords.values(y)
    edge = _at_edge(prob, y)
    if edge:
        raise ConvergenceError(f"the least-squares fit of '{prob.label}' runs to the edge of {', '.join(edge)}'s "
                               f"domain ({_describe(values)}); give other targets or write numbers for some names")
    if not loss < BAD:
        raise ConvergenceError(f"the least-squares fit of '{prob.label}' found no values where every target can be "
                               "evaluated")
    if loss <= 1e-20:
        _check_identified(prob, y, weights)
    residuals = dict(zip((eq.key for eq in prob.eqs), prob.residuals(y)))
    k = len(prob.names)
    notes = [f"{len(prob.eqs)} targets for {k} free name{'s' if k > 1 else ''}: least-squares fit, loss {loss:.3g} "
             "(sum of weighted squared residuals; see the README)"]
    return _solution(prob, t, values, "least-squares", notes, loss=loss, residuals=residuals,
                     weights=dict(zip((eq.key for eq in prob.eqs), weights)))


def _solution(prob: _Problem, t: Targets, values: dict, method: str, notes, **fit) -> QuotedSolution:
    spec = prob.build(values)
    ex = _Exact(spec)
    got = achieved(t, lambda eq: _number(lambda: ex.value(eq)))
    misses = {}
    if method == "least-squares":
        for eq in prob.eqs:
            v = _number(lambda: ex.value(eq))
            relative = abs(v - eq.value) / prob.denom(eq)
            if relative > MISS:
                misses[eq.key] = {"requested": eq.value, "achieved": v, "relative": relative}
    return QuotedSolution(spec.family.name, dict(spec.params), t.as_dict(), got, tuple(notes),
                          fit.pop("alternatives", ()), method, misses=misses, free=dict(values), spec=spec,
                          domains={d.name: d.text for d in prob.names}, label=prob.label, truncate=spec.truncate,
                          **fit)
