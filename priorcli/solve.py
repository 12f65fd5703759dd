"""Targets -> parameters: the library behind ``priorcli solve``.

``solve(family, targets, fixed)`` turns what a modeller knows (mode, median, mean, sd, quantiles,
an interval's mass, a Beta/Dirichlet count) into native numpyro parameters. It returns a
:class:`Solution` (or an :class:`Underdetermined` table when one degree of freedom is left) and
raises the domain errors of :mod:`priorcli.errors` with one-line messages that name the offending
target: ``UsageError`` (exit 2) for malformed targets, ``InfeasibleError`` (exit 1) for targets that
cannot hold together, ``ConvergenceError`` (exit 1) when a numerical solve misses its targets.

Strategy, cheapest first:

* LogNormal from location/sd targets: closed forms with ``math`` and
  ``statistics.NormalDist`` only (no numpy/scipy/jax: this path runs in shell loops). Every target
  is ``log(value) = mu + c(sigma)``; two targets give one equation in sigma that is a quadratic
  except with sd. Only mode+sd and sd+quantile need ``scipy.optimize.brentq`` (imported lazily).
* Family closed forms (Gamma/InverseGamma/Beta/BetaProportion from mean+sd, Beta from
  mean+count, Dirichlet from mean+count) and a linear solve for every location-scale or scale
  family whose shape is held fixed (Normal, StudentT with fixed df, Cauchy, Gumbel, Gamma with
  fixed concentration, ...): targets are ``loc + b * scale`` with ``b`` from the standard member.
* Otherwise numerics on :mod:`priorcli.formulas` (scipy.special): a 1-D bracketed scan/brentq
  (one free parameter, or shape + scale of a scale family via the ratio of two targets), else
  ``scipy.optimize.least_squares`` on relative residuals from several starts.
* Interval mass with fewer targets than free parameters: the maximum-entropy member (as PreliZ's
  ``maxent``) by SLSQP with an equality constraint on the mass.

All numerics run in coordinates standardised by the targets (``x -> (x - a) / c`` for
location-scale families, ``x -> x / c`` for scale families) and unconstrained (log of positive,
logit of unit-interval parameters), so results do not depend on the units of the targets. Every
numerical answer is checked against the requested targets (relative residual <= 1e-6, interval
mass within 1e-6) before it is returned.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist

from priorcli.errors import ConvergenceError, InfeasibleError, PriorError, UsageError
from priorcli.targets import Targets

__all__ = ["Solution", "Underdetermined", "solve", "format_number", "SIGMA_GRID"]

# sigma values of the table returned for an underdetermined LogNormal.
SIGMA_GRID = (0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0)

_TOL = 1e-6  # accepted relative residual of any answer (absolute for interval mass)
_NORMAL = NormalDist()
_INF = math.inf


@dataclass(frozen=True)
class Solution:
    """Parameters meeting the targets. ``params`` holds every native parameter, fixed ones too."""

    family: str  # numpyro class name
    params: dict  # native name -> float (a tuple of floats for Dirichlet), full precision
    targets: dict  # requested, keyed as Targets.as_dict()
    achieved: dict  # same keys, achieved values
    numpyro: str  # "dist.LogNormal(loc=0.25, scale=0.5)"
    stan: str | None  # "lognormal(0.25, 0.5)", None where Stan has no such family
    notes: tuple[str, ...] = ()
    alternatives: tuple[dict, ...] = ()  # other exact solutions, each {"params": {...}}
    method: str = "closed-form"  # "closed-form" | "root" | "least-squares" | "maxent"


@dataclass(frozen=True)
class Underdetermined:
    """The targets leave one free parameter: a relation and a small table of solutions."""

    family: str
    relation: str
    solutions: tuple[dict, ...]  # each {"params": {...}}, ready for JSON
    targets: dict = field(default_factory=dict)
    free: str = ""  # the native parameter the table varies


# --------------------------------------------------------------------------------------
# formatting
# --------------------------------------------------------------------------------------


def format_number(v) -> str:
    """Compact float for code lines: 6 significant digits, always recognisably a float."""
    if isinstance(v, (tuple, list)):
        return "[" + ", ".join(format_number(x) for x in v) + "]"
    s = f"{float(v):.6g}"
    if not any(ch in s for ch in ".enai"):
        s += ".0"
    return s


def _g(v) -> str:
    """A value inside an error message: as the user probably typed it."""
    if isinstance(v, (tuple, list)):
        return "(" + ", ".join(_g(x) for x in v) + ")"
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e16:
        return str(int(v))
    return f"{v:.10g}" if isinstance(v, float) else str(v)


def _fmt_interval(lo: float, hi: float) -> str:
    return f"({_g(lo)}, {_g(hi)})"


_STAN = {
    # family: (stan name, argument list: native names or literal numbers)
    "Normal": ("normal", ("loc", "scale")),
    "LogNormal": ("lognormal", ("loc", "scale")),
    "Gamma": ("gamma", ("concentration", "rate")),
    "Beta": ("beta", ("concentration1", "concentration0")),
    "BetaProportion": ("beta_proportion", ("mean", "concentration")),
    "StudentT": ("student_t", ("df", "loc", "scale")),
    "InverseGamma": ("inv_gamma", ("concentration", "rate")),
    "HalfCauchy": ("cauchy", (0.0, "scale")),
    "HalfNormal": ("normal", (0.0, "scale")),
    "Exponential": ("exponential", ("rate",)),
    "Weibull": ("weibull", ("concentration", "scale")),
    "Pareto": ("pareto", ("scale", "alpha")),
    "Cauchy": ("cauchy", ("loc", "scale")),
    "Laplace": ("double_exponential", ("loc", "scale")),
    "Logistic": ("logistic", ("loc", "scale")),
    "Gumbel": ("gumbel", ("loc", "scale")),
    "Uniform": ("uniform", ("low", "high")),
    "Chi2": ("chi_square", ("df",)),
}


def _code_lines(family: str, params: dict) -> tuple[str, str | None, tuple[str, ...]]:
    """(numpyro line, Stan line or None, notes about the Stan line)."""
    if family == "Dirichlet":
        conc = params["concentration"]
        inner = ", ".join(format_number(v) for v in conc)
        return (
            f"dist.Dirichlet(concentration=jnp.array([{inner}]))",
            f"dirichlet([{inner}]')",
            (),
        )
    args = ", ".join(f"{k}={format_number(v)}" for k, v in params.items())
    numpyro = f"dist.{family}({args})"
    spec = _STAN.get(family)
    if spec is None:
        return numpyro, None, ()
    name, order = spec
    vals = [format_number(params[a]) if isinstance(a, str) else _g(a) for a in order]
    notes = ()
    if family in ("HalfCauchy", "HalfNormal"):
        notes = ("Stan: declare the parameter with <lower=0> to get the half distribution",)
    return numpyro, f"{name}({', '.join(vals)})", notes


# --------------------------------------------------------------------------------------
# targets -> equations (shared validation)
# --------------------------------------------------------------------------------------

_LOCATION = ("mode", "median", "mean", "quantile")


@dataclass(frozen=True)
class _Eq:
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
            return f"quantile {_g(self.p)}={_g(self.value)}"
        if self.kind == "mass":
            return f"mass={_g(self.value)} between lower={_g(self.lower)} and upper={_g(self.upper)}"
        return f"{self.kind}={_g(self.value)}"

    @property
    def location(self) -> bool:
        return self.kind in _LOCATION

    def moved(self, a: float, c: float) -> "_Eq":
        """The same target for X' = (X - a) / c."""
        if self.location:
            return _replace(self, value=(self.value - a) / c, text=self.label)
        if self.kind == "sd":
            return _replace(self, value=self.value / c, text=self.label)
        if self.kind == "mass":
            return _replace(self, lower=(self.lower - a) / c, upper=(self.upper - a) / c, text=self.label)
        return self


def _replace(eq: _Eq, **kw) -> _Eq:
    from dataclasses import replace

    return replace(eq, **kw)


def _finite(name: str, v) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise UsageError(f"{name}={v!r} is not a number")
    v = float(v)
    if not math.isfinite(v):
        raise UsageError(f"{name}={_g(v)} is not a finite number")
    return v


_COUNT_FAMILIES = ("Beta", "BetaProportion", "Dirichlet")


