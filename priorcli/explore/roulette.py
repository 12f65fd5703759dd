"""The roulette's chip bookkeeping lives in :mod:`priorcli.elicit.roulette` (``priorcli elicit``
reads an expert's chips with it too); explore's names for it, unchanged."""

from priorcli.elicit.roulette import (  # noqa: F401
    MAX_BINS, MIN_FILLED_BINS, bin_edges, candidates, check_chips, cumulative_points, expected_chips,
    quantile_targets, rank_chips,
)
