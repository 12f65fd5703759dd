"""Targets -> equations: what the user asked for as validated :class:`Eq` s, shared by every solver.

Malformed targets (not a number, a probability outside (0, 1), an interval without its mass, a
count for a family that has none) are ``UsageError`` s; targets that each make sense but cannot hold
together whatever the parameters (quantiles out of order, a mean too small for a quantile on the
support) are ``InfeasibleError`` s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from priorcli import records
from priorcli.errors import InfeasibleError, UsageError
from priorcli.solving.result import fmt_interval, show
from priorcli.families.targets import Targets

__all__ = ["Eq", "equations", "finite", "achieved", "check_mean_bounds"]

_LOCATION = ("mode", "median", "mean", "quantile")


@dataclass(frozen=True)
class Eq:
    key: str  # key in Targets.as_dict(): mode, median, mean, sd, q0.05, mass, count
    kind: str  # mode | median | mean | sd | quantile | mass | count
    value: float
    p: float = math.nan  # quantile probability
    lower: float = math.nan  # interval of a mass target
    upper: float = math.nan
    text: str = ""  # label override

    @property
    def label(self) -> str:
        if self.text:
            return self.text
        if self.kind == "quantile":
            return f"quantile {show(self.p)}={show(self.value)}"
        if self.kind == "mass":
            return f"mass={show(self.value)} between lower={show(self.lower)} and upper={show(self.upper)}"
        return f"{self.kind}={show(self.value)}"

    @property
    def location(self) -> bool:
        return self.kind in _LOCATION

    def moved(self, a: float, c: float) -> "Eq":
        """The same target for X' = (X - a) / c."""
        if self.location:
            return replace(self, value=(self.value - a) / c, text=self.label)
        if self.kind == "sd":
            return replace(self, value=self.value / c, text=self.label)
        if self.kind == "mass":
            return replace(self, lower=(self.lower - a) / c, upper=(self.upper - a) / c, text=self.label)
        return self


def finite(name: str, v) -> float:
    """``v`` as a float, or a UsageError naming it when it is not a finite number."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise UsageError(f"{name}={v!r} is not a number")
    v = float(v)
    if not math.isfinite(v):
        raise UsageError(f"{name}={show(v)} is not a finite number")
    return v


def equations(family: str, t: Targets, support: tuple[float, float] | None, discrete: bool = False) -> list[Eq]:
    """Validated targets as equations. ``support``: (lo, hi) when it does not depend on params;
    a discrete family's quantiles may sit on its ends (a Poisson's 0.1 quantile can be 0)."""
    if isinstance(t.mean, (tuple, list)):
        raise UsageError(f"mean={show(tuple(t.mean))} is a vector: only Dirichlet takes a simplex mean")
    if isinstance(t.mode, (tuple, list)):
        raise UsageError(f"mode={show(tuple(t.mode))} is a vector: only Dirichlet takes a simplex mode")
    if t.bound is not None:
        raise UsageError(f"bound={show(t.bound)} applies to {_families_taking('bound')} (the mass within "
                         f"mode_i +- bound), not {family}")
    eqs = _summary_eqs(t) + _quantile_eqs(t) + _interval_eqs(t) + _count_eqs(family, t)
    if support is not None:
        _check_support(family, eqs, support, discrete)
    return _merge_quantiles(eqs)


def _summary_eqs(t: Targets) -> list[Eq]:
    eqs = []
    for name in ("mode", "median", "mean", "sd", "skewness", "kurtosis"):
        v = getattr(t, name)
        if v is None:
            continue
        v = finite(name, v)
        if name == "sd" and v <= 0.0:
            raise UsageError(f"sd={show(v)} must be positive")
        eqs.append(Eq(name, name, v))
    _check_shape(t)
    return eqs


def _check_shape(t: Targets) -> None:
    """Every distribution has excess kurtosis >= skewness^2 - 2 (Pearson), with equality only for
    two points: -2 or below is no distribution's (usage), below skewness^2 - 2 no pair's (infeasible)."""
    if t.kurtosis is None:
        return
    k = float(t.kurtosis)
    if not k > -2.0:
        raise UsageError(f"kurtosis={show(k)} is the excess kurtosis (a Normal's is 0), which is above -2 for "
                         "every distribution")
    if t.skewness is not None and not k > float(t.skewness) ** 2 - 2.0:
        raise InfeasibleError(f"kurtosis={show(k)} is too small for skewness={show(float(t.skewness))}: every "
                              f"distribution has excess kurtosis above skewness^2 - 2 = {float(t.skewness) ** 2 - 2.0:.6g}")


def _quantile_eqs(t: Targets) -> list[Eq]:
    eqs = []
    for pv in t.quantiles:
        try:
            p, v = pv
        except (TypeError, ValueError):
            raise UsageError(f"quantile {pv!r} is not a (probability, value) pair") from None
        p = finite("quantile probability", p)
        v = finite(f"quantile {show(p)}", v)
        if not 0.0 < p < 1.0:
            raise UsageError(f"quantile {show(p)}={show(v)}: the probability must be strictly between 0 and 1")
        eqs.append(Eq(f"q{p!r}", "quantile", v, p=p))
    return eqs


def _interval_eqs(t: Targets) -> list[Eq]:
    given = {n: getattr(t, n) for n in ("lower", "upper", "mass") if getattr(t, n) is not None}
    if not given:
        return []
    missing = [n for n in ("lower", "upper", "mass") if n not in given]
    if missing:
        raise UsageError(
            f"{', '.join(f'{k}={show(v)}' for k, v in given.items())} needs {' and '.join(missing)}: "
            "an interval target is lower, upper and mass together"
        )
    lower, upper, mass = (finite(n, given[n]) for n in ("lower", "upper", "mass"))
    if not lower < upper:
        raise UsageError(f"lower={show(lower)} must be below upper={show(upper)}")
    if not 0.0 < mass < 1.0:
        raise UsageError(f"mass={show(mass)} must be strictly between 0 and 1")
    return [Eq("mass", "mass", mass, lower=lower, upper=upper)]


def _count_eqs(family: str, t: Targets) -> list[Eq]:
    if t.count is None:
        return []
    v = finite("count", t.count)
    record = records.describe(family)
    if record is None or not record.takes_count:
        raise UsageError(f"count={show(v)} applies to {_count_families()} (alpha + beta), not {family}")
    if v <= 0.0:
        raise UsageError(f"count={show(v)} must be positive")
    return [Eq("count", "count", v)]


def _families_taking(kind: str) -> str:
    """The families whose records' numerical solves take ``kind``, in words."""
    names = [r.name for r in records.MULTIVARIATE.values() if any(kind in s.targets for s in r.solves)]
    return " and ".join(names) or "no family"