def _equations(family: str, t: Targets, support: tuple[float, float] | None) -> list[_Eq]:
    """Validated targets as equations. ``support``: (lo, hi) when it does not depend on params."""
    if isinstance(t.mean, (tuple, list)):
        raise UsageError(f"mean={_g(tuple(t.mean))} is a vector: only Dirichlet takes a simplex mean")
    eqs: list[_Eq] = []
    for name in ("mode", "median", "mean", "sd"):
        v = getattr(t, name)
        if v is None:
            continue
        v = _finite(name, v)
        if name == "sd" and v <= 0.0:
            raise UsageError(f"sd={_g(v)} must be positive")
        eqs.append(_Eq(name, name, v))
    for pv in t.quantiles:
        try:
            p, v = pv
        except (TypeError, ValueError):
            raise UsageError(f"quantile {pv!r} is not a (probability, value) pair") from None
        p = _finite("quantile probability", p)
        v = _finite(f"quantile {_g(p)}", v)
        if not 0.0 < p < 1.0:
            raise UsageError(f"quantile {_g(p)}={_g(v)}: the probability must be strictly between 0 and 1")
        eqs.append(_Eq(f"q{p!r}", "quantile", v, p=p))
    given = {n: getattr(t, n) for n in ("lower", "upper", "mass") if getattr(t, n) is not None}
    if given:
        missing = [n for n in ("lower", "upper", "mass") if n not in given]
        if missing:
            raise UsageError(
                f"{', '.join(f'{k}={_g(v)}' for k, v in given.items())} needs {' and '.join(missing)}: "
                "an interval target is lower, upper and mass together"
            )
        lower, upper, mass = (_finite(n, given[n]) for n in ("lower", "upper", "mass"))
        if not lower < upper:
            raise UsageError(f"lower={_g(lower)} must be below upper={_g(upper)}")
        if not 0.0 < mass < 1.0:
            raise UsageError(f"mass={_g(mass)} must be strictly between 0 and 1")
        eqs.append(_Eq("mass", "mass", mass, lower=lower, upper=upper))
    if t.count is not None:
        v = _finite("count", t.count)
        if family not in _COUNT_FAMILIES:
            raise UsageError(
                f"count={_g(v)} applies to Beta, BetaProportion and Dirichlet (alpha + beta), not {family}"
            )
        if v <= 0.0:
            raise UsageError(f"count={_g(v)} must be positive")
        eqs.append(_Eq("count", "count", v))

    if support is not None:
        lo, hi = support
        for eq in eqs:
            if eq.location and not lo < eq.value < hi:
                raise UsageError(f"{eq.label} is outside the support of {family} {_fmt_interval(lo, hi)}")
            if eq.kind == "mass":
                if eq.lower < lo or eq.upper > hi or eq.upper <= lo or eq.lower >= hi:
                    raise UsageError(
                        f"interval lower={_g(eq.lower)}, upper={_g(eq.upper)} is outside the support "
                        f"of {family} {_fmt_interval(lo, hi)}"
                    )
                if eq.lower <= lo and eq.upper >= hi:
                    raise InfeasibleError(
                        f"mass={_g(eq.value)}: the interval [{_g(eq.lower)}, {_g(eq.upper)}] holds all of "
                        f"{family}'s mass, so its mass is always 1"
                    )

    # The median is the 0.5 quantile: merge duplicates, refuse contradictions, check the order.
    by_p: dict[float, _Eq] = {}
    out: list[_Eq] = []
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
                f"{prev.label} and {eq.label} disagree: both are the {_g(p)} quantile"
                if eq.kind != prev.kind or eq.kind == "median"
                else f"quantile {_g(p)} is given twice with different values ({_g(prev.value)} and {_g(eq.value)})"
            )
    ordered = sorted(by_p.items())
    for (_, e1), (_, e2) in zip(ordered, ordered[1:]):
        if not e1.value < e2.value:
            raise InfeasibleError(
                f"quantiles must increase with their probabilities: {e1.label} is not below {e2.label}"
            )
    return out


# --------------------------------------------------------------------------------------
# public entry point
# --------------------------------------------------------------------------------------


def solve(family: str, targets: Targets, fixed: dict[str, float] | None = None) -> Solution | Underdetermined:
    """Parameters of ``family`` (a numpyro class name) meeting ``targets``, with ``fixed`` held.

    ``fixed`` maps native parameter names to values. Raises UsageError for malformed requests,
    InfeasibleError for targets that cannot hold together, ConvergenceError when a numerical
    solve does not meet its targets.
    """
    fixed = dict(fixed or {})
    if not isinstance(targets, Targets):
        raise TypeError("targets must be a priorcli.targets.Targets")
    if family == "Dirichlet":
        return _solve_dirichlet(targets, fixed)
    if family == "LogNormal" and targets.mass is None and targets.lower is None and targets.upper is None:
        return _solve_lognormal(targets, fixed)
    return _solve_formulas(family, targets, fixed)


# --------------------------------------------------------------------------------------
# LogNormal closed forms: log(target) = mu + c(sigma)
# --------------------------------------------------------------------------------------


def _softplus(x: float) -> float:
    """log(1 + e^x) without overflow."""
    return x + math.log1p(math.exp(-x)) if x > 0.0 else math.log1p(math.exp(x))


def _log_expm1(x: float) -> float:
    """log(e^x - 1) for x > 0, without overflow."""
    return x + math.log(-math.expm1(-x)) if x > 1.0 else math.log(math.expm1(x))


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return _INF


@dataclass(frozen=True)
class _LnTerm:
    """A LogNormal target as log(value) = mu + a*sigma^2 + b*sigma (or the sd form)."""

    eq: _Eq
    logv: float
    a: float = 0.0
    b: float = 0.0
    sd: bool = False

    def c(self, s: float) -> float:
        if self.sd:
            s2 = s * s
            return 0.5 * s2 + 0.5 * _log_expm1(s2)
        return self.a * s * s + self.b * s


_LN_COEF = {"mode": (-1.0, 0.0), "median": (0.0, 0.0), "mean": (0.5, 0.0)}


def _ln_term(eq: _Eq) -> _LnTerm:
    if eq.kind == "sd":
        return _LnTerm(eq, math.log(eq.value), sd=True)
    if eq.kind == "quantile":
        return _LnTerm(eq, math.log(eq.value), 0.0, _NORMAL.inv_cdf(eq.p))
    a, b = _LN_COEF[eq.kind]
    return _LnTerm(eq, math.log(eq.value), a, b)


def _positive_roots(a: float, b: float, rhs: float) -> list[float]:
    """Roots s > 0 of a s^2 + b s = rhs (a, b not both 0), ascending."""
    if a == 0.0:
        s = rhs / b
        return [s] if s > 0.0 else []
    disc = b * b + 4.0 * a * rhs
    if disc < 0.0:
        return []
    q = -0.5 * (b + math.copysign(math.sqrt(disc), b))
    if q == 0.0:  # b == 0 and rhs == 0
        return []
    roots = sorted({q / a, -rhs / q})
    roots = [r for r in roots if r > 0.0 and math.isfinite(r)]
    if len(roots) == 2 and roots[1] - roots[0] <= 1e-12 * roots[1]:
        roots = [roots[0]]
    return roots


def _brentq(f, lo, hi, xtol=1e-300):
    from scipy.optimize import brentq

    return brentq(f, lo, hi, xtol=xtol, maxiter=500)


def _ln_sd_sigmas(loc: _LnTerm, sd: _LnTerm) -> list[float]:
    """sigma > 0 with c_sd(sigma) - c_loc(sigma) = log(sd) - log(loc value)."""
    L = sd.logv - loc.logv
    a, b = loc.a, loc.b
    if b == 0.0 and a == 0.5:  # mean + sd: exp(s^2) - 1 = (sd/mean)^2
        return [math.sqrt(_softplus(2.0 * L))]
    if b == 0.0 and a == 0.0:  # median + sd: u (u - 1) = (sd/median)^2, u = exp(s^2)
        if L > 0.0:
            e = math.exp(-L)
            s2 = L + math.log(0.5 * (e + math.sqrt(e * e + 4.0)))
        else:
            r2 = math.exp(2.0 * L)
            s2 = math.log1p(2.0 * r2 / (1.0 + math.sqrt(1.0 + 4.0 * r2)))
        return [math.sqrt(s2)]
    if b == 0.0 and a == -1.0:
        # mode + sd: u^4 - u^3 = (sd/mode)^2 has one root u > 1. With y = log(u - 1):
        # 3 log(u) + log(u - 1) = 2 log(sd/mode), increasing in y; bracketed below.
        def f(y):
            return 3.0 * _softplus(y) + y - 2.0 * L

        hi = 2.0 * L
        lo = hi - 3.0 * _softplus(hi) - 1.0
        y = _brentq(f, lo, hi, xtol=1e-15)
        return [math.sqrt(_softplus(y))]

    # quantile + sd: h(s) -> -inf as s -> 0 and +inf as s -> inf; 1 or 3 roots. Scan, then brentq.
    def h(s):
        return (0.5 - a) * s * s - b * s + 0.5 * _log_expm1(s * s) - L

    lo = 1e-3
    while h(lo) >= 0.0 and lo > 1e-300:
        lo *= 1e-3
    hi = 4.0
    while h(hi) <= 0.0 and hi < 1e6:
        hi *= 2.0
    n = 600
    ratio = (hi / lo) ** (1.0 / n)
    grid = [lo * ratio**i for i in range(n)] + [hi]
    vals = [h(s) for s in grid]
    roots = []
    for s0, s1, v0, v1 in zip(grid, grid[1:], vals, vals[1:]):
        if v0 == 0.0:
            roots.append(s0)
        elif v0 * v1 < 0.0:
            roots.append(_brentq(h, s0, s1))
    return roots


