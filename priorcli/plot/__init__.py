"""What a plot shows, without drawing it: the range rule (:mod:`.range`, a ``PlotRange``, numpy
only) and the chart data of draws, exact distributions and fits (:mod:`.charts`: series, range,
hidden mass). :mod:`priorcli.render` draws them. May import :mod:`priorcli.stats`,
:mod:`priorcli.families` and :mod:`priorcli.errors`.
"""
