"""One family, its fixed parameters and its target equations in standardised, unconstrained
coordinates: what every numerical solver works on.

Coordinates are standardised by the targets (``x -> (x - a) / c`` for location-scale families,
``x -> x / c`` for scale families, from the record's ``scaling``) so results do not depend on the
units of the targets, and unconstrained (log of positive, logit of unit-interval parameters; the
width of an ordered ``low < high`` pair): each parameter's domain's own coordinate
(``priorcli.records.domain.Domain.unconstrained``, numpyro's ``biject_to`` written with ``math``,
since a closed-form solve must not import jax).
"""

from __future__ import annotations

import math

from priorcli.errors import UsageError
from priorcli.records import FamilyRecord
from priorcli.solving.equations import Eq, finite
from priorcli.solving.result import show

__all__ = ["Problem", "Redundant", "Budget", "check_fixed", "on_line", "mapped"]


def on_line(domain) -> bool:
    """A parameter on the whole real line in its own right (a location), not one whose bounds the
    other parameters set: its coordinate is the value itself, and searches may go far."""
    return domain.line and not domain.dependent


def mapped(domain) -> bool:
    """A coordinate through a log or a logit (an end or two), not the value itself."""
    return not domain.line and not domain.integer


class Redundant(Exception):
    """Two equations are the same quantity and agree: one degree of freedom is left.

    ``root`` (std params) is set when the redundancy was judged numerically, at a root that a
    search found: the caller checks the table of solutions it builds and falls back to the root
    when the table does not meet every target (a determined but ill-conditioned system)."""

    def __init__(self, drop: int, root: dict | None = None):
        self.drop = drop
        self.root = root


class Budget(Exception):
    """A numerical search used up its (deterministic) number of function evaluations."""


def _moved_param(kind: str | None, v: float, a: float, c: float, forward: bool) -> float:
    if kind == "loc":
        return (v - a) / c if forward else a + c * v
    if kind == "scale":
        return v / c if forward else v * c
    if kind == "rate":
        return v * c if forward else v / c
    if kind == "logloc":
        return v - math.log(c) if forward else v + math.log(c)
    return v


def check_fixed(family: str, F: FamilyRecord, fixed: dict) -> dict:
    """Fixed parameters as floats inside their constraints (UsageError naming the first that is not)."""
    out = {}
    names = [p.name for p in F.params]
    domains = {p.name: p.domain for p in F.params}
    for n, v in fixed.items():
        if n not in domains:
            raise UsageError(f"{family} has no parameter {n!r} (expected {', '.join(names)})")
        v = finite(n, v)
        d = domains[n]
        if mapped(d) and d.lower_bounded and not v > d.low:
            raise UsageError(f"{n}={show(v)} must be " + ("positive" if d.low == 0.0 else f"above {show(d.low)}"))
        if mapped(d) and d.bounded and not d.low < v < d.high:
            raise UsageError(f"{n}={show(v)} must be strictly between {show(d.low)} and {show(d.high)}")
        out[n] = v
    if F.ordered and "low" in out and "high" in out and not out["low"] < out["high"]:
        raise UsageError(f"low={show(out['low'])} must be below high={show(out['high'])}")
    if F.check_params is not None:  # on the parameters held, whichever they are
        why = F.check_params(out)
        if why is not None:
            raise UsageError(why)
    return out


