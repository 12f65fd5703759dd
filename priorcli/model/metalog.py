"""``Metalog(...)`` in the model language and ``compare``: Keelin's metalog from its coefficients
or exactly through k quantiles (parsing for :mod:`priorcli.model.parse`, the DistSpec of an
evaluated one for :mod:`priorcli.model.numpyro`). The maths are :mod:`priorcli.records.metalog`'s.

* ``Metalog([a1, a2, a3], lower=0, upper=20)`` (or ``a=[...]``): the coefficients;
* ``Metalog(p=[0.1, 0.5, 0.9], x=[1, 3, 10], lower=0)``: solved when parsed, exactly through the
  k quantiles (``terms=T`` fewer terms by least squares), with ``solve metalog``'s feasibility check
  and its error naming the offending quantiles.

Every argument is a constant (the feasibility check is made once, when parsed). A parsed metalog
is a :class:`~priorcli.model.tree.DistExpr` named ``Metalog`` whose keywords are its coefficients
``a1``, ``a2``, ... and its bounds, so that it is a distribution of a number (no vector argument)
and is written by the emitters from its coefficients.
"""

from __future__ import annotations

import ast
import math
from typing import Callable

from priorcli.errors import PriorError, UsageError
from priorcli.model.evaluate import _const
from priorcli.model.tree import DistExpr, Num, Unary, Vector
from priorcli.records import metalog as ml
from priorcli.stats import metalog as family

NAME = family.NAME
is_metalog = family.is_metalog
USAGE = "Metalog([a1, a2, a3], lower=0) or Metalog(p=[0.1, 0.5, 0.9], x=[1, 3, 10], lower=0)"
KEYWORDS = ("a", "p", "x", "lower", "upper", "terms")


def _number(value: float):
    return Num(float(value)) if value >= 0 else Unary("-", Num(-float(value)))


def _constants(expr, what: str, ctx, node) -> list[float]:
    """The numbers of a constant vector (``what`` names it in messages)."""
    if not isinstance(expr, Vector):
        raise ctx.error(f"Metalog's {what} is a vector in brackets, e.g. {USAGE}: '{ctx.segment(node)}'")
    values = [_const(item) for item in expr.items]
    if any(v is None for v in values):
        raise ctx.error(f"Metalog's {what} must be constant numbers (its feasibility is checked once, when "
                        f"parsed): '{ctx.segment(node)}'")
    return [float(v) for v in values]


def _scalar(expr, node, what: str, ctx) -> float:
    value = _const(expr)
    if value is None or isinstance(expr, Vector):
        raise ctx.error(f"Metalog's {what} must be a constant number: '{ctx.segment(node)}'")
    return float(value)


def translate(node: ast.Call, ctx, translate_node: Callable, numeric: Callable) -> DistExpr:
    """``Metalog([...], lower=, upper=)`` or ``Metalog(p=[...], x=[...], ...)`` -> a DistExpr of its
    coefficients (errors through ``ctx``, naming the statement)."""
    segment = ctx.segment(node)
    if len(node.args) > 1:
        raise ctx.error(f"Metalog takes its coefficients as one vector, e.g. {USAGE}: '{segment}'")
    given = {}
    if node.args:
        given["a"] = (numeric(node.args[0], ctx), node.args[0])
    for kw in node.keywords:
        if kw.arg not in KEYWORDS:
            raise ctx.error(f"unknown argument '{kw.arg}' for Metalog (valid: {', '.join(KEYWORDS)}): '{segment}'")
        if kw.arg in given:
            raise ctx.error(f"Metalog's '{kw.arg}' is given twice: '{segment}'")
        given[kw.arg] = (numeric(kw.value, ctx), kw.value)
    lower = _scalar(*given["lower"], "lower", ctx) if "lower" in given else -math.inf
    upper = _scalar(*given["upper"], "upper", ctx) if "upper" in given else math.inf
    metalog = _build(given, lower, upper, ctx, segment)
    kwargs = tuple((f"a{i}", _number(v)) for i, v in enumerate(metalog.a, start=1))
    kwargs += tuple((n, _number(v)) for n, v in (("lower", metalog.lower), ("upper", metalog.upper))
                    if math.isfinite(v))
    return DistExpr(NAME, (), kwargs, (), segment)


