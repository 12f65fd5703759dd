"""Issue 19, the model language's items: vector variables (the Stan guide's hierarchical Dirichlet),
bounded reads of --model files and stdin, non-UTF-8 model files, unknown functions, the forum model.

Oracles: independent numpy simulations of the same priors (Gamma then Dirichlet per draw, through
the Gamma(a + 1) * U^(1/a) identity on the log scale, so that tiny concentrations do not underflow),
scipy for the univariate marginals, stanc for the emitted Stan programs. Monte Carlo comparisons use
a fixed seed and bands derived from the draw counts (emit_support's quantile band).
"""

from __future__ import annotations

import math
import os
import subprocess
import sys

import numpy as np
import pytest
import scipy.stats as st

from conftest import assert_usage_error
from emit_support import band, emitted, parse_printed_quantiles, stanc_binary
from script_runner import run_python

HIER = "kappa ~ Gamma(2, 0.2); theta ~ Dirichlet(kappa * [1, 2, 3])"
SIMPLEX = "phi ~ Dirichlet([1, 1, 1]); kappa ~ Gamma(2, 0.2); theta ~ Dirichlet(kappa * phi); alpha = kappa * phi"
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
N = 20_000  # priorcli's draws
M = 400_000  # the numpy oracle's


def _dirichlet_rows(rng, alpha: np.ndarray) -> np.ndarray:
    """One Dirichlet draw per row of ``alpha`` (shape (m, K)): normalised Gamma(alpha) draws, each
    as log Gamma(alpha + 1) + log(U) / alpha (exact, and free of underflow for tiny alpha)."""
    log_g = np.log(rng.gamma(alpha + 1.0)) + np.log(rng.uniform(size=alpha.shape)) / alpha
    log_g -= log_g.max(axis=1, keepdims=True)
    g = np.exp(log_g)
    return g / g.sum(axis=1, keepdims=True)


def _oracle_hier(rng) -> dict[str, np.ndarray]:
    kappa = rng.gamma(2.0, 1 / 0.2, size=M)
    theta = _dirichlet_rows(rng, kappa[:, None] * np.array([1.0, 2.0, 3.0]))
    return {"kappa": kappa, **{f"theta[{i}]": theta[:, i] for i in range(3)}}


def _oracle_simplex(rng) -> dict[str, np.ndarray]:
    phi = _dirichlet_rows(rng, np.ones((M, 3)))
    kappa = rng.gamma(2.0, 1 / 0.2, size=M)
    alpha = kappa[:, None] * phi
    theta = _dirichlet_rows(rng, alpha)
    out = {"kappa": kappa}
    for i in range(3):
        out.update({f"phi[{i}]": phi[:, i], f"theta[{i}]": theta[:, i], f"alpha[{i}]": alpha[:, i]})
    return out


def _check_summary(summary: dict, oracle: np.ndarray, n: int, name: str) -> None:
    """Quantiles: the oracle's CDF at priorcli's q_p is within the band of p; the mean within 5
    standard errors (both sample sizes)."""
    m = oracle.size
    for key, q in summary["quantiles"].items():
        p = float(key)
        f = np.mean(oracle <= q)
        assert abs(f - p) <= band(p, n, m), (name, p, q, f)
    se = math.sqrt(oracle.var() * (1 / n + 1 / m))
    assert abs(summary["mean"] - oracle.mean()) <= 5 * se, (name, summary["mean"], oracle.mean())


@pytest.mark.slow
@pytest.mark.parametrize("spec, oracle", [(HIER, _oracle_hier), (SIMPLEX, _oracle_simplex)], ids=["const", "simplex"])
def test_item5_hierarchical_dirichlet_marginals_match_numpy(run, spec, oracle):
    expected = oracle(np.random.default_rng(20261))
    # issue 22: a vector variable is shown pooled by default; --show theta[0] shows an element as before
    doc = run.json("sample", "--model", spec, "-n", N, "--seed", 3, "--quantiles", ",".join(map(repr, QUANTILES)),
                   "--show", ",".join(expected))
    assert set(doc["variables"]) == set(expected)
    for name, values in expected.items():
        summary = doc["variables"][name]["mc"]
        assert summary["n"] == N and summary["method"] == "monte-carlo"
        _check_summary(summary, values, N, name)


