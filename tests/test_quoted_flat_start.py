"""A quoted solve whose starts put a target outside the support (the cdf flat at 0 or 1 there):
``solve "Uniform(a, 2*a)" --median 3`` stalled at its start a = 3 and said the targets cannot be
met. Oracle: the uniform's quantiles by scipy at the closed-form answer."""

from __future__ import annotations

import pytest
import scipy.stats as st
from numpy.testing import assert_allclose


@pytest.mark.parametrize("quoted, targets, free, low_high", [
    ("Uniform(a, 2*a)", {0.5: 3.0}, {"a": 2.0}, (2.0, 4.0)),  # 1.5 a = 3
    ("Uniform(a, 3*a)", {0.9: 5.0}, {"a": 5.0 / 2.8}, (5.0 / 2.8, 15.0 / 2.8)),  # a + 0.9 * 2a = 5
    ("Uniform(a, a + b)", {0.1: 1.0, 0.9: 5.0}, {"a": 0.5, "b": 5.0}, (0.5, 5.5)),
])
def test_a_start_outside_the_support_still_reaches_the_exact_answer(run, quoted, targets, free, low_high):
    args = [a for p, v in targets.items() for a in ("--quantile", f"{p}={v}")]
    out = run.json("solve", quoted, *args)
    assert out["method"] != "least-squares"
    assert_allclose([out["free"][k] for k in free], list(free.values()), rtol=1e-9)
    assert_allclose([out["params"]["low"], out["params"]["high"]], low_high, rtol=1e-9)
    uniform = st.uniform(low_high[0], low_high[1] - low_high[0])
    assert_allclose(uniform.ppf(list(targets)), list(targets.values()), rtol=1e-9)  # the oracle meets them
