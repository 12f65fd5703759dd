"""LKJ(K, eta) and LKJCholesky(K, eta) in the model language (issue 21, item 6): the off-diagonal
elements summarised as a vector variable, the exact Beta marginal beside them, the emitted programs
run by numpyro, PyMC and Stan, and the usage errors.

Oracles: scipy.stats.beta (the marginal (r + 1) / 2 ~ Beta(a, a), a = eta - 1 + K / 2) and an
independent numpy implementation of the onion method (Lewandowski, Kurowicka and Joe 2009, 3.2).
Monte Carlo bands: emit_support's (K_SIGMA standard errors of a quantile's level, fixed seeds).
"""

from __future__ import annotations

import functools
import json

import numpy as np
import pytest
import scipy.stats as st

import stan_registry
from conftest import assert_usage_error
from emit_support import band, emitted, exact_mismatches, parse_printed_quantiles, quantile_mismatches

pytestmark = pytest.mark.slow  # every test here samples through the command line (seconds each)

N = 20_000


def onion(k: int, eta: float, n: int, seed: int) -> np.ndarray:
    """n K x K correlation matrices ~ LKJ(K, eta) by the onion method, in numpy."""
    rng = np.random.default_rng(seed)
    beta = eta + (k - 2) / 2
    r = np.zeros((n, k, k))
    r[:, 0, 0] = r[:, 1, 1] = 1.0
    r[:, 0, 1] = r[:, 1, 0] = 2 * rng.beta(beta, beta, n) - 1
    for m in range(2, k):
        beta -= 0.5
        y = rng.beta(m / 2, beta, n)
        u = rng.standard_normal((n, m))
        u /= np.linalg.norm(u, axis=1, keepdims=True)
        z = np.einsum("nij,nj->ni", np.linalg.cholesky(r[:, :m, :m]), np.sqrt(y)[:, None] * u)
        r[:, :m, m] = r[:, m, :m] = z
        r[:, m, m] = 1.0
    return r


def marginal(k: int, eta: float):
    a = eta - 1 + k / 2
    return st.beta(a, a, loc=-1, scale=2)


def test_the_numpy_onion_has_the_beta_marginal():
    """The oracle itself: every correlation of the numpy onion draws has the exact marginal."""
    r = onion(4, 2.0, N, seed=3)
    rows, cols = np.triu_indices(4, 1)
    for i, j in zip(rows, cols):
        assert exact_mismatches(r[:, i, j], marginal(4, 2.0).cdf) == [], (i, j)


def _model_json(run, spec, *extra):
    return run.json("sample", "--model", spec, "-n", N, "--seed", 7, "--no-plot", *extra)


def test_lkj_variable_is_its_correlations_with_the_exact_marginal(run):
    doc = _model_json(run, "R ~ LKJ(4, 2)")
    var = doc["variables"]["R"]
    names = ["R[0,1]", "R[0,2]", "R[0,3]", "R[1,2]", "R[1,3]", "R[2,3]"]
    assert var["elements"]["size"] == 6 and var["elements"]["names"] == names
    assert var["mc"]["n"] == 6 * N  # pooled, as a vector variable's
    exact = var["exact"]
    assert exact["method"] == "exact" and exact["elements"] == names
    d = marginal(4, 2.0)
    for p, q in exact["quantiles"].items():
        assert q == pytest.approx(d.ppf(float(p)), rel=1e-8, abs=1e-12)
    assert exact["sd"] == pytest.approx(d.std(), rel=1e-10)
    draws = run("sample", "--model", "R ~ LKJ(4, 2)", "-n", N, "--seed", 7, "--format", "raw").stdout
    table = np.loadtxt(draws.splitlines()[1:], delimiter=",")
    assert table.shape == (N, 6)
    for i in range(6):
        assert exact_mismatches(table[:, i], d.cdf) == [], names[i]


def test_lkjcholesky_elements_and_where_the_marginal_applies(run):
    spec = "L ~ LKJCholesky(3, 1.5)"
    var = _model_json(run, spec)["variables"]["L"]
    assert var["elements"]["names"] == ["L[1,0]", "L[2,0]", "L[2,1]"]
    assert var["exact"]["elements"] == ["L[1,0]", "L[2,0]"]  # the first column: L[i,0] = R[i,0]
    out = run("sample", "--model", spec, "-n", N, "--seed", 7, "--format", "raw").stdout
    table = np.loadtxt(out.splitlines()[1:], delimiter=",")
    for i in (0, 1):
        assert exact_mismatches(table[:, i], marginal(3, 1.5).cdf) == []
    # L[2,1] is not Beta: compare it with the numpy onion's Cholesky factors
    ours = np.linalg.cholesky(onion(3, 1.5, N, seed=5))
    printed = dict(zip((0.05, 0.25, 0.5, 0.75, 0.95), np.quantile(table[:, 2], (0.05, 0.25, 0.5, 0.75, 0.95))))
    assert quantile_mismatches(printed, ours[:, 2, 1], N) == []
    # --show one element: the exact marginal shown only where it applies
    assert "exact" in _model_json(run, spec, "--show", "L[1]")["variables"]["L[1]"]
    assert "exact" not in _model_json(run, spec, "--show", "L[2]")["variables"]["L[2]"]


def test_a_varying_concentration_draws_but_shows_no_exact_marginal(run):
    doc = _model_json(run, "eta ~ Gamma(4, 2); R ~ LKJ(3, eta)")
    assert "exact" not in doc["variables"]["R"] and doc["variables"]["R"]["elements"]["size"] == 3
    table = run("sample", "--model", "R ~ LKJ(3, 2)", "--no-plot", "-n", 2000).stdout
    assert "R exact R[0,1], R[0,2], R[1,2]" in " ".join(table.split())


