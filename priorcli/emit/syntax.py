"""Print model-language expressions as Stan or Python (PyMC) source.

Parentheses are conservative: every operand of ``**``/``^`` that is not a name, number or call
is parenthesised, since Stan and Python differ in how ``^``/``**`` meet unary minus.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping

from priorcli.model import parse as lang

_CMP, _ADD, _MUL, _UNARY, _POW, _ATOM = 0, 1, 2, 3, 4, 5
_PREC = {"+": _ADD, "-": _ADD, "*": _MUL, "/": _MUL, "**": _POW}
_COMPARE_NAMES = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne"}


@dataclass(frozen=True)
class Syntax:
    power: str  # "**" or "^"
    functions: Mapping[str, str]  # model-language function -> the language's
    constants: Mapping[str, str]  # "pi", "e" -> the language's
    integers: frozenset[str] = field(default_factory=frozenset)  # variables of integer type (Stan)
    int_literals: bool = False  # write whole numbers as int literals (Stan), keeping int / int real
    vector: str = "np.array([{}])"  # a vector literal of numbers; "{}" is the items
    varying_vector: str = "pt.stack([{}])"  # a vector literal with items that vary per draw
    sizes: Mapping[str, int] = field(default_factory=dict)  # vector variables -> length
    elementwise: bool = False  # vector-vector '*', '/' and '^' need '.*', './', '.^' (Stan)
    # reductions: model-language name -> the language's call, "{}" the vector (quantile: sorted_element)
    reductions: Mapping[str, str] = field(default_factory=dict)
    sorted_element: str = "pt.sort({v})[{i}]"  # element i (counted from index_base) of the sorted vector
    index_base: int = 0
    compare: str = "pt.switch({l} {op} {r}, 1.0, 0.0)"  # a comparison as 0/1 (numbers or broadcasting vectors)
    # Stan compares numbers only: vectors go through functions cmp_gt(vector, vector) (see COMPARE_FUNCTION)
    vector_compare: str | None = None

    def number(self, value: float, as_int: bool = False) -> str:
        if as_int or (self.int_literals and value == int(value) and abs(value) < 2**31):
            return str(int(value))
        return repr(float(value))


def is_int(expr, syntax: Syntax) -> bool:
    if isinstance(expr, lang.Num):
        return syntax.int_literals and expr.symbol is None and expr.value == int(expr.value) \
            and abs(expr.value) < 2**31
    if isinstance(expr, lang.Name):
        return expr.id in syntax.integers
    if isinstance(expr, lang.Unary):
        return is_int(expr.operand, syntax)
    if isinstance(expr, lang.Binary) and expr.op in "+-*":
        return is_int(expr.left, syntax) and is_int(expr.right, syntax)
    return False


def render(expr, syntax: Syntax, names: Mapping[str, str] | None = None) -> str:
    """Source text of a model-language expression; ``names`` renames variables."""
    return _render(expr, syntax, names or {})[0]


def _render(expr, syntax: Syntax, names: Mapping[str, str]) -> tuple[str, int]:
    if isinstance(expr, lang.Num):
        if expr.symbol:
            return syntax.constants[expr.symbol], _ATOM
        text = syntax.number(expr.value)
        return text, (_UNARY if text.startswith("-") else _ATOM)
    if isinstance(expr, lang.Name):
        return names.get(expr.id, expr.id), _ATOM
    if isinstance(expr, lang.Call):
        if expr.func in lang.REDUCTIONS:
            return _reduction(expr, syntax, names), _ATOM
        inner = ", ".join(_render(a, syntax, names)[0] for a in expr.args)
        return f"{syntax.functions[expr.func]}({inner})", _ATOM
    if isinstance(expr, lang.Vector):
        inner = ", ".join(_render(a, syntax, names)[0] for a in expr.items)
        return (syntax.varying_vector if lang.referenced_names(expr) else syntax.vector).format(inner), _ATOM
    if isinstance(expr, lang.Unary):
        text, p = _render(expr.operand, syntax, names)
        if p <= _UNARY:
            text = f"({text})"
        return f"{expr.op}{text}", _UNARY
    if isinstance(expr, lang.Binary):
        return _binary(expr, syntax, names)
    raise TypeError(f"not an expression: {expr!r}")


def _reduction(expr: lang.Call, syntax: Syntax, names) -> str:
    vector = _render(expr.args[0], syntax, names)[0]
    if expr.func != "quantile":
        return syntax.reductions[expr.func].format(vector)
    # numpy's 'linear' quantile of K values: h = (K - 1) p between the sorted elements floor(h) and floor(h) + 1
    size = lang.vector_size(expr.args[0], syntax.sizes)
    h = (size - 1) * float(expr.args[1].value)
    lo = min(int(math.floor(h)), size - 1)
    frac = h - lo

    def element(i: int) -> str:
        return syntax.sorted_element.format(v=vector, i=i + syntax.index_base)

    if frac == 0 or lo + 1 >= size:
        return element(lo)
    return f"({element(lo)} + {frac!r} * ({element(lo + 1)} - {element(lo)}))"


def compare_functions(ops) -> list[str]:
    """Stan functions for the vector comparisons ``ops`` uses: 1 where a[i] OP b[i], else 0."""
    out = []
    for op in sorted(ops, key=list(_COMPARE_NAMES).index):
        out += [f"vector cmp_{_COMPARE_NAMES[op]}(vector a, vector b) {{",
                "  vector[rows(a)] out;",
                f"  for (i in 1:rows(a)) out[i] = a[i] {op} b[i];",
                "  return out;",
                "}"]
    return out


def _comparison(expr: lang.Binary, syntax: Syntax, names) -> tuple[str, int]:
    lt, lp = _render(expr.left, syntax, names)
    rt, rp = _render(expr.right, syntax, names)
    if syntax.vector_compare is not None:
        sizes = [lang.vector_size(e, syntax.sizes) for e in (expr.left, expr.right)]
        size = next((k for k in sizes if k is not None), None)
        if size is not None:
            lt, rt = (text if k is not None else f"rep_vector({text}, {size})" for text, k in zip((lt, rt), sizes))
            return syntax.vector_compare.format(name=_COMPARE_NAMES[expr.op], l=lt, r=rt), _ATOM
    lt = f"({lt})" if lp <= _CMP else lt
    rt = f"({rt})" if rp <= _CMP else rt
    return syntax.compare.format(l=lt, op=expr.op, r=rt), _ATOM


def _binary(expr: lang.Binary, syntax: Syntax, names) -> tuple[str, int]:
    if expr.op in _COMPARE_NAMES:
        return _comparison(expr, syntax, names)
    prec = _PREC[expr.op]
    lt, lp = _render(expr.left, syntax, names)
    rt, rp = _render(expr.right, syntax, names)
    op = _elementwise(expr, syntax)
    if expr.op == "**":
        if lp < _ATOM:
            lt = f"({lt})"
        if rp < _ATOM:
            rt = f"({rt})"
        return f"{lt} {op} {rt}", _POW
    if lp < prec:
        lt = f"({lt})"
    if rp <= prec:
        rt = f"({rt})"
    if expr.op == "/" and is_int(expr.left, syntax) and is_int(expr.right, syntax):
        # Stan divides int by int with truncation; the model language never does.
        lt = f"{float(expr.left.value)!r}" if isinstance(expr.left, lang.Num) else f"1.0 * {lt}"
    return f"{lt} {op} {rt}", prec


def _elementwise(expr: lang.Binary, syntax: Syntax) -> str:
    """The operator as written: Stan's '.*' for vector times vector, './' for a vector divisor,
    '.^' for a vector power; otherwise the language's own."""
    op = syntax.power if expr.op == "**" else expr.op
    if not syntax.elementwise:
        return op
    left = lang.vector_size(expr.left, syntax.sizes) is not None
    right = lang.vector_size(expr.right, syntax.sizes) is not None
    if (expr.op == "*" and left and right) or (expr.op == "/" and right) or (expr.op == "**" and (left or right)):
        return "." + op
    return op


