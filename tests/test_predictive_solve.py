"""Predictive elicitation (issue 22 items 3-4): ``solve --model`` and ``solve --numpyro --free``.

Oracles: closed forms (sigmoid of Normal(0, s): q0.95 = sigmoid(1.6449 s); a Gamma-Poisson count
is scipy's NegativeBinomial), and an independent numpy simulation of each model at the solved
values. Tolerances come from the draw counts: the solve carries the Monte Carlo error of its n
fitting draws (a target met on them is off by about one standard error of n draws), and the oracle
has its own M draws, so a probability is checked within K * sqrt(p (1 - p) (1/n + 1/M))."""

from __future__ import annotations

import json
import math
import os

import numpy as np
import pytest
import scipy.special as sp
import scipy.stats as st

from conftest import assert_usage_error
from emit_support import parse_printed_quantiles
from script_runner import run_python

K = 4.0  # standard errors
N = 4000  # fitting draws of the tests
M = 400_000  # oracle draws
Z95 = st.norm.ppf(0.95)


def prob_band(p: float, n: int = N, m: int | None = M) -> float:
    return K * math.sqrt(p * (1 - p) * (1 / n + (1 / m if m else 0.0)))


def solved(run, *args):
    result = run("solve", *args, "-n", N, "--format", "json")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


LOGISTIC = "a ~ Normal(mu_a, sigma_a); b ~ Normal(0, sigma_b); p0 = sigmoid(a); p1 = sigmoid(a + b)"
POISSON = "rate ~ Gamma(alpha, beta); y ~ Poisson(rate)"
FORUM = ("theta_group ~ LogNormal(0, s_group); tau_group ~ HalfNormal(t)\n"
         "theta_part ~ LogNormal(log(theta_group), tau_group)")


# ---------------------------------------------------------------------------------------------
# closed forms


@pytest.mark.slow
def test_sigmoid_of_normal_scale_from_its_95th_percentile(run):
    doc = solved(run, "--model", "z ~ Normal(0, s); p = sigmoid(z)", "--quantile", "p:0.95=0.9")
    exact = sp.logit(0.9) / Z95  # q0.95 of sigmoid(N(0, s)) = sigmoid(1.6449 s)
    # the 95% quantile of n draws of z has sd sqrt(p(1-p)/n) / phi(z95) * s; s inherits it relative to z95
    rel = math.sqrt(0.95 * 0.05 / N) / st.norm.pdf(Z95) / Z95
    assert abs(doc["free"]["s"] / exact - 1) < K * rel, (doc["free"], exact)
    assert set(doc) >= {"free", "targets", "achieved", "method", "draws", "seed"}
    assert doc["targets"] == {"p": {"q0.95": 0.9}}
    got = doc["achieved"]["p"]["q0.95"]
    assert got["met"] and got["mc_se"] > 0 and abs(got["probability"] - 0.95) < prob_band(0.95, N, 10 * N)
    assert doc["draws"] == N and doc["seed"] == 0 and doc["domains"]["s"] == "positive"


@pytest.mark.slow
def test_gamma_poisson_counts_mostly_under_20_against_negative_binomial(run):
    """'counts per day mostly under 20' (90% in 0..20) with a median of 5: the count is exactly
    NegativeBinomial(alpha, beta / (1 + beta))."""
    doc = solved(run, "--model", POISSON, "--median", "y:5", "--lower", "y:0", "--upper", "y:20", "--mass", "y:0.9")
    alpha, beta = doc["free"]["alpha"], doc["free"]["beta"]
    nb = st.nbinom(alpha, beta / (1 + beta))
    assert abs(nb.cdf(20) - 0.9) < prob_band(0.9, N, None)
    assert abs(0.5 * (nb.cdf(4) + nb.cdf(5)) - 0.5) < prob_band(0.5, N, None)  # the mid-step median, as solve's
    assert doc["achieved"]["y"]["mass"]["met"] and doc["achieved"]["y"]["median"]["value"] == 5


# ---------------------------------------------------------------------------------------------
# independent numpy simulations at the solved values


