"""``truncated(D, low=L, high=H)`` in the model language (numpyro's ``TruncatedDistribution(base,
low, high)``; either end may be left out), and numpyro's truncated factories
(``TruncatedNormal(loc, scale, low=, high=)``): a :class:`DistExpr` with its ``truncate`` ends.

The ends are constant numbers; the distribution is an untransformed continuous one (a transform may
wrap the truncated distribution: ``exp(truncated(Normal(0, 1), high=2))``). The parser hands in its
own translation functions, so this module needs nothing of it.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Callable

from priorcli.model.evaluate import _const
from priorcli.model.tree import DistExpr
from priorcli.records.truncated import FACTORIES, make_truncation

NAME = "truncated"


def factory_base(name: str) -> str | None:
    """The base family of a numpyro truncated factory name as written (TruncatedNormal -> Normal)."""
    key = name.lower().replace("_", "").replace("-", "")
    return next((base for factory, base in FACTORIES.items() if factory.lower() == key), None)


def _end(expr, which: str, error: Callable[[str], Exception]) -> float | None:
    value = _const(expr)
    if value is None:
        raise error(f"the {which} end of truncated(...) must be a constant number")
    if math.isinf(value):
        return None
    return value


def _ends(low, high, error) -> tuple[float | None, float | None]:
    lo = None if low is None else _end(low, "low", error)
    hi = None if high is None else _end(high, "high", error)
    try:
        trunc = make_truncation(lo, hi, "truncated(...)")
    except Exception as exc:  # a UsageError: reported at the statement
        raise error(str(exc)) from None
    return trunc.low, trunc.high


def translate(node, ctx, translate_node: Callable, numeric: Callable) -> DistExpr:
    """``truncated(D, low=..., high=...)`` (or ``truncated(D, L, H)``) -> D with its truncation."""
    segment = ctx.segment(node)
    if not node.args:
        raise ctx.error(f"truncated needs a distribution: truncated(Gamma(2, 1), low=1): '{segment}'")
    base = translate_node(node.args[0], ctx)
    if not isinstance(base, DistExpr):
        raise ctx.error(f"truncated takes a distribution first, e.g. truncated(Gamma(2, 1), low=1): '{segment}'")
    if base.transforms or base.truncate is not None:
        raise ctx.error("truncated takes an untransformed distribution (a transform may wrap the truncated "
                        f"one: exp(truncated(Normal(0, 1), high=2))): '{segment}'")
    ends = {"low": None, "high": None}
    if len(node.args) > 3:
        raise ctx.error(f"truncated takes a distribution, low and high: '{segment}'")
    for name, arg in zip(("low", "high"), node.args[1:]):
        ends[name] = numeric(arg, ctx)
    for kw in node.keywords:
        if kw.arg not in ends:
            raise ctx.error(f"truncated takes low= and high=, not '{kw.arg}': '{segment}'")
        if ends[kw.arg] is not None:
            raise ctx.error(f"truncated's {kw.arg} is given twice: '{segment}'")
        ends[kw.arg] = numeric(kw.value, ctx)
    if ends["low"] is None and ends["high"] is None:
        raise ctx.error(f"truncated needs low=, high= or both: '{segment}'")
    return replace(base, truncate=_ends(ends["low"], ends["high"], ctx.error), text=segment)


def from_factory(dexpr: DistExpr, error) -> DistExpr:
    """``TruncatedNormal(0, 1, low=0)`` -> ``Normal(0, 1)`` truncated at 0; any other call as it is."""
    base = factory_base(dexpr.family)
    if base is None:
        return dexpr
    kwargs = dict(dexpr.kwargs)
    low, high = kwargs.pop("low", None), kwargs.pop("high", None)
    truncate = None if low is None and high is None else _ends(low, high, error)
    return replace(dexpr, family=base, kwargs=tuple(kwargs.items()), truncate=truncate)
