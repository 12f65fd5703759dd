"""What a plot shows: the series, the x range the rule chose (priorcli.plot.range) and the mass it
leaves out. Builds data only; priorcli.render.output draws it.

* sample FAMILY: a histogram of the draws with the exact density (or pmf points) over it.
* summarize --input and each variable of sample --model: a histogram of the draws, with the
  maximum-likelihood fits' densities over it (``fit_curves``: the first three of a ranked list).
* compare: one density line per distribution (exact where known, a Gaussian kernel estimate of the
  draws otherwise) on one shared range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from priorcli.plot import range as plotrange
from priorcli.plot.range import HiddenMass, PlotRange
from priorcli.stats.monte_carlo import Histogram

MAX_FITS = 3  # fitted densities drawn over the draws (the top three of a ranked list)
CURVE_POINTS = 200


@dataclass(frozen=True)
class Chart:
    series: list[Histogram]  # at most one with bars (centres), then density curves / pmf points
    plot_range: PlotRange
    hidden: list[HiddenMass]


def _draws_quantile(draws, discrete: bool):
    """A vectorised quantile function of in-memory or streamed draws (priorcli.sampling.draws)."""
    values = getattr(draws, "values", None)
    if values is not None or isinstance(draws, np.ndarray):
        return plotrange.draws_quantile(draws if values is None else values, discrete)

    def quantile(probs):
        return np.array([math.nan if v is None else v for v in draws.quantiles(np.atleast_1d(probs))])

    return quantile


def _as_draws(draws, discrete: bool = False):
    if isinstance(draws, np.ndarray):
        from priorcli.stats.monte_carlo import InMemoryDraws

        return InMemoryDraws(draws, discrete)
    return draws


def _hidden(draws, r: PlotRange, label: str = "") -> HiddenMass:
    # A discrete range [lo, hi] shows every integer in it: count what lies beyond the half-steps.
    lo, hi = (r.lo - 0.5, r.hi + 0.5) if r.discrete else (r.lo, r.hi)
    below, above = draws.outside(lo, hi)
    return HiddenMass.from_counts(below, above, draws.n, r, label)


def _range_options(options) -> dict:
    return {"axis": options.axis, "hand_range": options.plot_range, "tail": options.tail}


def family_chart(spec, exact, draws, options, mode: float | None) -> Chart:
    """sample FAMILY: draws and the exact density, on the range from the exact quantiles."""
    from priorcli.stats import monte_carlo as mc_stats

    discrete = spec.family.discrete
    draws = _as_draws(draws, discrete)
    quantile = exact.quantile_function() if exact is not None else None
    quantile = quantile or _draws_quantile(draws, discrete)
    support = exact.support if exact is not None else _draws_support(quantile)
    # Without an exact distribution the support is only the draws' range: not a bound.
    r = plotrange.choose_range(quantile, support, discrete=discrete, mode=mode,
                               bounded=None if exact is not None else False, **_range_options(options))
    histogram = mc_stats.histogram(draws, bins=options.bins, log_x=r.log, discrete=discrete, exact=exact,
                                span=(r.lo, r.hi))
    return Chart([histogram], r, [_hidden(draws, r)])


def exact_chart(spec, exact, options, mode: float | None) -> Chart:
    """summarize FAMILY (no draws): the exact density (pmf points) on the range the rule picks
    from the exact quantiles, with the exact mass outside it (from the cdf) as the note."""
    discrete = spec.family.discrete
    quantile = exact.quantile_function()
    if quantile is None:
        from priorcli.errors import InfeasibleError

        raise InfeasibleError(f"--plot-file: {spec.family.name} has no quantile function here to place the plot")
    r = plotrange.choose_range(quantile, exact.support, discrete=discrete, mode=mode, **_range_options(options))
    curve = _density_curve(exact, None, r, spec.label(), discrete)
    lo, hi = (r.lo - 0.5, r.hi + 0.5) if discrete else (r.lo, r.hi)
    cdf = _exact_cdf(exact, quantile)
    below, above = cdf(lo), 1.0 - cdf(hi)
    return Chart([curve], r, [HiddenMass(max(below, 0.0), max(above, 0.0), r.lo, r.hi, of="the mass")])


def _exact_cdf(exact, quantile):
    """P(X <= x): the family's own cdf when there is no transform, else the quantile function
    inverted on the range rule's levels (dense in the body, geometric into the tails)."""
    if not exact.spec.transforms:
        def cdf(x):
            value = exact.base.cdf(x)
            return math.nan if value is None else float(value)

        return cdf
    levels = plotrange.LEVELS
    values = np.asarray(quantile(levels), dtype=np.float64)
    keep = np.isfinite(values)
    levels, values = levels[keep], np.maximum.accumulate(values[keep])
    return lambda x: float(np.interp(x, values, levels, left=0.0, right=1.0))


