"""Finite mixtures of univariate families: ``Mixture([0.3, 0.7], [Normal(0, 1), Normal(3, 0.5)])``.

A mixture is a DistSpec like any other: its family is a :class:`MixtureFamily` (name ``Mixture``)
that carries the components' families, and its parameters are flat numbers, the ``weights`` and
each component's parameters under ``c{i}.{Family}.{name}`` (``c0.Normal.loc``), so that the seeded,
chunked and compiled draws of :mod:`priorcli.sampling.draws` take a mixture as they take any
family (the component families are in the compiled program's key through those names). Its record
(a :class:`~priorcli.records.base.FamilyRecord` built here, not in ``priorcli.records``) holds the
exact values the generic code reads:

* cdf: the weighted sum of the components' exact cdfs;
* quantiles: root finding on that cdf (``scipy.optimize.brentq``), bracketed by the components'
  own quantiles at the same level (F(min_i Q_i(p)) <= p <= F(max_i Q_i(p))); a discrete mixture's
  smallest whole k with F(k) >= p by bisection inside the same bracket;
* density: the weighted sum (log-sum-exp of the log densities);
* mean: the weighted mean; variance by the law of total variance, sum_i w_i (v_i + (m_i - m)^2);
* mode: the density maximised numerically (the best of a grid of the components' quantiles and
  modes, refined by a bounded scalar minimisation between its neighbours); a discrete one's is
  the largest pmf over the integers between the components' 1e-9 and 1 - 1e-9 quantiles.

Draws: numpyro's ``MixtureGeneral(Categorical(probs=weights), [component, ...])`` (also when the
components share a family: then a program emitted with ``--emit numpyro`` draws exactly as
priorcli does). Never prints; raises UsageError for bad input.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any, Sequence

from priorcli.errors import UsageError
from priorcli.families.built import BuiltFamily
from priorcli.families.registry import FamilyInfo, ParamInfo
from priorcli.records.base import FamilyRecord, ParamSpec
from priorcli.records.domain import REAL_VECTOR
from priorcli.stats.exact import DistSpec, ExactDistribution, with_factory

NAME = "Mixture"
WEIGHT_TOLERANCE = 1e-9  # |sum of the weights - 1| allowed
USAGE = "Mixture([0.3, 0.7], [Normal(0, 1), Normal(3, 0.5)])"


def is_mixture(name: str | None) -> bool:
    return isinstance(name, str) and name.strip().lower() == NAME.lower()


def param_name(i: int, family: str, name: str) -> str:
    return f"c{i}.{family}.{name}"


@dataclass(frozen=True)
class MixtureFamily(BuiltFamily):
    """The family of a mixture: the components' families in order (``parts``); the record is built
    from them (see the module docstring)."""

    parts: tuple[FamilyInfo, ...] = field(default=(), compare=True)

    def build_record(self) -> FamilyRecord:
        return _record(self)

    def components(self, params: dict) -> list[DistSpec]:
        """The components as DistSpecs of their own (numbers, or per-draw arrays in a model)."""
        return [DistSpec(part, {p.name: params[param_name(i, part.name, p.name)] for p in part.params})
                for i, part in enumerate(self.parts)]

    def weights(self, params: dict):
        return params["weights"]

    def describe(self, params: dict, transforms=()) -> str:
        """``Mixture([0.3, 0.7], [Normal(loc=0, scale=1), ...])``, the label of titles and messages."""
        weights = ", ".join(f"{float(w):g}" for w in params["weights"])
        text = f"{NAME}([{weights}], [{', '.join(c.label() for c in self.components(params))}])"
        for t in transforms:
            text = f"{t}({text})"
        return text

    def params_document(self, params: dict) -> dict:
        """The JSON ``params`` of a mixture: the weights and each component's family and parameters."""
        return {"weights": [float(w) for w in params["weights"]],
                "components": [{"family": c.family.name, "params": {k: _plain(v) for k, v in c.params.items()}}
                               for c in self.components(params)]}


