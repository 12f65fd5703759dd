"""``--emit pymc``: ``with pm.Model() as model:`` holding one PyMC variable per model variable
(``pm.Deterministic`` for deterministic lines and transformed distributions, whose prior sits on
an untransformed ``NAME_raw``), and a ``__main__`` block drawing the prior and printing quantiles."""

from __future__ import annotations

import dataclasses

from priorcli.model import parse as lang
from priorcli.model.source import python_locals
from priorcli.emit import frameworks, plan
from priorcli.emit.python import PRINT_QUANTILES, constants_block, sizes_argument
from priorcli.emit.syntax import Syntax, render

FUNCTIONS = {
    "log": "pt.log",
    "exp": "pt.exp",
    "sqrt": "pt.sqrt",
    "log1p": "pt.log1p",
    "expm1": "pt.expm1",
    "softplus": "pt.softplus",
    "sigmoid": "pt.sigmoid",
    "logit": "pm.math.logit",
    "probit": "pm.math.probit",
    "inv_probit": "pm.math.invprobit",
    "abs": "pt.abs",
    "minimum": "pt.minimum",
    "maximum": "pt.maximum",
}
CONSTANTS = {"pi": "np.pi", "e": "np.e"}
REDUCTIONS = {"mean": "pt.mean({})", "sd": "pt.std({}, ddof=1)", "min": "pt.min({})", "max": "pt.max({})",
              "sum": "pt.sum({})", "count": "pt.sum({})"}
SYNTAX = Syntax("**", FUNCTIONS, CONSTANTS, reductions=REDUCTIONS)
INT_SYNTAX = Syntax("**", FUNCTIONS, CONSTANTS, int_literals=True, reductions=REDUCTIONS)
FILE_GLOBALS = frozenset({"np", "pm", "pt", "pytensor", "model", "print_quantiles", "SEED", "DRAWS", "QUANTILES",
                          "prior"})


def emit(variables: tuple[plan.Variable, ...], *, seed: int, draws: int, quantiles, show: tuple[str, ...],
         command: str, data: tuple = ()) -> str:
    plan.check_names(variables, frozenset(), "PyMC", " (it names the transformed values it adds so, e.g. sigma_log__)")
    taken = {v.name for v in variables} | {d.name for d in data}
    raw = {v.name: plan.fresh_name(f"{v.name}_raw", taken) for v in variables if v.random and v.transforms}
    names = python_locals([*taken, *raw.values()], FILE_GLOBALS)
    sizes = {**{v.name: v.statement.size for v in variables if v.statement.size is not None},
             **{d.name: d.size for d in data if d.vector}}
    syntax, int_syntax = (dataclasses.replace(s, sizes=sizes) for s in (SYNTAX, INT_SYNTAX))
    body = [f'{names[d.name]} = pm.Data("{d.name}", {_data_value(d)})' for d in data]
    for v in variables:
        py = names[v.name]
        if not v.random:
            body.append(f'{py} = pm.Deterministic("{v.name}", {_value(v.expr, names, syntax)})')
            continue
        entry = frameworks.pymc(v.family.name)
        if entry is None:
            raise plan.error(v.statement, f"'{v.name}' ~ {v.family.name}: PyMC has no {v.family.name} distribution; "
                                          "choose another family for --emit pymc")
        chosen = int_syntax if v.discrete else syntax
        kwargs = ", ".join(f"{k}={render(plan.template(t, v.params), chosen, names)}" for k, t in entry.kwargs)
        if v.truncate is not None:
            body.append(_truncated(v, names[raw[v.name]] if v.name in raw else py,
                                   raw.get(v.name, v.name), entry.name, kwargs))
            if v.name in raw:
                value = plan.transformed(v.transforms, lang.Name(raw[v.name]))
                body.append(f'{py} = pm.Deterministic("{v.name}", {_value(value, names, syntax)})')
        elif v.name in raw:
            body.append(f'{names[raw[v.name]]} = pm.{entry.name}("{raw[v.name]}", {kwargs})')
            value = plan.transformed(v.transforms, lang.Name(raw[v.name]))
            body.append(f'{py} = pm.Deterministic("{v.name}", {_value(value, names, syntax)})')
        else:
            body.append(f'{py} = pm.{entry.name}("{v.name}", {kwargs})')
    lines = [
        *plan.header(variables, command, "#"),
        "# `python THIS_FILE.py` draws the prior and prints its quantiles.",
        "",
        "import numpy as np",
        "import pymc as pm",
        "import pytensor.tensor as pt",
        "",
        "with pm.Model() as model:",
        *(f"    {line}" for line in body),
        "",
        "",
        PRINT_QUANTILES.rstrip("\n"),
        "",
        "",
        'if __name__ == "__main__":',
        *constants_block(seed, draws, quantiles),
        "    prior = pm.sample_prior_predictive(draws=DRAWS, model=model, random_seed=SEED).prior",
        f"    print_quantiles({{name: prior[name].values for name in {list(show)!r}}}, QUANTILES"
        f"{sizes_argument(variables, show)})",
    ]
    return "\n".join(lines) + "\n"


def _truncated(v: plan.Variable, py: str, name: str, family: str, kwargs: str) -> str:
    """``x = pm.Truncated("x", pm.Gamma.dist(alpha=2, beta=1), lower=1)``."""
    ends = "".join(f", {k}={val!r}" for k, val in (("lower", v.truncate.low), ("upper", v.truncate.high)) if val is not None)
    return f'{py} = pm.Truncated("{name}", pm.{family}.dist({kwargs}){ends})'


def _data_value(item) -> str:
    if item.vector:
        return f"np.array([{', '.join(repr(float(v)) for v in item.values)}])"
    return f"np.array({float(item.values[0])!r})"


def _value(expr: lang.Expr, names, syntax: Syntax = SYNTAX) -> str:
    text = render(expr, syntax, names)
    # pm.Deterministic needs a tensor: a line made of numbers only is a Python float.
    return text if lang.referenced_names(expr) else f"pt.as_tensor_variable({text})"
