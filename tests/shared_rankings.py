"""Rankings that several test files ask for with the same arguments, computed once per test process
(a Ranking is a frozen dataclass of tuples: no test can change what another one reads)."""

from __future__ import annotations

import functools

from priorcli.ranking import rank_solutions


@functools.lru_cache(maxsize=None)
def ranking(spec: str, pairs: tuple[tuple[str, str], ...]):
    """``rank_solutions(spec, list(pairs))``, computed once per process for the same arguments."""
    return rank_solutions(spec, list(pairs))


def interval_ranking(lower: int, upper: int, mass: float):
    """``solve --family auto --lower L --upper U --mass P``'s ranking (tests/test_ranking.py,
    test_entropy_tail.py and test_zero_inflated_auto.py all rank [0, 3] with mass 0.7)."""
    return ranking("auto", (("lower", str(lower)), ("upper", str(upper)), ("mass", str(mass))))
