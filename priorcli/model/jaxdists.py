"""The distribution of one ``~`` in the jax run of ``solve --model`` (:mod:`priorcli.model.jaxrun`):
a plain family, ``truncated(D, low=, high=)`` (:func:`priorcli.dists.truncated.truncated`, as
``sample --model`` draws it) or ``Mixture(weights, [D, ...])`` (numpyro's ``MixtureGeneral``, built
by :func:`priorcli.stats.mixture.numpyro_mixture` as ``sample --model`` builds it), with the
statement's transforms on top.

A :class:`Plan` is made once per statement outside any trace (families resolved, constant targets
solved); :func:`build` makes the numpyro distribution from the per-draw values of its parents.

Draws of a mixture pick a component by a categorical draw, a step function of the weights, and a
truncated family without numpyro's icdf is drawn by bisection; so their draws get the implicit
reparameterisation gradient (Figurnov et al. 2018): the value is the draw x, the derivative
``-dF(x; theta)/dtheta / f(x; theta)`` from the distribution's own cdf and density (the quantile
coupling's derivative), where numpyro has both. A target on the variable itself reads its
conditional cdf (smooth in the weights and the components' parameters) and needs no draw gradient;
this makes targets downstream of it smooth too. jax is imported inside the functions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from priorcli.errors import UsageError
from priorcli.model.tree import DistExpr, referenced_names
from priorcli.stats.metalog import is_metalog


@dataclass(frozen=True)
class Plan:
    """What one distribution needs at run time: a family's parameter expressions (``params``),
    its numbers solved from constant targets (``fixed``) and truncation ends; or a mixture's
    weight expression and component plans. ``chain`` is the statement's transforms (or None)."""

    family: Any = None
    params: dict | None = None
    fixed: dict | None = None
    truncate: tuple | None = None
    weights: Any = None
    components: tuple["Plan", ...] = ()
    chain: Any = None
    line: int = 0

    @property
    def smooth_draws(self) -> bool:
        """Whether the draws need the implicit gradient (a mixture, a truncation)."""
        return bool(self.components) or self.truncate is not None


def to_draws(value, n: int, size: int | None):
    """A lifted value as one per draw: (n,) for a number, (n, K) for a vector."""
    import jax.numpy as jnp

    value = jnp.asarray(value, dtype=jnp.float64)
    if size is None:
        return jnp.broadcast_to(value.reshape(-1) if value.ndim == 2 else value, (n,))
    return jnp.broadcast_to(value, (n, size))


def is_discrete(dexpr: DistExpr) -> bool:
    """A distribution of whole numbers: an untransformed discrete family, or a mixture of them."""
    from priorcli.families.registry import resolve

    if dexpr.transforms:
        return False
    if dexpr.components:
        return all(is_discrete(c) for c in dexpr.components)
    if is_metalog(dexpr.family):
        return False
    return bool(resolve(dexpr.family).discrete)


def plan(dexpr: DistExpr, data: dict, line: int) -> Plan:
    """The Plan of one distribution (``data``: the constant names' values, for constant targets,
    transform arguments and truncation ends)."""
    from priorcli.families.transforms import build_chain, make_transform
    from priorcli.model.evaluate import evaluate

    chain = [make_transform(name, tuple(float(evaluate(a, data)) for a in targs)) for name, targs in dexpr.transforms]
    chain = build_chain(chain) if chain else None
    if dexpr.components:
        if dexpr.truncate is not None:
            raise UsageError(f"line {line}: truncated(...) takes one family, not a Mixture (truncate its "
                             "components instead)")
        parts = tuple(_family_plan(c, data, line) for c in dexpr.components)
        if any(p.truncate is not None for p in parts):
            raise UsageError(f"line {line}: a Mixture's components are untruncated families")
        if len({p.family.discrete for p in parts}) > 1:
            raise UsageError(f"line {line}: a Mixture's components are all continuous or all discrete, not both")
        return Plan(weights=dexpr.args[0], components=parts, chain=chain, line=line)
    out = _family_plan(dexpr, data, line)
    return Plan(out.family, out.params, out.fixed, out.truncate, chain=chain, line=line)


