"""The entropy of a count distribution, -sum pmf log pmf, summed directly where that is cheap and
as the smooth continuation's integral where millions of terms would be needed (a very wide pmf, or
one whose tail falls slowly). Shared by the count families' records."""

from __future__ import annotations

import math

from priorcli.records.base import np  # numpy imported when first used: the records stay cheap to import

_SUMMED = 20_000  # terms summed one by one; beyond, a smooth pmf's sum is a midpoint-rule integral


def discrete_entropy(logpmf, lo, hi, center, spread):
    """-sum pmf log pmf by direct summation, in chunks until the tail is negligible. For a very wide
    pmf (sd over 20,000: where a solver's search may wander) the terms past the first 20,000 are
    summed as the integral of the smooth continuation over [k - 1/2, ...) (the midpoint rule, whose
    relative error is of order 1/sd^2), so that time and memory stay bounded."""
    if spread > _SUMMED and math.isfinite(center):
        return _wide_discrete_entropy(logpmf, lo, hi, center, spread)
    start = max(lo, math.floor(center - 50.0 * spread - 10.0))
    chunk = int(max(2048, 20.0 * spread))
    total = 0.0
    k0 = start
    while k0 <= hi:
        k = np.arange(k0, min(k0 + chunk, hi + 1.0))
        with np.errstate(all="ignore"):
            lp = logpmf(k)
        p = np.exp(lp)
        total += float(-np.sum(np.where(p > 0.0, p * lp, 0.0)))
        if not k[-1] + 1.0 > k0:
            break  # beyond 2**53, where k + 1 == k: no further integer to step to
        k0 = k[-1] + 1.0
        if k[0] > center and float(np.max(lp)) < -60.0:
            break
        if k0 - start >= _SUMMED and k0 > center:
            # a tail that falls slowly (a NegativeBinomial with a tiny concentration: nearly all the
            # mass at 0, the rest spread over ~1/concentration values) would take millions of terms;
            # past the first 20,000 it is the smooth continuation's integral (midpoint rule)
            return total + _tail_integral(logpmf, k0 - 0.5, hi + 0.5)
        chunk = min(2 * chunk, 1 << 20)
    return total


def _tail_integral(logpmf, a: float, end: float) -> float:
    """The integral of -pmf log pmf over [a, end) on a log-spaced grid (fine relative to the
    distance from 0, where a smooth tail changes), stopped at 2**53 where integers run out."""
    end = min(end, 2.0 ** 53)
    if not a < end:
        return 0.0
    grid = np.geomspace(a, end, 8001)
    with np.errstate(all="ignore"):
        lp = np.asarray(logpmf(grid), dtype=np.float64)
    p = np.exp(lp)
    with np.errstate(all="ignore"):  # p = 0 where lp = -inf: those terms are 0
        terms = np.where(p > 0.0, -p * lp, 0.0)
    return float(np.trapezoid(terms, x=grid))


def _wide_discrete_entropy(logpmf, lo, hi, center, spread):
    def term(k):
        with np.errstate(all="ignore"):
            lp = np.asarray(logpmf(np.asarray(k, dtype=np.float64)), dtype=np.float64)
        p = np.exp(lp)
        return np.where(p > 0.0, -p * lp, 0.0)

    start = max(lo, math.floor(center - 60.0 * spread))
    head_end = min(start + _SUMMED, hi + 1.0)
    total = float(np.sum(term(np.arange(start, head_end))))
    a, end = head_end - 0.5, min(hi + 0.5, center + 60.0 * spread)
    if a < end:
        # one vectorised trapezoid rule on a grid that is fine both on a log scale (a pmf that falls
        # from its start, such as a NegativeBinomial with a small concentration) and around the body
        grid = np.union1d(np.geomspace(a, end, 4001), np.linspace(max(a, center - 60.0 * spread), end, 8001))
        total += float(np.trapezoid(term(grid), x=grid))
    return total
