"""Truncation of continuous families (issue 21, item 1): --truncate LO,HI, truncated(D, low=, high=)
and TruncatedNormal in the model language, exact values against scipy (truncnorm, and scipy's base
distribution conditioned on [a, b]), draws against the exact cdf, solves with the truncation held,
errors, and the emitted numpyro / PyMC / Stan programs run."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats as st

import priorcli
import stan_registry
from conftest import assert_usage_error
from emit_support import band, emitted, exact_mismatches
from script_runner import run_python

PROBS = (0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975)

# (family, params, (low, high), the scipy base distribution)
CASES = [
    ("gamma", {"concentration": 2.0, "rate": 1.0}, (1.0, None), st.gamma(2.0)),
    ("gamma", {"concentration": 0.5, "rate": 2.0}, (None, 1.5), st.gamma(0.5, scale=0.5)),
    ("beta", {"concentration1": 2.0, "concentration0": 3.0}, (0.1, 0.6), st.beta(2.0, 3.0)),
    ("lognormal", {"loc": 0.0, "scale": 1.0}, (0.5, 4.0), st.lognorm(1.0)),
    ("weibull", {"scale": 1.0, "concentration": 1.5}, (0.5, 2.0), st.weibull_min(1.5)),
    ("studentt", {"df": 3.0, "loc": 0.0, "scale": 1.0}, (None, 1.0), st.t(3.0)),
    ("cauchy", {"loc": 0.0, "scale": 1.0}, (-2.0, 5.0), st.cauchy()),
    ("exponential", {"rate": 2.0}, (0.3, None), st.expon(scale=0.5)),
]


def _conditioned(base, low, high):
    a = 0.0 if low is None else base.cdf(low)
    b = 1.0 if high is None else base.cdf(high)
    return a, b


@pytest.mark.parametrize("family, params, ends, base", CASES, ids=[f"{c[0]}{c[2]}" for c in CASES])
def test_exact_quantiles_are_the_conditioned_base(family, params, ends, base):
    s = priorcli.summarize(family, truncate=ends, **params)
    a, b = _conditioned(base, *ends)
    for p in PROBS:
        expected = base.ppf(a + p * (b - a))
        assert s.quantiles[p] == pytest.approx(expected, rel=1e-8, abs=1e-12), p
    assert s.median == pytest.approx(base.ppf(a + 0.5 * (b - a)), rel=1e-8)


@pytest.mark.parametrize("family, params, ends, base", CASES, ids=[f"{c[0]}{c[2]}" for c in CASES])
def test_mean_and_sd_against_scipy_expect(family, params, ends, base):
    s = priorcli.summarize(family, truncate=ends, **params)
    lb = -np.inf if ends[0] is None else ends[0]
    ub = np.inf if ends[1] is None else ends[1]
    if family == "gamma":
        # closed form (scipy's expect misses Gamma(0.5)'s singular density at 0 by 1e-4):
        # E[X^k | a < X < b] = Gamma(al + k) / (Gamma(al) beta^k) P_{al + k}(a, b) / P_al(a, b)
        al, rate = params["concentration"], params["rate"]

        def moment(k):
            g = st.gamma(al + k, scale=1 / rate)
            return math.gamma(al + k) / math.gamma(al) / rate**k * (g.cdf(ub) - g.cdf(lb)) / (base.cdf(ub) - base.cdf(lb))

        mean, var = moment(1), moment(2) - moment(1) ** 2
    else:
        mean = base.expect(lambda x: x, lb=lb, ub=ub, conditional=True)
        var = base.expect(lambda x: (x - mean) ** 2, lb=lb, ub=ub, conditional=True)
    assert s.mean == pytest.approx(mean, rel=1e-7)
    assert s.sd == pytest.approx(math.sqrt(var), rel=1e-7)


def test_truncated_normal_against_truncnorm():
    for loc, scale, low, high in [(0.0, 1.0, -1.0, 2.0), (1.0, 2.0, 0.0, None), (3.0, 0.5, None, 2.5)]:
        s = priorcli.summarize("normal", loc=loc, scale=scale, truncate=(low, high))
        a = -np.inf if low is None else (low - loc) / scale
        b = np.inf if high is None else (high - loc) / scale
        oracle = st.truncnorm(a, b, loc=loc, scale=scale)
        for p in PROBS:
            assert s.quantiles[p] == pytest.approx(oracle.ppf(p), rel=1e-8)
        assert s.mean == pytest.approx(oracle.mean(), rel=1e-8)
        assert s.sd == pytest.approx(oracle.std(), rel=1e-7)
        assert s.mode == pytest.approx(min(max(loc, a * scale + loc), b * scale + loc))


def test_undefined_moments_stay_unknown_and_modes():
    # a Cauchy cut on one side keeps its heavy tail: no mean; cut on both sides it has one
    assert priorcli.summarize("cauchy", truncate=(0, None)).mean is None
    assert priorcli.summarize("cauchy", truncate=(-1, 1)).mean == pytest.approx(0.0, abs=1e-12)
    # the base mode clipped: Gamma(2, 1) has its mode at 1
    assert priorcli.summarize("gamma", alpha=2, beta=1, truncate=(1.5, None)).mode == 1.5
    assert priorcli.summarize("gamma", alpha=2, beta=1, truncate=(None, 0.5)).mode == 0.5
    assert priorcli.summarize("gamma", alpha=2, beta=1, truncate=(0.5, 3)).mode == pytest.approx(1.0)
    # Gamma(0.5) has no mode (its density is unbounded at 0); truncated at 1 the mode is 1
    assert priorcli.summarize("gamma", alpha=0.5, beta=1, truncate=(1, None)).mode == 1.0


def test_a_family_without_a_record_truncates_through_numpyro():
    # Gompertz: numpyro's own cdf/icdf; the exact values are the base's conditioned on [0.2, inf)
    from numpyro.distributions import Gompertz

    s = priorcli.summarize("gompertz", concentration=1.0, rate=1.0, truncate=(0.2, None))
    base = Gompertz(concentration=1.0, rate=1.0)
    fa = float(base.cdf(0.2))
    for p in (0.05, 0.5, 0.95):
        assert s.quantiles[p] == pytest.approx(float(base.icdf(fa + p * (1 - fa))), rel=1e-8)
    assert s.mode == 0.2  # Gompertz(1, 1)'s density falls from 0 on
    assert s.median == pytest.approx(float(base.icdf(fa + 0.5 * (1 - fa))), rel=1e-8)


# ---------------------------------------------------------------------------------------------
# Draws


DRAW_CASES = [c for c in CASES if c[0] != "exponential"] + [
    ("normal", {"loc": 0.0, "scale": 1.0}, (-1.0, 2.0), st.norm()),
    ("laplace", {"loc": 0.0, "scale": 1.0}, (0.5, None), st.laplace()),
]


# numpyro has no icdf for these bases: their draws solve a betainc/gammainc cdf by Newton (dists/truncated.py),
# and compiling jax's incomplete beta/gamma costs 1-1.5 CPU s per family: slow
BISECTED_SLOW = {"beta(0.1, 0.6)", "studentt(None, 1.0)", "gamma(None, 1.5)", "gamma(1.0, None)"}
DRAW_PARAMS = [pytest.param(*c, id=f"{c[0]}{c[2]}", marks=[pytest.mark.slow] if f"{c[0]}{c[2]}" in BISECTED_SLOW else [])
               for c in DRAW_CASES]


@pytest.mark.parametrize("family, params, ends, base", DRAW_PARAMS)
def test_draws_follow_the_exact_cdf(family, params, ends, base):
    n = 20000
    result = priorcli.sample(family, n=n, seed=3, truncate=ends, **params)
    draws = result.draws
    low = -np.inf if ends[0] is None else ends[0]
    high = np.inf if ends[1] is None else ends[1]
    assert draws.min() >= low and draws.max() <= high
    a, b = _conditioned(base, *ends)
    assert exact_mismatches(draws, lambda x: (base.cdf(x) - a) / (b - a)) == []
    if result.exact.sd is not None:  # the mean within 5 standard errors
        assert abs(draws.mean() - result.exact.mean) < 5 * result.exact.sd / math.sqrt(n)


def test_the_bisection_class_and_numpyros_agree_with_the_cdf():
    import jax.numpy as jnp
    from numpyro.distributions import Gamma, Normal

    from priorcli.dists.truncated import Truncated, truncated

    gamma = Truncated(Gamma(2.0, 1.0), 1.0, jnp.inf)
    q = jnp.linspace(0.01, 0.99, 9)
    x = gamma.icdf(q)  # by bisection (numpyro's Gamma has no icdf)
    np.testing.assert_allclose(np.asarray(gamma.cdf(x)), np.asarray(q), rtol=1e-10)
    a = st.gamma(2).cdf(1.0)
    np.testing.assert_allclose(np.asarray(x), st.gamma(2).ppf(a + np.asarray(q) * (1 - a)), rtol=1e-10)
    assert type(truncated(Normal(0.0, 1.0), 0.0, None)).__name__ == "LeftTruncatedDistribution"
    assert isinstance(truncated(Gamma(2.0, 1.0), 1.0, None), Truncated)
    np.testing.assert_allclose(float(gamma.log_prob(2.0)), st.gamma(2).logpdf(2.0) - math.log(1 - a), rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# Solve


def test_solve_holds_the_truncation_and_round_trips():
    result = priorcli.solve("gamma", median=3, sd=2, truncate=(1, None))
    base = st.gamma(result.params["concentration"], scale=1 / result.params["rate"])
    fa = base.cdf(1.0)
    assert base.ppf(fa + 0.5 * (1 - fa)) == pytest.approx(3.0, rel=1e-8)
    mean = base.expect(lambda x: x, lb=1, conditional=True)
    sd = math.sqrt(base.expect(lambda x: (x - mean) ** 2, lb=1, conditional=True))
    assert sd == pytest.approx(2.0, rel=1e-6)
    assert "low=1" in result.numpyro_code and result.numpyro_code.startswith("Truncated(dist.Gamma(")
    assert result.stan_code.endswith("T[1.0, ]")
    assert result.pymc_code.startswith('pm.Truncated("x", pm.Gamma.dist(') and "lower=1.0" in result.pymc_code
    # the untruncated solve is another answer
    assert priorcli.solve("gamma", median=3, sd=2).params != result.params


def test_solve_quantiles_of_a_truncated_normal(run):
    doc = run.json("solve", "normal", "--truncate", "0,", "--quantile", "0.1=0.5", "--quantile", "0.9=4")
    assert doc["truncate"] == [0.0, None]
    oracle = st.truncnorm(-doc["params"]["loc"] / doc["params"]["scale"], np.inf, **doc["params"])
    assert oracle.ppf(0.1) == pytest.approx(0.5, rel=1e-7)
    assert oracle.ppf(0.9) == pytest.approx(4.0, rel=1e-7)
    assert doc["numpyro"].startswith("dist.TruncatedNormal(") and doc["stan"].endswith("T[0.0, ]")


def test_sample_with_targets_and_truncation(run):
    doc = run.json("sample", "gamma", "--truncate", "1,", "--median", "3", "--sd", "2", "-n", "4000", "--no-plot")
    assert doc["truncate"] == [1.0, None]
    assert doc["exact"]["median"] == pytest.approx(3.0, rel=1e-8)
    assert doc["exact"]["sd"] == pytest.approx(2.0, rel=1e-6)


# ---------------------------------------------------------------------------------------------
# The command line


def test_summarize_json_and_table(run):
    doc = run.json("summarize", "gamma", "--alpha", "2", "--beta", "1", "--truncate", ",3")
    assert doc["truncate"] == [None, 3.0]
    assert doc["support"] == [0.0, 3.0]
    assert set(doc) >= {"family", "params", "transforms", "summary"}
    a = st.gamma(2).cdf(3.0)
    assert doc["summary"]["quantiles"]["0.5"] == pytest.approx(st.gamma(2).ppf(0.5 * a), rel=1e-8)
    table = run("summarize", "gamma", "--alpha", "2", "--beta", "1", "--truncate", "1,")
    assert table.exit_code == 0 and "truncated(Gamma(concentration=2, rate=1), low=1)" in table.stdout


def test_untruncated_documents_have_no_truncate_key(run):
    assert "truncate" not in run.json("summarize", "gamma", "--alpha", "2", "--beta", "1")


@pytest.mark.parametrize("argv, needle", [
    (["summarize", "gamma", "--alpha", "2", "--beta", "1", "--truncate", "3,1"], "--truncate 3,1"),
    (["summarize", "gamma", "--alpha", "2", "--beta", "1", "--truncate", "2,2"], "LO must be below HI"),
    (["summarize", "gamma", "--alpha", "2", "--beta", "1", "--truncate", "-5,-1"], "outside the support"),
    (["summarize", "gamma", "--alpha", "2", "--beta", "1", "--truncate", "a,2"], "--truncate must be numbers"),
    (["summarize", "gamma", "--alpha", "2", "--beta", "1", "--truncate", "1"], "--truncate takes LO,HI"),
    (["summarize", "gamma", "--alpha", "2", "--beta", "1", "--truncate", ","], "--truncate takes LO,HI"),
    (["summarize", "poisson", "--rate", "2", "--truncate", "1,"], "Poisson is discrete"),
    (["sample", "dirichlet", "--concentration", "1,2", "--truncate", "0,0.5"], "multivariate"),
    (["solve", "gamma", "--truncate", "5,3", "--median", "3", "--sd", "2"], "LO must be below HI"),
    (["solve", "binomial", "--total-count", "10", "--truncate", "1,", "--mean", "3"], "discrete"),
    (["solve", "--family", "auto", "--truncate", "1,", "--median", "0.5"], "--truncate"),  # the target outside it
])
def test_bad_truncations_are_usage_errors(run, argv, needle):
    assert_usage_error(run(*argv), needle)


def test_a_truncation_the_targets_cannot_meet_is_exit_1(run):
    # every value is at least 1: a median of 0.5 cannot be met
    result = run("solve", "gamma", "--truncate", "1,", "--median", "0.5", "--sd", "2")
    assert result.exit_code in (1, 2)
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("Error: ")


# ---------------------------------------------------------------------------------------------
# The model language and compare


def test_compare_truncated_and_truncatednormal(run):
    doc = run.json("compare", "truncated(Gamma(2, 1), low=1)", "TruncatedNormal(0, 1, low=0)",
                   "exp(truncated(Normal(0, 1), high=0.5))", "-n", "2000", "--no-plot")
    gamma, half, exp = (d["exact"] for d in doc["distributions"])
    assert gamma["mean"] == pytest.approx(2.5, rel=1e-10)  # E[X | X > 1] of Gamma(2, 1): 5/e / (2/e)
    assert half["mean"] == pytest.approx(math.sqrt(2 / math.pi), rel=1e-10)
    a = st.norm.cdf(0.5)
    assert exp["median"] == pytest.approx(math.exp(st.norm.ppf(0.5 * a)), rel=1e-8)


@pytest.mark.slow
def test_model_sample_with_truncated_statements(run):
    doc = run.json("sample", "--model", "a ~ truncated(Gamma(2, 1), low=1)\nb ~ truncated(Normal(a, 1), -1, 3)",
                   "-n", "4000", "--no-plot")
    assert doc["variables"]["a"]["mc"]["quantiles"]["0.025"] >= 1.0
    assert doc["variables"]["b"]["mc"]["quantiles"]["0.975"] <= 3.0
    assert doc["variables"]["b"]["mc"]["quantiles"]["0.025"] >= -1.0


@pytest.mark.parametrize("spec, needle", [
    ("truncated(Gamma(2, 1), low=3, high=1)", "LO must be below HI"),
    ("truncated(Poisson(3), low=1)", "discrete"),
    ("truncated(exp(Normal(0, 1)), low=1)", "untransformed"),
    ("truncated(Gamma(2, 1))", "low=, high="),
    ("truncated(Gamma(2, 1), lo=1)", "low= and high="),
])
def test_model_language_errors(run, spec, needle):
    assert_usage_error(run("compare", spec, "--no-plot"), needle)


# ---------------------------------------------------------------------------------------------
# Emitted programs

MODEL = "a ~ truncated(Gamma(2, 1), low=1)\nb ~ TruncatedNormal(0, 1, low=-1, high=2)\nc ~ truncated(StudentT(3, 0, 1), -2, 1)\n"
# (PyMC 5's pm.Truncated of a StudentT with an open end fails to draw: its cdf at -inf is nan)
EXACT = {
    "a": lambda x: (st.gamma(2).cdf(x) - st.gamma(2).cdf(1)) / st.gamma(2).sf(1),
    "b": st.truncnorm(-1, 2).cdf,
    "c": lambda x: (st.t(3).cdf(np.clip(x, -2, 1)) - st.t(3).cdf(-2)) / (st.t(3).cdf(1) - st.t(3).cdf(-2)),
}


@pytest.mark.slow
def test_emitted_code_names_the_truncations():
    stan = emitted(MODEL, "stan")
    assert "a ~ gamma(2, 1) T[1.0, ];" in stan and ("real<lower=1.0> a;" in stan or "real<lower=1> a;" in stan)
    assert "T[-1.0, 2.0]" in stan and "T[-2.0, 1.0]" in stan
    assert "T[, 0.5]" in emitted("c ~ truncated(Normal(0, 1), high=0.5)", "stan")
    pymc = emitted(MODEL, "pymc")
    assert 'pm.Truncated("a", pm.Gamma.dist(alpha=2.0, beta=1.0), lower=1.0)' in pymc
    numpyro = emitted(MODEL, "numpyro")
    assert "Truncated(dist.Gamma(" in numpyro and "dist.TruncatedDistribution(dist.Normal(" in numpyro
    assert "class Truncated(Distribution)" in numpyro  # the program runs without priorcli


def _run(code: str, tmp_path, name: str, fresh: bool = False) -> str:
    import os

    path = tmp_path / f"{name}.py"
    path.write_text(code, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_", "PRIORCLI_", "PYTHONPATH"))}
    done = run_python(str(path), cwd=tmp_path, env=env, timeout=900, fresh=fresh)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _printed(stdout: str) -> dict:
    from emit_support import parse_printed_quantiles

    return parse_printed_quantiles(stdout)


@pytest.mark.slow
@pytest.mark.parametrize("target", ["numpyro", "pymc"])
def test_emitted_python_programs_run(target, tmp_path):
    n = 4000
    code = emitted(MODEL, target, "-n", n, "--seed", 5, "--quantiles", "0.05,0.25,0.5,0.75,0.95")
    printed = _printed(_run(code, tmp_path, f"truncated_{target}"))
    for name, cdf in EXACT.items():
        for p, q in printed[name].items():
            assert abs(cdf(q) - p) <= band(p, n), (target, name, p, q, cdf(q))


N_STAN = 4000
# compiled with the session's other Stan programs as one (stan_registry)
PRIOR = stan_registry.Program("prior", lambda: emitted(MODEL, "stan-prior"), draws=N_STAN, outputs=("a", "b", "c"))
POSTERIOR = stan_registry.Program("stan", lambda: emitted(MODEL, "stan"), nuts=N_STAN, warmup=1000, seed=7,
                                  outputs=("a", "b", "c"))
STAN_PROGRAMS = (PRIOR, POSTERIOR)


@pytest.mark.slow
def test_emitted_stan_programs_run(stan_programs):
    """The stan program (NUTS) and the stan-prior one (fixed_param), compiled with the session's
    other Stan programs as one (stan_registry)."""
    pytest.importorskip("stan", reason="PyStan is in the test extra")
    n = N_STAN
    out = {k: v.ravel() for k, v in stan_programs(POSTERIOR).items()}
    out.update({"prior_" + k: v.ravel() for k, v in stan_programs(PRIOR).items()})
    for name, cdf in EXACT.items():
        # fixed_param draws are independent; NUTS draws are correlated: a wider band (effective n / 4)
        assert exact_mismatches(out["prior_" + name], cdf) == [], name
        draws = out[name]
        for p in (0.1, 0.5, 0.9):
            assert abs(cdf(np.quantile(draws, p)) - p) <= band(p, n // 4), (name, p)


# ---------------------------------------------------------------------------------------------
# numpyro's TruncatedNormal as a family name


def test_truncatednormal_family_name(run):
    doc = run.json("summarize", "truncatednormal", "--loc", "1", "--scale", "2", "--low", "0", "--high", "4")
    assert doc["family"] == "Normal" and doc["truncate"] == [0.0, 4.0]
    oracle = st.truncnorm(-0.5, 1.5, loc=1, scale=2)
    assert doc["summary"]["mean"] == pytest.approx(oracle.mean(), rel=1e-8)
    assert doc["summary"]["quantiles"]["0.95"] == pytest.approx(oracle.ppf(0.95), rel=1e-8)
    info = run.json("info", "truncated-normal")
    assert info["family"] == "TruncatedNormal" and [p["name"] for p in info["params"]] == ["loc", "scale", "low", "high"]
    solved = run.json("solve", "truncatednormal", "--low", "0", "--median", "1", "--sd", "1")
    assert solved["truncate"] == [0.0, None]
    assert solved["numpyro"].startswith("dist.TruncatedNormal(")
    drawn = run.json("sample", "truncatednormal", "--low", "0", "-n", "2000", "--no-plot")
    assert drawn["mc"]["quantiles"]["0.025"] > 0.0
    assert_usage_error(run("summarize", "truncatednormal", "--low", "0", "--truncate", "1,"), "not both")


def test_solve_emit_keeps_the_truncation(run):
    result = run("solve", "gamma", "--truncate", "1,", "--median", "3", "--sd", "2", "--emit", "stan")
    assert result.exit_code == 0 and " T[1.0, ];" in result.stdout and "real<lower=1" in result.stdout
