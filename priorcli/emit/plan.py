"""A parsed model made ready for code generation, in no particular language.

Every emitter starts from :func:`resolve`: each statement becomes a :class:`Variable` whose
distribution has all its native parameters as model-language expressions (defaults filled in,
targets solved to numbers when constant or written as formulas when they vary), and whose
transforms are constant. Transforms and the frameworks' argument templates are turned into
model-language expressions too, so each emitter only needs an expression printer.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Mapping

from priorcli.model import parse as lang
from priorcli.errors import PriorError, UsageError
from priorcli.families.registry import FamilyInfo, resolve as resolve_family

Expr = lang.Expr


@dataclass(frozen=True)
class Variable:
    statement: lang.Statement
    family: FamilyInfo | None = None  # None for a deterministic line
    params: Mapping[str, Expr] | None = None  # every native parameter, numpyro's order
    transforms: tuple[tuple[str, tuple[float, ...]], ...] = ()  # canonical name, constant arguments
    truncate: object = None  # a records.truncated.Truncation of the family (before the transforms), or None
    # a Mixture (priorcli.emit.mixture): its weight vector and its components, one Variable each
    weights: Expr | None = None
    components: tuple["Variable", ...] = ()

    @property
    def name(self) -> str:
        return self.statement.name

    @property
    def random(self) -> bool:
        return self.statement.kind == "~"

    @property
    def expr(self) -> Expr:
        """The expression of a deterministic line."""
        return self.statement.expr

    @property
    def discrete(self) -> bool:
        return bool(self.family and self.family.discrete)


@dataclass(frozen=True)
class DataName:
    """A --data name, checked against a framework's reserved words as variables are."""

    item: lang.DataItem

    @property
    def name(self) -> str:
        return self.item.name

    @property
    def statement(self) -> lang.Statement:
        return lang.Statement(self.name, "=", lang.Num(0.0), 0, f"--data {self.name}")


def error(statement: lang.Statement, message: str) -> UsageError:
    if statement.line == 0:  # a --data name
        return UsageError(f"{statement.text}: {message}")
    return UsageError(f"line {statement.line}: {message} in '{statement.text.strip()}'")


def resolve(model: lang.Model, seed: int) -> tuple[Variable, ...]:
    """Check the model as ``sample`` does (a short sampling pass: constraints per draw, transform
    arguments, supports), then resolve every statement."""
    from priorcli.model.numpyro import sample_model

    sample_model(model, 64, seed)
    out = []
    for statement in model.statements:
        if statement.kind != "~":
            out.append(Variable(statement))
            continue
        try:
            out.append(_random_variable(statement))
        except PriorError as exc:
            if str(exc).startswith("line "):
                raise
            raise error(statement, str(exc)) from exc
    return tuple(out)


def _random_variable(statement: lang.Statement) -> Variable:
    from priorcli.model.numpyro import solve_targets, split_arguments

    from priorcli.stats.metalog import is_metalog

    dexpr = statement.expr
    if dexpr.components:
        return _mixture_variable(statement)
    if is_metalog(dexpr.family):
        return _metalog_variable(statement)
    family = resolve_family(dexpr.family)
    params, targets = split_arguments(family, tuple(dexpr.args), dict(dexpr.kwargs), dexpr.family)
    truncate = None
    if dexpr.truncate is not None:
        from priorcli.records.truncated import Truncation

        truncate = Truncation(*dexpr.truncate)
    if targets:
        constant = {k: lang._const(v) for k, v in {**params, **targets}.items()}
        if all(v is not None for v in constant.values()):
            solved = solve_targets(family, {k: constant[k] for k in targets}, {k: constant[k] for k in params},
                                   truncate)
            params = {k: lang.Num(float(v)) for k, v in solved.items()}
        elif truncate is not None:
            raise error(statement, "the targets of a truncated distribution must be constants here")
        else:
            params = _target_formulas(family, params, targets, statement)
    full = {}
    for p in family.params:
        if p.name in params:
            full[p.name] = params[p.name]
        elif p.default is not None:
            full[p.name] = lang.Num(float(p.default))
    transforms = tuple(
        (name, tuple(float(lang.evaluate(a)) for a in args)) for name, args in dexpr.transforms
    )
    return Variable(statement, family, full, transforms, truncate)


