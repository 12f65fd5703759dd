"""The roulette's chip bookkeeping (``explore --roulette``): bins, chips -> quantile targets.

An expert spreads chips over equal bins of a range, as in PreliZ's ``roulette`` and SHELF. The
chips are read as judgements of the cumulative distribution, as SHELF's roulette reads them: the
proportion of chips left of a filled bin's right edge is the probability below that edge. Those
edges with a proportion strictly between 0 and 1 (every filled bin's right edge but the last's)
are the quantile targets, all of weight 1 (each filled bin is one judgement; weighting by chip
counts would count the same chips twice). The ranking itself is issue 10's, ``solve --family``'s:
:func:`priorcli.ranking.rank_targets` over :func:`candidates`, so the roulette ranks exactly what
``priorcli solve --family F,G,... --quantile P=V ...`` ranks for the same targets.

Fitting needs chips in at least three bins: two targets, as many as the two-parameter families
have (two filled bins would be one target, which every family meets exactly).
"""

from __future__ import annotations

import math

from priorcli import records
from priorcli.errors import InfeasibleError, UsageError
from priorcli.families.targets import Targets

MIN_FILLED_BINS = 3


MAX_BINS = 200  # as many as a wide terminal shows one column each
MAX_MAGNITUDE = 1e100  # |LO|, |HI|: spans, bin widths and the fits' arithmetic stay far from overflow
MIN_WIDTH = 1e-100  # a bin's width: far from underflow
MIN_RELATIVE_WIDTH = 1e-9  # a bin's width relative to max(|LO|, |HI|): edges distinct in float64


def bin_edges(lo: float, hi: float, bins: int) -> list[float]:
    """The edges of ``bins`` equal bins over [lo, hi]; a range or a bin count the roulette cannot
    work with is a UsageError naming --range or --bins."""
    if not 2 <= bins <= MAX_BINS:
        raise UsageError(f"--bins must be between 2 and {MAX_BINS} for a roulette, got {bins}")
    text = f"{lo:g},{hi:g}"
    if not (math.isfinite(lo) and math.isfinite(hi)) or not hi > lo:
        raise UsageError(f"--range needs finite LO < HI, got {text}")
    magnitude = max(abs(lo), abs(hi))
    if magnitude > MAX_MAGNITUDE:
        raise UsageError(f"--range ends must be within +-{MAX_MAGNITUDE:g}, got {text} (rescale the quantity)")
    width = (hi - lo) / bins
    if width < MIN_WIDTH or width < MIN_RELATIVE_WIDTH * magnitude:
        raise UsageError(f"--range {text} is too narrow for {bins} bins: each bin must be at least "
                         f"{MIN_WIDTH:g} wide and {MIN_RELATIVE_WIDTH:g} of max(|LO|, |HI|) (rescale or shift it)")
    return [lo + (hi - lo) * k / bins for k in range(bins + 1)]


def cumulative_points(edges: list[float], chips: list[int]) -> tuple[list[float], list[float]]:
    """(edges, cumulative proportions) over the filled region, both ends included."""
    filled = [k for k, c in enumerate(chips) if c > 0]
    if not filled:
        return [], []
    total = float(sum(chips))
    xs, ps, running = [], [], 0.0
    for k in range(filled[0], filled[-1] + 1):
        if k == filled[0]:
            xs.append(edges[k])
            ps.append(0.0)
        running += chips[k]
        xs.append(edges[k + 1])
        ps.append(running / total)
    return xs, ps


def check_chips(edges: list[float], chips: list[int]) -> None:
    if len(chips) != len(edges) - 1:
        raise UsageError(f"{len(chips)} bins of chips for {len(edges) - 1} bins")
    if any(c < 0 for c in chips):
        raise UsageError("chip counts cannot be negative")
    if sum(1 for c in chips if c > 0) < MIN_FILLED_BINS:
        raise InfeasibleError(f"drop chips in at least {MIN_FILLED_BINS} bins to fit a distribution")


def quantile_targets(edges: list[float], chips: list[int]) -> Targets:
    """The chips as quantile targets: (proportion of chips left of the edge, edge) at every
    filled bin's right edge whose proportion is strictly between 0 and 1."""
    check_chips(edges, chips)
    total = sum(chips)
    pairs, running = [], 0
    for k, c in enumerate(chips):
        running += c
        if c > 0 and running < total:
            pairs.append((running / total, edges[k + 1]))
    return Targets(quantiles=tuple(pairs))


def candidates(lo: float, hi: float) -> list[str]:
    """The roulette's "auto": the continuous families of ``solve --family auto`` whose support
    (for a family whose support moves with its parameters, the widest it can be) holds all of
    [lo, hi], in ``solve --family auto``'s order. Chips may be dropped anywhere in the range, so
    a family that cannot put mass on part of it is no candidate (PreliZ's roulette checks the
    same); discrete families are left out because a bin is an interval of real values."""
    from priorcli.ranking import candidates as ranking_candidates

    families, _ = ranking_candidates("auto")
    out = []
    for family in families:
        record = records.get(family.name)
        if family.discrete or record is None or record.discrete:
            continue
        s_lo, s_hi = record.moving_support or record.support(**record.typical_params())
        if s_lo <= lo and hi <= s_hi:
            out.append(family.name)
    return out


def rank_chips(edges: list[float], chips: list[int], families: list[str] | None = None, stop=None,
               support: str | None = None):
    """issue 10's ranking (:func:`priorcli.ranking.rank_targets`) of ``families`` (default
    :func:`candidates` of the range) fitted to the chips' quantile targets; ``stop`` and
    ``support`` (positive, unit, real) as there."""
    from priorcli.ranking import rank_targets

    targets = quantile_targets(edges, chips)
    names = families if families is not None else candidates(edges[0], edges[-1])
    if not names:
        raise InfeasibleError("roulette: no continuous family has the whole range in its support")
    return rank_targets(",".join(names), targets, stop=stop, support=support)


def expected_chips(family: str, params: dict, edges: list[float], total: int) -> list[float]:
    """How many of ``total`` chips the distribution puts in each bin (drawn over the chips)."""
    record = records.get(family)
    cdf = [float(record.cdf(e, **params)) for e in edges]
    return [total * (b - a) for a, b in zip(cdf[:-1], cdf[1:])]