def _plain(value):
    return [float(v) for v in value] if isinstance(value, (tuple, list)) else float(value)


# ---------------------------------------------------------------------------------------------
# Building and checking


def mixture_spec(weights, components: Sequence[DistSpec], transforms=(), *, per_draw: bool = False) -> DistSpec:
    """The mixture of ``components`` (univariate DistSpecs without transforms) with ``weights``
    (numbers; in a model's run also (n, K) arrays, one weight vector per draw). UsageError for an
    empty list, a weight count other than the component count, a negative weight, weights whose
    sum is not 1 (within 1e-9), a multivariate or transformed component, or continuous and discrete
    components together."""
    import numpy as np

    components = list(components)
    if not components:
        raise UsageError(f"a Mixture needs at least one component, e.g. {USAGE}")
    w = np.asarray(weights, dtype=np.float64)
    count = w.shape[-1] if w.ndim else 1
    if w.ndim == 0 or count != len(components):
        raise UsageError(f"Mixture weights: {count} weight{'s' if count != 1 else ''} for {len(components)} "
                         f"component{'s' if len(components) != 1 else ''}; give one weight per component")
    check_weights(w)
    for i, c in enumerate(components):
        if c.family.multivariate:
            raise UsageError(f"Mixture component {i} ({c.family.name}) is multivariate; components are univariate")
        if c.transforms:
            raise UsageError(f"Mixture component {i} ({c.label()}) is transformed; components are plain families "
                             "(a transform may wrap the whole mixture)")
        if c.truncate is not None:  # the mixture's record and draws would read the untruncated family
            raise UsageError(f"Mixture component {i} ({c.label()}) is truncated; a Mixture's components are "
                             "untruncated families")
    kinds = {c.family.discrete for c in components}
    if len(kinds) > 1:
        which = ", ".join(f"{c.family.name} ({'discrete' if c.family.discrete else 'continuous'})" for c in components)
        raise UsageError(f"a Mixture's components are all continuous or all discrete, not both: {which}")
    parts = tuple(with_factory(c.family) for c in components)
    params: dict[str, Any] = {"weights": w if per_draw and w.ndim > 1 else tuple(float(v) for v in w)}
    for i, c in enumerate(components):
        params.update({param_name(i, c.family.name, k): v for k, v in c.params.items()})
    family = mixture_family(parts)
    if transforms and family.discrete:
        raise UsageError("transforms apply to continuous families; this Mixture is discrete")
    return DistSpec(family, params, tuple(transforms))


def check_weights(w) -> None:
    """UsageError naming the weights unless they are finite, non-negative and sum to 1 (each draw's)."""
    import numpy as np

    w = np.asarray(w, dtype=np.float64)

    shown = "[" + ", ".join(f"{v:g}" for v in np.atleast_2d(w)[0]) + "]"
    if not np.all(np.isfinite(w)):
        raise UsageError(f"Mixture weights {shown} must be finite numbers")
    if np.any(w < 0):
        bad = float(w[w < 0].flat[0])
        raise UsageError(f"Mixture weights {shown} must not be negative (got {bad:g})")
    total = np.sum(w, axis=-1)
    off = np.abs(total - 1.0) > WEIGHT_TOLERANCE
    if np.any(off):
        first = float(np.atleast_1d(total)[np.atleast_1d(off)][0])
        where = " in some draws" if np.ndim(total) else ""
        raise UsageError(f"Mixture weights {shown} sum to {first:.12g}{where}, not 1 (within {WEIGHT_TOLERANCE:g}); "
                         "divide them by their sum")


