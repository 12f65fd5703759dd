"""The LogNormal record and its target algebra.

Every LogNormal target is ``log(value) = mu + c(sigma)`` (mu is loc, sigma is scale): ``c`` is
``a*sigma^2 + b*sigma`` for the mode (a=-1), median (0), mean (1/2) and a quantile at p
(b = z_p), and ``sigma^2/2 + log(exp(sigma^2) - 1)/2`` for the sd. Two targets give one equation in
sigma that is a quadratic except with the sd; only mode+sd and quantile+sd need
``scipy.optimize.brentq`` (imported lazily). Everything else runs on ``math`` and
``statistics.NormalDist``, so the solver's LogNormal path imports neither numpy nor scipy.

The record's :class:`Inversion` s (floats, arrays, model-language expressions for --emit) are generated from the same
coefficients; :func:`candidates` is the general two-target solve the solver calls.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from types import SimpleNamespace

from priorcli.errors import InfeasibleError, UsageError
from priorcli.records.base import INF, LOC_SCALE, LOG2PI, POSITIVE_LINE, Inversion, np, record, sc, show
from priorcli.records import shape
from priorcli.records.fitdata import check_positive, require_spread, robust_spread
from priorcli.records.oracle import ScipyOracle

__all__ = ["RECORD", "SCIPY", "ALGEBRA", "LOGNORMAL", "Term", "term", "candidates", "value_at", "RELATION", "log_expm1"]

_NORMAL = NormalDist()

# log(target) = mu + a*sigma^2 + b*sigma
COEF = {"mode": (-1.0, 0.0), "median": (0.0, 0.0), "mean": (0.5, 0.0)}

RELATION = {
    "mode": "mu = log(mode) + sigma^2",
    "median": "mu = log(median), for every sigma",
    "mean": "mu = log(mean) - sigma^2/2",
    "sd": "mu = log(sd) - sigma^2/2 - log(exp(sigma^2) - 1)/2",
}


def softplus(x: float) -> float:
    """log(1 + e^x) without overflow."""
    return x + math.log1p(math.exp(-x)) if x > 0.0 else math.log1p(math.exp(x))


def log_expm1(xp, x):
    """log(e^x - 1) for x > 0 without overflow, on floats (xp=math), arrays (numpy) or expressions."""
    if xp is math:
        return x + math.log(-math.expm1(-x)) if x > 1.0 else math.log(math.expm1(x))
    if xp is np:
        x = np.asarray(x, dtype=np.float64)
        big = x > 1.0
        return np.where(big, x + np.log(-np.expm1(-np.where(big, x, 1.0))), np.log(np.expm1(np.where(big, 1.0, x))))
    return xp.log(xp.expm1(x))


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return INF


# ---------------------------------------------------------------------------------------------
# Terms and the equation in sigma


@dataclass(frozen=True)
class Term:
    """One target as log(value) = mu + a*sigma^2 + b*sigma (or the sd form)."""

    kind: str  # mode | median | mean | sd | quantile | loc (a fixed loc: log(value) = mu)
    label: str  # how messages name it
    logv: float
    a: float = 0.0
    b: float = 0.0
    sd: bool = False
    p: float = math.nan

    def c(self, s: float) -> float:
        if self.sd:
            s2 = s * s
            return 0.5 * s2 + 0.5 * log_expm1(math, s2)
        return self.a * s * s + self.b * s


def term(kind: str, value: float, label: str, p: float = math.nan) -> Term:
    """The term of a target (value > 0) of the given kind."""
    if kind == "sd":
        return Term(kind, label, math.log(value), sd=True)
    if kind == "quantile":
        return Term(kind, label, math.log(value), 0.0, _NORMAL.inv_cdf(p), p=p)
    a, b = COEF[kind]
    return Term(kind, label, math.log(value), a, b)


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


def brentq(f, lo, hi, xtol=1e-300):
    from scipy.optimize import brentq as _brentq

    return _brentq(f, lo, hi, xtol=xtol, maxiter=500)


def _sd_sigmas(loc: Term, sd: Term) -> list[float]:
    """sigma > 0 with c_sd(sigma) - c_loc(sigma) = log(sd) - log(loc value)."""
    L = sd.logv - loc.logv
    a, b = loc.a, loc.b
    if b == 0.0 and a == 0.5:  # mean + sd: exp(s^2) - 1 = (sd/mean)^2
        return [math.sqrt(softplus(2.0 * L))]
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
            return 3.0 * softplus(y) + y - 2.0 * L

        hi = 2.0 * L
        lo = hi - 3.0 * softplus(hi) - 1.0
        y = brentq(f, lo, hi, xtol=1e-15)
        return [math.sqrt(softplus(y))]
    return _quantile_sd_sigmas(a, b, L)


def _quantile_sd_sigmas(a: float, b: float, L: float) -> list[float]:
    """quantile + sd: h(s) -> -inf as s -> 0 and +inf as s -> inf; 1 or 3 roots. Scan, then brentq."""

    def h(s):
        return (0.5 - a) * s * s - b * s + 0.5 * log_expm1(math, s * s) - L

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
            roots.append(brentq(h, s0, s1))
    return roots


def sigmas(A: Term, B: Term) -> list[float] | None:
    """sigma > 0 meeting both terms; None when the two terms are the same quantity."""
    if A.sd and B.sd:
        raise UsageError("sd is given twice")
    if B.sd:
        return _sd_sigmas(A, B)
    if A.sd:
        return _sd_sigmas(B, A)
    a, b = A.a - B.a, A.b - B.b
    if a == 0.0 and b == 0.0:
        return None
    return _positive_roots(a, b, A.logv - B.logv)


_RANK = {"mode": 0, "median": 1, "mean": 2}


def infeasible(A: Term, B: Term) -> str:
    """Why no sigma > 0 meets A and B (both location terms)."""
    ka = "median" if A.kind == "loc" else A.kind
    kb = "median" if B.kind == "loc" else B.kind
    if ka in _RANK and kb in _RANK:
        lo, hi = (A, B) if _RANK[ka] < _RANK[kb] else (B, A)
        return f"{lo.label} must be below {hi.label}: a LogNormal always has mode < median < mean"
    if "quantile" in (ka, kb) and ("median" in (ka, kb) or ka == kb):
        q, o = (A, B) if ka == "quantile" else (B, A)
        return (
            f"{q.label} and {o.label} cannot hold together: "
            "quantiles must increase with their probabilities (the median is the 0.5 quantile)"
        )
    q, o = (A, B) if ka == "quantile" else (B, A)
    z = q.b
    if o.kind == "mode":
        if z >= 0.0:
            return f"{q.label} must lie above {o.label}: a LogNormal's quantiles at p >= 0.5 exceed its mode"
        bound = math.exp(-z * z / 4.0)
        return (
            f"{q.label} is too far below {o.label}: a LogNormal's {show(q.p)} quantile is at least "
            f"exp(-z^2/4) = {bound:.6g} times its mode for every sigma"
        )
    # mean
    if z <= 0.0:
        return f"{q.label} must lie below {o.label}: a LogNormal's quantiles at p <= 0.5 are below its mean"
    bound = math.exp(z * z / 2.0)
    return (
        f"{q.label} is too far above {o.label}: a LogNormal's {show(q.p)} quantile is at most "
        f"exp(z^2/2) = {bound:.6g} times its mean for every sigma"
    )


def candidates(terms: list[Term], fixed: dict) -> list[tuple[float, float]] | Term:
    """(mu, sigma) solutions of location/sd terms (+ fixed loc/scale), ascending sigma; the single
    remaining term when one degree of freedom is left."""
    terms = list(terms)
    if "loc" in fixed and "scale" in fixed:
        raise UsageError("both LogNormal parameters (loc, scale) are fixed: nothing to solve")
    if "scale" in fixed:
        s = fixed["scale"]
        if len(terms) != 1:
            raise UsageError(
                f"scale={show(s)} is fixed, so LogNormal takes exactly one more target; got "
                + ", ".join(t.label for t in terms)
            )
        return [(terms[0].logv - terms[0].c(s), s)]
    if "loc" in fixed:
        mu = fixed["loc"]
        terms.append(Term("loc", f"loc={show(mu)} (median exp(loc))", mu))
    if len(terms) > 2:
        raise UsageError(
            "too many targets for LogNormal: it has two parameters (loc, scale); got "
            + ", ".join(t.label for t in terms)
        )
    if len(terms) == 1:
        return terms[0]
    A, B = terms
    found = sigmas(A, B)
    if found is None:  # fixed loc and a median: the same quantity
        if abs(A.logv - B.logv) <= 1e-12 * max(1.0, abs(A.logv)):
            return A if A.kind != "loc" else B
        raise InfeasibleError(f"{A.label} and {B.label} disagree: a LogNormal's median is exp(loc)")
    if not found:
        raise InfeasibleError(infeasible(A, B))
    if "loc" in fixed:
        return [(fixed["loc"], s) for s in found]
    base = A if not A.sd else B
    return [(base.logv - base.c(s), s) for s in found]


def value_at(kind: str, mu: float, s: float, p: float = math.nan, lower: float = math.nan,
             upper: float = math.nan) -> float:
    """A LogNormal(mu, s)'s mode, median, mean, sd, quantile at p or mass in [lower, upper]."""
    s2 = s * s
    if kind == "mode":
        return _exp(mu - s2)
    if kind == "median":
        return _exp(mu)
    if kind == "mean":
        return _exp(mu + 0.5 * s2)
    if kind == "sd":
        return _exp(mu + 0.5 * s2 + 0.5 * log_expm1(math, s2))
    if kind == "quantile":
        return _exp(mu + s * _NORMAL.inv_cdf(p))
    if kind == "mass":

        def cdf(x):
            if x <= 0.0:
                return 0.0
            if x == INF:
                return 1.0
            return _NORMAL.cdf((math.log(x) - mu) / s)

        return cdf(upper) - cdf(lower)
    raise UsageError(f"{kind} does not apply to LogNormal")


