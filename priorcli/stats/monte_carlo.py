"""Monte Carlo summaries of draws held in memory, and the histograms drawn from them. Returns
dataclasses at full precision; never prints. (Exact summaries: :mod:`priorcli.stats.exact`; draws
streamed chunk by chunk: :mod:`priorcli.sampling.draws`.)"""

from __future__ import annotations

import math
from dataclasses import dataclass

from priorcli.errors import UsageError
from priorcli.stats.exact import DEFAULT_QUANTILES, ExactDistribution, Summary, finite_or_none


# ---------------------------------------------------------------------------------------------
# Monte Carlo


# A positive draw this small sits at the bottom of float64 (its smallest normal number is 2.2e-308):
# zeros beside it are draws that underflowed, not values of the variable.
UNDERFLOW_ZONE = 1e-300


def out_of_range(x, discrete: bool) -> tuple[int, int]:
    """(underflowed, overflowed): draws that overflowed to +-inf, and (a continuous variable that is
    never negative and whose smallest positive draw is below 1e-300, or that has no positive draw)
    draws that underflowed to exactly 0. A zero of a discrete variable, or beside draws that stay
    clear of 1e-300 (a Hurdle family's zeros, max(u, 0)), is a value, not an underflow."""
    import numpy as np

    overflowed = int(np.count_nonzero(np.isinf(x)))
    if discrete:
        return 0, overflowed
    zeros = int(np.count_nonzero(x == 0.0))
    if zeros == 0 or np.any(x < 0):
        return 0, overflowed
    positive = x[x > 0]
    return (zeros if positive.size == 0 or float(positive.min()) < UNDERFLOW_ZONE else 0), overflowed


def mc_summary(draws, probs=DEFAULT_QUANTILES, discrete: bool = False, label: str = "") -> Summary:
    """Summary of a 1-D array of draws (numpy, float64)."""
    import numpy as np

    x = np.asarray(draws, dtype=np.float64)
    n = int(x.size)
    underflowed, overflowed = out_of_range(x, discrete)
    # Discrete: the smallest value with empirical CDF >= p, as the exact quantile is defined.
    method = "inverted_cdf" if discrete else "linear"
    with np.errstate(invalid="ignore"):  # infinite draws: interpolating between them is nan
        qs = np.quantile(x, list(probs) + [0.5], method=method) if n else [None] * (len(probs) + 1)
    mean, sd = _moments(x)
    return Summary(
        mean=mean,
        sd=sd,
        median=finite_or_none(qs[-1]),
        mode=_mc_mode(x, discrete, underflowed),
        quantiles={p: finite_or_none(q) for p, q in zip(probs, qs[:-1])},
        method="monte-carlo",
        n=n,
        label=label,
        underflowed=underflowed,
        overflowed=overflowed,
    )


def _moments(x) -> tuple[float | None, float | None]:
    """Mean and sd (ddof=1) of the draws, None if any is infinite. Computed on the draws divided
    by their largest magnitude: near 1e-300 or 1e300 the squares would underflow to 0 or overflow."""
    import numpy as np

    n = int(x.size)
    with np.errstate(all="ignore"):
        scale = float(np.max(np.abs(x))) if n else 1.0
        if not (math.isfinite(scale) and scale > 0):
            scale = 1.0
        y = x / scale
        mean = finite_or_none(scale * np.mean(y))
        sd = finite_or_none(scale * np.std(y, ddof=1)) if n > 1 else None
    return mean, sd


def _mc_mode(x, discrete: bool, underflowed: int = 0) -> float | None:
    """Most frequent value (discrete), or Bickel's half-sample mode (continuous) of the finite draws."""
    import numpy as np

    x = x[np.isfinite(x)]
    if x.size == 0:
        return None
    if discrete:
        values, counts = np.unique(x, return_counts=True)
        return float(values[int(np.argmax(counts))])
    return _continuous_mode(np.sort(x), underflowed)


