"""Issue 22, item 2: ``sample --numpyro FILE.py:FUNCTION``, the prior predictive of the user's own
numpyro model. Model files are written into tmp_path.

Oracles: closed forms (a + x_i with a ~ Normal(m, s) is Normal(m + x_i, s); Poisson(n) has mean n
and variance n; a deterministic 2 * a is exactly twice the draws of a), and an independent numpy
simulation of a hierarchical regression. Bands: emit_support.band and 5 standard errors.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pytest
import scipy.stats as st

from conftest import assert_usage_error
from emit_support import band

N = 20_000
QS = (0.05, 0.25, 0.5, 0.75, 0.95)
QS_ARG = ",".join(map(repr, QS))

MODEL = """\
import jax.numpy as jnp
import numpyro
import numpyro.distributions as dist


def model(x, n=3, mu=0.0, y=None):
    a = numpyro.sample("a", dist.Normal(mu, 2.0))
    with numpyro.plate("rows", x.shape[0]):
        numpyro.sample("y", dist.Normal(a + x, 1.0), obs=y)
    numpyro.deterministic("twice", 2 * a)
    numpyro.deterministic("grid", jnp.stack([a * jnp.ones(2), -a * jnp.ones(2)]))  # a 2 x 2 site
    numpyro.sample("k", dist.Poisson(n))


def regression(x):
    a = numpyro.sample("a", dist.Normal(1, 0.5))
    b = numpyro.sample("b", dist.Normal(2, 0.3))
    sigma = numpyro.sample("sigma", dist.HalfNormal(1))
    y = numpyro.sample("y", dist.Normal(a + b * x, sigma))
    numpyro.deterministic("share", jnp.mean(jnp.where(y > 6, 1.0, 0.0)))  # jnp.mean(bool) is float32 even in x64


def not_a_model(x):
    return x


def broken(x):
    numpyro.sample("a", dist.Normal(0, 1))
    raise ValueError("the model is broken\\nsecond line")
