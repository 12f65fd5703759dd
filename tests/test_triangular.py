"""Triangular(lower, c, upper), the family added as one record file, one registry line and
priorcli's own numpyro class (numpyro lacks it). Oracle: scipy.stats.triang (c = (c - lower) /
(upper - lower), loc = lower, scale = upper - lower); Monte Carlo bounds derived from n."""

from __future__ import annotations

import json
import math
import os

import numpy as np
import pytest
import scipy.stats as st

import stan_registry
from conftest import Run
from emit_support import assert_stanc_accepts, band, emitted, parse_printed_quantiles
from priorcli import records
from script_runner import run_python

RECORD = records.get("Triangular")
CASES = [(0.0, 1.0, 3.0), (-2.0, -2.0, 5.0), (1.0, 4.0, 4.0), (10.0, 10.5, 11.0)]


def oracle(lower, c, upper):
    return st.triang((c - lower) / (upper - lower), loc=lower, scale=upper - lower)


def run(*args):
    return Run()(*map(str, args))


def one_error_line(result, *words):
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr
    for w in words:
        assert w in lines[0], lines[0]


@pytest.mark.parametrize("params", CASES)
def test_record_matches_scipy(params):
    lower, c, upper = params
    ref = oracle(*params)
    p = dict(lower=lower, c=c, upper=upper)
    x = np.linspace(lower - 1.0, upper + 1.0, 41)
    q = np.linspace(0.0, 1.0, 41)
    np.testing.assert_allclose(RECORD.cdf(x, **p), ref.cdf(x), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(RECORD.icdf(q, **p), ref.ppf(q), rtol=1e-12, atol=1e-12)
    inside = (x > lower) & (x < upper)
    np.testing.assert_allclose(RECORD.logpdf(x[inside], **p), ref.logpdf(x[inside]), rtol=1e-12)
    assert np.all(RECORD.logpdf(x[~((x >= lower) & (x <= upper))], **p) == -np.inf)
    assert RECORD.mean(**p) == pytest.approx(ref.mean(), rel=1e-13)
    assert RECORD.sd(**p) == pytest.approx(ref.std(), rel=1e-12)
    assert RECORD.median(**p) == pytest.approx(ref.median(), rel=1e-12, abs=1e-12)
    assert RECORD.entropy(**p) == pytest.approx(ref.entropy(), rel=1e-12, abs=1e-12)
    grid = np.linspace(lower, upper, 100001)
    assert RECORD.mode(**p) == pytest.approx(grid[np.argmax(ref.pdf(grid))], abs=(upper - lower) * 2e-5)


@pytest.mark.parametrize("params", CASES)
def test_numpyro_class_matches_scipy_and_draws_follow_the_cdf(params):
    import jax

    from priorcli.families.registry import numpyro_dist

    numpyro_dist()  # float64, as priorcli runs it
    from priorcli.dists import Triangular

    lower, c, upper = params
    ref, d = oracle(*params), Triangular(lower, c, upper)
    x = np.linspace(lower, upper, 33)[1:-1]
    q = np.linspace(0.0, 1.0, 33)
    np.testing.assert_allclose(np.asarray(d.log_prob(x)), ref.logpdf(x), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(d.cdf(x)), ref.cdf(x), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(np.asarray(d.icdf(q)), ref.ppf(q), rtol=1e-12, atol=1e-12)
    assert float(d.mean) == pytest.approx(ref.mean(), rel=1e-13)
    assert float(d.variance) == pytest.approx(ref.var(), rel=1e-12)
    assert float(d.entropy()) == pytest.approx(ref.entropy(), rel=1e-12, abs=1e-12)
    n = 20000
    draws = np.asarray(d.sample(jax.random.PRNGKey(3), (n,)))
    assert np.all((draws >= lower) & (draws <= upper))
    for p in (0.05, 0.25, 0.5, 0.75, 0.95):
        assert abs(np.mean(draws <= ref.ppf(p)) - p) <= band(p, n)
    # reparameterised: d draw / d lower at fixed noise is dx/dlower of the inverse cdf
    grad = jax.grad(lambda a: Triangular(a, c + 1.0, upper + 2.0).sample(jax.random.PRNGKey(1)))(lower)
    assert math.isfinite(float(grad))


def test_summarize_is_exact():
    result = run("summarize", "triangular", "--lower", 0, "--c", 1, "--upper", 3, "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    ref = oracle(0.0, 1.0, 3.0)
    assert doc["params"] == {"lower": 0.0, "c": 1.0, "upper": 3.0}
    s = doc["summary"]
    assert s["method"] == "exact" and s["mode"] == 1.0
    assert s["mean"] == pytest.approx(ref.mean(), rel=1e-12) and s["sd"] == pytest.approx(ref.std(), rel=1e-12)
    for p, v in s["quantiles"].items():
        assert v == pytest.approx(ref.ppf(float(p)), rel=1e-10)


def test_sample_draws_follow_the_exact_cdf():
    n = 20000
    result = run("sample", "triangular", "--lower", -1, "--c", 2, "--upper", 3, "-n", n, "--format", "raw")
    assert result.exit_code == 0, result.stderr
    draws = np.loadtxt(result.stdout.splitlines())
    assert draws.shape == (n,)
    ref = oracle(-1.0, 2.0, 3.0)
    for p in (0.025, 0.1, 0.5, 0.9, 0.975):
        assert abs(np.mean(draws <= ref.ppf(p)) - p) <= band(p, n)


@pytest.mark.parametrize("args, words", [
    (("--lower", 0, "--c", 4, "--upper", 3), ("--c 4", "--lower 0", "--upper 3")),
    (("--lower", 3, "--c", 3, "--upper", 3), ("--lower 3", "--upper 3")),
    (("--lower", 5, "--c", 4, "--upper", 3), ("--lower 5", "--upper 3")),
    (("--c", 2), ("--c 2",)),
])
def test_bad_parameters_are_one_error_line(args, words):
    one_error_line(run("summarize", "triangular", *args), *words)


def test_model_language_refuses_a_mode_outside_the_ends():
    one_error_line(run("sample", "--model", "x ~ Triangular(0, 4, 3)", "--no-plot"), "4", "Triangular")


def test_solve_three_quantiles_recovers_the_parameters():
    ref = oracle(0.0, 1.0, 3.0)
    args = [f"--quantile={p}={float(ref.ppf(p))!r}" for p in (0.1, 0.5, 0.9)]
    result = run("solve", "triangular", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    got = json.loads(result.stdout)["params"]
    assert got == pytest.approx({"lower": 0.0, "c": 1.0, "upper": 3.0}, abs=1e-9)


def test_solve_infeasible_quantiles_exit_1():
    # (q90 - q50) / (q50 - q10) = 2 is more skew than any Triangular has (at most 1.618, at c = lower)
    result = run("solve", "triangular", "--quantile", "0.1=1", "--quantile", "0.5=2", "--quantile", "0.9=4")
    assert result.exit_code == 1 and result.stderr.startswith("Error: ")


def test_solve_interval_mass_is_maximum_entropy():
    result = run("solve", "triangular", "--lower", 0, "--upper", 3, "--mass", 0.9, "--format", "json")
    assert result.exit_code == 0, result.stderr
    p = json.loads(result.stdout)["params"]
    ref = oracle(p["lower"], p["c"], p["upper"])
    assert ref.cdf(3.0) - ref.cdf(0.0) == pytest.approx(0.9, abs=1e-9)

    # independent oracle: the widest Triangular (entropy grows with the width only) with that mass
    from scipy.optimize import brentq, minimize_scalar

    def width(t):  # c at position t of the interval: the width at which the mass is 0.9
        def gap(w):
            mid = 1.5 + (t - 0.5) * 0.0
            lo = mid - t * w
            return oracle(lo, lo + t * w, lo + w).cdf(3.0) - oracle(lo, lo + t * w, lo + w).cdf(0.0) - 0.9
        return brentq(gap, 3.0 + 1e-9, 100.0)

    best = -minimize_scalar(lambda t: -width(t), bounds=(0.05, 0.95), method="bounded").fun
    assert p["upper"] - p["lower"] == pytest.approx(best, rel=1e-5)


def test_solve_mode_with_an_interval():
    result = run("solve", "triangular", "--mode", 1, "--lower", 0, "--upper", 3, "--mass", 0.9, "--format", "json")
    assert result.exit_code == 0, result.stderr
    p = json.loads(result.stdout)["params"]
    assert p["c"] == 1.0
    ref = oracle(p["lower"], p["c"], p["upper"])
    assert ref.cdf(3.0) - ref.cdf(0.0) == pytest.approx(0.9, abs=1e-9)


def test_family_auto_ranks_triangular_first_for_its_own_quantiles():
    ref = oracle(0.0, 1.0, 3.0)
    args = [f"--quantile={p}={float(ref.ppf(p))!r}" for p in (0.05, 0.5, 0.95)]
    result = run("solve", "--family", "auto", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    ranking = doc["ranking"] if isinstance(doc, dict) else doc
    assert ranking[0]["family"] == "Triangular"


def _loglik(x, p):
    return float(np.sum(oracle(p["lower"], p["c"], p["upper"]).logpdf(x)))


def test_fit_is_at_least_as_good_as_scipys():
    x = oracle(0.0, 1.0, 3.0).rvs(size=1500, random_state=np.random.default_rng(4))

    result = Run()("summarize", "--input", "-", "--fit", "triangular", "--format", "json",
                   input="\n".join(repr(float(v)) for v in x) + "\n")
    assert result.exit_code == 0, result.stderr
    got = json.loads(result.stdout)["fit"]["params"]
    assert got["lower"] < x.min() and got["upper"] > x.max() and got["c"] in set(x.tolist())
    c, loc, scale = st.triang.fit(x)
    theirs = {"lower": loc, "c": loc + c * scale, "upper": loc + scale}
    assert _loglik(x, got) >= _loglik(x, theirs) - 1e-6


@pytest.mark.slow
def test_fit_with_the_ends_held_picks_the_best_mode_exactly():
    x = oracle(0.0, 1.0, 3.0).rvs(size=300, random_state=np.random.default_rng(5))
    result = Run()("summarize", "--input", "-", "--fit", "Triangular(lower=0, upper=3)", "--format", "json",
                   input="\n".join(repr(float(v)) for v in x) + "\n")
    assert result.exit_code == 0, result.stderr
    got = json.loads(result.stdout)["fit"]["params"]
    # every candidate mode at once, by the density written on paper: 2 (x - l) / ((u - l)(c - l))
    # below c, 2 (u - x) / ((u - l)(u - c)) above it (scipy checks the winner below)
    modes = np.concatenate([np.linspace(0.0, 3.0, 30001), x])[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        density = np.where(x < modes, 2.0 * x / (3.0 * modes), 2.0 * (3.0 - x) / (3.0 * (3.0 - modes)))
        logliks = np.sum(np.log(density), axis=1)
    brute = float(modes[int(np.nanargmax(logliks)), 0])
    assert _loglik(x, got) >= _loglik(x, {"lower": 0.0, "c": brute, "upper": 3.0}) - 1e-9


def test_fit_refuses_data_outside_held_ends():
    result = Run()("summarize", "--input", "-", "--fit", "Triangular(lower=0, upper=3)", input="1\n2\n4\n")
    assert result.exit_code != 0 and result.stderr.startswith("Error: ") and "4" in result.stderr


def test_list_and_info():
    listed = run("list")
    assert listed.exit_code == 0 and "Triangular" in listed.stdout and "(lower, upper)" in listed.stdout
    info = run("info", "triangular")
    assert info.exit_code == 0, info.stderr
    for words in ("lower", "c", "upper", "mode = c", "PreliZ"):
        assert words in info.stdout


def test_model_sample_matches_the_exact_cdf():
    n = 20000
    result = run("sample", "--model", "x ~ Triangular(0, 1, 3)", "-n", n, "--format", "raw")
    assert result.exit_code == 0, result.stderr
    draws = np.loadtxt(result.stdout.splitlines())
    ref = oracle(0.0, 1.0, 3.0)
    for p in (0.05, 0.5, 0.95):
        assert abs(np.mean(draws <= ref.ppf(p)) - p) <= band(p, n)


def test_stan_programs_compile(tmp_path):
    for target in ("stan", "stan-prior"):
        code = emitted("m ~ Normal(1, 0.1)\nx ~ Triangular(0, m, 3)", target)
        assert "triangular_lpdf" in code and "functions {" in code
        assert_stanc_accepts(code, tmp_path, target.replace("-", "_"))


def _run_python(code: str, tmp_path, name: str, fresh: bool = False) -> str:
    path = tmp_path / f"{name}.py"
    path.write_text(code, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_", "PRIORCLI_")) and k != "PYTHONPATH"}
    done = run_python(str(path), cwd=tmp_path, env=env, timeout=600, fresh=fresh)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.slow
@pytest.mark.parametrize("target", ["numpyro", "pymc"])
def test_emitted_python_programs_run(target, tmp_path):
    n = 20000
    code = emitted("x ~ Triangular(0, 1, 3)", target, "-n", n, "--quantiles", "0.05,0.5,0.95")
    printed = parse_printed_quantiles(_run_python(code, tmp_path, f"tri_{target}"))["x"]
    ref = oracle(0.0, 1.0, 3.0)
    for p, v in printed.items():
        assert abs(ref.cdf(v) - p) <= band(p, n), (target, p, v)


# compiled with the session's other Stan programs as one (stan_registry), drawn under fixed_param
PRIOR = stan_registry.Program("prior", lambda: emitted("x ~ Triangular(0, 1, 3)", "stan-prior"), draws=4000,
                              outputs=("x",))
STAN_PROGRAMS = (PRIOR,)


@pytest.mark.slow
def test_stan_prior_program_runs(stan_programs):
    draws = stan_programs(PRIOR)["x"].ravel()
    assert draws.shape == (4000,)
    ref = oracle(0.0, 1.0, 3.0)
    for p in (0.05, 0.5, 0.95):
        assert abs(np.mean(draws <= ref.ppf(p)) - p) <= band(p, draws.size)
