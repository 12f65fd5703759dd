"""Statistics of draws that are already sorted: numpy's 'linear' quantile, Bickel's half-sample
mode and the sum of squared deviations, each without a temporary as large as the draws (so a
summary of 5e6 values read from a file needs no second copy of them)."""

from __future__ import annotations

import math

import numpy as np


def half_sample_mode(y) -> float:
    """Bickel's half-sample mode of sorted draws: repeatedly keep the half with the smallest
    range. Robust, and needs no bandwidth. Works on windows of ``y`` in blocks, so no temporary
    is ever as large as the draws."""
    lo, size = 0, int(y.size)
    while size > 3:
        half = (size + 1) // 2
        lo += _narrowest_window(y, lo, size - half + 1, half - 1)
        size = half
    window = y[lo : lo + size]
    if size == 3:
        window = window[:2] if window[1] - window[0] <= window[2] - window[1] else window[1:]
    return float(np.mean(window))


def _narrowest_window(y, lo: int, count: int, span: int, block: int = 1 << 16) -> int:
    """argmin over k < count of y[lo + k + span] - y[lo + k], as np.argmin would give it (the
    first minimum; the first NaN if there is one)."""
    best, best_at = None, 0
    for start in range(0, count, block):
        stop = min(start + block, count)
        widths = y[lo + start + span : lo + stop + span] - y[lo + start : lo + stop]
        i = int(np.argmin(widths))
        if np.isnan(widths[i]):
            return start + i
        if best is None or widths[i] < best:
            best, best_at = widths[i], start + i
    return best_at


def sorted_quantile(x, p: float) -> float:
    """numpy's 'linear' quantile (virtual index (n - 1) p, its _lerp) read off sorted draws."""
    n = x.size
    virtual = (n - 1) * float(p)
    below = min(max(math.floor(virtual), 0), n - 1)
    above = min(below + 1, n - 1)
    t = virtual - below
    a, b = float(x[below]), float(x[above])
    diff = b - a
    return b - diff * (1 - t) if t >= 0.5 else a + diff * t


def sum_sq_deviations(x, mean: float, block: int = 1 << 16) -> float:
    parts = []
    for start in range(0, x.size, block):
        d = x[start : start + block] - mean
        np.multiply(d, d, out=d)
        parts.append(float(np.add.reduce(d)))  # pairwise, as np.std; not BLAS dot (its threads cost more)
    return math.fsum(parts)
