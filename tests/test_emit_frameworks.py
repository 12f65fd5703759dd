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

from priorcli.model import parse as lang
from priorcli.emit import frameworks, plan
from emit_support import PARAMS, numpyro_points

def _numpyro(family: str):
    from priorcli.families.registry import resolve

    return resolve(family).factory(**PARAMS[family])  # numpyro's class, or priorcli's own (Triangular)


def _argument(text: str, family: str):
    """A table argument's value for PARAMS[family] (evaluated as the emitters write it)."""
    params = PARAMS[family]
    if text in params:
        return params[text]
    return float(lang.evaluate(plan.template(text, {k: lang.Num(float(v)) for k, v in params.items()})))


def test_every_table_family_is_a_priorcli_family_and_has_test_values():
    from priorcli.families.registry import resolve

    assert set(PARAMS) == set(frameworks.FAMILIES)
    for name, entry in frameworks.FAMILIES.items():
        family = resolve(name)
        assert family.name == name
        assert set(PARAMS[name]) == set(family.param_names), name
        texts = list(entry.stan.args if entry.stan else ()) + [t for _, t in (entry.pymc.kwargs if entry.pymc else ())]
        texts += list(entry.stan.rng[1]) if entry.stan and entry.stan.rng else []
        for text in texts:  # every argument is an expression of the family's own parameters
            assert lang.referenced_names(lang.parse_expression(text, family.param_names)) <= set(family.param_names)


@pytest.mark.slow
def test_pymc_densities_equal_numpyros():
    pm = pytest.importorskip("pymc", reason="PyMC is in the test extra")
    import pytensor

    outputs, expected = [], []
    for family, entry in frameworks.FAMILIES.items():
        if entry.pymc is None:
            continue
        values, densities = numpyro_points(family)  # numpyro's draws and density there
        kwargs = {k: _argument(t, family) for k, t in entry.pymc.kwargs}
        rv = getattr(pm, entry.pymc.name).dist(**kwargs)
        outputs.append(pm.logp(rv, values))
        expected.append((family, densities))
    got = pytensor.function([], outputs)()
    for (family, want), have in zip(expected, got):
        np.testing.assert_allclose(have, want, rtol=1e-6, atol=1e-7, err_msg=family)


EXPECTED_SUPPORTS = {
    "Normal": (None, None), "LogNormal": ("0", None), "HalfNormal": ("0", None), "HalfCauchy": ("0", None),
    "Gamma": ("0", None), "Beta": ("0", "1"), "BetaProportion": ("0", "1"), "Uniform": ("low", "high"),
    "Pareto": ("scale", None), "Chi2": ("0", None), "StudentT": (None, None), "Weibull": ("0", None),
    "InverseGamma": ("0", None), "Exponential": ("0", None), "AsymmetricLaplace": (None, None),
}


@pytest.mark.slow
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