def _spelled(message: str) -> str:
    """``solve metalog``'s message in the model language's words: ``--quantile 0.5=3`` is the
    quantile (0.5, 3) of (p, x), ``--terms`` is terms=, ``--lower/--upper`` lower=/upper=."""
    import re

    message = re.sub(r"--quantile (\S+?)=(\S+?)(?=[,;: )]|$)", r"(\1, \2)", message).replace(") (", "), (")
    message = message.replace("through (", "through (p, x) = (", 1)
    for flag, word in (("--terms", "terms="), ("--lower/--upper", "lower=/upper="), ("--lower", "lower="),
                       ("--upper", "upper=")):
        message = message.replace(flag, word)
    return message


def _build(given: dict, lower: float, upper: float, ctx, segment: str) -> ml.Metalog:
    quantile_form = "p" in given or "x" in given
    if "a" in given and quantile_form:
        raise ctx.error(f"Metalog takes its coefficients or its quantiles (p=, x=), not both: '{segment}'")
    if "a" not in given and not quantile_form:
        raise ctx.error(f"Metalog needs its coefficients or its quantiles, e.g. {USAGE}: '{segment}'")
    if "a" in given:
        if "terms" in given:
            raise ctx.error(f"Metalog's terms= applies to the quantile form (p=, x=): '{segment}'")
        a = _constants(given["a"][0], "coefficient vector", ctx, given["a"][1])
        return _located(ctx, coefficients, a, lower, upper)
    if "p" not in given or "x" not in given:
        raise ctx.error(f"Metalog's quantile form needs both p=[...] and x=[...]: '{segment}'")
    p = _constants(given["p"][0], "p", ctx, given["p"][1])
    x = _constants(given["x"][0], "x", ctx, given["x"][1])
    if len(p) != len(x):
        raise ctx.error(f"Metalog's p and x have {len(p)} and {len(x)} values; give one x per p: '{segment}'")
    terms = None
    if "terms" in given:
        t = _scalar(*given["terms"], "terms", ctx)
        if t != math.floor(t) or t < 2:
            raise ctx.error(f"Metalog's terms must be a whole number of at least 2, got {t:g}: '{segment}'")
        terms = int(t)
    return _located(ctx, ml.fit, list(zip(p, x)), lower, upper, terms)


def _located(ctx, build: Callable, *args) -> ml.Metalog:
    """``build(*args)``, its error (of the same kind: usage or infeasible) naming the statement."""
    try:
        return build(*args)
    except PriorError as exc:
        raise type(exc)(ctx.where[0] + _spelled(str(exc)) + ctx.where[1]) from None


def coefficients(a, lower: float, upper: float) -> ml.Metalog:
    """The metalog of coefficients ``a``, checked: at least 2, lower < upper, feasible."""
    from priorcli.errors import InfeasibleError

    if len(a) < 2:
        raise UsageError(f"Metalog needs at least 2 coefficients, got {len(a)}")
    if not lower < upper:
        raise UsageError(f"Metalog's lower {lower:g} must be below its upper {upper:g}")
    metalog = ml.Metalog(tuple(a), lower, upper)
    if not ml.is_feasible(metalog):
        _, y = ml.feasibility(metalog)
        raise InfeasibleError(f"Metalog({list(a)}): no distribution: its quantile function decreases (a negative "
                              f"density) near P={ml._ptext(y)}")
    return metalog


def dist_spec(args: tuple, kwargs: dict, transforms: tuple):
    """The DistSpec of an evaluated metalog: ``kwargs`` hold a1..ak and the bounds as numbers."""
    if transforms:
        raise UsageError("a transform or truncated(...) does not apply to a Metalog: give lower=/upper= for its "
                         "bounds (it is any shape between them already)")
    if args or any(not isinstance(v, float) for v in kwargs.values()):
        raise UsageError(f"Metalog's arguments are constant numbers, e.g. {USAGE}")
    k = sum(1 for name in kwargs if name.startswith("a"))
    a = [kwargs[f"a{i}"] for i in range(1, k + 1)]
    metalog = coefficients(a, kwargs.get("lower", -math.inf), kwargs.get("upper", math.inf))
    return family.metalog_spec(metalog)
