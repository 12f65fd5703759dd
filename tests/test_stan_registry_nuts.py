"""tests/stan_registry.py's NUTS programs: while one program is sampled by NUTS (``priorcli_nuts``
is 1), every other program's parameters get a standard normal density instead of their model block,
so a flat (improper) prior elsewhere in the session leaves the posterior proper; with the switch
off (fixed_param, a driver's log density) nothing is added.

Checked by stanc on a merge (no build), and in the session's merged program (STAN_PROGRAMS): a
program with a flat parameter, whose log density (no Jacobian) must be exactly 0, beside an
exponential sampled by NUTS, whose draws are checked against scipy's exponential cdf (NUTS draws
are correlated: the band of n / 4 independent draws, as tests/test_truncation.py's)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats as st

import stan_registry
from emit_support import band, require_stanc, stan_blocks, stan_info

FLAT_CODE = "parameters {\n  real w;\n}\n"
EXPONENTIAL_CODE = "parameters {\n  real<lower=0> s;\n}\nmodel {\n  s ~ exponential(2);\n}\n"
PRIOR_CODE = "generated quantities {\n  real d = normal_rng(0, 1);\n}\n"
N = 4000

FLAT = stan_registry.Program(
    "flat", lambda: FLAT_CODE, inputs=lambda: {"points": [-3.0, 0.0, 250.0]},
    driver="out['lp'] = np.array([model.log_prob([u], adjust_transform=False) for u in inputs['points']])\n")
EXPONENTIAL = stan_registry.Program("exponential", lambda: EXPONENTIAL_CODE, nuts=N, seed=11)
STAN_PROGRAMS = (FLAT, EXPONENTIAL)


def test_the_other_programs_parameters_are_standard_normal_while_one_is_sampled():
    require_stanc()
    code = stan_registry.merge({"r0": FLAT_CODE, "r1": EXPONENTIAL_CODE, "r2": PRIOR_CODE})
    info = stan_info(code)  # stanc accepts it
    assert info["inputs"]["priorcli_nuts"]["type"] == "int"
    model = stan_blocks(code)["model"]
    assert ("  if (priorcli_program == 1) {  // r0\n  } else if (priorcli_nuts) {"
            "  // another program is sampled by NUTS\n    target += normal_lpdf(r0_w | 0, 1);\n  }\n") in model
    assert ("if (priorcli_program == 2) {  // r1\n    r1_s ~ exponential(2);\n  } else if (priorcli_nuts) {"
            "  // another program is sampled by NUTS\n    target += normal_lpdf(r1_s | 0, 1);\n  }\n") in model
    assert "r2" not in model  # no parameters, no model block: nothing to switch


def test_a_program_has_fixed_param_draws_or_nuts_draws_not_both():
    with pytest.raises(AssertionError, match="not both"):
        stan_registry.Program("both", lambda: EXPONENTIAL_CODE, draws=10, nuts=10)


@pytest.mark.slow
def test_nuts_draws_of_one_program_beside_a_flat_one(stan_programs):
    pytest.importorskip("stan", reason="PyStan is in the test extra")
    assert np.array_equal(stan_programs(FLAT)["lp"], np.zeros(3))  # the switch is off for a driver
    s = stan_programs(EXPONENTIAL)["s"].ravel()
    assert s.shape == (N,) and np.all(s > 0)
    cdf = st.expon(scale=0.5).cdf
    for p in (0.05, 0.25, 0.5, 0.75, 0.95):
        assert abs(cdf(np.quantile(s, p)) - p) <= band(p, N // 4), p
