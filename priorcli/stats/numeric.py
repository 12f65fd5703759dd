"""The numerics that fill in exact values a family has no closed form or numpyro method for:
quadrature over the density (moments; a cdf), root finding on a cdf (quantiles, continuous and
discrete), and the summed pmf of a discrete family without a cdf. Plain functions of callables
(the density, the cdf, the support); :mod:`priorcli.stats.exact` decides when each is used. Never prints.
"""

from __future__ import annotations

import math
import warnings
from typing import Callable


def _finite(value) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def quad_expectation(fn: Callable, logpdf: Callable, lo: float, hi: float, split: float,
                     fill: Callable | None = None) -> float | None:
    """E[fn(X)] by adaptive quadrature over a density; None if it does not converge. ``fill(xs)``,
    if given, evaluates the expensive parts of ``fn`` and ``logpdf`` (:class:`Batched`) at the
    nodes quad is about to ask for, in one vectorised call: the same values, the same result."""
    from scipy.integrate import IntegrationWarning, quad

    def integrand(x):
        density = math.exp(logpdf(x))
        # Far in the tails the density underflows to 0 while fn may overflow: the product is 0.
        return 0.0 if density == 0.0 else float(fn(x) * density)

    total = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error", IntegrationWarning)
        try:
            for a, b in ((lo, split), (split, hi)):
                f = integrand if fill is None else prefetching(integrand, fill, a, b)
                value, _ = quad(f, a, b, epsabs=0.0, epsrel=1e-12, limit=500)
                total += value
        except (IntegrationWarning, OverflowError, ZeroDivisionError):
            return None  # divergent or not resolvable: report unknown, never a wrong number
    return _finite(total)


def quadrature_cdf(logpdf: Callable, lo: float, hi: float, x: float) -> float | None:
    """P(X <= x) as the integral of the density from the lower end; None if quad cannot resolve it."""
    from scipy.integrate import IntegrationWarning, quad

    if not x > lo:
        return 0.0
    if not x < hi:
        return 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error", IntegrationWarning)
        try:
            value, _ = quad(lambda t: math.exp(logpdf(t)), lo, x, epsabs=1e-15, epsrel=1e-13, limit=500)
        except (IntegrationWarning, OverflowError):
            return None
    return min(max(value, 0.0), 1.0)


# QUADPACK's Gauss-Kronrod abscissae (dqk21: quad over a finite interval; dqk15i: over t in (0, 1]
# for an infinite one, x = bound + dinf (1 - t) / t), checked against the points scipy's quad asks for.
_XGK21 = (0.995657163025808080735527280689003, 0.973906528517171720077964012084452,
          0.930157491355708226001207180059508, 0.865063366688984510732096688423493,
          0.780817726586416897063717578345042, 0.679409568299024406234327365114874,
          0.562757134668604683339000099272694, 0.433395394129247190799265943165784,
          0.294392862701460198131126603103866, 0.148874338981631210884826001129720)
_XGK15 = (0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
          0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
          0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
          0.207784955007898467600689403773245)
_DEPTH = 2  # levels of bisection filled at once: a fill every other level quad refines
_PAD = 128  # a fill has at least this many points (2 + 4 halves of 21 are 126), padded: one compiled shape


_VERIFY = 512  # points of each kind of function (``key``) compared with its scalar self before the vector is trusted
_UNTRUSTED: set = set()  # keys whose vector evaluation once differed from the scalar one: scalar only from then on
_VERIFIED: dict = {}


def _same(a, b) -> bool:
    a, b = float(a), float(b)
    return a == b or (a != a and b != b)


