"""Truncation of a continuous univariate family to [low, high] (either end may be open), and the
record of a truncated family for the solver.

The truncated variable's exact values come from its base's: with a = max(low, base lower end),
b = min(high, base upper end) and Z = F(b) - F(a) (F the base cdf),

* cdf G(x) = (F(x) - F(a)) / Z on [a, b], quantile G^-1(p) = F^-1(F(a) + p Z),
* log density log f(x) - log Z on [a, b], -inf outside,
* mean and variance by adaptive quadrature of the renormalised density (scipy.integrate.quad);
  unknown (None) when an end is open and the base's own moment is undefined there,
* mode: the base's mode clipped to [a, b] (a unimodal density); where the base has none (or it is
  at an unbounded end) the maximum of the truncated density on a quantile grid, refined.

:func:`truncated_record` makes these the closed forms of a :class:`FamilyRecord` with the base's
name and parameters and none of its closed-form solves (their formulas are the untruncated
family's), so the solver finds the base parameters with the truncation held fixed. The functions
here take the base's scalar functions, so the exact summaries of families without a record
(``priorcli.stats.truncated``) share them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Callable

from priorcli.errors import InfeasibleError, PriorError, UsageError
from priorcli.records.base import FamilyRecord, np, show

INF = math.inf

# numpyro's truncated factories (functions, not classes: discovery skips them) -> the family they
# truncate; their ``low`` and ``high`` keywords are the truncation.
FACTORIES = {"TruncatedNormal": "Normal", "TruncatedCauchy": "Cauchy"}


@dataclass(frozen=True)
class Truncation:
    """The ends of a truncation; None is an open end."""

    low: float | None = None
    high: float | None = None

    def ends(self) -> tuple[float, float]:
        return (-INF if self.low is None else self.low, INF if self.high is None else self.high)

    def as_json(self) -> list:
        return [self.low, self.high]

    def text(self) -> str:
        """'1,' / ',5' / '1,5': as --truncate takes it."""
        return ",".join("" if v is None else show(v) for v in (self.low, self.high))

    def label(self, inner: str) -> str:
        args = [f"low={show(self.low)}"] * (self.low is not None) + [f"high={show(self.high)}"] * (self.high is not None)
        return f"truncated({inner}, {', '.join(args)})"


def parse_truncation(text: str, argument: str = "--truncate") -> Truncation:
    """'LO,HI' with either end empty ('1,', ',5'): a Truncation; LO < HI; UsageError otherwise."""
    parts = text.split(",")
    if len(parts) != 2 or not any(part.strip() for part in parts):
        raise UsageError(f"{argument} takes LO,HI (an end may be empty: '1,' or ',5'), got '{text}'")
    ends = []
    for part in parts:
        part = part.strip()
        if not part:
            ends.append(None)
            continue
        try:
            value = float(part)
        except ValueError:
            raise UsageError(f"{argument} must be numbers LO,HI, got '{text}'") from None
        if math.isnan(value):
            raise UsageError(f"{argument} must be numbers LO,HI, got '{text}'")
        ends.append(None if math.isinf(value) and (value < 0) == (len(ends) == 0) else value)
    return make_truncation(ends[0], ends[1], argument)


def make_truncation(low, high, argument: str = "--truncate") -> Truncation:
    """A Truncation from two numbers (None or an infinite end of the right sign: open), LO < HI."""
    out = []
    for which, value in (("low", low), ("high", high)):
        if value is None:
            out.append(None)
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
            raise UsageError(f"{argument} {which} must be a number, got {value!r}")
        value = float(value)
        if math.isnan(value) or (math.isinf(value) and (value > 0) == (which == "low")):
            raise UsageError(f"{argument} {which} must be a finite number, got {value!r}")
        out.append(None if math.isinf(value) else value)
    if out[0] is not None and out[1] is not None and not out[0] < out[1]:
        raise UsageError(f"{argument} {show(out[0])},{show(out[1])}: LO must be below HI")
    if out[0] is None and out[1] is None:
        raise UsageError(f"{argument} needs at least one finite end")
    return Truncation(out[0], out[1])


# ---------------------------------------------------------------------------------------------
# The math, on the base's scalar functions


@dataclass(frozen=True)
class Base:
    """A base distribution's scalar functions at fixed parameters."""

    support: tuple[float, float]
    cdf: Callable[[float], float | None]
    icdf: Callable[[float], float | None]
    logpdf: Callable  # float -> float, array -> array (called under np.errstate(all="ignore"))
    mode: Callable[[], float | None]
    mean: Callable[[], float | None]
    variance: Callable[[], float | None]
    sf: Callable[[float], float | None] | None = None  # 1 - F, exact in the upper tail (the record's)
    isf: Callable[[float], float | None] | None = None  # its inverse
    # partial(r, a, b) = E[X^r; a < X < b] in closed form (the record's moment_shift), or None
    partial: Callable[[int, float, float], float | None] | None = None
    # (where, mass) of a point mass beside the density (a hurdle's gate at 0), or None: the cdf
    # includes it, so expectations must too
    atom: Callable[[], tuple[float, float] | None] | None = None