def _family_plan(dexpr: DistExpr, data: dict, line: int) -> Plan:
    from priorcli.families.registry import resolve
    from priorcli.model.evaluate import evaluate
    from priorcli.model.numpyro import _check_values, dist_spec, split_arguments
    from priorcli.records.truncated import check_truncatable

    if is_metalog(dexpr.family):
        return _metalog_plan(dexpr, data, line)
    family = resolve(dexpr.family)
    params, targets = split_arguments(family, dexpr.args, dict(dexpr.kwargs), dexpr.family)
    fixed: dict = {}
    if targets:
        if referenced_names(dexpr) - set(data):
            raise UsageError(f"line {line}: the targets of {family.name} ({', '.join(targets)}=) vary across "
                             f"draws; solve --model needs native parameters there (e.g. "
                             f"{', '.join(family.param_names)}) to differentiate through them")
        args = tuple(float(evaluate(a, data)) for a in dexpr.args)
        kwargs = {k: float(evaluate(v, data)) for k, v in dexpr.kwargs}
        fixed, params = dist_spec(dexpr.family, args, kwargs, ()).params, {}
    for name, expr in params.items():  # a constant parameter is checked as sample --model checks it
        if not referenced_names(expr) - set(data):
            value = np.asarray(evaluate(expr, data), dtype=np.float64)
            try:
                _check_values(family, {name: float(value) if value.ndim == 0 else value.reshape(-1)})
            except UsageError as exc:
                raise UsageError(f"line {line}: {exc} in '{dexpr.text or dexpr.family}'") from None
    if dexpr.truncate is not None:
        check_truncatable(family.name, family.discrete, family.multivariate, f"line {line}: truncated(...)")
    return Plan(family, params, fixed, dexpr.truncate, line=line)


def _metalog_plan(dexpr: DistExpr, data: dict, line: int) -> Plan:
    """A metalog's Plan: its coefficients and bounds are constants (the parser solved any quantiles
    into them), so all of it is ``fixed``; its draws Q(U) are reparameterised and constant in the
    free names (priorcli.dists.metalog)."""
    from priorcli.model.evaluate import evaluate
    from priorcli.model.metalog import dist_spec

    try:
        spec = dist_spec((), {k: float(evaluate(v, data)) for k, v in dexpr.kwargs}, dexpr.transforms)
    except UsageError as exc:
        raise UsageError(f"line {line}: {exc} in '{dexpr.text or dexpr.family}'") from None
    if dexpr.truncate is not None:
        raise UsageError(f"line {line}: truncated(...) does not apply to a Metalog: give lower=/upper= for its "
                         "bounds")
    return Plan(spec.family, {}, dict(spec.params), line=line)


def build(p: Plan, env: dict, n: int, size: int | None, evaluate):
    """The numpyro distribution of the plan with batch (n,) (or (n, size) for a family of numbers
    drawn per element), its parents' values in ``env``; ``evaluate(expr, env)`` is jaxrun's jeval."""
    import numpyro.distributions as dist

    if p.components:
        base = _mixture(p, env, n, size, evaluate)
    else:
        base = _family(p, env, n, size, evaluate)
    return dist.TransformedDistribution(base, p.chain) if p.chain is not None else base


