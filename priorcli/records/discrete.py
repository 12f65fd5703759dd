"""What the discrete records share: the smallest k with cdf(k) >= q (their ``icdf``) and the entropy
of a pmf by summation. numpy is imported when they are called (importing the records stays cheap)."""

from __future__ import annotations

import math

__all__ = ["discrete_search", "discrete_entropy", "integer_run", "log_factorial", "xlogy_scalar"]


def discrete_search(cdf, q, guess, lo, hi):
    """Smallest integer k in [lo, hi] with cdf(k) >= q, from an initial guess: steps of 1, 2, 4, ...
    away from the guess bracket the answer, then bisection; ``cdf`` is a vectorised core, evaluated
    only where its answer is used. Works elementwise on arrays. Beyond 2**53, where k - 1 == k in
    float64, the bisection stops at the float spacing: the answer is then the nearest float above."""
    import numpy as np

    q, guess, lo, hi = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (q, guess, lo, hi)))
    # No usable guess (NaN: scipy's continuous inverse fails for huge parameters): start at the
    # lower end (or 0), from where the doubling steps still reach any float in ~1000 steps.
    start = np.where(np.isfinite(lo), lo, np.where(np.isfinite(hi), hi, 0.0))
    guess = np.where(np.isfinite(guess), guess, np.where(np.isnan(guess), start, np.where(guess < 0, lo, hi)))
    k = np.minimum(np.maximum(np.ceil(guess), lo), hi)
    live = np.isfinite(k)
    safe = np.where(live, k, 0.0)

    def at_least(x, where):  # cdf(x) >= q, evaluated only where it matters (x inside [lo, hi])
        x = np.where(where, x, safe)
        return where & (cdf(x) >= q)

    upper = at_least(k, live)  # cdf(k) >= q: the answer is k or below it, else above it
    # Bracket [a, b]: cdf(a) < q (or a = lo - 1), cdf(b) >= q (or b = hi); a == b when b is the answer.
    a, b = k.copy(), k.copy()
    step = np.ones_like(k)
    down, up = upper.copy(), live & ~upper & (k < hi)
    for _ in range(2100):  # doubling: at most ~1075 steps from 0 to the largest float either way
        if not (down.any() or up.any()):
            break
        trial_a = np.maximum(b - step, lo - 1.0)
        below = down & (trial_a < lo)
        ok = at_least(trial_a, down & ~below)
        a = np.where(down, trial_a, a)
        b = np.where(down & ok, trial_a, b)  # still at or above q: keep going down from there
        down = down & ok & (trial_a > lo)
        trial_b = np.minimum(a + step, hi)
        hit = at_least(trial_b, up)
        b = np.where(up, trial_b, b)
        a = np.where(up & ~hit, trial_b, a)
        up = up & ~hit & (trial_b < hi) & np.isfinite(trial_b)
        step = step * 2.0
    for _ in range(2100):
        mid = np.floor(0.5 * a + 0.5 * b)
        open_ = live & (b - a > 1.0) & (mid > a) & (mid < b)
        if not open_.any():
            break
        hit = at_least(mid, open_)
        b = np.where(open_ & hit, mid, b)
        a = np.where(open_ & ~hit, mid, a)
    return np.where(live, b, k)


_RUN = 64  # consecutive integers from this many on: log k! read from a table
_TABLE_MAX = 1 << 21  # the table's largest size (16 MB): the entropy sums' chunks stay below 2**20 + 2**20
_table = []  # [gammaln(arange(n) + 1)], grown by doubling when a run reaches beyond it


def integer_run(k) -> tuple[int, int] | None:
    """(first, end) when k is a float64 arange of consecutive integers first, ..., end - 1 from 0 up
    (below the table's size, _RUN or more of them): the entropy sums' aranges; else None."""
    import numpy as np

    if isinstance(k, np.ndarray) and k.dtype == np.float64 and k.ndim == 1 and k.size >= _RUN:
        first, last = float(k[0]), float(k[-1])
        if 0.0 <= first and first == math.floor(first) and last - first == k.size - 1 and last < _TABLE_MAX \
                and bool(np.all(np.diff(k) == 1.0)):
            return int(first), int(last) + 1
    return None


def log_factorial(k, run=None):
    """gammaln(k + 1), the same floats: for a run of consecutive integers from 0 up (the entropy sums'
    aranges, thousands of terms per evaluation) a slice of a table computed once, else scipy.
    ``run``: integer_run(k) when the caller has it."""
    import numpy as np
    from scipy import special as sc

    run = integer_run(k) if run is None else run
    if run is None:
        return sc.gammaln(k + 1.0)
    first, end = run
    if not _table or _table[0].size < end:
        size = max(1 << 16, _table[0].size if _table else 0)
        while size < end:
            size *= 2
        _table[:] = [sc.gammaln(np.arange(min(size, _TABLE_MAX), dtype=np.float64) + 1.0)]
    return _table[0][first:end]


def xlogy_scalar(k, p):
    """scipy's xlogy(k, p) (k log p, 0 where k = 0 unless p is NaN), the same floats, with log p taken
    once when p is a positive finite scalar (as xlogy's own log, the C library's)."""
    import numpy as np
    from scipy import special as sc

    if isinstance(k, np.ndarray) and k.dtype == np.float64 and np.ndim(p) == 0 and 0.0 < p < math.inf:
        out = k * math.log(float(p))
        out[k == 0.0] = 0.0
        return out
    return sc.xlogy(k, p)


_SUMMED = 20_000  # terms summed one by one; beyond, a smooth pmf's sum is a midpoint-rule integral


def discrete_entropy(logpmf, lo, hi, center, spread):
    """-sum pmf log pmf by direct summation, in chunks until the tail is negligible. For a very wide
    pmf (sd over 20,000: where a solver's search may wander) the terms past the first 20,000 are
    summed as the integral of the smooth continuation over [k - 1/2, ...) (the midpoint rule, whose
    relative error is of order 1/sd^2), so that time and memory stay bounded."""
    import numpy as np

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
    import numpy as np

    end = min(end, 2.0 ** 53)
    if not a < end:
        return 0.0
    grid = np.geomspace(a, end, 8001)
    with np.errstate(all="ignore"):  # p = 0 where lp = -inf: those terms are 0
        lp = np.asarray(logpmf(grid), dtype=np.float64)
        p = np.exp(lp)
        terms = np.where(p > 0.0, -p * lp, 0.0)
    return float(np.trapezoid(terms, x=grid))


def _wide_discrete_entropy(logpmf, lo, hi, center, spread):
    import numpy as np

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
        grid = _union(np.geomspace(a, end, 4001), np.linspace(max(a, center - 60.0 * spread), end, 8001))
        total += float(np.trapezoid(term(grid), x=grid))
    return total


def _union(x, y):
    """np.union1d of two sorted grids (the sorted distinct values), merged by a stable sort that
    finds the two runs: the same array at a third of the time; NaN or inf (an infinite end) to numpy's."""
    import numpy as np

    both = np.concatenate((x, y))
    if not both.size or not np.all(np.isfinite(both)):
        return np.union1d(x, y)
    both.sort(kind="stable")
    keep = np.empty(both.size, dtype=bool)
    keep[0] = True
    np.not_equal(both[1:], both[:-1], out=keep[1:])
    return both[keep]
