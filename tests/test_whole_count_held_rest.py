"""total_count solved when every other parameter is given (``solve binomial --probs 0.3 --mean 6``).

The scan over whole n used to ask the solver to solve "the rest" at each n, found nothing free and
reported "every parameter is fixed" (or the first n's support as the error). With the rest held,
each n is scored as the least-squares fit scores it; the oracle is scipy's binom/betabinom scanned
over n independently here.
"""

from __future__ import annotations

import pytest
import scipy.stats as st
from conftest import assert_usage_error
from numpy.testing import assert_allclose


def _interval(dist, lo, hi):
    return dist.cdf(hi) - dist.cdf(lo - 1)


@pytest.mark.parametrize("args, n_expected", [
    (["binomial", "--probs", "0.3", "--mean", "6"], 20),  # 20 * 0.3 = 6 exactly
    (["binomial", "--probs", "0.25", "--mean", "7.5"], 30),
    (["betabinomial", "--concentration1", "2", "--concentration0", "3", "--mean", "4"], 10),  # n a / (a + b)
])
def test_a_mean_met_exactly_by_one_whole_count(run, args, n_expected):
    out = run.json("solve", *args)
    assert out["params"]["total_count"] == n_expected
    assert out["method"] != "least-squares"
    assert_allclose(out["achieved"]["mean"], float(args[-1]), rtol=1e-12)


@pytest.mark.slow  # ~2 s each: a maximum-entropy-free scan of up to 60 n
@pytest.mark.parametrize("probs, lo, hi, mass", [(0.3, 2, 8, 0.9), (0.1, 0, 3, 0.95), (0.5, 4, 12, 0.8)])
def test_an_interval_mass_picks_the_closest_whole_count_as_scipy_finds_it(run, probs, lo, hi, mass):
    out = run.json("solve", "binomial", "--probs", probs, "--lower", lo, "--upper", hi, "--mass", mass)
    scan = range(hi, 300)
    best = min(scan, key=lambda n: abs(_interval(st.binom(n, probs), lo, hi) - mass))
    assert out["params"]["total_count"] == best
    assert_allclose(out["achieved"]["mass"], _interval(st.binom(best, probs), lo, hi), rtol=1e-10)


def test_a_mean_no_whole_count_meets_is_the_closest_one_with_its_residual(run):
    # 6.1 / 0.3 = 20.33: n = 20 (mean 6) is closer than 21 (6.3)
    out = run.json("solve", "binomial", "--probs", "0.3", "--mean", "6.1")
    assert out["params"]["total_count"] == 20
    assert out["method"] == "least-squares"
    assert_allclose(out["achieved"]["mean"], st.binom(20, 0.3).mean(), rtol=1e-12)


def test_a_target_outside_every_support_is_one_usage_error(run):
    assert_usage_error(run("solve", "binomial", "--probs", "0.3", "--mean", "-1"), "mean=-1", "outside the support")