def _family(p: Plan, env: dict, n: int, size: int | None, evaluate, *, flat: bool = False):
    """One family's distribution; with ``flat`` its completed parameters as arrays of shape (n,) instead."""
    import jax.numpy as jnp

    family = p.family
    full = dict(p.fixed)
    for q in family.params:
        if q.name in p.params:
            value = evaluate(p.params[q.name], env)
            full[q.name] = to_draws(value, n, size if q.event_dim or not family.multivariate else None)
        elif q.name not in full and q.default is not None:
            full[q.name] = float(q.default)
        elif q.name not in full:
            raise UsageError(f"line {p.line}: {family.name} needs '{q.name}'; numpyro gives it no default")
    integer = {q.name for q in family.params if q.domain.integer}
    kwargs = {k: jnp.asarray(v, dtype=jnp.int64 if k in integer else jnp.float64) for k, v in full.items()}
    vectors = {q.name for q in family.params if q.event_dim} if not family.multivariate else set()
    if flat or size is None:  # a family of numbers with a vector parameter (a metalog's a): (n, K)
        kwargs.update({k: jnp.broadcast_to(v, (n,) + v.shape[-1:]) for k, v in kwargs.items() if k in vectors})
    if flat:
        return {k: v if k in vectors else jnp.broadcast_to(v, (n,)) for k, v in kwargs.items()}
    batch = (n,) if size is None or family.multivariate else (n, size)
    base = family.factory(**kwargs)
    if base.batch_shape != batch:
        base = base.expand(batch)
    if p.truncate is not None:
        from priorcli.dists.truncated import truncated

        try:
            base = truncated(base, *p.truncate)
        except ValueError as exc:  # a base it cannot draw (no cdf: VonMises)
            raise UsageError(f"line {p.line}: a truncated {family.name} cannot be drawn: {exc}") from None
    return base


def _mixture(p: Plan, env: dict, n: int, size: int | None, evaluate):
    import jax.numpy as jnp

    from priorcli.stats.mixture import numpyro_mixture, param_name

    if size is not None:
        raise UsageError(f"line {p.line}: a Mixture in solve --model is a distribution of a number, not a vector")
    weights = jnp.asarray(evaluate(p.weights, env), dtype=jnp.float64)
    count = len(p.components)
    weights = jnp.broadcast_to(weights.reshape((-1, count)) if weights.ndim == 2 else weights, (n, count))
    flat = {}
    for i, c in enumerate(p.components):
        flat.update({param_name(i, c.family.name, k): v
                     for k, v in _family(c, env, n, None, evaluate, flat=True).items()})
    return numpyro_mixture(tuple(c.family for c in p.components), weights=weights, **flat)


def draw(p: Plan, d, key):
    """Draws of the statement's distribution ``d`` (from :func:`build`): differentiable in the free
    values through numpyro's reparameterised draws, or, for a mixture or truncation, the implicit
    gradient of the module docstring (the transforms applied after it)."""
    import jax.numpy as jnp

    if not p.smooth_draws or d.is_discrete:
        return jnp.asarray(d.sample(key), dtype=jnp.float64)
    base = d.base_dist if p.chain is not None else d
    x = implicit(base, jnp.asarray(_constant(base).sample(key), dtype=jnp.float64))
    for transform in d.transforms if p.chain is not None else ():
        x = transform(x)
    return x


def _constant(d):
    """``d`` with its parameters cut from the derivative: the implicit gradient replaces the draws'
    own, so forward mode (``jax.jacfwd``) need not carry tangents through a bisection or Newton
    loop (a truncated Gamma's draws: each step's incomplete gamma differentiated in its shape)."""
    import jax

    return jax.tree_util.tree_map(jax.lax.stop_gradient, d)


def implicit(d, x):
    """``x`` (draws of ``d``) with the derivative -dF(x)/dtheta / f(x); x itself where numpyro has
    no cdf for ``d`` or the density vanishes."""
    import jax
    import jax.numpy as jnp

    xs = jax.lax.stop_gradient(x)
    try:
        cdf = d.cdf(xs)
        density = jax.lax.stop_gradient(jnp.exp(d.log_prob(xs)))
    except NotImplementedError:
        return x
    ok = jnp.isfinite(density) & (density > 0) & jnp.isfinite(cdf)
    step = (cdf - jax.lax.stop_gradient(cdf)) / jnp.where(ok, density, 1.0)
    return xs - jnp.where(ok, step, 0.0)
