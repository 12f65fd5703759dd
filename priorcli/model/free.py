"""Free hyperparameters of a model (``solve --model``): the names a model uses but never defines,
the domain each one must lie in from where it is used (a scale is positive, a probability in (0, 1),
the argument of ``log`` positive), and the model with numbers put in their place (for ``--emit``).

The free names are found on the text with ``ast`` before parsing (the parser refuses unknown
names); the parser then sees them as numbers given from outside, like ``--data NAME=V``. Raises
UsageError naming the name and its uses; never prints."""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, fields, is_dataclass, replace

from priorcli.errors import UsageError
from priorcli.model.tree import (
    CONSTANTS, MATH_FUNCTIONS, REDUCTIONS, TRANSFORMS, Binary, Call, DataItem, DistExpr, Model, Name, Num, Statement,
    Unary, Vector,
    referenced_names,
)

#: math functions whose argument must lie in a domain: name -> (low, high)
_ARGUMENT_DOMAINS = {"log": (0.0, math.inf), "sqrt": (0.0, math.inf), "logit": (0.0, 1.0), "probit": (0.0, 1.0)}


def free_names(text: str, given: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Names the model text uses and neither defines nor gets as data (``given``), in order of
    first use; a text that does not parse gives what it can (the parser reports the rest)."""
    from priorcli.model.parse import _split_assignment, _split_statements

    pieces = [_split_assignment(stmt) for _, stmt in _split_statements(text)]
    defined = {p[0] for p in pieces if p is not None} | set(given)
    builtin = set(CONSTANTS) | set(MATH_FUNCTIONS) | set(TRANSFORMS) | set(REDUCTIONS)
    out: list[str] = []
    for piece in pieces:
        if piece is None:
            continue
        try:
            tree = ast.parse(piece[2].strip(), mode="eval")
        except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
            continue
        called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and id(node) not in called and node.id not in defined \
                    and node.id not in builtin and not node.id.startswith("_") and node.id not in out:
                out.append(node.id)
    return tuple(out)


def as_data(names: tuple[str, ...]) -> tuple[DataItem, ...]:
    """Placeholders the parser takes as numbers (their values come later)."""
    return tuple(DataItem(name, (1.0,), vector=False, source=f"free hyperparameter '{name}'") for name in names)


@dataclass(frozen=True)
class FreeDomain:
    """Where a free name must lie: (low, high), open, from its uses (text for messages)."""

    name: str
    low: float = -math.inf
    high: float = math.inf
    uses: tuple[str, ...] = ()

    def to_jax(self, y):
        """The constrained value of the unconstrained coordinate y (jax): numpyro's biject_to."""
        import jax.numpy as jnp
        from jax.nn import sigmoid

        if math.isfinite(self.low) and math.isfinite(self.high):
            return self.low + (self.high - self.low) * sigmoid(y)
        if math.isfinite(self.low):
            return self.low + jnp.exp(y)
        if math.isfinite(self.high):
            return self.high - jnp.exp(y)
        return y

    def unconstrained(self, v: float) -> float:
        if math.isfinite(self.low) and math.isfinite(self.high):
            t = (v - self.low) / (self.high - self.low)
            return math.log(t) - math.log1p(-t)
        if math.isfinite(self.low):
            return math.log(v - self.low)
        if math.isfinite(self.high):
            return math.log(self.high - v)
        return float(v)

    @property
    def typical(self) -> float:
        """A start: 0 on the line, one from a single end, the midpoint of two."""
        if math.isfinite(self.low) and math.isfinite(self.high):
            return 0.5 * (self.low + self.high)
        if math.isfinite(self.low):
            return self.low + 1.0
        if math.isfinite(self.high):
            return self.high - 1.0
        return 0.0

    @property
    def text(self) -> str:
        if math.isfinite(self.low) and math.isfinite(self.high):
            return f"in ({self.low:g}, {self.high:g})"
        if math.isfinite(self.low):
            return "positive" if self.low == 0 else f"above {self.low:g}"
        if math.isfinite(self.high):
            return f"below {self.high:g}"
        return "a real number"


def domains(model: Model, names: tuple[str, ...]) -> dict[str, FreeDomain]:
    """Each free name's domain from its uses: a distribution's parameter (its domain), the argument
    of log/sqrt (positive) or logit/probit ((0, 1)); inside other arithmetic it is unconstrained.
    A whole-number parameter, a vector, a transform's argument, a target keyword depending on a free
    name and two uses with no value in common are usage errors naming the uses."""
    out = {name: FreeDomain(name) for name in names}
    for statement in model.statements:
        for name, low, high, use, integer in _uses(statement, set(names)):
            if integer:
                raise UsageError(f"'{name}' is {use}, a whole number: priorcli solves continuous hyperparameters; "
                                 f"fix it with --set {name}=VALUE")
            old = out[name]
            new = FreeDomain(name, max(old.low, low), min(old.high, high), old.uses + (use,))
            if not new.low < new.high:
                raise UsageError(f"'{name}' is used in incompatible places: {' and '.join(new.uses)}; no value "
                                 "satisfies both (use two names, or --set one)")
            out[name] = new
    return out


def _uses(statement: Statement, names: set[str]):
    """(name, low, high, description, whole number) for each constraining use of a free name."""
    where = f"line {statement.line}"
    yield from _math_uses(statement.expr, names, where)
    if isinstance(statement.expr, DistExpr):
        yield from _dist_uses(statement.expr, names, where)


def _dist_uses(dexpr: DistExpr, names: set[str], where: str):
    """The constraining uses inside one distribution: its parameters' domains; a Mixture's weights
    (a bare name there is a probability, in (0, 1)) and its components' parameters."""
    from priorcli.families.registry import resolve
    from priorcli.model.numpyro import split_arguments

    from priorcli.stats.metalog import is_metalog

    _check_transform_args(dexpr, names, where)
    if is_metalog(dexpr.family):  # its arguments are constants (checked when parsed): no free name in it
        return
    if dexpr.components:  # Mixture(weights, [D, ...]): priorcli.model.mixture
        weights = dexpr.args[0] if dexpr.args else None
        for item in weights.items if isinstance(weights, Vector) else ():
            if isinstance(item, Name) and item.id in names:
                yield item.id, 0.0, 1.0, f"a weight of the Mixture on {where} (in (0, 1))", False
        for component in dexpr.components:
            yield from _dist_uses(component, names, where)
        return
    family = resolve(dexpr.family)
    params, targets = split_arguments(family, dexpr.args, dict(dexpr.kwargs), dexpr.family)
    for key, expr in targets.items():
        if referenced_names(expr) & names:
            raise UsageError(f"{where}: the target {key}= of {family.name} depends on the free "
                             f"{', '.join(sorted(referenced_names(expr) & names))}; give native parameters "
                             f"in a model to solve (e.g. {', '.join(family.param_names)})")
    for pname, expr in params.items():
        if isinstance(expr, Name) and expr.id in names:
            domain = family.param(pname).domain
            use = f"{family.name}'s {pname} on {where} ({domain.text})"
            if domain.vector is not None:
                raise UsageError(f"'{expr.id}' is {use}, a vector: a free hyperparameter is a number "
                                 f"(write it as {expr.id} * [1, 1, 1])")
            if domain.dependent:
                continue
            yield expr.id, domain.low, domain.high, use, domain.integer


def _check_transform_args(dexpr: DistExpr, names: set[str], where: str) -> None:
    for _, targs in dexpr.transforms:
        for a in targs:
            if referenced_names(a) & names:
                raise UsageError(f"{where}: a transform's argument uses the free "
                                 f"{', '.join(sorted(referenced_names(a) & names))}; transforms take constants "
                                 "(fix it with --set NAME=VALUE)")


def _math_uses(expr, names: set[str], where: str):
    if isinstance(expr, Call) and expr.func in _ARGUMENT_DOMAINS:
        arg = expr.args[0]
        if isinstance(arg, Name) and arg.id in names:
            low, high = _ARGUMENT_DOMAINS[expr.func]
            yield arg.id, low, high, f"the argument of {expr.func} on {where}", False
    if is_dataclass(expr):
        for f in fields(expr):
            value = getattr(expr, f.name)
            for item in value if isinstance(value, tuple) else (value,):
                if isinstance(item, tuple):  # kwargs and transforms: (name, expr) / (name, (exprs))
                    for sub in item:
                        for part in sub if isinstance(sub, tuple) else (sub,):
                            yield from _math_uses(part, names, where)
                elif is_dataclass(item):
                    yield from _math_uses(item, names, where)


def substitute(model: Model, values: dict[str, float]) -> Model:
    """The model with each free name replaced by its number (and dropped from the data): a numeric
    expression left with numbers only is folded to its value (``1 - w`` -> ``0.69``), and each
    statement that changed gets its text written from the tree (:mod:`priorcli.model.written`), so
    an emitted program's header shows the solved distribution."""
    from priorcli.model.written import dist_text, statement_text

    statements = []
    for s in model.statements:
        expr = _put(s.expr, values, dist_text)
        if expr != s.expr:
            s = replace(s, expr=expr)
            s = replace(s, text=statement_text(s))
        statements.append(s)
    data = tuple(d for d in model.data if d.name not in values)
    return Model(tuple(statements), data)


def _put(obj, values: dict[str, float], dist_text):
    if isinstance(obj, Name) and obj.id in values:
        return _number(float(values[obj.id]))
    if isinstance(obj, tuple):
        return tuple(_put(item, values, dist_text) for item in obj)
    if isinstance(obj, str) or not is_dataclass(obj):
        return obj
    new = replace(obj, **{f.name: _put(getattr(obj, f.name), values, dist_text) for f in fields(obj)})
    if new == obj:
        return obj
    if isinstance(new, DistExpr):  # its text (for messages) is the call without its transforms
        return replace(new, text=dist_text(new, transforms=False))
    if isinstance(new, (Unary, Binary, Call)) and not (isinstance(new, Call) and new.func in REDUCTIONS):
        from priorcli.errors import PriorError
        from priorcli.model.evaluate import _const

        try:
            value = _const(new)
        except (PriorError, ValueError, ArithmeticError):
            value = None
        if value is not None and math.isfinite(value):
            return _number(value)
    return new


def _number(v: float):
    """A number as the tree holds a constant: a negative one as ``-(|v|)`` (so ``x ** -0.5``
    and ``(-0.5) ** 2`` keep their meaning wherever it is written)."""
    magnitude = Num(abs(v))
    return Unary("-", magnitude) if math.copysign(1.0, v) < 0 else magnitude
