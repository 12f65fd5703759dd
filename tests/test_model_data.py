"""Issue 22, item 1: data and vectors in the model language (--data, vector variables, comparisons,
reductions, pooled and per-element summaries, --emit with data).

Oracles: closed forms derived on paper for models with fixed parameters (mean(y) of
y ~ Normal(a + b x, s) is Normal(a + b mean(x), s / sqrt(K)); mean(y > c) has mean
mean_i Phi((a + b x_i - c) / s)); numpy's own quantile/std for reductions of data; an independent
numpy simulation of a hierarchical regression for the rest. Monte Carlo bands: emit_support.band
(K = 4.5 standard errors, from both sample sizes) and 5 standard errors for means.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re

import numpy as np
import pytest
import scipy.stats as st

import stan_registry
from conftest import assert_usage_error
from emit_support import assert_stanc_accepts, band, emitted, parse_printed_quantiles, stanc_binary
from script_runner import run_python

X = np.array([0.5, 1.0, 2.0, 3.5, 5.0])
X_ARG = "x=" + ",".join(repr(float(v)) for v in X)
N = 20_000
M = 400_000
QS = (0.05, 0.25, 0.5, 0.75, 0.95)
QS_ARG = ",".join(map(repr, QS))
REGRESSION = ("a ~ Normal(1, 0.5); b ~ Normal(2, 0.3); sigma ~ HalfNormal(1); y ~ Normal(a + b * x, sigma); "
              "m = mean(y); top = max(y); share = mean(y > 6); q = quantile(y, 0.25); k = count(y > x)")


def _regression_oracle(rng, m=M) -> dict[str, np.ndarray]:
    a = rng.normal(1, 0.5, m)
    b = rng.normal(2, 0.3, m)
    sigma = np.abs(rng.normal(0, 1, m))
    y = rng.normal(a[:, None] + b[:, None] * X, sigma[:, None])
    return {"a": a, "b": b, "sigma": sigma, "y": y, "m": y.mean(axis=1), "top": y.max(axis=1),
            "share": (y > 6).mean(axis=1), "q": np.quantile(y, 0.25, axis=1), "k": (y > X).sum(axis=1)}


def _check_quantiles(summary: dict, oracle: np.ndarray, n: int, name: str) -> None:
    oracle = np.round(oracle, 9)  # atoms of discrete statistics (k / 5): last-bit ties in another summation order
    for key, q in summary["quantiles"].items():
        p, q = float(key), round(q, 9)
        f_lo, f_hi = np.mean(oracle < q), np.mean(oracle <= q)  # discrete statistics have atoms
        b = band(p, n, oracle.size)
        assert f_lo - b <= p <= f_hi + b, (name, p, q, f_lo, f_hi)
    se = math.sqrt(oracle.var() * (1 / n + 1 / oracle.size))
    assert abs(summary["mean"] - oracle.mean()) <= 5 * se, (name, summary["mean"], oracle.mean())


# ---------------------------------------------------------------------------------------------
# closed forms


def test_mean_of_a_regression_with_fixed_parameters_is_normal(run):
    a, b, s = 1.5, -0.7, 2.0
    spec = f"y ~ Normal({a} + {b} * x, {s}); m = mean(y); share = mean(y > 0); k = count(y > 0)"
    doc = run.json("sample", "--model", spec, "--data", X_ARG, "-n", N, "--seed", 5, "--quantiles", QS_ARG)
    m = doc["variables"]["m"]["mc"]
    mu, sd = a + b * X.mean(), s / math.sqrt(X.size)
    assert abs(m["mean"] - mu) <= 5 * sd / math.sqrt(N)
    assert abs(m["sd"] / sd - 1) <= 5 / math.sqrt(2 * (N - 1))
    for key, q in m["quantiles"].items():
        assert abs(st.norm.cdf(q, mu, sd) - float(key)) <= band(float(key), N)
    probs = st.norm.sf(0, a + b * X, s)  # P(y_i > 0)
    share, k = doc["variables"]["share"]["mc"], doc["variables"]["k"]["mc"]
    share_sd = math.sqrt(np.sum(probs * (1 - probs))) / X.size
    assert abs(share["mean"] - probs.mean()) <= 5 * share_sd / math.sqrt(N)
    assert abs(k["mean"] - probs.sum()) <= 5 * share_sd * X.size / math.sqrt(N)
    # the vector itself: pooled n * K values, and per element Normal(a + b x_i, s)
    y = doc["variables"]["y"]
    assert y["mc"]["n"] == N * X.size and y["elements"]["size"] == X.size
    assert set(y["elements"]["quantiles"]) == {repr(p) for p in QS}
    for i, xi in enumerate(X):
        assert abs(y["elements"]["mean"][i] - (a + b * xi)) <= 5 * s / math.sqrt(N)
        assert abs(y["elements"]["sd"][i] / s - 1) <= 5 / math.sqrt(2 * (N - 1))
        for p in QS:
            q = y["elements"]["quantiles"][repr(p)][i]
            assert abs(st.norm.cdf(q, a + b * xi, s) - p) <= band(p, N)
    pooled_cdf = lambda v: st.norm.cdf(v, a + b * X, s).mean()  # noqa: E731 - the mixture of the elements
    for key, q in y["mc"]["quantiles"].items():
        assert abs(pooled_cdf(q) - float(key)) <= band(float(key), N)  # N of the N * K: conservative


def test_reductions_of_data_are_numpys(run):
    spec = ("m = mean(x); s = sd(x); lo = min(x); hi = max(x); t = sum(x); q = quantile(x, 0.3); "
            "c = count(x >= 2); r = mean((x > 1) * (x <= 3.5)); z = (x - mean(x)) / sd(x); big = 2 < 3 <= 3")
    doc = run.json("sample", "--model", spec, "--data", X_ARG, "-n", 3)
    v = {name: d["mc"]["mean"] for name, d in doc["variables"].items()}
    assert v["m"] == pytest.approx(X.mean(), rel=1e-14)
    assert v["s"] == pytest.approx(X.std(ddof=1), rel=1e-14)
    assert (v["lo"], v["hi"], v["t"]) == (X.min(), X.max(), pytest.approx(X.sum(), rel=1e-14))
    assert v["q"] == pytest.approx(np.quantile(X, 0.3), rel=1e-14)
    assert v["c"] == 3.0 and v["r"] == pytest.approx(2 / 5) and v["big"] == 1.0
    z = doc["variables"]["z"]["elements"]["mean"]
    np.testing.assert_allclose(z, (X - X.mean()) / X.std(ddof=1), rtol=1e-13)


# ---------------------------------------------------------------------------------------------
# independent numpy simulation


@pytest.mark.slow
def test_hierarchical_regression_matches_numpy(run, tmp_path):
    csv = tmp_path / "d.csv"
    csv.write_text("x,unused\n" + "".join(f"{v!r},{i}\n" for i, v in enumerate(X.tolist())), encoding="utf-8")
    result = run("sample", "--model", REGRESSION, "--data", str(csv), "-n", N, "--seed", 9, "--quantiles", QS_ARG,
                 "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip() == "Warning: --data: 'unused' not used by the model"
    doc = json.loads(result.stdout)
    oracle = _regression_oracle(np.random.default_rng(2022))
    assert list(doc["variables"]) == list(oracle)
    for name, values in oracle.items():
        summary = doc["variables"][name]["mc"]
        # pooled values of one draw share a, b, sigma: N (not N * K) independent values is the conservative count
        _check_quantiles(summary, values.reshape(-1), N, name)
    for i in range(X.size):
        element = {"quantiles": {k: v[i] for k, v in doc["variables"]["y"]["elements"]["quantiles"].items()},
                   "mean": doc["variables"]["y"]["elements"]["mean"][i]}
        _check_quantiles(element, oracle["y"][:, i], N, f"y[{i}]")


def test_show_element_and_raw_columns(run):
    doc = run.json("sample", "--model", "y ~ Normal(x, 0.001)", "--data", X_ARG, "-n", 50, "--show", "y[3]")
    assert list(doc["variables"]) == ["y[3]"] and abs(doc["variables"]["y[3]"]["mc"]["mean"] - X[3]) < 1e-3
    raw = run("sample", "--model", "a ~ Normal(0, 1); y ~ Normal(x, 0.001)", "--data", X_ARG, "-n", 4,
              "--format", "raw")
    assert raw.stdout.splitlines()[0] == "a," + ",".join(f"y[{i}]" for i in range(X.size))
    table = run("sample", "--model", "a ~ Normal(0, 1); y ~ Normal(x, 1)", "--data", X_ARG, "-n", 100, "--no-plot")
    assert "y (5 pooled)" in table.stdout


# ---------------------------------------------------------------------------------------------
# data files


def test_csv_cmdstan_and_json_data_give_the_same_vectors(run, tmp_path):
    spec = "s = sum(x) + N"
    wide = tmp_path / "wide.csv"
    wide.write_text("N," + ",".join(f"x.{i + 1}" for i in range(X.size)) + "\n10," + ",".join(map(repr, X.tolist())) + "\n")
    js = tmp_path / "d.json"
    js.write_text(json.dumps({"N": 10, "x": X.tolist()}))
    for data in (str(wide), str(js)):
        doc = run.json("sample", "--model", spec, "--data", data, "-n", 2)
        assert doc["variables"]["s"]["mc"]["mean"] == pytest.approx(X.sum() + 10, rel=1e-14), data
    long = tmp_path / "long.csv"
    long.write_text("# a comment\nx\n" + "\n".join(map(repr, X.tolist())) + "\n")
    doc = run.json("sample", "--model", "s = sum(x) + N", "--data", str(long), "--data", "N=10", "-n", 2)
    assert doc["variables"]["s"]["mc"]["mean"] == pytest.approx(X.sum() + 10, rel=1e-14)
    doc = run.json("sample", "--model", "s = sum(x)", "--data", "x=[4]", "-n", 2)  # a vector of one value
    assert doc["variables"]["s"]["mc"]["mean"] == 4.0


@pytest.mark.parametrize("spec, data, needles", [
    ("x ~ Normal(0, 1)", ["x=1,2"], ("line 1", "'x' is given as data", "--data 'x=1,2'")),
    ("y = x * [1, 2]", [X_ARG], ("different lengths (2 and 5)",)),
    ("y = mean(x)", ["x=3"], ("'mean' reduces a vector", "'x' is a number")),
    ("y = sd(x)", ["x=[3]"], ("'sd' of a vector of one value",)),
    ("y = quantile(x, 1.5)", [X_ARG], ("quantile's level", "[0, 1]")),
    ("y = min(x, 2)", [X_ARG], ("minimum(a, b)",)),
    ("y = x", ["x=1,a"], ("--data 'x=1,a'", "'a' is not a number")),
    ("y = x", ["x=1,,2"], ("--data 'x=1,,2'", "NAME=V,V")),
    ("y = x", ["x=inf"], ("not a finite number",)),
    ("y = x", ["x=1", "x=2"], ("'x' is given twice",)),
    ("y = x", ["mean=1"], ("'mean' is a built-in function",)),
])
def test_bad_data_is_one_error_line(run, spec, data, needles):
    args = [a for d in data for a in ("--data", d)]
    result = run("sample", "--model", spec, *args, "-n", 10)
    assert_usage_error(result, *needles)


@pytest.mark.parametrize("text, needles", [
    ("x,y\n1,2\n3\n", ("line 3", "expected 2 field(s), found 1")),
    ("x,y\n1,2\n3,\n", ("line 3", "column 'y'", "empty cell")),
    ("x,y\n1,2\n3,abc\n", ("line 3", "column 'y'", "'abc' is not a number")),
    ("x,y\n1,2\n3,nan\n", ("line 3", "not a finite number")),
    ("1,2\n3,4\n", ("header row",)),
    ("x.1,x.2\n1,2\n3,4\n", ("CmdStan-style", "matrix")),
    ("x.1,x.3\n1,2\n", ("numbered [1, 3]",)),
])
def test_bad_csv_is_one_error_line(run, tmp_path, text, needles):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    result = run("sample", "--model", "s = sum(x)", "--data", str(path), "-n", 10)
    assert_usage_error(result, "--data", "bad.csv", *needles)
    assert "--drop-nonfinite" not in result.stderr


def test_missing_data_file_is_exit_1(run, tmp_path):
    assert_usage_error(run("sample", "--model", "s = sum(x)", "--data", str(tmp_path / "no.csv")),
                       "no.csv", "no such file", code=1)


def test_unused_data_is_one_warning_and_data_needs_a_model(run):
    result = run("sample", "--model", "a ~ Normal(0, 1)", "--data", "zz=1,2", "-n", 10, "--no-plot")
    assert result.exit_code == 0 and result.stderr.strip() == "Warning: --data: 'zz' not used by the model"
    assert_usage_error(run("sample", "normal", "--data", "x=1"), "--data", "--model")


def test_vector_budget(run):
    result = run("sample", "--model", "y ~ Normal(x, 1)", "--data", "x=" + ",".join(["1"] * 1000), "-n", 20000)
    assert_usage_error(result, "'y' has 1000 elements", "-n 16777")


def test_vector_draws_shape_and_batched_scalars():
    from priorcli.model import parse as lang
    from priorcli.model.numpyro import is_family, sample_model

    data = (lang.DataItem("x", tuple(X), True, "--data x"),)
    model = lang.parse_model("s ~ Gamma(2, 1); y ~ Normal(x, s); n ~ Poisson(s * x)", is_family, data)
    values = sample_model(model, 300, 1)
    assert values["s"].shape == (300,) and values["y"].shape == (300, 5) and values["n"].shape == (300, 5)
    assert set(values) == {"s", "y", "n"}  # data is not a variable


# ---------------------------------------------------------------------------------------------
# --emit with data


def test_emitted_stan_programs_declare_data_and_pass_stanc(tmp_path):
    if stanc_binary() is None:
        pytest.skip("no stanc binary")
    spec = REGRESSION + "; z = (y - mean(y)) / sd(y); hit = (a > b) + (y <= 4) * 2; half = N / 2"
    for target in ("stan", "stan-prior"):
        code = emitted(spec, target, "--data", X_ARG, "--data", "N=7")
        assert "vector[5] x;" in code and "int N;" in code and "real half = 1.0 * N / 2;" in code
        data = json.loads(re.search(r"^// (\{.*\})$", code, re.M).group(1))
        assert data == {"x": X.tolist(), "N": 7}
        assert "vector cmp_gt(vector a, vector b)" in code and "vector cmp_le(vector a, vector b)" in code
        assert_stanc_accepts(code, tmp_path, target.replace("-", "_"))


def _run_python(code: str, tmp_path, name: str, fresh: bool = False) -> str:
    path = tmp_path / f"{name}.py"
    path.write_text(code, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_", "PRIORCLI_"))}
    done = run_python(str(path), cwd=tmp_path, env=env, timeout=600, fresh=fresh)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.slow
@pytest.mark.parametrize("target", ["numpyro", "pymc"])
def test_emitted_python_programs_with_data_match_numpy(target, tmp_path):
    n = 10_000
    code = emitted(REGRESSION, target, "--data", X_ARG, "-n", n, "--seed", 4, "--quantiles", QS_ARG)
    assert ("def model(x):" in code) if target == "numpyro" else ('pm.Data("x", np.array([' in code)
    printed = parse_printed_quantiles(_run_python(code, tmp_path, f"prior_{target}"))
    oracle = _regression_oracle(np.random.default_rng(77))
    for name, values in oracle.items():
        columns = {name: values} if values.ndim == 1 else {f"{name}[{i}]": values[:, i] for i in range(X.size)}
        for label, column in columns.items():
            for p, q in printed[label].items():
                f_lo, f_hi = np.mean(column < q), np.mean(column <= q)
                assert f_lo - band(p, n, M) <= p <= f_hi + band(p, n, M), (target, label, p, q)


@functools.cache
def _stan_prior_with_data() -> str:
    return emitted(REGRESSION, "stan-prior", "--data", X_ARG)


# compiled with the session's other Stan programs as one (stan_registry), drawn under fixed_param
# with the data the program's header comment gives
PRIOR = stan_registry.Program(
    "prior", _stan_prior_with_data, draws=10_000,
    data=lambda: json.loads(re.search(r"^// (\{.*\})$", _stan_prior_with_data(), re.M).group(1)))
STAN_PROGRAMS = (PRIOR,)


@pytest.mark.slow
def test_emitted_stan_prior_with_data_runs_under_pystan(stan_programs):
    out = stan_programs(PRIOR)
    oracle = _regression_oracle(np.random.default_rng(78))
    for name, values in oracle.items():
        draws = out[name].T if values.ndim == 2 else out[name].ravel()  # Stan's arrays: (K, draws)
        assert draws.shape == (10_000,) + values.shape[1:], name
        column = values.reshape(-1)
        for p in QS:
            q = np.quantile(draws.reshape(-1), p)
            assert np.mean(column < q) - band(p, 10_000) <= p <= np.mean(column <= q) + band(p, 10_000), (name, p)
