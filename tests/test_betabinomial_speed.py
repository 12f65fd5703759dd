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


def _member_meeting_the_mass(n: int, mean_share: float, lower: int = 2, upper: int = 8, mass: float = 0.9):
    """scipy alone: the BetaBinomial(n) with mean n * mean_share and ``mass`` on [lower, upper],
    its concentration found by brentq on scipy's cdf (the mass rises with the concentration there,
    and the entropy falls: the smallest concentration meeting the mass holds the most entropy)."""
    from scipy.optimize import brentq

    def member(log_k):
        return stats.betabinom(n, mean_share * np.exp(log_k), (1 - mean_share) * np.exp(log_k))

    def gap(log_k):
        d = member(log_k)
        return d.cdf(upper) - d.cdf(lower - 1) - mass

    return member(brentq(gap, -5.0, 12.0, xtol=1e-14))


def test_held_total_count_answer_unchanged():
    """With total_count held at 27, the maximum-entropy member is what it was before the faster cdf
    (to the last digits the solver controls), meets the mass by scipy, and has more entropy than
    PreliZ's maxent answer for the same targets (7.653, 10.557, n 12.5)."""
    from priorcli.families.targets import Targets
    from priorcli.solving import solve

    p = solve("BetaBinomial", Targets(lower=2, upper=8, mass=0.9), fixed={"total_count": 27.0}).params
    assert p["concentration1"] == pytest.approx(32.81890001297785, rel=1e-9)
    assert p["concentration0"] == pytest.approx(142.260902619213, rel=1e-9)
    d = stats.betabinom(27, p["concentration1"], p["concentration0"])
    assert d.cdf(8) - d.cdf(1) == pytest.approx(0.9, abs=1e-9)
    assert d.entropy() > stats.betabinom(12, 7.653, 10.557).entropy()
    # the maximum along total_count = 27: members of the same n with the mean moved either way hold less
    for share in (0.18, 0.195):
        assert _member_meeting_the_mass(27, share).entropy() < d.entropy()


@pytest.mark.slow
def test_total_count_scan_refuses_where_its_search_fails(run):
    """The scan over total_count used to stop at 27 and call it the maximum entropy, because the
    searches at 28 to 32 did not converge. Members there meet the mass with more entropy (scipy
    below, and the Binomial limit at n = 80 has more still), so the scan now says it cannot tell
    and exits 1, naming the total_count where its search failed and how to go on."""
    from conftest import assert_usage_error

    held = run.json("solve", "betabinomial", "--lower", "2", "--upper", "8", "--mass", "0.9", "--total-count", "27")
    at_27 = stats.betabinom(27, held["params"]["concentration1"], held["params"]["concentration0"]).entropy()
    better = _member_meeting_the_mass(28, 0.1807573621196299)
    assert better.cdf(8) - better.cdf(1) == pytest.approx(0.9, abs=1e-12)
    assert better.entropy() > at_27 + 5e-5
    # BetaBinomial holds Binomial as its limit: the Binomial's answer for the same targets bounds it
    binomial = run.json("solve", "binomial", "--lower", "2", "--upper", "8", "--mass", "0.9")["params"]
    limit = stats.binom(int(binomial["total_count"]), binomial["probs"])
    assert limit.cdf(8) - limit.cdf(1) == pytest.approx(0.9, abs=1e-9) and limit.entropy() > better.entropy()
    assert_usage_error(run("solve", "betabinomial", "--lower", "2", "--upper", "8", "--mass", "0.9"),
                       "did not converge", "total_count = 28", "best of 8 to 27", "--total-count N", code=1)


def _largest_entropy_at(n: int, upper: int, mass: float) -> float:
    """scipy alone: the largest entropy of a BetaBinomial(n) with ``mass`` on [0, upper], over the
    mean share."""
    from scipy.optimize import minimize_scalar

    r = minimize_scalar(lambda share: -_member_meeting_the_mass(n, share, 0, upper, mass).entropy(),
                        bounds=(0.2, 0.55), method="bounded", options={"xatol": 1e-10})
    return -r.fun


@pytest.mark.slow
def test_a_failed_search_past_the_peak_does_not_stop_the_scan(run):
    """0.95 on [0, 10]: the entropy peaks at total_count = 13 and falls after it; the searches that
    do not converge from 16 on come after the fall, so the scan keeps its answer (scipy's maximum
    at 13 beats 12's and 14's)."""
    doc = run.json("solve", "betabinomial", "--lower", "0", "--upper", "10", "--mass", "0.95")
    p = doc["params"]
    assert p["total_count"] == 13.0
    d = stats.betabinom(13, p["concentration1"], p["concentration0"])
    assert d.cdf(10) == pytest.approx(0.95, abs=1e-9)
    best = _largest_entropy_at(13, 10, 0.95)
    assert d.entropy() == pytest.approx(best, abs=1e-9)
    assert best > max(_largest_entropy_at(12, 10, 0.95), _largest_entropy_at(14, 10, 0.95)) + 1e-4