def _ln_sigmas(A: _LnTerm, B: _LnTerm) -> list[float] | None:
    """sigma > 0 meeting both terms; None when the two terms are the same quantity."""
    if A.sd and B.sd:
        raise UsageError("sd is given twice")
    if B.sd:
        return _ln_sd_sigmas(A, B)
    if A.sd:
        return _ln_sd_sigmas(B, A)
    a, b = A.a - B.a, A.b - B.b
    if a == 0.0 and b == 0.0:
        return None
    return _positive_roots(a, b, A.logv - B.logv)


_RANK = {"mode": 0, "median": 1, "mean": 2}


def _ln_infeasible(A: _LnTerm, B: _LnTerm) -> str:
    """Why no sigma > 0 meets A and B (both location terms)."""
    ka = "median" if A.eq.kind == "loc" else A.eq.kind
    kb = "median" if B.eq.kind == "loc" else B.eq.kind
    if ka in _RANK and kb in _RANK:
        lo, hi = (A, B) if _RANK[ka] < _RANK[kb] else (B, A)
        return f"{lo.eq.label} must be below {hi.eq.label}: a LogNormal always has mode < median < mean"
    if "quantile" in (ka, kb) and ("median" in (ka, kb) or ka == kb):
        q, o = (A, B) if ka == "quantile" else (B, A)
        return (
            f"{q.eq.label} and {o.eq.label} cannot hold together: "
            "quantiles must increase with their probabilities (the median is the 0.5 quantile)"
        )
    q, o = (A, B) if ka == "quantile" else (B, A)
    kind = o.eq.kind
    z = q.b
    if kind == "mode":
        if z >= 0.0:
            return f"{q.eq.label} must lie above {o.eq.label}: a LogNormal's quantiles at p >= 0.5 exceed its mode"
        bound = math.exp(-z * z / 4.0)
        return (
            f"{q.eq.label} is too far below {o.eq.label}: a LogNormal's {_g(q.eq.p)} quantile is at least "
            f"exp(-z^2/4) = {bound:.6g} times its mode for every sigma"
        )
    # mean
    if z <= 0.0:
        return f"{q.eq.label} must lie below {o.eq.label}: a LogNormal's quantiles at p <= 0.5 are below its mean"
    bound = math.exp(z * z / 2.0)
    return (
        f"{q.eq.label} is too far above {o.eq.label}: a LogNormal's {_g(q.eq.p)} quantile is at most "
        f"exp(z^2/2) = {bound:.6g} times its mean for every sigma"
    )


def _ln_values(eq: _Eq, mu: float, s: float) -> float:
    s2 = s * s
    if eq.kind == "mode":
        return _exp(mu - s2)
    if eq.kind == "median":
        return _exp(mu)
    if eq.kind == "mean":
        return _exp(mu + 0.5 * s2)
    if eq.kind == "sd":
        return _exp(mu + 0.5 * s2 + 0.5 * _log_expm1(s2))
    if eq.kind == "quantile":
        return _exp(mu + s * _NORMAL.inv_cdf(eq.p))
    if eq.kind == "mass":

        def cdf(x):
            if x <= 0.0:
                return 0.0
            if x == _INF:
                return 1.0
            return _NORMAL.cdf((math.log(x) - mu) / s)

        return cdf(eq.upper) - cdf(eq.lower)
    raise UsageError(f"{eq.label} does not apply to LogNormal")


def _check_fixed_lognormal(fixed: dict) -> dict:
    out = {}
    for name, v in fixed.items():
        if name not in ("loc", "scale"):
            raise UsageError(f"LogNormal has no parameter {name!r} (expected loc, scale)")
        v = _finite(name, v)
        if name == "scale" and v <= 0.0:
            raise UsageError(f"scale={_g(v)} must be positive")
        out[name] = v
    return out


_LN_RELATION = {
    "mode": "mu = log(mode) + sigma^2",
    "median": "mu = log(median), for every sigma",
    "mean": "mu = log(mean) - sigma^2/2",
    "sd": "mu = log(sd) - sigma^2/2 - log(exp(sigma^2) - 1)/2",
}


def _ln_candidates(eqs: list[_Eq], fixed: dict) -> list[tuple[float, float]] | _LnTerm:
    """(mu, sigma) solutions from location/sd equations (+ fixed loc/scale), ascending sigma.

    Returns the single remaining term when one degree of freedom is left.
    """
    terms = [_ln_term(eq) for eq in eqs]
    if "loc" in fixed and "scale" in fixed:
        raise UsageError("both LogNormal parameters (loc, scale) are fixed: nothing to solve")
    if "scale" in fixed:
        s = fixed["scale"]
        if len(terms) != 1:
            raise UsageError(
                f"scale={_g(s)} is fixed, so LogNormal takes exactly one more target; got "
                + ", ".join(t.eq.label for t in terms)
            )
        return [(terms[0].logv - terms[0].c(s), s)]
    if "loc" in fixed:
        mu = fixed["loc"]
        terms.append(_LnTerm(_Eq("loc", "loc", math.nan, text=f"loc={_g(mu)} (median exp(loc))"), mu))
    if len(terms) > 2:
        raise UsageError(
            "too many targets for LogNormal: it has two parameters (loc, scale); got "
            + ", ".join(t.eq.label for t in terms)
        )
    if len(terms) == 1:
        return terms[0]
    A, B = terms
    sigmas = _ln_sigmas(A, B)
    if sigmas is None:  # fixed loc and a median: the same quantity
        if abs(A.logv - B.logv) <= 1e-12 * max(1.0, abs(A.logv)):
            return A if A.eq.kind != "loc" else B
        raise InfeasibleError(f"{A.eq.label} and {B.eq.label} disagree: a LogNormal's median is exp(loc)")
    if not sigmas:
        raise InfeasibleError(_ln_infeasible(A, B))
    if "loc" in fixed:
        return [(fixed["loc"], s) for s in sigmas]
    base = A if not A.sd else B
    return [(base.logv - base.c(s), s) for s in sigmas]


def _solve_lognormal(t: Targets, fixed: dict) -> Solution | Underdetermined:
    fixed = _check_fixed_lognormal(fixed)
    eqs = _equations("LogNormal", t, (0.0, _INF))
    if not eqs:
        raise UsageError("no targets given: LogNormal takes --mode, --median, --mean, --sd, --quantile or an interval")
    cands = _ln_candidates(eqs, fixed)
    if isinstance(cands, _LnTerm):
        term = cands
        if "loc" in fixed:
            mu = fixed["loc"]
            rows = tuple({"params": {"loc": mu, "scale": s}} for s in SIGMA_GRID)
            rel = f"{term.eq.label} holds for every sigma when loc={_g(mu)} (median = exp(loc))"
        else:
            if term.eq.kind == "quantile":
                z = term.b
                rel = f"mu = log(quantile {_g(term.eq.p)}) {'-' if z >= 0 else '+'} {abs(z):.6g}*sigma"
            else:
                rel = _LN_RELATION[term.eq.kind]
            rel += f", where log({_g(term.eq.value)}) = {term.logv:.6g} (mu is loc, sigma is scale)"
            rows = tuple({"params": {"loc": term.logv - term.c(s), "scale": s}} for s in SIGMA_GRID)
        return Underdetermined("LogNormal", rel, rows, t.as_dict(), "scale")
    notes = []
    alternatives = ()
    if len(cands) > 1:
        shown = " and ".join(f"scale={s:.6g}" for _, s in cands)
        notes.append(f"{len(cands)} solutions: {shown}; chose the smaller scale (sigma)")
        alternatives = tuple({"params": {"loc": m, "scale": s}} for m, s in cands[1:])
    mu, s = cands[0]
    for eq in eqs:
        got = _ln_values(eq, mu, s)
        if not (math.isfinite(mu) and math.isfinite(got) and abs(got - eq.value) <= _TOL * abs(eq.value)):
            raise ConvergenceError(f"LogNormal(loc={mu:.6g}, scale={s:.6g}) misses {eq.label}: it gives {got:.6g}")
    achieved = _achieved(t, lambda eq: _ln_values(eq, mu, s))
    params = {"loc": mu, "scale": s}
    numpyro, stan, stan_notes = _code_lines("LogNormal", params)
    kinds = {e.kind for e in eqs}
    has_root = "sd" in kinds and bool(kinds & {"mode", "quantile"})
    return Solution(
        "LogNormal",
        params,
        t.as_dict(),
        achieved,
        numpyro,
        stan,
        tuple(notes) + stan_notes,
        alternatives,
        "root" if has_root and "scale" not in fixed else "closed-form",
    )


def _achieved(t: Targets, value_of) -> dict:
    """Achieved values keyed like Targets.as_dict(); ``value_of(eq)`` evaluates one target."""
    out: dict = {}
    for key, v in t.as_dict().items():
        if key in ("lower", "upper"):
            out[key] = v
        elif key == "mass":
            out[key] = value_of(_Eq("mass", "mass", t.mass, lower=t.lower, upper=t.upper))
        elif key.startswith("q"):
            out[key] = value_of(_Eq(key, "quantile", v, p=float(key[1:])))
        else:
            out[key] = value_of(_Eq(key, key, v))
    return out