@pytest.mark.parametrize("spec, needle", [
    ("R ~ LKJ(1, 2)", "whole number from 2"),
    ("R ~ LKJ(2.5, 2)", "got 2.5"),
    ("R ~ LKJCholesky(concentration=2)", "needs its dimension"),
    ("k = 3; R ~ LKJ(k, 2)", "written as a number"),
    ("R ~ LKJ(3, 0)", "concentration"),
    ("R ~ LKJCholesky(3, -1)", "concentration"),
    ("R ~ LKJ(3, 2); x = R + 1", "'R' is a matrix"),
    ("R ~ exp(LKJ(3, 2))", "transforms apply"),
])
def test_model_errors_are_one_line_exit_2(run, spec, needle):
    assert_usage_error(run("sample", "--model", spec, "--no-plot"), needle)


# ---------------------------------------------------------------------------------------------
# emitted programs

SPEC = "R ~ LKJ(3, 2)\nL ~ LKJCholesky(4, 1.5)"


def test_emitted_lines():
    numpyro = emitted(SPEC, "numpyro")
    assert 'dist.LKJ(dimension=3, concentration=2.0)' in numpyro
    assert 'dist.LKJCholesky(dimension=4, concentration=1.5)' in numpyro
    stan = emitted(SPEC, "stan")
    for line in ("corr_matrix[3] R;", "cholesky_factor_corr[4] L;", "R ~ lkj_corr(2);", "L ~ lkj_corr_cholesky(1.5);"):
        assert line in stan, stan
    prior = emitted(SPEC, "stan-prior")
    assert "matrix[3, 3] R = lkj_corr_rng(3, 2);" in prior and "matrix[4, 4] L = lkj_corr_cholesky_rng(4, 1.5);" in prior
    pymc = emitted(SPEC, "pymc")
    assert 'pm.LKJCorr("R_corr", n=3, eta=2.0, return_matrix=True)' in pymc
    assert 'L = pm.Deterministic("L", pt.linalg.cholesky(L_corr))' in pymc


def _check_printed(printed: dict, n: int, ours: dict):
    for name, draws in ours.items():
        for i in range(draws.shape[1]):
            assert quantile_mismatches(printed[f"{name}[{i}]"], draws[:, i], n) == [], (name, i)


def _priorcli_elements(run, spec, seed=11):
    out = run("sample", "--model", spec, "-n", N, "--seed", seed, "--format", "raw").stdout
    header, *rows = out.splitlines()
    table = np.loadtxt(rows, delimiter=",")
    names = header.split(",")
    return {base: table[:, [i for i, n in enumerate(names) if n.startswith(base + "[")]] for base in ("R", "L")}


@pytest.mark.slow
@pytest.mark.parametrize("target", ["numpyro", "pymc"])
def test_python_programs_run(target, tmp_path, run):
    from test_emit_run import _run_script

    code = emitted(SPEC, target, "-n", 10_000, "--seed", 5)
    printed = parse_printed_quantiles(_run_script(code, tmp_path, f"lkj_{target}"))
    assert list(printed) == [f"R[{i}]" for i in range(3)] + [f"L[{i}]" for i in range(6)]
    _check_printed(printed, 10_000, _priorcli_elements(run, SPEC))
    d = marginal(3, 2.0)
    for i in range(3):  # every printed correlation quantile against the exact marginal, within the band
        for p, q in printed[f"R[{i}]"].items():
            assert abs(d.cdf(q) - p) <= band(p, 10_000), (i, p, q)


# compiled with the session's other Stan programs as one (stan_registry), drawn under fixed_param
@functools.cache
def _stan_prior() -> str:
    return emitted(SPEC, "stan-prior")


PRIOR = stan_registry.Program("prior", _stan_prior, draws=10_000, outputs=("R", "L"))
STAN_PROGRAMS = (PRIOR,)


@pytest.mark.slow
def test_stan_prior_program_runs_with_fixed_param(stan_programs, run):
    fit = {name: np.moveaxis(v, -1, 0) for name, v in stan_programs(PRIOR).items()}
    ours = _priorcli_elements(run, SPEC)
    for name, k in (("R", 3), ("L", 4)):
        m = fit[name].reshape(-1, k, k)
        rows, cols = np.triu_indices(k, 1) if name == "R" else np.tril_indices(k, -1)
        if name == "L":  # priorcli's order: row by row below the diagonal
            order = np.lexsort((cols, rows))
            rows, cols = rows[order], cols[order]
        elements = m[:, rows, cols]
        for i in range(elements.shape[1]):
            printed = dict(zip((0.05, 0.25, 0.5, 0.75, 0.95), np.quantile(elements[:, i], (0.05, 0.25, 0.5, 0.75, 0.95))))
            assert quantile_mismatches(printed, ours[name][:, i], 10_000) == [], (name, i)
    assert exact_mismatches(fit["R"].reshape(-1, 3, 3)[:, 0, 1], marginal(3, 2.0).cdf) == []


@pytest.mark.slow
def test_stan_program_is_accepted_by_stanc(tmp_path):
    from emit_support import assert_stanc_accepts

    assert_stanc_accepts(emitted(SPEC, "stan"), tmp_path)
    assert_stanc_accepts(_stan_prior(), tmp_path, "prior")


def test_json_is_one_document(run):
    result = run("sample", "--model", SPEC, "-n", 500, "--format", "json")
    assert result.exit_code == 0
    json.loads(result.stdout)
