"""solve through the CLI: the contract's JSON, the examples of the issue, and its error classes."""

from __future__ import annotations

import math

import pytest
from numpy.testing import assert_allclose
from scipy import stats

from conftest import assert_usage_error, packages_after


def test_mode_and_sigma_json(run):
    doc = run.json("solve", "--mode", "1", "--sigma", "0.5")
    assert doc["family"] == "LogNormal"
    assert_allclose(doc["params"]["loc"], 0.25, rtol=1e-12)
    assert_allclose(doc["params"]["scale"], 0.5, rtol=1e-12)
    assert doc["numpyro"] == "dist.LogNormal(loc=0.25, scale=0.5)"
    assert {"family", "params", "targets", "achieved", "numpyro"} <= set(doc)
    # achieved mode from the closed form derived on paper: exp(mu - sigma^2)
    assert_allclose(doc["achieved"]["mode"], math.exp(0.25 - 0.25), rtol=1e-12)


def test_table_shows_numpyro_and_stan_lines(run):
    result = run("solve", "--mode", "1", "--sigma", "0.5")
    assert result.exit_code == 0
    assert "dist.LogNormal(loc=0.25, scale=0.5)" in result.stdout
    assert "lognormal(0.25, 0.5)" in result.stdout


def test_plot_draws_the_density(run):
    result = run("solve", "--mode", "1", "--sigma", "0.5", "--plot")
    assert result.exit_code == 0 and "┤" in result.stdout


def test_plot_dirichlet_components(run):
    result = run("solve", "dirichlet", "--mean", "0.2,0.3,0.5", "--count", "10", "--plot")
    assert result.exit_code == 0, result.stderr
    assert "component 2" in result.stdout


def test_underdetermined_single_target(run):
    doc = run.json("solve", "--mode", "1")
    assert doc["underdetermined"] is True and "sigma^2" in doc["relation"]
    for solution in doc["solutions"]:
        loc, scale = solution["params"]["loc"], solution["params"]["scale"]
        pdf = stats.lognorm(s=scale, scale=math.exp(loc)).pdf  # the mode is 1 for every solution
        assert pdf(1.0) > pdf(1.0 - 1e-4) and pdf(1.0) > pdf(1.0 + 1e-4)
        assert_allclose(loc, scale**2, rtol=1e-12)  # mu = log(1) + sigma^2


@pytest.mark.parametrize(
    "argv,expected",
    [
        (["lognormal", "--lower", "0.5", "--upper", "2", "--mass", "0.9"], {"loc": 0.1540, "scale": 0.3922}),
        (["gamma", "--lower", "1", "--upper", "10", "--mass", "0.9"], {"concentration": 3.334, "rate": 0.5979}),
    ],
)
def test_maxent_examples_of_the_issue(run, argv, expected):
    doc = run.json("solve", *argv)
    for name, value in expected.items():
        assert_allclose(doc["params"][name], value, rtol=5e-4)


def test_sample_and_summarize_accept_targets(run):
    beta = run.json("summarize", "beta", "--mean", "0.3", "--count", "10")
    assert_allclose([beta["params"]["concentration1"], beta["params"]["concentration0"]], [3.0, 7.0], rtol=1e-12)
    gamma = run.json("summarize", "gamma", "--mean", "2", "--sd", "1")
    assert_allclose(gamma["summary"]["mean"], 2.0, rtol=1e-10)
    assert_allclose(gamma["summary"]["sd"], 1.0, rtol=1e-10)
    lognormal = run.json("sample", "lognormal", "--mode", "1", "--sigma", "0.5", "-n", "100")
    assert_allclose(lognormal["params"]["loc"], 0.25, rtol=1e-12)
    assert_allclose(lognormal["exact"]["mode"], 1.0, rtol=1e-12)
    dirichlet = run.json("sample", "dirichlet", "--mean", "0.2,0.3,0.5", "--count", "10", "-n", "100")
    assert_allclose(dirichlet["params"]["concentration"], [2.0, 3.0, 5.0], rtol=1e-12)
    table = run("sample", "beta", "--mean", "0.3", "--count", "10", "-n", "100", "--no-plot")
    assert "concentration1=3" in table.stdout and "solved from" in table.stdout


INFEASIBLE = [
    (["--mode", "2", "--median", "1"], ["mode"]),
    (["--mode", "1", "--mean", "0.5"], ["mode", "mean"]),
    (["--quantile", "0.1=2", "--quantile", "0.9=1"], ["quantile"]),
    (["exponential", "--lower", "1", "--upper", "2", "--mass", "0.9"], ["mass"]),
]


@pytest.mark.parametrize("argv,needles", INFEASIBLE, ids=[" ".join(a) for a, _ in INFEASIBLE])
def test_infeasible_targets_exit_1(run, argv, needles):
    assert_usage_error(run("solve", *argv), *needles, code=1)


MALFORMED = [
    (["--mode", "-1", "--sigma", "0.5"], ["mode"]),
    (["--mode", "abc"], ["--mode", "abc"]),
    (["--sd", "0", "--mean", "1"], ["sd"]),
    (["--quantile", "1.5=2", "--median", "1"], ["--quantile", "1.5"]),
    (["--quantile", "0.5"], ["--quantile"]),
    (["--mass", "0.9"], ["lower"]),
    (["--sigma", "-0.5", "--mode", "1"], ["--sigma"]),
    ([], ["target"]),
    (["gamma", "--mean", "2", "--sd", "1", "--format", "csv"], ["--format"]),
    (["nofamily", "--mean", "1"], ["nofamily"]),
]


@pytest.mark.parametrize("argv,needles", MALFORMED, ids=[" ".join(a) or "no-targets" for a, _ in MALFORMED])
def test_malformed_targets_exit_2(run, argv, needles):
    assert_usage_error(run("solve", *argv), *needles)


@pytest.mark.slow
def test_closed_form_lognormal_solve_imports_no_jax():
    out, heavy = packages_after(["solve", "--mode", "1", "--sigma", "0.5", "--format", "json"],
                                packages=("jax", "numpyro", "scipy", "numpy"))
    assert heavy == []
    assert '"loc": 0.25' in out
