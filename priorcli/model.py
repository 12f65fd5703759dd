"""The model language: parse a small, safe subset of Python expressions and run it ancestrally.

A model is a list of statements, one per line or separated by ``;``, ``#`` starting a comment::

    theta_group ~ LogNormal(0, 1)
    tau_group   ~ HalfCauchy(5)
    theta_part  ~ LogNormal(log(theta_group), tau_group)
    ratio = theta_part / theta_group              # a deterministic quantity
    x ~ softplus(Normal(0, 1))                    # transforms wrap a distribution
    p ~ Beta(mean=0.3, count=10)                  # targets as keywords, as in solve

Each right-hand side is parsed with :func:`ast.parse` (``mode="eval"``) and translated into the
small expression tree below; any node type or name outside the whitelist is a
:class:`~priorcli.errors.UsageError` naming the line and the offending text.  Nothing is ever
evaluated by Python itself (no eval/exec/compile): numeric expressions are evaluated by
:func:`evaluate` on numpy float64 arrays.

This module knows nothing about distribution families: ``Foo(1, 2)`` is recorded as a
distribution call and the caller decides whether ``Foo`` exists, through the callbacks given to
:func:`run_model` and :func:`to_numpyro_source`.  It imports neither jax nor numpyro.
"""

from __future__ import annotations

import ast
import keyword
import math
import unicodedata
from dataclasses import dataclass
from typing import Callable, Mapping, Union

import numpy as np

from .errors import PriorError, UsageError

__all__ = [
    "MAX_SPEC_CHARS",
    "MAX_STATEMENTS",
    "MAX_DEPTH",
    "MAX_CONST_EXPONENT",
    "MATH_FUNCTIONS",
    "TRANSFORMS",
    "CONSTANTS",
    "RESERVED_NAMES",
    "Num",
    "Name",
    "Unary",
    "Binary",
    "Call",
    "Expr",
    "DistExpr",
    "Statement",
    "Model",
    "parse_model",
    "parse_distribution",
    "parse_expression",
    "evaluate",
    "evaluate_distribution",
    "run_model",
    "referenced_names",
    "expr_to_source",
    "transforms_to_source",
    "distribution_to_source",
    "to_numpyro_source",
    "python_names",
    "PROBIT_TRANSFORM_SOURCE",
]

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
    "probit": 1,
    "abs": 1,
    "minimum": 2,
    "maximum": 2,
}
_MATH_ALIASES = {"inv_logit": "sigmoid"}

#: transform name -> number of numeric arguments after the distribution
TRANSFORMS: dict[str, int] = {
    "exp": 0,
    "softplus": 0,
    "sigmoid": 0,
    "inv_logit": 0,  # alias of sigmoid
    "probit": 0,
    "reciprocal": 0,
    "affine": 2,  # affine(D, LOC, SCALE)
    "lower": 1,  # lower(D, L): L + exp(x)
    "bounds": 2,  # bounds(D, L, U): L + (U - L) * sigmoid(x)
    "power": 1,  # power(D, K): x ** K
}
_TRANSFORM_ALIASES = {"inv_logit": "sigmoid"}
_TRANSFORM_USAGE = {
    "affine": "affine(Normal(0, 1), LOC, SCALE)",
    "lower": "lower(Normal(0, 1), L)",
    "bounds": "bounds(Normal(0, 1), L, U)",
    "power": "power(Gamma(2, 1), K)",
}

CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}

#: names a variable may not take
RESERVED_NAMES = frozenset(MATH_FUNCTIONS) | frozenset(TRANSFORMS) | frozenset(CONSTANTS)

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
    ast.Compare: "comparison",
    ast.BoolOp: "'and'/'or'",
    ast.IfExp: "conditional expression",
    ast.List: "list",
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
    op: str  # "+", "-", "*", "/", "**"
    left: "Expr"
    right: "Expr"


@dataclass(frozen=True)
class Call:
    """A whitelisted math function (canonical name, e.g. ``"sigmoid"`` for ``inv_logit``)."""

    func: str
    args: tuple["Expr", ...]


Expr = Union[Num, Name, Unary, Binary, Call]


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


