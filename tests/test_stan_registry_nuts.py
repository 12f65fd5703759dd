"""tests/stan_registry.py's NUTS programs: while one program is sampled by NUTS (``priorcli_nuts``
is 1), every other program's parameters get, instead of their model block, the density that makes
their unconstrained coordinates standard normal, so a flat (improper) prior elsewhere in the
session leaves the posterior proper; with the switch off (fixed_param, a driver's log density)
nothing is added.

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
            "  // another program is sampled by NUTS\n    target += std_normal_lpdf(r0_w);\n  }\n") in model
    assert ("if (priorcli_program == 2) {  // r1\n    r1_s ~ exponential(2);\n  } else if (priorcli_nuts) {"
            "  // another program is sampled by NUTS\n"
            "    target += std_normal_lpdf(log(r1_s - (0))) - log(r1_s - (0));\n  }\n") in model
    assert "r2" not in model  # no parameters, no model block: nothing to switch


@pytest.mark.parametrize("declaration, density", [
    ("real", "std_normal_lpdf(v)"),
    ("real<lower=1.5>", "std_normal_lpdf(log(v - (1.5))) - log(v - (1.5))"),
    ("real<upper=f(a, [1, 2]')>", "std_normal_lpdf(log((f(a, [1, 2]')) - v)) - log((f(a, [1, 2]')) - v)"),
    ("real<lower=0, upper=a / b>", "std_normal_lpdf(logit((v - (0)) / ((a / b) - (0)))) - log(v - (0))"
                                   " - log((a / b) - v) + log((a / b) - (0))"),
    ("real<offset=1, multiplier=2>", "normal_lpdf(v | 0, 1)"),
])
def test_the_density_of_each_kind_of_declaration(declaration, density):
    assert stan_registry._standard_normal(f"  real x;\n  {declaration} v;\n", "v") == density


def test_the_bounded_density_is_a_standard_normal_in_the_unconstrained_coordinate():
    """Oracle: u ~ N(0, 1), v = L + (U - L) inv_logit(u) has the density phi(logit(z)) / ((U - L) z (1 - z))
    (z = (v - L) / (U - L)); the Stan expression, read as Python, must be its log."""
    import math

    text = stan_registry._standard_normal("  real<lower=-1, upper=3> v;\n", "v")
    python = text.replace("std_normal_lpdf(", "PHI(").replace("logit(", "LOGIT(").replace("log(", "math.log(")
    names = {"math": math, "PHI": lambda t: -0.5 * t * t - 0.5 * math.log(2 * math.pi),
             "LOGIT": lambda t: math.log(t / (1 - t))}
    for v in (-0.9, 0.0, 1.7, 2.99):
        z = (v + 1) / 4
        expected = st.norm.logpdf(math.log(z / (1 - z))) - math.log(4 * z * (1 - z))
        assert eval(python, {**names, "v": v}) == pytest.approx(expected, rel=1e-12)


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


def test_results_are_run_once_for_the_processes_that_share_a_directory(tmp_path):
    """conftest's stan_programs: of xdist's workers (same collected programs, one directory) the
    first runs the programs and the others read its results; without a directory each runs."""
    runs = []

    def run():
        runs.append(1)
        return {"m:p": {"out": {"x": np.arange(3.0)}}}

    programs = {"m:p": FLAT}
    first = stan_registry.shared(str(tmp_path), programs, run)
    again = stan_registry.shared(str(tmp_path), programs, run)
    assert len(runs) == 1 and np.array_equal(again["m:p"]["out"]["x"], first["m:p"]["out"]["x"])
    stan_registry.shared(str(tmp_path), {"m:q": FLAT}, run)  # other programs: their own results
    stan_registry.shared(None, programs, run)
    assert len(runs) == 3
