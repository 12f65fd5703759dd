"""What the records' fit fields share (``fit_check``, ``fit_start``, ``mle``; see
``priorcli.records.base``): checks that data lie inside a support or are spread enough to estimate
from, and a robust scale of the data. ``priorcli.fitting`` uses them too; they live here so that
the records need nothing above them.

``x`` is always a 1-d float64 array of finite values; a failed check is an ``InfeasibleError``
naming the first offending value. numpy is imported on first use (``base.np``).
"""

from __future__ import annotations

import math

from priorcli.errors import ConvergenceError, InfeasibleError
from priorcli.records.base import np

__all__ = [
    "value_text",
    "outside",
    "require",
    "require_positive",
    "require_open_unit",
    "require_counts",
    "require_spread",
    "robust_spread",
    "check_positive",
    "check_open_unit",
    "check_counts",
    "bounds_check",
    "range_mle",
    "loc_scale_fit_start",
    "check_counts_to_total",
    "solve_decreasing",
]


def value_text(value: float) -> str:
    return repr(float(value))


def outside(family: str, support: str, value: float) -> InfeasibleError:
    return InfeasibleError(
        f"cannot fit {family}: the data contain {value_text(value)}, outside its support {support}"
    )


def require(family: str, x, ok, support: str) -> None:
    if not np.all(ok):
        raise outside(family, support, x[int(np.argmin(ok))])


def require_positive(family: str, x) -> None:
    require(family, x, x > 0.0, "(0, inf)")


def require_open_unit(family: str, x) -> None:
    require(family, x, (x > 0.0) & (x < 1.0), "(0, 1)")


def require_counts(family: str, x, high: float = math.inf) -> None:
    ok = (x >= 0.0) & (x == np.floor(x)) & (x <= high)
    support = "{0, 1, 2, ...}" if math.isinf(high) else ("{0, 1}" if high == 1.0 else f"{{0, 1, ..., {high:g}}}")
    require(family, x, ok, support)


def require_spread(family: str, x) -> None:
    if x.size < 2 or np.all(x == x[0]):
        raise InfeasibleError(
            f"cannot fit {family}: all {x.size} value(s) are equal to {value_text(x[0])}; "
            "the maximum-likelihood scale would be 0"
        )


def robust_spread(x) -> float:
    """A robust, positive scale of the data."""
    q25, q75 = np.quantile(x, [0.25, 0.75])
    spread = float(q75 - q25) / 1.349
    if not spread > 0.0:
        spread = float(np.std(x))
    if not spread > 0.0:
        spread = max(abs(float(x[0])), 1.0)
    return spread


# The common fit_check fields: (family name, data, held parameters) -> None or InfeasibleError.
def check_positive(family: str, x, fixed: dict) -> None:
    require_positive(family, x)


def check_open_unit(family: str, x, fixed: dict) -> None:
    require_open_unit(family, x)


def check_counts(family: str, x, fixed: dict) -> None:
    require_counts(family, x)


def check_counts_to_total(family: str, x, fixed: dict) -> None:
    """Counts, up to the total_count where it is held (BinomialProbs, BetaBinomial)."""
    if "total_count" in fixed:
        require_counts(family, x, fixed["total_count"])
    else:
        require_counts(family, x)


def loc_scale_fit_start(x):
    """A location-scale family's start: the median and a robust spread."""
    return {"loc": float(np.median(x)), "scale": robust_spread(x)}


# Families whose support is set by low <= high parameters (Uniform, LogUniform, DiscreteUniform).
def bounds_check(support_low: float):
    """fit_check: inside [low, high] where they are held (and positive above a support at 0)."""

    def check(family, x, fixed):
        if support_low > -math.inf:
            require_positive(family, x)
        low, high = fixed.get("low", -math.inf), fixed.get("high", math.inf)
        require(family, x, (x >= low) & (x <= high), f"[{low:g}, {high:g}]")

    return check


def range_mle(family: str, extra: float = 0.0):
    """mle(x, low=None, high=None): the data's range, unless held (``extra``: 1 for integers)."""

    def mle(x, low=None, high=None):
        low = float(np.min(x)) if low is None else low
        high = float(np.max(x)) if high is None else high
        if not high + extra > low:
            raise InfeasibleError(
                f"cannot fit {family}: all values equal {value_text(low)}, so low and high would coincide"
            )
        return {"low": low, "high": high}

    return mle


# The maximum-likelihood fits of Gamma, InverseGamma and Chi2 solve one score equation in one unknown.
def solve_decreasing(f, guess: float, what: str) -> float:
    """The root of a decreasing function on (0, inf), bracketed outward from ``guess``."""
    from scipy.optimize import brentq

    lo, hi = guess / 2.0, guess * 2.0
    for _ in range(200):
        if f(lo) > 0.0:
            break
        lo /= 4.0
    for _ in range(200):
        if f(hi) < 0.0:
            break
        hi *= 4.0
    if not (f(lo) > 0.0 > f(hi)):
        raise ConvergenceError(f"could not bracket the maximum-likelihood {what}")
    root, info = brentq(f, lo, hi, xtol=1e-300, rtol=4.0 * np.finfo(float).eps, maxiter=500, full_output=True)
    if not info.converged:
        raise ConvergenceError(f"the maximum-likelihood {what} did not converge ({info.flag})")
    return float(root)