def _draws_support(quantile) -> tuple[float, float]:
    lo, hi = quantile(np.array([0.0, 1.0]))
    return float(lo), float(hi)


def draws_chart(values, options, *, label: str = "draws", mode: float | None = None, fits: Sequence = (),
                discrete: bool = False, bounded: bool = False) -> Chart:
    """A histogram of draws with no exact distribution behind them (summarize --input, a model
    variable), and the fitted densities of ``fits`` (ranked best first) over it. ``bounded``: the
    variable's support is known to be bounded (a model's Beta), which keeps a linear axis."""
    from priorcli.stats import monte_carlo as mc_stats

    values = np.asarray(values, dtype=np.float64)
    quantile = plotrange.draws_quantile(values, discrete)
    r = plotrange.choose_range(quantile, _draws_support(quantile), discrete=discrete, mode=mode,
                               bounded=bounded, **_range_options(options))  # the draws' range is no bound
    draws = _as_draws(values, discrete)
    histogram = mc_stats.histogram(draws, bins=options.bins, log_x=r.log, discrete=discrete, exact=None,
                                label=label, span=(r.lo, r.hi))
    return Chart([histogram, *fit_curves(fits, r)], r, [_hidden(draws, r)])


def fit_curves(fits: Sequence, r: PlotRange) -> list[Histogram]:
    """The densities (pmf points) of the first MAX_FITS fits (priorcli.fitting.Fit, ranked best
    first) over the range ``r``."""
    from priorcli.stats import exact as stats
    from priorcli.families.registry import resolve

    curves = []
    for fit in list(fits)[:MAX_FITS]:
        # a fit that is no registry family's (a metalog, a Mixture) carries its DistSpec
        spec = getattr(fit, "spec", None)
        exact = stats.ExactDistribution(spec or stats.DistSpec(resolve(fit.family), dict(fit.params), (),
                                                               getattr(fit, "truncate", None)))
        label = f"fit: {fit.numpyro}"
        curves.append(_density_curve(exact, None, r, label, exact.spec.family.discrete))
    return curves


def spec_density_curves(spec, label: str, name: str | None = None) -> list[Histogram]:
    """solve --plot: the exact density (or pmf) of ``spec`` over its central 99%, labelled
    ``label``; a vector family's one curve per component (``component i``, its exact marginals).
    Computed before anything is printed, so a failure leaves no partial output: InfeasibleError,
    naming ``name`` (default ``label``), where no quantile function places the plot."""
    from priorcli.errors import InfeasibleError
    from priorcli.stats import exact as stats

    multivariate = spec.family.multivariate
    curves = []
    for i, component in enumerate(stats.components(spec) if multivariate else [spec]):
        exact = stats.ExactDistribution(component)
        lo, hi = exact.quantile(0.005), exact.quantile(0.995)
        if lo is None or hi is None:
            raise InfeasibleError(f"--plot: {label if name is None else name} has no quantile function here "
                                  "to place the plot")
        discrete = component.family.discrete
        grid = np.arange(lo, hi + 1, dtype=np.float64) if discrete else np.linspace(lo, hi, CURVE_POINTS)
        with np.errstate(all="ignore"):
            density = np.exp(exact.log_density(grid))
        curves.append(Histogram([], [], grid.tolist(), density.tolist(), False,
                                f"component {i}" if multivariate else label, discrete))
    return curves