@dataclass(frozen=True)
class Bounds:
    a: float  # the truncated support's ends
    b: float
    fa: float  # F(a), F(b) - F(a)
    mass: float
    sa: float | None = None  # 1 - F(a) from the survival function, where a is in the upper tail


def _mass(base: Base, a: float, b: float) -> tuple[float | None, float | None, float | None]:
    """(F(a), F(b) - F(a), S(a) or None): in the upper tail (F(a) > 1/2) from the survival function
    S where the base has one, S(a) - S(b), which keeps its relative precision where F(a) rounds to 1."""
    lo, hi = base.support
    fa = 0.0 if a == lo else base.cdf(a)
    if base.sf is not None and fa is not None and fa > 0.5:
        sa, sb = base.sf(a), (0.0 if b == hi else base.sf(b))
        if sa is not None and sb is not None:
            return fa, sa - sb, sa
    fb = 1.0 if b == hi else base.cdf(b)
    return fa, (None if fa is None or fb is None else fb - fa), None


def base_mass(base: Base, trunc: Truncation) -> float | None:
    """The base's probability inside the truncation (None where it leaves the support)."""
    low, high = trunc.ends()
    a, b = max(low, base.support[0]), min(high, base.support[1])
    return _mass(base, a, b)[1] if a < b else None


def bounds(base: Base, trunc: Truncation, family: str = "the family", argument: str = "--truncate") -> Bounds:
    """The truncated support and its base mass; UsageError naming ``argument`` when the truncation
    leaves the support, InfeasibleError (exit 1) when it keeps no mass of it in float64 (even read
    from the survival function: a request that is well formed but cannot be met)."""
    lo, hi = base.support
    low, high = trunc.ends()
    a, b = max(low, lo), min(high, hi)
    if not a < b:
        raise UsageError(f"{argument} {trunc.text()} lies outside the support ({show(lo)}, {show(hi)}) of {family}")
    fa, mass, sa = _mass(base, a, b)
    if mass is None or not mass > 0.0 or not math.isfinite(mass):
        why = "its mass there is unknown" if mass is None else "its mass there underflows to 0"
        raise InfeasibleError(f"{argument} {trunc.text()} keeps no probability of {family} in double "
                              f"precision ({why}; nothing can be computed or drawn there)")
    return Bounds(a, b, fa, mass, sa)


def cdf(base: Base, k: Bounds, x):
    if isinstance(x, (int, float)):
        if x <= k.a:
            return 0.0
        if x >= k.b:
            return 1.0
        if k.sa is not None:
            return min(max((k.sa - base.sf(x)) / k.mass, 0.0), 1.0)
        return min(max((base.cdf(x) - k.fa) / k.mass, 0.0), 1.0)
    x = np.asarray(x, dtype=np.float64)
    return np.asarray([cdf(base, k, float(v)) for v in x.ravel()]).reshape(x.shape)


def icdf(base: Base, k: Bounds, q):
    if isinstance(q, (int, float)):
        if not 0.0 <= q <= 1.0:
            return math.nan
        if q == 0.0:
            return k.a
        if q == 1.0:
            return k.b
        if k.sa is not None and base.isf is not None:
            v = base.isf(max(k.sa - q * k.mass, 0.0))
        else:
            v = base.icdf(min(k.fa + q * k.mass, 1.0))
        return math.nan if v is None else min(max(v, k.a), k.b)
    q = np.asarray(q, dtype=np.float64)
    return np.asarray([icdf(base, k, float(v)) for v in q.ravel()]).reshape(q.shape)


def logpdf(base: Base, k: Bounds, x):
    scalar = isinstance(x, (int, float))
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        inside = (x >= k.a) & (x <= k.b)
        values = np.asarray(base.logpdf(np.where(inside, x, 0.5 * (k.a + k.b) if math.isfinite(k.b - k.a)
                                                 else (k.a + 1.0 if math.isfinite(k.a) else k.b - 1.0))),
                            dtype=np.float64)
        out = np.where(inside, values - math.log(k.mass), -INF)
    return float(out) if scalar else out


