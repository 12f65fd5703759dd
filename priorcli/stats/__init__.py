"""Summaries of a distribution: exact ones (:mod:`.exact`: ``DistSpec``, ``Summary``,
``ExactDistribution``, from the records' closed forms, numpyro or :mod:`.numeric`'s quadrature and
inversions), Monte Carlo ones of draws in memory (:mod:`.monte_carlo`, with the histograms), and
the sorted-draw kernels (:mod:`.sorted_draws`). Returns dataclasses, never prints. May import
:mod:`priorcli.families`, :mod:`priorcli.records` and :mod:`priorcli.errors`.
"""