def mixture_family(parts: tuple[FamilyInfo, ...]) -> MixtureFamily:
    params = [ParamInfo("weights", REAL_VECTOR, None, 1)]
    for i, part in enumerate(parts):
        params += [ParamInfo(param_name(i, part.name, p.name), p.domain, p.default, p.event_dim, p.constraint)
                   for p in part.params]
    discrete = parts[0].discrete
    names = ", ".join(p.name for p in parts)
    return MixtureFamily(name=NAME, params=tuple(params), discrete=discrete, multivariate=False,
                         support=f"the union of the components' ({names})", doc=f"a finite mixture of {names}",
                         factory=functools.partial(numpyro_mixture, parts), parts=parts)


def numpyro_mixture(parts: tuple[FamilyInfo, ...], **kwargs):
    """numpyro's MixtureGeneral of the parts with the flat parameters (jax arrays, traced or not).
    Components whose supports are of different kinds (Normal's real line, Gamma's positive half
    line) get the widest: the real line, or the integers above the least lower bound."""
    import jax.numpy as jnp

    from priorcli.families.registry import numpyro_dist

    dist = numpyro_dist()
    comps = [part.factory(**{p.name: kwargs[param_name(i, part.name, p.name)] for p in part.params})
             for i, part in enumerate(parts)]
    support = None
    if len({type(c.support) for c in comps}) > 1:
        if parts[0].discrete:
            lows = [jnp.asarray(getattr(c.support, "lower_bound", 0)) for c in comps]
            support = dist.constraints.integer_greater_than(functools.reduce(jnp.minimum, lows))
        else:
            support = dist.constraints.real
    return dist.MixtureGeneral(dist.Categorical(probs=kwargs["weights"]), comps, support=support)


# ---------------------------------------------------------------------------------------------
# Exact values: the record


def _key(params: dict) -> tuple:
    return tuple((k, tuple(v) if isinstance(v, (tuple, list)) else float(v)) for k, v in sorted(params.items()))


def _record(family: MixtureFamily) -> FamilyRecord:
    maths = functools.lru_cache(maxsize=16)(lambda key: MixtureMath(family, dict(key)))

    def bind(method: str):
        return lambda *args, **params: getattr(maths(_key(params)), method)(*args)

    specs = tuple(ParamSpec(p.name, p.domain, p.default) for p in family.params)
    return FamilyRecord(name=NAME, params=specs, discrete=family.discrete, support=bind("support"), cdf=bind("cdf"),
                        icdf=bind("icdf"), logpdf=bind("logpdf"), mean=bind("mean"), variance=bind("variance"),
                        mode=bind("mode"), median=None, entropy=None, not_auto="a combination of families")