# the truncated variable's quantiles where expect splits its integrals: each piece holds a fixed
# share of the mass, so quad works on well-scaled pieces whatever the parameters (a density piled
# up at one end of a long truncation, as a solver's trial points give, needs no deep bisection)
SPLITS = (1e-12, 1e-8, 1e-4, 0.01, 0.1, 0.5, 0.9, 0.99, 1.0 - 1e-4, 1.0 - 1e-8)


def _sliver(v: float) -> float:
    return 1e-9 * max(1.0, abs(v)) if math.isfinite(v) else 0.0


def expect(base: Base, k: Bounds, fn: Callable, density: Callable | None = None,
           prefetch: Callable | None = None) -> float | None:
    """E[fn(X)] of the truncated variable by adaptive quadrature, split at its quantiles SPLITS:
    the body (between the 1% and 99% quantiles) first, then the tails with an absolute tolerance
    set by the body, so a tail piece holding 1e-12 of the mass (at Gamma(0.5)'s singular 0) need
    not meet 1e-12 of itself. ``density``: the base's log density as a function of one float, the
    same values as ``base.logpdf``; ``prefetch(integrand, lo, hi)``: the integrand quad is given
    (priorcli.stats.numeric: the same values, computed ahead in vectorised calls)."""
    import warnings

    from scipy.integrate import IntegrationWarning, quad

    log_mass = math.log(k.mass)
    logpdf = base.logpdf if density is None else density

    def integrand(x):
        density = math.exp(float(logpdf(x)) - log_mass)
        return 0.0 if density == 0.0 else float(fn(x) * density)

    if not math.isfinite(icdf(base, k, 0.5)):
        return None
    at = {p: float(v) for p, v in zip(SPLITS, icdf(base, k, np.asarray(SPLITS)))}
    points = [k.a]  # the split points, without slivers a few ulp wide (quad fails on them)
    for v in sorted(v for v in at.values() if math.isfinite(v) and k.a < v < k.b):
        if v - points[-1] > _sliver(v):
            points.append(v)
    if len(points) > 1 and k.b - points[-1] <= _sliver(k.b):
        points[-1] = k.b
    else:
        points.append(k.b)
    body = (at[0.01], at[0.99])
    pieces = sorted(zip(points[:-1], points[1:]), key=lambda ab: not (body[0] <= ab[0] and ab[1] <= body[1]))
    first = _first_steps(base, fn, log_mass, pieces)
    total, scale = 0.0, 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error", IntegrationWarning)
        try:
            with np.errstate(all="ignore"):
                for (lo, hi), step in zip(pieces, first):
                    value = None if step is None else step(1e-14 * scale, 1e-12)
                    if value is None:  # quad goes past its first step (or the piece has an infinite end)
                        f = integrand if prefetch is None else prefetch(integrand, lo, hi)
                        value = quad(f, lo, hi, epsabs=1e-14 * scale, epsrel=1e-12, limit=500)[0]
                    total, scale = total + value, scale + abs(value)
        except (IntegrationWarning, OverflowError, ZeroDivisionError, ValueError):
            return None
    point = None if base.atom is None else base.atom()
    if point is not None and k.a <= point[0] <= k.b and point[1] > 0.0:
        total += float(fn(point[0])) * point[1] / k.mass  # the point mass inside (a hurdle's zero)
    return total if math.isfinite(total) else None


def _first_steps(base: Base, fn: Callable, log_mass: float, pieces) -> list:
    """quad's first 21-point Kronrod step on every finite piece from one vectorised call of the
    density and ``fn`` (priorcli.records.kronrod: the value quad returns when it stops there, so the
    answers are quad's), None per piece where that is not known (an infinite end, or a density or
    ``fn`` that takes no arrays)."""
    from priorcli.records import kronrod

    finite = [i for i, (lo, hi) in enumerate(pieces) if math.isfinite(lo) and math.isfinite(hi)]
    out = [None] * len(pieces)
    if not finite:
        return out
    x = kronrod.nodes([pieces[i] for i in finite])
    try:
        with np.errstate(all="ignore"):
            density = np.exp(np.asarray(base.logpdf(x), dtype=np.float64) - log_mass)
            values = np.where(density == 0.0, 0.0, np.asarray(fn(x), dtype=np.float64) * density)
    except (TypeError, ValueError, ArithmeticError):
        return out
    if values.shape != x.shape:
        return out
    for i, step in zip(finite, kronrod.first_step(values, [pieces[i] for i in finite])):
        out[i] = step
    return out


def _open(base: Base, k: Bounds) -> bool:
    return not (math.isfinite(k.a) and math.isfinite(k.b))