@dataclass(frozen=True)
class Statement:
    name: str
    kind: str  # "~" (draw from a distribution) or "=" (deterministic)
    expr: Union[DistExpr, Expr]  # DistExpr for "~", Expr for "="
    line: int  # 1-based line in the spec
    text: str  # the statement as written, comment stripped

    @property
    def is_random(self) -> bool:
        return self.kind == "~"

    @property
    def depends_on(self) -> frozenset[str]:
        return referenced_names(self.expr)


@dataclass(frozen=True)
class Model:
    statements: tuple[Statement, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Variable names in definition order."""
        return tuple(s.name for s in self.statements)

    def __getitem__(self, name: str) -> Statement:
        for s in self.statements:
            if s.name == name:
                return s
        raise KeyError(name)


# ---------------------------------------------------------------------------------------------
# parsing


def _clip(text: str, limit: int = 80) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Ctx:
    """Where a right-hand side came from, for error messages."""

    def __init__(
        self,
        src: str,
        where: tuple[str, str],
        known: frozenset[str],
        later: Mapping[str, int],
        current: str | None = None,
    ):
        self.current = current  # the name this statement defines
        self.src = src  # the right-hand side as given to ast.parse
        self.where = where  # (prefix, suffix), e.g. ("line 3: ", " in 'theta ~ LogNormal(foo, 1)'")
        self.known = known  # names defined before this statement
        self.later = later  # names defined later in the model -> their line

    def error(self, message: str) -> UsageError:
        prefix, suffix = self.where  # never str.format: the suffix holds user text
        return UsageError(prefix + message + suffix)

    def segment(self, node: ast.AST) -> str:
        try:
            seg = ast.get_source_segment(self.src, node)
        except Exception:  # pragma: no cover - defensive
            seg = None
        return _clip(seg if seg else type(node).__name__, 60)


def _depth_ok(root: ast.AST, limit: int) -> bool:
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return False
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return True


def _parse_rhs(src: str, ctx: _Ctx) -> ast.AST:
    if not src.strip():
        raise ctx.error("missing right-hand side")
    try:
        tree = ast.parse(src.strip(), mode="eval")
    except (RecursionError, MemoryError):
        raise ctx.error(f"expression nested too deeply (limit {MAX_DEPTH} levels)") from None
    except (SyntaxError, ValueError, OverflowError) as exc:
        msg = exc.msg if isinstance(exc, SyntaxError) and exc.msg else str(exc)
        if "too many nested" in msg:
            raise ctx.error(f"expression nested too deeply (limit {MAX_DEPTH} levels)") from None
        raise ctx.error(f"cannot parse the expression ({_clip(msg, 60)})") from None
    if not _depth_ok(tree, MAX_DEPTH):
        raise ctx.error(f"expression nested too deeply (limit {MAX_DEPTH} levels)")
    return tree.body


def _const(expr: Expr) -> float | None:
    """The value of an expression made only of numbers, else None (depth is bounded)."""
    if isinstance(expr, Num):
        return expr.value
    if isinstance(expr, Name):
        return None
    if isinstance(expr, Unary):
        v = _const(expr.operand)
        return None if v is None else (-v if expr.op == "-" else v)
    if isinstance(expr, Binary):
        a, b = _const(expr.left), _const(expr.right)
        if a is None or b is None:
            return None
        return float(_BINARY_FUNCS[expr.op](np.float64(a), np.float64(b)))
    if isinstance(expr, Call):
        vals = [_const(a) for a in expr.args]
        if any(v is None for v in vals):
            return None
        return float(_math_impl(expr.func)(*(np.float64(v) for v in vals)))
    raise TypeError(f"not an expression: {expr!r}")  # pragma: no cover


def _check_name(ident: str, ctx: _Ctx) -> None:
    if ident.startswith("_"):
        raise ctx.error(f"names starting with '_' are not allowed: '{ident}'")


def _numeric(node: ast.AST, ctx: _Ctx) -> Expr:
    """Translate an AST node that must be a number expression."""
    out = _translate(node, ctx)
    if isinstance(out, DistExpr):
        raise ctx.error(
            f"a distribution where a number is expected: '{ctx.segment(node)}'"
        )
    return out


def _translate(node: ast.AST, ctx: _Ctx) -> Union[Expr, DistExpr]:
    with np.errstate(all="ignore"):
        out = _translate_inner(node, ctx)
    if not isinstance(out, DistExpr) and not isinstance(out, Name):
        with np.errstate(all="ignore"):
            v = _const(out)
        if v is not None and not math.isfinite(v):
            raise ctx.error(f"'{ctx.segment(node)}' is not a finite number")
    return out


def _translate_inner(node: ast.AST, ctx: _Ctx) -> Union[Expr, DistExpr]:
    if isinstance(node, ast.Constant):
        v = node.value
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ctx.error(f"only numbers are allowed, not '{ctx.segment(node)}'")
        try:
            f = float(v)
        except OverflowError:
            raise ctx.error(f"number too large: '{ctx.segment(node)}'") from None
        return Num(f)

    if isinstance(node, ast.Name):
        ident = node.id
        _check_name(ident, ctx)
        if ident in CONSTANTS:
            return Num(CONSTANTS[ident], symbol=ident)
        if ident in MATH_FUNCTIONS or ident in TRANSFORMS:
            raise ctx.error(f"'{ident}' is a function; call it, e.g. '{ident}(...)'")
        if ident in ctx.known:
            return Name(ident)
        if ident == ctx.current:
            raise ctx.error(f"'{ident}' cannot refer to itself")
        if ident in ctx.later:
            raise ctx.error(
                f"name '{ident}' is used before it is defined (on line {ctx.later[ident]})"
            )
        raise ctx.error(f"unknown name '{ident}'")

    if isinstance(node, ast.UnaryOp):
        op = _UNARYOPS.get(type(node.op))
        if op is None:
            sym = _OPERATOR_SYMBOLS.get(type(node.op), type(node.op).__name__)
            raise ctx.error(f"operator '{sym}' is not allowed in '{ctx.segment(node)}'")
        operand = _translate(node.operand, ctx)
        if isinstance(operand, DistExpr):
            raise ctx.error(
                f"a distribution cannot be used in arithmetic: '{ctx.segment(node)}' "
                "(use a transform such as affine(D, LOC, SCALE))"
            )
        return Unary(op, operand)

    if isinstance(node, ast.BinOp):
        op = _BINOPS.get(type(node.op))
        if op is None:
            sym = _OPERATOR_SYMBOLS.get(type(node.op), type(node.op).__name__)
            raise ctx.error(f"operator '{sym}' is not allowed in '{ctx.segment(node)}'")
        left = _translate(node.left, ctx)
        right = _translate(node.right, ctx)
        if isinstance(left, DistExpr) or isinstance(right, DistExpr):
            raise ctx.error(
                f"a distribution cannot be used in arithmetic: '{ctx.segment(node)}' "
                "(use a transform such as affine(D, LOC, SCALE))"
            )
        if op == "**":
            base, k = _const(left), _const(right)
            if base is not None and k is not None and abs(k) > MAX_CONST_EXPONENT:
                raise ctx.error(
                    f"exponent too large in '{ctx.segment(node)}' "
                    f"(|exponent| must be at most {MAX_CONST_EXPONENT:g})"
                )
        return Binary(op, left, right)

    if isinstance(node, ast.Call):
        return _translate_call(node, ctx)

    kind = _FORBIDDEN_NODES.get(type(node))
    if kind is None:
        kind = f"'{type(node).__name__}'"
    raise ctx.error(f"{kind} is not allowed: '{ctx.segment(node)}'")


def _translate_call(node: ast.Call, ctx: _Ctx) -> Union[Expr, DistExpr]:
    if not isinstance(node.func, ast.Name):
        raise ctx.error(
            f"only plain names can be called, not '{ctx.segment(node.func)}'"
        )
    fname = node.func.id
    _check_name(fname, ctx)
    for a in node.args:
        if isinstance(a, ast.Starred):
            raise ctx.error(f"starred argument is not allowed: '{ctx.segment(a)}'")
    for kw in node.keywords:
        if kw.arg is None:
            raise ctx.error(f"'**' argument is not allowed: '{ctx.segment(kw)}'")
        _check_name(kw.arg, ctx)

    is_math = fname in MATH_FUNCTIONS
    is_transform = fname in TRANSFORMS
    if is_math or is_transform:
        if node.keywords:
            raise ctx.error(
                f"'{fname}' takes no keyword arguments: '{ctx.segment(node)}'"
            )
        if not node.args:
            raise ctx.error(f"'{fname}' needs an argument: '{ctx.segment(node)}'")
        first = _translate(node.args[0], ctx)
        if isinstance(first, DistExpr):
            if not is_transform:
                raise ctx.error(
                    f"a distribution where a number is expected: '{ctx.segment(node.args[0])}' "
                    f"('{fname}' is not a transform)"
                )
            nargs = TRANSFORMS[fname]
            if len(node.args) - 1 != nargs:
                usage = _TRANSFORM_USAGE.get(fname, f"{fname}(Normal(0, 1))")
                raise ctx.error(
                    f"transform '{fname}' takes a distribution and {nargs} number"
                    f"{'s' if nargs != 1 else ''} ({usage}): '{ctx.segment(node)}'"
                )
            targs = tuple(_numeric(a, ctx) for a in node.args[1:])
            canon = _TRANSFORM_ALIASES.get(fname, fname)
            return DistExpr(
                family=first.family,
                args=first.args,
                kwargs=first.kwargs,
                transforms=first.transforms + ((canon, targs),),
                text=first.text,
            )
        if not is_math:
            usage = _TRANSFORM_USAGE.get(fname, f"{fname}(Normal(0, 1))")
            raise ctx.error(
                f"transform '{fname}' needs a distribution as its first argument, "
                f"e.g. {usage}: '{ctx.segment(node)}'"
            )
        nargs = MATH_FUNCTIONS[fname]
        if len(node.args) != nargs:
            raise ctx.error(
                f"'{fname}' takes {nargs} argument{'s' if nargs != 1 else ''}: "
                f"'{ctx.segment(node)}'"
            )
        rest = tuple(_numeric(a, ctx) for a in node.args[1:])
        return Call(_MATH_ALIASES.get(fname, fname), (first,) + rest)

    if fname in CONSTANTS:
        raise ctx.error(f"'{fname}' is a constant, not a function: '{ctx.segment(node)}'")
    if fname in ctx.known or fname in ctx.later or fname == ctx.current:
        raise ctx.error(
            f"'{fname}' is a model variable, not a distribution: '{ctx.segment(node)}'"
        )
    # anything else called like a function is a distribution family; the caller checks it
    args = tuple(_numeric(a, ctx) for a in node.args)
    seen: set[str] = set()
    kwargs = []
    for kw in node.keywords:
        if kw.arg in seen:
            raise ctx.error(f"argument '{kw.arg}' given twice: '{ctx.segment(node)}'")
        seen.add(kw.arg)
        kwargs.append((kw.arg, _numeric(kw.value, ctx)))
    return DistExpr(fname, args, tuple(kwargs), (), ctx.segment(node))


def _split_statements(text: str) -> list[tuple[int, str]]:
    out = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0]
        for piece in line.split(";"):
            if piece.strip():
                out.append((lineno, piece.strip()))
    return out


def _split_assignment(stmt: str) -> tuple[str, str, str] | None:
    """``NAME ~ RHS`` or ``NAME = RHS`` -> (name, op, rhs); None if it is not of that shape."""
    positions = [i for i in (stmt.find("~"), stmt.find("=")) if i >= 0]
    if not positions:
        return None
    i = min(positions)
    name = unicodedata.normalize("NFKC", stmt[:i].strip())
    if not name.isidentifier():
        return None
    return name, stmt[i], stmt[i + 1 :]


def _msg(prefix: str, suffix: str, message: str) -> str:
    return prefix + message + suffix


def _check_spec_size(text: str, what: str) -> None:
    if not isinstance(text, str):
        raise UsageError(f"{what} must be text")
    if len(text) > MAX_SPEC_CHARS:
        raise UsageError(
            f"{what} is too large ({len(text)} characters; the limit is {MAX_SPEC_CHARS})"
        )


def parse_model(text: str) -> Model:
    """Parse a model spec. Raises UsageError ``line N: ... in 'STATEMENT'`` on any problem."""
    _check_spec_size(text, "the model spec")
    pieces = _split_statements(text)
    if not pieces:
        raise UsageError("the model is empty: give at least one statement such as 'x ~ Normal(0, 1)'")
    if len(pieces) > MAX_STATEMENTS:
        raise UsageError(
            f"the model has {len(pieces)} statements; the limit is {MAX_STATEMENTS}"
        )

    # first pass: where each name is first defined, so that forward references get a precise
    # message; the second pass reports every problem in statement order
    first_line: dict[str, int] = {}
    for lineno, stmt in pieces:
        split = _split_assignment(stmt)
        if split is not None:
            first_line.setdefault(split[0], lineno)

    statements: list[Statement] = []
    known: set[str] = set()
    for lineno, stmt in pieces:
        prefix, suffix = f"line {lineno}: ", f" in '{_clip(stmt)}'"
        split = _split_assignment(stmt)
        if split is None:
            raise UsageError(
                _msg(prefix, suffix, "expected 'NAME ~ DISTRIBUTION' or 'NAME = EXPRESSION'")
            )
        name, op, rhs = split
        if keyword.iskeyword(name):
            raise UsageError(_msg(prefix, suffix, f"'{name}' is a Python keyword, not a valid name"))
        if name.startswith("_"):
            raise UsageError(_msg(prefix, suffix, f"names starting with '_' are not allowed: '{name}'"))
        if name in RESERVED_NAMES:
            raise UsageError(
                _msg(prefix, suffix, f"'{name}' is a built-in function or constant; choose another name")
            )
        if name in known:
            raise UsageError(
                _msg(prefix, suffix, f"'{name}' is already defined on line {first_line[name]}")
            )
        later = {n: ln for n, ln in first_line.items() if n not in known and n != name}
        ctx = _Ctx(rhs.strip(), (prefix, suffix), frozenset(known), later, current=name)
        node = _parse_rhs(rhs, ctx)
        expr = _translate(node, ctx)
        if op == "~" and not isinstance(expr, DistExpr):
            raise ctx.error(
                f"the right side of '~' must be a distribution such as 'Normal(0, 1)', "
                f"not '{ctx.segment(node)}' (use '=' for a deterministic quantity)"
            )
        if op == "=" and isinstance(expr, DistExpr):
            raise ctx.error(
                f"'=' defines a deterministic quantity; use '~' to draw from "
                f"'{ctx.segment(node)}'"
            )
        statements.append(Statement(name, op, expr, lineno, stmt))
        known.add(name)
    return Model(tuple(statements))


def parse_distribution(text: str) -> DistExpr:
    """Parse one distribution expression such as ``"softplus(Normal(0, 1))"`` (no variables)."""
    _check_spec_size(text, "the distribution")
    src = text.strip()
    ctx = _Ctx(src, ("", f" in '{_clip(src)}'"), frozenset(), {})
    if "\n" in src or "\r" in src:
        raise ctx.error("a distribution must be a single line")
    node = _parse_rhs(src, ctx)
    expr = _translate(node, ctx)
    if not isinstance(expr, DistExpr):
        raise ctx.error("expected a distribution such as 'LogNormal(0, 1)'")
    return expr


def parse_expression(text: str, names: frozenset[str] | set[str] = frozenset()) -> Expr:
    """Parse one numeric expression, e.g. a transform argument; ``names`` are allowed variables."""
    _check_spec_size(text, "the expression")
    src = text.strip()
    ctx = _Ctx(src, ("", f" in '{_clip(src)}'"), frozenset(names), {})
    node = _parse_rhs(src, ctx)
    return _numeric(node, ctx)


# ---------------------------------------------------------------------------------------------
# evaluation (numpy float64)


def _softplus(x):
    return np.logaddexp(0.0, x)


def _math_impl(name: str) -> Callable:
    if name in ("sigmoid", "logit", "probit"):
        import scipy.special as sp  # lazy: only needed when used

        return {"sigmoid": sp.expit, "logit": sp.logit, "probit": sp.ndtr}[name]
    return {
        "log": np.log,
        "exp": np.exp,
        "sqrt": np.sqrt,
        "log1p": np.log1p,
        "expm1": np.expm1,
        "softplus": _softplus,
        "abs": np.abs,
        "minimum": np.minimum,
        "maximum": np.maximum,
    }[name]


_BINARY_FUNCS: dict[str, Callable] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.true_divide,
    "**": np.power,
}


def _eval(expr: Expr, env: Mapping[str, np.ndarray]) -> np.ndarray:
    if isinstance(expr, Num):
        return np.float64(expr.value)
    if isinstance(expr, Name):
        try:
            value = env[expr.id]
        except KeyError:
            raise UsageError(f"unknown name '{expr.id}'") from None
        return np.asarray(value, dtype=np.float64)
    if isinstance(expr, Unary):
        v = _eval(expr.operand, env)
        return np.negative(v) if expr.op == "-" else v
    if isinstance(expr, Binary):
        return _BINARY_FUNCS[expr.op](_eval(expr.left, env), _eval(expr.right, env))
    if isinstance(expr, Call):
        return _math_impl(expr.func)(*(_eval(a, env) for a in expr.args))
    raise TypeError(f"not a numeric expression: {expr!r}")


def evaluate(expr: Expr, env: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
    """Evaluate a numeric expression on float64 arrays (overflow gives inf, never an exception).

    A constant expression gives a 0-d array; names are looked up in ``env``.
    """
    with np.errstate(all="ignore"):
        return np.asarray(_eval(expr, env or {}), dtype=np.float64)


Value = Union[float, np.ndarray]


def _value(expr: Expr, env: Mapping[str, np.ndarray], n: int | None) -> Value:
    v = evaluate(expr, env)
    if v.ndim == 0:
        return float(v)
    if n is not None and v.shape != (n,):
        v = np.broadcast_to(v, (n,)).copy()
    return v


def evaluate_distribution(
    dexpr: DistExpr, env: Mapping[str, np.ndarray] | None = None, n: int | None = None
) -> tuple[tuple[Value, ...], dict[str, Value], tuple[tuple[str, tuple[Value, ...]], ...]]:
    """Evaluate a distribution's arguments: ``(args, kwargs, transforms)``.

    Each value is a float when it does not depend on any variable, else an array (of shape
    ``(n,)`` when ``n`` is given).
    """
    env = env or {}
    args = tuple(_value(a, env, n) for a in dexpr.args)
    kwargs = {k: _value(v, env, n) for k, v in dexpr.kwargs}
    transforms = tuple((t, tuple(_value(a, env, n) for a in targs)) for t, targs in dexpr.transforms)
    return args, kwargs, transforms


#: sample_fn(statement, family, args, kwargs, transforms) -> array of shape (n,)
SampleFn = Callable[
    [Statement, str, tuple, dict, tuple],
    np.ndarray,
]


def _with_line(exc: PriorError, statement: Statement) -> PriorError:
    msg = str(exc)
    if msg.startswith("line "):
        return exc
    try:
        new = type(exc)(f"line {statement.line}: {msg} in '{_clip(statement.text)}'")
    except Exception:  # pragma: no cover - exotic constructor
        return exc
    return new


def run_model(model: Model, n: int, sample_fn: SampleFn) -> dict[str, np.ndarray]:
    """Run the model ancestrally, ``n`` draws per variable, in statement order.

    For each ``~`` statement calls ``sample_fn(statement, family, args, kwargs, transforms)``
    (values from :func:`evaluate_distribution`) and expects an array of shape ``(n,)``; for each
    ``=`` statement evaluates the expression and broadcasts it to ``(n,)``.  A PriorError raised
    by ``sample_fn`` without a line number gets ``line N: ... in 'STATEMENT'`` added.
    Returns ``{name: float64 array of shape (n,)}`` in definition order.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise UsageError(f"the number of draws must be a positive integer, got {n!r}")
    n = int(n)
    env: dict[str, np.ndarray] = {}
    for s in model.statements:
        if s.kind == "~":
            assert isinstance(s.expr, DistExpr)
            args, kwargs, transforms = evaluate_distribution(s.expr, env, n)
            try:
                draws = sample_fn(s, s.expr.family, args, kwargs, transforms)
            except PriorError as exc:
                new = _with_line(exc, s)
                if new is exc:
                    raise
                raise new from exc
            draws = np.asarray(draws, dtype=np.float64)
            if draws.shape != (n,):
                raise ValueError(
                    f"sample_fn returned shape {draws.shape} for '{s.name}', expected ({n},)"
                )
        else:
            draws = np.broadcast_to(evaluate(s.expr, env), (n,)).astype(np.float64, copy=True)
        env[s.name] = draws
    return env


def referenced_names(obj: Union[Model, Statement, DistExpr, Expr]) -> frozenset[str]:
    """Variable names an expression, distribution, statement or model refers to."""
    if isinstance(obj, Model):
        return frozenset().union(*(referenced_names(s) for s in obj.statements))
    if isinstance(obj, Statement):
        return referenced_names(obj.expr)
    if isinstance(obj, DistExpr):
        parts = list(obj.args) + [v for _, v in obj.kwargs]
        parts += [a for _, targs in obj.transforms for a in targs]
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
    raise TypeError(f"not a model object: {obj!r}")


# ---------------------------------------------------------------------------------------------
# numpyro source

_JAX_FUNCS = {
    "log": "jnp.log",
    "exp": "jnp.exp",
    "sqrt": "jnp.sqrt",
    "log1p": "jnp.log1p",
    "expm1": "jnp.expm1",
    "softplus": "jax.nn.softplus",
    "sigmoid": "jax.nn.sigmoid",
    "logit": "jax.scipy.special.logit",
    "probit": "jax.scipy.special.ndtr",
    "abs": "jnp.abs",
    "minimum": "jnp.minimum",
    "maximum": "jnp.maximum",
}

_PREC_ADD, _PREC_MUL, _PREC_UNARY, _PREC_POW, _PREC_ATOM = 1, 2, 3, 4, 5
_PREC = {"+": _PREC_ADD, "-": _PREC_ADD, "*": _PREC_MUL, "/": _PREC_MUL, "**": _PREC_POW}


def _src(expr: Expr, names: Mapping[str, str]) -> tuple[str, int]:
    if isinstance(expr, Num):
        if expr.symbol:
            return f"jnp.{expr.symbol}", _PREC_ATOM
        return repr(float(expr.value)), _PREC_ATOM
    if isinstance(expr, Name):
        return names.get(expr.id, expr.id), _PREC_ATOM
    if isinstance(expr, Call):
        inner = ", ".join(_src(a, names)[0] for a in expr.args)
        return f"{_JAX_FUNCS[expr.func]}({inner})", _PREC_ATOM
    if isinstance(expr, Unary):
        text, p = _src(expr.operand, names)
        if p < _PREC_UNARY or isinstance(expr.operand, Unary):
            text = f"({text})"
        return f"{expr.op}{text}", _PREC_UNARY
    if isinstance(expr, Binary):
        prec = _PREC[expr.op]
        lt, lp = _src(expr.left, names)
        rt, rp = _src(expr.right, names)
        if expr.op == "**":  # right-associative, binds tighter than unary minus on its left
            if lp <= _PREC_POW:
                lt = f"({lt})"
            if rp < _PREC_UNARY:
                rt = f"({rt})"
        else:
            if lp < prec:
                lt = f"({lt})"
            if rp <= prec:
                rt = f"({rt})"
        return f"{lt} {expr.op} {rt}", prec
    raise TypeError(f"not a numeric expression: {expr!r}")


def expr_to_source(expr: Expr, names: Mapping[str, str] | None = None) -> str:
    """Python/jax source for a numeric expression; ``names`` renames variables (model -> Python)."""
    return _src(expr, names or {})[0]


def transforms_to_source(
    transforms: tuple[tuple[str, tuple[Expr, ...]], ...], names: Mapping[str, str] | None = None
) -> list[str]:
    """numpyro transform constructors, innermost first (``probit`` needs ``ProbitTransform``)."""
    from .transforms import recipe

    def subtract(x: Expr, y: Expr) -> Expr:
        cx, cy = _const(x), _const(y)
        return Num(float(cx - cy)) if cx is not None and cy is not None else Binary("-", x, y)

    def arg_source(value) -> str:
        return repr(float(value)) if isinstance(value, (int, float)) else expr_to_source(value, names)

    out: list[str] = []
    for name, targs in transforms:
        for cls, cargs in recipe(name, targs, subtract):
            prefix = "" if cls == "ProbitTransform" else "dist.transforms."
            out.append(f"{prefix}{cls}({', '.join(arg_source(a) for a in cargs)})")
    return out


def distribution_to_source(
    dexpr: DistExpr, base_source: str, names: Mapping[str, str] | None = None
) -> str:
    """Wrap ``base_source`` (``dist.X(...)``) in a TransformedDistribution for dexpr's transforms."""
    if not dexpr.transforms:
        return base_source
    ts = ", ".join(transforms_to_source(dexpr.transforms, names))
    return f"dist.TransformedDistribution({base_source}, [{ts}])"


PROBIT_TRANSFORM_SOURCE = '''\
class ProbitTransform(dist.transforms.ParameterFreeTransform):
    """y = Phi(x), the standard normal CDF."""

    domain = dist.constraints.real
    codomain = dist.constraints.unit_interval
    sign = 1

    def __call__(self, x):
        return jax.scipy.special.ndtr(x)

    def _inverse(self, y):
        return jax.scipy.special.ndtri(y)

    def log_abs_det_jacobian(self, x, y, intermediates=None):
        return jax.scipy.stats.norm.logpdf(x)
'''

_SNIPPET_GLOBALS = frozenset({"jax", "jnp", "numpyro", "dist", "model", "ProbitTransform"})

#: dist_source(statement, dist_expr, names) -> "dist.X(...)" for the untransformed distribution
DistSourceFn = Callable[[Statement, DistExpr, Mapping[str, str]], str]


def python_names(model: Model) -> dict[str, str]:
    """Model variable -> Python local name in the emitted snippet (avoids shadowing its imports)."""
    taken = set(model.names) | _SNIPPET_GLOBALS
    out: dict[str, str] = {}
    for name in model.names:
        py = name
        if py in _SNIPPET_GLOBALS:
            py = name + "_"
            while py in taken:
                py += "_"
            taken.add(py)
        out[name] = py
    return out


def to_numpyro_source(model: Model, dist_source: DistSourceFn) -> str:
    """A self-contained Python snippet defining ``model()`` with numpyro.

    ``dist_source(statement, dist_expr, names)`` returns the ``dist.X(...)`` text of the
    untransformed distribution (native keyword names, targets solved); render numeric arguments
    with ``expr_to_source(expr, names)``.  Transforms are added here.
    """
    names = python_names(model)
    body: list[str] = []
    uses_probit = False
    for s in model.statements:
        py = names[s.name]
        if s.kind == "~":
            assert isinstance(s.expr, DistExpr)
            try:
                base = dist_source(s, s.expr, names)
            except PriorError as exc:
                new = _with_line(exc, s)
                if new is exc:
                    raise
                raise new from exc
            uses_probit |= any(t == "probit" for t, _ in s.expr.transforms)
            d = distribution_to_source(s.expr, base, names)
            body.append(f'    {py} = numpyro.sample("{s.name}", {d})')
        else:
            value = expr_to_source(s.expr, names)
            body.append(f'    {py} = numpyro.deterministic("{s.name}", {value})')
    header = [
        "import jax",
        "import jax.numpy as jnp",
        "import jax.scipy.special",
        "import jax.scipy.stats",
        "import numpyro",
        "import numpyro.distributions as dist",
        "",
    ]
    if uses_probit:
        header += ["", PROBIT_TRANSFORM_SOURCE]
    header += ["", "def model():"]
    return "\n".join(header + body + [""])
