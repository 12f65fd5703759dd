"""The model language's vocabulary and expression tree: limits against hostile input, the math
functions, transforms and constants a model may name, and the frozen dataclasses a parsed model is
made of (:mod:`priorcli.model.parse` parses into them; :mod:`priorcli.model.evaluate` evaluates them;
:mod:`priorcli.model.source` prints them as numpyro source). Pure Python: no numpy."""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass
from typing import Mapping, Union

# ---------------------------------------------------------------------------------------------
# limits against hostile input

MAX_SPEC_CHARS = 100_000
MAX_STATEMENTS = 1_000
MAX_DEPTH = 50  # depth of the Python AST of one right-hand side
MAX_CONST_EXPONENT = 1000.0  # |k| allowed in constant ** constant

# ---------------------------------------------------------------------------------------------
# vocabulary

#: math function name -> number of arguments
MATH_FUNCTIONS: dict[str, int] = {
    "log": 1,
    "exp": 1,
    "sqrt": 1,
    "log1p": 1,
    "expm1": 1,
    "softplus": 1,
    "sigmoid": 1,
    "inv_logit": 1,  # alias of sigmoid
    "logit": 1,
    "probit": 1,  # Phi^-1, the standard normal quantile function: (0, 1) -> the real line
    "inv_probit": 1,  # Phi, the standard normal CDF
    "Phi": 1,  # alias of inv_probit (Stan's name)
    "abs": 1,
    "minimum": 2,
    "maximum": 2,
}
_MATH_ALIASES = {"inv_logit": "sigmoid", "Phi": "inv_probit"}

#: reductions of a vector to one number per draw -> number of arguments (the vector first;
#: quantile's level is a constant in [0, 1]; count(v > c) is the number of elements that hold)
REDUCTIONS: dict[str, int] = {"mean": 1, "sd": 1, "min": 1, "max": 1, "sum": 1, "quantile": 2, "count": 1}

#: comparisons: 1 where they hold, 0 where not (element by element for vectors)
COMPARISONS: dict[type, str] = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==",
                                ast.NotEq: "!="}

#: transform name -> number of numeric arguments after the distribution
TRANSFORMS: dict[str, int] = {
    "exp": 0,
    "softplus": 0,
    "sigmoid": 0,
    "inv_logit": 0,  # alias of sigmoid
    "logit": 0,  # (0, 1) -> the real line
    "probit": 0,  # Phi^-1: (0, 1) -> the real line
    "inv_probit": 0,  # Phi: the real line -> (0, 1)
    "Phi": 0,  # alias of inv_probit
    "reciprocal": 0,
    "affine": 2,  # affine(D, LOC, SCALE)
    "lower": 1,  # lower(D, L): L + exp(x)
    "bounds": 2,  # bounds(D, L, U): L + (U - L) * sigmoid(x)
    "power": 1,  # power(D, K): x ** K
}
_TRANSFORM_ALIASES = {"inv_logit": "sigmoid", "Phi": "inv_probit"}
_TRANSFORM_USAGE = {
    "affine": "affine(Normal(0, 1), LOC, SCALE)",
    "lower": "lower(Normal(0, 1), L)",
    "bounds": "bounds(Normal(0, 1), L, U)",
    "power": "power(Gamma(2, 1), K)",
}

CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}

#: names a variable may not take
RESERVED_NAMES = frozenset(MATH_FUNCTIONS) | frozenset(TRANSFORMS) | frozenset(CONSTANTS) | frozenset(REDUCTIONS)

_BINOPS: dict[type, str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_UNARYOPS: dict[type, str] = {ast.USub: "-", ast.UAdd: "+"}

_FORBIDDEN_NODES: dict[type, str] = {
    ast.Attribute: "attribute access",
    ast.Subscript: "indexing",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehension",
    ast.SetComp: "comprehension",
    ast.DictComp: "comprehension",
    ast.GeneratorExp: "comprehension",
    ast.NamedExpr: "':='",
    ast.BoolOp: "'and'/'or'",
    ast.IfExp: "conditional expression",
    ast.Tuple: "tuple",
    ast.Set: "set",
    ast.Dict: "dict",
    ast.JoinedStr: "string",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Starred: "starred argument",
    ast.Slice: "slice",
}
_OPERATOR_SYMBOLS: dict[type, str] = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
    ast.Invert: "~",
    ast.Not: "not",
}

