"""logit, probit (Phi^-1) and inv_probit (Phi) as transforms and model-language functions (issue 21,
item 5). Oracles: scipy.stats.logistic and scipy.stats.norm (the Stan guide: the logit of a uniform
is logistic, Phi^-1 of a uniform is normal), scipy.special for the functions, closed forms
(logit/ndtri of scipy.stats.beta's quantiles) for a Beta base.

Drawn-density check: the share of n draws in each of B bins of equal oracle mass 1/B is binomial,
so each share must lie within 4.5 * sqrt((1/B)(1 - 1/B)/n) of 1/B.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
import scipy.special as sp
from scipy import stats

import stan_registry
from conftest import assert_usage_error
from script_runner import run_python

PROBS = (0.001, 0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975, 0.999)
LEVELS = ",".join(repr(p) for p in PROBS)
N = 20_000
BINS = 20

UNIFORM = ["uniform", "--low", "0", "--high", "1"]
EXACT = [
    (UNIFORM, "logit", stats.logistic()),
    (UNIFORM, "probit", stats.norm()),
    (["normal", "--loc", "0", "--scale", "1"], "inv_probit", stats.uniform(0, 1)),
    (["normal", "--loc", "0", "--scale", "1"], "Phi", stats.uniform(0, 1)),
    (["logistic", "--loc", "0", "--scale", "1"], "inv_logit", stats.uniform(0, 1)),
]
IDS = [f"{a[0]}-{t}" for a, t, _ in EXACT]


def _close(got, want, rel=1e-8, abs_=1e-12):
    return got is not None and math.isclose(got, want, rel_tol=rel, abs_tol=abs_)


@pytest.mark.parametrize("argv, transform, oracle", EXACT, ids=IDS)
def test_exact_summary_is_the_oracle(run, argv, transform, oracle):
    doc = run.json("summarize", *argv, "--transform", transform, "--quantiles", LEVELS)
    s = doc["summary"]
    assert s["method"] == "exact" and s["n"] is None
    for p in PROBS:
        assert _close(s["quantiles"][repr(p)], oracle.ppf(p)), (p, s["quantiles"][repr(p)], oracle.ppf(p))
    assert _close(s["median"], oracle.median())
    assert _close(s["mean"], oracle.mean(), abs_=1e-9)
    assert _close(s["sd"], oracle.std())
    if oracle.dist.name != "uniform":  # a uniform's density is flat: no mode
        assert _close(s["mode"], 0.0, abs_=1e-7)


def test_beta_base_quantiles_are_the_transformed_quantiles(run):
    """Quantiles of a monotone transform are transformed quantiles: logit / Phi^-1 of Beta(2, 5)'s."""
    beta = stats.beta(2, 5)
    for transform, fn in (("logit", sp.logit), ("probit", sp.ndtri)):
        s = run.json("summarize", "beta", "--alpha", "2", "--beta", "5", "--transform", transform,
                     "--quantiles", LEVELS)["summary"]
        for p in PROBS:
            assert _close(s["quantiles"][repr(p)], fn(beta.ppf(p))), (transform, p)
    # mean of logit(Beta(a, b)) in closed form: digamma(a) - digamma(b)
    s = run.json("summarize", "beta", "--alpha", "2", "--beta", "5", "--transform", "logit")["summary"]
    assert _close(s["mean"], sp.digamma(2) - sp.digamma(5))
    assert _close(s["sd"], math.sqrt(sp.polygamma(1, 2) + sp.polygamma(1, 5)))