def _count_families() -> str:
    """The families ``--count`` applies to, as a list in words ("Beta, BetaProportion and Dirichlet")."""
    names = [r.name for r in (*records.RECORDS.values(), *records.MULTIVARIATE.values()) if r.takes_count]
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]


def _check_support(family: str, eqs: list[Eq], support: tuple[float, float], discrete: bool = False) -> None:
    lo, hi = support
    for eq in eqs:
        on_end = discrete and eq.kind in ("quantile", "median") and eq.value in (lo, hi)
        if eq.location and not lo < eq.value < hi and not on_end:
            raise UsageError(f"{eq.label} is outside the support of {family} {fmt_interval(lo, hi)}")
        if eq.kind == "mass":
            if eq.lower < lo or eq.upper > hi or eq.upper <= lo or eq.lower >= hi:
                raise UsageError(
                    f"interval lower={show(eq.lower)}, upper={show(eq.upper)} is outside the support "
                    f"of {family} {fmt_interval(lo, hi)}"
                )
            if eq.lower <= lo and eq.upper >= hi:
                raise InfeasibleError(
                    f"mass={show(eq.value)}: the interval [{show(eq.lower)}, {show(eq.upper)}] holds all of "
                    f"{family}'s mass, so its mass is always 1"
                )


def _merge_quantiles(eqs: list[Eq]) -> list[Eq]:
    """The median is the 0.5 quantile: merge duplicates, refuse contradictions, check the order."""
    by_p: dict[float, Eq] = {}
    out: list[Eq] = []
    for eq in eqs:
        if eq.kind not in ("median", "quantile"):
            out.append(eq)
            continue
        p = 0.5 if eq.kind == "median" else eq.p
        prev = by_p.get(p)
        if prev is None:
            by_p[p] = eq
            out.append(eq)
        elif prev.value != eq.value:
            raise InfeasibleError(
                f"{prev.label} and {eq.label} disagree: both are the {show(p)} quantile"
                if eq.kind != prev.kind or eq.kind == "median"
                else f"quantile {show(p)} is given twice with different values ({show(prev.value)} and {show(eq.value)})"
            )
    ordered = sorted(by_p.items())
    for (_, e1), (_, e2) in zip(ordered, ordered[1:]):
        if not e1.value < e2.value:
            raise InfeasibleError(
                f"quantiles must increase with their probabilities: {e1.label} is not below {e2.label}"
            )
    return out


def achieved(t: Targets, value_of) -> dict:
    """Achieved values keyed like Targets.as_dict(); ``value_of(eq)`` evaluates one target."""
    out: dict = {}
    for key, v in t.as_dict().items():
        if key in ("lower", "upper"):
            out[key] = v
        elif key == "mass":
            out[key] = value_of(Eq("mass", "mass", t.mass, lower=t.lower, upper=t.upper))
        elif key.startswith("q"):
            out[key] = value_of(Eq(key, "quantile", v, p=float(key[1:])))
        else:
            out[key] = value_of(Eq(key, key, v))
    return out


def check_mean_bounds(family: str, eqs: list[Eq], support: tuple[float, float]) -> None:
    """Bounds every distribution on the support obeys: with P(X <= q) = p,
    p*lo + (1-p)*q <= mean <= p*q + (1-p)*hi."""
    lo, hi = support
    mean = next((eq for eq in eqs if eq.kind == "mean"), None)
    if mean is None:
        return
    for eq in eqs:
        if eq.kind not in ("median", "quantile"):
            continue
        p = 0.5 if eq.kind == "median" else eq.p
        if math.isfinite(lo) and mean.value < p * lo + (1.0 - p) * eq.value:
            raise InfeasibleError(
                f"{mean.label} is too small for {eq.label}: any {family} with {eq.label} has a mean of at "
                f"least {p * lo + (1.0 - p) * eq.value:.6g}"
            )
        if math.isfinite(hi) and mean.value > p * eq.value + (1.0 - p) * hi:
            raise InfeasibleError(
                f"{mean.label} is too large for {eq.label}: any {family} with {eq.label} has a mean of at "
                f"most {p * eq.value + (1.0 - p) * hi:.6g}"
            )