def _closed_moment(base: Base, k: Bounds, r: int) -> float | None:
    """E[X^r | a < X < b] from the base's closed form (None: it has none here)."""
    if base.partial is None:
        return None
    value = base.partial(r, k.a, k.b)
    return value / k.mass if value is not None and math.isfinite(value) else None


def mean(base: Base, k: Bounds) -> float | None:
    if _open(base, k) and base.mean() is None:
        return None  # the open end keeps the base's undefined moment (a Cauchy's tail)
    m = _closed_moment(base, k, 1)
    return m if m is not None else expect(base, k, lambda x: x)


# E[X^2] - m^2 loses log10(m^2 / v) digits: the closed form is kept while that is under 3 (the
# variance then good to ~1e-12, as the quadrature's), the quadrature of (x - m)^2 used otherwise
CANCELLATION = 1e3


def variance(base: Base, k: Bounds) -> float | None:
    if _open(base, k) and base.variance() is None:
        return None
    m = mean(base, k)
    if m is None:
        return None
    second = _closed_moment(base, k, 2)
    if second is not None and second - m * m > m * m / CANCELLATION:
        return second - m * m
    v = expect(base, k, lambda x: (x - m) ** 2)
    return None if v is None else max(v, 0.0)


def mode(base: Base, k: Bounds) -> float | None:
    m = base.mode()
    if m is not None:
        return min(max(m, k.a), k.b)
    return _numeric_mode(base, k)


def _numeric_mode(base: Base, k: Bounds) -> float | None:
    """The truncated density's maximum: the best of 401 quantiles, refined between its neighbours;
    an end when the density is largest there and finite."""
    from scipy.optimize import minimize_scalar

    xs = np.unique(icdf(base, k, np.linspace(0.0, 1.0, 401)))
    xs = xs[np.isfinite(xs)]
    if xs.size < 3:
        return None
    values = logpdf(base, k, xs)
    if not np.any(np.isfinite(values)):
        return None
    i = int(np.argmax(np.where(np.isfinite(values), values, -INF)))
    if i in (0, xs.size - 1):
        end = float(xs[i])
        return end if np.isfinite(values[i]) and end in (k.a, k.b) else None
    result = minimize_scalar(lambda x: -float(logpdf(base, k, x)), bounds=(float(xs[i - 1]), float(xs[i + 1])),
                             method="bounded", options={"xatol": 1e-12 * max(1.0, abs(float(xs[i])))})
    return float(result.x) if result.success else float(xs[i])


def entropy(base: Base, k: Bounds) -> float | None:
    return expect(base, k, lambda x: -logpdf(base, k, x))


# ---------------------------------------------------------------------------------------------
# The record of a truncated family (the solver's)


def record_base(F: FamilyRecord, p: dict) -> Base:
    return Base(
        support=tuple(float(v) for v in F.support(**p)),
        cdf=lambda x: F.cdf(float(x), **p),
        icdf=lambda q: F.icdf(float(q), **p),
        logpdf=_bound_logpdf(F, p),
        mode=lambda: None if F.mode is None else F.mode(**p),
        mean=lambda: None if F.mean is None else F.mean(**p),
        variance=lambda: None if F.variance is None else F.variance(**p),
        sf=None if F.sf is None else (lambda x: F.sf(float(x), **p)),
        isf=None if F.isf is None else (lambda q: F.isf(float(q), **p)),
        partial=None if F.moment_shift is None else (lambda r, a, b: partial_moment(F, p, r, a, b)),
        atom=None if not F.atom else (lambda: (float(F.support(**p)[0]), float(F.zero_mass(**p)))),
    )


def _bound_logpdf(F: FamilyRecord, p: dict) -> Callable:
    """F's log density at ``p`` as a function of x alone, its parameters bound once (``logpdf.at``:
    quad calls it point by point; every call here is under ``np.errstate(all="ignore")``)."""
    at = getattr(F.logpdf, "at", None)
    return at(**p) if at is not None else (lambda x: F.logpdf(x, **p))


def partial_moment(F: FamilyRecord, p: dict, r: int, a: float, b: float) -> float | None:
    """E[X^r; a < X < b] of F at ``p`` as factor * (mass of the shifted member in (a, b)) by the
    record's ``moment_shift`` (the mass read from the survival function in the upper tail, as
    the truncation's own); None where F has no shift there or a value is not finite."""
    from priorcli import records

    try:
        shifted = F.moment_shift(r, **p)
        if shifted is None or not math.isfinite(shifted[0]):
            return None
        factor, name, q = shifted
        other = record_base(records.get(name), q)
        lo, hi = other.support
        _, mass, _ = _mass(other, max(a, lo), min(b, hi))
    except (ValueError, ArithmeticError, TypeError):
        return None
    return None if mass is None or not math.isfinite(mass) else factor * mass


