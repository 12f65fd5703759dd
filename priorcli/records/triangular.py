"""Triangular(lower, c, upper): density rising linearly from lower to its peak at the mode c and
falling linearly to upper (PreliZ's and PyMC's Triangular; numpyro lacks it, so its numpyro class
is priorcli's own, ``priorcli.dists.triangular``). lower <= c <= upper, lower < upper.

The record (``RECORD``) and its scipy oracle (``SCIPY``: ``scipy.stats.triang`` with
c = (c - lower) / (upper - lower), loc = lower, scale = upper - lower).

The maximum-likelihood fit (``mle``): the support moves with lower and upper, but unlike Uniform's
the likelihood vanishes when lower reaches the smallest value (unless c does too), so the ends are
not the data's range. For given ends the best c is one of the data, lower or upper (between two
data points the log-likelihood is convex in c: Oliver 1972), so c is profiled out exactly over
those candidates, and the ends are found by maximising that profile (scipy's Nelder-Mead, on
log-distances beyond the data's range, which reach the range itself as a limit).
"""

from __future__ import annotations

import math

from priorcli.errors import ConvergenceError, InfeasibleError, UsageError
from priorcli.records.base import np, param, record, show
from priorcli.records.fitdata import require, value_text
from priorcli.records.oracle import ScipyOracle


def _split(lower, c, upper):
    """P(X < c)."""
    return (c - lower) / (upper - lower)


def _cdf(x, lower, c, upper):
    left = x < c
    rise = np.where(left, c - lower, 1.0)  # each branch's denominator made safe where not taken
    fall = np.where(left, 1.0, upper - c)
    width = upper - lower
    return np.where(left, (x - lower) ** 2 / (width * rise), 1.0 - (upper - x) ** 2 / (width * fall))


def _icdf(q, lower, c, upper):
    width = upper - lower
    left = q < _split(lower, c, upper)
    return np.where(left, lower + np.sqrt(q * width * (c - lower)), upper - np.sqrt((1.0 - q) * width * (upper - c)))


def _logpdf(x, lower, c, upper):
    left = x < c
    rise = np.where(left, c - lower, 1.0)
    fall = np.where(left, 1.0, upper - c)
    height = np.where(left, (x - lower) / rise, (upper - x) / fall)
    return np.log(2.0 * height) - np.log(upper - lower)


def _median(lower, c, upper):
    width = upper - lower
    if c >= 0.5 * (lower + upper):
        return lower + math.sqrt(0.5 * width * (c - lower))
    return upper - math.sqrt(0.5 * width * (upper - c))