# --------------------------------------------------------------------------------------
# Dirichlet: concentration = count * mean
# --------------------------------------------------------------------------------------


def _solve_dirichlet(t: Targets, fixed: dict) -> Solution | Underdetermined:
    if fixed:
        raise UsageError(f"Dirichlet solving takes no fixed parameters (got {', '.join(fixed)})")
    other = [k for k in t.as_dict() if k not in ("mean", "count")]
    if other:
        raise UsageError(f"Dirichlet solving takes --mean (a simplex) and --count only, not {', '.join(other)}")
    if t.mean is None:
        raise UsageError("Dirichlet solving needs --mean (a simplex, e.g. 0.2,0.3,0.5) and --count")
    mean = t.mean if isinstance(t.mean, (tuple, list)) else (t.mean,)
    mean = tuple(_finite("mean", v) for v in mean)
    if len(mean) < 2:
        raise UsageError(f"mean={_g(mean)} must have at least two components for Dirichlet")
    if any(not 0.0 < v < 1.0 for v in mean):
        raise UsageError(f"mean={_g(mean)}: every component must be strictly between 0 and 1")
    total = math.fsum(mean)
    if abs(total - 1.0) > 1e-9:
        raise UsageError(f"mean={_g(mean)} must sum to 1 (it sums to {total:.10g})")
    if t.count is None:
        counts = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)
        rows = tuple({"params": {"concentration": tuple(n * m for m in mean)}} for n in counts)
        relation = "concentration = count * mean, for every count > 0"
        return Underdetermined("Dirichlet", relation, rows, t.as_dict(), "count")
    count = _finite("count", t.count)
    if count <= 0.0:
        raise UsageError(f"count={_g(count)} must be positive")
    conc = tuple(count * m for m in mean)
    s = math.fsum(conc)
    params = {"concentration": conc}
    numpyro, stan, notes = _code_lines("Dirichlet", params)
    achieved = {"mean": tuple(c / s for c in conc), "count": s}
    achieved = {k: achieved[k] for k in t.as_dict()}
    return Solution("Dirichlet", params, t.as_dict(), achieved, numpyro, stan, notes)


# --------------------------------------------------------------------------------------
# every family in priorcli.formulas
# --------------------------------------------------------------------------------------

# How each native parameter moves under X -> a + c X (c > 0): 'loc' -> a + c v, 'scale' -> c v,
# 'rate' -> v / c, 'logloc' -> v + log c (scale maps only). Unlisted parameters are shapes.
_SCALING = {
    "Normal": {"loc": "loc", "scale": "scale"},
    "Cauchy": {"loc": "loc", "scale": "scale"},
    "Laplace": {"loc": "loc", "scale": "scale"},
    "Logistic": {"loc": "loc", "scale": "scale"},
    "Gumbel": {"loc": "loc", "scale": "scale"},
    "Levy": {"loc": "loc", "scale": "scale"},
    "StudentT": {"loc": "loc", "scale": "scale"},
    "Uniform": {"low": "loc", "high": "loc"},
    "LogNormal": {"loc": "logloc"},
    "Gamma": {"rate": "rate"},
    "InverseGamma": {"rate": "scale"},
    "HalfCauchy": {"scale": "scale"},
    "HalfNormal": {"scale": "scale"},
    "Exponential": {"rate": "rate"},
    "Weibull": {"scale": "scale"},
    "Pareto": {"scale": "scale"},
    "LogUniform": {"low": "scale", "high": "scale"},
}
# Families whose support moves with the parameters (no up-front support check).
# The union of their supports is what targets are checked against.
_MOVING_SUPPORT = {"Uniform": (-_INF, _INF), "Pareto": (0.0, _INF), "LogUniform": (0.0, _INF), "Levy": (-_INF, _INF)}
# low < high families: 'add' -> high = low + e^x, 'mul' -> high = low * e^(e^x).
_ORDERED = {"Uniform": "add", "LogUniform": "mul"}


class _Redundant(Exception):
    """Two equations are the same quantity and agree: one degree of freedom is left."""

    def __init__(self, drop: int):
        self.drop = drop


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


class _Problem:
    """One family, its fixed parameters and targets, in standardised coordinates."""

    def __init__(self, family: str, F, eqs: list[_Eq], fixed: dict):
        self.family = family
        self.F = F
        self.kinds = {p.name: p.kind for p in F.params}
        self.names = tuple(p.name for p in F.params)
        self.scaling = _SCALING.get(family, {})
        self.shift = "loc" in self.scaling.values()
        self.a, self.c = self._standardiser(eqs, fixed)
        self.eqs_orig = list(eqs)
        self.eqs = [eq.moved(self.a, self.c) for eq in eqs]
        self.fixed_orig = dict(fixed)
        self.fixed = self.to_std(fixed)
        self.free = tuple(n for n in self.names if n not in fixed)
        self.budget = 2000  # function evaluations one least-squares or maxent search may use

    # ---- units ------------------------------------------------------------------------
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
        scales = []
        for n, k in self.scaling.items():
            if n in fixed:
                if k == "scale":
                    scales.append(fixed[n])
                elif k == "rate":
                    scales.append(1.0 / fixed[n])
                elif k == "logloc":
                    scales.append(math.exp(min(fixed[n], 700.0)))
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

    # ---- evaluation -------------------------------------------------------------------
    def value(self, eq: _Eq, p: dict) -> float:
        """The family's value for one target at params p (nan when undefined)."""
        F = self.F
        try:
            if eq.kind == "mode":
                v = F.mode(**p)
            elif eq.kind == "median":
                v = F.median(**p)
            elif eq.kind == "mean":
                v = F.mean(**p)
            elif eq.kind == "sd":
                var = F.variance(**p)
                v = None if var is None or var < 0.0 else math.sqrt(var)
            elif eq.kind == "quantile":
                v = F.icdf(eq.p, **p)
            elif eq.kind == "mass":
                v = F.cdf(eq.upper, **p) - F.cdf(eq.lower, **p)
            elif eq.kind == "count":
                v = p["concentration1"] + p["concentration0"] if "concentration1" in p else p["concentration"]
            else:  # pragma: no cover
                raise AssertionError(eq.kind)
        except (ValueError, OverflowError, ZeroDivisionError, TypeError):
            return math.nan
        if v is None:
            return math.nan
        v = float(v)
        return v if not math.isnan(v) else math.nan

    def entropy(self, p: dict) -> float:
        try:
            h = self.F.entropy(**p)
        except (ValueError, OverflowError, ZeroDivisionError):
            return math.nan
        return math.nan if h is None else float(h)

    def denom(self, eq: _Eq, scale: float = 1.0) -> float:
        """Residual scale of one target: relative, or relative to the spread for shift families."""
        if eq.kind == "mass":
            return 1.0
        if eq.location and self.shift:
            return max(abs(eq.value), scale)
        return abs(eq.value) if eq.value != 0.0 else scale

    def residuals(self, eqs, p: dict, scale: float = 1.0) -> list[float]:
        return [(self.value(eq, p) - eq.value) / self.denom(eq, scale) for eq in eqs]

    # ---- unconstrained coordinates ----------------------------------------------------
    def params_of(self, x, free=None, fixed=None) -> dict:
        free = self.free if free is None else free
        p = dict(self.fixed if fixed is None else fixed)
        # log/logit coordinates beyond +-30 (parameters beyond 1e13) are no prior anyone means, and
        # scipy.special gets slow out there: clip, which also stops searches that drift away
        xs = {
            n: min(max(float(v), -1e8), 1e8) if self.kinds[n] == "real" and self.family not in _ORDERED
            else min(max(float(v), -30.0), 30.0)
            for n, v in zip(free, x)
        }
        order = _ORDERED.get(self.family)
        if order:
            mul = order == "mul"
            if "low" in xs:
                if "high" in xs:
                    low = math.exp(xs["low"]) if mul else xs["low"]
                    p["low"] = low
                else:
                    high = p["high"]
                    w = math.exp(xs["low"])
                    p["low"] = high * math.exp(-w) if mul else high - w
            if "high" in xs:
                w = math.exp(xs["high"])
                p["high"] = p["low"] * math.exp(min(w, 700.0)) if mul else p["low"] + w
            return p
        for n, v in xs.items():
            k = self.kinds[n]
            if k == "positive":
                p[n] = math.exp(v)
            elif k in ("unit_interval", "open_unit_interval"):
                p[n] = 1.0 / (1.0 + math.exp(-v))
            else:
                p[n] = v
        return p

    def x_of(self, p: dict, free=None) -> list[float] | None:
        """Unconstrained coordinates of params p (None if p is invalid)."""
        free = self.free if free is None else free
        try:
            order = _ORDERED.get(self.family)
            out = []
            for n in free:
                v = p[n]
                if order:
                    mul = order == "mul"
                    if n == "low" and "high" in free:
                        out.append(math.log(v) if mul else v)
                    elif n == "low":
                        w = math.log(p["high"] / v) if mul else p["high"] - v
                        out.append(math.log(w))
                    else:
                        w = math.log(v / p["low"]) if mul else v - p["low"]
                        out.append(math.log(w))
                    continue
                k = self.kinds[n]
                if k == "positive":
                    out.append(math.log(v))
                elif k in ("unit_interval", "open_unit_interval"):
                    out.append(math.log(v) - math.log1p(-v))
                else:
                    out.append(float(v))
            return out if all(math.isfinite(v) for v in out) else None
        except (ValueError, ZeroDivisionError, KeyError, OverflowError):
            return None

    def grid(self, name: str) -> list[float]:
        """Scan grid of one unconstrained coordinate."""
        if self.family in _ORDERED:
            lo, hi, step = -12.0, 12.0, 0.125
        else:
            k = self.kinds[name]
            if k == "positive":
                lo, hi, step = -9.0, 25.0, 0.25
            elif k in ("unit_interval", "open_unit_interval"):
                lo, hi, step = -35.0, 35.0, 0.25
            else:
                lo, hi, step = -30.0, 30.0, 0.0625
        n = int(round((hi - lo) / step))
        return [lo + i * step for i in range(n + 1)]


