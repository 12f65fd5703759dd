"""solve's code for the other frameworks: the numpyro, Stan and PyMC lines beside the answer (read
from the framework table the model emitters use) and ``solve ... --emit TARGET``, the solved
distribution as one program. Stan programs go through stanc; the Python programs are run (slow) and
their printed quantiles checked against scipy within Monte Carlo error."""

from __future__ import annotations

import os

import numpy as np
import pytest
from scipy import stats

from conftest import assert_usage_error
from emit_support import assert_stanc_accepts, band, parse_printed_quantiles
from priorcli.emit.lines import pymc_line, stan_line
from priorcli.solving import format_number
from script_runner import run_python

# (command-line targets, scipy oracle of the solved parameters)
CASES = {
    "lognormal": (["--mode", "1", "--sigma", "0.5"], lambda p: stats.lognorm(p["scale"], scale=np.exp(p["loc"]))),
    "gamma": (["--mean", "2", "--sd", "1"], lambda p: stats.gamma(p["concentration"], scale=1 / p["rate"])),
    "beta": (["--mean", "0.3", "--count", "10"],
             lambda p: stats.beta(p["concentration1"], p["concentration0"])),
    "halfnormal": (["--quantile", "0.9=3"], lambda p: stats.halfnorm(scale=p["scale"])),
    "studentt": (["--df", "4", "--quantile", "0.05=-1", "--quantile", "0.95=3"],
                 lambda p: stats.t(p["df"], p["loc"], p["scale"])),
    "inversegamma": (["--mean", "2", "--sd", "0.5"],
                     lambda p: stats.invgamma(p["concentration"], scale=p["rate"])),
}


@pytest.mark.parametrize("family", sorted(CASES))
def test_json_has_the_numpyro_stan_and_pymc_lines_of_the_framework_table(run, family):
    doc = run.json("solve", family, *CASES[family][0])
    params = doc["params"]
    assert doc["stan"] == stan_line(doc["family"], params, format_number)[0]
    assert doc["pymc"] == pymc_line(doc["family"], params, format_number)
    assert doc["numpyro"].startswith(f"dist.{doc['family']}(")


def test_the_table_shows_the_three_lines(run):
    result = run("solve", "--mode", "1", "--sigma", "0.5")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "numpyro: dist.LogNormal(loc=0.25, scale=0.5)" in lines
    assert "Stan:    lognormal(0.25, 0.5)" in lines
    assert 'PyMC:    pm.LogNormal("x", mu=0.25, sigma=0.5)' in lines


def test_a_family_without_a_counterpart_has_no_line(run):
    doc = run.json("solve", "levy", "--median", "2", "--quantile", "0.9=10")
    assert doc["stan"] is None and doc["pymc"] is None


@pytest.mark.parametrize("family", sorted(CASES))
@pytest.mark.slow
def test_pymc_line_has_the_scipy_density(run, family):
    pm = pytest.importorskip("pymc", reason="PyMC is in the test extra")
    targets, oracle = CASES[family]
    doc = run.json("solve", family, *targets)
    exact = {k: float(v) for k, v in doc["params"].items()}
    line = pymc_line(doc["family"], exact, repr)  # full precision: the check is on the mapping
    with pm.Model():
        rv = eval(line, {"pm": pm})  # noqa: S307 - the line under test
    frozen = oracle(exact)
    # PyMC's normalising constants (log-gamma, log-beta) differ from scipy's by up to ~1e-6; a wrong
    # parameter mapping moves the log density by far more
    for x in frozen.ppf([0.1, 0.5, 0.9]):
        np.testing.assert_allclose(float(pm.logp(rv, x).eval()), frozen.logpdf(x), rtol=0, atol=1e-5, err_msg=family)


@pytest.mark.slow
@pytest.mark.parametrize("target", ["stan", "stan-prior"])
def test_emitted_stan_programs_compile(run, tmp_path, target):
    for family, (targets, _) in CASES.items():
        result = run("solve", family, *targets, "--emit", target)
        assert result.exit_code == 0, result.stderr
        code = result.stdout
        assert code.startswith("//") and "x" in code
        assert_stanc_accepts(code, tmp_path, f"{family}_{target.replace('-', '_')}")


def test_emitted_stan_uses_the_solved_parameters(run):
    code = run("solve", "gamma", "--mean", "2", "--sd", "1", "--emit", "stan").stdout
    assert "real<lower=0> x;" in code and "x ~ gamma(4, 2);" in code
    prior = run("solve", "gamma", "--mean", "2", "--sd", "1", "--emit", "stan-prior").stdout
    assert "gamma_rng(4, 2)" in prior


def test_emit_bad_input(run):
    assert_usage_error(run("solve", "--mode", "1", "--sd", "1", "--emit", "jags"), "jags", "stan")
    assert_usage_error(run("solve", "--mode", "1", "--emit", "stan"), "unique solution")
    assert_usage_error(run("solve", "kumaraswamy", "--mean", "0.3", "--sd", "0.1", "--emit", "stan"),
                       "Kumaraswamy", "Stan")


@pytest.mark.slow
@pytest.mark.parametrize("target", ["numpyro", "pymc"])
def test_emitted_python_programs_print_the_solved_quantiles(run, tmp_path, target):
    if target == "pymc":
        pytest.importorskip("pymc", reason="PyMC is in the test extra")
    doc = run.json("solve", "gamma", "--mean", "2", "--sd", "1")
    frozen = stats.gamma(doc["params"]["concentration"], scale=1 / doc["params"]["rate"])
    code = run("solve", "gamma", "--mean", "2", "--sd", "1", "--emit", target).stdout
    path = tmp_path / "solved.py"
    path.write_text(code, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_", "PRIORCLI_"))}
    done = run_python(str(path), cwd=tmp_path, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    printed = parse_printed_quantiles(done.stdout)["x"]
    assert len(printed) == 7
    for p, q in printed.items():
        assert abs(frozen.cdf(q) - p) <= band(p, 10000), (p, q)