class MixtureMath:
    """The exact functions of one mixture with numeric parameters (see the module docstring)."""

    def __init__(self, family: MixtureFamily, params: dict):
        import numpy as np

        self.discrete = family.discrete
        weights = np.asarray(params["weights"], dtype=np.float64)
        # Components of weight 0 take no part (their support need not even be reached).
        pairs = [(float(w), ExactDistribution(c)) for w, c in zip(weights, family.components(params)) if w > 0]
        self.weights = np.array([w for w, _ in pairs])
        self.parts = [c for _, c in pairs]

    def support(self) -> tuple[float, float]:
        ends = [c.base.support() for c in self.parts]
        return min(lo for lo, _ in ends), max(hi for _, hi in ends)

    def cdf(self, x):
        import numpy as np

        if np.ndim(x):
            return np.array([self.cdf(float(v)) for v in np.ravel(x)]).reshape(np.shape(x))
        total = 0.0
        for w, c in zip(self.weights, self.parts):
            value = c.base.cdf(float(x))
            if value is None:
                raise UsageError(f"{c.spec.label()} has no cdf for a Mixture's quantiles")
            total += w * float(value)
        return min(1.0, max(0.0, total))

    def logpdf(self, x):
        import numpy as np
        from scipy.special import logsumexp

        x = np.asarray(x, dtype=np.float64)
        with np.errstate(all="ignore"):
            terms = np.stack([math.log(w) + np.broadcast_to(np.asarray(c.base.logpdf(x), dtype=np.float64), x.shape)
                              for w, c in zip(self.weights, self.parts)])
            terms = np.where(np.isnan(terms), -np.inf, terms)
            out = logsumexp(terms, axis=0)
        return float(out) if out.ndim == 0 else out

    def icdf(self, q):
        import numpy as np

        if np.ndim(q):
            return np.array([self.icdf(float(v)) for v in np.ravel(q)]).reshape(np.shape(q))
        return self._quantile(float(q))

    def _quantile(self, q: float) -> float:
        lo, hi = self.support()
        if q <= 0.0:
            return lo
        if q >= 1.0:
            return hi
        own = [c.base.icdf(q) for c in self.parts]
        if any(v is None or math.isnan(v) for v in own):
            raise UsageError("a Mixture component has no quantile function to bracket the mixture's quantiles")
        a, b = min(own), max(own)
        if a == b:
            return float(a)
        if self.discrete:
            a, b = math.floor(a), math.ceil(b)
            if self.cdf(a) >= q:
                return float(a)
            while b - a > 1:  # cdf(a) < q <= cdf(b)
                mid = (a + b) // 2
                a, b = (a, mid) if self.cdf(mid) >= q else (mid, b)
            return float(b)
        from scipy.optimize import brentq

        fa, fb = self.cdf(a) - q, self.cdf(b) - q
        if fa >= 0:
            return float(a)
        if fb <= 0:
            return float(b)
        return float(brentq(lambda x: self.cdf(x) - q, a, b, xtol=1e-14 * max(1.0, abs(a), abs(b)), rtol=1e-15,
                            maxiter=500))

    def mean(self) -> float | None:
        means = [c.mean() for c in self.parts]
        if any(m is None for m in means):
            return None
        return float(sum(w * m for w, m in zip(self.weights, means)))

    def variance(self) -> float | None:
        mean = self.mean()
        sds = [c.sd() for c in self.parts]
        if mean is None or any(s is None for s in sds):
            return None
        return float(sum(w * (s * s + (c.mean() - mean) ** 2) for w, s, c in zip(self.weights, sds, self.parts)))

    def mode(self) -> float | None:
        import numpy as np

        if self.discrete:
            lo = min(c.base.icdf(1e-9) for c in self.parts)
            hi = max(c.base.icdf(1 - 1e-9) for c in self.parts)
            if hi - lo > 1e7:
                return None
            ks = np.arange(lo, hi + 1)
            return float(ks[int(np.argmax(self.logpdf(ks)))])
        probs = np.linspace(1e-4, 1 - 1e-4, 401)
        grid = [np.asarray([c.base.icdf(float(p)) for p in probs], dtype=np.float64) for c in self.parts]
        grid += [np.array([m]) for m in (c.mode() for c in self.parts) if m is not None and math.isfinite(m)]
        xs = np.unique(np.concatenate(grid))
        xs = xs[np.isfinite(xs)]
        values = self.logpdf(xs)
        i = int(np.argmax(np.where(np.isfinite(values), values, -np.inf)))
        if not np.isfinite(values[i]):
            return None
        if i in (0, len(xs) - 1):  # rising towards an end of the support: that end, if the density is finite there
            end = self.support()[0 if i == 0 else 1]
            with np.errstate(all="ignore"):
                at_end = self.logpdf(np.array([end]))[0] if math.isfinite(end) else -np.inf
            return float(end) if np.isfinite(at_end) and at_end >= values[i] else float(xs[i])
        from scipy.optimize import minimize_scalar

        result = minimize_scalar(lambda x: -float(self.logpdf(x)), bounds=(float(xs[i - 1]), float(xs[i + 1])),
                                 method="bounded", options={"xatol": 1e-12 * max(1.0, abs(float(xs[i])))})
        best = float(result.x)
        return best if self.logpdf(best) >= values[i] else float(xs[i])
