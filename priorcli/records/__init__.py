"""One record per family: everything priorcli knows about a family beyond numpyro.

``RECORDS`` maps numpyro class names to :class:`FamilyRecord` s: parameters (numpyro's names,
order, defaults and constraint kinds) and their aliases, the support, vectorised float64
``cdf``/``icdf``/``logpdf``, closed-form ``mean``/``variance``/``sd``/``median``/``mode``/``entropy``
and closed-form :class:`Inversion` s from targets to parameters. The solver, the fitter, the
summaries and the model sampler all read them; none keeps a copy. Families without a record are
still usable through numpyro (the registry in ``priorcli.families.registry`` discovers every family).

Each family has one file here (``gamma.py``, ``lognormal.py``, ...) exporting ``RECORD`` and
``SCIPY``, its scipy oracle (a :class:`~priorcli.records.oracle.ScipyOracle`, or None where
scipy.stats lacks the family), which the tests read through :func:`scipy_oracle`. What the
records share is in ``base`` (the record and its wrappers), ``fitdata`` (the fit fields' checks)
and ``starts`` (moment starts). Adding a family: its file, and its line in ``_FAMILIES`` below.
Importing this package imports neither numpy nor scipy (they load on first use), nor jax.
"""

from __future__ import annotations

from priorcli.records import (
    asymmetriclaplace, asymmetriclaplacequantile, dagum, vonmises,
    bernoulli, beta, betabinomial, betaproportion, binomial, cauchy, chi2, dirichlet, discreteuniform, exponential,
    gamma, geometric, gumbel, halfcauchy, halfnormal, inversegamma, kumaraswamy, laplace, levy, lkj, lkjcholesky,
    logistic, lognormal,
    loguniform, negativebinomial, negativebinomial2, normal, pareto, poisson, studentt, triangular, uniform, weibull,
)
from priorcli.records import (  # zero-inflated and hurdle families (issue 21)
    hurdlegamma, hurdlelognormal, hurdlenegativebinomial2, hurdlepoisson, zeroinflatednegativebinomial2,
    zeroinflatedpoisson,
)
from priorcli.records.base import MAX_WHOLE, PARAM_ALIASES, FamilyRecord, Inversion, ParamSpec, aliases_for
from priorcli.records.domain import Domain

__all__ = ["Domain", "FamilyRecord", "Inversion", "MAX_WHOLE", "ParamSpec", "PARAM_ALIASES", "RECORDS", "MULTIVARIATE", "aliases_for", "get",
           "describe", "find", "scipy_oracle"]

# The registry: one line per family, in the order `priorcli list` and `--family auto` take them.
_FAMILIES = (
    normal,
    lognormal,
    gamma,
    beta,
    betaproportion,
    studentt,
    inversegamma,
    halfcauchy,
    halfnormal,
    exponential,
    weibull,
    pareto,
    cauchy,
    laplace,
    asymmetriclaplace,
    asymmetriclaplacequantile,
    logistic,
    gumbel,
    uniform,
    triangular,
    chi2,
    loguniform,
    kumaraswamy,
    levy,
    dagum,
    vonmises,
    hurdlegamma,
    hurdlelognormal,
    poisson,
    binomial,
    bernoulli,
    geometric,
    negativebinomial,
    negativebinomial2,
    zeroinflatedpoisson,
    zeroinflatednegativebinomial2,
    hurdlepoisson,
    hurdlenegativebinomial2,
    betabinomial,
    discreteuniform,
    dirichlet,
    lkj,
    lkjcholesky,
)

RECORDS: dict[str, FamilyRecord] = {m.RECORD.name: m.RECORD for m in _FAMILIES if not m.RECORD.multivariate}

# Multivariate families: no scalar closed forms, so not in RECORDS (whose members every univariate
# fast path may use), but their own knowledge (inversions, info text) lives in a record all the same.
MULTIVARIATE: dict[str, FamilyRecord] = {m.RECORD.name: m.RECORD for m in _FAMILIES if m.RECORD.multivariate}

_ORACLES = {m.RECORD.name: m.SCIPY for m in _FAMILIES}


def get(name: str) -> FamilyRecord | None:
    """The record of a univariate numpyro family (exact class name), or None if priorcli has none."""
    return RECORDS.get(name)


def describe(name: str) -> FamilyRecord | None:
    """The record of any family, univariate or multivariate (exact class name), or None."""
    return RECORDS.get(name) or MULTIVARIATE.get(name)


def find(spelled: str) -> FamilyRecord | None:
    """The record of a family as a model writes its name (any case, '-' and '_' ignored), or None."""
    key = spelled.lower().replace("-", "").replace("_", "")
    return next((r for r in (*RECORDS.values(), *MULTIVARIATE.values()) if r.name.lower() == key), None)


def scipy_oracle(name: str):
    """The family's scipy oracle (exact class name): called with the native parameters (a dict or
    keywords; numpyro's defaults fill the rest) it returns the frozen scipy.stats distribution.
    None where scipy.stats lacks the family. Test oracle data: priorcli's own code never calls it."""
    oracle = _ORACLES[name]
    if oracle is None:
        return None
    record = describe(name)
    defaults = {p.name: p.default for p in record.params if p.default is not None}

    def frozen(params: dict | None = None, /, **kwargs):
        return oracle({**defaults, **(params or {}), **kwargs})

    return frozen