@pytest.mark.parametrize("argv, transform, oracle", EXACT[:3], ids=IDS[:3])
def test_density_carries_the_jacobian(argv, transform, oracle):
    from priorcli.families.registry import resolve
    from priorcli.families.transforms import parse_transform
    from priorcli.stats.exact import DistSpec, ExactDistribution

    family = resolve(argv[0])
    params = {argv[i].lstrip("-"): float(argv[i + 1]) for i in range(1, len(argv), 2)}
    params = {{"low": "low", "high": "high"}.get(k, k): v for k, v in params.items()}
    exact = ExactDistribution(DistSpec(family, params, (parse_transform(transform),)))
    ys = oracle.ppf(np.linspace(0.01, 0.99, 41))
    np.testing.assert_allclose(exact.log_density(ys), oracle.logpdf(ys), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("argv, transform, oracle", EXACT[:3], ids=IDS[:3])
def test_drawn_density_is_the_oracle(run, argv, transform, oracle):
    result = run("sample", *argv, "--transform", transform, "-n", N, "--seed", 3, "--format", "raw")
    assert result.exit_code == 0, result.stderr
    draws = np.loadtxt(io.StringIO(result.stdout))
    assert draws.shape == (N,)
    edges = oracle.ppf(np.linspace(0, 1, BINS + 1))
    counts = np.histogram(draws, bins=np.clip(edges, -1e300, 1e300))[0]
    share = counts / N
    tolerance = 4.5 * math.sqrt((1 / BINS) * (1 - 1 / BINS) / N)
    assert np.all(np.abs(share - 1 / BINS) < tolerance), share


@pytest.mark.parametrize("argv, transform, instead", [
    (["normal"], "probit", "inv_probit"),
    (["uniform", "--low", "0", "--high", "2"], "probit", "inv_probit"),
    (["normal"], "logit", "sigmoid"),
    (["gamma", "--alpha", "2", "--beta", "1"], "logit", "sigmoid"),
])
@pytest.mark.parametrize("command", ["summarize", "sample"])
def test_probit_or_logit_off_the_unit_interval_is_a_usage_error(run, command, argv, transform, instead):
    result = run(command, *argv, "--transform", transform)
    assert_usage_error(result, f"--transform {transform}", "(0, 1)", instead)
    assert result.stdout == ""


def test_a_chain_into_the_unit_interval_may_then_take_probit(run):
    """Phi then Phi^-1 is the identity: the chain's support is followed through each step."""
    s = run.json("summarize", "normal", "--loc", "0.3", "--scale", "2", "--transform", "Phi",
                 "--transform", "probit")["summary"]
    assert _close(s["quantiles"]["0.05"], stats.norm(0.3, 2).ppf(0.05))
    s = run.json("summarize", "normal", "--transform", "sigmoid", "--transform", "logit")["summary"]
    assert _close(s["quantiles"]["0.95"], stats.norm.ppf(0.95))


def test_transform_names_in_the_help_and_unknown_message(run):
    result = run("summarize", "normal", "--transform", "nope")
    assert_usage_error(result, "logit", "probit (Phi^-1)", "inv_probit (Phi)")


# ---------------------------------------------------------------------------------------------
# the model language


MODEL = "u ~ Uniform(0, 1); z ~ probit(Uniform(0, 1)); l ~ logit(Uniform(0, 1)); w ~ Phi(Normal(0, 1)); " \
        "q = probit(u); c = inv_probit(q); d = Phi(q) - c; g = logit(u)"


@pytest.mark.slow
def test_model_functions_and_transforms(run):
    result = run("sample", "--model", MODEL, "-n", N, "--seed", 5, "--format", "raw")
    assert result.exit_code == 0, result.stderr
    header, _, rows = result.stdout.partition("\n")
    names = header.split(",")
    table = np.loadtxt(io.StringIO(rows), delimiter=",")
    v = {name: table[:, i] for i, name in enumerate(names)}
    np.testing.assert_allclose(v["q"], sp.ndtri(v["u"]), rtol=1e-12)
    np.testing.assert_allclose(v["c"], v["u"], rtol=1e-12)
    np.testing.assert_allclose(v["d"], 0.0, atol=0.0)
    np.testing.assert_allclose(v["g"], sp.logit(v["u"]), rtol=1e-12)
    tolerance = 4.5 * math.sqrt((1 / BINS) * (1 - 1 / BINS) / N)
    for name, oracle in (("z", stats.norm()), ("l", stats.logistic()), ("w", stats.uniform())):
        share = np.histogram(oracle.cdf(v[name]), bins=BINS, range=(0, 1))[0] / N
        assert np.all(np.abs(share - 1 / BINS) < tolerance), (name, share)


def test_model_probit_of_a_real_base_is_a_usage_error(run):
    result = run("sample", "--model", "z ~ probit(Normal(0, 1))")
    assert_usage_error(result, "line 1", "probit", "inv_probit")


@pytest.mark.parametrize("spec, bad", [
    ("u ~ Normal(0, 1); q = probit(u)", None),
    ("u ~ Normal(0, 1); q ~ Normal(probit(u), 1)", None),
    ("q = probit(2)", "got 2"),
    ("q ~ Normal(probit(-1), 1)", "got -1"),
])
def test_model_probit_function_off_the_unit_interval_is_a_usage_error(run, spec, bad):
    """probit(x) once meant Phi(x): a model written so now gets a usage error, not NaN."""
    result = run("sample", "--model", spec)
    assert_usage_error(result, "line 1", "probit(x) is Phi^-1", "inv_probit(x)", *([bad] if bad else []))


def test_emitted_code_names_each_frameworks_function(run):
    model = "u ~ Uniform(0, 1); z ~ probit(Uniform(0, 1)); l ~ logit(Beta(2, 2)); w ~ Phi(Normal(0, 1)); " \
            "x = probit(u) + inv_probit(u) + logit(u)"
    stan = run("sample", "--model", model, "--emit", "stan").stdout
    for line in ("real z = inv_Phi(z_raw);", "real l = logit(l_raw);", "real<lower=0, upper=1> w = Phi(w_raw);",
                 "real x = inv_Phi(u) + Phi(u) + logit(u);"):
        assert line in stan, line
    pymc = run("sample", "--model", model, "--emit", "pymc").stdout
    for line in ('z = pm.Deterministic("z", pm.math.probit(z_raw))', 'l = pm.Deterministic("l", pm.math.logit(l_raw))',
                 'w = pm.Deterministic("w", pm.math.invprobit(w_raw))',
                 'pm.math.probit(u) + pm.math.invprobit(u) + pm.math.logit(u)'):
        assert line in pymc, line
    numpyro = run("sample", "--model", model, "--emit", "numpyro").stdout
    for text in ("[InvProbitTransform().inv]", "[dist.transforms.SigmoidTransform().inv]", "[InvProbitTransform()]",
                 "jax.scipy.special.ndtri(u) + jax.scipy.special.ndtr(u) + jax.scipy.special.logit(u)",
                 "class InvProbitTransform("):
        assert text in numpyro, text


EMIT_MODEL = "z ~ probit(Uniform(0, 1)); l ~ logit(Uniform(0, 1)); w ~ Phi(Normal(0, 1)); " \
             "u ~ Uniform(0, 1); q = probit(u)"
EMIT_ORACLES = {"z": stats.norm(), "l": stats.logistic(), "w": stats.uniform(), "q": stats.norm()}
EMIT_LEVELS = (0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975)
N_EMITTED = 10_000


@pytest.mark.parametrize("target", ["stan", "stan-prior"])
def test_stan_programs_compile_with_stanc(target, tmp_path):
    from emit_support import assert_stanc_accepts, emitted

    assert_stanc_accepts(emitted(EMIT_MODEL, target), tmp_path)


def _printed_mismatches(printed: dict, n: int) -> list:
    from emit_support import band

    bad = []
    for name, oracle in EMIT_ORACLES.items():
        for p, q in printed[name].items():
            if abs(oracle.cdf(q) - p) > band(p, n):
                bad.append((name, p, q))
    return bad


@pytest.mark.slow
@pytest.mark.parametrize("target", ["numpyro", "pymc"])
def test_emitted_python_programs_print_the_exact_quantiles(target, tmp_path):
    import os

    from emit_support import emitted, parse_printed_quantiles

    code = emitted(EMIT_MODEL, target, "-n", N_EMITTED, "--seed", 2,
                   "--quantiles", ",".join(repr(p) for p in EMIT_LEVELS))
    path = tmp_path / f"prior_{target}.py"
    path.write_text(code, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_", "PRIORCLI_"))}
    done = run_python(str(path), cwd=tmp_path, env=env, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    printed = parse_printed_quantiles(done.stdout)
    assert _printed_mismatches(printed, N_EMITTED) == []


def _stan_prior() -> str:
    from emit_support import emitted

    return emitted(EMIT_MODEL, "stan-prior")


# compiled with the session's other Stan programs as one (stan_registry), drawn under fixed_param
PRIOR = stan_registry.Program("prior", _stan_prior, draws=N_EMITTED, outputs=tuple(EMIT_ORACLES))
STAN_PROGRAMS = (PRIOR,)


@pytest.mark.slow
def test_emitted_stan_prior_program_draws_the_exact_distributions(stan_programs):
    """The stan-prior program, built and run by PyStan with fixed_param."""
    out = {k: v.ravel() for k, v in stan_programs(PRIOR).items()}
    printed = {k: dict(zip(EMIT_LEVELS, np.quantile(out[k], EMIT_LEVELS))) for k in EMIT_ORACLES}
    assert _printed_mismatches(printed, N_EMITTED) == []
