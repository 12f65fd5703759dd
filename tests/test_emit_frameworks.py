"""The per-family table of Stan and PyMC counterparts (priorcli/emit/frameworks.py).

PyMC: every entry's density, through the table's argument mapping, equals numpyro's density
(numpyro's family is what priorcli samples) at points drawn from it. Stan: the entries' densities
and draws are checked by running Stan in test_emit_run.py; here, that each entry fits its family
and that the supports read from numpyro are the right ones.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from priorcli import model as lang
from priorcli.emit import frameworks, plan

# Parameter values for every family in the table, away from special cases (x != y everywhere).
PARAMS = {
    "Normal": {"loc": 0.3, "scale": 1.7},
    "LogNormal": {"loc": -0.4, "scale": 0.6},
    "HalfNormal": {"scale": 2.5},
    "HalfCauchy": {"scale": 5.0},
    "Cauchy": {"loc": 1.0, "scale": 0.5},
    "StudentT": {"df": 3.5, "loc": -1.0, "scale": 2.0},
    "Gamma": {"concentration": 2.5, "rate": 1.5},
    "InverseGamma": {"concentration": 3.0, "rate": 2.0},
    "Beta": {"concentration1": 2.0, "concentration0": 5.0},
    "BetaProportion": {"mean": 0.3, "concentration": 8.0},
    "Exponential": {"rate": 0.7},
    "Weibull": {"scale": 2.0, "concentration": 1.7},
    "Pareto": {"scale": 1.5, "alpha": 2.5},
    "Laplace": {"loc": 0.5, "scale": 1.3},
    "Logistic": {"loc": -0.5, "scale": 0.8},
    "Gumbel": {"loc": 1.0, "scale": 2.0},
    "Uniform": {"low": -1.0, "high": 3.0},
    "Chi2": {"df": 4.0},
    "AsymmetricLaplace": {"loc": 0.5, "scale": 1.5, "asymmetry": 2.0},
    "Kumaraswamy": {"concentration1": 2.0, "concentration0": 3.0},
    "VonMises": {"loc": 0.5, "concentration": 2.0},
    "Dirichlet": {"concentration": np.array([1.5, 2.0, 3.5])},
    "Poisson": {"rate": 3.5},
    "BernoulliProbs": {"probs": 0.3},
    "BernoulliLogits": {"logits": -0.7},
    "BinomialProbs": {"probs": 0.35, "total_count": 12},
    "BinomialLogits": {"logits": 0.4, "total_count": 9},
    "BetaBinomial": {"concentration1": 2.0, "concentration0": 3.0, "total_count": 10},
    "NegativeBinomial2": {"mean": 4.0, "concentration": 2.5},
    "GammaPoisson": {"concentration": 3.0, "rate": 0.8},
    "NegativeBinomialProbs": {"total_count": 5.0, "probs": 0.3},
    "NegativeBinomialLogits": {"total_count": 4.0, "logits": 0.5},
    "DiscreteUniform": {"low": 2, "high": 9},
    "ZeroInflatedPoisson": {"gate": 0.25, "rate": 3.0},
}


def _numpyro(family: str):
    from priorcli.families import numpyro_dist

    dist = numpyro_dist()
    return getattr(dist, family)(**PARAMS[family])


def _argument(text: str, family: str):
    """A table argument's value for PARAMS[family] (evaluated as the emitters write it)."""
    params = PARAMS[family]
    if text in params:
        return params[text]
    return float(lang.evaluate(plan.template(text, {k: lang.Num(float(v)) for k, v in params.items()})))


def test_every_table_family_is_a_priorcli_family_and_has_test_values():
    from priorcli.families import resolve

    assert set(PARAMS) == set(frameworks.FAMILIES)
    for name, entry in frameworks.FAMILIES.items():
        family = resolve(name)
        assert family.name == name
        assert set(PARAMS[name]) == set(family.param_names), name
        texts = list(entry.stan.args if entry.stan else ()) + [t for _, t in (entry.pymc.kwargs if entry.pymc else ())]
        texts += list(entry.stan.rng[1]) if entry.stan and entry.stan.rng else []
        for text in texts:  # every argument is an expression of the family's own parameters
            assert lang.referenced_names(lang.parse_expression(text, family.param_names)) <= set(family.param_names)


def test_pymc_densities_equal_numpyros():
    pm = pytest.importorskip("pymc", reason="PyMC is in the test extra")
    import pytensor

    outputs, expected = [], []
    for family, entry in frameworks.FAMILIES.items():
        if entry.pymc is None:
            continue
        d = _numpyro(family)
        import jax

        values = np.asarray(d.sample(jax.random.PRNGKey(1), (6,)), dtype=np.float64)
        kwargs = {k: _argument(t, family) for k, t in entry.pymc.kwargs}
        rv = getattr(pm, entry.pymc.name).dist(**kwargs)
        outputs.append(pm.logp(rv, values))
        expected.append((family, np.asarray(d.log_prob(values), dtype=np.float64)))
    got = pytensor.function([], outputs)()
    for (family, want), have in zip(expected, got):
        np.testing.assert_allclose(have, want, rtol=1e-6, atol=1e-7, err_msg=family)


EXPECTED_SUPPORTS = {
    "Normal": (None, None), "LogNormal": ("0", None), "HalfNormal": ("0", None), "HalfCauchy": ("0", None),
    "Gamma": ("0", None), "Beta": ("0", "1"), "BetaProportion": ("0", "1"), "Uniform": ("low", "high"),
    "Pareto": ("scale", None), "Chi2": ("0", None), "StudentT": (None, None), "Weibull": ("0", None),
    "InverseGamma": ("0", None), "Exponential": ("0", None), "AsymmetricLaplace": (None, None),
}


@pytest.mark.parametrize("family", sorted(EXPECTED_SUPPORTS))
def test_supports_are_read_from_numpyro(family):
    assert plan.support_bounds(family) == EXPECTED_SUPPORTS[family]


def test_every_continuous_stan_family_gets_its_numpyro_support():
    """The bounds priorcli declares, evaluated at PARAMS, are numpyro's support bounds there."""
    for family, entry in frameworks.FAMILIES.items():
        if entry.stan is None or family == "Dirichlet" or _numpyro(family).is_discrete:
            continue
        support = _numpyro(family).support
        lower, upper = plan.support_bounds(family)
        want_lo = float(getattr(support, "lower_bound", -math.inf))
        want_hi = float(getattr(support, "upper_bound", math.inf))
        assert (-math.inf if lower is None else _argument(lower, family)) == want_lo, family
        assert (math.inf if upper is None else _argument(upper, family)) == want_hi, family
        if entry.stan.half:
            assert (lower, upper) == ("0", None), family