def test_item5_vector_draws_are_n_by_k_not_n_by_n():
    """At n = 3000 the old code built one 3000-component Dirichlet (a (3000, 3000) array, 2 GB at
    n = 10000); each draw must get its own concentration vector."""
    from priorcli.model import parse as lang
    from priorcli.model.numpyro import sample_model

    values = sample_model(lang.parse_model(SIMPLEX), 3000, 0)
    assert values["kappa"].shape == (3000,)
    for name in ("phi", "theta", "alpha"):
        assert values[name].shape == (3000, 3), name
    np.testing.assert_allclose(values["theta"].sum(axis=1), 1.0, atol=1e-9)
    np.testing.assert_allclose(values["alpha"], values["kappa"][:, None] * values["phi"], rtol=1e-12)


def test_item5_scalar_concentration_is_a_usage_error(run):
    result = run("sample", "--model", "kappa ~ Gamma(2, 0.2); theta ~ Dirichlet(concentration=kappa * 1)",
                 "-n", 3000)
    assert_usage_error(result, "concentration", "Dirichlet", "kappa * [1, 1, 1]")


@pytest.mark.parametrize("spec, needles", [
    ("x ~ Dirichlet(1, 1, 1)", ("Dirichlet([1, 1, 1])",)),
    # issue 22: Normal([0, 1], 1) is now a vector variable (one Normal per element); vector targets are not
    ("x ~ LogNormal(mode=[1, 2], sigma=1)", ("the targets of LogNormal in a model are numbers",)),
    ("a = [1, 2]; b = [1, 2, 3]; c = a * b", ("different lengths (2 and 3)", "c = a * b")),
    ("x = [[1, 2]]", ("nested",)),
    ("x = []", ("empty vector",)),
    ("x ~ exp(Dirichlet([1, 1]))", ("transforms apply to distributions of a number",)),
])
def test_item5_vector_misuse_is_one_error_line(run, spec, needles):
    assert_usage_error(run("sample", "--model", spec, "-n", 10), *needles)


@pytest.mark.slow
def test_item5_table_and_json_name_each_component(run):
    """Issue 22 changed this: a vector is one pooled column (and JSON 'elements'); --show theta[i] names one."""
    table = run("sample", "--model", HIER, "-n", 2000, "--no-plot")
    assert table.exit_code == 0, table.stderr
    header = next(line for line in table.stdout.splitlines() if "kappa" in line)
    assert header.split() == ["kappa", "theta", "(3", "pooled)"]
    doc = run.json("sample", "--model", HIER, "-n", 2000, "--show", "theta")
    assert list(doc["variables"]) == ["theta"] and doc["variables"]["theta"]["elements"]["size"] == 3
    assert math.isclose(sum(doc["variables"]["theta"]["elements"]["mean"]), 1.0, rel_tol=1e-9)
    doc = run.json("sample", "--model", HIER, "-n", 2000, "--show", "theta[0],theta[1],theta[2]")
    assert list(doc["variables"]) == ["theta[0]", "theta[1]", "theta[2]"]
    means = [doc["variables"][f"theta[{i}]"]["mc"]["mean"] for i in range(3)]
    assert math.isclose(sum(means), 1.0, rel_tol=1e-9)  # components of one simplex per draw