class Problem:
    """One family, its fixed parameters and targets, in standardised coordinates."""

    def __init__(self, family: str, F: FamilyRecord, eqs: list[Eq], fixed: dict):
        self.family = family
        self.F = F
        self.domains = {p.name: p.domain for p in F.params}
        self.names = tuple(p.name for p in F.params)
        self.scaling = F.scaling
        self.ordered = F.ordered  # None, 'add' or 'mul'
        self.coords = F.solve_coords  # the record's own coordinates, or None
        self.bounded = bool(self.ordered or self.coords)  # coordinates clipped at +-30, scanned on one grid
        self.shift = "loc" in self.scaling.values()
        self.a, self.c = self._standardiser(eqs, fixed)
        self.eqs_orig = list(eqs)
        self.eqs = [eq.moved(self.a, self.c) for eq in eqs]
        self.fixed_orig = dict(fixed)
        self.fixed = self.to_std(fixed)
        self.free = tuple(n for n in self.names if n not in fixed)
        self.budget = 2000  # function evaluations one least-squares or maxent search may use

    def support(self) -> tuple[float, float]:
        """The support targets are checked against (the union of the supports if it moves)."""
        return self.F.support_given(self.fixed)

    # ---- units ------------------------------------------------------------------------
    def _fixed_scales(self, fixed) -> list[float]:
        scales = []
        for n, k in self.scaling.items():
            if n in fixed:
                if k == "scale":
                    scales.append(fixed[n])
                elif k == "rate":
                    scales.append(1.0 / fixed[n])
                elif k == "logloc":
                    scales.append(math.exp(min(fixed[n], 700.0)))
        return scales

    def _standardiser(self, eqs, fixed) -> tuple[float, float]:
        if not self.scaling:
            return 0.0, 1.0
        locs = []
        for eq in eqs:
            if eq.location:
                locs.append(eq.value)
            elif eq.kind == "mass":
                locs += [v for v in (eq.lower, eq.upper) if math.isfinite(v)]
        sds = [eq.value for eq in eqs if eq.kind == "sd"]
        scales = self._fixed_scales(fixed)
        if self.shift:
            locs += [fixed[n] for n, k in self.scaling.items() if k == "loc" and n in fixed]
            a = 0.5 * (min(locs) + max(locs)) if locs else 0.0
            spread = 0.5 * (max(locs) - min(locs)) if locs else 0.0
            c = spread if spread > 0.0 else sds[0] if sds else scales[0] if scales else abs(a) if a else 1.0
            return a, c
        vals = [abs(v) for v in locs if v != 0.0] + sds
        c = max(vals) if vals else scales[0] if scales else 1.0
        return 0.0, c

    def to_std(self, params: dict) -> dict:
        return {n: _moved_param(self.scaling.get(n), v, self.a, self.c, True) for n, v in params.items()}

    def from_std(self, params: dict) -> dict:
        return {n: _moved_param(self.scaling.get(n), params[n], self.a, self.c, False) for n in self.names}

    def back(self, name: str, v: float) -> float:
        """One standardised parameter value in the user's units."""
        return _moved_param(self.scaling.get(name), v, self.a, self.c, False)

    def back_value(self, eq: Eq, v: float) -> float:
        """One standardised target value in the user's units."""
        if eq.location:
            return self.a + self.c * v
        if eq.kind == "sd":
            return self.c * v
        return v

    # ---- evaluation -------------------------------------------------------------------
    def _raw_value(self, eq: Eq, p: dict):
        F = self.F
        if eq.kind == "mode":
            return F.mode(**p)
        if eq.kind == "median":
            return F.median(**p)
        if eq.kind == "mean":
            return F.mean(**p)
        if eq.kind == "sd":
            var = F.variance(**p)
            return None if var is None or var < 0.0 else math.sqrt(var)
        if eq.kind == "quantile":
            return F.icdf(eq.p, **p)
        if eq.kind == "mass":
            if F.discrete:  # P(lower <= X <= upper), both ends included
                return F.cdf(eq.upper, **p) - F.cdf(math.ceil(eq.lower) - 1.0, **p)
            if F.atom and eq.lower <= 0.0:  # P(0 <= X <= upper) holds the point mass at 0 (HurdleGamma)
                return F.cdf(eq.upper, **p)
            return F.cdf(eq.upper, **p) - F.cdf(eq.lower, **p)
        if eq.kind in ("skewness", "kurtosis"):
            shape = getattr(F, eq.kind)
            return None if shape is None else shape(**p)
        if eq.kind == "p_zero":
            return F.zero_mass(**p)
        if eq.kind == "count":
            return p["concentration1"] + p["concentration0"] if "concentration1" in p else p["concentration"]
        raise AssertionError(eq.kind)  # pragma: no cover

    def value(self, eq: Eq, p: dict) -> float:
        """The family's value for one target at params p (nan when undefined)."""
        try:
            v = self._raw_value(eq, p)
        except (ValueError, OverflowError, ZeroDivisionError, TypeError):
            return math.nan
        if v is None:
            return math.nan
        v = float(v)
        return v if not math.isnan(v) else math.nan

    def entropy(self, p: dict) -> float:
        """The entropy a maximum-entropy search maximises; remembered per parameter values (their
        exact floats): a search evaluates some points again (one in ten for the negative binomials),
        each a sum over up to ~30,000 terms."""
        try:
            key = tuple((n, type(v), float(v).hex()) for n, v in p.items())
        except (TypeError, ValueError):
            return self._entropy(p)
        memo = self.__dict__.setdefault("_entropies", {})
        if key not in memo:
            if len(memo) >= 8192:
                memo.clear()
            memo[key] = self._entropy(p)
        return memo[key]

    def _entropy(self, p: dict) -> float:
        try:
            h = (self.F.entropy if self.F.maxent_entropy is None else self.F.maxent_entropy)(**p)
        except (ValueError, OverflowError, ZeroDivisionError):
            return math.nan
        return math.nan if h is None else float(h)

    def denom(self, eq: Eq, scale: float = 1.0) -> float:
        """Residual scale of one target: relative, or relative to the spread for shift families."""
        if eq.kind in ("mass", "p_zero"):  # probabilities: absolute
            return 1.0
        if eq.location and self.shift:
            return max(abs(eq.value), scale)
        if eq.kind in ("skewness", "kurtosis"):  # no units: relative, absolute about 0
            return max(abs(eq.value), 1e-3) if eq.value != 0.0 else 1.0
        return abs(eq.value) if eq.value != 0.0 else scale

    def gap(self, eq: Eq, p: dict, scale: float = 1.0) -> float:
        """What an exact solver drives to zero for one target: the relative residual, except for a
        discrete family's quantile (a step in the parameters): the cdf half way up the step at the
        target value minus the probability, so that the target is met with room on both sides."""
        if self.F.discrete and eq.kind in ("quantile", "median"):
            return self.mid_cdf(eq.value, p) - (0.5 if eq.kind == "median" else eq.p)
        return (self.value(eq, p) - eq.value) / self.denom(eq, scale)

    def mid_cdf(self, v: float, p: dict) -> float:
        """(F(v - 1) + F(v)) / 2 at an integer v of a discrete family."""
        try:
            return 0.5 * (float(self.F.cdf(v - 1.0, **p)) + float(self.F.cdf(v, **p)))
        except (ValueError, OverflowError, ZeroDivisionError, TypeError):
            return math.nan

    def fit_residual(self, eq: Eq, p: dict) -> float:
        """One target's residual in a least-squares fit: on the probability scale for quantiles
        and the median (F(value) - p; the mid-step cdf for a discrete family) and for interval mass
        (achieved - requested mass), relative for the others (as ``gap``)."""
        if eq.kind in ("quantile", "median"):
            prob = 0.5 if eq.kind == "median" else eq.p
            if self.F.discrete:
                return self.mid_cdf(eq.value, p) - prob
            try:
                return float(self.F.cdf(eq.value, **p)) - prob
            except (ValueError, OverflowError, ZeroDivisionError, TypeError):
                return math.nan
        return self.gap(eq, p)

    def residuals(self, eqs, p: dict, scale: float = 1.0) -> list[float]:
        return [self.gap(eq, p, scale) for eq in eqs]

    # ---- unconstrained coordinates ----------------------------------------------------
    def _ordered_params(self, xs: dict, p: dict) -> dict:
        mul = self.ordered == "mul"
        if "low" in xs:
            if "high" in xs:
                p["low"] = math.exp(xs["low"]) if mul else xs["low"]
            else:
                high = p["high"]
                w = math.exp(xs["low"])
                p["low"] = high * math.exp(-w) if mul else high - w
        if "high" in xs:
            w = math.exp(xs["high"])
            p["high"] = p["low"] * math.exp(min(w, 700.0)) if mul else p["low"] + w
        return p

    def params_of(self, x, free=None, fixed=None) -> dict:
        free = self.free if free is None else free
        p = dict(self.fixed if fixed is None else fixed)
        # log/logit coordinates beyond +-30 (parameters beyond 1e13) are no prior anyone means, and
        # scipy.special gets slow out there: clip, which also stops searches that drift away
        xs = {
            n: min(max(float(v), -1e8), 1e8) if on_line(self.domains[n]) and not self.bounded
            else min(max(float(v), -30.0), 30.0)
            for n, v in zip(free, x)
        }
        if self.coords is not None:
            return self.coords.params(xs, p)
        if self.ordered:
            return self._ordered_params(xs, p)
        for n, v in xs.items():
            d = self.domains[n]
            p[n] = d.constrained(v) if mapped(d) else v
        return p

    def _ordered_x(self, n: str, p: dict, free) -> float:
        mul = self.ordered == "mul"
        v = p[n]
        if n == "low" and "high" in free:
            return math.log(v) if mul else v
        if n == "low":
            return math.log(math.log(p["high"] / v) if mul else p["high"] - v)
        return math.log(math.log(v / p["low"]) if mul else v - p["low"])

    def x_of(self, p: dict, free=None) -> list[float] | None:
        """Unconstrained coordinates of params p (None if p is invalid)."""
        free = self.free if free is None else free
        try:
            out = [] if self.coords is None else [float(v) for v in self.coords.x(p, free)]
            for n in free if self.coords is None else ():
                v = p[n]
                d = self.domains[n]
                if self.ordered:
                    out.append(self._ordered_x(n, p, free))
                else:
                    out.append(d.unconstrained(v) if mapped(d) else float(v))
            return out if all(math.isfinite(v) for v in out) else None
        except (ValueError, ZeroDivisionError, KeyError, OverflowError):
            return None

    def grid(self, name: str) -> list[float]:
        """Scan grid of one unconstrained coordinate."""
        if self.bounded:
            lo, hi, step = -12.0, 12.0, 0.125
        else:
            d = self.domains[name]
            if mapped(d) and not d.bounded:
                lo, hi, step = -9.0, 25.0, 0.25
            elif mapped(d):
                lo, hi, step = -35.0, 35.0, 0.25
            else:
                lo, hi, step = -30.0, 30.0, 0.0625
        n = int(round((hi - lo) / step))
        return [lo + i * step for i in range(n + 1)]

    def grid_values(self, name: str) -> tuple[float, ...]:
        """A few values of one parameter (standardised units) for an underdetermined table."""
        kind = self.scaling.get(name)
        if kind in ("scale", "rate"):
            return (0.25, 0.5, 1.0, 2.0, 4.0)
        if kind == "loc":
            return (-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0)
        d = self.domains[name]
        if mapped(d) and not d.bounded:
            return (0.5, 1.0, 2.0, 5.0, 10.0, 20.0)
        if mapped(d):
            return (0.1, 0.25, 0.5, 0.75, 0.9)
        return (-2.0, -1.0, 0.0, 1.0, 2.0)