# ---------------------------------------------------------------------------------------------
# Inversions on floats, arrays and expressions, from the same coefficients


def _shifted(log_value, a: float, s2):
    """log(value) - a * sigma^2: the loc of a target with coefficient a (written plainly as code)."""
    if a == 0:
        return log_value
    if a == -1:
        return log_value + s2
    return log_value - a * s2


def _with_scale(kind: str) -> Inversion:
    if kind == "sd":
        def formula(xp, sd, scale):
            return {"loc": xp.log(sd) - scale**2 / 2 - log_expm1(xp, scale**2) / 2}
    else:
        def formula(xp, scale, **target):
            return {"loc": _shifted(xp.log(target[kind]), COEF[kind][0], scale**2)}

    return Inversion(frozenset({kind}), frozenset({"scale"}), formula)


def _two_locations(low: str, high: str) -> Inversion:
    """log(high / low) = (a_high - a_low) sigma^2, for two of mode < median < mean."""
    gap_coef = COEF[high][0] - COEF[low][0]
    base = "median" if "median" in (low, high) else low

    def formula(xp, **v):
        gap = xp.log(v[high]) - xp.log(v[low])
        s2 = gap if gap_coef == 1 else gap / gap_coef
        return {"loc": _shifted(xp.log(v[base]), COEF[base][0], s2), "scale": xp.sqrt(s2)}

    return Inversion(frozenset({low, high}), frozenset(), formula, valid=lambda **v: v[low] < v[high])