def _metalog_variable(statement: lang.Statement) -> Variable:
    """``x ~ Metalog(...)``: its parameters the coefficient vector ``a`` and the bounds given, as
    constant expressions (the parser solved any quantiles into coefficients; priorcli.emit.metalog
    writes it)."""
    from priorcli.model.metalog import dist_spec

    spec = dist_spec(*lang.evaluate_distribution(statement.expr))
    params = {"a": lang.Vector(tuple(number(v) for v in spec.params["a"]))}
    params.update({k: number(v) for k, v in spec.params.items() if k != "a"})
    return Variable(statement, spec.family, params)


def _mixture_variable(statement: lang.Statement) -> Variable:
    """A Mixture: each component resolved as a variable of its own, under the mixture's name."""
    from priorcli.stats.mixture import mixture_family

    dexpr = statement.expr
    parts = tuple(_random_variable(lang.Statement(statement.name, "~", c, statement.line, statement.text))
                  for c in dexpr.components)
    transforms = tuple((name, tuple(float(lang.evaluate(a)) for a in args)) for name, args in dexpr.transforms)
    return Variable(statement, mixture_family(tuple(p.family for p in parts)), {}, transforms,
                    weights=dexpr.args[0], components=parts)


def _target_formulas(family: FamilyInfo, params: dict, targets: dict, statement) -> dict[str, Expr]:
    """Targets that vary across draws, written as the family record's closed-form inversion (the
    formula ``sample`` evaluates on the draws), as model-language expressions."""
    record = family.closed
    inversion = record.inversion(set(targets), set(params)) if record is not None else None
    if inversion is not None:
        try:
            solved = inversion.formula(_EXPRESSIONS, **{k: _E(v) for k, v in {**targets, **params}.items()})
        except AttributeError:  # a function the model language does not have
            solved = None
        if solved is not None:
            written = {**params, **{k: _E.lift(v) for k, v in solved.items()}}
            return {n: written[n] for n in family.param_names if n in written}
    raise error(
        statement,
        f"--emit cannot write {family.name} targets {sorted(targets)} that depend on other variables as a "
        "formula; give native parameters",
    )


class _E:
    """Arithmetic on model-language expressions: what the records' formulas see as their values."""

    def __init__(self, expr: Expr):
        self.expr = expr

    @staticmethod
    def lift(v) -> Expr:
        return v.expr if isinstance(v, _E) else number(float(v))

    def _bin(self, op, other, reverse=False):
        left, right = (_E.lift(other), self.expr) if reverse else (self.expr, _E.lift(other))
        return _E(lang.Binary(op, left, right))

    def __add__(self, o):
        return self._bin("+", o)

    def __radd__(self, o):
        return self._bin("+", o, True)

    def __sub__(self, o):
        return self._bin("-", o)

    def __rsub__(self, o):
        return self._bin("-", o, True)

    def __mul__(self, o):
        return self._bin("*", o)

    def __rmul__(self, o):
        return self._bin("*", o, True)

    def __truediv__(self, o):
        return self._bin("/", o)

    def __rtruediv__(self, o):
        return self._bin("/", o, True)

    def __pow__(self, o):
        return self._bin("**", o)

    def __rpow__(self, o):
        return self._bin("**", o, True)

    def __neg__(self):
        return _E(lang.Unary("-", self.expr))


class _ExpressionNamespace:
    """``xp`` for the records' formulas: ``xp.log(x)`` is the model language's ``log(x)``."""

    def __getattr__(self, name: str):
        if name not in lang.MATH_FUNCTIONS:
            raise AttributeError(name)
        return lambda *args: _E(lang.Call(name, tuple(_E.lift(a) for a in args)))


_EXPRESSIONS = _ExpressionNamespace()


