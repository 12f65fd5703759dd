"""More targets than parameters: least squares on the probability scale, checked against scipy.stats.

The oracle: scipy's ppf gives exact quantiles of known parameters (the fit must recover them, loss
~0); for inconsistent targets the loss is recomputed with scipy's cdf at the returned parameters,
and scipy's loss must not fall when any parameter is moved a little (a minimum, not just a point).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

from priorcli.cli import app
from priorcli.errors import ConvergenceError, InfeasibleError, UsageError
from priorcli.solving import solve
from priorcli.families.targets import Targets
from priorcli.records import scipy_oracle


def _kumaraswamy(p):
    a, b = p["concentration1"], p["concentration0"]

    class K:  # closed form on paper: F(x) = 1 - (1 - x^a)^b
        def cdf(self, x):
            return 1.0 - (1.0 - np.asarray(x) ** a) ** b

        def ppf(self, q):
            return (1.0 - (1.0 - np.asarray(q)) ** (1.0 / b)) ** (1.0 / a)

    return K()


# family: (scipy oracle of native params, declared beside the record (scipy has no Kumaraswamy), true params)
ORACLE = {
    "Normal": (scipy_oracle("Normal"), {"loc": 1.5, "scale": 0.7}),
    "LogNormal": (scipy_oracle("LogNormal"), {"loc": 0.3, "scale": 0.5}),
    "Gamma": (scipy_oracle("Gamma"), {"concentration": 3.5, "rate": 1.7}),
    "Beta": (scipy_oracle("Beta"), {"concentration1": 2.5, "concentration0": 6.0}),
    "BetaProportion": (scipy_oracle("BetaProportion"), {"mean": 0.3, "concentration": 8.0}),
    "StudentT": (scipy_oracle("StudentT"), {"df": 4.0, "loc": 1.5, "scale": 0.8}),
    "InverseGamma": (scipy_oracle("InverseGamma"), {"concentration": 4.5, "rate": 2.0}),
    "HalfCauchy": (scipy_oracle("HalfCauchy"), {"scale": 2.0}),
    "HalfNormal": (scipy_oracle("HalfNormal"), {"scale": 2.0}),
    "Exponential": (scipy_oracle("Exponential"), {"rate": 0.4}),
    "Weibull": (scipy_oracle("Weibull"), {"scale": 2.5, "concentration": 1.8}),
    "Pareto": (scipy_oracle("Pareto"), {"scale": 1.5, "alpha": 3.0}),
    "Cauchy": (scipy_oracle("Cauchy"), {"loc": -1.0, "scale": 0.5}),
    "Laplace": (scipy_oracle("Laplace"), {"loc": 2.0, "scale": 1.5}),
    "Logistic": (scipy_oracle("Logistic"), {"loc": 2.0, "scale": 1.5}),
    "Gumbel": (scipy_oracle("Gumbel"), {"loc": 2.0, "scale": 1.5}),
    "Uniform": (scipy_oracle("Uniform"), {"low": -1.0, "high": 3.0}),
    "Chi2": (scipy_oracle("Chi2"), {"df": 4.5}),
    "LogUniform": (scipy_oracle("LogUniform"), {"low": 0.5, "high": 20.0}),
    "Kumaraswamy": (_kumaraswamy, {"concentration1": 2.0, "concentration0": 3.0}),
    "Levy": (scipy_oracle("Levy"), {"loc": 0.5, "scale": 2.0}),
}

PROBS = (0.05, 0.1, 0.3, 0.5, 0.7, 0.8, 0.97)  # not symmetric: a symmetric family needs that


def exact_quantiles(family: str, probs) -> tuple:
    make, params = ORACLE[family]
    d = make(params)
    return tuple((p, float(d.ppf(p))) for p in probs)


def scipy_loss(family: str, params: dict, quantiles, weights=None) -> float:
    d = ORACLE[family][0](params)
    w = weights or [1.0] * len(quantiles)
    return float(sum(wi * (float(d.cdf(v)) - p) ** 2 for wi, (p, v) in zip(w, quantiles)))


def _probs_for(n: int) -> tuple:
    """n probabilities spread over PROBS (the outermost kept)."""
    idx = np.round(np.linspace(0, len(PROBS) - 1, n)).astype(int)
    return tuple(PROBS[i] for i in idx)


@pytest.mark.parametrize("family", sorted(ORACLE))
@pytest.mark.parametrize("extra", [0, 1, 3])
def test_exact_quantiles_recover_the_parameters(family, extra):
    """As many quantiles as parameters (the exact solver), then 1 and 3 more (least squares)."""
    true = ORACLE[family][1]
    n = len(true) + extra
    qs = exact_quantiles(family, _probs_for(n))
    result = solve(family, Targets(quantiles=qs))
    for name, value in true.items():
        assert result.params[name] == pytest.approx(value, rel=1e-5, abs=1e-7), (name, result.params)
    if extra:
        assert result.method == "least-squares"
        assert result.loss < 1e-12
        assert result.loss == pytest.approx(scipy_loss(family, result.params, qs), abs=1e-12)
    else:
        assert result.method != "least-squares" and result.loss is None


def _perturbed(family: str, n: int) -> tuple:
    """Exact quantiles moved off the family (alternately up and down by 8% of their spread)."""
    qs = exact_quantiles(family, _probs_for(n))
    spread = qs[-1][1] - qs[0][1]
    moved = [(p, v + (0.08 if i % 2 else -0.04) * spread * (0.5 if 0 < i < n - 1 else 0.0))
             for i, (p, v) in enumerate(qs)]
    return tuple(moved)


@pytest.mark.parametrize("family", ["Normal", "LogNormal", "Gamma", "Weibull", "Beta", "Gumbel", "Logistic",
                                    "InverseGamma", "Exponential", "HalfNormal", "Chi2", "StudentT"])
def test_inconsistent_targets_give_the_least_squares_minimum(family):
    true = ORACLE[family][1]
    n = len(true) + 2
    qs = _perturbed(family, n)
    weights = [1.0] * n
    weights[n // 2] = 3.0
    t = Targets(quantiles=qs, weights=((f"q{qs[n // 2][0]!r}", 3.0),))
    result = solve(family, t)
    loss = scipy_loss(family, result.params, qs, weights)
    assert result.loss == pytest.approx(loss, rel=1e-8, abs=1e-15)
    assert result.loss > 1e-8  # the targets are off the family
    # each residual is F(v) - p with scipy's cdf, and achieved quantiles are scipy's ppf
    d = ORACLE[family][0](result.params)
    for p, v in qs:
        key = f"q{p!r}"
        assert result.residuals[key] == pytest.approx(float(d.cdf(v)) - p, abs=1e-10)
        assert result.achieved[key] == pytest.approx(float(d.ppf(p)), rel=1e-8)
        assert result.weights[key] == (3.0 if key == f"q{qs[n // 2][0]!r}" else 1.0)
    # a minimum of scipy's loss: no small move of any parameter lowers it
    for name, value in result.params.items():
        for factor in (1 + 1e-4, 1 - 1e-4):
            moved = dict(result.params, **{name: value * factor if value else 1e-4 * (factor - 1)})
            assert scipy_loss(family, moved, qs, weights) >= loss * (1 - 1e-9)


def test_weights_pull_the_fit_toward_a_target():
    qs = ((0.25, 0.5), (0.5, 1.0), (0.75, 2.5))
    plain = solve("Gamma", Targets(quantiles=qs))
    heavy = solve("Gamma", Targets(quantiles=qs, weights=(("q0.5", 50.0),)))
    assert abs(heavy.residuals["q0.5"]) < abs(plain.residuals["q0.5"]) / 10


def test_other_targets_enter_as_relative_residuals():
    # median + 90% interval + mean for a LogNormal: quantiles on the probability scale, mean relative
    d = stats.lognorm(0.6, scale=math.exp(0.2))
    t = Targets(median=float(d.median()) * 1.05, mean=float(d.mean()),
                quantiles=((0.05, float(d.ppf(0.05))), (0.95, float(d.ppf(0.95)))))
    r = solve("LogNormal", t)
    fitted = stats.lognorm(r.params["scale"], scale=math.exp(r.params["loc"]))
    assert r.residuals["median"] == pytest.approx(float(fitted.cdf(t.median)) - 0.5, abs=1e-10)
    assert r.residuals["mean"] == pytest.approx((float(fitted.mean()) - t.mean) / t.mean, rel=1e-6)
    total = sum(v * v for v in r.residuals.values())
    assert r.loss == pytest.approx(total, rel=1e-10)


def test_exact_systems_are_unchanged():
    r = solve("Gamma", Targets(quantiles=((0.25, 0.5), (0.75, 2.5))))
    assert r.method == "root" and r.loss is None and r.residuals == {}


def test_held_parameter_counts():
    # Normal with loc held: mode and sd are two targets for one parameter
    r = solve("Normal", Targets(mode=0.2, sd=1.0), {"loc": 0.0})
    assert r.method == "least-squares" and r.params["loc"] == 0.0
    assert r.params["scale"] == pytest.approx(1.0)


def test_decreasing_quantiles_exit_1():
    with pytest.raises(InfeasibleError, match="increase"):
        solve("Gamma", Targets(quantiles=((0.25, 2.0), (0.5, 1.0), (0.75, 3.0))))


def test_value_outside_support_is_usage_error():
    with pytest.raises(UsageError, match="support"):
        solve("Gamma", Targets(quantiles=((0.25, -1.0), (0.5, 1.0), (0.75, 3.0))))


def test_a_fit_that_does_not_converge_names_the_family(monkeypatch):
    import scipy.optimize

    real = scipy.optimize.least_squares

    def stalls(*args, **kwargs):
        r = real(*args, **{**kwargs, "max_nfev": 1})
        return r

    monkeypatch.setattr(scipy.optimize, "least_squares", stalls)
    with pytest.raises(ConvergenceError, match=r"least-squares fit of Weibull.*did not converge"):
        solve("Weibull", Targets(quantiles=((0.25, 0.5), (0.5, 1.0), (0.75, 2.5))))


runner = CliRunner()


def _nb2_loss_at_best_mean(concentration):
    """The fit's loss (quantile residuals F(v) - p, a discrete cdf taken half way up its step at v)
    for NegativeBinomial2 targets 0.05=1, 0.5=3, 0.95=10, minimised over the mean with scipy's
    nbinom (concentration None: the Poisson, its limit)."""
    from scipy.optimize import minimize_scalar

    targets = ((0.05, 1), (0.5, 3), (0.95, 10))

    def law(mean):
        if concentration is None:
            return stats.poisson(mean)
        return stats.nbinom(concentration, concentration / (concentration + mean))

    def loss(mean):
        d = law(mean)
        return sum(((d.cdf(v) + d.cdf(v - 1)) / 2 - p) ** 2 for p, v in targets)

    return minimize_scalar(loss, bounds=(0.5, 10), method="bounded", options={"xatol": 1e-10}).fun


def test_a_fit_creeping_to_a_limiting_case_says_which_parameter_runs_off():
    # the oracle: the best loss falls as the concentration grows and the Poisson limit beats them all,
    # so no NegativeBinomial2 is the answer; priorcli must say so, not "did not converge" for lack of steps
    losses = [_nb2_loss_at_best_mean(c) for c in (3.0, 30.0, 3e3, 3e5)]
    assert all(a > b for a, b in zip(losses, losses[1:])) and _nb2_loss_at_best_mean(None) < losses[-1]
    r = runner.invoke(app, ["solve", "negativebinomial2", "--quantile", "0.05=1", "--quantile", "0.5=3",
                            "--quantile", "0.95=10"])
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr.strip().splitlines() == [
        "Error: the least-squares fit of NegativeBinomial2 to quantile 0.05=1, quantile 0.5=3, quantile 0.95=10 "
        "did not converge: concentration runs off to the edge of its range (the targets suit a limiting case of "
        "the family, not the family itself)"]


def test_cli_table_and_json():
    args = ["solve", "gamma", "--quantile", "0.25=0.5", "--quantile", "0.5=1@2", "--quantile", "0.75=2.5"]
    table = runner.invoke(app, args)
    assert table.exit_code == 0, table.output
    assert "least-squares" in table.output and "residual" in table.output and "weight" in table.output
    doc = json.loads(runner.invoke(app, args + ["--format", "json"]).stdout)
    assert doc["method"] == "least-squares" and doc["loss"] > 0
    assert set(doc["residuals"]) == {"q0.25", "q0.5", "q0.75"}
    assert doc["weights"]["q0.5"] == 2.0
    loss = sum(doc["weights"][k] * r * r for k, r in doc["residuals"].items())
    assert doc["loss"] == pytest.approx(loss, rel=1e-12)
    exact = json.loads(runner.invoke(app, ["solve", "gamma", "--quantile", "0.25=0.5", "--quantile", "0.75=2.5",
                                           "--format", "json"]).output)
    assert exact["method"] == "root" and exact["loss"] is None


@pytest.mark.parametrize("args,match", [
    (["--quantile", "0.5=1@0"], "weight must be positive"),
    (["--quantile", "0.5=1@x"], "weight must be a number"),
    (["--mean", "2@-1"], "weight must be positive"),
])
def test_cli_bad_weights(args, match):
    r = runner.invoke(app, ["solve", "gamma", "--quantile", "0.9=3"] + args)
    assert r.exit_code == 2
    assert match in r.output


def test_cli_decreasing_quantiles_exit_1():
    r = runner.invoke(app, ["solve", "gamma", "--quantile", "0.25=2", "--quantile", "0.5=1", "--quantile", "0.75=3"])
    assert r.exit_code == 1 and "Error:" in r.output and "quantile 0.25=2" in r.output


def test_summarize_and_sample_say_the_targets_were_fitted_approximately():
    args = ["gamma", "--quantile", "0.25=0.5", "--quantile", "0.5=1", "--quantile", "0.75=2.5"]
    r = runner.invoke(app, ["summarize"] + args)
    assert r.exit_code == 0 and "least-squares fit (approximate), loss 0.002605" in r.output
    exact = runner.invoke(app, ["summarize", "gamma", "--quantile", "0.25=0.5", "--quantile", "0.75=2.5"])
    assert exact.exit_code == 0 and "approximate" not in exact.output
