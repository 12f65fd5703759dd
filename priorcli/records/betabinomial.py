"""BetaBinomial(concentration1, concentration0, total_count=1): Binomial(n, p) with p ~ Beta(a, b).

The record (``RECORD``) and its scipy oracle (``SCIPY``: the scipy.stats distribution and the
parameter translation the tests check against; scipy.stats is imported when it is called).
"""

from __future__ import annotations

import functools

from priorcli.records.base import INF, discrete_search, np, param, record, sc
from priorcli.records.fitdata import check_counts_to_total
from priorcli.records.oracle import ScipyOracle


# BetaBinomial(concentration1, concentration0, total_count=1): Binomial(n, p) with p ~ Beta(a, b);
# the cdf is the running sum of the pmf (no closed form), over 0..max total_count.
def _betabinom_logpmf(k, concentration1, concentration0, total_count):
    a, b, n = concentration1, concentration0, total_count
    return (sc.gammaln(n + 1.0) - sc.gammaln(k + 1.0) - sc.gammaln(n - k + 1.0)
            + sc.betaln(k + a, n - k + b) - sc.betaln(a, b))


def _betabinom_cdf(x, concentration1, concentration0, total_count):
    if all(isinstance(v, (int, float)) for v in (x, concentration1, concentration0, total_count)):
        return _scalar_cdf(float(x), float(concentration1), float(concentration0), float(total_count))
    x, a, b, n = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in
                                       (x, concentration1, concentration0, total_count)))
    top = int(np.max(np.minimum(x, n))) if x.size else 0
    ks = np.arange(top + 1.0).reshape((-1,) + (1,) * x.ndim)
    pmf = np.exp(np.where(ks <= n, _betabinom_logpmf(np.minimum(ks, n), a, b, n), -INF))
    running = np.cumsum(pmf, axis=0)
    at = np.clip(np.minimum(x, n), 0, top).astype(np.int64)
    return np.minimum(np.take_along_axis(running, at[None, ...], axis=0)[0], 1.0)


def _scalar_cdf(x: float, a: float, b: float, n: float) -> float:
    """The array path's value at one point (its terms, and their running sum in its order) without
    its broadcasting: the solvers call the cdf point by point, hundreds of thousands of times, at
    a few points per member (an interval's two ends), so the running sum is kept per member."""
    top = max(int(min(x, n)), 0)
    running = _running(a, b, n) if 0.0 <= n <= _CACHED_N and n == int(n) else None
    if running is None:
        running = np.cumsum(np.exp(_betabinom_logpmf(np.arange(top + 1.0), a, b, n)))
    return min(float(running[top]), 1.0)


_CACHED_N = 100_000  # a member's running sum is kept up to this total_count


@functools.lru_cache(maxsize=256)
def _running(a: float, b: float, n: float) -> np.ndarray:
    """The running sum of the pmf over 0..n (its prefixes are the array path's sums: cumsum adds in
    order)."""
    with np.errstate(all="ignore"):
        out = np.cumsum(np.exp(_betabinom_logpmf(np.arange(n + 1.0), a, b, n)))
    out.flags.writeable = False
    return out


def _betabinom_icdf(q, concentration1, concentration0, total_count):
    a, b, n = concentration1, concentration0, total_count
    return discrete_search(lambda k: _betabinom_cdf(k, a, b, n), q, n * a / (a + b), 0.0, n)


def _betabinom_scan(concentration1, concentration0, total_count):
    k = np.arange(total_count + 1.0)
    with np.errstate(all="ignore"):
        return k, _betabinom_logpmf(k, concentration1, concentration0, total_count)


def _betabinom_mode(concentration1, concentration0, total_count):
    k, lp = _betabinom_scan(concentration1, concentration0, total_count)
    best = np.flatnonzero(lp == np.max(lp))
    return float(k[best[0]]) if concentration1 > 0.0 else None


def _betabinom_entropy(concentration1, concentration0, total_count):
    _, lp = _betabinom_scan(concentration1, concentration0, total_count)
    p = np.exp(lp)
    return float(-np.sum(np.where(p > 0.0, p * lp, 0.0)))


def _betabinom_variance(concentration1, concentration0, total_count):
    a, b, n = concentration1, concentration0, total_count
    return n * a * b * (a + b + n) / ((a + b) ** 2 * (a + b + 1.0))


def _betabinom_fit_start(x):
    # moments with n = max(x) (the held total_count is not known here): a rough start suffices
    n = max(float(np.max(x)), 1.0)
    m = min(max(float(np.mean(x)) / n, 0.05), 0.95)
    return {"concentration1": 2.0 * m, "concentration0": 2.0 * (1.0 - m), "total_count": n}


RECORD = record(
    "BetaBinomial",
    (param("concentration1", "positive"), param("concentration0", "positive"),
     param("total_count", "nonnegative_integer", 1)),
    discrete=True,
    support=lambda concentration1, concentration0, total_count: (0.0, total_count),
    cdf=_betabinom_cdf,
    icdf=_betabinom_icdf,
    logpdf=_betabinom_logpmf,
    mean=lambda concentration1, concentration0, total_count: (
        total_count * concentration1 / (concentration1 + concentration0)),
    variance=_betabinom_variance,
    mode=_betabinom_mode,
    entropy=_betabinom_entropy,
    formulas=("mean = total_count * concentration1 / (concentration1 + concentration0)",),
    example="priorcli solve betabinomial --total-count 10 --mean 3 --sd 2",
    support_params=("total_count",),
    solves_whole=("total_count",),
    fit_check=check_counts_to_total,
    fit_start=_betabinom_fit_start,
)

SCIPY = ScipyOracle("betabinom", lambda concentration1, concentration0, total_count: {
    "n": total_count, "a": concentration1, "b": concentration0})
