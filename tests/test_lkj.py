"""LKJ and LKJCholesky (issue 21, item 6): the exact marginal of one correlation, its solve, and
draws of matrices.

Oracles: scipy.stats.beta for (r + 1) / 2 ~ Beta(eta - 1 + K/2, eta - 1 + K/2); an independent
numpy simulation of LKJ by the onion method (Lewandowski, Kurowicka and Joe 2009, section 3.2),
written here, never through numpyro. Monte Carlo bands: a p-quantile q of n draws has
|F(q) - p| <= K * sqrt(p (1 - p) / n) + 1/n (K = 4.5); a probability estimated from n draws lies
within 4.5 sqrt(P (1 - P) / n) of P; two samples of n and m draws: the band with 1/n + 1/m.
"""

from __future__ import annotations

import functools
import io
import math

import numpy as np
import pytest
from scipy import stats

import stan_registry
from conftest import assert_usage_error, packages_after
from script_runner import run_python

K_SIGMA = 4.5
PROBS = (0.01, 0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975, 0.99)
LEVELS = ",".join(repr(p) for p in PROBS)
N = 20_000


def _marginal(k: int, eta: float):
    a = eta - 1 + k / 2
    return stats.beta(a, a, loc=-1, scale=2)  # r = 2 B - 1


def onion(k: int, eta: float, n: int, rng: np.random.Generator) -> np.ndarray:
    """n LKJ(k, eta) correlation matrices by the onion method, in numpy."""
    out = np.empty((n, k, k))
    for m in range(n):
        beta = eta + (k - 2) / 2
        r = 2 * rng.beta(beta, beta) - 1
        R = np.array([[1.0, r], [r, 1.0]])
        for j in range(2, k):
            beta -= 0.5
            y = rng.beta(j / 2, beta)
            u = rng.normal(size=j)
            u /= np.linalg.norm(u)
            z = np.linalg.cholesky(R) @ (math.sqrt(y) * u)
            R = np.block([[R, z[:, None]], [z[None, :], np.ones((1, 1))]])
        out[m] = R
    return out


def _quantile_band(p: float, n: int, m: int | None = None) -> float:
    if m is None:
        return K_SIGMA * math.sqrt(p * (1 - p) / n) + 1 / n
    return K_SIGMA * math.sqrt(p * (1 - p) * (1 / n + 1 / m)) + 1 / n + 1 / m


def _exact_mismatches(draws: np.ndarray, cdf) -> list:
    n = len(draws)
    return [(p, q) for p in PROBS for q in [np.quantile(draws, p)] if abs(cdf(q) - p) > _quantile_band(p, n)]


CASES = [(2, 1.0), (2, 3.0), (3, 2.0), (5, 0.7), (10, 4.5), (4, 1.0)]


@pytest.mark.parametrize("k, eta", CASES)
def test_summarize_is_the_beta_marginal(run, k, eta):
    doc = run.json("summarize", "lkj", "--dimension", k, "--concentration", eta, "--quantiles", LEVELS)
    oracle = _marginal(k, eta)
    assert doc["family"] == "LKJ" and doc["dimension"] == k and doc["concentration"] == eta
    assert doc["params"] == {"dimension": k, "concentration": eta}
    s = doc["summary"]
    assert s["method"] == "exact" and s["n"] is None
    for p in PROBS:
        # abs_tol: scipy's own betaincinv is off by up to about 2e-10 near the centre
        assert math.isclose(s["quantiles"][repr(p)], oracle.ppf(p), rel_tol=1e-8, abs_tol=1e-9), p
    assert s["mean"] == 0.0 and s["median"] == 0.0 and s["quantiles"]["0.5"] == 0.0
    assert math.isclose(s["sd"], oracle.std(), rel_tol=1e-12)
    if eta - 1 + k / 2 > 1:
        assert s["mode"] == pytest.approx(0.0, abs=1e-7)
    assert math.isclose(s["p_abs_r_below_0.5"], oracle.cdf(0.5) - oracle.cdf(-0.5), rel_tol=1e-10)


def test_summarize_table_shows_the_probability_and_a_plot_on_the_unit_square(run):
    result = run("summarize", "lkjcholesky", "--dimension", 3, "--eta", 2)
    assert result.exit_code == 0, result.stderr
    assert "Beta(2.5, 2.5)" in result.stdout and "P(|r| < 0.5) = 0.74683" in result.stdout
    assert "-0.5" in result.stdout and "exact density" in result.stdout
    assert "exact density" not in run("summarize", "lkj", "--dimension", 3, "--no-plot").stdout


