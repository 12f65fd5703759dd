"""BetaBinomial's cdf at one point (the solvers' call, hundreds of thousands of times in a
total_count scan) takes a path without broadcasting and keeps each member's running sum: its
values are the array path's exactly, and scipy.stats.betabinom's."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from priorcli import records
from priorcli.records import betabinomial as B


@pytest.mark.slow
def test_point_cdf_is_the_array_path_bit_for_bit_and_scipys():
    rng = np.random.default_rng(7)
    for _ in range(3000):
        a, b = np.exp(rng.uniform(-4.0, 6.0, 2))
        n = float(rng.integers(1, 80))
        x = float(rng.integers(0, int(n) + 1))
        point = B._betabinom_cdf(x, float(a), float(b), n)
        array = float(B._betabinom_cdf(np.array(x), np.array(a), np.array(b), np.array(n)))
        assert point == array
        assert point == pytest.approx(stats.betabinom(int(n), a, b).cdf(x), rel=1e-11, abs=1e-14)


def test_record_cdf_scalar_and_vector_agree():
    F = records.get("BetaBinomial")
    p = {"concentration1": 2.5, "concentration0": 7.0, "total_count": 30.0}
    xs = np.arange(0.0, 31.0)
    assert [F.cdf(float(x), **p) for x in xs] == list(F.cdf(xs, **p))


@pytest.mark.slow
def test_total_count_scan_answer_unchanged():
    """The maximum-entropy total_count scan gives what it gave before the faster cdf (same n and
    concentrations to the last digits the solver controls), still meeting the mass by scipy, with
    more entropy than PreliZ's answer (this solve also serves test_solve_more's PreliZ comparison)."""
    from priorcli.families.targets import Targets
    from priorcli.solving import solve

    p = solve("BetaBinomial", Targets(lower=2, upper=8, mass=0.9)).params
    assert p["total_count"] == 27.0
    assert p["concentration1"] == pytest.approx(32.81890001297785, rel=1e-9)
    assert p["concentration0"] == pytest.approx(142.260902619213, rel=1e-9)
    d = stats.betabinom(27, p["concentration1"], p["concentration0"])
    assert d.cdf(8) - d.cdf(1) == pytest.approx(0.9, abs=1e-9)
    # the maximum entropy beats PreliZ's maxent answer (7.653, 10.557, 12.5) for the same targets
    assert d.entropy() > stats.betabinom(12, 7.653, 10.557).entropy()