@pytest.mark.slow
def test_logistic_regression_intercept_and_slope(run):
    """P(y = 1) at x = 0 between 0.05 and 0.5 with 90% (equal tails), and at x = 1 below 0.8 with 95%."""
    doc = solved(run, "--model", LOGISTIC, "--quantile", "p0:0.05=0.05", "--quantile", "p0:0.95=0.5",
                 "--quantile", "p1:0.95=0.8")
    f = doc["free"]
    rng = np.random.default_rng(11)
    a = rng.normal(f["mu_a"], f["sigma_a"], M)
    b = rng.normal(0.0, f["sigma_b"], M)
    p0, p1 = sp.expit(a), sp.expit(a + b)
    assert abs(np.mean(p0 <= 0.05) - 0.05) < prob_band(0.05)
    assert abs(np.mean(p0 <= 0.5) - 0.95) < prob_band(0.95)
    assert abs(np.mean(p1 <= 0.8) - 0.95) < prob_band(0.95)
    # the intercept alone has closed forms: logit(0.05) and logit(0.5) are its 5% and 95% quantiles
    z = math.sqrt(0.05 * 0.95 / N) / st.norm.pdf(Z95)  # a quantile's sd in standard units
    assert abs(f["mu_a"] - 0.5 * sp.logit(0.05)) < K * z * f["sigma_a"]
    assert abs(f["sigma_a"] - (0 - sp.logit(0.05)) / (2 * Z95)) < K * z * f["sigma_a"]


@pytest.mark.slow
def test_forum_hierarchical_lognormal_from_theta_part(run):
    """The forum's theta_part ~ LogNormal(log(theta_group), tau_group): theta_group within 1.5 at 90%,
    theta_part within 2.5 at 90%, solved for theta_group's sigma and tau_group's HalfNormal scale."""
    doc = solved(run, "--model", FORUM, "--quantile", "theta_group:0.9=1.5", "--quantile", "theta_part:0.9=2.5")
    f = doc["free"]
    assert abs(f["s_group"] - math.log(1.5) / st.norm.ppf(0.9)) < \
        K * math.sqrt(0.09 / N) / st.norm.pdf(st.norm.ppf(0.9)) / st.norm.ppf(0.9) * f["s_group"]
    rng = np.random.default_rng(5)
    group = rng.lognormal(0.0, f["s_group"], M)
    tau = np.abs(rng.normal(0.0, f["t"], M))
    part = rng.lognormal(np.log(group), tau)
    assert abs(np.mean(part <= 2.5) - 0.9) < prob_band(0.9)
    assert doc["achieved"]["theta_part"]["q0.9"]["met"]


@pytest.mark.slow
def test_set_fixes_a_free_name_and_data_feed_the_model(run):
    doc = solved(run, "--model", "a ~ Normal(m, s); y ~ Normal(a + x, 1); top = max(y)", "--data", "x=0,1,2",
                 "--set", "s=0.5", "--median", "top:4")
    assert doc["fixed"] == {"s": 0.5} and set(doc["free"]) == {"m"}
    m = doc["free"]["m"]
    rng = np.random.default_rng(2)
    a = rng.normal(m, 0.5, (M, 1))
    top = (a + np.array([0.0, 1.0, 2.0]) + rng.normal(size=(M, 3))).max(axis=1)
    assert abs(np.mean(top <= 4) - 0.5) < prob_band(0.5)


@pytest.mark.slow
def test_mean_and_sd_targets(run):
    doc = solved(run, "--model", "mu ~ Normal(m, 1); y ~ Normal(mu, s)", "--mean", "y:2", "--sd", "y:3")
    assert abs(doc["free"]["m"] - 2) < K * 3 / math.sqrt(N)
    assert abs(math.sqrt(1 + doc["free"]["s"] ** 2) - 3) < K * 3 / math.sqrt(2 * N)


@pytest.mark.slow
def test_discrete_mean_and_sd_from_conditional_moments(run):
    """y ~ Poisson(Gamma(a, b)): E y = a / b and var y = a / b + a / b^2, so mean 3 and sd 2 give
    b = 3, a = 9 (the Poisson draws are steps; their conditional mean and variance are smooth)."""
    doc = solved(run, "--model", "rate ~ Gamma(a, b); y ~ Poisson(rate)", "--mean", "y:3", "--sd", "y:2")
    a, b = doc["free"]["a"], doc["free"]["b"]
    # the fitting draws' rates carry the error: E y = mean of n rates, sd(rate) = sqrt(a) / b = 1
    assert abs(a / b - 3) < K * 1 / math.sqrt(N)
    assert abs(math.sqrt(a / b + a / b ** 2) - 2) < K * 2 / math.sqrt(N)
    assert doc["achieved"]["y"]["mean"]["met"] and doc["achieved"]["y"]["sd"]["met"]


