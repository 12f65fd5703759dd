"""A count pmf whose tail falls slowly (NegativeBinomial with a tiny concentration: nearly all the
mass at 0, the rest spread over ~1/concentration values) has its entropy past the first 20,000
terms as the smooth continuation's integral; checked against scipy's pmf summed term by term far
enough that the rest is below 1e-300."""

import numpy as np
import pytest
from scipy import stats

from priorcli.records.discrete import discrete_entropy
from shared_rankings import interval_ranking


@pytest.mark.parametrize("mean,concentration", [(1.0, 1e-3), (10.0, 0.01), (5.0, 0.05), (100.0, 0.5), (3.0, 2.0)])
def test_slow_tails_match_the_summed_pmf(mean, concentration):
    d = stats.nbinom(concentration, concentration / (concentration + mean))
    sd = np.sqrt(mean + mean * mean / concentration)
    h = discrete_entropy(d.logpmf, 0.0, np.inf, mean, sd)
    k = np.arange(0, int(d.isf(1e-300)) + 1, dtype=np.float64)
    lp = d.logpmf(k)
    p = np.exp(lp)
    expected = -np.sum(np.where(p > 0, p * lp, 0.0))
    assert h == pytest.approx(expected, rel=1e-9)


@pytest.mark.slow
def test_auto_tries_zero_inflated_families_on_a_maximum_entropy_interval():
    """They rank with the gate solved, or are skipped with the reason (tests/test_zero_inflated_auto.py
    checks the answers against scipy); the slow tails above keep their searches short."""
    ranking = interval_ranking(0, 3, 0.7)  # rank_solutions("auto", ...), shared with two other files
    tried = {r.family for r in ranking.ranked + ranking.discrete} | {s.family for s in ranking.skipped}
    for name in ("ZeroInflatedPoisson", "ZeroInflatedNegativeBinomial2", "HurdlePoisson"):
        assert name in tried
    assert "Poisson" in tried and not tried & {s.family for s in ranking.left_out}