class Batched:
    """A function of one float that answers from a table of values computed by one vectorised
    call at many points (``fill``), else by its scalar self. The vector evaluation (the same
    numpy/jax code on an array) mostly gives the scalar function's values bit for bit, but not
    always: jax's inv_probit on an array differs in the last bit at ~7% of points, so the first
    _VERIFY points of each ``key`` (the kind of function: a transform chain, a family's density)
    are compared with the scalar function, and a difference sends that key to the scalar path for
    good. Rarer differences pass (numpy's x ** 2 on an array is x * x, on a 0-d array pow(x, 2):
    Normal's log density differs in the last bit at ~0.05% of points), so a quadrature's result
    can differ from the all-scalar one in its last bits (none of the compared solve/summarize
    outputs did). Arrays and non-float arguments go to the scalar function."""

    __slots__ = ("scalar", "vector", "table", "key")

    def __init__(self, scalar: Callable, vector: Callable, key=None):
        self.scalar, self.vector, self.table, self.key = scalar, vector, {}, key

    def __call__(self, x):
        if type(x) is float:
            value = self.table.get(x)
            if value is not None:
                return value
        return self.scalar(x)

    def fill(self, xs: list) -> None:
        """Compute the values at the floats ``xs`` not in the table yet, in one vectorised call."""
        import numpy as np

        table, key = self.table, self.key
        if key in _UNTRUSTED:
            return
        new = [x for x in xs if x not in table and x != 0.0]  # 0.0 and -0.0 are one key: left to the scalar path
        if not new:
            return
        if len(table) > 200_000:
            table.clear()
        try:
            values = list(self.vector(np.array(new + new[:1] * (_PAD - len(new)), dtype=np.float64)))[:len(new)]
            done = _VERIFIED.get(key, 0)
            if key is not None and done < _VERIFY:
                if not all(_same(self.scalar(x), v) for x, v in zip(new, values)):
                    _UNTRUSTED.add(key)
                    return
                _VERIFIED[key] = done + len(new)
        except Exception:  # noqa: BLE001 - a vector evaluation that fails leaves the scalar path
            return
        for x, value in zip(new, values):
            table[x] = value


def fill_all(*batched: Batched) -> Callable:
    def fill(xs):
        for b in batched:
            b.fill(xs)
    return fill


def prefetching(integrand: Callable, fill: Callable, a: float, b: float) -> Callable:
    """``integrand`` for scipy's quad over (a, b), filling the tables ahead of it: quad (QAGS on a
    finite interval, QAGI on an infinite one) evaluates a Gauss-Kronrod rule on the whole interval,
    then bisects one evaluated interval at a time and evaluates both halves. When it asks for the
    first point of a half (its centre), the nodes of both halves and of their halves (_DEPTH levels)
    are filled in one call, unless they were already. A point not foreseen (a rounding difference
    in a node) is evaluated by the scalar functions."""
    import numpy as np

    if math.isfinite(a) and math.isfinite(b):
        xgk, start = np.array(_XGK21), (a, b)
        to_x = t_to_x = lambda t: t  # noqa: E731
    else:
        bound, dinf = (a, 1.0) if math.isfinite(a) else (b, -1.0) if math.isfinite(b) else (0.0, 1.0)
        xgk, start = np.array(_XGK15), (0.0, 1.0)
        t_to_x = lambda t: bound + dinf * (1.0 - t) / t  # noqa: E731 - dqk15i's own expression
        to_x = t_to_x if math.isfinite(a) or math.isfinite(b) else (lambda t: np.concatenate([t_to_x(t), -t_to_x(t)]))
    pending: dict[float, tuple[float, float]] = {}
    filled: set = set()

    def visit(intervals):
        if not all(i in filled for i in intervals):
            level, every = list(intervals), []
            for _ in range(_DEPTH):
                every += level
                level = [h for lo, hi in level for h in ((lo, 0.5 * (lo + hi)), (0.5 * (lo + hi), hi))]
            filled.update(every)
            lo, hi = np.array(every).T
            centre, half = 0.5 * (lo + hi), (0.5 * (hi - lo))[:, None]
            xs = to_x(np.concatenate([centre, (centre[:, None] - half * xgk).ravel(), (centre[:, None] + half * xgk).ravel()]))
            fill(xs[np.isfinite(xs)].tolist())
        for lo, hi in intervals:  # the first point quad asks for when it bisects (lo, hi): its first half's centre
            pending[t_to_x(0.5 * (lo + 0.5 * (lo + hi)))] = (lo, hi)

    visit([start])

    def prefetched(x):
        parent = pending.pop(x, None)
        if parent is not None:
            mid = 0.5 * (parent[0] + parent[1])
            visit([(parent[0], mid), (mid, parent[1])])
        return integrand(x)

    return prefetched


class _Unknown(Exception):
    """A cdf that could not be evaluated, inside a root finder: the quantile is unknown."""