def test_the_onion_simulation_has_the_beta_marginal():
    """The test's own LKJ sampler against the formula: every correlation of it is the Beta marginal."""
    rng = np.random.default_rng(1)
    k, eta, n = 4, 1.7, 6000
    r = onion(k, eta, n, rng)
    oracle = _marginal(k, eta)
    for i, j in [(0, 1), (0, 3), (2, 3)]:
        assert _exact_mismatches(r[:, i, j], oracle.cdf) == [], (i, j)


@pytest.mark.parametrize("family", ["lkj", "lkjcholesky"])
@pytest.mark.slow
def test_sampled_matrices_have_the_exact_marginal_and_the_onions_law(run, family):
    k, eta = 4, 1.7
    result = run("sample", family, "--dimension", k, "--concentration", eta, "-n", N, "--seed", 4, "--format", "raw")
    assert result.exit_code == 0, result.stderr
    header, _, rows = result.stdout.partition("\n")
    assert header == "r[0,1],r[0,2],r[0,3],r[1,2],r[1,3],r[2,3]"
    table = np.loadtxt(io.StringIO(rows), delimiter=",")
    assert table.shape == (N, 6) and np.all(np.abs(table) <= 1)
    oracle = _marginal(k, eta)
    for column in range(6):
        assert _exact_mismatches(table[:, column], oracle.cdf) == [], column
    m = 4000
    ours = onion(k, eta, m, np.random.default_rng(2))
    for column, (i, j) in enumerate([(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]):
        for p in (0.1, 0.5, 0.9):
            d = _quantile_band(p, N, m)
            lo, hi = np.quantile(ours[:, i, j], [max(p - d, 0), min(p + d, 1)])
            assert lo <= np.quantile(table[:, column], p) <= hi, (column, p)
    # a joint feature the marginals miss: the product r[0,1] r[1,2] r[0,2] (det(R) > 0 ties them)
    prod_ours = ours[:, 0, 1] * ours[:, 1, 2] * ours[:, 0, 2]
    prod = table[:, 0] * table[:, 3] * table[:, 1]
    se = math.sqrt(prod.var() / N + prod_ours.var() / m)
    assert abs(prod.mean() - prod_ours.mean()) < K_SIGMA * se


def test_sample_json_follows_the_summary_document(run):
    k, eta = 3, 2.0
    doc = run.json("sample", "lkjcholesky", "--dimension", k, "--concentration", eta, "-n", N, "--seed", 1)
    assert {"family", "params", "transforms", "seed", "draws", "mc", "exact", "dimension", "concentration"} <= set(doc)
    assert doc["family"] == "LKJCholesky" and doc["seed"] == 1 and doc["draws"] == N
    oracle = _marginal(k, eta)
    mc, exact = doc["mc"], doc["exact"]
    assert mc["method"] == "monte-carlo" and mc["n"] == N and exact["method"] == "exact"
    for p in (0.05, 0.25, 0.5, 0.75, 0.95):
        assert abs(oracle.cdf(mc["quantiles"][repr(p)]) - p) <= _quantile_band(p, N)
        assert math.isclose(exact["quantiles"][repr(p)], oracle.ppf(p), rel_tol=1e-8, abs_tol=1e-9)
    P = oracle.cdf(0.5) - oracle.cdf(-0.5)
    assert math.isclose(exact["p_abs_r_below_0.5"], P, rel_tol=1e-10)
    assert abs(mc["p_abs_r_below_0.5"] - P) < K_SIGMA * math.sqrt(P * (1 - P) / N)
    assert abs(mc["mean"]) < K_SIGMA * oracle.std() / math.sqrt(N)


@pytest.mark.slow
def test_sample_is_seeded_and_dimension_two_has_one_column(run):
    argv = ["sample", "lkj", "--dimension", 2, "--concentration", 3, "-n", 50, "--format", "raw"]
    first, again = run(*argv), run(*argv)
    assert first.exit_code == 0 and first.stdout == again.stdout
    assert len(first.stdout.splitlines()) == 50 and "," not in first.stdout
    assert run(*argv, "--seed", 9).stdout != first.stdout
    table = run("sample", "lkj", "--dimension", 3, "-n", 2000, "--no-plot")
    assert table.exit_code == 0 and "r[0,1] shown" in table.stdout and "Monte Carlo" in table.stdout


# ---------------------------------------------------------------------------------------------
# solve


@pytest.mark.parametrize("k, lower, upper, mass", [(3, -0.5, 0.5, 0.9), (2, -0.3, 0.3, 0.5), (8, -0.2, 0.4, 0.95),
                                                   (5, -0.5, 0.5, 0.7)])
def test_solved_concentration_meets_the_mass_against_scipy(run, k, lower, upper, mass):
    doc = run.json("solve", "lkj", "--dimension", k, "--lower", lower, "--upper", upper, "--mass", mass)
    eta = doc["params"]["concentration"]
    assert doc["params"]["dimension"] == k and eta > 0
    oracle = _marginal(k, eta)
    assert math.isclose(oracle.cdf(upper) - oracle.cdf(lower), mass, rel_tol=1e-10)
    assert math.isclose(doc["achieved"]["mass"], mass, rel_tol=1e-10)
    assert doc["targets"] == {"lower": lower, "upper": upper, "mass": mass}
    assert doc["numpyro"] == f"dist.LKJCholesky(dimension={k}, concentration={eta:.6g})"
    assert doc["stan"] == f"lkj_corr_cholesky({eta:.6g})"
    assert doc["pymc"] == f'pm.LKJCholeskyCov("chol", n={k}, eta={eta:.6g}, sd_dist=pm.Exponential.dist(1.0))'


@pytest.mark.parametrize("p, v", [(0.95, 0.5), (0.1, -0.3), (0.9, 0.05)])
def test_solved_concentration_meets_a_quantile_against_scipy(run, p, v):
    doc = run.json("solve", "lkj", "--dimension", 4, "--quantile", f"{p}={v}")
    eta = doc["params"]["concentration"]
    assert math.isclose(_marginal(4, eta).cdf(v), p, rel_tol=1e-10)
    assert math.isclose(doc["achieved"][f"q{p!r}"], v, rel_tol=1e-8)


def test_the_stan_guides_ninety_percent_within_a_half(run):
    """--quantile 0.95=0.5 and --mass 0.9 on (-0.5, 0.5) are one judgement (the marginal is symmetric)."""
    a = run.json("solve", "lkj", "--dimension", 3, "--lower", -0.5, "--upper", 0.5, "--mass", 0.9)
    b = run.json("solve", "lkj", "--dimension", 3, "--quantile", "0.95=0.5")
    assert math.isclose(a["params"]["concentration"], b["params"]["concentration"], rel_tol=1e-9)
    table = run("solve", "lkj", "--dimension", 3, "--lower", -0.5, "--upper", 0.5, "--mass", 0.9)
    assert table.exit_code == 0
    assert "numpyro: dist.LKJCholesky(dimension=3" in table.stdout and "Stan:    lkj_corr_cholesky(" in table.stdout
    assert "PyMC:    pm.LKJCholeskyCov(" in table.stdout


@pytest.mark.slow
def test_solve_lkj_imports_no_jax():
    _, found = packages_after(["solve", "lkj", "--dimension", "3", "--lower", "-0.5", "--upper", "0.5",
                               "--mass", "0.9"], packages=["jax", "numpyro"])
    assert found == []


@pytest.mark.parametrize("argv, needles, code", [
    (["summarize", "lkj", "--dimension", "1"], ["--dimension", "1"], 2),
    (["summarize", "lkj", "--dimension", "0"], ["--dimension", "0"], 2),
    (["sample", "lkj", "--dimension", "2.5"], ["--dimension", "2.5"], 2),
    (["summarize", "lkj", "--dimension", "3", "--concentration", "0"], ["--concentration", "0"], 2),
    (["sample", "lkjcholesky", "--dimension", "3", "--concentration", "-2"], ["--concentration", "-2"], 2),
    (["summarize", "lkj", "--dimension", "3", "--concentration", "nan"], ["--concentration", "nan"], 2),
    (["summarize", "lkj", "--concentration", "2"], ["--dimension"], 2),
    (["summarize", "lkj", "--dimension", "3", "--scale", "2"], ["--scale"], 2),
    (["summarize", "lkj", "--dimension", "3", "--transform", "exp"], ["--transform"], 2),
    (["solve", "lkj", "--dimension", "1", "--lower", "-0.5", "--upper", "0.5", "--mass", "0.9"], ["--dimension"], 2),
    (["solve", "lkj", "--dimension", "3", "--lower", "-0.5", "--upper", "0.5"], ["--mass"], 2),
    (["solve", "lkj", "--dimension", "3", "--lower", "-1.5", "--upper", "0.5", "--mass", "0.9"], ["--lower", "-1.5"], 2),
    (["solve", "lkj", "--dimension", "3", "--lower", "0.1", "--upper", "0.5", "--mass", "0.5"], ["hold 0"], 2),
    (["solve", "lkj", "--dimension", "3", "--lower", "-0.5", "--upper", "0.5", "--mass", "1.5"], ["--mass", "1.5"], 2),
    (["solve", "lkj", "--dimension", "3", "--quantile", "0.9=-0.2"], ["--quantile", "0.9=-0.2"], 1),
    (["solve", "lkj", "--dimension", "3", "--lower", "-0.1", "--upper", "0.1", "--mass", "0.01"],
     ["--mass 0.01", "at least"], 1),
    (["solve", "lkj", "--dimension", "3", "--concentration", "2", "--lower", "-0.5", "--upper", "0.5",
      "--mass", "0.9"], ["--concentration"], 2),
])
def test_bad_input_is_one_error_line(run, argv, needles, code):
    result = run(*argv)
    assert_usage_error(result, *needles, code=code)
    assert result.stdout == ""


# ---------------------------------------------------------------------------------------------
# the code lines, run by each framework


def _solved_lines(run, k=3):
    return run.json("solve", "lkj", "--dimension", k, "--lower", -0.5, "--upper", 0.5, "--mass", 0.9)


def test_stan_line_compiles_with_stanc(run, tmp_path):
    from emit_support import assert_stanc_accepts

    doc = _solved_lines(run)
    program = f"parameters {{\n  cholesky_factor_corr[3] L;\n}}\nmodel {{\n  L ~ {doc['stan']};\n}}\n"
    assert_stanc_accepts(program, tmp_path)


@pytest.mark.slow
def test_numpyro_and_pymc_lines_draw_the_solved_marginal(run, tmp_path):
    """Each line, run by its framework (as a script, tests/script_runner.py): the drawn r[0,1] meets the mass."""
    import os

    doc = _solved_lines(run)
    eta = doc["params"]["concentration"]
    n = 4000
    scripts = {
        "numpyro": ("import jax, numpy as np, numpyro.distributions as dist\n"
                    f"L = np.asarray({doc['numpyro']}.sample(jax.random.PRNGKey(0), ({n},)))\n"),
        "pymc": ("import numpy as np, pymc as pm\n"
                 "with pm.Model():\n"
                 f"    chol, corr, sds = {doc['pymc']}\n"
                 f"L = np.asarray(pm.draw(corr, draws={n}, random_seed=0))\n"
                 "L = np.linalg.cholesky(L)\n"),
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_", "PRIORCLI_"))}
    for name, body in scripts.items():
        script = body + "R = L @ np.swapaxes(L, -1, -2)\nprint(float(np.mean(np.abs(R[:, 0, 1]) < 0.5)))\n"
        (tmp_path / f"line_{name}.py").write_text(script, encoding="utf-8")
        done = run_python(f"line_{name}.py", cwd=tmp_path, env=env, timeout=900)
        assert done.returncode == 0, done.stderr[-3000:]
        share = float(done.stdout.strip().splitlines()[-1])
        # the line rounds eta to 6 digits: its mass differs from 0.9 by far less than the band
        P = _marginal(3, float(f"{eta:.6g}")).cdf(0.5) - _marginal(3, float(f"{eta:.6g}")).cdf(-0.5)
        assert abs(share - P) < K_SIGMA * math.sqrt(P * (1 - P) / n), (name, share, P)


@functools.cache
def _eta() -> float:
    from conftest import Run

    return float(_solved_lines(Run())["stan"][len("lkj_corr_cholesky("):-1])


# compiled with the session's other Stan programs as one (stan_registry), drawn under fixed_param
LINE = stan_registry.Program(
    "line", lambda: ("generated quantities {\n  matrix[3, 3] L = lkj_corr_cholesky_rng(3, %r);\n"
                     "  real r01 = multiply_lower_tri_self_transpose(L)[1, 2];\n}\n") % _eta(),
    draws=4000, outputs=("r01",))
STAN_PROGRAMS = (LINE,)


@pytest.mark.slow
def test_stan_line_draws_the_solved_marginal_with_pystan(stan_programs):
    eta = _eta()
    n = 4000
    share = float(np.mean(np.abs(stan_programs(LINE)["r01"].ravel()) < 0.5))
    P = _marginal(3, eta).cdf(0.5) - _marginal(3, eta).cdf(-0.5)
    assert abs(share - P) < K_SIGMA * math.sqrt(P * (1 - P) / n), (share, P)