def _typical(F) -> dict:
    return {p.name: 1.0 if p.kind == "positive" else 0.5 if p.kind in ("unit_interval", "open_unit_interval") else 0.0 for p in F.params}


def _check_fixed(family: str, F, fixed: dict) -> dict:
    out = {}
    names = [p.name for p in F.params]
    kinds = {p.name: p.kind for p in F.params}
    for n, v in fixed.items():
        if n not in kinds:
            raise UsageError(f"{family} has no parameter {n!r} (expected {', '.join(names)})")
        v = _finite(n, v)
        if kinds[n] == "positive" and v <= 0.0:
            raise UsageError(f"{n}={_g(v)} must be positive")
        if kinds[n] in ("unit_interval", "open_unit_interval") and not 0.0 < v < 1.0:
            raise UsageError(f"{n}={_g(v)} must be strictly between 0 and 1")
        out[n] = v
    if family in _ORDERED and "low" in out and "high" in out and not out["low"] < out["high"]:
        raise UsageError(f"low={_g(out['low'])} must be below high={_g(out['high'])}")
    return out


def _check_mean_bounds(family: str, eqs: list[_Eq], support: tuple[float, float]) -> None:
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


def _solve_formulas(family: str, t: Targets, fixed: dict) -> Solution | Underdetermined:
    import warnings

    with warnings.catch_warnings():
        # scipy.special on out-of-range trial points warns (overflow, divide by zero): the
        # solvers treat such points as undefined, the user need not see them.
        warnings.simplefilter("ignore", RuntimeWarning)
        return _solve_formulas_quiet(family, t, fixed)


def _solve_formulas_quiet(family: str, t: Targets, fixed: dict) -> Solution | Underdetermined:
    from priorcli import formulas

    F = formulas.get(family)
    if F is None:
        raise UsageError(f"solving for targets is not supported for {family}; give its parameters directly")
    if F.discrete:
        raise UsageError(f"solving for targets is not supported for the discrete family {family}")
    fixed = _check_fixed(family, F, fixed)
    support = _MOVING_SUPPORT.get(family) or F.support(**_typical(F))
    eqs = _equations(family, t, support)
    if not eqs:
        raise UsageError(f"no targets given for {family}")
    _check_mean_bounds(family, eqs, support)
    free = [p.name for p in F.params if p.name not in fixed]
    if not free:
        raise UsageError(f"every parameter of {family} is fixed: nothing to solve")
    n, k = len(eqs), len(free)
    has_mass = any(eq.kind == "mass" for eq in eqs)
    labels = ", ".join(eq.label for eq in eqs)
    if n > k:
        raise UsageError(
            f"too many targets for {family}: {k} free parameter{'s' if k > 1 else ''} "
            f"({', '.join(free)}) but {n} targets ({labels})"
        )
    prob = _Problem(family, F, eqs, fixed)
    if n < k and not has_mass:
        if k - n > 1:
            raise UsageError(
                f"not enough targets for {family}: {k} free parameters ({', '.join(free)}) but only {labels}; "
                "give more targets or fix parameters"
            )
        return _underdetermined(prob, t, labels)
    try:
        if n < k:
            cands, method, notes = _maxent(prob)
        else:
            cands, method, notes = _solve_std(prob, prob.eqs, prob.fixed)
    except _Redundant as red:
        eqs2 = [eq for i, eq in enumerate(eqs) if i != red.drop]
        return _underdetermined(_Problem(family, F, eqs2, fixed), t, labels)
    return _finish(prob, t, cands, method, notes)


def _finish(prob: _Problem, t: Targets, cands: list[dict], method: str, notes: list[str]) -> Solution:
    """Back to original units, pick the answer, verify it, build the Solution."""
    family = prob.family
    full = [{**prob.from_std(p), **prob.fixed_orig} for p in cands]
    params = full[0]
    alternatives = tuple({"params": p} for p in full[1:])
    # verify in the original units
    verifier = _Problem(family, prob.F, prob.eqs_orig, prob.fixed_orig)
    for eq in prob.eqs_orig:
        got = verifier.value(eq, params)
        tol = _TOL * verifier.denom(eq, prob.c)
        if not all(math.isfinite(v) for v in params.values()) or not abs(got - eq.value) <= tol:
            raise ConvergenceError(
                f"the {family} solution ({', '.join(f'{k}={v:.6g}' for k, v in params.items())}) misses "
                f"{eq.label}: it gives {got:.8g}"
            )
    achieved = _achieved(t, lambda eq: verifier.value(eq, params))
    numpyro, stan, stan_notes = _code_lines(family, params)
    notes = tuple(notes) + stan_notes
    return Solution(family, params, t.as_dict(), achieved, numpyro, stan, notes, alternatives, method)


# ---- the equation solvers (standardised space) ----------------------------------------


def _solve_std(prob: _Problem, eqs: list[_Eq], fixed: dict) -> tuple[list[dict], str, list[str]]:
    """Candidate std params meeting eqs exactly (len(eqs) == number of free params)."""
    family = prob.family
    free = tuple(n for n in prob.names if n not in fixed)
    kinds = {eq.kind for eq in eqs}
    simple = kinds <= {"mode", "median", "mean", "sd", "quantile"}

    if family == "LogNormal" and simple:
        cands = _ln_candidates(eqs, fixed)
        if isinstance(cands, _LnTerm):  # pragma: no cover - counted before
            raise _Redundant(len(eqs) - 1)
        out = [{"loc": m, "scale": s} for m, s in cands]
        notes = []
        if len(out) > 1:
            shown = " and ".join(f"scale={p['scale']:.6g}" for p in out)
            notes.append(f"{len(out)} solutions: {shown}; chose the smaller scale (sigma)")
        return out, "closed-form", notes

    closed = _closed_form(prob, eqs, fixed, free)
    if closed is not None:
        return [closed], "closed-form", []

    direct = _DIRECT.get(family, {})
    for i, eq in enumerate(eqs):
        name = direct.get(eq.kind)
        if name in free and len(free) > 1:  # a target that is a parameter: fix it, solve the rest
            return _solve_std(prob, eqs[:i] + eqs[i + 1 :], {**fixed, name: eq.value})

    shapes = [n for n in free if n not in prob.scaling]
    if prob.scaling and not shapes and simple and family not in ("LogNormal", "LogUniform"):
        return [_linear(prob, eqs, fixed, free)], "closed-form", []

    if len(free) == 1:
        return _solve_1d(prob, eqs, fixed, free[0])

    scale_names = [n for n in free if prob.scaling.get(n) in ("scale", "rate")]
    if (
        not prob.shift
        and simple
        and len(free) == 2
        and len(shapes) == 1
        and len(scale_names) == 1
        and prob.family not in _ORDERED
    ):
        return _solve_ratio(prob, eqs, fixed, shapes[0], scale_names[0])

    return _solve_lsq(prob, eqs, fixed, free)


def _closed_form(prob: _Problem, eqs, fixed, free) -> dict | None:
    """Family closed forms that need every parameter free."""
    fam = prob.family
    by = {eq.kind: eq.value for eq in eqs}
    if len(free) != len(prob.names) or set(by) not in ({"mean", "sd"}, {"mean", "count"}):
        return None
    m = by["mean"]
    if "sd" in by:
        s = by["sd"]
        if fam == "Gamma":
            return {"concentration": (m / s) ** 2, "rate": m / (s * s)}
        if fam == "InverseGamma":
            a = 2.0 + (m / s) ** 2
            return {"concentration": a, "rate": m * (a - 1.0)}
        if fam in ("Beta", "BetaProportion"):
            if not s * s < m * (1.0 - m):
                raise InfeasibleError(
                    f"sd={_g(s)} is too large for a {fam} with mean={_g(m)}: "
                    f"it must be below sqrt(mean*(1-mean)) = {math.sqrt(m * (1.0 - m)):.6g}"
                )
            nu = m * (1.0 - m) / (s * s) - 1.0
            if fam == "Beta":
                return {"concentration1": m * nu, "concentration0": (1.0 - m) * nu}
            return {"mean": m, "concentration": nu}
        return None
    n = by["count"]
    if fam == "Beta":
        return {"concentration1": n * m, "concentration0": n * (1.0 - m)}
    if fam == "BetaProportion":
        return {"mean": m, "concentration": n}
    return None