# ---------------------------------------------------------------------------------------------
# expressions


def substitute(expr: Expr, mapping: Mapping[str, Expr]) -> Expr:
    """``expr`` with each variable named in ``mapping`` replaced by its expression."""
    if isinstance(expr, lang.Name):
        return mapping.get(expr.id, expr)
    if isinstance(expr, lang.Unary):
        return lang.Unary(expr.op, substitute(expr.operand, mapping))
    if isinstance(expr, lang.Binary):
        return lang.Binary(expr.op, substitute(expr.left, mapping), substitute(expr.right, mapping))
    if isinstance(expr, lang.Call):
        return lang.Call(expr.func, tuple(substitute(a, mapping) for a in expr.args))
    return expr


@functools.lru_cache(maxsize=None)
def _template(text: str, names: frozenset[str]) -> Expr:
    return lang.parse_expression(text, names)


def template(text: str, params: Mapping[str, Expr]) -> Expr:
    """A framework argument (``"1 / scale"``, see ``frameworks``) with the family's parameters in."""
    return substitute(_template(text, frozenset(params)), params)


_TRANSFORM_EXPRS = {
    "ExpTransform": lambda x: lang.Call("exp", (x,)),
    "SoftplusTransform": lambda x: lang.Call("softplus", (x,)),
    "SigmoidTransform": lambda x: lang.Call("sigmoid", (x,)),
    "SigmoidTransform.inv": lambda x: lang.Call("logit", (x,)),
    "InvProbitTransform": lambda x: lang.Call("inv_probit", (x,)),
    "InvProbitTransform.inv": lambda x: lang.Call("probit", (x,)),
}


def transformed(transforms: tuple[tuple[str, tuple[float, ...]], ...], x: Expr) -> Expr:
    """The variable after its transforms, as an expression of the untransformed ``x``; built from
    the same recipe as the numpyro transforms (``priorcli.families.transforms.recipe``)."""
    import operator

    from priorcli.families.transforms import recipe

    for name, args in transforms:
        for cls, cargs in recipe(name, args, operator.sub):
            if cls in _TRANSFORM_EXPRS:
                x = _TRANSFORM_EXPRS[cls](x)
            elif cls == "PowerTransform":
                (k,) = cargs
                x = lang.Binary("/", lang.Num(1.0), x) if k == -1 else lang.Binary("**", x, number(k))
            elif cls == "AffineTransform":
                loc, scale = cargs
                scaled = x if abs(scale) == 1 else lang.Binary("*", lang.Num(abs(float(scale))), x)
                if loc == 0:
                    x = scaled if scale > 0 else lang.Unary("-", scaled)
                else:
                    x = lang.Binary("+" if scale > 0 else "-", number(loc), scaled)
            else:  # pragma: no cover - a new recipe step needs a line here
                raise AssertionError(cls)
    return x


def number(value: float) -> Expr:
    """A number as an expression (a negative one as unary minus, as the parser builds it)."""
    return lang.Num(float(value)) if value >= 0 else lang.Unary("-", lang.Num(-float(value)))


def transformed_bounds(variable: Variable) -> tuple[float | None, float | None]:
    """Constant bounds of a transformed variable (None where infinite or unknown)."""
    from priorcli.families.transforms import make_transform

    lo, hi = constant_bounds(variable)
    if lo is None or hi is None:
        return None, None
    for name, args in variable.transforms:
        lo, hi = make_transform(name, args).map_interval(lo, hi)
    return (lo if math.isfinite(lo) else None), (hi if math.isfinite(hi) else None)


def constant_bounds(variable: Variable) -> tuple[float | None, float | None]:
    """The support's ends as numbers (+-inf for an open end; None where they vary); a Mixture's
    the union of its components'."""
    if variable.components:
        ends = [constant_bounds(c) for c in variable.components]
        if any(lo is None or hi is None for lo, hi in ends):
            return None, None
        return min(lo for lo, _ in ends), max(hi for _, hi in ends)
    lower, upper = variable_bounds(variable)
    return _const_bound(lower, variable.params, -math.inf), _const_bound(upper, variable.params, math.inf)


