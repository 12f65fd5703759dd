"""Issue 22: the programs `solve --model ... --emit pymc|stan-prior` writes, rerun by their frameworks.

The case is the README's logistic-regression intercept and slope (p0 = sigmoid(a), p1 = sigmoid(a + b);
p0's 5% and 95% quantiles at 0.05 and 0.5, p1's 95% quantile at 0.8). `solve --format json` gives the
free values and the Monte Carlo error of its own check; the same command with `--emit` writes the
program, which is run as it is (PyMC as a script, only its tuple of printed levels widened; Stan under
PyStan's fixed_param algorithm).

Tolerances: a program's n draws put its empirical cdf at a target value V within sqrt(P (1 - P) / n) of
the true F(V); the solved values carry the solve's own error, F(V) - P, whose standard error is the
check's probability_se times sqrt(11) (README: "miss_se"). So |F_n(V) - P| <= K sqrt(P (1 - P) / n +
11 probability_se^2) + 1/n with K = 5. Independently of the solve, the draws are judged against the
closed forms at the solved values: p0 is sigmoid of Normal(mu_a, sigma_a), p1 sigmoid of
Normal(mu_a, sqrt(sigma_a^2 + sigma_b^2)) (emit_support's band, 4.5 standard errors)."""

from __future__ import annotations

import functools
import json
import math
import re

import numpy as np
import pytest
import scipy.special as sp
import scipy.stats as st

from conftest import Run
import stan_registry
from emit_support import band, parse_printed_quantiles
from test_emit_run import _run_script

pytestmark = pytest.mark.slow

K = 5.0
N_SOLVE = 4000
MODEL = "a ~ Normal(mu_a, sigma_a); b ~ Normal(0, sigma_b); p0 = sigmoid(a); p1 = sigmoid(a + b)"
TARGETS = (("p0", 0.05, 0.05), ("p0", 0.95, 0.5), ("p1", 0.95, 0.8))  # (variable, P, V)
ARGS = ("--model", MODEL, *(a for var, p, v in TARGETS for a in ("--quantile", f"{var}:{p}={v}")),
        "-n", N_SOLVE)


@pytest.fixture(scope="module")
def solved():
    result = Run()("solve", *ARGS, "--format", "json")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


@functools.cache
def emitted(target: str) -> str:
    result = Run()("solve", *ARGS, "--emit", target)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def tolerance(doc: dict, var: str, p: float, n: int) -> float:
    """How far the program's F_n(V) may be from P: its own n draws and the solve's error."""
    se = doc["achieved"][var][f"q{p}"]["probability_se"]
    assert se > 0
    return K * math.sqrt(p * (1 - p) / n + 11 * se ** 2) + 1 / n


def exact_cdf(doc: dict, var: str):
    f = doc["free"]
    scale = f["sigma_a"] if var == "p0" else math.hypot(f["sigma_a"], f["sigma_b"])
    return lambda v: st.norm.cdf((sp.logit(v) - f["mu_a"]) / scale)


def test_emitted_pymc_program_prints_quantiles_that_meet_the_targets(solved, tmp_path):
    code = emitted("pymc")
    for name, value in solved["free"].items():  # the solved numbers are in the program, not the names
        assert repr(value) in code, name
    code_lines = [ln for ln in code.splitlines() if not ln.lstrip().startswith("#")]
    assert not any(name in ln for ln in code_lines for name in solved["free"])
    n = int(re.search(r"^\s*DRAWS = (\d+)$", code, re.M).group(1))
    assert n == N_SOLVE
    # F_n(V) within P +- tol is, for continuous draws, V between the printed quantiles at P -+ tol
    ends = {(var, p): (round(p - tolerance(solved, var, p, n), 6), round(p + tolerance(solved, var, p, n), 6))
            for var, p, _ in TARGETS}
    levels = sorted({p for _, p, _ in TARGETS} | {x for pair in ends.values() for x in pair})
    widened, count = re.subn(r"^(\s*)QUANTILES = \(.*\)$", lambda m: f"{m.group(1)}QUANTILES = {tuple(levels)!r}",
                             code, flags=re.M)
    assert count == 1, code
    printed = parse_printed_quantiles(_run_script(widened, tmp_path, "solved_pymc"))
    assert set(printed) == {"a", "b", "p0", "p1"}
    for var, p, v in TARGETS:
        lo, hi = (printed[var][x] for x in ends[var, p])
        assert lo <= v <= hi, (var, p, v, lo, hi)
        # the printed quantile at P is a quantile of the solved prior (closed form, no solve involved)
        q = printed[var][p]
        assert abs(exact_cdf(solved, var)(q) - p) <= band(p, n) + 1e-5, (var, p, q)


# compiled with the session's other Stan programs as one (stan_registry), drawn under fixed_param
PRIOR = stan_registry.Program("prior", lambda: emitted("stan-prior"), draws=N_SOLVE, outputs=("a", "b", "p0", "p1"))
STAN_PROGRAMS = (PRIOR,)


def test_emitted_stan_prior_program_draws_meet_the_targets_under_fixed_param(solved, stan_programs):
    code = emitted("stan-prior")
    assert "generated quantities" in code and "model {" not in code
    for name, value in solved["free"].items():
        assert repr(value) in code, name
    n = N_SOLVE
    fit = {name: v.ravel() for name, v in stan_programs(PRIOR).items()}
    draws = {name: np.asarray(fit[name], dtype=np.float64) for name in ("a", "b", "p0", "p1")}
    assert all(d.shape == (n,) for d in draws.values())
    np.testing.assert_allclose(draws["p1"], sp.expit(draws["a"] + draws["b"]), rtol=1e-12)
    for var, p, v in TARGETS:
        f_n = float(np.mean(draws[var] <= v))
        assert abs(f_n - p) <= tolerance(solved, var, p, n), (var, p, v, f_n)
        exact = float(exact_cdf(solved, var)(v))
        assert abs(f_n - exact) <= band(exact, n), (var, v, f_n, exact)
    # the intercept's own scale, as drawn: sd of a is sigma_a within 5 standard errors of an sd
    sigma_a = solved["free"]["sigma_a"]
    assert abs(np.std(draws["a"]) / sigma_a - 1) < K / math.sqrt(2 * n)
