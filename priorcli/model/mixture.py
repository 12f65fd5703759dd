"""``Mixture(weights, [D, ...])`` in the model language: parsing (for :mod:`priorcli.model.parse`)
and the DistSpec of an evaluated one (for :mod:`priorcli.model.numpyro`). The exact values and the
numpyro distribution are :mod:`priorcli.stats.mixture`'s.

A parsed mixture is a :class:`~priorcli.model.tree.DistExpr` named ``Mixture`` whose one argument
is the weight vector and whose ``components`` are the component distributions (plain families:
neither transformed, nor vectors, nor mixtures themselves). Weights and the components'
parameters may vary per draw (``Mixture([w, 1 - w], [Normal(mu, 1), Normal(mu + 3, 1)])``); constant
weights are checked when parsed, varying ones on every draw.
"""

from __future__ import annotations

import ast
from typing import Callable

from priorcli.errors import UsageError
from priorcli.model.evaluate import _const
from priorcli.model.tree import DistExpr, Vector
from priorcli.stats import mixture as maths

NAME = maths.NAME
is_mixture = maths.is_mixture


def translate(node: ast.Call, ctx, translate_node: Callable, numeric: Callable) -> DistExpr:
    """``Mixture([0.3, 0.7], [Normal(0, 1), Normal(3, 0.5)])`` -> DistExpr (errors through ``ctx``)."""
    if node.keywords or len(node.args) != 2:
        raise ctx.error(f"Mixture takes a weight vector and a list of distributions, e.g. {maths.USAGE}: "
                        f"'{ctx.segment(node)}'")
    weights = numeric(node.args[0], ctx)
    size = ctx.size_of(weights)
    if size is None:
        raise ctx.error(f"Mixture's weights are a vector, e.g. [0.3, 0.7]: '{ctx.segment(node.args[0])}'")
    listed = node.args[1]
    if not isinstance(listed, ast.List):
        raise ctx.error(f"Mixture's components are a list of distributions in brackets, e.g. {maths.USAGE}: "
                        f"'{ctx.segment(listed)}'")
    if not listed.elts:
        raise ctx.error(f"Mixture needs at least one component; the list is empty: '{ctx.segment(node)}'")
    components = tuple(_component(elt, ctx, translate_node) for elt in listed.elts)
    if size != len(components):
        raise ctx.error(f"Mixture weights: {size} weight{'s' if size != 1 else ''} for {len(components)} component"
                        f"{'s' if len(components) != 1 else ''}; give one weight per component: '{ctx.segment(node)}'")
    if isinstance(weights, Vector):
        values = [_const(item) for item in weights.items]
        if all(v is not None for v in values):
            try:
                maths.check_weights(values)
            except UsageError as exc:
                raise ctx.error(str(exc)) from None
    return DistExpr(NAME, (weights,), (), (), ctx.segment(node), components=components)


def _component(elt: ast.AST, ctx, translate_node: Callable) -> DistExpr:
    if isinstance(elt, ast.Starred):
        raise ctx.error(f"starred argument is not allowed: '{ctx.segment(elt)}'")
    out = translate_node(elt, ctx)
    if not isinstance(out, DistExpr):
        raise ctx.error(f"a Mixture's components are distributions such as Normal(0, 1), not '{ctx.segment(elt)}'")
    if out.components:
        raise ctx.error(f"a Mixture's component cannot be a Mixture itself (list all components in one): "
                        f"'{ctx.segment(elt)}'")
    if out.transforms:
        raise ctx.error(f"a Mixture's components are plain families; transform the whole mixture instead: "
                        f"'{ctx.segment(elt)}'")
    size = ctx.size_of(out)
    if size is not None:
        raise ctx.error(f"a Mixture's components are distributions of a number, not of a vector: '{ctx.segment(elt)}'")
    return out


def dist_spec(args: tuple, kwargs: dict, transforms: tuple, per_draw: bool, component_spec: Callable):
    """The DistSpec of an evaluated mixture: ``args`` is (weights, ((family, args, kwargs,
    transforms), ...)) as :func:`priorcli.model.evaluate.evaluate_distribution` gives it;
    ``component_spec`` builds each component's (``priorcli.model.numpyro.dist_spec``)."""
    if kwargs or len(args) != 2:
        raise UsageError(f"Mixture takes a weight vector and a list of distributions, e.g. {maths.USAGE}")
    weights, components = args
    specs = []
    for i, (family, cargs, ckwargs, ctransforms) in enumerate(components):
        try:
            specs.append(component_spec(family, cargs, ckwargs, ctransforms, per_draw))
        except UsageError as exc:
            raise UsageError(f"Mixture component {i}: {exc}") from None
    return maths.mixture_spec(weights, specs, transforms, per_draw=per_draw)
