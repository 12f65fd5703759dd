"""The model language written back from its tree: ``x ~ Mixture([0.31, 0.69], [Normal(0, 1),
Normal(2.65, 0.5)])`` for a model whose free names were given numbers (``solve --model`` and
``solve "QUOTED"`` answers), so the header of an emitted program shows the distribution that was
solved, not the text with its names. Numbers are written at full precision (``repr``; a whole
number as an integer), so the text parses back to the same values. Built from the tree, never by
reading text."""

from __future__ import annotations

import math

from priorcli.model.tree import Binary, Call, DistExpr, Expr, Name, Num, Statement, Unary, Vector

__all__ = ["number", "expr_text", "dist_text", "statement_text"]

_PREC_CMP, _PREC_ADD, _PREC_MUL, _PREC_UNARY, _PREC_POW, _PREC_ATOM = 0, 1, 2, 3, 4, 5
_PREC = {"+": _PREC_ADD, "-": _PREC_ADD, "*": _PREC_MUL, "/": _PREC_MUL, "**": _PREC_POW}


def number(value: float) -> str:
    """A float at full precision: ``repr``, a whole number below 1e15 as an integer (``2``)."""
    v = float(value)
    if math.isfinite(v) and v == int(v) and abs(v) < 1e15:
        return str(int(v)) if v != 0 or math.copysign(1.0, v) > 0 else "-0.0"
    return repr(v)


def _text(expr: Expr) -> tuple[str, int]:
    if isinstance(expr, Num):
        if expr.symbol:
            return expr.symbol, _PREC_ATOM
        return number(expr.value), (_PREC_ATOM if expr.value >= 0 else _PREC_UNARY)
    if isinstance(expr, Name):
        return expr.id, _PREC_ATOM
    if isinstance(expr, Call):
        return f"{expr.func}({', '.join(expr_text(a) for a in expr.args)})", _PREC_ATOM
    if isinstance(expr, Vector):
        return f"[{', '.join(expr_text(a) for a in expr.items)}]", _PREC_ATOM
    if isinstance(expr, Unary):
        text, p = _text(expr.operand)
        if p <= _PREC_UNARY:
            text = f"({text})"
        return f"{expr.op}{text}", _PREC_UNARY
    if isinstance(expr, Binary):
        prec = _PREC.get(expr.op, _PREC_CMP)
        lt, lp = _text(expr.left)
        rt, rp = _text(expr.right)
        if expr.op == "**":  # right-associative, binds tighter than a unary minus on its left
            lt = f"({lt})" if lp <= _PREC_POW else lt
            rt = f"({rt})" if rp < _PREC_UNARY else rt
        else:
            lt = f"({lt})" if lp < prec or (prec == _PREC_CMP and lp == prec) else lt
            rt = f"({rt})" if rp <= prec else rt
        return f"{lt} {expr.op} {rt}", prec
    raise TypeError(f"not a numeric expression: {expr!r}")


def expr_text(expr: Expr) -> str:
    """A numeric expression in the model language."""
    return _text(expr)[0]


def _base_text(dexpr: DistExpr) -> str:
    if dexpr.components:
        parts = ", ".join(dist_text(c) for c in dexpr.components)
        return f"{dexpr.family}({expr_text(dexpr.args[0])}, [{parts}])"
    args = [expr_text(a) for a in dexpr.args] + [f"{k}={expr_text(v)}" for k, v in dexpr.kwargs]
    return f"{dexpr.family}({', '.join(args)})"


def dist_text(dexpr: DistExpr, transforms: bool = True) -> str:
    """A distribution (with its truncation, and its transforms unless ``transforms`` is false)."""
    text = _base_text(dexpr)
    if dexpr.truncate is not None:
        ends = [f"{k}={number(v)}" for k, v in zip(("low", "high"), dexpr.truncate) if v is not None]
        text = f"truncated({text}, {', '.join(ends)})"
    for name, args in dexpr.transforms if transforms else ():
        text = f"{name}({', '.join([text, *(expr_text(a) for a in args)])})"
    return text


def statement_text(s: Statement) -> str:
    """``name ~ D`` or ``name = EXPR``."""
    rhs = dist_text(s.expr) if isinstance(s.expr, DistExpr) else expr_text(s.expr)
    return f"{s.name} {s.kind} {rhs}"
