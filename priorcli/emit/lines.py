"""One distribution with numeric parameters as a line of Stan or PyMC code (``solve``'s lines).

Read from the same table as the model emitters (``frameworks``). Kept free of numpy and jax: a
closed-form LogNormal ``solve`` prints these lines without importing either (a table argument that
is an expression, such as AsymmetricLaplace's ``1 / scale``, is evaluated with the model language,
which imports numpy, only for the families that need it).
"""

from __future__ import annotations

from typing import Callable

from priorcli.emit import frameworks

Number = Callable[[float], str]


def _value(text: str, params: dict, number: Number) -> str:
    if text in params:
        value = params[text]
        if isinstance(value, (tuple, list)):
            return "[" + ", ".join(number(v) for v in value) + "]"
        return number(value)
    try:
        float(text)
        return text  # a literal of the table, as written: cauchy(0, 5.0)
    except ValueError:
        pass
    from priorcli.model import parse as lang

    expr = lang.parse_expression(text, frozenset(params))
    return number(float(lang.evaluate(expr, {k: float(v) for k, v in params.items()})))


def stan_line(family: str, params: dict, number: Number) -> tuple[str | None, tuple[str, ...]]:
    """(``lognormal(0.25, 0.5)``, notes), or (None, ()) when Stan has no such family."""
    entry = frameworks.stan(family)
    if entry is None:
        return None, ()
    args = []
    for i, text in enumerate(entry.args):
        value = _value(text, params, number)
        if isinstance(params.get(text), (tuple, list)):
            value += "'"  # a vector: Stan's [a, b]' literal
        elif i in entry.ints:
            value = str(int(float(value)))
        args.append(value)
    notes = ("Stan: declare the parameter with <lower=0> to get the half distribution",) if entry.half else ()
    return f"{entry.name}({', '.join(args)})", notes


def pymc_line(family: str, params: dict, number: Number, name: str = "x") -> str | None:
    """``pm.LogNormal("x", mu=0.25, sigma=0.5)``, or None when PyMC has no such family."""
    entry = frameworks.pymc(family)
    if entry is None:
        return None
    args = ", ".join(f"{k}={_value(t, params, number)}" for k, t in entry.kwargs)
    return f'pm.{entry.name}("{name}", {args})'
