"""Where a plot's x axis starts and ends, and whether it is logarithmic (issue 11's range rule).

Pure numpy; returns dataclasses and never prints. The rule, on whichever axis is drawn (linear
units, or log10 units on a log axis):

* the interquartile range spans at least ``IQR_SHARE`` (15%) of the axis width, so the body of the
  distribution is readable; among the ranges that do, the one showing the most mass is chosen, and
  it always contains the mode. That range holds at least ``MIN_MASS`` (90%) of the mass whenever
  any range meeting the IQR condition can; where none can (tails heavier than a Cauchy's), the
  body stays readable and ``meets_mass`` is False (the hidden-mass note says how much is missing).
* Log axis automatically when the support is positive and unbounded above and the central 99%
  spans more than three decades; bounded support (both ends finite, also after transforms: a
  Beta, a sigmoid) and a discrete family (its pmf points) keep a linear axis.
* The ends the rule gives are numbers printed exactly with few significant digits (3 where
  possible), moved by at most ``END_SHIFT`` of the width and never widening the axis, so the axis
  as printed meets the rule too.
* ``--range LO,HI`` and ``--tail P`` (from the P to the 1 - P quantile, the ends rounded outward
  to printable numbers) choose the range by hand.

Everything is computed from a vectorised quantile function: the exact one where the family has
it, else the draws' (``draws_quantile``). Masses are lower bounds read off a dense table of
quantile levels, so "at least 90%" holds for the true distribution, not only approximately.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from typing import Callable, Sequence

import numpy as np

from priorcli.errors import UsageError

IQR_SHARE = 0.15  # the interquartile range spans at least this share of the axis width
MIN_MASS = 0.9  # ... and the axis holds at least this much mass where the IQR rule allows it
LOG_DECADES = 3.0  # central 99% wider than this many decades on positive support: log axis
CENTRAL = 0.99
TIE_MASS = 1e-3  # masses closer than this are ties (twice the spacing of the tabulated levels)
END_DIGITS = 3  # the rule's ends have this many significant digits where possible ...
END_SHIFT = 5e-3  # ... moving each end by at most this share of the axis width

Quantile = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class PlotRange:
    lo: float  # in x units (positive on a log axis); for a discrete family the first and
    hi: float  # last integer shown
    log: bool
    discrete: bool
    mass: float  # a lower bound of the mass in [lo, hi] under the quantile function used
    iqr_share: float  # interquartile range / axis width, in axis units
    how: str  # "rule", "range" (--range) or "tail" (--tail)

    @property
    def meets_mass(self) -> bool:
        return self.mass >= MIN_MASS


@dataclass(frozen=True)
class HiddenMass:
    """Fractions of the draws (or, ``of="the mass"``, of the exact distribution) outside a plotted
    range, for the note under the plot."""

    below: float
    above: float
    lo: float
    hi: float
    label: str = ""
    of: str = "draws"

    @classmethod
    def from_counts(cls, below: int, above: int, n: int, plot_range: PlotRange, label: str = "") -> "HiddenMass":
        n = max(int(n), 1)
        return cls(below / n, above / n, plot_range.lo, plot_range.hi, label)


def _levels() -> np.ndarray:
    """Quantile levels: dense in the body (steps of 0.0005), geometric into both tails."""
    tail = np.geomspace(1e-9, 1e-3, 61)
    body = np.linspace(1e-3, 1 - 1e-3, 1997)
    return np.unique(np.concatenate([tail, body, 1.0 - tail, [0.25, 0.5, 0.75, 0.005, 0.995]]))


LEVELS = _levels()


def draws_quantile(values, discrete: bool = False) -> Quantile:
    """The draws' quantile function (discrete: the smallest value with empirical cdf >= p)."""
    x = np.sort(np.asarray(values, dtype=np.float64).ravel())
    x = x[np.isfinite(x)]
    if x.size == 0:
        raise UsageError("no finite draws to plot")
    method = "inverted_cdf" if discrete else "linear"
    return lambda p: np.quantile(x, np.asarray(p, dtype=np.float64), method=method)


