"""Keelin's metalog (issue 21, item 7): exact through k >= 2 quantiles, unbounded, semi-bounded and
bounded, with the feasibility check, exact functions, draws, the ranking's side row and programs.

Oracles, written here and never through priorcli's maths: Keelin's basis in numpy straight from
the paper's definition (terms in y itself, L = ln(y / (1 - y))), the defining equations
Q(p_i) = x_i, scipy's quad over y in (0, 1) for the mean and sd, quad of the density for its mass,
a finite difference of the test's own quantile function for the density, and Keelin's (2016,
2016) published feasibility bound of the 3-term metalog: a2 > 0 and
|a3| / a2 < 1.66711. Monte Carlo bands: a p-quantile q of n draws has
|F(q) - p| <= K sqrt(p (1 - p) / n) + 1/n (K = 4.5); a mean within K sd / sqrt(n).
"""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from scipy import integrate

import stan_registry
from conftest import Run, assert_usage_error, packages_after
from priorcli.records import metalog as ml
from script_runner import run_python

K_SIGMA = 4.5
PROBS = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
INF = math.inf


# ---------------------------------------------------------------------------------------------
# the independent oracle: Keelin's basis on y, and the metalog's quantile function from it


def keelin_basis(y: np.ndarray, k: int) -> np.ndarray:
    y = np.asarray(y, dtype=float)
    L = np.log(y / (1 - y))
    c = y - 0.5
    columns = [np.ones_like(y), L, c * L, c]
    for j in range(5, k + 1):
        columns.append(c ** ((j - 1) // 2) if j % 2 == 1 else c ** (j // 2 - 1) * L)
    return np.stack(columns[:k], axis=-1)


def oracle_quantile(a, lower, upper, y):
    M = keelin_basis(np.atleast_1d(y), len(a)) @ np.asarray(a)
    if lower == -INF and upper == INF:
        return M
    if upper == INF:
        return lower + np.exp(M)
    if lower == -INF:
        return upper - np.exp(-M)
    return (lower + upper * np.exp(M)) / (1 + np.exp(M))


def to_scale(x, lower, upper):
    x = np.asarray(x, dtype=float)
    if lower == -INF and upper == INF:
        return x
    if upper == INF:
        return np.log(x - lower)
    if lower == -INF:
        return -np.log(upper - x)
    return np.log((x - lower) / (upper - x))


# (quantiles, lower, upper): k = 2..6, each kind
CASES = [
    ([(0.1, 1.0), (0.9, 10.0)], -INF, INF),
    ([(0.1, 1.0), (0.5, 3.0), (0.9, 10.0)], -INF, INF),
    ([(0.1, 1.0), (0.5, 3.0), (0.9, 10.0)], 0.0, INF),
    ([(0.1, 1.0), (0.5, 3.0), (0.9, 10.0)], 0.0, 20.0),
    ([(0.1, 1.0), (0.5, 3.0), (0.9, 10.0)], -INF, 20.0),
    ([(0.05, -2.0), (0.25, 0.5), (0.75, 2.0), (0.95, 6.0)], -INF, INF),
    ([(0.05, 0.5), (0.25, 1.0), (0.75, 2.0), (0.95, 6.0)], 0.0, INF),
    ([(0.05, 0.1), (0.25, 0.3), (0.5, 0.45), (0.75, 0.6), (0.95, 0.8)], 0.0, 1.0),
    ([(0.05, 10.0), (0.25, 14.0), (0.5, 15.0), (0.75, 17.0), (0.95, 25.0)], -INF, INF),
    ([(0.02, 1.0), (0.1, 2.0), (0.3, 3.0), (0.6, 4.5), (0.85, 6.5), (0.97, 10.0)], -INF, INF),
    ([(0.02, 1.0), (0.1, 2.0), (0.3, 3.0), (0.6, 4.5), (0.85, 6.5), (0.97, 10.0)], 0.0, 15.0),
]
IDS = [f"k{len(q)}-{'u' if lo == -INF and hi == INF else 'l' if hi == INF else 'h' if lo == -INF else 'b'}{i}"
       for i, (q, lo, hi) in enumerate(CASES)]


def _args(quantiles, lower, upper):
    out = []
    for p, v in quantiles:
        out += ["--quantile", f"{p!r}={v!r}"]
    out += ["--lower", lower] if lower != -INF else []
    out += ["--upper", upper] if upper != INF else []
    return out


@pytest.fixture(scope="module", params=range(len(CASES)), ids=IDS)
def case(request):
    quantiles, lower, upper = CASES[request.param]
    return quantiles, lower, upper, ml.fit(quantiles, lower, upper)


# ---------------------------------------------------------------------------------------------
# the defining equations


def test_the_coefficients_solve_keelins_equations(case):
    quantiles, lower, upper, m = case
    p = np.array([q for q, _ in quantiles])
    x = np.array([v for _, v in quantiles])
    assert m.k == len(quantiles)
    np.testing.assert_allclose(keelin_basis(p, m.k) @ np.array(m.a), to_scale(x, lower, upper), rtol=1e-11,
                               atol=1e-11)
    np.testing.assert_allclose(oracle_quantile(m.a, lower, upper, p), x, rtol=1e-11)
    np.testing.assert_allclose(m.quantile(p), x, rtol=1e-12)


def test_the_quantile_function_is_the_oracles_everywhere(case):
    _, lower, upper, m = case
    y = np.concatenate([np.geomspace(1e-9, 0.5, 60), 1 - np.geomspace(1e-9, 0.5, 60)])
    np.testing.assert_allclose(m.quantile(y), oracle_quantile(m.a, lower, upper, y), rtol=1e-10, atol=1e-12)


def test_cdf_inverts_the_quantile_function(case):
    _, _, _, m = case
    p = np.concatenate([np.geomspace(1e-8, 0.5, 25), 1 - np.geomspace(1e-8, 0.5, 25)])
    x = m.quantile(p)
    F = m.cdf(x)
    np.testing.assert_allclose(F, p, rtol=1e-8)
    np.testing.assert_allclose(1 - F, 1 - p, rtol=1e-7)


def test_density_is_one_over_the_oracles_slope(case):
    _, lower, upper, m = case
    for p in (0.03, 0.2, 0.5, 0.8, 0.97):
        h = 1e-6 * min(p, 1 - p)
        slope = (oracle_quantile(m.a, lower, upper, p + h) - oracle_quantile(m.a, lower, upper, p - h))[0] / (2 * h)
        assert m.density(m.quantile(p)) == pytest.approx(1 / slope, rel=1e-6)


def test_density_integrates_to_one(case):
    _, lower, upper, m = case
    median = float(m.quantile(0.5))
    mass = sum(integrate.quad(lambda x: float(m.density(x)), lo, hi, limit=200, epsabs=1e-12)[0]
               for lo, hi in ((lower, median), (median, upper)))
    assert mass == pytest.approx(1.0, abs=1e-7)


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")  # the oracle's heavy tails
def test_mean_and_sd_against_quadrature_of_the_oracle(case):
    _, lower, upper, m = case
    Q = lambda y: float(oracle_quantile(m.a, lower, upper, y)[0])  # noqa: E731
    kw = dict(limit=400, epsabs=0.0, epsrel=1e-11)
    mean = integrate.quad(Q, 0, 0.5, **kw)[0] + integrate.quad(Q, 0.5, 1, **kw)[0]
    if m.mean() is None:  # a heavy power-law tail (lower-bounded: index 1 / h(1) <= 1)
        assert m.kind == "semi-bounded"
        return
    assert m.mean() == pytest.approx(mean, rel=1e-7, abs=1e-9)
    if m.sd() is None:
        assert m.tail_exponents()[1 if upper == INF else 0] >= 0.5
        return
    var = sum(integrate.quad(lambda y: (Q(y) - mean) ** 2, lo, hi, **kw)[0] for lo, hi in ((0, 0.5), (0.5, 1)))
    assert m.sd() == pytest.approx(math.sqrt(var), rel=1e-6)


def test_closed_form_mean_of_a_short_unbounded_metalog():
    for a in [(1.0, 2.0), (3.0, 2.0, 0.5), (3.0, 2.0, -1.5, 4.0)]:
        m = ml.Metalog(a)
        Q = lambda y: float(oracle_quantile(a, -INF, INF, y)[0])  # noqa: E731
        quad = integrate.quad(Q, 0, 0.5, limit=200)[0] + integrate.quad(Q, 0.5, 1, limit=200)[0]
        assert m.mean() == pytest.approx(quad, rel=1e-9)
        assert m.mean() == a[0] + (a[2] / 2 if len(a) >= 3 else 0.0)


def test_mode_is_the_densitys_maximum(case):
    """The oracle's density 1 / Q'(y) on a fine probability grid (finite differences of its own Q)."""
    _, lower, upper, m = case
    y = 1 / (1 + np.exp(-np.linspace(-12, 12, 200_001)))
    x = oracle_quantile(m.a, lower, upper, y)
    density = np.gradient(y, x)
    i = int(np.argmax(density))
    mode = m.mode()
    if i in (0, len(y) - 1):  # rising to a bound
        assert mode == (lower if i == 0 else upper)
        return
    assert lower < mode < upper
    assert x[i - 1] - 1e-9 <= mode <= x[i + 1] + 1e-9, (mode, x[i - 1], x[i + 1])


# ---------------------------------------------------------------------------------------------
# feasibility


@pytest.mark.parametrize("ratio, feasible", [(0.0, True), (1.0, True), (1.66, True), (1.667, True),
                                             (-1.667, True), (1.6675, False), (-1.6675, False), (2.5, False)])
def test_keelins_three_term_bound(ratio, feasible):
    """Keelin 2016: the 3-term metalog is feasible iff a2 > 0 and |a3| / a2 < 1.66711."""
    for a2 in (0.3, 2.0):
        assert ml.is_feasible(ml.Metalog((1.0, a2, ratio * a2))) is feasible


def test_negative_scale_is_infeasible():
    assert not ml.is_feasible(ml.Metalog((0.0, -1.0)))
    assert ml.is_feasible(ml.Metalog((0.0, 1.0)))


def test_feasible_cases_have_a_positive_slope_on_a_fine_grid(case):
    _, lower, upper, m = case
    y = np.linspace(1e-6, 1 - 1e-6, 200_001)
    assert np.all(np.diff(oracle_quantile(m.a, lower, upper, y)) > 0)


INFEASIBLE = [
    ([(0.1, 1.0), (0.5, 1.1), (0.9, 10.0)], -INF, INF, ["0.1=1", "0.5=1.1", "0.9=10", "below --quantile 0.1=1"]),
    ([(0.1, 1.0), (0.25, 2.0), (0.5, 2.05), (0.75, 4.0), (0.9, 10.0)], -INF, INF,
     ["between --quantile 0.25=2 and --quantile 0.5=2.05"]),
    ([(0.05, 1.0), (0.1, 1.5), (0.5, 1.6), (0.9, 3.0), (0.95, 3.1)], -INF, INF,
     ["above --quantile 0.95=3.1", "without --quantile 0.5=1.6"]),
    ([(0.1, 1.0), (0.5, 1.1), (0.9, 10.0)], 0.5, 10.5, ["bounded metalog", "0.5=1.1"]),
]


@pytest.mark.parametrize("quantiles, lower, upper, needles", INFEASIBLE)
def test_infeasible_quantiles_are_exit_1_naming_them(run, quantiles, lower, upper, needles):
    for command in ("solve", "summarize", "sample"):
        result = run(command, "metalog", *_args(quantiles, lower, upper))
        assert_usage_error(result, "metalog", *needles, code=1)
        assert result.stdout == ""


def test_the_infeasible_ones_are_really_infeasible():
    for quantiles, lower, upper, _ in INFEASIBLE:
        a = np.linalg.solve(keelin_basis(np.array([p for p, _ in quantiles]), len(quantiles)),
                            to_scale([v for _, v in quantiles], lower, upper))
        y = np.linspace(1e-7, 1 - 1e-7, 400_001)
        assert np.any(np.diff(keelin_basis(y, len(a)) @ a) < 0)


@pytest.mark.parametrize("argv, needles, code", [
    (["solve", "metalog", "--quantile", "0.5=1"], ["at least 2 quantiles"], 2),
    (["solve", "metalog"], ["--quantile"], 2),
    (["solve", "metalog", "--quantile", "0.5=1", "--quantile", "0.5=2"], ["--quantile 0.5", "twice"], 2),
    (["solve", "metalog", "--quantile", "0.5=1", "--median", "2"], ["--quantile 0.5", "twice"], 2),
    (["solve", "metalog", "--quantile", "0.1=3", "--quantile", "0.9=2"], ["0.1=3", "0.9=2", "increase"], 1),
    (["solve", "metalog", "--quantile", "0.1=1", "--quantile", "0.9=2", "--lower", "1"], ["0.1=1", "support"], 2),
    (["solve", "metalog", "--quantile", "0.1=1", "--quantile", "0.9=2", "--lower", "3", "--upper", "2"],
     ["--lower 3", "--upper 2"], 2),
    (["solve", "metalog", "--quantile", "1.5=1", "--quantile", "0.9=2"], ["--quantile", "1.5"], 2),
    (["solve", "metalog", "--quantile", "0.1=x", "--quantile", "0.9=2"], ["--quantile 0.1", "x"], 2),
    (["solve", "metalog", "--quantile", "0.1=1@2", "--quantile", "0.9=2"], ["--quantile", "weight"], 2),
    (["solve", "metalog", "--quantile", "0.1=1", "--quantile", "0.9=2", "--scale", "2"], ["--scale"], 2),
    (["solve", "metalog", "--quantile", "0.1=1", "--quantile", "0.9=2", "--terms", "3"], ["--terms 3"], 2),
    (["solve", "metalog", "--quantile", "0.1=1", "--quantile", "0.9=2", "--terms", "1.5"], ["--terms"], 2),
    (["solve", "metalog", "--a", "1,2"], ["--a"], 2),
    (["summarize", "metalog", "--a", "1"], ["--a", "at least 2"], 2),
    (["summarize", "metalog", "--a", "1,-2"], ["--a 1,-2", "decreases"], 1),
    (["summarize", "metalog", "--a", "1,2", "--quantile", "0.5=1"], ["--a"], 2),
    (["summarize", "metalog", "--a", "1,2", "--transform", "exp"], ["--transform"], 2),
])
def test_bad_input_is_one_error_line(run, argv, needles, code):
    result = run(*argv)
    assert_usage_error(result, *needles, code=code)
    assert result.stdout == ""


# ---------------------------------------------------------------------------------------------
# the commands


def test_solve_prints_the_coefficients_and_achieved_quantiles(run):
    table = run("solve", "metalog", "--quantile", "0.1=1", "--quantile", "0.5=3", "--quantile", "0.9=10")
    assert table.exit_code == 0, table.stderr
    assert "exact through all 3 quantiles" in table.stdout
    for row in ("a1", "a2", "a3", "q0.1", "q0.5", "q0.9"):
        assert row in table.stdout
    assert "numpyro: numpyro.deterministic(\"x\", metalog_quantile(" in table.stdout
    assert "Stan:    metalog_quantile(u, [" in table.stdout
    assert 'PyMC:    pm.Deterministic("x", metalog_quantile(pm.Uniform("u", 0, 1)' in table.stdout


def test_solve_json_is_the_solve_document(run, case):
    quantiles, lower, upper, m = case
    doc = run.json("solve", "metalog", *_args(quantiles, lower, upper))
    assert doc["family"] == "Metalog" and doc["method"] == "linear-system" and doc["loss"] is None
    assert doc["params"]["a"] == list(m.a)
    assert doc["params"]["lower"] == (None if lower == -INF else lower)
    assert doc["params"]["upper"] == (None if upper == INF else upper)
    assert doc["kind"] == m.kind and doc["terms"] == len(quantiles)
    assert set(doc["targets"]) == set(doc["achieved"]) == {f"q{p!r}" for p, _ in quantiles}
    for key, value in doc["targets"].items():
        assert doc["achieved"][key] == pytest.approx(value, rel=1e-12)
    assert {"numpyro", "stan", "pymc", "notes"} <= set(doc)


def test_fewer_terms_by_least_squares(run):
    quantiles = [(0.05, 1.0), (0.25, 2.0), (0.5, 3.0), (0.75, 4.5), (0.95, 9.0)]
    doc = run.json("solve", "metalog", *_args(quantiles, -INF, INF), "--terms", 3)
    assert doc["method"] == "least-squares" and doc["terms"] == 3 and doc["loss"] > 0
    p = np.array([q for q, _ in quantiles])
    x = np.array([v for _, v in quantiles])
    Y = keelin_basis(p, 3)
    np.testing.assert_allclose(doc["params"]["a"], np.linalg.lstsq(Y, x, rcond=None)[0], rtol=1e-10)
    assert set(doc["residuals"]) == set(doc["targets"])


def test_summarize_gives_the_exact_summary(run, case):
    quantiles, lower, upper, m = case
    probs = "0.01,0.25,0.5,0.9"
    doc = run.json("summarize", "metalog", *_args(quantiles, lower, upper), "--quantiles", probs)
    summary = doc["summary"]
    assert summary["method"] == "exact" and summary["n"] is None
    for p in (0.01, 0.25, 0.5, 0.9):
        assert summary["quantiles"][repr(p)] == pytest.approx(oracle_quantile(m.a, lower, upper, p)[0], rel=1e-10)
    assert summary["median"] == pytest.approx(oracle_quantile(m.a, lower, upper, 0.5)[0], rel=1e-12)
    assert summary["mean"] == (None if m.mean() is None else pytest.approx(m.mean(), rel=1e-12))
    assert doc["support"] == [None if lower == -INF else lower, None if upper == INF else upper]


def test_summarize_from_the_coefficients_equals_from_the_quantiles(run):
    quantiles = [(0.1, 1.0), (0.5, 3.0), (0.9, 10.0)]
    m = ml.fit(quantiles, 0.0, INF)
    a = ",".join(repr(v) for v in m.a)
    by_q = run.json("summarize", "metalog", *_args(quantiles, 0.0, INF))
    by_a = run.json("summarize", "metalog", "--coefficients", a, "--lower", 0)
    assert by_a["params"] == by_q["params"]
    assert by_a["summary"]["quantiles"] == pytest.approx(by_q["summary"]["quantiles"], rel=1e-12)


@pytest.mark.slow
def test_solve_and_summarize_import_no_jax():
    argv = ["metalog", "--quantile", "0.1=1", "--quantile", "0.5=3", "--quantile", "0.9=10"]
    _, found = packages_after(["solve", *argv], ["summarize", *argv], packages=["jax", "numpyro"])
    assert found == []


@pytest.mark.slow
@pytest.mark.parametrize("index", [1, 3, 4, 7, 9])
def test_draws_have_the_exact_distribution(run, index):
    quantiles, lower, upper = CASES[index]
    m = ml.fit(quantiles, lower, upper)
    n = 40_000
    result = run("sample", "metalog", *_args(quantiles, lower, upper), "-n", n, "--seed", 3, "--format", "raw")
    assert result.exit_code == 0, result.stderr
    draws = np.loadtxt(io.StringIO(result.stdout))
    assert draws.shape == (n,)
    assert np.all((draws > lower) & (draws < upper))
    for p in PROBS:
        q = np.quantile(draws, p)
        assert abs(m.cdf(q) - p) <= K_SIGMA * math.sqrt(p * (1 - p) / n) + 1 / n, (p, q)
    if m.sd() is not None:
        assert abs(draws.mean() - m.mean()) <= K_SIGMA * m.sd() / math.sqrt(n)
    again = run("sample", "metalog", *_args(quantiles, lower, upper), "-n", n, "--seed", 3, "--format", "raw")
    assert again.stdout == result.stdout


@pytest.mark.slow
def test_sample_json_and_table(run):
    argv = ["sample", "metalog", "--quantile", "0.1=1", "--quantile", "0.5=3", "--quantile", "0.9=10", "-n", 2000]
    doc = run.json(*argv)
    assert doc["family"] == "Metalog" and doc["draws"] == 2000 and doc["seed"] == 0
    assert doc["mc"]["method"] == "monte-carlo" and doc["exact"]["method"] == "exact"
    assert doc["exact"]["quantiles"]["0.5"] == pytest.approx(3.0, rel=1e-12)
    table = run(*argv)
    assert table.exit_code == 0 and "Monte Carlo" in table.stdout and "exact density" in table.stdout


@pytest.mark.slow
def test_the_numpyro_class_agrees_with_the_exact_functions(case):
    from priorcli.families.registry import numpyro_dist

    numpyro_dist()
    from priorcli.dists.metalog import Metalog

    _, lower, upper, m = case
    d = Metalog(np.array(m.a), lower, upper)
    x = m.quantile(np.array([0.01, 0.2, 0.5, 0.8, 0.99]))
    np.testing.assert_allclose(np.asarray(d.icdf(np.array([0.01, 0.2, 0.5, 0.8, 0.99]))), x, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(d.cdf(x)), [0.01, 0.2, 0.5, 0.8, 0.99], rtol=1e-10)
    np.testing.assert_allclose(np.asarray(d.log_prob(x)), m.log_density(x), rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# beside the ranking


def test_solve_family_auto_shows_the_metalog_beside_the_ranking(run):
    argv = ["solve", "--family", "normal,gumbel,lognormal", "--quantile", "0.1=1", "--quantile", "0.5=3",
            "--quantile", "0.9=10"]
    table = run(*argv)
    assert table.exit_code == 0, table.stderr
    assert "Metalog" in table.stdout and "exact through all 3" in table.stdout
    assert "priorcli solve metalog --quantile 0.1=1 --quantile 0.5=3 --quantile 0.9=10 --lower 0" in \
        table.stdout.replace("\n", " ").replace("  ", " ")
    doc = run.json(*argv)
    beside = doc["metalog"]
    m = ml.fit([(0.1, 1.0), (0.5, 3.0), (0.9, 10.0)], 0.0, INF)  # every value positive: bounded at 0
    assert beside["params"]["a"] == pytest.approx(list(m.a), rel=1e-12) and beside["params"]["lower"] == 0.0
    assert [r["family"] for r in doc["ranking"]] and "Metalog" not in [r["family"] for r in doc["ranking"]]
    real = run.json(*argv, "--support", "real")["metalog"]
    assert real["params"]["lower"] is None and real["kind"] == "unbounded"


def test_ranking_says_why_there_is_no_metalog(run):
    doc = run.json("solve", "--family", "normal,gumbel", "--quantile", "0.1=-1", "--quantile", "0.5=3",
                   "--quantile", "0.9=3.5")
    assert doc["metalog"]["family"] == "Metalog" and "decrease" in doc["metalog"]["reason"]
    assert run.json("solve", "--family", "normal", "--mean", "1", "--sd", "2")["metalog"] is None


# ---------------------------------------------------------------------------------------------
# the programs


def _program(run, target, quantiles, lower, upper):
    result = run("solve", "metalog", *_args(quantiles, lower, upper), "--emit", target)
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("index", [1, 3, 4, 9])
def test_stan_programs_compile(run, tmp_path, index):
    from emit_support import assert_stanc_accepts

    quantiles, lower, upper = CASES[index]
    for target in ("stan", "stan-prior"):
        assert_stanc_accepts(_program(run, target, quantiles, lower, upper), tmp_path, f"metalog_{target}")


def _run_python(code: str, tmp_path, name: str, fresh: bool = False) -> str:
    import os

    (tmp_path / f"{name}.py").write_text(code, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_", "PRIORCLI_"))}
    done = run_python(f"{name}.py", cwd=tmp_path, env=env, timeout=1800, fresh=fresh)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _check_draws_quantiles(m, printed: dict, n: int):
    for p, q in printed.items():
        assert abs(m.cdf(q) - p) <= K_SIGMA * math.sqrt(p * (1 - p) / n) + 1 / n, (p, q)


@pytest.mark.slow
@pytest.mark.parametrize("target", ["numpyro", "pymc"])
@pytest.mark.parametrize("index", [3, 9])
def test_python_programs_run_and_draw_the_metalog(run, tmp_path, target, index):
    from emit_support import parse_printed_quantiles

    quantiles, lower, upper = CASES[index]
    m = ml.fit(quantiles, lower, upper)
    printed = parse_printed_quantiles(_run_python(_program(run, target, quantiles, lower, upper), tmp_path, f"prior_{target}"))
    assert list(printed) == ["x"]
    _check_draws_quantiles(m, printed["x"], 10_000)


N_STAN = 4000
STAN_CASE = 4  # bounded above: the exp extension and an infinite lower bound


def _stan_program(target):
    return _program(Run(), target, *CASES[STAN_CASE])


# compiled with the session's other Stan programs as one (stan_registry): the stan-prior program
# drawn by fixed_param, the stan program sampled by NUTS
PRIOR = stan_registry.Program("prior", lambda: _stan_program("stan-prior"), draws=N_STAN, outputs=("x",))
POSTERIOR = stan_registry.Program("stan", lambda: _stan_program("stan"), nuts=N_STAN, seed=3, outputs=("x",))
STAN_PROGRAMS = (PRIOR, POSTERIOR)


@pytest.mark.slow
def test_stan_programs_run_with_pystan_and_draw_the_metalog(stan_programs):
    pytest.importorskip("stan", reason="PyStan is in the test extra")
    quantiles, lower, upper = CASES[STAN_CASE]
    m = ml.fit(quantiles, lower, upper)
    n = N_STAN
    drawn = {"stan-prior": stan_programs(PRIOR)["x"].ravel(), "stan": stan_programs(POSTERIOR)["x"].ravel()}
    for target in ("stan-prior", "stan"):
        x = drawn[target]
        assert x.shape == (n,)
        # NUTS draws are correlated: the band is widened for the stan program (u is uniform, so its
        # effective sample size is close to n; a factor 2 covers it)
        widen = 1.0 if target == "stan-prior" else 2.0
        for p in PROBS[1:-1]:
            q = np.quantile(x, p)
            assert abs(m.cdf(q) - p) <= widen * (K_SIGMA * math.sqrt(p * (1 - p) / n) + 1 / n), (target, p, q)
