"""The Python API (priorcli.summarize / solve / sample), against scipy.stats as the oracle and
against the command line, which calls the same functions."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

import priorcli
from priorcli.render import output as render
from priorcli.errors import InfeasibleError, UsageError
from priorcli.solving import Solution, Underdetermined
from script_runner import run_python

README = Path(__file__).resolve().parent.parent / "README.md"
LEVELS = (0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975)


def _lognorm(p):
    return stats.lognorm(p["scale"], scale=math.exp(p["loc"]))


# ---------------------------------------------------------------------------------------------
# summarize


@pytest.mark.parametrize(
    "family, kwargs, oracle",
    [
        ("lognormal", dict(mu=0.3, sigma=0.8), stats.lognorm(0.8, scale=math.exp(0.3))),
        ("gamma", dict(alpha=2.5, beta=1.5), stats.gamma(2.5, scale=1 / 1.5)),
        ("Beta", dict(concentration1=2.0, concentration0=5.0), stats.beta(2.0, 5.0)),
        ("student-t", dict(df=4, loc=1, scale=2), stats.t(4, 1, 2)),
        ("halfcauchy", dict(scale=5), stats.halfcauchy(scale=5)),
    ],
)
def test_summarize_is_exact(family, kwargs, oracle):
    s = priorcli.summarize(family, **kwargs)
    assert s.method == "exact" and s.n is None
    assert tuple(s.quantiles) == LEVELS
    assert_allclose([s.quantiles[p] for p in LEVELS], oracle.ppf(LEVELS), rtol=1e-8)
    assert_allclose(s.median, oracle.median(), rtol=1e-8)
    if math.isfinite(oracle.mean()):
        assert_allclose([s.mean, s.sd], [oracle.mean(), oracle.std()], rtol=1e-8)
    else:
        assert s.mean is None and s.sd is None


@pytest.mark.slow
def test_summarize_solves_targets_first_and_takes_levels_and_transforms():
    s = priorcli.summarize("lognormal", mode=1, sigma=0.5, levels=[0.1, 0.9])
    assert s.mode == pytest.approx(1.0, rel=1e-12)
    assert_allclose([s.quantiles[0.1], s.quantiles[0.9]], _lognorm({"loc": 0.25, "scale": 0.5}).ppf([0.1, 0.9]),
                    rtol=1e-8)
    s = priorcli.summarize("normal", quantiles={0.05: -1.0, 0.95: 3.0})
    assert_allclose([s.quantiles[0.05], s.quantiles[0.95]], [-1.0, 3.0], rtol=1e-8)
    # exp(Normal(0.3, 0.8)) is LogNormal(0.3, 0.8)
    s = priorcli.summarize("normal", loc=0.3, scale=0.8, transforms="exp")
    assert_allclose(s.median, math.exp(0.3), rtol=1e-10)
    assert_allclose(s.mean, stats.lognorm(0.8, scale=math.exp(0.3)).mean(), rtol=1e-8)


def test_summarize_dirichlet_gives_one_summary_per_component():
    parts = priorcli.summarize("dirichlet", concentration=(1.5, 2.0, 3.5))
    assert isinstance(parts, tuple) and len(parts) == 3
    for a, s in zip((1.5, 2.0, 3.5), parts):
        assert_allclose(s.mean, stats.beta(a, 7.0 - a).mean(), rtol=1e-10)
        assert_allclose(s.quantiles[0.95], stats.beta(a, 7.0 - a).ppf(0.95), rtol=1e-8)


@pytest.mark.parametrize(
    "family, kwargs, tokens",
    [
        ("gamma", dict(alpha=2, beta=1), ["--alpha", "2", "--beta", "1"]),
        ("lognormal", dict(mode=1, sigma=0.5), ["--mode", "1", "--sigma", "0.5"]),
        ("studentt", dict(df=3, loc=1, quantile=(0.9, 2.0)), ["--df", "3", "--loc", "1", "--quantile", "0.9=2"]),
    ],
)
def test_summarize_equals_the_command_line(run, family, kwargs, tokens):
    doc = run.json("summarize", family, *tokens)
    assert render.summary_json(priorcli.summarize(family, **kwargs)) == doc["summary"]


# ---------------------------------------------------------------------------------------------
# solve


def test_solve_lognormal_from_mode_and_sigma():
    r = priorcli.solve("lognormal", mode=1, sigma=0.5)
    assert isinstance(r, Solution)
    assert r.params == {"loc": 0.25, "scale": 0.5}
    assert r.achieved == {"mode": 1.0} and r.targets == {"mode": 1.0}
    assert r.numpyro_code == "dist.LogNormal(loc=0.25, scale=0.5)"
    assert r.stan_code == "lognormal(0.25, 0.5)"
    assert r.pymc_code == 'pm.LogNormal("x", mu=0.25, sigma=0.5)'


def _gamma(p):
    return stats.gamma(p["concentration"], scale=1 / p["rate"])


@pytest.mark.parametrize(
    "family, targets, check, expected",
    [
        ("lognormal", dict(mode=1, sd=0.5), lambda p: (_lognorm(p).std(), math.exp(p["loc"] - p["scale"] ** 2)),
         (0.5, 1.0)),
        ("gamma", dict(quantiles={0.05: 1.0, 0.95: 10.0}), lambda p: _gamma(p).ppf([0.05, 0.95]), (1.0, 10.0)),
        ("gamma", dict(quantiles=[(0.05, 1.0), (0.95, 10.0)]), lambda p: _gamma(p).ppf([0.05, 0.95]), (1.0, 10.0)),
        ("lognormal", dict(median=2.0, quantile=(0.9, 6.0)), lambda p: (_lognorm(p).median(), _lognorm(p).ppf(0.9)),
         (2.0, 6.0)),
        ("beta", dict(mean=0.3, count=10),
         lambda p: (stats.beta(p["concentration1"], p["concentration0"]).mean(), p["concentration1"] + p["concentration0"]),
         (0.3, 10.0)),
        ("gamma", dict(lower=1, upper=10, mass=0.9), lambda p: (_gamma(p).cdf(10) - _gamma(p).cdf(1),), (0.9,)),
        ("normal", dict(mean=1, sd=2), lambda p: (stats.norm(p["loc"], p["scale"]).mean(), stats.norm(p["loc"], p["scale"]).std()),
         (1.0, 2.0)),
    ],
)
def test_solve_meets_the_targets_by_scipy(family, targets, check, expected):
    r = priorcli.solve(family, **targets)
    assert_allclose(check(r.params), expected, rtol=1e-6)


def test_solve_equals_the_command_line(run):
    doc = run.json("solve", "gamma", "--mean", "2", "--quantile", "0.9=3.5")
    r = priorcli.solve("gamma", mean=2, quantile="0.9=3.5")
    assert render.params_json(r.params) == doc["params"]
    assert (r.numpyro_code, r.stan_code, r.pymc_code) == (doc["numpyro"], doc["stan"], doc["pymc"])


def test_solve_to_numpyro_is_a_numpyro_distribution_with_scipys_density():
    import numpyro.distributions as dist

    r = priorcli.solve("gamma", mean=2, sd=1)
    d = r.to_numpyro()
    assert isinstance(d, dist.Gamma)
    x = np.array([0.5, 2.0, 4.0])
    assert_allclose(np.asarray(d.log_prob(x)), stats.gamma(4.0, scale=0.5).logpdf(x), rtol=1e-10)
    dirichlet = priorcli.solve("dirichlet", mean=(0.2, 0.3, 0.5), count=10).to_numpyro()
    assert isinstance(dirichlet, dist.Dirichlet)
    assert_allclose(np.asarray(dirichlet.concentration), [2.0, 3.0, 5.0], rtol=1e-12)


def test_solve_underdetermined_returns_the_relation_and_a_table():
    r = priorcli.solve("lognormal", mode=1)
    assert isinstance(r, Underdetermined)
    assert r.relation.startswith("mu = log(mode) + sigma^2")
    for row in r.solutions:
        p = row["params"]
        assert_allclose(math.exp(p["loc"] - p["scale"] ** 2), 1.0, rtol=1e-12)


@pytest.mark.parametrize(
    "call, exc, needles",
    [
        (lambda: priorcli.solve("lognormal", mdoe=1), UsageError, ["--mdoe", "--mode"]),
        (lambda: priorcli.solve("lognormal", mode="abc", sd=1), UsageError, ["--mode", "abc"]),
        (lambda: priorcli.solve("lognormal", mode=True, sd=1), UsageError, ["mode=True"]),
        (lambda: priorcli.solve("lognormal"), UsageError, ["at least one target"]),
        (lambda: priorcli.solve("lognormla", mode=1, sd=1), UsageError, ["lognormla", "LogNormal"]),
        (lambda: priorcli.solve("lognormal", mode=-1, sd=1), UsageError, ["mode=-1", "support"]),
        (lambda: priorcli.solve("lognormal", mode=2, mean=1), InfeasibleError, ["mode < median < mean"]),
        (lambda: priorcli.solve("gamma", quantile=(0.9,)), UsageError, ["(probability, value)"]),
        (lambda: priorcli.summarize("normal", scale=-1), UsageError, ["--scale"]),
        (lambda: priorcli.sample("normal", n=0), UsageError, ["n=0"]),
        (lambda: priorcli.sample("normal", seed=-1), UsageError, ["seed=-1"]),
        (lambda: priorcli.summarize("normal", levels=[1.5]), UsageError, ["levels"]),
    ],
)
def test_bad_input_raises_the_command_lines_errors(call, exc, needles):
    with pytest.raises(exc) as info:
        call()
    message = str(info.value)
    assert "\n" not in message
    for needle in needles:
        assert needle in message, message


# ---------------------------------------------------------------------------------------------
# sample


def test_sample_draws_are_the_command_lines_and_the_summaries_agree(run):
    s = priorcli.sample("normal", n=2000, seed=3, mu=1, sigma=2)
    raw = run("sample", "normal", "--mu", "1", "--sigma", "2", "-n", 2000, "--seed", 3, "--format", "raw")
    assert raw.exit_code == 0, raw.stderr
    assert np.array_equal(s.draws, np.loadtxt(raw.stdout.splitlines()))
    doc = run.json("sample", "normal", "--mu", "1", "--sigma", "2", "-n", 2000, "--seed", 3)
    assert render.summary_json(s.summary) == doc["mc"]
    assert render.summary_json(s.exact) == doc["exact"]
    assert s.params == {"loc": 1.0, "scale": 2.0} and s.seed == 3


def test_sample_summary_is_within_monte_carlo_error_of_scipy():
    n = 20000
    s = priorcli.sample("gamma", n=n, seed=7, alpha=3, beta=2)
    oracle = stats.gamma(3.0, scale=0.5)
    assert s.draws.shape == (n,) and s.draws.dtype == np.float64
    assert s.summary.n == n and s.summary.method == "monte-carlo"
    assert abs(s.summary.mean - oracle.mean()) <= 5 * oracle.std() / math.sqrt(n)
    assert_allclose(s.exact.mean, oracle.mean(), rtol=1e-12)
    for p in (0.05, 0.5, 0.95):  # 5 standard errors of an empirical quantile's level
        assert abs(oracle.cdf(s.summary.quantiles[p]) - p) <= 5 * math.sqrt(p * (1 - p) / n)


def test_sample_from_targets_and_dirichlet():
    s = priorcli.sample("lognormal", n=100, seed=0, mode=1, sigma=0.5)
    assert s.params == {"loc": 0.25, "scale": 0.5}
    d = priorcli.sample("dirichlet", n=500, seed=1, concentration=(1, 2, 3))
    assert d.draws.shape == (500, 3) and len(d.summary) == 3 and len(d.exact) == 3
    assert_allclose(d.draws.sum(axis=1), 1.0, rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# light imports, the README example


def _fresh(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    return done.stdout.strip()


def test_importing_priorcli_and_a_closed_form_solve_import_no_jax():
    code = (
        "import sys, priorcli\n"
        "heavy = {'numpy', 'scipy', 'jax', 'numpyro'}\n"
        "before = sorted({m.split('.')[0] for m in sys.modules} & heavy)\n"
        "r = priorcli.solve('lognormal', mode=1, sigma=0.5)\n"
        "assert r.params == {'loc': 0.25, 'scale': 0.5}\n"
        "print(before, sorted({m.split('.')[0] for m in sys.modules} & heavy))\n"
    )
    assert _fresh(code) == "[] []"


def test_the_cli_module_leaves_priorcli_solve_the_function():
    code = "import priorcli.cli, priorcli.commands.family, priorcli.solving, priorcli\nprint(callable(priorcli.solve))"
    assert _fresh(code) == "True"


@pytest.mark.slow
def test_the_readme_example_runs(tmp_path):
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Python API"):]
    example = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    script = tmp_path / "example.py"
    script.write_text(example, encoding="utf-8")
    done = run_python(script, cwd=tmp_path, timeout=600)  # as `python example.py` (tests/script_runner.py)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[1] == "{'loc': 0.25, 'scale': 0.5}" and lines[2] == "{'mode': 1.0}"
    assert lines[3] == "dist.LogNormal(loc=0.25, scale=0.5)"
    assert float(lines[-1]) == pytest.approx(stats.lognorm(0.5, scale=math.exp(0.25)).logpdf(1.0), rel=1e-10)
    # the example's seven prints and nothing else on stdout (the library never prints)
    assert len(lines) == 7, lines
    median, mode, q975 = map(float, lines[0].split())
    lognormal = stats.lognorm(1.0)
    assert (median, mode) == (1.0, pytest.approx(math.exp(-1), rel=1e-12))
    assert q975 == pytest.approx(lognormal.ppf(0.975), rel=1e-10)
    assert lines[4] == 'lognormal(0.25, 0.5) pm.LogNormal("x", mu=0.25, sigma=0.5)'
    shape, _, exact_mean = lines[5].split()
    assert shape == "(2000,)" and float(exact_mean) == pytest.approx(2.0, rel=1e-12)