@pytest.mark.slow
def test_targets_that_cannot_be_met_exit_1_with_the_closest(run):
    # a Normal(0, s) through sigmoid has its median at 0.5 whatever s is
    result = run("solve", "--model", "z ~ Normal(0, s); p = sigmoid(z)", "--median", "p:0.3", "--quantile",
                 "p:0.9=0.8", "-n", N)
    assert result.exit_code == 1, result.stderr
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("Error: the targets cannot all be met; closest:") and "median = 0.3" in line
    assert "achieved" in result.stdout  # the document with the closest values comes first


# ---------------------------------------------------------------------------------------------
# numpyro files

NUMPYRO_FILE = """\
import jax.numpy as jnp
import numpyro
import numpyro.distributions as dist


def model(s=1.0, shift=0.0):
    z = numpyro.sample("z", dist.Normal(shift, s))
    numpyro.deterministic("p", 1 / (1 + jnp.exp(-z)))


def counts(alpha=1.0, beta=1.0, days=3):
    rate = numpyro.sample("rate", dist.Gamma(alpha, beta))
    with numpyro.plate("days", days):
        numpyro.sample("y", dist.Poisson(rate))


def not_a_model(s=1.0):
    return s


def broken(s=1.0):
    numpyro.sample("a", dist.Normal(0, s))
    raise ValueError("the model is broken")
"""