# ---------------------------------------------------------------------------------------------
# expression tree


@dataclass(frozen=True)
class Num:
    """A number; ``symbol`` is ``"pi"`` or ``"e"`` for the named constants."""

    value: float
    symbol: str | None = None


@dataclass(frozen=True)
class Name:
    """A reference to a model variable."""

    id: str


@dataclass(frozen=True)
class Unary:
    op: str  # "-" or "+"
    operand: "Expr"


@dataclass(frozen=True)
class Binary:
    op: str  # "+", "-", "*", "/", "**", or a comparison "<", "<=", ">", ">=", "==", "!=" (0/1)
    left: "Expr"
    right: "Expr"


@dataclass(frozen=True)
class Call:
    """A whitelisted math function (canonical name, e.g. ``"sigmoid"`` for ``inv_logit``) or a
    reduction (:data:`REDUCTIONS`: a vector to one number)."""

    func: str
    args: tuple["Expr", ...]


@dataclass(frozen=True)
class Vector:
    """A vector literal ``[a, b, c]``: its items are numeric expressions (numbers, or per draw)."""

    items: tuple["Expr", ...]


Expr = Union[Num, Name, Unary, Binary, Call, Vector]


@dataclass(frozen=True)
class DistExpr:
    """A distribution call, possibly wrapped in transforms.

    ``family`` is as written (``"LogNormal"``, ``"half_cauchy"``); ``args`` are positional
    numeric expressions in numpyro's order, ``kwargs`` keyword ones (native names, aliases or
    targets, resolved by the caller).  ``transforms`` are applied in order, innermost first, each
    as ``(canonical name, numeric args)``, e.g. ``("bounds", (lo, hi))``.
    """

    family: str
    args: tuple[Expr, ...] = ()
    kwargs: tuple[tuple[str, Expr], ...] = ()
    transforms: tuple[tuple[str, tuple[Expr, ...]], ...] = ()
    text: str = ""  # the base call as written, e.g. "Normal(0, 1)" (for messages)
    # a Mixture's component distributions (priorcli.model.mixture); its one argument is the weights
    components: tuple["DistExpr", ...] = ()


@dataclass(frozen=True)
class Statement:
    name: str
    kind: str  # "~" (draw from a distribution) or "=" (deterministic)
    expr: Union[DistExpr, Expr]  # DistExpr for "~", Expr for "="
    line: int  # 1-based line in the spec
    text: str  # the statement as written, comment stripped
    size: int | None = None  # the length of a vector variable (a Dirichlet's draws); None for a number

    @property
    def is_random(self) -> bool:
        return self.kind == "~"

    @property
    def depends_on(self) -> frozenset[str]:
        return referenced_names(self.expr)


@dataclass(frozen=True)
class DataItem:
    """A value given from outside the model (``--data x=1,2,3``, a CSV column): a number, or a
    vector (``vector`` true, even of one value)."""

    name: str
    values: tuple[float, ...]
    vector: bool = True
    source: str = ""  # where it came from, for messages: "--data x=...", "--data 'file.csv'"

    @property
    def size(self) -> int | None:
        return len(self.values) if self.vector else None


@dataclass(frozen=True)
class Model:
    statements: tuple[Statement, ...]
    data: tuple[DataItem, ...] = ()

    @property
    def data_names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.data)

    @property
    def unused_data(self) -> tuple[str, ...]:
        """Data names no statement refers to."""
        used = referenced_names(self)
        return tuple(d.name for d in self.data if d.name not in used)

    @property
    def names(self) -> tuple[str, ...]:
        """Variable names in definition order."""
        return tuple(s.name for s in self.statements)

    def __getitem__(self, name: str) -> Statement:
        for s in self.statements:
            if s.name == name:
                return s
        raise KeyError(name)