# targets that are native parameters
_DIRECT = {"BetaProportion": {"mean": "mean", "count": "concentration"}}

_WHAT = {"mode": "unique mode", "median": "median", "mean": "finite mean", "sd": "finite sd", "quantile": "quantile"}


def _linear(prob: _Problem, eqs: list[_Eq], fixed: dict, free) -> dict:
    """Location-scale / scale families with shapes held: targets are loc + b * scale."""
    fam = prob.family
    std = dict(fixed)
    if fam == "Uniform":
        std.update(low=0.0, high=1.0)
    else:
        for n, k in prob.scaling.items():
            std[n] = 0.0 if k == "loc" else 1.0
    shape_desc = ", ".join(f"{n}={_g(v)}" for n, v in fixed.items() if n not in prob.scaling)
    who = f"{fam} with {shape_desc}" if shape_desc else fam
    rows = []  # (coef_loc, coef_scale, rhs, label, eq index or None)
    for i, eq in enumerate(eqs):
        b = prob.value(eq, std)
        if not math.isfinite(b):
            raise InfeasibleError(f"{eq.label}: {who} has no {_WHAT[eq.kind]}")
        if eq.kind == "sd":
            rows.append((0.0, b, eq.value, eq.label, i))
        else:
            rows.append((1.0, b, eq.value, eq.label, i))

    if not prob.shift:  # one scale-like parameter
        (name,) = free
        _, b, v, label, _ = rows[0]
        if b <= 0.0:
            raise InfeasibleError(f"{label} cannot hold: {who} has its {eqs[0].kind} at 0 for every {name}")
        s = v / b
        out = dict(fixed)
        out[name] = s if prob.scaling[name] == "scale" else 1.0 / s
        return out

    # shift families: unknowns (l, s) with X = l + s * X0
    if fam == "Uniform":
        names = {"low": (1.0, 0.0), "high": (1.0, 1.0)}
        loc_name = scale_name = None
    else:
        loc_name = next(n for n, k in prob.scaling.items() if k == "loc")
        scale_name = next(n for n, k in prob.scaling.items() if k == "scale")
        names = {loc_name: (1.0, 0.0), scale_name: (0.0, 1.0)}
    for n, (cl, cs) in names.items():
        if n in fixed:
            label = f"{n}={_g(_back(prob, n, fixed[n]))}"
            rows.append((cl, cs, fixed[n], label, None))
    (a1, b1, r1, l1, i1), (a2, b2, r2, l2, i2) = rows
    det = a1 * b2 - a2 * b1
    size = max(abs(a1), abs(b1)) * max(abs(a2), abs(b2))
    if abs(det) <= 1e-12 * size:
        # the same combination of loc and scale: consistent -> one free parameter left
        f = (a2 / a1) if a1 else (b2 / b1)
        if abs(r2 - f * r1) <= 1e-10 * max(1.0, abs(r1), abs(r2)) and (i1 is not None or i2 is not None):
            raise _Redundant(i2 if i2 is not None else i1)
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
    if fam == "Uniform":
        out["low"], out["high"] = loc, loc + s
    else:
        out[loc_name], out[scale_name] = loc, s
    return out


def _select(prob: _Problem, cands: list[dict], eqs, notes: list[str]) -> list[dict]:
    """Order several exact solutions: the max-entropy one for interval mass, else the least spread
    (smallest sd, as "the smaller sigma" for LogNormal; else the narrowest 5%-95% interval)."""
    if len(cands) < 2:
        return cands
    if any(eq.kind == "mass" for eq in eqs):
        keys = [-prob.entropy(p) for p in cands]
        which = "the maximum-entropy one"
    else:
        sd = _Eq("sd", "sd", 1.0)
        keys = [prob.value(sd, p) for p in cands]
        which = "the one with the smallest sd"
        if not all(math.isfinite(k) for k in keys):
            lo, hi = _Eq("q", "quantile", 0.0, p=0.05), _Eq("q", "quantile", 0.0, p=0.95)
            keys = [prob.value(hi, p) - prob.value(lo, p) for p in cands]
            which = "the one with the narrowest 5%-95% interval"
    order = sorted(range(len(cands)), key=lambda i: keys[i] if math.isfinite(keys[i]) else _INF)
    cands = [cands[i] for i in order]
    shown = "; ".join(
        ", ".join(f"{k}={v:.6g}" for k, v in prob.from_std(p).items() if k in prob.free) for p in cands
    )
    notes.append(f"{len(cands)} solutions ({shown}); chose {which}")
    return cands


def _scan(fun, grid) -> tuple[list[float], list[float]]:
    """Roots of fun on a grid, and the grid values.

    Sign changes between grid points are refined by brentq; so are sign changes hidden at the
    edge of the region where fun is defined (bisected first) and pairs of roots hidden inside a
    grid cell around a local minimum of |fun| (found with a bounded scalar minimisation).
    """

    def f(x):
        try:
            v = fun(x)
        except (ValueError, OverflowError, ZeroDivisionError):
            return math.nan
        return v if math.isfinite(v) else math.nan

    def root(a, b):
        try:
            return _brentq(f, a, b, xtol=1e-14)
        except (ValueError, RuntimeError):
            return None

    vals = [f(x) for x in grid]
    roots = []
    n = len(grid)
    for i in range(n - 1):
        x0, x1, v0, v1 = grid[i], grid[i + 1], vals[i], vals[i + 1]
        ok0, ok1 = not math.isnan(v0), not math.isnan(v1)
        if ok0 and v0 == 0.0:
            roots.append(x0)
        elif ok0 and ok1:
            if v0 * v1 < 0.0:
                roots.append(root(x0, x1))
        elif ok0 or ok1:  # the edge of the defined region lies in this cell
            good, bad, vg = (x0, x1, v0) if ok0 else (x1, x0, v1)
            edge = good
            for _ in range(60):
                mid = 0.5 * (edge + bad)
                if mid in (edge, bad):
                    break
                if math.isnan(f(mid)):
                    bad = mid
                else:
                    edge = mid
            ve = f(edge)
            if edge != good and not math.isnan(ve) and ve * vg < 0.0:
                roots.append(root(min(edge, good), max(edge, good)))
    if n and vals[-1] == 0.0:
        roots.append(grid[-1])
    # two roots inside one cell: a local minimum of |f| that crosses zero
    for i in range(1, n - 1):
        va, vb, vc = vals[i - 1], vals[i], vals[i + 1]
        if any(math.isnan(v) for v in (va, vb, vc)) or vb == 0.0:
            continue
        if not (va * vb > 0.0 and vb * vc > 0.0 and abs(vb) < abs(va) and abs(vb) < abs(vc)):
            continue
        from scipy.optimize import minimize_scalar

        sgn = 1.0 if vb > 0.0 else -1.0
        r = minimize_scalar(
            lambda x: sgn * f(x) if not math.isnan(f(x)) else _INF,
            bounds=(grid[i - 1], grid[i + 1]),
            method="bounded",
            options={"xatol": 1e-13},
        )
        xm = float(r.x)
        vm = f(xm)
        if not math.isnan(vm) and vm * vb < 0.0:
            roots += [root(grid[i - 1], xm), root(xm, grid[i + 1])]
    roots = sorted(x for x in roots if x is not None)
    out: list[float] = []
    for x in roots:
        if not out or abs(x - out[-1]) > 1e-10 * max(1.0, abs(x)):
            out.append(x)
    return out, vals


def _solve_1d(prob: _Problem, eqs, fixed, name) -> tuple[list[dict], str, list[str]]:
    (eq,) = eqs
    d = prob.denom(eq)

    def fun(x):
        return (prob.value(eq, prob.params_of([x], (name,), fixed)) - eq.value) / d

    grid = prob.grid(name)
    roots, vals = _scan(fun, grid)
    if not roots:
        finite = [v * d + eq.value for v in vals if math.isfinite(v)]
        lo_p = prob.params_of([grid[0]], (name,), fixed)[name]
        hi_p = prob.params_of([grid[-1]], (name,), fixed)[name]
        span = f"for {name} in [{_g(_back(prob, name, lo_p))}, {_g(_back(prob, name, hi_p))}]"
        if eq.kind == "mass":
            best = _max_mass_1d(prob, eq, fixed, name, grid, vals)
            raise InfeasibleError(f"{eq.label} is unattainable for {prob.family}: the mass there is at most {best:.6g}")
        if finite:
            lo, hi = min(finite), max(finite)
            rng = f"{eq.kind} stays within [{_back_value(prob, eq, lo):.6g}, {_back_value(prob, eq, hi):.6g}] {span}"
        else:
            rng = f"{eq.kind} is undefined {span}"
        raise InfeasibleError(f"{eq.label} is out of reach for {prob.family}: {rng}")
    cands = [prob.params_of([x], (name,), fixed) for x in roots]
    notes: list[str] = []
    cands = _select(prob, cands, eqs, notes)
    return cands, "root", notes