def _continuous_mode(y, underflowed: int) -> float | None:
    """Half-sample mode of sorted finite draws; unknown where draws underflowed and the mode is
    below 1e-300 or among the lowest 1% of the rest: the density then peaks below what float64
    resolves (the forum's theta_part: a mode of 0 or 5e-307 would be an artefact of the format)."""
    import numpy as np

    from priorcli.stats.sorted_draws import half_sample_mode

    if underflowed:
        y = y[underflowed:]  # sorted, never negative: the zeros come first
        if y.size == 0:
            return None
    mode = half_sample_mode(y)
    if underflowed and (mode < UNDERFLOW_ZONE or int(np.searchsorted(y, mode)) <= max(1, y.size // 100)):
        return None
    return mode


def range_note(summary: Summary, name: str = "") -> str | None:
    """The stderr note on draws beyond float64's range, or None when there were none."""
    if not (summary.underflowed or summary.overflowed):
        return None
    of = f" of {name}" if name else ""
    parts = []
    if summary.underflowed:
        parts.append(f"{summary.underflowed} of {summary.n} draws{of} underflowed to 0")
    if summary.overflowed:
        parts.append(f"{summary.overflowed}" + ("" if parts else f" of {summary.n} draws{of}") + " overflowed to inf")
    text = "Note: " + " and ".join(parts) + " (beyond float64's range, 2.2e-308 to 1.8e308)"
    unknown = (["mean", "sd"] if summary.overflowed else []) + (["mode"] if summary.mode is None else [])
    if unknown:
        text += f"; the Monte Carlo {' and '.join(unknown) if len(unknown) < 3 else 'mean, sd and mode'} " \
                f"{'is' if len(unknown) == 1 else 'are'} unknown"
    return text


def mc_summary_sorting(values, probs=DEFAULT_QUANTILES, label: str = "") -> Summary:
    """``mc_summary`` of continuous draws the caller owns and no longer needs in order: sorts
    ``values`` (1-D float64, finite) in place, so no full-size copy is ever made (np.quantile
    would partition one copy and the mode sort another). Quantiles are numpy's 'linear' ones."""
    import numpy as np

    from priorcli.stats.sorted_draws import sorted_quantile, sum_sq_deviations

    x = values
    x.sort()
    n = int(x.size)
    underflowed, overflowed = out_of_range(x, False)
    qs = [sorted_quantile(x, p) for p in list(probs) + [0.5]] if n else [None] * (len(probs) + 1)
    with np.errstate(all="ignore"):
        mean = float(np.mean(x)) if n else float("nan")
        sd = math.sqrt(sum_sq_deviations(x, mean) / (n - 1)) if n > 1 else None
    return Summary(
        mean=finite_or_none(mean),
        sd=finite_or_none(sd),
        median=finite_or_none(qs[-1]),
        mode=_continuous_mode(x, underflowed) if n and not overflowed else None,
        quantiles={p: finite_or_none(q) for p, q in zip(probs, qs[:-1])},
        method="monte-carlo",
        n=n,
        label=label,
        underflowed=underflowed,
        overflowed=overflowed,
    )


class InMemoryDraws:
    """Draws held in memory: exact sample quantiles (the in-memory counterpart of
    ``priorcli.sampling.draws.StreamingDraws``)."""

    def __init__(self, values, discrete: bool = False):
        import numpy as np

        self.values = np.asarray(values, dtype=np.float64)
        self.n = int(self.values.size)
        self.discrete = discrete

    def quantiles(self, probs) -> list[float]:
        import numpy as np

        return [float(q) for q in np.quantile(self.values, list(probs))]

    def counts_on(self, edges):
        import numpy as np

        return np.histogram(self.values, bins=edges)[0]

    def positive(self) -> "InMemoryDraws":
        return InMemoryDraws(self.values[self.values > 0], self.discrete)

    def outside(self, lo: float, hi: float) -> tuple[int, int]:
        """How many draws lie below ``lo`` and above ``hi`` (a plot's hidden mass)."""
        import numpy as np

        return int(np.count_nonzero(self.values < lo)), int(np.count_nonzero(self.values > hi))

    def summary(self, probs, label: str = "") -> Summary:
        return mc_summary(self.values, probs, discrete=self.discrete, label=label)


# ---------------------------------------------------------------------------------------------
# Histograms


@dataclass(frozen=True)
class Histogram:
    """What to draw: bar centres and heights (a density), plus the exact density where known.

    With ``log_x`` the bins are log-spaced and heights are densities per unit log10(x), so the
    exact curve drawn over them is p(x) * x * ln(10).
    """

    centres: list[float]
    heights: list[float]
    curve_x: list[float] | None
    curve_y: list[float] | None
    log_x: bool
    label: str
    discrete: bool = False


def histogram(draws, *, bins: int | None, log_x: bool, discrete: bool, exact: ExactDistribution | None,
              label: str = "draws", span: tuple[float, float] | None = None) -> Histogram:
    """Histogram of the central 99% of the draws (or of ``span``), with the exact density over it.

    ``draws`` is a numpy array or anything with ``n``, ``quantiles(probs)`` and ``counts_on(edges)``
    (the streaming accumulator of priorcli.sampling.draws).
    """
    import numpy as np

    if isinstance(draws, np.ndarray):
        draws = InMemoryDraws(draws)
    total = draws.n  # density of the whole sample, not only of the plotted part
    if log_x:
        draws = draws.positive()
        if draws.n == 0:
            raise UsageError("--log-x needs positive draws; these are all <= 0")
    if span is None:
        lo, hi = draws.quantiles([0.005, 0.995])
        if lo is None or hi is None:
            raise UsageError("cannot place the histogram: the central 99% of the draws is out of range")
    else:
        lo, hi = span
    if log_x and lo <= 0:
        lo = hi * 1e-6 if hi > 0 else 1e-300
    if discrete:
        lo, hi = math.floor(lo), math.ceil(hi)
        step = max(1, math.ceil((hi - lo + 1) / (bins or 60)))
        # Beyond 2**53 not every integer is a float: bins at least two float spacings wide.
        step = max(step, math.ceil(2 * float(np.spacing(max(abs(lo), abs(hi))))))
        edges = np.arange(lo - 0.5, hi + 0.5 + step, step, dtype=np.float64)
    else:
        if not hi > lo:
            lo, hi = lo - 0.5, hi + 0.5
        count = bins or int(np.clip(round(2 * total ** (1 / 3)), 10, 60))
        edges = np.geomspace(lo, hi, count + 1) if log_x else np.linspace(lo, hi, count + 1)
    counts = np.asarray(draws.counts_on(edges), dtype=np.float64)
    if log_x:
        widths = np.diff(np.log10(edges))
        centres = np.sqrt(edges[:-1]) * np.sqrt(edges[1:])  # no underflow for edges near 1e-300
    else:
        widths = np.diff(edges)
        centres = 0.5 * (edges[:-1] + edges[1:])
    heights = counts / (total * widths)
    curve_x = curve_y = None
    if exact is not None:
        if discrete:
            # Every integer of the range, or (a range too wide to list, Poisson(1e16)) 2001 of them.
            ks = np.arange(lo, hi + 1, dtype=np.float64) if hi - lo < 10_000 else \
                np.unique(np.round(np.linspace(lo, hi, 2001)))
            curve_x, curve_y = ks, np.exp(exact.log_density(ks)) / step
        else:
            grid = np.geomspace(lo, hi, 200) if log_x else np.linspace(lo, hi, 200)
            with np.errstate(all="ignore"):
                density = np.exp(exact.log_density(grid))
            curve_x, curve_y = grid, density * grid * math.log(10) if log_x else density
        keep = np.isfinite(curve_y)
        curve_x, curve_y = curve_x[keep].tolist(), curve_y[keep].tolist()
    return Histogram(centres.tolist(), heights.tolist(), curve_x, curve_y, log_x, label, discrete)
