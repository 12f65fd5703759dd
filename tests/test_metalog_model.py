"""The metalog in the model language, ``compare`` and as a quoted FAMILY (issue 21, item 7):
``Metalog([a1, a2, ...], lower=, upper=)`` and ``Metalog(p=[...], x=[...], ...)``, solved when parsed.

Oracles: Keelin's basis written in numpy from the paper's definition (tests/test_metalog.py's, in y
itself) for the defining equations Q(p_i) = x_i and the quantile function; the exact cdf of the
metalog for draws (a p-quantile of n draws has |F(q) - p| <= 4.5 sqrt(p (1 - p) / n) + 1/n); Stan,
PyMC and numpyro themselves for the emitted programs.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pytest

import stan_registry
from conftest import Run, assert_usage_error
from test_metalog import K_SIGMA, keelin_basis, oracle_quantile, to_scale
from priorcli.records import metalog as ml
from script_runner import run_python

INF = math.inf
PROBS = (0.05, 0.25, 0.5, 0.75, 0.95)
QUANTILE_FORM = "Metalog(p=[0.1, 0.5, 0.9], x=[1, 3, 10], lower=0, upper=20)"


def _parsed(text):
    from priorcli.model import parse as lang
    from priorcli.model.numpyro import dist_spec, is_family

    dexpr = lang.parse_distribution(text, is_family)
    return dist_spec(dexpr.family, *lang.evaluate_distribution(dexpr))


@pytest.mark.parametrize("text, p, x, lower, upper", [
    ("Metalog(p=[0.1, 0.9], x=[1, 10])", [0.1, 0.9], [1, 10], -INF, INF),
    ("Metalog(p=[0.1, 0.5, 0.9], x=[1, 3, 10], lower=0)", [0.1, 0.5, 0.9], [1, 3, 10], 0.0, INF),
    (QUANTILE_FORM, [0.1, 0.5, 0.9], [1, 3, 10], 0.0, 20.0),
    ("Metalog(p=[0.1, 0.5, 0.9], x=[1, 3, 10], upper=20)", [0.1, 0.5, 0.9], [1, 3, 10], -INF, 20.0),
    ("Metalog(x=[-2, 0.5, 2, 6], p=[0.05, 0.25, 0.75, 0.95])", [0.05, 0.25, 0.75, 0.95], [-2, 0.5, 2, 6], -INF, INF),
])
def test_quantile_form_solves_keelins_equations(text, p, x, lower, upper):
    spec = _parsed(text)
    a = np.array(spec.params["a"])
    assert len(a) == len(p)
    np.testing.assert_allclose(keelin_basis(np.array(p), len(a)) @ a, to_scale(x, lower, upper), rtol=1e-11, atol=1e-11)
    assert spec.params.get("lower", -INF) == lower and spec.params.get("upper", INF) == upper


def test_fewer_terms_are_keelins_least_squares():
    p, x = np.array([0.05, 0.25, 0.5, 0.75, 0.95]), np.array([10.0, 14.0, 15.0, 17.0, 25.0])
    spec = _parsed("Metalog(p=[0.05, 0.25, 0.5, 0.75, 0.95], x=[10, 14, 15, 17, 25], terms=3)")
    expected = np.linalg.lstsq(keelin_basis(p, 3), x, rcond=None)[0]
    np.testing.assert_allclose(spec.params["a"], expected, rtol=1e-10)


def test_compare_gives_the_exact_quantile_function(run):
    doc = run.json("compare", "Metalog([3, 2.048, 2.8445, 0.2])", QUANTILE_FORM, "LogNormal(1, 1)", "-n", "2000")
    first, second, lognormal = doc["distributions"]
    probs = [float(k) for k in first["exact"]["quantiles"]]
    np.testing.assert_allclose(list(first["exact"]["quantiles"].values()),
                               oracle_quantile([3, 2.048, 2.8445, 0.2], -INF, INF, np.array(probs)), rtol=1e-12)
    m = ml.fit([(0.1, 1.0), (0.5, 3.0), (0.9, 10.0)], 0.0, 20.0)
    np.testing.assert_allclose(list(second["exact"]["quantiles"].values()),
                               oracle_quantile(m.a, 0.0, 20.0, np.array(probs)), rtol=1e-12)
    assert second["exact"]["median"] == pytest.approx(3.0, rel=1e-12)
    assert first["exact"]["mean"] == pytest.approx(3 + 2.8445 / 2, rel=1e-12)  # a1 + a3 / 2
    assert lognormal["exact"]["median"] == pytest.approx(math.e, rel=1e-12)


def test_quoted_family_is_the_same_as_summarize_metalog(run):
    quoted = run.json("summarize", "Metalog(p=[0.1, 0.5, 0.9], x=[1, 3, 10], lower=0)")
    direct = run.json("summarize", "metalog", "--quantile", "0.1=1", "--quantile", "0.5=3", "--quantile", "0.9=10",
                      "--lower", "0")
    assert quoted["family"] == "Metalog" and quoted["params"] == direct["params"]
    assert quoted["summary"]["sd"] is None and direct["summary"]["sd"] is None  # h(1) > 1/2: an infinite sd
    for key in ("mean", "median", "mode"):
        assert quoted["summary"][key] == pytest.approx(direct["summary"][key], rel=1e-9)
    assert quoted["summary"]["quantiles"] == pytest.approx(direct["summary"]["quantiles"], rel=1e-12)


@pytest.mark.slow
def test_compare_and_quoted_sample_draw_the_metalog(run):
    n = 20000
    m = ml.fit([(0.1, 1.0), (0.5, 3.0), (0.9, 10.0)], 0.0, 20.0)
    doc = run.json("compare", QUANTILE_FORM, "LogNormal(1, 1)", "-n", n, "--seed", 5)
    _check_quantiles(m, doc["distributions"][0]["mc"]["quantiles"], n)
    sample = run.json("sample", QUANTILE_FORM, "-n", n, "--seed", 2)
    assert sample["family"] == "Metalog"
    _check_quantiles(m, sample["mc"]["quantiles"], n)


def _check_quantiles(m, quantiles: dict, n: int):
    for p, q in quantiles.items():
        p = float(p)
        assert abs(m.cdf(q) - p) <= K_SIGMA * math.sqrt(p * (1 - p) / n) + 1 / n, (p, q)


@pytest.mark.slow
def test_sample_model_draws_the_metalog_and_what_depends_on_it(run):
    n = 20000
    model = f"x ~ {QUANTILE_FORM}; y ~ Normal(x, 1); d = y - x"
    doc = run.json("sample", "--model", model, "-n", n, "--seed", 1)
    m = ml.fit([(0.1, 1.0), (0.5, 3.0), (0.9, 10.0)], 0.0, 20.0)
    _check_quantiles(m, doc["variables"]["x"]["mc"]["quantiles"], n)
    d = doc["variables"]["d"]["mc"]  # y - x is Normal(0, 1) whatever x is
    assert abs(d["mean"]) <= K_SIGMA / math.sqrt(n) and abs(d["sd"] - 1) <= K_SIGMA / math.sqrt(2 * n)
    raw = run("sample", "--model", model, "-n", 500, "--format", "raw")
    x = np.loadtxt(raw.stdout.splitlines()[1:], delimiter=",")[:, 0]
    assert np.all((x > 0) & (x < 20))


@pytest.mark.parametrize("text, needles, code", [
    ("Metalog(p=[0.1, 0.5, 0.9], x=[1, 3, 3.1])", ["no unbounded metalog", "(0.9, 3.1)", "decrease"], 1),
    ("Metalog(p=[0.1, 0.5, 0.9], x=[1, 3, 3])", ["(0.5, 3)", "(0.9, 3)", "increase"], 1),
    ("Metalog([1, -2])", ["decreases"], 1),
    ("Metalog(p=[0.1, 0.5], x=[1, 3], lower=5)", ["(0.1, 1)", "outside", "lower="], 2),
    ("Metalog(p=[0.1, 0.5], x=[1, 3, 4])", ["2 and 3 values"], 2),
    ("Metalog([1, 2], p=[0.1, 0.9], x=[1, 2])", ["not both"], 2),
    ("Metalog(lower=0)", ["coefficients or its quantiles"], 2),
    ("Metalog(p=[0.5], x=[1])", ["at least 2"], 2),
    ("Metalog([1])", ["at least 2"], 2),
    ("Metalog(p=[0.1, 0.5, 0.9], x=[1, 3, 10], terms=1)", ["terms"], 2),
    ("Metalog([1, 2], foo=3)", ["unknown argument 'foo'"], 2),
    ("Metalog([1, 2], lower=3, upper=1)", ["below"], 2),
    ("Metalog(p=[0.1, 0.9], x=[1, 10], lower=[0])", ["lower must be a constant number"], 2),
    ("exp(Metalog([1, 2]))", ["does not apply to a Metalog"], 2),
    ("truncated(Metalog([1, 2]), low=0)", ["does not apply to a Metalog"], 2),
])
def test_bad_metalogs_are_one_error_line(run, text, needles, code):
    result = run("compare", text, "-n", 100)
    assert_usage_error(result, "Metalog" if code == 2 else "", code=code)
    for needle in needles:
        assert needle in result.stderr, (needle, result.stderr)


def test_varying_coefficients_are_refused_naming_the_line(run):
    result = run("sample", "--model", "m ~ Normal(0, 1)\nx ~ Metalog([m, 2])", "-n", 100)
    assert_usage_error(result, "line 2", "constant numbers")


def test_solve_model_takes_no_free_name_inside_a_metalog(run):
    # a metalog of constants is a prior there (tests/test_metalog_predictive.py); its arguments stay constant
    result = run("solve", "--model", "s ~ HalfNormal(1); x ~ Metalog([1, m]); y ~ Normal(x, s)", "--quantile",
                 "y:0.9=5")
    assert_usage_error(result, "Metalog", "constant numbers")


# ---------------------------------------------------------------------------------------------
# the programs: metalog_quantile as solve metalog --emit defines it

MODEL = f"x ~ {QUANTILE_FORM}\ny ~ Normal(x, 1)\nx_u = x * 2"  # x_u taken: the uniform is x_u2


def _emitted(run, target, model=MODEL):
    result = run("sample", "--model", model, "--emit", target)
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("target", ["numpyro", "pymc", "stan", "stan-prior"])
def test_programs_define_metalog_quantile_as_solve_does(run, target):
    from priorcli.emit import metalog as programs

    code = _emitted(run, target)
    if target.startswith("stan"):
        import textwrap

        assert textwrap.indent(textwrap.dedent(programs.STAN_FUNCTION), "  ") in code
        assert "metalog_quantile(x_u2, [" in code
    else:
        assert programs.PYTHON_FUNCTION.replace("XP.", "jnp." if target == "numpyro" else "pt.") in code
        assert "metalog_quantile(" in code and '"x_u2"' in code
    solved = run("solve", "metalog", "--quantile", "0.1=1", "--quantile", "0.5=3", "--quantile", "0.9=10",
                 "--lower", "0", "--upper", "20", "--emit", target).stdout
    a = ml.fit([(0.1, 1.0), (0.5, 3.0), (0.9, 10.0)], 0.0, 20.0).a
    assert all(repr(float(v)) in code and repr(float(v)) in solved for v in a)


def _run_python(code: str, tmp_path, name: str, fresh: bool = False) -> str:
    (tmp_path / f"{name}.py").write_text(code, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_", "PRIORCLI_"))}
    done = run_python(f"{name}.py", cwd=tmp_path, env=env, timeout=1800, fresh=fresh)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.slow
@pytest.mark.parametrize("target", ["numpyro", "pymc"])
def test_python_programs_run_and_draw_the_metalog(run, tmp_path, target):
    from emit_support import parse_printed_quantiles

    printed = parse_printed_quantiles(_run_python(_emitted(run, target), tmp_path, f"model_{target}"))
    assert list(printed) == ["x", "y", "x_u"]
    _check_quantiles(ml.fit([(0.1, 1.0), (0.5, 3.0), (0.9, 10.0)], 0.0, 20.0), printed["x"], 10_000)
    for p, value in printed["x_u"].items():  # x_u = 2 x: the same draws, doubled
        assert value == pytest.approx(2 * printed["x"][p], rel=1e-5)


@pytest.mark.slow
def test_stan_programs_compile(run, tmp_path):
    from emit_support import assert_stanc_accepts

    for target in ("stan", "stan-prior"):
        assert_stanc_accepts(_emitted(run, target), tmp_path, f"model_{target.replace('-', '_')}")


STAN_MODEL = "x ~ Metalog(p=[0.1, 0.5, 0.9], x=[1, 3, 10], upper=20)\nz ~ Normal(0, 1)"
N_STAN = 4000
# compiled with the session's other Stan programs as one (stan_registry): the stan-prior program
# drawn by fixed_param, the stan program sampled by NUTS
PRIOR = stan_registry.Program("prior", lambda: _emitted(Run(), "stan-prior", STAN_MODEL), draws=N_STAN,
                              outputs=("x",))
POSTERIOR = stan_registry.Program("stan", lambda: _emitted(Run(), "stan", STAN_MODEL), nuts=N_STAN, seed=3,
                                  outputs=("x",))
STAN_PROGRAMS = (PRIOR, POSTERIOR)


@pytest.mark.slow
def test_stan_programs_run_with_pystan_and_draw_the_metalog(stan_programs):
    pytest.importorskip("stan", reason="PyStan is in the test extra")
    m = ml.fit([(0.1, 1.0), (0.5, 3.0), (0.9, 10.0)], -INF, 20.0)
    n = N_STAN
    drawn = {"stan-prior": stan_programs(PRIOR)["x"].ravel(), "stan": stan_programs(POSTERIOR)["x"].ravel()}
    for target in ("stan-prior", "stan"):
        x = drawn[target]
        assert x.shape == (n,) and np.all(x < 20)
        widen = 1.0 if target == "stan-prior" else 2.0  # NUTS draws are correlated (u is uniform: mildly)
        for p in PROBS:
            q = np.quantile(x, p)
            assert abs(m.cdf(q) - p) <= widen * (K_SIGMA * math.sqrt(p * (1 - p) / n) + 1 / n), (target, p, q)