@pytest.fixture
def numpyro_file(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(NUMPYRO_FILE)
    return path


@pytest.mark.slow
def test_numpyro_file_closed_form(run, numpyro_file):
    doc = solved(run, "--numpyro", f"{numpyro_file}:model", "--free", "s", "--quantile", "p:0.95=0.9")
    exact = sp.logit(0.9) / Z95
    rel = math.sqrt(0.95 * 0.05 / N) / st.norm.pdf(Z95) / Z95
    assert abs(doc["free"]["s"] / exact - 1) < K * rel
    assert doc["domains"]["s"] == "positive"  # passed straight to Normal's scale


@pytest.mark.slow
def test_numpyro_file_poisson_hierarchy_against_negative_binomial(run, numpyro_file):
    doc = solved(run, "--numpyro", f"{numpyro_file}:counts", "--free", "alpha,beta", "--median", "y:5",
                 "--lower", "y:0", "--upper", "y:20", "--mass", "y:0.9")
    alpha, beta = doc["free"]["alpha"], doc["free"]["beta"]
    nb = st.nbinom(alpha, beta / (1 + beta))
    # 3 days per draw share a rate: pooled, the per-draw fraction has at most the variance of one day
    assert abs(nb.cdf(20) - 0.9) < prob_band(0.9, N, None)


def test_numpyro_errors(run, numpyro_file, tmp_path):
    spec = f"{numpyro_file}:model"
    assert_usage_error(run("solve", "--numpyro", spec, "--quantile", "p:0.95=0.9"), "--free")
    assert_usage_error(run("solve", "--numpyro", spec, "--free", "nope", "--quantile", "p:0.95=0.9"),
                       "--free 'nope'", "s, shift")
    assert_usage_error(run("solve", "--numpyro", spec, "--free", "s,shift", "--quantile", "p:0.95=0.9"),
                       "2 free hyperparameters (s, shift)", "--arg")
    raising = tmp_path / "raising.py"
    raising.write_text("raise RuntimeError('at import')\n")
    assert_usage_error(run("solve", "--numpyro", f"{raising}:model", "--free", "s", "--median", "p:1"),
                       "raised RuntimeError: at import", code=1)


@pytest.mark.slow
def test_numpyro_model_errors_while_running(run, numpyro_file):
    assert_usage_error(run("solve", "--numpyro", f"{numpyro_file}:broken", "--free", "s", "--median", "a:1"),
                       "the model raised ValueError: the model is broken", code=1)
    assert_usage_error(run("solve", "--numpyro", f"{numpyro_file}:not_a_model", "--free", "s", "--median",
                           "a:1"), "not a numpyro model")
    assert_usage_error(run("solve", "--numpyro", f"{numpyro_file}:model", "--free", "s", "--median", "q:1"),
                       "'q'", "z, p")


# ---------------------------------------------------------------------------------------------
# bad input (before any jax work)


@pytest.mark.parametrize("args, needles", [
    (["--model", LOGISTIC, "--quantile", "p0:0.05=0.05"], ["3 free hyperparameters (mu_a, sigma_a, sigma_b)",
                                                            "--set mu_a=VALUE"]),
    (["--model", "z ~ Normal(0, s)", "--median", "w:1"], ["'w'", "its variables: z"]),
    (["--model", "z ~ Normal(0, s)", "--median", "1"], ["--median '1'", "VAR:"]),
    (["--model", "z ~ Normal(0, s)", "--quantile", "z:1.5=1"], ["--quantile 'z:1.5=1'", "between 0 and 1"]),
    (["--model", "z ~ Normal(0, s)", "--lower", "z:0", "--mass", "z:0.9"], ["--upper"]),
    (["--model", "z ~ Normal(0, 1)", "--median", "z:1"], ["no free hyperparameters"]),
    (["--model", "z ~ Normal(0, s)", "--set", "q=1", "--median", "z:1"], ["--set q", "its free names: s"]),
    (["--model", "z ~ Normal(0, s); w ~ LowerTruncatedPowerLaw(s, 1)", "--median", "z:1"],
     ["incompatible", "Normal's scale", "LowerTruncatedPowerLaw's alpha"]),
    (["--model", "k ~ Binomial(n, 0.5)", "--median", "k:1"], ["whole number", "--set n=VALUE"]),
    (["--model", "z ~ Normal(0, s); c = z > 1", "--mean", "c:0.2"], ["'c'", "comparison"]),
    (["--model", "y ~ Poisson(r)", "--median", "y:2.5"], ["discrete", "whole numbers"]),
    (["--model", "z ~ softplus(bounds(Normal(0, 1), 0, u))", "--median", "z:1"], ["transform", "--set"]),
    (["--model", "z ~ Normal(0, s)", "--mode", "z:1"], ["'--mode'", "--quantile"]),
    (["--model", "z ~ Normal(0, s)", "--median", "z:1", "--format", "csv"], ["--format csv", "table or json"]),
])
def test_usage_errors(run, args, needles):
    assert_usage_error(run("solve", *args), *needles)


def test_free_names_and_domains():
    from priorcli.model import free as freemod
    from priorcli.model import parse as lang
    from priorcli.model.numpyro import is_family

    text = "a ~ Normal(mu, exp(w)); b ~ Beta(c, 2); g = log(v) + a; h ~ HalfNormal(c)"
    names = freemod.free_names(text)
    assert names == ("mu", "w", "c", "v")
    model = lang.parse_model(text, is_family=is_family, data=freemod.as_data(names))
    d = freemod.domains(model, names)
    assert (d["mu"].low, d["mu"].high) == (-math.inf, math.inf) and d["w"].text == "a real number"
    assert (d["c"].low, d["c"].high) == (0.0, math.inf) and d["v"].text == "positive"
    filled = freemod.substitute(model, {"mu": 1.5, "w": 0.0, "c": 2.0, "v": 3.0})
    assert filled.data == () and "mu" not in lang.referenced_names(filled)


# ---------------------------------------------------------------------------------------------
# the emitted programs, rerun


@pytest.mark.slow
def test_emitted_numpyro_program_meets_the_targets(run, tmp_path):
    result = run("solve", "--model", FORUM, "--quantile", "theta_group:0.9=1.5", "--quantile", "theta_part:0.9=2.5",
                 "-n", N, "--emit", "numpyro")
    assert result.exit_code == 0, result.stderr
    assert "s_group" not in result.stdout.split("def model")[1].split("def print_quantiles")[0]
    path = tmp_path / "solved.py"
    path.write_text(result.stdout.replace("DRAWS = 4000", "DRAWS = 100000").replace(
        "QUANTILES = (", "QUANTILES = (0.9, "))
    done = run_python(str(path), cwd=os.getcwd(), timeout=300)
    assert done.returncode == 0, done.stderr
    q = parse_printed_quantiles(done.stdout)
    density = st.norm.pdf(st.norm.ppf(0.9))
    # a 90% quantile of 100000 draws, on the log scale: sd sqrt(0.09 / m) / density * sigma
    assert abs(math.log(q["theta_group"][0.9]) - math.log(1.5)) < K * 0.3 / math.sqrt(N) / density
    assert abs(math.log(q["theta_part"][0.9]) - math.log(2.5)) < K * 0.3 / math.sqrt(N) / density * 2


@pytest.mark.slow
def test_emitted_stan_and_pymc_have_the_numbers(run):
    for target, needle in (("stan", "lognormal(0"), ("pymc", "pm.LogNormal(")):
        result = run("solve", "--model", FORUM, "--quantile", "theta_group:0.9=1.5", "--quantile",
                     "theta_part:0.9=2.5", "-n", N, "--emit", target)
        assert result.exit_code == 0, result.stderr
        assert needle in result.stdout, target
        code_lines = [ln for ln in result.stdout.splitlines() if not ln.lstrip().startswith(("#", "//"))]
        assert not any("s_group" in ln for ln in code_lines), target