def wants_log(quantile: Quantile, support: tuple[float, float], discrete: bool, bounded: bool | None = None) -> bool:
    """Positive support whose central 99% spans more than LOG_DECADES decades, unless the support
    is bounded (``bounded``; by default: both ends of ``support`` finite). A bounded variable such
    as a Beta(0.5, 0.5) on a log axis is a pile at its upper end."""
    if bounded is None:
        bounded = math.isfinite(support[0]) and math.isfinite(support[1])
    if discrete or bounded or not support[0] >= 0:
        return False
    lo, hi = (float(v) for v in quantile(np.array([(1 - CENTRAL) / 2, (1 + CENTRAL) / 2])))
    return lo > 0 and math.isfinite(hi) and math.log10(hi / lo) > LOG_DECADES


def choose_range(quantile: Quantile, support: tuple[float, float], *, discrete: bool = False,
                 mode: float | None = None, axis: str = "auto", hand_range: tuple[float, float] | None = None,
                 tail: float | None = None, bounded: bool | None = None) -> PlotRange:
    """The plotted range. ``axis`` is "auto", "log" or "linear"; ``hand_range`` (x units) and
    ``tail`` (mass left out on each side) override the rule. ``bounded``: whether the variable's
    support is bounded (None: both ends of ``support`` finite; False where ``support`` is only
    the draws' range)."""
    log = _axis_is_log(quantile, support, discrete, axis, hand_range, bounded)
    table = _Table(quantile, support, log, discrete)
    if hand_range is not None:
        lo, hi = hand_range
        if discrete:
            lo, hi = math.ceil(lo), math.floor(hi)
            if hi < lo:
                raise UsageError(f"--range {hand_range[0]:g},{hand_range[1]:g} holds no integer to plot")
        return table.result(lo, hi, "range")
    if tail is not None:
        lo, hi = (float(v) for v in quantile(np.array([tail, 1.0 - tail])))
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise UsageError(f"--tail {tail:g}: the quantiles at {tail:g} and {1 - tail:g} are not finite")
        if log and lo <= 0:
            raise UsageError(f"--tail {tail:g}: the {tail:g} quantile is {lo:g}, which a log axis cannot show")
        return table.result(*table.printed(lo, hi, outward=True), "tail")
    return table.rule(mode)


def _axis_is_log(quantile, support, discrete, axis, hand_range, bounded=None) -> bool:
    if axis == "linear":
        return False
    if axis == "log":
        if discrete:
            raise UsageError("--log-x: discrete families are drawn as pmf points on a linear axis")
        if hand_range is not None and hand_range[0] <= 0:
            raise UsageError(f"--range {hand_range[0]:g},{hand_range[1]:g}: a log axis needs LO > 0")
        return True
    if hand_range is not None and hand_range[0] <= 0:
        return False
    return wants_log(quantile, support, discrete, bounded)