def _clip(text: str, limit: int = 80) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."


def referenced_names(obj: Union[Model, Statement, DistExpr, Expr]) -> frozenset[str]:
    """Variable names an expression, distribution, statement or model refers to."""
    if isinstance(obj, Model):
        return frozenset().union(*(referenced_names(s) for s in obj.statements))
    if isinstance(obj, Statement):
        return referenced_names(obj.expr)
    if isinstance(obj, DistExpr):
        parts = list(obj.args) + [v for _, v in obj.kwargs]
        parts += [a for _, targs in obj.transforms for a in targs] + list(obj.components)
        return frozenset().union(*(referenced_names(p) for p in parts))
    if isinstance(obj, Name):
        return frozenset([obj.id])
    if isinstance(obj, Num):
        return frozenset()
    if isinstance(obj, Unary):
        return referenced_names(obj.operand)
    if isinstance(obj, Binary):
        return referenced_names(obj.left) | referenced_names(obj.right)
    if isinstance(obj, Call):
        return frozenset().union(*(referenced_names(a) for a in obj.args))
    if isinstance(obj, Vector):
        return frozenset().union(*(referenced_names(a) for a in obj.items))
    raise TypeError(f"not a model object: {obj!r}")


def vector_size(obj: Union[DistExpr, Expr], sizes: Mapping[str, int]) -> int | None:
    """The length of a vector expression (None for a number), given the lengths of the vector
    variables in ``sizes``; a distribution's is that of its vector arguments (a Dirichlet's
    concentration). Raises ValueError naming both lengths when two vectors of different lengths meet."""
    if isinstance(obj, DistExpr):
        matrix = matrix_dimension(obj)
        if matrix is not None:
            return matrix[0].matrix.size(matrix[1])
        if obj.components:  # a Mixture draws numbers; its weight vector is checked when parsed
            return None
        parts = list(obj.args) + [v for _, v in obj.kwargs]
    elif isinstance(obj, Vector):
        return len(obj.items)
    elif isinstance(obj, Name):
        return sizes.get(obj.id)
    elif isinstance(obj, Num):
        return None
    elif isinstance(obj, Unary):
        parts = [obj.operand]
    elif isinstance(obj, Binary):
        parts = [obj.left, obj.right]
    elif isinstance(obj, Call):
        if obj.func in REDUCTIONS:
            return None
        parts = list(obj.args)
    else:
        raise TypeError(f"not a model object: {obj!r}")
    found = {vector_size(p, sizes) for p in parts} - {None}
    if len(found) > 1:
        a, b = sorted(found)[:2]
        raise ValueError(f"vectors of different lengths ({a} and {b}) meet")
    return found.pop() if found else None


def matrix_dimension(obj: DistExpr):
    """(record, K) for a matrix family's distribution (LKJ(3, 2): its record's ``matrix`` says which
    parameter is K), else None. K must be written as a whole number: a model variable's size is
    known when the model is parsed. Raises ValueError naming the problem (K < 2, a fraction, a variable)."""
    from priorcli import records

    record = records.find(obj.family)
    if record is None or record.matrix is None:
        return None
    size_param = record.matrix.size_param
    spelled = {a for a, n in record.aliases().items() if n == size_param} | {size_param}
    given = [v for k, v in obj.kwargs if k in spelled]
    position = record.param_names.index(size_param)
    given += list(obj.args[position:position + 1])
    if not given:
        raise ValueError(f"{record.name} needs its {size_param} K (the matrix is K x K), e.g. {record.name}(3, 2)")
    value = given[0]
    domain = record.params[position].domain
    if not isinstance(value, Num) or not domain.includes(value.value):
        shown = f"{value.value:g}" if isinstance(value, Num) else "an expression"
        raise ValueError(f"the {size_param} of {record.name} must be {domain.text}, written as a number; got {shown}")
    return record, int(value.value)