def invert_cdf(cdf: Callable, q: float, lo: float, hi: float, discrete: bool) -> float | None:
    """Smallest x with cdf(x) >= q (continuous: the root of cdf(x) = q), by bracketing and
    bisection or brentq. ``cdf`` may return None (unknown); so does this then."""
    bracket = _bracket(cdf, q, lo, hi)
    if bracket is None:
        return None
    a, b = bracket
    if discrete:
        a, b = math.floor(a), math.ceil(b)  # Python integers: exact even beyond 2**53
        while b - a > 1:  # invariant: cdf(a) < q <= cdf(b), or a is the lower end
            mid = (a + b) // 2
            value = cdf(mid)
            if value is None:
                return None
            if value >= q:
                b = mid
            else:
                a = mid
        value = cdf(a)
        return None if value is None else float(a) if value >= q else float(b)
    from scipy.optimize import brentq

    def excess(x):
        value = cdf(x)
        if value is None:
            raise _Unknown
        return value - q

    try:
        return float(brentq(excess, a, b, xtol=1e-14, rtol=1e-15, maxiter=500))
    except _Unknown:
        return None


def _bracket(cdf: Callable, q: float, lo: float, hi: float) -> tuple[float, float] | None:
    """[a, b] with cdf(a) <= q <= cdf(b), stepping out by doubling over an infinite end."""
    a = lo if math.isfinite(lo) else -1.0
    b = hi if math.isfinite(hi) else 1.0
    for _ in range(1100):  # 2**1024 overflows: every float is reached well within this
        fa = cdf(a) if not math.isfinite(lo) else 0.0
        if fa is None or not math.isfinite(a):
            return None
        if fa <= q:
            break
        a = a * 2 if a < 0 else a - 1.0
    for _ in range(1100):
        fb = cdf(b) if not math.isfinite(hi) else 1.0
        if fb is None or not math.isfinite(b):
            return None
        if fb >= q:
            break
        b = b * 2 if b > 0 else b + 1.0
    return a, b


def pmf_table(logpdf: Callable, lo: float, hi: float):
    """(ks, cdf) from a discrete family's pmf: k runs from the lower end of the support until all
    but 1e-12 of the mass is covered, or for at most a million values (a heavy tail: the table
    then covers only part of the mass). None without a finite lower end."""
    import numpy as np

    if not math.isfinite(lo):
        return None
    blocks, total, size, block = [], 0.0, 0, 4096
    while total < 1 - 1e-12 and size < 1_000_000 and lo + size <= hi:
        new = np.arange(lo + size, min(lo + size + block, hi + 1), dtype=np.float64)
        with np.errstate(all="ignore"):
            pmf = np.nan_to_num(np.exp(logpdf(new)))
        cdf = total + np.cumsum(pmf)
        blocks.append((new, cdf))
        total, size, block = float(cdf[-1]), size + new.size, min(2 * block, 1 << 17)
    ks = np.concatenate([b[0] for b in blocks]) if blocks else np.arange(0, dtype=np.float64)
    cdf = np.concatenate([b[1] for b in blocks]) if blocks else ks.copy()
    return ks, cdf


def table_quantile(table, q: float, hi: float) -> float | None:
    """Smallest k of the table with cdf(k) >= q; None beyond a table that stops short of ``hi``."""
    import numpy as np

    ks, cdf = table
    if not ks.size:
        return None
    i = int(np.searchsorted(cdf, q * (1 - 1e-14)))  # tolerate rounding in the summed pmf
    covered = i < ks.size or ks[-1] >= hi
    return float(ks[min(i, ks.size - 1)]) if covered else None


def table_moment(table, fn: Callable, hi: float) -> float | None:
    """E[fn(K)] summed over a pmf table that covers the whole mass (else None: a tail's share of a
    moment is unknown)."""
    import numpy as np

    ks, cdf = table
    if not ks.size or not (ks[-1] >= hi or 1.0 - cdf[-1] < 1e-12):
        return None
    pmf = np.diff(np.concatenate([[0.0], cdf]))
    return _finite(float(np.sum(fn(ks) * pmf) / cdf[-1]))


def table_mode(table, hi: float) -> float | None:
    """The k of largest pmf; None from a table that stops short of the mass unless the mass left
    beyond it is smaller than that pmf (no later value can then have more)."""
    import numpy as np

    ks, cdf = table
    if not ks.size:
        return None
    pmf = np.diff(np.concatenate([[0.0], cdf]))
    i = int(np.argmax(pmf))
    return float(ks[i]) if ks[-1] >= hi or 1.0 - cdf[-1] < pmf[i] else None