def _grid(r: PlotRange, discrete: bool) -> np.ndarray:
    if discrete:
        return np.arange(math.ceil(r.lo), math.floor(r.hi) + 1, dtype=np.float64)
    return np.geomspace(r.lo, r.hi, CURVE_POINTS) if r.log else np.linspace(r.lo, r.hi, CURVE_POINTS)


def _density_curve(exact, draws, r: PlotRange, label: str, discrete: bool) -> Histogram:
    """The exact density where it is known, else a Gaussian kernel estimate of the draws; per unit
    log10(x) on a log axis (p(x) x ln 10), pmf points for a discrete family."""
    x = _grid(r, discrete)
    density = None
    if exact is not None:
        with np.errstate(all="ignore"):
            density = np.exp(np.asarray(exact.log_density(x), dtype=np.float64))
        if not np.isfinite(density).any():
            density = None
    if density is None:
        density = _kernel_density(draws, x, r.log)
    elif r.log:
        density = density * x * math.log(10)
    keep = np.isfinite(density)
    if not discrete and keep.any():
        # Drop the flat ends below 0.5% of the peak: drawn, they are a baseline that hides the
        # other curves' tails (the hidden-mass note and the table carry the tails).
        visible = np.flatnonzero(keep & (density >= 0.005 * np.nanmax(np.where(keep, density, -np.inf))))
        keep[: visible[0]] = False
        keep[visible[-1] + 1 :] = False
    return Histogram([], [], x[keep].tolist(), density[keep].tolist(), r.log, label, discrete)


def _kernel_density(draws, x: np.ndarray, log: bool) -> np.ndarray:
    """scipy's Gaussian kernel estimate (Scott's bandwidth), of log10 of the draws on a log axis."""
    from scipy.stats import gaussian_kde

    values = np.asarray(draws, dtype=np.float64)
    values = values[np.isfinite(values)]
    if log:
        values = np.log10(values[values > 0])
        x = np.log10(x)
    if values.size < 2 or np.ptp(values) == 0:
        return np.full(x.shape, math.nan)
    return gaussian_kde(values)(x)


def compare_chart(rows: Sequence[tuple[str, object, np.ndarray, object, object]], options) -> Chart:
    """compare: (text, spec, draws, mc summary, exact summary) per distribution; one density line
    each on the range that holds every distribution's own range."""
    from priorcli.stats import exact as stats

    items, exacts = [], []
    for _, spec, draws, mc, exact_summary in rows:
        discrete = spec.family.discrete
        exact = stats.ExactDistribution(spec)
        quantile = exact.quantile_function() or plotrange.draws_quantile(draws, discrete)
        mode = exact_summary.mode if exact_summary is not None and exact_summary.mode is not None else mc.mode
        items.append((quantile, exact.support, discrete, mode))
        exacts.append(exact)
    shared, _ = plotrange.choose_shared_range(items, **_range_options(options))
    series, hidden = [], []
    for i, ((text, spec, draws, _, _), exact) in enumerate(zip(rows, exacts), start=1):
        label = f"[{i}] {text}"
        discrete = spec.family.discrete
        series.append(_density_curve(exact, draws, shared, label, discrete))
        own = PlotRange(shared.lo, shared.hi, shared.log, discrete, shared.mass, shared.iqr_share, shared.how)
        hidden.append(_hidden(_as_draws(draws, discrete), own, f"[{i}]"))
    return Chart(series, shared, hidden)
