"""Which family? solve --family and summarize --input --fit auto|F,F, against scipy.stats.

The oracle: exact quantiles from scipy's ppf (the generating family must win with loss ~0), 10,000
numpy draws (the generating family must have the smallest AIC), log-likelihoods, AICs and KS
statistics recomputed with scipy.stats at the reported parameters, entropies from scipy.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

from priorcli.cli import app
from priorcli.errors import InfeasibleError, UsageError
from priorcli.ranking import rank_fits, rank_solutions, rank_targets
from priorcli.families.targets import Targets
from priorcli.records import scipy_oracle
from shared_rankings import interval_ranking, ranking as shared_ranking

SCIPY = {name: scipy_oracle(name) for name in (
    "Gamma", "LogNormal", "Weibull", "Normal", "Logistic", "Laplace", "Gumbel", "Cauchy", "Poisson", "BinomialProbs",
)}  # the families' scipy oracles, declared beside their records
TRUTH = {
    "Gamma": {"concentration": 3.0, "rate": 1.5},
    "LogNormal": {"loc": 0.5, "scale": 0.6},
    "Weibull": {"scale": 2.0, "concentration": 2.5},
    "Normal": {"loc": 1.0, "scale": 2.0},
}
DRAWS = {
    "Gamma": lambda rng: rng.gamma(3.0, 1 / 1.5, 10_000),
    "LogNormal": lambda rng: rng.lognormal(0.5, 0.6, 10_000),
    "Weibull": lambda rng: 2.0 * rng.weibull(2.5, 10_000),
    "Normal": lambda rng: rng.normal(1.0, 2.0, 10_000),
}
PROBS = (0.05, 0.25, 0.5, 0.75, 0.95)


def _quantile_pairs(family):
    d = SCIPY[family](TRUTH[family])
    pairs = []
    for p in PROBS:
        pairs.append(("quantile", f"{p!r}={float(d.ppf(p))!r}"))
    return pairs


@pytest.mark.parametrize("family", sorted(TRUTH))
def test_exact_quantiles_pick_the_generating_family(family):
    ranking = rank_solutions("auto", _quantile_pairs(family))
    best = ranking.best
    assert best.family == family, [(r.family, r.loss) for r in ranking.ranked[:4]]
    assert best.loss < 1e-12
    for name, value in TRUTH[family].items():
        assert best.solution.params[name] == pytest.approx(value, rel=1e-6)
    # losses increase, first among the families on the positive half-line, then among those ranked
    # after them (every stated value positive: issue 19 item 13)
    for after in (False, True):
        losses = [r.loss for r in ranking.ranked if (r.family in ranking.ranked_after) == after]
        assert all(a <= b + 1e-10 for a, b in zip(losses, losses[1:]))
    assert len(ranking.ranked) >= 5  # the other continuous families were tried too
    # the runner-up's loss recomputed with scipy (where scipy has it)
    other = next(r for r in ranking.ranked[1:] if r.family in SCIPY)
    d = SCIPY[other.family](other.solution.params)
    pairs = [(p, float(SCIPY[family](TRUTH[family]).ppf(p))) for p in PROBS]
    assert other.loss == pytest.approx(sum((float(d.cdf(v)) - p) ** 2 for p, v in pairs), rel=1e-8)


def test_ties_are_broken_by_entropy():
    # two quantiles: each two-parameter family meets them exactly (loss ~0): larger entropy first
    ranking = rank_solutions("gamma,lognormal,weibull", [("quantile", "0.05=0.5"), ("quantile", "0.95=6")])
    assert [r.loss < 1e-20 for r in ranking.ranked] == [True] * 3
    entropies = [float(SCIPY[r.family](r.solution.params).entropy()) for r in ranking.ranked]
    assert entropies == sorted(entropies, reverse=True)
    assert [r.entropy for r in ranking.ranked] == pytest.approx(entropies, rel=1e-9)


COUNTS = (("quantile", "0.1=1"), ("quantile", "0.5=3"), ("quantile", "0.9=7"))  # whole-number quantiles


@pytest.mark.slow
def test_discrete_candidates_for_whole_number_targets():
    ranking = shared_ranking("auto", COUNTS)  # the same ranking as the next test's
    names = {r.family for r in ranking.ranked + ranking.discrete}
    assert {"Poisson", "NegativeBinomial2", "Gamma"} <= names
    non_whole = rank_solutions("auto", [("quantile", "0.1=1.5"), ("quantile", "0.9=7")])
    assert not any(r.family in ("Poisson", "NegativeBinomial2") for r in non_whole.ranked)


@pytest.mark.slow
def test_auto_ranks_each_distribution_set_once_but_named_reparametrisations_still_rank():
    unit = [("quantile", "0.05=0.1"), ("quantile", "0.5=0.3"), ("quantile", "0.95=0.6")]
    names = [r.family for r in rank_solutions("auto", unit).ranked]
    assert "Beta" in names and "BetaProportion" not in names
    names = [r.family for r in shared_ranking("auto", COUNTS).discrete]
    assert "NegativeBinomial2" in names and "NegativeBinomialProbs" not in names
    # named, both are ranked: the same member, so the same loss (scipy's beta.ppf as the oracle)
    both = rank_solutions("beta,betaproportion", unit).ranked
    assert {r.family for r in both} == {"Beta", "BetaProportion"}
    assert both[0].loss == pytest.approx(both[1].loss, rel=1e-6)
    beta = next(r for r in both if r.family == "Beta").solution.params
    ps, vs = zip(*[(0.05, 0.1), (0.5, 0.3), (0.95, 0.6)])
    got = stats.beta(beta["concentration1"], beta["concentration0"]).cdf(vs)
    assert both[0].loss == pytest.approx(float(np.sum((got - np.array(ps)) ** 2)), rel=1e-6)


def test_mean_and_sd_rank_without_the_families_that_lack_them(run):
    result = run("solve", "--family", "auto", "--mean", "2", "--sd", "1", "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    skipped = {s["family"]: s["reason"] for s in doc["skipped"]}
    assert "HalfCauchy has no finite mean" in skipped["HalfCauchy"]
    assert all(math.isfinite(r["loss"]) for r in doc["ranking"])
    normal = next(r for r in doc["ranking"] if r["family"] == "Normal")
    assert normal["loss"] == pytest.approx(0.0, abs=1e-20)
    assert stats.norm(**normal["params"]).mean() == pytest.approx(2.0)
    assert stats.norm(**normal["params"]).std() == pytest.approx(1.0)


def test_held_parameter_applies_to_the_families_that_have_it():
    ranking = rank_solutions("auto", [("total_count", "10"), ("mean", "3"), ("quantile", "0.9=5")])
    assert {r.family for r in ranking.ranked} <= {"BinomialProbs", "BetaBinomial", "NegativeBinomialProbs"}
    assert all(r.solution.params["total_count"] == 10.0 for r in ranking.ranked)


@pytest.mark.slow
@pytest.mark.parametrize("family", sorted(DRAWS))
def test_draws_pick_the_generating_family_by_aic(family):
    x = DRAWS[family](np.random.default_rng(7))
    ranking = rank_fits("auto", x, [])
    best = ranking.best
    assert best.family == family, [(r.family, r.aic) for r in ranking.ranked[:3]]
    for r in ranking.ranked:
        if r.family not in SCIPY:
            continue
        d = SCIPY[r.family](r.fit.params)
        loglik = float(np.sum(d.logpdf(x)))
        assert r.fit.log_likelihood == pytest.approx(loglik, rel=1e-9)
        assert r.aic == pytest.approx(2 * len(TRUTH.get(r.family, r.fit.params)) - 2 * loglik, rel=1e-9)
        ks = stats.kstest(x, d.cdf)
        assert r.ks == pytest.approx(ks.statistic, rel=1e-6) and r.ks_pvalue == pytest.approx(ks.pvalue, rel=1e-3,
                                                                                                abs=1e-12)
    assert [r.aic for r in ranking.ranked] == sorted(r.aic for r in ranking.ranked)


def test_fit_with_a_held_parameter_and_discrete_ks():
    x = np.random.default_rng(3).binomial(5, 0.3, 2000).astype(float)
    ranking = rank_fits("binomial", x, [("total_count", "5")])
    best = ranking.best
    assert best.fit.params == {"probs": pytest.approx(x.mean() / 5, rel=1e-12), "total_count": 5.0}
    assert best.free == 1
    d = SCIPY["BinomialProbs"](best.fit.params)
    assert best.aic == pytest.approx(2 - 2 * float(np.sum(d.logpmf(x))), rel=1e-10)
    ks = np.arange(0, 6)
    ecdf = np.array([np.mean(x <= k) for k in ks])
    assert best.ks == pytest.approx(float(np.max(np.abs(ecdf - d.cdf(ks)))), rel=1e-12)
    assert math.isnan(best.ks_pvalue)


def test_errors():
    with pytest.raises(UsageError, match="unknown family"):
        rank_solutions("gamma,notafamily", [("mean", "1"), ("sd", "1")])
    with pytest.raises(UsageError, match="targets"):
        rank_solutions("auto", [])
    with pytest.raises(InfeasibleError, match="no candidate family"):
        rank_solutions("gamma,lognormal", [("quantile", "0.25=2"), ("quantile", "0.5=1"), ("quantile", "0.75=3")])
    with pytest.raises(UsageError, match="support"):
        rank_solutions("gamma,lognormal", [("quantile", "0.25=-2"), ("quantile", "0.75=3")])


runner = CliRunner()


@pytest.mark.slow
def test_cli_solve_family_auto_json(tmp_path):
    args = ["solve", "--family", "auto", "--quantile", "0.05=0.5", "--quantile", "0.5=1.5", "--quantile", "0.95=6",
            "--format", "json"]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["family"] == doc["ranking"][0]["family"] and doc["numpyro"] == doc["ranking"][0]["numpyro"]
    for after in (False, True):  # the families whose support reaches below 0 come after the others
        losses = [e["loss"] for e in doc["ranking"] if (e["family"] in doc["ranked_after"]) == after]
        assert all(a <= b + 1e-10 for a, b in zip(losses, losses[1:]))  # ties (1e-10) go by entropy
    assert {"family", "params", "loss", "entropy", "method", "residuals", "numpyro", "stan", "pymc"} <= set(
        doc["ranking"][0])
    assert doc["pymc"] == doc["ranking"][0]["pymc"]
    table = runner.invoke(app, args[:-2])
    assert table.exit_code == 0 and "ranked by loss" in table.output and "numpyro:" in table.output


@pytest.mark.slow
def test_cli_fit_auto_and_held_parameter(tmp_path):
    path = tmp_path / "draws.txt"
    np.savetxt(path, np.random.default_rng(5).binomial(5, 0.3, 500), fmt="%d")
    r = runner.invoke(app, ["summarize", "--input", str(path), "--fit", "binomial", "--total-count", "5",
                            "--format", "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["fit"]["params"]["total_count"] == 5.0 and doc["ranking"][0]["k"] == 1
    r = runner.invoke(app, ["summarize", "--input", str(path), "--fit", "auto", "--no-plot"])
    assert r.exit_code == 0 and "ranked by AIC" in r.output
    r = runner.invoke(app, ["summarize", "--input", str(path), "--fit", "binomial"])
    assert r.exit_code == 2 and "total_count" in r.output


def test_cli_solve_family_and_positional_family_exclude_each_other():
    r = runner.invoke(app, ["solve", "gamma", "--family", "auto", "--mean", "1", "--sd", "1"])
    assert r.exit_code == 2


@pytest.mark.slow
def test_solve_family_auto_does_not_import_jax():
    code = ("import sys; from typer.testing import CliRunner; from priorcli.cli import app; "
            "r = CliRunner().invoke(app, ['solve', '--family', 'auto', '--quantile', '0.1=1.5', '--quantile', '0.9=6']); "
            "assert r.exit_code == 0, r.output; assert 'jax' not in sys.modules, 'jax imported'")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300)


def test_rank_targets_for_python_callers():
    d = stats.gamma(3.0, scale=1 / 1.5)
    qs = tuple((p, float(d.ppf(p))) for p in PROBS)
    ranking = rank_targets("gamma,lognormal,weibull", Targets(quantiles=qs, weights=(("q0.5", 2.0),)))
    assert ranking.best.family == "Gamma" and ranking.best.loss < 1e-12
    assert ranking.best.solution.weights["q0.5"] == 2.0


@pytest.mark.slow
def test_auto_takes_an_interval_that_starts_at_the_support():
    ranking = interval_ranking(0, 3, 0.7)  # rank_solutions("auto", ...), shared with two other files
    names = {r.family for r in ranking.ranked + ranking.discrete}
    assert {"Poisson", "Gamma", "Exponential", "Normal"} <= names
    poisson = next(r for r in ranking.discrete if r.family == "Poisson")
    assert stats.poisson(poisson.solution.params["rate"]).cdf(3) == pytest.approx(0.7, abs=1e-7)