class _Table:
    """The quantile function tabulated on LEVELS, in axis units."""

    def __init__(self, quantile: Quantile, support, log: bool, discrete: bool):
        self.log, self.discrete = log, discrete
        values = np.asarray(quantile(LEVELS), dtype=np.float64)
        keep = np.isfinite(values) & ((values > 0) if log else True)
        if not keep.any():
            raise UsageError("--log-x needs positive values; these are all <= 0" if log
                             else "no finite quantiles to place the plot")
        self.levels = LEVELS[keep]
        self.values = np.maximum.accumulate(self.axis(values[keep]))  # monotone despite rounding
        self.support = (self.axis(support[0]), self.axis(support[1]))
        quartiles = np.asarray(quantile(np.array([0.25, 0.5, 0.75])), dtype=np.float64)
        if log and not quartiles[0] > 0:
            raise UsageError(f"--log-x: the lower quartile is {quartiles[0]:g}; a log axis cannot show "
                             "the body of a distribution with a quarter or more of its mass at or below 0")
        q25, q50, q75 = (self.axis(v) for v in quartiles)
        self.median = q50
        self.iqr = q75 - q25 + (1.0 if discrete else 0.0)  # a discrete IQR counts pmf points

    def axis(self, x):
        if not self.log:
            return x
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log10(x) if isinstance(x, np.ndarray) else (math.log10(x) if x > 0 else -math.inf)

    def mass(self, a, b) -> np.ndarray:
        """Lower bound of P(a <= X <= b) (axis units): the level of the last tabulated quantile
        <= b, minus that of the first >= a (0 and 1 at the ends of the support)."""
        a, b = np.atleast_1d(a), np.atleast_1d(b)
        first = np.searchsorted(self.values, a, side="left")
        last = np.searchsorted(self.values, b, side="right") - 1
        levels = np.concatenate([self.levels, [1.0]])
        p_lo = np.where(a <= self.support[0], 0.0, levels[np.minimum(first, self.levels.size)])
        p_hi = np.where(b >= self.support[1], 1.0, np.where(last >= 0, self.levels[np.maximum(last, 0)], 0.0))
        return np.maximum(p_hi - p_lo, 0.0)

    def result(self, lo: float, hi: float, how: str) -> PlotRange:
        a, b = self.axis(lo), self.axis(hi)
        if not b > a and not (self.discrete and b == a):
            raise UsageError(f"the plot range needs LO < HI, got {lo:g},{hi:g}")
        width = (b - a + 1.0) if self.discrete else (b - a)
        mass = float(self.mass(a, b)[0])
        return PlotRange(float(lo), float(hi), self.log, self.discrete, mass, float(self.iqr / width), how)

    def rule(self, mode: float | None) -> PlotRange:
        if not self.iqr > 0:  # half the mass or more at one value: show the central 99%
            lo, hi = np.interp([(1 - CENTRAL) / 2, (1 + CENTRAL) / 2], self.levels, self.values)
            if not hi > lo:
                lo, hi = lo - 0.5, hi + 0.5
            return self.result(*self.printed(*self._from_axis(lo, hi), hi - lo), "rule")
        # Width in axis units: b - a for a continuous axis, pmf points minus one for a discrete one.
        width = math.floor(self.iqr / IQR_SHARE) - 1.0 if self.discrete else self.iqr / IQR_SHARE
        s_lo, s_hi = self.support
        if s_hi - s_lo <= width and math.isfinite(s_lo) and math.isfinite(s_hi):
            return self.result(*self.printed(*self._from_axis(s_lo, s_hi), width), "rule")
        t_mode = self.axis(mode) if mode is not None and math.isfinite(mode) else None
        if t_mode is not None and not math.isfinite(t_mode):
            t_mode = None  # a mode at 0 on a log axis: nothing to include
        starts = [self.values, self.values - width, [s_lo, s_hi - width, self.median - width / 2]]
        if t_mode is not None:
            starts.append([t_mode, t_mode - width])
        a = np.concatenate([np.asarray(s, dtype=np.float64) for s in starts])
        a = a[np.isfinite(a)]
        if math.isfinite(s_lo):
            a = np.maximum(a, s_lo)
        if math.isfinite(s_hi):
            a = np.minimum(a, s_hi - width)
        if self.discrete:
            a = np.floor(a)
        if t_mode is not None:
            a = a[(a <= t_mode + 1e-12 * abs(t_mode)) & (a + width >= t_mode - 1e-12 * abs(t_mode))]
        masses = self.mass(a, a + width)
        best = masses.max()
        # Masses closer than the table's resolution are ties (never giving up MIN_MASS for one):
        # a range starting at an end of the support wins, else the one centred nearest the median.
        threshold = max(best - TIE_MASS, MIN_MASS) if best >= MIN_MASS else best - TIE_MASS
        tied = a[masses >= threshold]
        anchored = tied[(tied == s_lo) | (tied + width == s_hi)]
        if anchored.size:
            tied = anchored
        start = float(tied[np.argmin(np.abs(tied + width / 2 - self.median))])
        return self.result(*self.printed(*self._from_axis(start, start + width), width, mode), "rule")

    def printed(self, lo: float, hi: float, limit: float = math.inf, mode: float | None = None,
                outward: bool = False) -> tuple[float, float]:
        """The range [lo, hi] (x units) with ends that print exactly with the fewest significant
        digits (from END_DIGITS) moving neither end by more than END_SHIFT of the width (axis
        units), keeping the width within ``limit`` (axis units) and a mode inside it inside; of
        those, the one centred nearest the original among those holding the most mass (up to
        TIE_MASS: a symmetric range stays symmetric); an end at the support's end never moves
        inward; ``outward``: holding [lo, hi]. Discrete ranges are integers already."""
        if self.discrete:
            return lo, hi
        a, b = self.axis(lo), self.axis(hi)
        shift = END_SHIFT * (b - a)
        keep_mode = mode is not None and lo <= mode <= hi
        for digits in range(END_DIGITS, 18):
            found = []
            for new_lo in _roundings(lo, digits):
                for new_hi in _roundings(hi, digits):
                    new_a, new_b = self.axis(new_lo), self.axis(new_hi)
                    if not (new_a < new_b and new_b - new_a <= limit and abs(new_a - a) <= shift
                            and abs(new_b - b) <= shift) or (keep_mode and not new_lo <= mode <= new_hi) \
                            or (outward and not (new_lo <= lo and hi <= new_hi)) \
                            or (a <= self.support[0] and new_a > a) or (b >= self.support[1] and new_b < b):
                        continue
                    found.append((float(self.mass(new_a, new_b)[0]), abs(new_a + new_b - a - b), new_lo, new_hi))
            if found:
                best = max(m for m, *_ in found)
                _, _, new_lo, new_hi = min((c for c in found if c[0] >= best - TIE_MASS), key=lambda c: (c[1], -c[0]))
                return new_lo, new_hi
        return lo, hi

    def _from_axis(self, a: float, b: float) -> tuple[float, float]:
        if self.log:
            return 10.0 ** a, 10.0 ** b
        if self.discrete:
            return float(math.floor(a)), float(math.ceil(b))
        return float(a), float(b)