"""


@pytest.fixture
def model_file(tmp_path):
    path = tmp_path / "mymodel.py"
    path.write_text(MODEL, encoding="utf-8")
    return path


@pytest.mark.slow
def test_sites_match_closed_forms(run, model_file):
    x = [0.0, 1.5, -2.0]
    doc = run.json("sample", "--numpyro", f"{model_file}:model", "--data", "x=" + ",".join(map(str, x)),
                   "--arg", "n=4", "--arg", "mu=1.5", "-n", N, "--seed", 3, "--quantiles", QS_ARG)
    assert list(doc["variables"]) == ["a", "y", "twice", "grid", "k"]
    assert doc["seed"] == 3 and doc["draws"] == N
    a, y, k = doc["variables"]["a"]["mc"], doc["variables"]["y"], doc["variables"]["k"]["mc"]
    assert abs(a["mean"] - 1.5) <= 5 * 2 / math.sqrt(N)
    for key, q in a["quantiles"].items():
        assert abs(st.norm.cdf(q, 1.5, 2) - float(key)) <= band(float(key), N)
    assert y["elements"]["size"] == 3 and y["mc"]["n"] == 3 * N
    for i, xi in enumerate(x):  # a + x_i + e_i: Normal(1.5 + x_i, sqrt(5))
        for p in QS:
            q = y["elements"]["quantiles"][repr(p)][i]
            assert abs(st.norm.cdf(q, 1.5 + xi, math.sqrt(5)) - p) <= band(p, N), (i, p)
    assert abs(k["mean"] - 4) <= 5 * 2 / math.sqrt(N) and abs(k["sd"] ** 2 / 4 - 1) < 0.1
    grid = doc["variables"]["grid"]["elements"]
    assert grid["size"] == 4  # a 2 x 2 site is a vector of its 4 elements, C order
    assert grid["mean"][0] == pytest.approx(a["mean"], rel=1e-12)
    assert grid["mean"][2] == pytest.approx(-a["mean"], rel=1e-12)


def test_deterministic_sites_are_exact_functions_of_the_draws(run, model_file):
    raw = run("sample", "--numpyro", f"{model_file}:model", "--data", "x=1,2", "-n", 500, "--format", "raw",
              "--show", "a,twice,y[1]")
    assert raw.exit_code == 0, raw.stderr
    lines = raw.stdout.splitlines()
    assert lines[0] == "a,twice,y[1]"
    table = np.loadtxt(lines[1:], delimiter=",")
    np.testing.assert_allclose(table[:, 1], 2 * table[:, 0], rtol=1e-15)


def test_observed_sites_are_drawn_not_fixed(run, model_file):
    """--data y=... makes y observed in the model; a prior predictive draws it all the same."""
    doc = run.json("sample", "--numpyro", f"{model_file}:model", "--data", "x=0,0", "--data", "y=100,100",
                   "-n", 4000, "--show", "y")
    assert abs(doc["variables"]["y"]["mc"]["mean"]) < 5 * math.sqrt(5 / 4000)


@pytest.mark.slow
def test_regression_matches_numpy(run, model_file, tmp_path):
    x = np.array([0.5, 1.0, 2.0, 3.5, 5.0])
    csv = tmp_path / "data.csv"
    csv.write_text("x\n" + "\n".join(map(repr, x.tolist())) + "\n")
    doc = run.json("sample", "--numpyro", f"{model_file}:regression", "--data", str(csv), "-n", N, "--seed", 1,
                   "--quantiles", QS_ARG)
    rng = np.random.default_rng(5)
    m = 400_000
    a, b, sigma = rng.normal(1, 0.5, m), rng.normal(2, 0.3, m), np.abs(rng.normal(0, 1, m))
    y = rng.normal(a[:, None] + b[:, None] * x, sigma[:, None])
    oracle = {"a": a, "b": b, "sigma": sigma, "y": y.reshape(-1), "share": (y > 6).mean(axis=1)}
    for name, values in oracle.items():
        summary = doc["variables"][name]["mc"]
        values = np.round(values, 9)  # share's atoms (k / 5) are summed in another order by jax: last-bit ties
        for key, q in summary["quantiles"].items():
            p, q = float(key), round(q, 9)
            assert np.mean(values < q) - band(p, N, m) <= p <= np.mean(values <= q) + band(p, N, m), (name, p)


def test_bad_input(run, model_file, tmp_path):
    spec = f"{model_file}:model"
    assert_usage_error(run("sample", "--numpyro", str(tmp_path / "none.py:model")), "--numpyro", "no such file")
    assert_usage_error(run("sample", "--numpyro", f"{model_file}:nope"), "defines no 'nope'", "regression")
    assert_usage_error(run("sample", "--numpyro", f"{model_file}:not_a_model", "--data", "x=1,2"),
                       "no sample sites", "not a numpyro model")
    assert_usage_error(run("sample", "--numpyro", spec, "--data", "x=1", "--arg", "zz=1"),
                       "no argument 'zz'", "x, n, mu, y")
    assert_usage_error(run("sample", "--numpyro", spec, "--arg", "n=abc"), "--arg 'n=abc'", "not a number")
    assert_usage_error(run("sample", "--numpyro", spec, "--model", "a ~ Normal(0, 1)"), "--numpyro", "--model")
    assert_usage_error(run("sample", "--numpyro", spec, "--emit", "stan"), "--emit")
    assert_usage_error(run("sample", "normal", "--arg", "n=1"), "--arg", "--numpyro")
    result = run("sample", "--numpyro", f"{model_file}:broken", "--data", "x=1")
    assert_usage_error(result, "the model raised ValueError: the model is broken", code=1)
    assert "second line" not in result.stderr
    raising = tmp_path / "raising.py"
    raising.write_text("import numpyro\nraise RuntimeError('at import')\n")
    assert_usage_error(run("sample", "--numpyro", f"{raising}:model"), "raised RuntimeError: at import", code=1)
    syntax = tmp_path / "syntax.py"
    syntax.write_text("def model(:\n")
    assert_usage_error(run("sample", "--numpyro", f"{syntax}:model"), "SyntaxError", code=1)
    result = run("sample", "--numpyro", spec)  # x is required
    assert_usage_error(result, "TypeError", "'x'", code=1)


def test_file_alone_names_model_and_helper_modules_import(run, tmp_path):
    (tmp_path / "helpers.py").write_text("SCALE = 3.0\n")
    path = tmp_path / "withhelper.py"
    path.write_text(textwrap.dedent("""\
        import numpyro
        import numpyro.distributions as dist
        from helpers import SCALE


        def model():
            numpyro.sample("z", dist.Normal(0, SCALE))
        """))
    doc = run.json("sample", "--numpyro", str(path), "-n", N, "--seed", 2)
    assert abs(doc["variables"]["z"]["mc"]["sd"] / 3 - 1) <= 5 / math.sqrt(2 * N)
