"""The plots of ``priorcli explore`` as plain text (plotext, no colour), drawn into a widget.

Textual-free, so the benchmark can time a whole update (state change, summary and plot text)
without a terminal. Axis ticks are round numbers (``render._nice_ticks``'s rule) formatted with
``render.fmt``.
"""

from __future__ import annotations

import math

from priorcli.render import output as render


def _axis(xs: list[float], log_x: bool, plt) -> None:
    if not xs:
        return
    if log_x:
        lo, hi = math.log10(xs[0]), math.log10(xs[-1])
        ticks = [float(t) for t in range(math.ceil(lo), math.floor(hi) + 1)]
        plt.xticks(ticks, [render.fmt(10**t, 3) for t in ticks])
        plt.xlabel("log scale")
    else:
        ticks = render._nice_ticks(min(xs), max(xs), count=4)
        plt.xticks(ticks, [render.fmt(t, 4) for t in ticks])


def density_text(curve, log_x: bool, discrete: bool, width: int, height: int) -> str:
    """The exact density (pmf points for a discrete family) as text of ``width`` x ``height``."""
    import plotext as plt

    plt.clear_figure()
    plt.plotsize(max(width, 20), max(height, 5))
    plt.theme("clear")
    if curve is None:
        return "(no quantile function to place the plot)"
    xs, ys = curve
    px = [math.log10(x) for x in xs] if log_x else xs
    if discrete:
        plt.scatter(px, ys, marker="dot")
    else:
        plt.plot(px, ys, marker="braille")
    _axis(xs, log_x, plt)
    plt.yticks([])
    return plt.uncolorize(plt.build()).rstrip("\n")


def roulette_text(edges: list[float], chips: list[int], expected: list[float] | None, selected: int,
                  width: int, height: int) -> str:
    """Chips as bars over the bins, the best fit's expected chips per bin as points, the
    selected bin marked under the axis."""
    import plotext as plt

    plt.clear_figure()
    plt.plotsize(max(width, 20), max(height, 5))
    plt.theme("clear")
    centres = [0.5 * (a + b) for a, b in zip(edges[:-1], edges[1:])]
    plt.bar(centres, [float(c) for c in chips], width=0.8, marker="sd")
    if expected is not None:
        plt.scatter(centres, expected, marker="o")
    top = max(max(chips, default=0), max(expected or [0.0]), 1)
    plt.ylim(0, top * 1.15)
    ticks = list(range(0, int(top) + 1, max(1, int(top) // 4 or 1)))
    plt.yticks(ticks, [str(t) for t in ticks])
    plt.xlim(edges[0], edges[-1])
    shown = edges if len(edges) <= 7 else edges[:: max(1, len(edges) // 5)]
    plt.xticks(shown, [render.fmt(e, 3) for e in shown])
    return plt.uncolorize(plt.build()).rstrip("\n")
