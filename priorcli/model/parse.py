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

The language lives in four modules: the vocabulary and tree (:mod:`priorcli.model.tree`), parsing
(here), evaluation and ancestral runs (:mod:`priorcli.model.evaluate`) and numpyro source
(:mod:`priorcli.model.source`). This module re-exports all of it, so ``priorcli.model.parse`` is the one
name callers use.
"""

from __future__ import annotations

import ast
import keyword
import math
import unicodedata
from dataclasses import replace
from typing import Callable, Mapping, Union

import numpy as np

from priorcli.errors import UsageError
from priorcli.model import truncation
from priorcli.model import metalog, mixture
from priorcli.model.evaluate import SampleFn, _const, evaluate, evaluate_distribution, run_model  # noqa: F401
from priorcli.model.source import (  # noqa: F401
    PROBIT_TRANSFORM_SOURCE,
    distribution_to_source,
    expr_to_source,
    python_names,
    to_numpyro_source,
    transforms_to_source,
)
from priorcli.model.tree import (  # noqa: F401
    _BINOPS,
    _FORBIDDEN_NODES,
    _MATH_ALIASES,
    _OPERATOR_SYMBOLS,
    _TRANSFORM_ALIASES,
    _TRANSFORM_USAGE,
    _UNARYOPS,
    COMPARISONS,
    CONSTANTS,
    MATH_FUNCTIONS,
    REDUCTIONS,
    MAX_CONST_EXPONENT,
    MAX_DEPTH,
    MAX_SPEC_CHARS,
    MAX_STATEMENTS,
    RESERVED_NAMES,
    TRANSFORMS,
    Binary,
    Call,
    DataItem,
    DistExpr,
    Expr,
    Model,
    Name,
    Num,
    Statement,
    Unary,
    Vector,
    _clip,
    matrix_dimension,
    referenced_names,
    vector_size,
)

__all__ = [
    "MAX_SPEC_CHARS",
    "MAX_STATEMENTS",
    "MAX_DEPTH",
    "MAX_CONST_EXPONENT",
    "MATH_FUNCTIONS",
    "TRANSFORMS",
    "REDUCTIONS",
    "CONSTANTS",
    "RESERVED_NAMES",
    "Num",
    "Name",
    "Unary",
    "Binary",
    "Vector",
    "Call",
    "DataItem",
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
    "vector_size",
    "expr_to_source",
    "transforms_to_source",
    "distribution_to_source",
    "to_numpyro_source",
    "python_names",
    "PROBIT_TRANSFORM_SOURCE",
]


# ---------------------------------------------------------------------------------------------
# parsing


class _Ctx:
    """Where a right-hand side came from, for error messages."""

    def __init__(
        self,
        src: str,
        where: tuple[str, str],
        known: frozenset[str],
        later: Mapping[str, int],
        current: str | None = None,
        is_family: Callable[[str], bool] | None = None,
    ):
        self.current = current  # the name this statement defines
        self.is_family = is_family  # whether a called name is a distribution family (for messages)
        self.src = src  # the right-hand side as given to ast.parse
        self.where = where  # (prefix, suffix), e.g. ("line 3: ", " in 'theta ~ LogNormal(foo, 1)'")
        self.known = known  # names defined before this statement
        self.later = later  # names defined later in the model -> their line
        self.sizes: Mapping[str, int] = {}  # vector variables defined before this statement -> length

    def error(self, message: str) -> UsageError:
        prefix, suffix = self.where  # never str.format: the suffix holds user text
        return UsageError(prefix + message + suffix)

    def size_of(self, expr) -> int | None:
        """``vector_size`` of an expression here; two vectors of different lengths are a usage error."""
        try:
            return vector_size(expr, self.sizes)
        except ValueError as exc:
            raise self.error(str(exc)) from None

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



def _check_name(ident: str, ctx: _Ctx) -> None:
    if ident.startswith("_"):
        raise ctx.error(f"names starting with '_' are not allowed: '{ident}'")


def _numeric(node: ast.AST, ctx: _Ctx) -> Expr:
    """Translate an AST node that must be a number expression."""
    out = _translate(node, ctx)
    if isinstance(out, DistExpr):
        unknown = _unknown_function(out, ctx)
        if unknown is not None:
            raise ctx.error(unknown)
        raise ctx.error(
            f"a distribution where a number is expected: '{ctx.segment(node)}'"
        )
    return out


def _functions_text() -> str:
    return ", ".join(sorted(MATH_FUNCTIONS))


def _unknown_function(dexpr: DistExpr, ctx: _Ctx) -> str | None:
    """The message for ``erf(u)`` where a number is expected, when Phi is no distribution family
    either (None when it is one, or when the caller gave no way to tell)."""
    if dexpr.transforms or ctx.is_family is None or ctx.is_family(dexpr.family):
        return None
    return (f"unknown function '{dexpr.family}' in '{_clip(dexpr.text, 60)}'; the model language's "
            f"functions are {_functions_text()} (and the transforms {', '.join(sorted(TRANSFORMS))} "
            "of a distribution)")


def _translate(node: ast.AST, ctx: _Ctx) -> Union[Expr, DistExpr]:
    with np.errstate(all="ignore"):
        out = _translate_inner(node, ctx)
    if not isinstance(out, DistExpr) and not isinstance(out, Name):
        with np.errstate(all="ignore"):
            try:
                v = _const(out)
            except UsageError as exc:  # a constant off a function's domain (probit(2))
                raise ctx.error(str(exc)) from None
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
        if ident in ctx.known:  # before the functions: a family's parameter may be called 'mean' (templates)
            return Name(ident)
        if ident in MATH_FUNCTIONS or ident in TRANSFORMS or ident in REDUCTIONS:
            raise ctx.error(f"'{ident}' is a function; call it, e.g. '{ident}(...)'")
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

    if isinstance(node, ast.Compare):
        return _translate_compare(node, ctx)

    if isinstance(node, ast.Call):
        return _translate_call(node, ctx)

    if isinstance(node, ast.List):
        return _translate_vector(node, ctx)

    kind = _FORBIDDEN_NODES.get(type(node))
    if kind is None:
        kind = f"'{type(node).__name__}'"
    raise ctx.error(f"{kind} is not allowed: '{ctx.segment(node)}'")


def _translate_compare(node: ast.Compare, ctx: _Ctx) -> Expr:
    """``a < b``: 1 where it holds, 0 where not; a chain ``a < b <= c`` is the product of its links."""
    operands = [_numeric(node.left, ctx)] + [_numeric(c, ctx) for c in node.comparators]
    out: Expr | None = None
    for i, op in enumerate(node.ops):
        symbol = COMPARISONS.get(type(op))
        if symbol is None:
            raise ctx.error(f"'{type(op).__name__}' is not allowed in '{ctx.segment(node)}' "
                            f"(comparisons: {' '.join(COMPARISONS.values())})")
        link = Binary(symbol, operands[i], operands[i + 1])
        out = link if out is None else Binary("*", out, link)
    assert out is not None
    return out


def _translate_reduction(fname: str, node: ast.Call, ctx: _Ctx) -> Expr:
    """``mean(v)``, ``sd(v)``, ``min(v)``, ``max(v)``, ``sum(v)``, ``quantile(v, p)``, ``count(cond)``:
    one number per draw from a vector."""
    nargs = REDUCTIONS[fname]
    usage = f"{fname}(v, 0.9)" if fname == "quantile" else f"{fname}(v)"
    if node.keywords or len(node.args) != nargs:
        hint = f"; for the elementwise {fname}imum of two values use {fname}imum(a, b)" \
            if fname in ("min", "max") and len(node.args) == 2 else ""
        raise ctx.error(f"'{fname}' takes {'a vector and a level' if nargs == 2 else 'one vector'}, "
                        f"e.g. {usage}{hint}: '{ctx.segment(node)}'")
    vector = _numeric(node.args[0], ctx)
    size = ctx.size_of(vector)
    if size is None:
        raise ctx.error(f"'{fname}' reduces a vector; '{ctx.segment(node.args[0])}' is a number")
    if fname == "sd" and size < 2:
        raise ctx.error(f"'sd' of a vector of one value is undefined (it divides by K - 1): '{ctx.segment(node)}'")
    rest: tuple[Expr, ...] = ()
    if fname == "quantile":
        level = _numeric(node.args[1], ctx)
        p = _const(level)
        if p is None or not 0.0 <= p <= 1.0:
            raise ctx.error(f"quantile's level must be a constant number in [0, 1]: '{ctx.segment(node.args[1])}'")
        rest = (Num(float(p)),)
    return Call(fname, (vector,) + rest)


def _translate_vector(node: ast.List, ctx: _Ctx) -> Vector:
    """``[a, b, c]``: a vector of numbers (each may vary per draw); not nested, not empty."""
    if not node.elts:
        raise ctx.error("an empty vector '[]'; give its values, e.g. [1, 1, 1]")
    items = []
    for elt in node.elts:
        if isinstance(elt, ast.Starred):
            raise ctx.error(f"starred argument is not allowed: '{ctx.segment(elt)}'")
        item = _numeric(elt, ctx)
        if vector_size(item, ctx.sizes) is not None:
            raise ctx.error(f"vectors cannot be nested: '{ctx.segment(node)}'")
        items.append(item)
    return Vector(tuple(items))


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

    if fname in REDUCTIONS:
        return _translate_reduction(fname, node, ctx)
    if fname == truncation.NAME:
        return truncation.translate(node, ctx, _translate, _numeric)
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
            return replace(first, transforms=first.transforms + ((canon, targs),))
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
    if mixture.is_mixture(fname):
        return mixture.translate(node, ctx, _translate, _numeric)
    if metalog.is_metalog(fname):
        return metalog.translate(node, ctx, _translate, _numeric)
    # anything else called like a function is a distribution family; the caller checks it
    args = tuple(_numeric(a, ctx) for a in node.args)
    seen: set[str] = set()
    kwargs = []
    for kw in node.keywords:
        if kw.arg in seen:
            raise ctx.error(f"argument '{kw.arg}' given twice: '{ctx.segment(node)}'")
        seen.add(kw.arg)
        kwargs.append((kw.arg, _numeric(kw.value, ctx)))
    return truncation.from_factory(DistExpr(fname, args, tuple(kwargs), (), ctx.segment(node)), ctx.error)


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


def parse_model(text: str, is_family: Callable[[str], bool] | None = None,
                data: tuple[DataItem, ...] = ()) -> Model:
    """Parse a model spec. Raises UsageError ``line N: ... in 'STATEMENT'`` on any problem.

    ``is_family(name)`` (optional; this module knows no family) tells whether a called name such as
    ``erf`` is a distribution family, so that an unknown function is reported as one. ``data`` are
    names given from outside (``--data``): known from the first line, never defined by the model."""
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
    known, sizes = _data_names(data)
    given = frozenset(known)
    matrices: set[str] = set()  # variables drawn from a matrix family (LKJ): shown, never computed with
    for lineno, stmt in pieces:
        prefix, suffix = f"line {lineno}: ", f" in '{_clip(stmt)}'"
        split = _split_assignment(stmt)
        if split is None:
            raise UsageError(
                _msg(prefix, suffix, "expected 'NAME ~ DISTRIBUTION' or 'NAME = EXPRESSION'")
            )
        name, op, rhs = split
        if name in given:
            source = next(d.source for d in data if d.name == name) or "--data"
            raise UsageError(_msg(prefix, suffix, f"'{name}' is given as data ({_clip(source, 60)}); the model "
                                                  "cannot define it too: rename the variable or the data"))
        _check_defined_name(name, known, first_line, prefix, suffix)
        later = {n: ln for n, ln in first_line.items() if n not in known and n != name}
        ctx = _Ctx(rhs.strip(), (prefix, suffix), frozenset(known), later, current=name, is_family=is_family)
        ctx.sizes = sizes
        node = _parse_rhs(rhs, ctx)
        expr = _translate(node, ctx)
        _check_statement_kind(op, expr, node, ctx)
        size = _statement_size(expr, ctx)
        _check_matrix_use(expr, matrices, ctx)
        if isinstance(expr, DistExpr) and matrix_dimension(expr) is not None:
            matrices.add(name)
        statements.append(Statement(name, op, expr, lineno, stmt, size))
        known.add(name)
        if size is not None:
            sizes[name] = size
    return Model(tuple(statements), tuple(data))


def _data_names(data: tuple[DataItem, ...]) -> tuple[set[str], dict[str, int]]:
    known: set[str] = set()
    sizes: dict[str, int] = {}
    for item in data:
        where = f"{_clip(item.source, 60)}: " if item.source else ""
        if not item.name.isidentifier() or keyword.iskeyword(item.name) or item.name.startswith("_"):
            raise UsageError(f"{where}'{item.name}' is not a valid name for data (letters, digits and '_', "
                             "not starting with '_' or a digit)")
        if item.name in RESERVED_NAMES:
            raise UsageError(f"{where}'{item.name}' is a built-in function or constant of the model language; "
                             "rename the data")
        if item.name in known:
            raise UsageError(f"{where}'{item.name}' is given twice as data")
        known.add(item.name)
        if item.size is not None:
            sizes[item.name] = item.size
    return known, sizes


def _check_defined_name(name: str, known, first_line, prefix: str, suffix: str) -> None:
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


def _check_statement_kind(op: str, expr, node: ast.AST, ctx: _Ctx) -> None:
    if op == "~" and not isinstance(expr, DistExpr):
        raise ctx.error(
            f"the right side of '~' must be a distribution such as 'Normal(0, 1)', "
            f"not '{ctx.segment(node)}' (use '=' for a deterministic quantity)"
        )
    if op == "=" and isinstance(expr, DistExpr):
        unknown = _unknown_function(expr, ctx)
        if unknown is not None:
            raise ctx.error(unknown)
        raise ctx.error(
            f"'=' defines a deterministic quantity; use '~' to draw from "
            f"'{ctx.segment(node)}'"
        )


def _check_matrix_use(expr, matrices: set[str], ctx: _Ctx) -> None:
    used = sorted(referenced_names(expr) & matrices)
    if used:
        raise ctx.error(f"'{used[0]}' is a matrix (a correlation matrix or its Cholesky factor); the model "
                        "language has no matrix operations, so a matrix variable is summarised, not used")


def _statement_size(expr, ctx: _Ctx) -> int | None:
    """The length of the vector a statement defines (None for a number); vectors of different
    lengths, vector transform arguments and transforms of a vector distribution are refused."""
    size = ctx.size_of(expr)
    if isinstance(expr, DistExpr):
        for tname, targs in expr.transforms:
            if any(vector_size(a, ctx.sizes) is not None for a in targs):
                raise ctx.error(f"the arguments of {tname} must be numbers, not vectors")
        if expr.transforms and size is not None:
            raise ctx.error("transforms apply to distributions of a number, not of a vector")
    return size


def parse_distribution(text: str, is_family: Callable[[str], bool] | None = None) -> DistExpr:
    """Parse one distribution expression such as ``"softplus(Normal(0, 1))"`` (no variables)."""
    _check_spec_size(text, "the distribution")
    src = text.strip()
    ctx = _Ctx(src, ("", f" in '{_clip(src)}'"), frozenset(), {}, is_family=is_family)
    if "\n" in src or "\r" in src:
        raise ctx.error("a distribution must be a single line")
    node = _parse_rhs(src, ctx)
    expr = _translate(node, ctx)
    if not isinstance(expr, DistExpr):
        raise ctx.error("expected a distribution such as 'LogNormal(0, 1)'")
    _statement_size(expr, ctx)
    return expr


def parse_expression(text: str, names: frozenset[str] | set[str] = frozenset()) -> Expr:
    """Parse one numeric expression, e.g. a transform argument; ``names`` are allowed variables."""
    _check_spec_size(text, "the expression")
    src = text.strip()
    ctx = _Ctx(src, ("", f" in '{_clip(src)}'"), frozenset(names), {})
    node = _parse_rhs(src, ctx)
    return _numeric(node, ctx)
