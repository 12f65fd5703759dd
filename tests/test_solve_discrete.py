"""Discrete families in solve and as targets of sample/summarize, against scipy.stats.

Conventions checked with scipy: a quantile is the smallest k with F(k) >= p (scipy's ppf); an
interval mass is P(lower <= X <= upper), both ends included (cdf(upper) - cdf(lower - 1)); a
quantile target is met with p half way up the step at its value.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

from priorcli.cli import app
from priorcli.errors import InfeasibleError, UsageError
from priorcli.records import RECORDS, scipy_oracle
from priorcli.solving import solve
from priorcli.families.targets import Targets

# family: (scipy oracle of native params, declared beside the record; true params, held params)
ORACLE = {
    "Poisson": (scipy_oracle("Poisson"), {"rate": 3.7}, {}),
    "GeometricProbs": (scipy_oracle("GeometricProbs"), {"probs": 0.23}, {}),
    "BernoulliProbs": (scipy_oracle("BernoulliProbs"), {"probs": 0.3}, {}),
    "BinomialProbs": (scipy_oracle("BinomialProbs"), {"probs": 0.35}, {"total_count": 12.0}),
    "NegativeBinomialProbs": (scipy_oracle("NegativeBinomialProbs"), {"total_count": 2.5, "probs": 0.6}, {}),
    "NegativeBinomial2": (scipy_oracle("NegativeBinomial2"), {"mean": 4.5, "concentration": 1.8}, {}),
    "BetaBinomial": (scipy_oracle("BetaBinomial"), {"concentration1": 2.0, "concentration0": 3.5}, {"total_count": 15.0}),
}


def _dist(family, params):
    return ORACLE[family][0](params)


def _truth(family):
    _, params, held = ORACLE[family]
    return _dist(family, {**params, **held}), params, held


@pytest.mark.parametrize("family", sorted(ORACLE))
@pytest.mark.parametrize("p", [0.01, 0.1, 0.3, 0.5, 0.77, 0.9, 0.999])
def test_quantile_convention_is_scipys_ppf(family, p):
    d, params, held = _truth(family)
    assert RECORDS[family].icdf(p, **params, **held) == float(d.ppf(p))


def _exact_targets(family, n_extra: int) -> Targets:
    """mean (and sd) of the truth, then interval masses computed with scipy: all exactly met."""
    d, params, _ = _truth(family)
    kw = {"mean": float(d.mean())}
    if len(params) == 2:
        kw["sd"] = float(d.std())
    if n_extra:
        lo, hi = int(d.ppf(0.2)), int(d.ppf(0.8))
        kw.update(lower=lo, upper=hi, mass=float(d.cdf(hi) - d.cdf(lo - 1)))
    return Targets(**kw)


@pytest.mark.parametrize("family", sorted(ORACLE))
@pytest.mark.parametrize("extra", [0, 1])
def test_recover_known_parameters(family, extra):
    _, params, held = _truth(family)
    if family == "BernoulliProbs" and extra:
        pytest.skip("Bernoulli has no interior interval")
    result = solve(family, _exact_targets(family, extra), held)
    for name, value in params.items():
        assert result.params[name] == pytest.approx(value, rel=1e-5), result.params
    if extra:
        assert result.method == "least-squares" and result.loss < 1e-12


@pytest.mark.parametrize("family", ["Poisson", "GeometricProbs", "NegativeBinomial2", "BinomialProbs", "BetaBinomial",
                                    "NegativeBinomialProbs"])
def test_interval_mass_includes_both_ends(family):
    d, params, held = _truth(family)
    lo, hi = max(1, int(d.ppf(0.2))), int(d.ppf(0.9))
    result = solve(family, Targets(lower=lo, upper=hi, mass=0.5), held)
    fitted = _dist(family, result.params)
    assert float(fitted.cdf(hi) - fitted.cdf(lo - 1)) == pytest.approx(0.5, abs=1e-7)


@pytest.mark.parametrize("family", ["Poisson", "GeometricProbs", "BinomialProbs"])
def test_quantile_target_sits_half_way_up_its_step(family):
    d, params, held = _truth(family)
    v = int(d.ppf(0.5))
    result = solve(family, Targets(median=v), held)
    fitted = _dist(family, result.params)
    assert float(fitted.ppf(0.5)) == v
    assert 0.5 * (fitted.cdf(v - 1) + fitted.cdf(v)) == pytest.approx(0.5, abs=1e-9)


def test_the_two_negative_binomial_parameterisations_agree():
    probs = solve("NegativeBinomialProbs", Targets(lower=1, upper=8, mass=0.5)).params
    nb2 = solve("NegativeBinomial2", Targets(lower=1, upper=8, mass=0.5)).params
    assert probs["total_count"] == pytest.approx(nb2["concentration"], rel=1e-6)
    assert probs["probs"] == pytest.approx(nb2["mean"] / (nb2["mean"] + nb2["concentration"]), rel=1e-6)


@pytest.mark.slow
def test_unbounded_entropy_is_refused():
    # NB2 on [0, 6] with mass 0.6: the rest of the mass can spread ever wider (mean -> infinity)
    with pytest.raises(InfeasibleError, match="no maximum-entropy NegativeBinomial2"):
        solve("NegativeBinomial2", Targets(lower=0, upper=6, mass=0.6))


def test_two_quantiles_of_a_two_parameter_family():
    result = solve("NegativeBinomial2", Targets(quantiles=((0.25, 1.0), (0.75, 6.0))))
    fitted = _dist("NegativeBinomial2", result.params)
    assert float(fitted.ppf(0.25)) == 1.0 and float(fitted.ppf(0.75)) == 6.0
    assert result.achieved == {"q0.25": 1.0, "q0.75": 6.0}


@pytest.mark.slow
def test_least_squares_loss_with_scipy():
    qs = ((0.1, 1.0), (0.5, 3.0), (0.9, 9.0))
    result = solve("Poisson", Targets(quantiles=qs))
    d = stats.poisson(result.params["rate"])
    loss = sum((0.5 * (d.cdf(v - 1) + d.cdf(v)) - p) ** 2 for p, v in qs)
    assert result.loss == pytest.approx(loss, rel=1e-9)
    rates = np.linspace(0.5, 10, 400)  # the minimum over a grid, by scipy
    grid = [sum((0.5 * (stats.poisson(r).cdf(v - 1) + stats.poisson(r).cdf(v)) - p) ** 2 for p, v in qs) for r in rates]
    assert result.loss <= min(grid) + 1e-12


@pytest.mark.parametrize("family,kw,held,exc,match", [
    ("Poisson", dict(median=2.5), {}, UsageError, "whole number"),
    ("Poisson", dict(mode=3.0), {}, UsageError, "mode=3"),
    ("Poisson", dict(quantiles=((0.5, -1.0),)), {}, UsageError, "support"),
    ("BinomialProbs", dict(mean=3.0), {}, UsageError, "total_count"),
    ("BinomialProbs", dict(mean=13.0), {"total_count": 12.0}, UsageError, "support"),
    ("Poisson", dict(quantiles=((0.2, 4.0), (0.8, 2.0))), {}, InfeasibleError, "increase"),
])
def test_bad_input(family, kw, held, exc, match):
    with pytest.raises(exc, match=match):
        solve(family, Targets(**kw), held)


runner = CliRunner()


def test_cli_poisson_interval():
    r = runner.invoke(app, ["solve", "poisson", "--lower", "0", "--upper", "3", "--mass", "0.7", "--format", "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert stats.poisson(doc["params"]["rate"]).cdf(3) == pytest.approx(0.7, abs=1e-7)


def test_cli_binomial_needs_total_count():
    r = runner.invoke(app, ["solve", "binomial", "--mean", "3"])
    assert r.exit_code == 2 and "total_count" in r.output


def test_summarize_and_sample_take_discrete_targets():
    r = runner.invoke(app, ["summarize", "betabinomial", "--total-count", "10", "--mean", "3", "--sd", "2",
                            "--format", "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    d = stats.betabinom(10, doc["params"]["concentration1"], doc["params"]["concentration0"])
    assert doc["summary"]["mean"] == pytest.approx(3.0) and doc["summary"]["sd"] == pytest.approx(2.0)
    assert doc["summary"]["quantiles"]["0.25"] == float(d.ppf(0.25))
    r = runner.invoke(app, ["sample", "poisson", "--median", "4", "-n", "500", "--format", "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["exact"]["median"] == 4.0
