"""One record per family: everything priorcli knows about a family beyond numpyro.

``RECORDS`` maps numpyro class names to :class:`FamilyRecord` s: parameters (numpyro's names,
order, defaults and constraint kinds) and their aliases, the support, vectorised float64
``cdf``/``icdf``/``logpdf``, closed-form ``mean``/``variance``/``sd``/``median``/``mode``/``entropy``
and closed-form :class:`Inversion` s from targets to parameters. The solver, the fitter, the
summaries and the model sampler all read them; none keeps a copy. Families without a record are
still usable through numpyro (the registry in ``priorcli.families.registry`` discovers every family).

Adding a family: declare its record in the module for its support (``real``, ``positive``,
``unit``, ``discrete``; LogNormal and its target algebra have ``lognormal``) and list it in that
module's ``RECORDS``. Importing this package imports
neither numpy nor scipy (they load on first use), nor jax.
"""

from __future__ import annotations

from priorcli.records import discrete, lognormal, multivariate, positive, real, unit
from priorcli.records.base import MAX_WHOLE, PARAM_ALIASES, FamilyRecord, Inversion, ParamSpec, aliases_for

__all__ = ["FamilyRecord", "Inversion", "MAX_WHOLE", "ParamSpec", "PARAM_ALIASES", "RECORDS", "MULTIVARIATE", "aliases_for", "get",
           "describe"]

_ORDER = (
    "Normal LogNormal Gamma Beta BetaProportion StudentT InverseGamma HalfCauchy HalfNormal Exponential Weibull "
    "Pareto Cauchy Laplace Logistic Gumbel Uniform Chi2 LogUniform Kumaraswamy Levy Poisson BinomialProbs "
    "BernoulliProbs GeometricProbs NegativeBinomialProbs NegativeBinomial2 BetaBinomial DiscreteUniform"
).split()

_ALL = {r.name: r for module in (real, lognormal, positive, unit, discrete) for r in module.RECORDS}
RECORDS: dict[str, FamilyRecord] = {name: _ALL[name] for name in _ORDER}
RECORDS.update(_ALL)  # a record missing from _ORDER still counts (appended)


# Multivariate families: no scalar closed forms, so not in RECORDS (whose members every univariate
# fast path may use), but their own knowledge (inversions, info text) lives in a record all the same.
MULTIVARIATE: dict[str, FamilyRecord] = {r.name: r for r in multivariate.RECORDS}


def get(name: str) -> FamilyRecord | None:
    """The record of a univariate numpyro family (exact class name), or None if priorcli has none."""
    return RECORDS.get(name)


def describe(name: str) -> FamilyRecord | None:
    """The record of any family, univariate or multivariate (exact class name), or None."""
    return RECORDS.get(name) or MULTIVARIATE.get(name)
