"""``summarize --input FILE --fit metalog [--terms K] [--lower L] [--upper U]``: Keelin's metalog
fitted to data by ordinary least squares (Keelin 2016, section 5), not maximum likelihood.

The data sorted, x_(1) <= ... <= x_(n), stand at the plotting positions y_i = (i - 1/2) / n (Hazen's:
the empirical cdf's mid-steps); the coefficients are the OLS solution of Y a ~ z, Y[i, j] = g_j(y_i)
the metalog basis (:func:`priorcli.records.metalog.basis`) and z_i = x_(i) on M's scale (x,
ln(x - L), -ln(U - x) or ln((x - L) / (U - x)), as the bounds say), with ``numpy.linalg.lstsq``.
More than :data:`MAX_POINTS` data are fitted through that many order statistics, evenly spaced in
rank, each at its own plotting position (the fit then costs the same for any n).

The number of terms: ``--terms K`` (2 <= K <= 30), or by default the largest K <= 5 whose fit is
feasible (the density positive everywhere, :func:`priorcli.records.metalog.feasibility`), trying
5, 4, 3, 2; five terms follow skewness and both tails' weights of most unimodal data without the
wiggles more terms fit to sampling noise. Never prints.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from priorcli.errors import InfeasibleError, UsageError
from priorcli.records import metalog as ml

DEFAULT_MAX_TERMS = 5
MAX_POINTS = 1 << 16
#: the bisection in logit(y) of the vectorised cdf: 120 halvings of [-745, 745] reach float64's precision
_BISECTIONS = 120


@dataclass(frozen=True)
class MetalogFit:
    metalog: ml.Metalog
    n: int  # the data's size
    points: int  # the order statistics the least squares used (n, or MAX_POINTS)
    tried: tuple[tuple[int, bool], ...]  # (terms, feasible) in the order tried
    rmse: float  # of the fit on M's scale, at the points
    log_likelihood: float  # sum of log f(x_i) over every datum
    ks: float  # sup |F(x) - F_n(x)| over the data


def plotting_positions(n: int):
    import numpy as np

    return (np.arange(1, n + 1, dtype=np.float64) - 0.5) / n


def _points(sorted_x):
    """(y, x) at the order statistics used: every one, or MAX_POINTS evenly spaced in rank."""
    import numpy as np

    n = sorted_x.size
    y = plotting_positions(n)
    if n <= MAX_POINTS:
        return y, sorted_x
    ranks = np.unique(np.round(np.linspace(0, n - 1, MAX_POINTS)).astype(np.int64))
    return y[ranks], sorted_x[ranks]


def check_data(values, lower: float, upper: float) -> None:
    """UsageError (exit 2) for bounds out of order and for data outside (lower, upper), naming how many;
    InfeasibleError (exit 1) for fewer than 2 distinct values."""
    import numpy as np

    if not lower < upper:
        raise UsageError(f"--lower {lower:g} must be below --upper {upper:g}")
    outside = int(np.count_nonzero((values <= lower) | (values >= upper)))
    if outside:
        ends = " and ".join(f"{flag} {v:g}" for flag, v in (("--lower", lower), ("--upper", upper)) if math.isfinite(v))
        raise UsageError(f"--fit metalog {ends}: {outside} of {values.size} data value(s) lie on or outside the "
                         "bounds (the metalog's support is open)")
    if values.size < 2 or values[0] == values[-1]:
        raise InfeasibleError(f"--fit metalog needs at least 2 distinct data values, got {values.size} value(s)"
                              + (f" all equal to {values[0]:g}" if values.size else ""))


def fit(values, lower: float = -math.inf, upper: float = math.inf, terms: int | None = None) -> MetalogFit:
    """The least-squares metalog of the data (``values``: a 1-d float64 array, sorted here in a copy)."""
    import numpy as np

    x = np.sort(np.asarray(values, dtype=np.float64))
    check_data(x, lower, upper)
    if terms is not None and not 2 <= terms <= ml.MAX_TERMS:
        raise UsageError(f"--terms {terms}: a metalog has between 2 and {ml.MAX_TERMS} terms")
    y, px = _points(x)
    distinct = int(np.unique(px).size)
    if terms is not None and terms > distinct:
        raise UsageError(f"--terms {terms}: more terms than the {distinct} distinct data values")
    shape = ml.Metalog((0.0, 0.0), lower, upper)
    t, z = ml.logit(y), shape.to_m(px)
    candidates = [terms] if terms is not None else list(range(min(DEFAULT_MAX_TERMS, distinct), 1, -1))
    tried = []
    for k in candidates:
        Y = ml.basis(t, k)
        a = np.linalg.lstsq(Y, z, rcond=None)[0]
        metalog = ml.Metalog(tuple(float(v) for v in a), lower, upper)
        feasible = ml.is_feasible(metalog)
        tried.append((k, feasible))
        if feasible:
            rmse = float(np.sqrt(np.mean((Y @ a - z) ** 2)))
            return _fitted(metalog, x, int(y.size), tuple(tried), rmse)
    raise InfeasibleError(_infeasible(tried, terms))


def _infeasible(tried, terms) -> str:
    if terms is not None:
        return (f"--fit metalog --terms {terms}: the least-squares metalog of {terms} terms is not a distribution "
                "(its quantile function decreases somewhere); give fewer terms, or bounds (--lower/--upper)")
    return (f"--fit metalog: no least-squares metalog of {', '.join(str(k) for k, _ in tried)} terms is a "
            "distribution for these data (each one's quantile function decreases somewhere); try bounds "
            "(--lower/--upper)")


def _fitted(metalog: ml.Metalog, x, points: int, tried, rmse: float) -> MetalogFit:
    import numpy as np

    t = logit_cdf(metalog, x)
    with np.errstate(all="ignore"):
        log_density = metalog.log_density_t(t)
    n = x.size
    cdf = np.exp(-np.logaddexp(0.0, -t))
    ranks = np.arange(1, n + 1)
    ks = float(max(np.max(ranks / n - cdf), np.max(cdf - (ranks - 1) / n)))
    return MetalogFit(metalog, n, points, tried, rmse, float(np.sum(log_density)), ks)


def logit_cdf(metalog: ml.Metalog, x):
    """logit F(x) of data inside the support, vectorised: on M's scale, interpolated on a grid of
    logit(y) in [-40, 40] and refined by Newton steps (dM/dt = y (1 - y) M'(y) > 0); data beyond the
    grid by bisection (Q increases in t)."""
    import numpy as np

    z = metalog.to_m(x)
    grid = np.linspace(*ml.GRID_T)
    m_grid = metalog.m_at(grid)
    inside = (z >= m_grid[0]) & (z <= m_grid[-1])
    t = np.interp(z, m_grid, grid)
    for _ in range(_NEWTON):
        t = np.where(inside, t - (metalog.m_at(t) - z) / metalog.h_at(t), t)
    if not inside.all():
        t[~inside] = _bisection(metalog, z[~inside])
    return t


_NEWTON = 6


def _bisection(metalog: ml.Metalog, z):
    import numpy as np

    lo, hi = np.full(z.shape, -745.0), np.full(z.shape, 745.0)
    with np.errstate(all="ignore"):
        for _ in range(_BISECTIONS):
            mid = 0.5 * (lo + hi)
            below = metalog.m_at(mid) < z
            lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return 0.5 * (lo + hi)