def variable_bounds(variable: Variable) -> tuple[str | None, str | None]:
    """:func:`support_bounds` of the variable's family; a family whose ends are optional parameters
    (a metalog's lower=/upper=, its ``optional_bounds``) has those of them it was given."""
    optional = getattr(variable.family, "optional_bounds", None)
    if optional:
        return tuple(name if name in variable.params else None for name in optional)
    return support_bounds(variable.family.name)


def _const_bound(text: str | None, params: Mapping[str, Expr], infinite: float) -> float | None:
    if text is None:
        return infinite
    return lang._const(template(text, params))


# ---------------------------------------------------------------------------------------------
# supports, read from numpyro


@functools.lru_cache(maxsize=None)
def support_bounds(family_name: str) -> tuple[str | None, str | None]:
    """The support of a continuous family as (lower, upper) model-language expressions over its
    parameter names (None for an infinite end): ``("0", None)``, ``("low", "high")``,
    ``("scale", None)``. Read from an instance of numpyro's class whose parameters all have
    distinct values, so that a bound equal to a parameter is recognised as that parameter."""
    from numpyro.distributions import constraints as c

    family = resolve_family(family_name)
    probes = {p.name: _distinct_probe(p, i) for i, p in enumerate(family.params)}
    support = family.factory(**probes).support
    if isinstance(support, c.independent):
        support = support.base_constraint
    if support is c.real:
        return None, None
    lower = getattr(support, "lower_bound", None)
    upper = getattr(support, "upper_bound", None)
    return _bound_text(lower, probes), _bound_text(upper, probes)


def _distinct_probe(param, i: int) -> float:
    domain = param.domain
    if domain.bounded and not domain.integer and domain.vector is None:  # 0.3, 0.35, ... of the way between the ends
        return domain.low + (0.3 + 0.05 * i) * (domain.high - domain.low)
    if domain.integer:
        return 7.0 + i
    return 1.25 + 0.5 * i  # positive, real and dependent parameters: increasing, so low < high


def _bound_text(value, probes: dict) -> str | None:
    if value is None:
        return None
    value = float(value)
    if math.isinf(value):
        return None
    for name, probe in probes.items():
        if value == probe:
            return name
    if value == round(value):
        return str(int(value))
    if value in (math.pi, -math.pi):
        return "pi" if value > 0 else "-pi"
    raise AssertionError(f"cannot tell which parameter sets the bound {value}")


# ---------------------------------------------------------------------------------------------
# names


def check_names(variables, reserved: frozenset[str], language: str, why: str = "", ascii_only: bool = False) -> None:
    """Refuse a variable whose name ``language`` reserves (``reserved``, or ending in '__'), or,
    with ``ascii_only``, that is not made of ASCII letters, digits and '_'."""
    for v in variables:
        if v.name in reserved or v.name.endswith("__"):
            what = "ends in '__', which" if v.name.endswith("__") else "is a word that"
            raise error(v.statement, f"the name '{v.name}' {what} {language} reserves{why}; rename the variable")
        if ascii_only and not (v.name.isascii() and v.name.replace("_", "a").isalnum()):
            raise error(v.statement, f"the name '{v.name}' is not a {language} identifier (ASCII letters, digits "
                                     "and '_' only); rename the variable")


def header(variables, command: str, comment: str) -> list[str]:
    """Comment lines naming the command and listing the model the program was written from."""
    lines = [f"Written by priorcli (`{command}`) from the model:"]
    lines += [f"  {v.statement.text.strip()}" for v in variables]
    return [f"{comment} {line}" for line in lines]


def fresh_name(base: str, taken: set[str]) -> str:
    """``base``, or ``base2``, ``base3``... whichever is not taken; the result is added to taken."""
    name, i = base, 1
    while name in taken:
        i += 1
        name = f"{base}{i}"
    taken.add(name)
    return name