def _back(prob: _Problem, name: str, v: float) -> float:
    return _moved_param(prob.scaling.get(name), v, prob.a, prob.c, False)


def _back_value(prob: _Problem, eq: _Eq, v: float) -> float:
    if eq.location:
        return prob.a + prob.c * v
    if eq.kind == "sd":
        return prob.c * v
    return v


def _max_mass_1d(prob, eq, fixed, name, grid, vals) -> float:
    """Largest attainable interval mass over one free parameter."""
    from scipy.optimize import minimize_scalar

    finite = [(v, x) for v, x in zip(vals, grid) if math.isfinite(v)]
    if not finite:
        return math.nan
    v, x = max(finite)
    best = v + eq.value
    step = grid[1] - grid[0]
    try:
        r = minimize_scalar(
            lambda y: -prob.value(eq, prob.params_of([y], (name,), fixed)),
            bounds=(x - step, x + step),
            method="bounded",
            options={"xatol": 1e-12},
        )
        best = max(best, -float(r.fun))
    except (ValueError, RuntimeError):
        pass
    return best


def _solve_ratio(prob: _Problem, eqs, fixed, shape: str, scale: str) -> tuple[list[dict], str, list[str]]:
    """Scale family, shape and scale free: the ratio of two targets fixes the shape (1-D root)."""
    e1, e2 = eqs
    target = math.log(e1.value / e2.value)
    kind = prob.scaling[scale]

    def member(x):
        p = prob.params_of([x], (shape,), fixed)
        p[scale] = 1.0
        return p

    def fun(x):
        p = member(x)
        b1, b2 = prob.value(e1, p), prob.value(e2, p)
        if not (b1 > 0.0 and b2 > 0.0):
            return math.nan
        return math.log(b1 / b2) - target

    grid = prob.grid(shape)
    roots, vals = _scan(fun, grid)
    if not roots:
        finite = [math.exp(v + target) for v in vals if math.isfinite(v)]
        lo_s = prob.params_of([grid[0]], (shape,), fixed)[shape]
        hi_s = prob.params_of([grid[-1]], (shape,), fixed)[shape]
        rng = (
            f"{e1.kind}/{e2.kind} stays within [{min(finite):.6g}, {max(finite):.6g}]"
            if finite
            else f"{e1.kind}/{e2.kind} is undefined"
        )
        raise InfeasibleError(
            f"{e1.label} and {e2.label} cannot hold together for {prob.family}: {rng} "
            f"for {shape} in [{_g(lo_s)}, {_g(hi_s)}] (asked {e1.value / e2.value:.6g})"
        )
    cands = []
    for x in roots:
        p = member(x)
        s = e1.value / prob.value(e1, p)
        p[scale] = s if kind == "scale" else 1.0 / s
        cands.append(p)
    notes: list[str] = []
    cands = _select(prob, cands, eqs, notes)
    return cands, "root", notes


# ---- starts and least squares -----------------------------------------------------------


def _rough_mean_sd(eqs) -> tuple[float | None, float | None]:
    """A rough (mean, sd) implied by the targets, for starting points."""
    by = {eq.kind: eq for eq in eqs if eq.kind != "quantile"}
    qs = sorted((eq.p, eq.value) for eq in eqs if eq.kind == "quantile")
    if "median" in by:
        qs = sorted(qs + [(0.5, by["median"].value)])
    m = s = None
    for k in ("mean", "median", "mode"):
        if k in by:
            m = by[k].value
            break
    if "sd" in by:
        s = by["sd"].value
    zs = [(_NORMAL.inv_cdf(p), v) for p, v in qs]
    if len(zs) >= 2:
        (z1, v1), (z2, v2) = zs[0], zs[-1]
        s = s if s is not None else (v2 - v1) / (z2 - z1)
        if m is None:
            m = v1 - z1 * (v2 - v1) / (z2 - z1)
    elif len(zs) == 1:
        z, v = zs[0]
        if m is None and s is not None:
            m = v - z * s
        elif m is not None and s is None and z != 0.0 and v != m:
            s = abs(v - m) / abs(z)
        elif m is None:
            m = v
    if "mass" in by:
        eq = by["mass"]
        lo, hi = eq.lower, eq.upper
        if math.isfinite(lo) and math.isfinite(hi):
            m = m if m is not None else 0.5 * (lo + hi)
            s = s if s is not None else (hi - lo) / (2.0 * _NORMAL.inv_cdf(0.5 + 0.5 * eq.value))
        elif math.isfinite(hi):
            m = m if m is not None else 0.5 * hi
            s = s if s is not None else 0.5 * hi
    if "count" in by and m is not None and 0.0 < m < 1.0 and s is None:
        s = math.sqrt(m * (1.0 - m) / (by["count"].value + 1.0))
    if m is not None and s is None:
        s = abs(m) if m else 1.0
    return m, s


def _moment_member(family: str, m: float, s: float) -> dict | None:
    """Rough parameters with mean m and sd s (approximate where no closed form exists)."""
    if not (math.isfinite(m) and math.isfinite(s)) or s <= 0.0:
        return None
    cv = s / m if m > 0.0 else None
    if family in ("Normal", "Cauchy", "Laplace", "Logistic", "Gumbel", "Levy"):
        return {"loc": m, "scale": s}
    if family == "StudentT":
        return {"df": 5.0, "loc": m, "scale": s}
    if family == "Uniform":
        return {"low": m - math.sqrt(3.0) * s, "high": m + math.sqrt(3.0) * s}
    if cv is None:
        return None
    if family == "LogNormal":
        s2 = math.log1p(cv * cv)
        return {"loc": math.log(m) - 0.5 * s2, "scale": math.sqrt(s2)}
    if family == "Gamma":
        return {"concentration": cv**-2, "rate": m / (s * s)}
    if family == "InverseGamma":
        a = 2.0 + cv**-2
        return {"concentration": a, "rate": m * (a - 1.0)}
    if family == "Weibull":
        k = min(max(cv**-1.086, 0.05), 1e6)
        return {"scale": m / math.gamma(1.0 + 1.0 / k), "concentration": k}
    if family == "Pareto":
        alpha = 1.0 + math.sqrt(1.0 + cv**-2)
        return {"scale": m * (alpha - 1.0) / alpha, "alpha": alpha}
    if family in ("Beta", "BetaProportion", "Kumaraswamy"):
        if not 0.0 < m < 1.0:
            return None
        v = min(s * s, 0.9 * m * (1.0 - m))
        nu = m * (1.0 - m) / v - 1.0
        if family == "BetaProportion":
            return {"mean": m, "concentration": nu}
        if family == "Kumaraswamy":
            return {"concentration1": max(m * nu, 0.1), "concentration0": max((1.0 - m) * nu, 0.1)}
        return {"concentration1": m * nu, "concentration0": (1.0 - m) * nu}
    if family == "Chi2":
        return {"df": m}
    if family == "Exponential":
        return {"rate": 1.0 / m}
    if family == "HalfNormal":
        return {"scale": m / math.sqrt(2.0 / math.pi)}
    if family == "HalfCauchy":
        return {"scale": m}
    if family == "LogUniform":
        return {"low": m / (1.0 + 3.0 * cv), "high": m * (1.0 + 3.0 * cv)}
    return None


def _starts(prob: _Problem, eqs, fixed, free, first: list | None = None, limit: int = 40) -> list[list[float]]:
    """Starting points in unconstrained coordinates: a given one, a moment-matched guess, a few
    steps around it, then a coarse grid over the whole (standardised) space."""
    starts = []
    if first is not None:
        starts.append(first)
    m, s = _rough_mean_sd(eqs)
    if m is not None:
        guess = _moment_member(prob.family, m, s)
        if guess is not None:
            guess.update(fixed)
            x = prob.x_of(guess, free)
            if x is not None:
                starts.append(x)
                for i in range(len(free)):
                    for step in (2.0, -2.0):
                        y = list(x)
                        y[i] += step
                        starts.append(y)
    axes = []
    for n in free:
        if prob.family in _ORDERED or prob.kinds[n] in ("positive", "unit_interval", "open_unit_interval"):
            axes.append((0.0, 1.5, -1.5, 3.0, 4.5, -3.0))
        else:
            axes.append((0.0, 1.0, -1.0, 2.0, -2.0))
    combos = [[]]
    for ax in axes:
        combos = [c + [v] for c in combos for v in ax]
    combos.sort(key=lambda c: sum(abs(v) for v in c))
    starts += combos
    out, seen = [], set()
    for x in starts:
        key = tuple(round(v, 9) for v in x)
        if key not in seen:
            seen.add(key)
            out.append(x)
    return out[:limit]


class _Budget(Exception):
    """A numerical search used up its (deterministic) number of function evaluations."""