def _variance(lower, c, upper):
    a, b = lower, upper
    return (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0


def check_order(params: dict, spell=lambda name, value: f"{name}={value}") -> str | None:
    """Why these parameters are not a Triangular (lower <= c <= upper, lower < upper), or None;
    ``spell(name, value)`` writes one parameter as the caller's user gave it (``--c 4``, ``c=4``).
    Elementwise on arrays (the model language's varying parameters): any element failing fails.
    Some parameters may be missing (those a solve leaves free): the others are checked."""
    if "lower" in params and "upper" in params and "c" not in params:
        params = {**params, "c": params["lower"]}
    elif "c" not in params:
        return None
    lower = np.asarray(params.get("lower", -math.inf), dtype=float)
    c = np.asarray(params["c"], dtype=float)
    upper = np.asarray(params.get("upper", math.inf), dtype=float)

    def at(name, values, bad):
        where = np.unravel_index(np.argmax(bad), np.shape(bad))
        return spell(name, show(float(np.broadcast_to(values, np.shape(bad))[where])))

    bad = np.broadcast_to(lower >= upper, np.broadcast(lower, c, upper).shape)
    if np.any(bad):
        return f"{at('lower', lower, bad)} must be below {at('upper', upper, bad)} for Triangular"
    bad = np.broadcast_to((c < lower) | (c > upper), bad.shape)
    if np.any(bad):
        return (f"{at('c', c, bad)} must lie between {at('lower', lower, bad)} and {at('upper', upper, bad)} "
                "for Triangular (c is the mode)")
    return None


class _Coords:
    """The solver's coordinates (``FamilyRecord.solve_coords``): two free ends are lower and the log
    width, one free end its log distance from c (or, c free too, from the other end), and a free c
    the logit of its position between the ends, so every point is a Triangular."""

    @staticmethod
    def params(xs: dict, p: dict) -> dict:
        p = dict(p)
        if "lower" in xs and "upper" in xs:
            p["lower"] = xs["lower"]
            p["upper"] = p["lower"] + math.exp(xs["upper"])
        elif "lower" in xs:
            p["lower"] = p.get("c", p["upper"]) - math.exp(xs["lower"])
        elif "upper" in xs:
            p["upper"] = p.get("c", p["lower"]) + math.exp(xs["upper"])
        if "c" in xs:
            p["c"] = p["lower"] + (p["upper"] - p["lower"]) / (1.0 + math.exp(-xs["c"]))
        return p

    @staticmethod
    def x(p: dict, free) -> list:
        out = {}
        lower, c, upper = p["lower"], p["c"], p["upper"]
        if "lower" in free and "upper" in free:
            out["lower"], out["upper"] = lower, math.log(upper - lower)
        elif "lower" in free:
            out["lower"] = math.log((upper if "c" in free else c) - lower)
        elif "upper" in free:
            out["upper"] = math.log(upper - (lower if "c" in free else c))
        if "c" in free:
            out["c"] = math.log(c - lower) - math.log(upper - c)
        return [out[n] for n in free]


# ---- maximum likelihood -------------------------------------------------------------------


def _profile(xs, lower, upper):
    """max over c of the log-likelihood at these ends, and that c (xs sorted, inside [lower, upper])."""
    n = xs.size
    with np.errstate(all="ignore"):
        left = np.concatenate(([0.0], np.cumsum(np.log(xs - lower))))  # sum of log(x - lower) below index k
        right = np.concatenate((np.cumsum(np.log(upper - xs)[::-1])[::-1], [0.0]))  # from index k on
        k = np.arange(n)
        ll = left[:-1] + right[:-1] - np.where(k > 0, k * np.log(xs - lower), 0.0) - (n - k) * np.log(upper - xs)
        candidates = np.concatenate((xs, [lower, upper]))
        ll = np.concatenate((ll, [right[0] - n * math.log(upper - lower), left[-1] - n * math.log(upper - lower)]))
    ll = np.where(np.isnan(ll), -np.inf, ll) + n * (math.log(2.0) - math.log(upper - lower))
    best = int(np.argmax(ll))
    return float(ll[best]), float(candidates[best])


def _loglik(xs, lower, upper, c):
    if c is None:
        return _profile(xs, lower, upper)
    return float(np.sum(RECORD.logpdf(xs, lower=lower, c=c, upper=upper))), c


def _mle(x, lower=None, c=None, upper=None):
    xs = np.sort(np.asarray(x, dtype=np.float64))
    lo, hi = float(xs[0]), float(xs[-1])
    if c is not None:
        lo, hi = min(lo, c), max(hi, c)
    span = hi - lo if hi > lo else 1.0
    free = [n for n, v in (("lower", lower), ("upper", upper)) if v is None]

    def ends(u):
        at = dict(zip(free, u))
        a = lower if lower is not None else lo - span * math.exp(min(at["lower"], 50.0))
        b = upper if upper is not None else hi + span * math.exp(min(at["upper"], 50.0))
        return a, b

    def objective(u):
        a, b = ends(u)
        return -_loglik(xs, a, b, c)[0]

    if free:
        from scipy.optimize import minimize

        best = None
        for start in (-math.log(xs.size), 0.0, -8.0):
            res = minimize(objective, np.full(len(free), start), method="Nelder-Mead",
                           options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 4000 * len(free)})
            if best is None or res.fun < best.fun:
                best = res
        if not np.isfinite(best.fun):
            raise ConvergenceError("the maximum-likelihood Triangular did not converge")
        a, b = ends(best.x)
    else:
        a, b = lower, upper
    ll, mode = _loglik(xs, a, b, c)
    if not math.isfinite(ll):
        raise InfeasibleError(f"cannot fit Triangular: no c between lower={show(a)} and upper={show(b)} "
                              "gives the data a positive likelihood")
    return {"lower": float(a), "c": float(mode), "upper": float(b)}


def _fit_check(family, x, fixed):
    """The data inside [lower, upper] where they are held, and the held parameters in order."""
    lower, upper = fixed.get("lower", -math.inf), fixed.get("upper", math.inf)
    require(family, x, (x >= lower) & (x <= upper), f"[{lower:g}, {upper:g}]")
    if "c" in fixed:
        held = {"lower": min(lower, fixed["c"], float(np.min(x))), "upper": max(upper, fixed["c"], float(np.max(x))),
                **{k: v for k, v in fixed.items() if k != "c"}}
        why = check_order({"c": fixed["c"], **held})
        if why is not None:
            raise UsageError(why)
    if np.all(x == x[0]) and not ("lower" in fixed and "upper" in fixed):
        raise InfeasibleError(f"cannot fit Triangular: all values equal {value_text(x[0])}, so lower and "
                              "upper would coincide")


RECORD = record(
    "Triangular",
    (param("lower", "real", 0.0), param("c", "dependent", 0.5), param("upper", "dependent", 1.0)),
    support=lambda lower, c, upper: (lower, upper),
    cdf=_cdf,
    icdf=_icdf,
    logpdf=_logpdf,
    mean=lambda lower, c, upper: (lower + c + upper) / 3.0,
    variance=_variance,
    mode=lambda lower, c, upper: c,
    median=_median,
    entropy=lambda lower, c, upper: 0.5 + math.log(0.5 * (upper - lower)),
    scaling={"lower": "loc", "c": "loc", "upper": "loc"},
    support_params=("lower", "upper"),
    moving_support=(-math.inf, math.inf),
    moment_start=lambda m, s: {"lower": m - math.sqrt(6.0) * s, "c": m, "upper": m + math.sqrt(6.0) * s},
    formulas=("mean = (lower + c + upper) / 3", "mode = c",
              "variance = (lower^2 + c^2 + upper^2 - lower c - lower upper - c upper) / 18",
              "median = lower + sqrt((upper - lower)(c - lower) / 2) if c >= (lower + upper) / 2, "
              "else upper - sqrt((upper - lower)(upper - c) / 2)"),
    example="priorcli summarize triangular --lower 0 --c 1 --upper 3",
    fit_check=_fit_check,
    mle=_mle,
    direct={"mode": "c"},
    check_params=check_order,
    solve_coords=_Coords(),
)

SCIPY = ScipyOracle("triang", lambda lower, c, upper: {"c": (c - lower) / (upper - lower), "loc": lower,
                                                       "scale": upper - lower})