def _roundings(x: float, digits: int) -> list[float]:
    """x rounded to ``digits`` significant digits: to nearest, up and down (distinct values)."""
    if x == 0 or not math.isfinite(x):
        return [x]
    exact = Decimal(x)
    unit = Decimal(1).scaleb(exact.adjusted() - digits + 1)
    found: list[float] = []
    for rounding in (ROUND_HALF_EVEN, ROUND_CEILING, ROUND_FLOOR):
        value = float(exact.quantize(unit, rounding=rounding))
        if value not in found:
            found.append(value)
    return found


def choose_shared_range(items: Sequence[tuple[Quantile, tuple[float, float], bool, float | None]], *,
                        axis: str = "auto", hand_range: tuple[float, float] | None = None,
                        tail: float | None = None) -> tuple[PlotRange, list[PlotRange]]:
    """One axis for several distributions (compare): each (quantile, support, discrete, mode) gets
    its own range by the rule on a common axis, and the shared range is the smallest holding them
    all, so every distribution keeps what the rule gives it alone. Auto log when every one is
    continuous on positive support unbounded above and their pooled central 99% spans more than
    three decades.
    Returns the shared range and each distribution's own."""
    if axis == "auto":
        pooled_lo = min(float(q(np.array([(1 - CENTRAL) / 2]))[0]) for q, *_ in items)
        pooled_hi = max(float(q(np.array([(1 + CENTRAL) / 2]))[0]) for q, *_ in items)
        positive = all(support[0] >= 0 and not math.isfinite(support[1]) and not discrete
                       for _, support, discrete, _ in items)  # bounded support keeps a linear axis
        log = positive and pooled_lo > 0 and math.isfinite(pooled_hi) and math.log10(pooled_hi / pooled_lo) > LOG_DECADES
        axis = "log" if log and (hand_range is None or hand_range[0] > 0) else "linear"
    own = [choose_range(q, support, discrete=discrete, mode=mode, axis=axis, hand_range=hand_range, tail=tail)
           for q, support, discrete, mode in items]
    lo, hi = min(r.lo for r in own), max(r.hi for r in own)
    shared = PlotRange(lo, hi, own[0].log, any(r.discrete for r in own), min(r.mass for r in own),
                       min(r.iqr_share * _width(r) for r in own) / _width(PlotRange(lo, hi, own[0].log, False, 0, 0, "")),
                       own[0].how)
    return shared, own


def _width(r: PlotRange) -> float:
    if r.log:
        return math.log10(r.hi / r.lo)
    return r.hi - r.lo + (1.0 if r.discrete else 0.0)
