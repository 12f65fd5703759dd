"""``Solution.to_numpyro()`` of a family numpyro lacks gives priorcli's own class (Triangular),
whose cdf at the solved quantiles is the target probability (scipy's triang as the oracle)."""

import numpy as np
import pytest
from scipy import stats

import priorcli


def test_triangular_solution_to_numpyro_is_priorclis_class():
    solution = priorcli.solve("triangular", lower=0.0, upper=4.0, median=1.5)
    d = solution.to_numpyro()
    assert type(d).__name__ == "Triangular"
    lo, c, hi = (solution.params[k] for k in ("lower", "c", "upper"))
    oracle = stats.triang((c - lo) / (hi - lo), loc=lo, scale=hi - lo)
    x = np.array([0.5, 1.5, 3.0])
    np.testing.assert_allclose(np.exp(np.asarray(d.log_prob(x))), oracle.pdf(x), rtol=1e-10)
    assert oracle.cdf(1.5) == pytest.approx(0.5, abs=1e-9)
