"""Plots as figure files (``--plot-file FILE.png|svg|pdf``), drawn with matplotlib from the same
data as the terminal plot (:mod:`priorcli.render.output`): a :class:`priorcli.plot.charts.Chart`
(the range rule's range, its end labels, log or linear axis, the legend labels and the hidden-mass
notes) or a list of histograms / density curves (solve's density, a Dirichlet's components).

matplotlib is imported only here and only when a figure is asked for. No pyplot: a
``matplotlib.figure.Figure`` saved by the backend for the file's suffix, so no global state, and
the bytes are the same from run to run (no date in SVG or PDF, a fixed SVG hash salt, text kept as
text in SVG). The file is put in place by :class:`priorcli.render.outfile.Staged`: never a partial
file, never an existing path replaced without ``force``.
"""

from __future__ import annotations

import math
import os
from typing import Sequence

FIGURE_SUFFIXES = (".png", ".svg", ".pdf")
OPTION = "--plot-file"
_WIDTH, _PANEL_HEIGHT, _NOTE_HEIGHT = 8.0, 3.6, 0.22  # inches
_DPI = 100
_COLOURS = ("tab:red", "tab:blue", "tab:green", "tab:purple", "tab:cyan", "tab:orange")
_MARKERS = ("o", "x", "+", "s", "*", "D")  # one per pmf (points) when several are drawn
# Deterministic bytes: SVG's ids salted by a constant, text as text (searchable, smaller), PDF fonts
# embedded as TrueType subsets.
_RC = {"svg.hashsalt": "priorcli", "svg.fonttype": "none", "pdf.fonttype": 42, "path.simplify": False}


def check_suffix(path: str) -> str:
    """The figure format from the file name (png, svg or pdf), or a usage error naming --plot-file."""
    from priorcli.errors import UsageError

    suffix = os.path.splitext(path)[1].lower()
    if suffix not in FIGURE_SUFFIXES:
        raise UsageError(f"{OPTION} '{path}' must end in {', '.join(FIGURE_SUFFIXES)} (the figure format)")
    return suffix[1:]


def write_figure(path: str, panels: Sequence[tuple[str, object]], *, force: bool) -> None:
    """One figure file of ``panels``, (title, plot) pairs drawn one above the other, where a plot
    is a Chart or a list of Histograms (what write_chart / write_histograms take)."""
    from priorcli.render import outfile

    fmt = check_suffix(path)
    staged = outfile.Staged(outfile.check_target(path, force, OPTION), path, force=force, option=OPTION)
    figure = _figure(panels)  # drawn before the temporary file exists
    fd = staged.create()
    try:
        try:
            with os.fdopen(fd, "wb") as handle:
                _save(figure, handle, fmt)
        except OSError as exc:
            raise outfile.write_error(exc, path, OPTION) from None
        staged.commit()
    finally:
        staged.discard()


def _save(figure, handle, fmt: str) -> None:
    import matplotlib

    metadata = {"svg": {"Date": None}, "pdf": {"CreationDate": None, "ModDate": None}}.get(fmt, {})
    with matplotlib.rc_context(_RC):
        figure.savefig(handle, format=fmt, dpi=_DPI, metadata=metadata)


def _figure(panels: Sequence[tuple[str, object]]):
    import matplotlib

    with matplotlib.rc_context(_RC):
        from matplotlib.figure import Figure

        notes = [_notes(plot) for _, plot in panels]
        heights = [_PANEL_HEIGHT + _NOTE_HEIGHT * len(n) for n in notes]
        figure = Figure(figsize=(_WIDTH, sum(heights)), dpi=_DPI, layout="constrained")
        axes = figure.subplots(len(panels), 1, squeeze=False, height_ratios=heights)[:, 0]
        for ax, (title, plot), lines in zip(axes, panels, notes):
            if isinstance(plot, list):
                _draw_histograms(ax, plot)
            else:
                _draw_chart(ax, plot)
            if title:
                ax.set_title(title, loc="left", fontsize="medium")
            if lines:  # the hidden-mass notes, under the axis as under the terminal plot
                ax.annotate("\n".join(lines), xy=(0, 0), xycoords="axes fraction", xytext=(0, -30),
                            textcoords="offset points", va="top", ha="left", fontsize="small",
                            annotation_clip=False)
        return figure


def _notes(plot) -> list[str]:
    from priorcli.render.output import hidden_note

    if isinstance(plot, list):
        return []
    return [n for n in (hidden_note(h) for h in plot.hidden) if n]


