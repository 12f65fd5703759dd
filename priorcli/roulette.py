"""The roulette: chips in bins -> candidate families fitted and ranked (``explore --roulette``).

An expert spreads chips over equal bins of a range, as in PreliZ's ``roulette`` and SHELF. The
chips are read as judgements of the cumulative distribution: the proportion of chips left of a bin
edge is the probability below that edge. The edges used are those of the filled region, from the
left edge of the first bin with chips (probability 0) to the right edge of the last (probability
1). Each candidate family is fitted by least squares on the probability scale,
``sum_k (F(e_k) - c_k)^2`` (SHELF's and PreliZ's ``quartile`` loss; PreliZ's roulette fits the pdf
at the bin centres instead, which depends on the units), with ``scipy.optimize.least_squares`` in
unconstrained coordinates from the record's moment-matched start (the chips' mean and sd) and a few
shape multiples of it. Fits are ranked by loss, ties broken by larger entropy (the rule of the
family ranking of ``solve --family``).

Candidates are the continuous families whose support holds the whole range (PreliZ's check):
Normal, StudentT, Logistic, Gumbel everywhere; Gamma, LogNormal, Weibull, InverseGamma when the
range is non-negative; Beta inside [0, 1]. Fitting needs chips in at least three bins (two filled
bins are met exactly by a distribution collapsing onto their common edge). Everything a family
needs (cdf, entropy, starts) comes from its record in :mod:`priorcli.records`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from priorcli import records
from priorcli.errors import InfeasibleError, UsageError

CANDIDATES = ("Normal", "StudentT", "Logistic", "Gumbel", "Gamma", "LogNormal", "Weibull", "InverseGamma", "Beta")
MIN_FILLED_BINS = 3
_SHAPE_MULTIPLES = (1.0, 0.3, 3.0)


@dataclass(frozen=True)
class RouletteFit:
    family: str
    params: dict  # native name -> float, full precision
    loss: float  # sum of squared probability residuals at the edges
    entropy: float | None


def bin_edges(lo: float, hi: float, bins: int) -> list[float]:
    if not (math.isfinite(lo) and math.isfinite(hi)) or not hi > lo:
        raise UsageError(f"--range needs LO < HI, got {lo:g},{hi:g}")
    if bins < 2:
        raise UsageError(f"--bins must be at least 2 for a roulette, got {bins}")
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


def candidates(lo: float, hi: float) -> list[str]:
    """The candidate families whose support holds [lo, hi]."""
    out = []
    for name in CANDIDATES:
        record = records.get(name)
        s_lo, s_hi = record.support(**record.typical_params())
        if s_lo <= lo and hi <= s_hi:
            out.append(name)
    return out


def _chip_moments(edges: list[float], chips: list[int]) -> tuple[float, float]:
    """Mean and sd of the chips spread evenly within their bins."""
    total = float(sum(chips))
    width = edges[1] - edges[0]
    centres = [0.5 * (a + b) for a, b in zip(edges[:-1], edges[1:])]
    mean = sum(c * x for c, x in zip(chips, centres)) / total
    var = sum(c * (x - mean) ** 2 for c, x in zip(chips, centres)) / total + width * width / 12.0
    return mean, math.sqrt(var)


def _to_x(record, params: dict) -> list[float]:
    out = []
    for p in record.params:
        v = float(params[p.name])
        if p.kind == "positive":
            out.append(math.log(v))
        elif p.kind in ("unit_interval", "open_unit_interval"):
            out.append(math.log(v / (1.0 - v)))
        else:
            out.append(v)
    return out


def _from_x(record, x) -> dict:
    params = {}
    for p, v in zip(record.params, x):
        v = float(v)
        if p.kind == "positive":
            params[p.name] = math.exp(min(v, 700.0))
        elif p.kind in ("unit_interval", "open_unit_interval"):
            params[p.name] = 1.0 / (1.0 + math.exp(-v))
        else:
            params[p.name] = v
    return params


def _starts(record, mean: float, sd: float) -> list[list[float]]:
    """The moment-matched start, and shape parameters (those that do not move with location or
    scale) multiplied by a few factors around it."""
    base = record.moment_start(mean, sd) if record.moment_start is not None else None
    base = {**record.typical_params(), **(base or {})}
    shapes = [p.name for p in record.params if p.name not in record.scaling and p.kind == "positive"]
    starts = []
    for factor in _SHAPE_MULTIPLES:
        start = {k: (v * factor if k in shapes else v) for k, v in base.items()}
        try:
            starts.append(_to_x(record, start))
        except (ValueError, OverflowError):
            continue
        if not shapes:
            break
    return starts


def fit_family(name: str, xs: list[float], ps: list[float], mean: float, sd: float) -> RouletteFit:
    """The least-squares fit of one family to the cumulative points; InfeasibleError when no start
    converges (the message names the family)."""
    import numpy as np
    from scipy.optimize import least_squares

    record = records.get(name)
    edges, probs = np.asarray(xs, dtype=np.float64), np.asarray(ps, dtype=np.float64)

    def residuals(x):
        with np.errstate(all="ignore"):
            r = record.cdf(edges, **_from_x(record, x)) - probs
        return np.where(np.isfinite(r), r, 1.0)

    best = None
    reasons = []
    for x0 in _starts(record, mean, sd):
        result = least_squares(residuals, np.asarray(x0), method="trf", xtol=1e-12, ftol=1e-12, gtol=1e-12,
                               max_nfev=2000)
        if result.status <= 0:
            reasons.append(result.message)
            continue
        loss = float(np.sum(residuals(result.x) ** 2))
        if best is None or loss < best[0]:
            best = (loss, result.x)
    if best is None:
        raise InfeasibleError(f"roulette: the {name} fit did not converge ({'; '.join(reasons) or 'no start'})")
    params = _from_x(record, best[1])
    entropy = record.entropy(**params) if record.entropy is not None else None
    return RouletteFit(name, params, best[0], None if entropy is None or not math.isfinite(entropy) else entropy)


@dataclass(frozen=True)
class Ranking:
    fits: tuple[RouletteFit, ...]  # best first
    failed: tuple[str, ...] = ()  # one message per family whose fit did not converge


def fit_chips(edges: list[float], chips: list[int], families: list[str] | None = None) -> Ranking:
    """Every candidate family fitted to the chips, best first (loss, then larger entropy); a
    family whose fit does not converge is listed in ``failed`` with the reason, not dropped
    silently."""
    if len(chips) != len(edges) - 1:
        raise UsageError(f"{len(chips)} bins of chips for {len(edges) - 1} bins")
    if any(c < 0 for c in chips):
        raise UsageError("chip counts cannot be negative")
    if sum(1 for c in chips if c > 0) < MIN_FILLED_BINS:
        raise InfeasibleError(f"drop chips in at least {MIN_FILLED_BINS} bins to fit a distribution")
    xs, ps = cumulative_points(edges, chips)
    mean, sd = _chip_moments(edges, chips)
    names = families if families is not None else candidates(edges[0], edges[-1])
    fits, failed = [], []
    for name in names:
        try:
            fits.append(fit_family(name, xs, ps, mean, sd))
        except InfeasibleError as exc:
            failed.append(str(exc))
    if not fits:
        raise InfeasibleError("; ".join(failed) or "roulette: no candidate family has this range in its support")
    ranked = sorted(fits, key=lambda f: (round(f.loss, 12), -(f.entropy if f.entropy is not None else -math.inf)))
    return Ranking(tuple(ranked), tuple(failed))


def expected_chips(fit: RouletteFit, edges: list[float], total: int) -> list[float]:
    """How many of ``total`` chips the fitted distribution puts in each bin."""
    record = records.get(fit.family)
    cdf = [float(record.cdf(e, **fit.params)) for e in edges]
    return [total * (b - a) for a, b in zip(cdf[:-1], cdf[1:])]