def check_truncatable(F_name: str, discrete: bool, multivariate: bool, argument: str = "--truncate") -> None:
    if multivariate:
        raise UsageError(f"{argument} applies to univariate families; {F_name} is multivariate")
    if discrete:
        raise UsageError(f"{argument} applies to continuous families; {F_name} is discrete")


def truncated_record(F: FamilyRecord, trunc: Truncation) -> FamilyRecord:
    """F truncated to ``trunc``: its closed forms replaced by the truncated ones (NaN or None where
    the parameters leave no mass inside), its closed-form solves, linear coordinates and target
    algebra dropped. Scalar parameters (the solver's and the summaries')."""
    check_truncatable(F.name, F.discrete, F.multivariate)

    def at(p, name):
        base = record_base(F, p)
        try:
            return base, bounds(base, trunc, F.name)
        except PriorError:  # outside the support, or no mass there: these parameters have no values
            return base, None

    def scalar(fn):
        def wrapped(*args, **p):
            if args:
                raise TypeError("truncated record: give the parameters by name")
            base, k = at(p, fn.__name__)
            return None if k is None else fn(base, k)
        return wrapped

    def of_value(fn, missing):
        def wrapped(x, **p):
            base, k = at(p, fn.__name__)
            if k is None:
                return missing if isinstance(x, (int, float)) else np.full(np.shape(x), missing)
            return fn(base, k, x)
        return wrapped

    def support(**p):
        base, k = at(p, "support")
        if k is None:
            return base.support
        return k.a, k.b

    return replace(
        F, support=support, cdf=of_value(cdf, math.nan), icdf=of_value(icdf, math.nan),
        logpdf=of_value(logpdf, -INF), mean=scalar(mean), variance=scalar(variance), mode=scalar(mode),
        median=scalar(lambda base, k: icdf(base, k, 0.5)), entropy=scalar(entropy), inversions=(),
        scaling={}, linear=None, algebra=None, direct={}, moving_support=None, support_params=(),
        formulas=(), fit_check=None, fit_start=None, mle=None, mle_via=None, fit_coords=None, sf=None, isf=None,
    )


# ---------------------------------------------------------------------------------------------
# Which families a ranking can truncate (solve --family auto --truncate, --fit auto --truncate)


def moving_support_refusal(F: FamilyRecord, fixed: dict, purpose: str) -> str | None:
    """Why a truncation cannot go with solving a parameter that sets the support's end (Uniform's
    low/high, Pareto's scale): the truncation and the parameter would both set the end, leaving the
    parameter unidentified. None when every such parameter is held."""
    moving = [n for n in F.support_params if n not in fixed]
    if not moving:
        return None
    return (f"its support moves with {moving[0]}, which a truncation would leave unidentified "
            f"(hold it with --{moving[0].replace('_', '-')} V {purpose})")


def ranking_refuses(F: FamilyRecord, fixed: dict, trunc: Truncation) -> str | None:
    """Why a ranking does not truncate this family (None: it does): discrete, a support set by a
    parameter being solved (Uniform's ends, Pareto's scale: the truncation and that parameter would
    both set the end, leaving the parameter unidentified), or a truncation outside its support."""
    if F.discrete or F.multivariate:
        return "discrete: a truncation applies to continuous families" if F.discrete else "multivariate"
    moving = moving_support_refusal(F, fixed, "to rank it")
    if moving:
        return moving
    lo, hi = F.support_given(fixed)
    low, high = trunc.ends()
    if not max(lo, low) < min(hi, high):
        return f"--truncate {trunc.text()} lies outside its support ({show(lo)}, {show(hi)})"
    return None


def within(support: tuple[float, float], trunc: Truncation | None) -> tuple[float, float]:
    """A support narrowed to the truncation (unchanged without one)."""
    if trunc is None:
        return support
    low, high = trunc.ends()
    return max(support[0], low), min(support[1], high)


def check_targets_inside(targets: dict, trunc: Truncation) -> None:
    """A UsageError naming the first target value (``{"median": 3, "q0.9": 12, ...}``; sd, mass,
    count and shape targets are not values) outside the truncation."""
    low, high = trunc.ends()
    for key, value in targets.items():
        if key in ("mode", "median", "mean", "lower", "upper") or key.startswith("q"):
            if isinstance(value, (int, float)) and not low <= value <= high:
                name = f"--quantile {key[1:]}={show(value)}" if key.startswith("q") else f"--{key} {show(value)}"
                raise UsageError(f"{name} lies outside --truncate {trunc.text()}")