@pytest.mark.slow
def test_item5_emitted_stan_is_valid_for_vector_parameters(tmp_path):
    if stanc_binary() is None:
        pytest.skip("no stanc binary")
    spec = SIMPLEX + "; r = 1 / phi + phi * phi ** 2; v = [kappa, 1, 2]"
    for target in ("stan", "stan-prior"):
        code = emitted(spec, target)
        assert "simplex[3] phi;" in code or "vector[3] phi = dirichlet_rng" in code
        assert "vector[3] r = 1 ./ phi + phi .* phi .^ 2;" in code
        source = tmp_path / f"{target}.stan"
        source.write_text(code, encoding="utf-8")
        done = subprocess.run([str(stanc_binary()), str(source), f"--o={tmp_path / 'out.hpp'}"],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and "Warning" not in done.stderr, (done.stderr, code)


def test_item5_emitted_pymc_writes_vectors():
    code = emitted(SIMPLEX + "; v = [kappa, 1, 2]", "pymc")
    compile(code, "model.py", "exec")
    assert 'pm.Dirichlet("phi", a=np.array([1.0, 1.0, 1.0]))' in code
    assert 'pm.Dirichlet("theta", a=kappa * phi)' in code
    assert 'pm.Deterministic("v", pt.stack([kappa, 1.0, 2.0]))' in code
    assert "QUANTILES, {'phi': 3, 'theta': 3, 'alpha': 3, 'v': 3})" in code


@pytest.mark.slow
def test_item5_emitted_numpyro_program_runs_and_matches_numpy(tmp_path):
    n = 10_000
    code = emitted(SIMPLEX, "numpyro", "-n", n, "--seed", 4, "--quantiles", ",".join(map(repr, QUANTILES)))
    path = tmp_path / "prior.py"
    path.write_text(code, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_", "PRIORCLI_"))}
    done = run_python(str(path), cwd=tmp_path, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    printed = parse_printed_quantiles(done.stdout)
    expected = _oracle_simplex(np.random.default_rng(7))
    assert set(printed) == set(expected)
    for name, quantiles in printed.items():
        for p, q in quantiles.items():
            assert abs(np.mean(expected[name] <= q) - p) <= band(p, n, M), (name, p, q)


# ---------------------------------------------------------------------------------------------
# reading --model


def test_item_model_dev_zero_is_refused_at_the_limit(run):
    assert_usage_error(run("sample", "--model", "/dev/zero"), "--model '/dev/zero'", "too large", "100000")


@pytest.mark.slow
def test_item_model_endless_stdin_is_refused_at_the_limit():
    """The process must stop reading after 100,001 characters and exit 2, while the writer still
    has megabytes to send (before, it read until end of input, which never came)."""
    proc = subprocess.Popen([sys.executable, "-m", "priorcli", "sample", "--model", "-"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        try:
            proc.stdin.write(b"x ~ Normal(0, 1)\n" * 60_000)  # 1 MB, and the input stays open
            proc.stdin.flush()
        except BrokenPipeError:
            pass
        proc.wait(timeout=120)  # an unbounded reader waits for the end of input here: never
        err = proc.stderr.read().decode()
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: --model '-'") and "too large" in lines[0], err


def test_item_model_exactly_at_the_limit_is_read_whole(run, tmp_path):
    path = tmp_path / "m.txt"
    text = "x ~ Normal(0, 1)\n"
    path.write_text(text + "#" * (100_000 - len(text)), encoding="utf-8")
    result = run("sample", "--model", str(path), "-n", 10, "--format", "json")
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("where", ["file", "stdin"])
def test_item_model_not_utf8_is_one_error_line(run, tmp_path, where):
    data = "x ~ Normal(0, 1)  # café\n".encode("latin-1")
    if where == "file":
        path = tmp_path / "latin1.txt"
        path.write_bytes(data)
        result, named = run("sample", "--model", str(path)), f"--model '{path}'"
    else:
        result, named = run("sample", "--model", "-", input=data), "--model '-'"
    assert_usage_error(result, named, "not UTF-8", "0xe9", code=1)


# ---------------------------------------------------------------------------------------------
# unknown functions


def test_item_model_unknown_function_lists_the_functions(run):
    result = run("sample", "--model", "u ~ Uniform(0, 1); x = erf(u)")
    assert_usage_error(result, "unknown function 'erf'", "log", "exp", "softplus", "sigmoid")
    assert "'~'" not in result.stderr
    nested = run("sample", "--model", "u ~ Uniform(0, 1); x ~ Normal(erf(u), 1)")
    assert_usage_error(nested, "unknown function 'erf'")


def test_item_model_distribution_after_equals_still_suggests_tilde(run):
    assert_usage_error(run("sample", "--model", "u ~ Uniform(0, 1); x = Normal(u, 1)"), "use '~'")


# ---------------------------------------------------------------------------------------------
# the forum model


def test_item_model_forum_hierarchical_prior_runs(run):
    spec = ("theta_group ~ LogNormal(1.0, 1.0)\ntau_group ~ HalfCauchy(5)\n"
            "theta_part ~ LogNormal(log(theta_group), tau_group)\n")
    n = 20_000
    doc = run.json("sample", "--model", spec, "-n", n, "--seed", 2, "--quantiles", ",".join(map(repr, QUANTILES)))
    for key, q in doc["variables"]["theta_group"]["mc"]["quantiles"].items():
        assert abs(st.lognorm(1.0, scale=math.e).cdf(q) - float(key)) <= band(float(key), n)
    for key, q in doc["variables"]["tau_group"]["mc"]["quantiles"].items():
        assert abs(st.halfcauchy(scale=5).cdf(q) - float(key)) <= band(float(key), n)
    rng = np.random.default_rng(5)
    group = rng.lognormal(1.0, 1.0, size=M)
    tau = np.abs(5 * rng.standard_cauchy(size=M))
    log_part = np.log(group) + tau * rng.standard_normal(size=M)  # on the log scale: no overflow
    for key, q in doc["variables"]["theta_part"]["mc"]["quantiles"].items():
        p = float(key)
        assert abs(np.mean(log_part <= math.log(q)) - p) <= band(p, n, M), (p, q)
