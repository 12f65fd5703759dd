"""sample: Monte Carlo values agree with exact ones within tolerances derived from n; output contract."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats

N = 20000
PROBS = (0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975)

CASES = [
    (["lognormal", "--mu", "0", "--sigma", "1"], [], stats.lognorm(s=1.0)),
    (["gamma", "--alpha", "2", "--beta", "3"], [], stats.gamma(2, scale=1 / 3)),
    (["beta", "--alpha", "2", "--beta", "5"], [], stats.beta(2, 5)),
    (["normal", "--loc", "0", "--scale", "1"], ["inv_probit"], stats.uniform(0, 1)),
    (["gamma", "--alpha", "3", "--beta", "2"], ["reciprocal"], stats.invgamma(3, scale=2)),
]


@pytest.mark.parametrize("argv,transforms,oracle", CASES, ids=[" ".join(a + t) for a, t, _ in CASES])
def test_monte_carlo_within_standard_errors(run, argv, transforms, oracle):
    args = ["sample", *argv, "-n", N, "--seed", 1]
    for t in transforms:
        args += ["--transform", t]
    doc = run.json(*args)
    assert doc["mc"]["n"] == N and doc["mc"]["method"] == "monte-carlo"
    for p in PROBS:
        q = oracle.ppf(p)
        # Asymptotic standard error of the sample p-quantile: sqrt(p(1-p)/n) / f(q).
        se = math.sqrt(p * (1 - p) / N) / oracle.pdf(q)
        assert abs(doc["mc"]["quantiles"][repr(p)] - q) < 4.5 * se, p
        assert math.isclose(doc["exact"]["quantiles"][repr(p)], q, rel_tol=1e-8)
    # Standard error of the mean; the tolerance needs a finite variance, which these cases have.
    assert abs(doc["mc"]["mean"] - oracle.mean()) < 4.5 * oracle.std() / math.sqrt(N)


def test_json_document_keys(run):
    doc = run.json("sample", "lognormal", "--mu", "0", "--sigma", "1", "-n", 100)
    assert set(doc) == {"family", "params", "transforms", "seed", "draws", "mc", "exact"}
    assert doc["params"] == {"loc": 0.0, "scale": 1.0}
    assert doc["seed"] == 0 and doc["draws"] == 100 and doc["transforms"] == []
    for key in ("mc", "exact"):
        assert {"mean", "sd", "median", "mode", "quantiles", "method", "n"} <= set(doc[key])
    assert doc["exact"]["method"] == "exact" and doc["exact"]["n"] is None


def test_defaults_are_filled_and_shown(run):
    doc = run.json("sample", "studentt", "--df", "3", "-n", 10)
    assert doc["params"] == {"df": 3.0, "loc": 0.0, "scale": 1.0}


def test_same_seed_same_bytes_and_other_seed_differs(run):
    argv = ["sample", "lognormal", "--mu", "0", "--sigma", "1", "-n", 500]
    first, second = run(*argv), run(*argv)
    assert first.exit_code == 0 and first.stdout == second.stdout
    assert run(*argv, "--seed", "7").stdout != first.stdout


def test_table_and_plot_have_no_ansi(run):
    result = run("sample", "lognormal", "--mu", "0", "--sigma", "1", "-n", 2000, "--log-x")
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout
    assert "LogNormal(loc=0, scale=1)" in result.stdout
    assert "Monte Carlo" in result.stdout and "exact" in result.stdout
    assert "log scale" in result.stdout


def test_raw_is_one_draw_per_line(run):
    result = run("sample", "normal", "-n", 50, "--format", "raw")
    lines = result.stdout.splitlines()
    assert len(lines) == 50
    values = np.array([float(v) for v in lines])
    assert values.std() > 0


def test_csv_rows(run):
    result = run("sample", "normal", "-n", 50, "--format", "csv")
    lines = result.stdout.splitlines()
    assert lines[0] == "quantity,Monte Carlo,exact"
    assert lines[1].startswith("mean,") and lines[-1].startswith("q0.975,")


def test_dirichlet_row_per_component(run):
    doc = run.json("sample", "dirichlet", "--concentration", "1,2,3", "-n", 4000)
    assert len(doc["mc"]) == 3 and len(doc["exact"]) == 3
    for i, a in enumerate((1, 2, 3)):
        sd = stats.beta(a, 6 - a).std()
        assert abs(doc["mc"][i]["mean"] - a / 6) < 4.5 * sd / math.sqrt(4000)
    table = run("sample", "dirichlet", "--concentration", "1,2,3", "-n", 1000)
    assert "component 2" in table.stdout


def test_discrete_family_integer_draws(run):
    doc = run.json("sample", "poisson", "--rate", "4", "-n", 5000)
    assert float(doc["mc"]["median"]).is_integer() and float(doc["mc"]["mode"]).is_integer()
    result = run("sample", "poisson", "--rate", "4", "-n", 2000)
    assert result.exit_code == 0


@pytest.mark.parametrize(
    "argv,oracle",
    [
        (["binomial", "--probs", "0.3", "--total_count", "10"], stats.binom(10, 0.3)),
        (["poisson", "--rate", "4.5"], stats.poisson(4.5)),
        (["betabinomial", "--alpha", "2", "--beta", "3", "--total_count", "10"], stats.betabinom(10, 2, 3)),
    ],
)
def test_discrete_monte_carlo_against_scipy(run, argv, oracle):
    """Empirical CDF at a few integers within 4.5 binomial standard errors of scipy's."""
    result = run("sample", *argv, "-n", N, "--seed", 2, "--format", "raw")
    draws = np.array([float(v) for v in result.stdout.split()])
    assert np.all(draws == np.round(draws))
    for k in range(int(oracle.ppf(0.05)), int(oracle.ppf(0.95)) + 1):
        f = oracle.cdf(k)
        assert abs(np.mean(draws <= k) - f) < 4.5 * math.sqrt(f * (1 - f) / N), k


def test_output_file_and_force(run, tmp_path):
    target = tmp_path / "draws.npy"
    result = run("sample", "normal", "-n", 100, "--output", target, "--no-plot")
    assert result.exit_code == 0, result.stderr
    draws = np.load(target)
    assert draws.shape == (100,)
    again = run("sample", "normal", "-n", 100, "--output", target)
    assert again.exit_code == 2 and "--force" in again.stderr
    forced = run("sample", "normal", "-n", 10, "--output", target, "--force", "--no-plot")
    assert forced.exit_code == 0 and np.load(target).shape == (10,)
    as_json = tmp_path / "d.json"
    run("sample", "normal", "-n", 5, "--output", as_json, "--no-plot")
    assert len(json.loads(as_json.read_text())) == 5
    missing = run("sample", "normal", "-n", 5, "--output", tmp_path / "nope" / "d.csv")
    assert missing.exit_code == 1 and missing.stderr.startswith("Error:")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.json", "draws.npy"]
