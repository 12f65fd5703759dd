"""The registry discovered from numpyro, its aliases, list and info."""

from __future__ import annotations

import pytest

from priorcli.families.registry import resolve

EXPECTED = {"LogNormal", "Normal", "Gamma", "Beta", "StudentT", "InverseGamma", "HalfCauchy", "HalfNormal",
            "Exponential", "Weibull", "Pareto", "Cauchy", "Laplace", "Logistic", "Gumbel", "Uniform", "Chi2",
            "Poisson", "BinomialProbs", "BernoulliProbs", "GeometricProbs", "NegativeBinomialProbs",
            "Dirichlet", "Kumaraswamy", "VonMises", "BetaBinomial", "DiscreteUniform"}
NOT_UNIVARIATE = {"MultivariateNormal", "TransformedDistribution", "Wishart", "MixtureGeneral",
                  "Independent", "FoldedDistribution", "Unit", "Multinomial"}
# beside the univariate families and Dirichlet: the correlation priors, whose records describe them
MATRIX = {"LKJ", "LKJCholesky"}


def test_list_has_the_univariate_families_and_dirichlet(run):
    result = run("list", "--format", "json")
    import json

    families = {f["family"]: f for f in json.loads(result.stdout)}
    assert EXPECTED <= set(families)
    assert not (NOT_UNIVARIATE & set(families))
    assert MATRIX <= set(families) and "correlation matrices" in families["LKJ"]["support"]
    assert families["Poisson"]["discrete"] and not families["Gamma"]["discrete"]
    gamma = {p["name"]: p for p in families["Gamma"]["params"]}
    assert gamma["rate"]["default"] == 1.0 and gamma["concentration"]["default"] is None
    table = run("list")
    assert table.exit_code == 0 and "LogNormal" in table.stdout


@pytest.mark.parametrize(
    "spelling,name",
    [("lognormal", "LogNormal"), ("LogNormal", "LogNormal"), ("log-normal", "LogNormal"),
     ("half-cauchy", "HalfCauchy"), ("half_normal", "HalfNormal"), ("bernoulli", "BernoulliProbs"),
     ("binomial", "BinomialProbs"), ("STUDENTT", "StudentT")],
)
def test_names_match_loosely(spelling, name):
    assert resolve(spelling).name == name


@pytest.mark.parametrize(
    "family,aliases",
    [
        ("LogNormal", {"mu": "loc", "sigma": "scale"}),
        ("Beta", {"alpha": "concentration1", "beta": "concentration0"}),
        ("Gamma", {"alpha": "concentration", "beta": "rate", "shape": "concentration"}),
        ("StudentT", {"nu": "df", "mu": "loc", "sigma": "scale"}),
    ],
)
def test_aliases(family, aliases):
    found = resolve(family).aliases()
    for alias, native in aliases.items():
        assert found[alias] == native


def test_native_name_beats_alias():
    assert "alpha" not in resolve("Pareto").aliases()  # Pareto's own 'alpha' parameter


def test_info_lognormal(run):
    result = run("info", "lognormal")
    assert result.exit_code == 0
    for text in ("--mu", "--sigma", "e^(mu - sigma^2)", "e^(mu + sigma^2/2)", "median = e^mu",
                 "priorcli sample lognormal --mu 0 --sigma 1", "(0, inf)"):
        assert text in result.stdout, text
    doc = run.json("info", "beta")
    assert [p["name"] for p in doc["params"]] == ["concentration1", "concentration0"]
    assert doc["params"][0]["aliases"] == ["alpha"]