def _moment_start(m: float, s: float) -> dict | None:
    if not m > 0.0:
        return None
    s2 = math.log1p((s / m) ** 2)
    return {"loc": math.log(m) - 0.5 * s2, "scale": math.sqrt(s2)}


def _mean_sd(xp, mean, sd):
    s2 = xp.log1p((sd / mean) ** 2)
    return {"loc": xp.log(mean) - s2 / 2, "scale": xp.sqrt(s2)}


# The maximum-likelihood fit: the Normal's on log x.
def _lognormal_mle(x):
    lx = np.log(x)
    require_spread("LogNormal", x)
    loc = float(np.mean(lx))
    return {"loc": loc, "scale": float(np.sqrt(np.mean((lx - loc) ** 2)))}


def _lognormal_fit_start(x):
    lx = np.log(x)
    return {"loc": float(np.median(lx)), "scale": robust_spread(lx)}


def needs_root(kinds) -> bool:
    """Whether these target kinds are solved by root finding (brentq), not by formulas alone."""
    return "sd" in kinds and bool(kinds & {"mode", "quantile"})


# The record's algebra hook (FamilyRecord.algebra): what the solver's closed path reads.
ALGEBRA = SimpleNamespace(
    Term=Term,
    term=term,
    candidates=candidates,
    value_at=value_at,
    needs_root=needs_root,
    kinds=("mode", "median", "mean", "sd", "quantile", "mass"),  # the targets value_at evaluates
    relation=RELATION,
    fixed_loc="median = exp(loc)",  # what a fixed loc pins, in words
    names="mu is loc, sigma is scale",
)

