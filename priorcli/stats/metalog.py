"""Keelin's metalog as a DistSpec, so that the model language, ``compare`` and a quoted FAMILY
(``priorcli summarize "Metalog(p=[0.1, 0.5, 0.9], x=[1, 3, 10])"``) take it as any family.

Its family is a :class:`MetalogFamily` (name ``Metalog``) whose parameters are the coefficient
vector ``a`` and those of the bounds that are given, ``lower`` and/or ``upper``: which bounds there
are chooses the extension (a parameter's name is part of a compiled sampler's key, its value an
input), so a semi-bounded and an unbounded metalog are different programs while two lower bounds
are one. Its record (a :class:`~priorcli.records.base.FamilyRecord` built here, as the mixture's
is) holds the exact functions of :class:`priorcli.records.metalog.Metalog`: the quantile function
Q, the cdf by root finding, the density 1 / Q'(F(x)), mean, variance and mode. Draws are
priorcli's numpyro class :class:`priorcli.dists.metalog.Metalog`. Never prints.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from priorcli.families.built import BuiltFamily
from priorcli.families.registry import ParamInfo
from priorcli.records import metalog as ml
from priorcli.records.base import FamilyRecord, ParamSpec
from priorcli.records.domain import REAL, REAL_VECTOR
from priorcli.stats.exact import DistSpec

NAME = "Metalog"


def is_metalog(name: str | None) -> bool:
    return ml.handles(name)


def factory(a, lower=None, upper=None):
    """priorcli's numpyro class (imported when a distribution is built: it imports jax)."""
    from priorcli.dists.metalog import Metalog

    return Metalog(a, lower, upper)


@dataclass(frozen=True)
class MetalogFamily(BuiltFamily):
    """The family of a metalog with the given bounds (``lower``/``upper`` among its parameters)."""

    #: the emitters' hooks: the support's ends are these parameters where given (else infinite), and
    #: the numpyro class a program defines for it (priorcli.emit.plan.variable_bounds, emit.numpyro)
    optional_bounds = ("lower", "upper")
    numpyro_module = "priorcli.dists.metalog"

    def build_record(self) -> FamilyRecord:
        return _record(self)

    def describe(self, params: dict, transforms=()) -> str:
        text = to_metalog(params).label()
        for t in transforms:
            text = f"{t}({text})"
        return text

    def params_document(self, params: dict) -> dict:
        """The JSON ``params``, as ``solve metalog`` gives them: ``a``, ``lower`` and ``upper`` (null when absent)."""
        m = to_metalog(params)
        return {"a": list(m.a), "lower": m.lower if math.isfinite(m.lower) else None,
                "upper": m.upper if math.isfinite(m.upper) else None}


@functools.lru_cache(maxsize=4)
def metalog_family(lower: bool, upper: bool) -> MetalogFamily:
    params = [ParamInfo("a", REAL_VECTOR, None, 1)]
    params += [ParamInfo(n, REAL, None) for n, given in (("lower", lower), ("upper", upper)) if given]
    support = {(False, False): "real", (True, False): "(lower, inf)", (False, True): "(-inf, upper)",
               (True, True): "(lower, upper)"}[(lower, upper)]
    return MetalogFamily(name=NAME, params=tuple(params), discrete=False, multivariate=False, support=support,
                         doc="Keelin's metalog: a quantile-parameterised distribution", factory=factory)


def to_metalog(params: dict) -> ml.Metalog:
    return ml.Metalog(tuple(float(v) for v in params["a"]), float(params.get("lower", -math.inf)),
                      float(params.get("upper", math.inf)))


def metalog_spec(metalog: ml.Metalog) -> DistSpec:
    """The DistSpec of a (feasible) metalog."""
    params: dict = {"a": tuple(float(v) for v in metalog.a)}
    params.update({n: float(v) for n, v in (("lower", metalog.lower), ("upper", metalog.upper)) if math.isfinite(v)})
    return DistSpec(metalog_family("lower" in params, "upper" in params), params)


def _key(params: dict) -> tuple:
    return tuple((k, tuple(float(x) for x in v) if isinstance(v, (tuple, list)) else float(v))
                 for k, v in sorted(params.items()))


@functools.lru_cache(maxsize=16)
def _metalog(key: tuple) -> ml.Metalog:
    return to_metalog(dict(key))


def _record(family: MetalogFamily) -> FamilyRecord:
    import numpy as np

    def of(params) -> ml.Metalog:
        return _metalog(_key(params))

    def icdf(q, **params):
        return of(params).quantile(q)

    def cdf(x, **params):
        return of(params).cdf(x)

    def logpdf(x, **params):
        out = of(params).log_density(np.asarray(x, dtype=np.float64))
        return out

    def variance(**params):
        sd = of(params).sd()
        return None if sd is None else sd * sd

    specs = tuple(ParamSpec(p.name, p.domain, p.default) for p in family.params)
    return FamilyRecord(name=NAME, params=specs, discrete=False, support=lambda **params: of(params).support,
                        cdf=cdf, icdf=icdf, logpdf=logpdf, mean=lambda **params: of(params).mean(),
                        variance=variance, mode=lambda **params: of(params).mode(), median=None, entropy=None,
                        formulas=ml.FORMULAS, not_auto="a quantile-parameterised distribution (shown beside the "
                                                      "ranking, exact through the quantiles)")