def _solve_lsq(prob: _Problem, eqs, fixed, free) -> tuple[list[dict], str, list[str]]:
    from scipy.optimize import least_squares

    used = [0]

    def fun(x):
        used[0] += 1
        if used[0] > prob.budget:
            raise _Budget
        r = prob.residuals(eqs, prob.params_of(x, free, fixed))
        return [v if math.isfinite(v) else 1e3 for v in r]

    best = None
    for x0 in _starts(prob, eqs, fixed, free):
        try:
            r = least_squares(fun, x0, method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=200 * len(free))
        except _Budget:
            break
        except (ValueError, RuntimeError, OverflowError, ArithmeticError):
            continue
        worst = max(abs(v) for v in r.fun)
        if best is None or worst < best[0]:
            best = (worst, r.x)
        if worst < 1e-11:
            break
    if best is None or not best[0] < _TOL:
        got = "" if best is None else f" (closest: relative residual {best[0]:.2g})"
        raise ConvergenceError(
            f"could not meet {', '.join(eq.label for eq in prob.eqs_orig)} for {prob.family}{got}"
        )
    return [prob.params_of(best[1], free, fixed)], "least-squares", []


# ---- maximum entropy --------------------------------------------------------------------


def _maxent(prob: _Problem) -> tuple[list[dict], str, list[str]]:
    """Maximum-entropy member meeting every equation (one of them an interval mass)."""
    from scipy.optimize import least_squares, minimize

    eqs, fixed, free = prob.eqs, prob.fixed, prob.free
    mass = next(eq for eq in eqs if eq.kind == "mass")
    P, L, U = mass.value, mass.lower, mass.upper
    if prob.family in _MOVING_SUPPORT:
        lo, hi = (-_INF, _INF) if prob.shift else (0.0, _INF)
    else:
        lo, hi = prob.F.support(**_typical(prob.F))

    # A feasible start: the equal-tailed member (2 free parameters, mass the only target).
    first = None
    if len(eqs) == 1 and len(free) == 2:
        if L > lo and U < hi:
            qs = [((1.0 - P) / 2.0, L), ((1.0 + P) / 2.0, U)]
        elif U < hi:
            qs = [(P / 2.0, lo + 0.5 * (U - lo)), (P, U)]
        else:
            qs = [(1.0 - P, L), (1.0 - P / 2.0, L + 0.5 * (hi - L))]
        qeqs = [_Eq(f"q{p!r}", "quantile", v, p=p) for p, v in qs]
        try:
            cands, _, _ = _solve_std(prob, qeqs, fixed)
            first = prob.x_of(cands[0], free)
        except (InfeasibleError, ConvergenceError, UsageError, _Redundant):
            first = None

    used = [0]

    def negh(x):
        used[0] += 1
        if used[0] > prob.budget:
            raise _Budget
        h = prob.entropy(prob.params_of(x, free, fixed))
        return -h if math.isfinite(h) else 1e6

    def cons(x):
        r = prob.residuals(eqs, prob.params_of(x, free, fixed))
        return [v if math.isfinite(v) else 1e3 for v in r]

    def grad(f):
        # central differences: SLSQP's default forward steps limit the optimum to ~1e-8
        def jac(x):
            cols = []
            for i in range(len(x)):
                h = 1e-6 * max(1.0, abs(x[i]))
                xp, xm = list(x), list(x)
                xp[i] += h
                xm[i] -= h
                fp, fm = f(xp), f(xm)
                if isinstance(fp, list):
                    cols.append([(u - v) / (2.0 * h) for u, v in zip(fp, fm)])
                else:
                    cols.append((fp - fm) / (2.0 * h))
            if cols and isinstance(cols[0], list):
                return [list(row) for row in zip(*cols)]
            return cols

        return jac

    def polish(x):
        r = least_squares(cons, x, method="trf", xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=200)
        return r.x, max(abs(v) for v in r.fun)

    def stationary(x) -> bool:
        # KKT: the entropy gradient lies in the span of the constraint gradients
        import numpy as np

        g = np.asarray(grad(negh)(x), dtype=float)
        J = np.atleast_2d(np.asarray(grad(cons)(x), dtype=float))
        lam = np.linalg.lstsq(J.T, g, rcond=None)[0]
        return bool(np.linalg.norm(g - J.T @ lam) <= 1e-5 * max(1.0, np.linalg.norm(g)))

    best = None  # x of the maximum-entropy member
    for x0 in _starts(prob, eqs, fixed, free, first, limit=8):
        try:
            r = minimize(
                negh,
                x0,
                jac=grad(negh),
                method="SLSQP",
                constraints=[{"type": "eq", "fun": cons, "jac": grad(cons)}],
                options={"ftol": 1e-15, "maxiter": 200},
            )
            if r.status not in (0, 8):  # 8: no descent left at the precision asked: check KKT below
                continue
            x, viol = polish(r.x)
            if viol <= 1e-10 and stationary(x):
                best = x  # the first converged start (usually the equal-tailed member) is the answer
                break
        except _Budget:
            break
        except (ValueError, RuntimeError, OverflowError, ArithmeticError, _np_error()):
            continue
    if best is None:
        # Unattainable mass, or a solver failure?
        top = _max_mass(prob, mass, fixed, free)
        if top < P - 1e-9:
            raise InfeasibleError(
                f"{mass.label} is unattainable for {prob.family}: the mass there is at most {top:.6g}"
            )
        raise ConvergenceError(f"the maximum-entropy search for {mass.label} did not converge for {prob.family}")
    notes = [f"maximum-entropy {prob.family} with {mass.label}"]
    return [prob.params_of(best, free, fixed)], "maxent", notes


def _np_error():
    import numpy as np

    return np.linalg.LinAlgError


def _max_mass(prob: _Problem, mass: _Eq, fixed, free) -> float:
    from scipy.optimize import minimize

    def negm(x):
        v = prob.value(mass, prob.params_of(x, free, fixed))
        return -v if math.isfinite(v) else 0.0

    best = 0.0
    for x0 in _starts(prob, [mass], fixed, free, limit=4):
        try:
            r = minimize(negm, x0, method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 800})
            best = max(best, -float(r.fun))
        except (ValueError, RuntimeError):
            continue
    return best


# ---- underdetermined --------------------------------------------------------------------


def _underdetermined(prob: _Problem, t: Targets, labels: str) -> Underdetermined:
    """One free parameter left: vary one parameter over a small grid, solve for the rest."""
    free = prob.free
    shapes = [n for n in free if n not in prob.scaling]
    scales = [n for n in free if prob.scaling.get(n) in ("scale", "rate")]
    order = shapes + scales + [n for n in free if n not in shapes and n not in scales]
    best: tuple[str, list] | None = None
    prob.budget = 400  # a table row that needs a long search is not worth waiting for
    error: PriorError | None = None
    for vary in order:
        rows = []
        for v in _grid_values(prob, vary):
            fixed = dict(prob.fixed)
            fixed[vary] = v
            try:
                cands = [fixed] if not prob.eqs else _solve_std(prob, prob.eqs, fixed)[0]
            except _Redundant:
                continue
            except PriorError as e:
                error = error or e
                continue
            p = {**prob.from_std(cands[0]), **prob.fixed_orig}
            if all(math.isfinite(x) for x in p.values()):
                rows.append({"params": p})
        if best is None or len(rows) > len(best[1]):
            best = (vary, rows)
        if len(rows) >= 3:
            break
    vary, rows = best
    if not rows:
        vals = [_back(prob, vary, v) for v in _grid_values(prob, vary)]
        tried = f"for {vary} from {_g(min(vals))} to {_g(max(vals))}"
        if isinstance(error, InfeasibleError):
            raise InfeasibleError(f"{labels} cannot hold together for {prob.family} {tried}")
        raise ConvergenceError(f"found no {prob.family} meeting {labels} {tried}")
    others = [n for n in free if n != vary]
    if not others:
        relation = f"{labels} hold{'s' if ',' not in labels else ''} for every {vary} of {prob.family}"
    else:
        relation = (
            f"{labels} leave{'s' if ',' not in labels else ''} one degree of freedom in {prob.family}: "
            f"each value of {vary} gives the {', '.join(others)} that meet{'s' if len(others) == 1 else ''} them"
        )
    return Underdetermined(prob.family, relation, tuple(rows), t.as_dict(), vary)


def _grid_values(prob: _Problem, name: str) -> tuple[float, ...]:
    """A few values of one parameter (standardised units) for an underdetermined table."""
    kind = prob.scaling.get(name)
    if kind in ("scale", "rate"):
        return (0.25, 0.5, 1.0, 2.0, 4.0)
    if kind == "loc":
        return (-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0)
    if prob.kinds[name] == "positive":
        return (0.5, 1.0, 2.0, 5.0, 10.0, 20.0)
    if prob.kinds[name] in ("unit_interval", "open_unit_interval"):
        return (0.1, 0.25, 0.5, 0.75, 0.9)
    return (-2.0, -1.0, 0.0, 1.0, 2.0)