LOGNORMAL = record(
    "LogNormal",
    LOC_SCALE,
    support=POSITIVE_LINE,
    cdf=lambda x, loc, scale: sc.ndtr((np.log(x) - loc) / scale),
    icdf=lambda q, loc, scale: np.exp(loc + scale * sc.ndtri(q)),
    sf=lambda x, loc, scale: sc.ndtr(-(np.log(x) - loc) / scale),
    isf=lambda q, loc, scale: np.exp(loc - scale * sc.ndtri(q)),
    moment_shift=lambda r, loc, scale: (math.exp(r * loc + 0.5 * (r * scale) ** 2), "LogNormal",
                                        {"loc": loc + r * scale * scale, "scale": scale}),
    logpdf=lambda x, loc, scale: np.where(
        x > 0.0, -0.5 * ((np.log(x) - loc) / scale) ** 2 - np.log(scale) - 0.5 * LOG2PI - np.log(x), -INF
    ),
    mean=lambda loc, scale: math.exp(loc + 0.5 * scale * scale),
    variance=lambda loc, scale: math.expm1(scale * scale) * math.exp(2.0 * loc + scale * scale),
    mode=lambda loc, scale: math.exp(loc - scale * scale),
    median=lambda loc, scale: math.exp(loc),
    entropy=lambda loc, scale: loc + 0.5 + math.log(scale) + 0.5 * LOG2PI,
    **shape.pair(shape.lognormal),
    inversions=tuple(_with_scale(k) for k in ("mode", "median", "mean", "sd"))
    + (Inversion(frozenset({"mean", "sd"}), frozenset(), _mean_sd),)
    + tuple(_two_locations(lo, hi) for lo, hi in (("mode", "median"), ("median", "mean"), ("mode", "mean"))),
    scaling={"loc": "logloc"},
    moment_start=_moment_start,
    formulas=("median = e^mu", "mode = e^(mu - sigma^2)", "mean = e^(mu + sigma^2/2)",
              "sd = mean * sqrt(e^(sigma^2) - 1)"),
    example="priorcli sample lognormal --mu 0 --sigma 1",
    fit_check=check_positive,
    fit_start=_lognormal_fit_start,
    mle=_lognormal_mle,
    algebra=ALGEBRA,
)

RECORD = LOGNORMAL
SCIPY = ScipyOracle("lognorm", lambda loc, scale: {"s": scale, "scale": math.exp(loc)})