def _bar_edges(centres: list[float], log: bool, discrete: bool) -> tuple[list[float], list[float]]:
    """Left edges and widths (in x units) of bars at equally spaced centres (log10-spaced on a log
    axis); a discrete family's bars are 0.6 wide as in the terminal plot."""
    if discrete or len(centres) < 2:
        width = 0.6 if discrete else 1.0
        return [c - width / 2 for c in centres], [width] * len(centres)
    axis = [math.log10(c) for c in centres] if log else list(centres)
    step = (axis[-1] - axis[0]) / (len(axis) - 1)
    lo = [a - step / 2 for a in axis]
    hi = [a + step / 2 for a in axis]
    if log:
        lo, hi = [10**a for a in lo], [10**a for a in hi]
    return lo, [b - a for a, b in zip(lo, hi)]


def _bars(ax, s, log: bool) -> None:
    left, width = _bar_edges(s.centres, log, s.discrete)
    ax.bar(left, s.heights, width=width, align="edge", label=s.label, color="0.75", edgecolor="0.55",
           linewidth=0.4)


def _curve(ax, s, label: str, index: int, several: bool) -> None:
    colour = _COLOURS[index % len(_COLOURS)] if several else "tab:red"
    if s.discrete:  # a pmf is points, not a curve
        ax.plot(s.curve_x, s.curve_y, linestyle="none", marker=_MARKERS[index % len(_MARKERS)] if several else "o",
                markersize=4, color=colour, label=label)
    else:
        ax.plot(s.curve_x, s.curve_y, color=colour, linewidth=1.5, label=label)


def _draw_chart(ax, chart) -> None:
    """A Chart as write_chart draws it: bars, density lines or pmf points with the same legend
    labels, the x axis limited to the range with its ends labelled exactly."""
    from priorcli.render.output import _range_ticks

    r = chart.plot_range
    curves = [s for s in chart.series if s.curve_x is not None]
    for s in chart.series:
        if s.centres:
            _bars(ax, s, r.log)
        if s.curve_x is None:
            continue
        label = ("exact pmf" if s.discrete else "exact density") if s.centres else s.label
        _curve(ax, s, label, curves.index(s), len(curves) > 1)
    if r.log:
        ax.set_xscale("log")
    lo, hi = (math.log10(r.lo), math.log10(r.hi)) if r.log else (r.lo, r.hi)
    pad = 0.5 if r.discrete and not r.log else 0.0
    ax.set_xlim(r.lo - pad, r.hi + pad)
    ticks, labels = _range_ticks(lo, hi, r.log, r.discrete, columns=90, ends=(r.lo, r.hi))
    _set_ticks(ax, [10**t for t in ticks] if r.log else ticks, labels, r.log)
    ax.set_xlabel("x (log scale); density per unit log10(x)" if r.log else "x")
    _finish(ax, any(s.discrete for s in chart.series))


def _draw_histograms(ax, histograms: list) -> None:
    """A list of histograms / density curves as write_histograms draws it (solve --plot, a
    Dirichlet's components): one set of bars alone, lines when several are overlaid."""
    from priorcli.render.output import _nice_ticks, fmt

    log = any(h.log_x for h in histograms)
    xs: list[float] = []
    for i, h in enumerate(histograms):
        xs.extend(h.centres)
        if h.centres and len(histograms) == 1:
            _bars(ax, h, h.log_x)
        elif h.centres:
            ax.plot(h.centres, h.heights, marker=_MARKERS[i % len(_MARKERS)], markersize=3, linewidth=0.8,
                    color=_COLOURS[i % len(_COLOURS)], label=h.label)
        if h.curve_x is not None:
            if not h.centres:
                xs.extend(h.curve_x)
            label = ("exact pmf" if h.discrete else "exact density") if len(histograms) == 1 else f"{h.label} exact"
            _curve(ax, h, label, i, len(histograms) > 1)
    if log:
        ax.set_xscale("log")
        ax.set_xlabel("x (log scale); density per unit log10(x)")
    elif xs:
        ticks = _nice_ticks(min(xs), max(xs))
        _set_ticks(ax, ticks, [fmt(t, 6) for t in ticks], False)
        ax.set_xlabel("x")
    _finish(ax, any(h.discrete for h in histograms))


def _set_ticks(ax, ticks: list[float], labels: list[str], log: bool) -> None:
    from matplotlib.ticker import NullLocator

    ax.set_xticks(ticks, labels)
    if log:
        ax.xaxis.set_minor_locator(NullLocator())


def _finish(ax, discrete: bool) -> None:
    ax.set_ylabel("probability" if discrete else "density")
    ax.set_ylim(bottom=0)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best", fontsize="small", frameon=False)
