"""``--emit pymc``: ``with pm.Model() as model:`` holding one PyMC variable per model variable
(``pm.Deterministic`` for deterministic lines and transformed distributions, whose prior sits on
an untransformed ``NAME_raw``), and a ``__main__`` block drawing the prior and printing quantiles."""

from __future__ import annotations

import dataclasses

from priorcli.model import parse as lang
from priorcli.model.source import python_locals
from priorcli.emit import frameworks, metalog, mixture, plan
from priorcli.emit.python import PRINT_QUANTILES, constants_block, draws_argument, sizes_argument
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
                          "prior", "math", "metalog_quantile", "metalog_quantile_np",
                          "metalog_logp"})


def emit(variables: tuple[plan.Variable, ...], *, seed: int, draws: int, quantiles, show: tuple[str, ...],
         command: str, data: tuple = ()) -> str:
    plan.check_names(variables, frozenset(), "PyMC", " (it names the transformed values it adds so, e.g. sigma_log__)")
    taken = {v.name for v in variables} | {d.name for d in data}
    raw = {v.name: plan.fresh_name(f"{v.name}_raw", taken) for v in variables if v.random and v.transforms}
    uniforms = metalog.uniform_names(variables, taken)  # a metalog's uniform, x_u
    names = python_locals([*taken, *raw.values(), *uniforms.values()], FILE_GLOBALS)
    sizes = {**{v.name: v.statement.size for v in variables if v.statement.size is not None},
             **{d.name: d.size for d in data if d.vector}}
    syntax, int_syntax = (dataclasses.replace(s, sizes=sizes) for s in (SYNTAX, INT_SYNTAX))
    body = [f'{names[d.name]} = pm.Data("{d.name}", {_data_value(d)})' for d in data]
    for v in variables:
        py = names[v.name]
        if not v.random:
            body.append(f'{py} = pm.Deterministic("{v.name}", {_value(v.expr, names, syntax)})')
            continue
        if v.name in uniforms:
            body += metalog.pymc_lines(v, py, uniforms[v.name], names[uniforms[v.name]])
            continue
        entry = None if v.components else frameworks.pymc(v.family.name)
        if entry is not None and entry.lines:  # a matrix family (LKJ): its own lines
            chosen = int_syntax if v.discrete else syntax
            kwargs = ", ".join(f"{k}={render(plan.template(t, v.params), int_syntax if k == 'n' else chosen, names)}"
                               for k, t in entry.kwargs)
            own = plan.fresh_name(f"{v.name}_corr", taken)
            body += [line.format(py=py, name=v.name, raw=own, kwargs=kwargs) for line in entry.lines]
            continue
        site = raw.get(v.name, v.name)
        call = _call(v, site, names, int_syntax if v.discrete else syntax)
        if v.name in raw:
            body.append(f'{names[raw[v.name]]} = {call}')
            value = plan.transformed(v.transforms, lang.Name(raw[v.name]))
            body.append(f'{py} = pm.Deterministic("{v.name}", {_value(value, names, syntax)})')
        else:
            body.append(f'{py} = {call}')
    components = any(metalog.is_metalog_variable(c) for v in variables for c in v.components)
    lines = [
        *plan.header(variables, command, "#"),
        "# `python THIS_FILE.py` draws the prior and prints its quantiles.",
        "",
        *(["import math", ""] if uniforms or components else []),
        "import numpy as np",
        "import pymc as pm",
        *(["import pytensor"] if components else []),
        "import pytensor.tensor as pt",
        "",
        *([metalog.python_function(False).rstrip("\n"), "", ""] if uniforms else []),
        *([metalog.pymc_functions().rstrip("\n"), "", ""] if components else []),
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
        f"    print_quantiles({draws_argument(variables, show, 'prior[{name}].values')}, QUANTILES"
        f"{sizes_argument(variables, show)})",
    ]
    return "\n".join(lines) + "\n"


def _kwargs(v: plan.Variable, entry: frameworks.PyMC, names, syntax: Syntax) -> str:
    return ", ".join(f"{k}={render(plan.template(t, v.params), syntax, names)}" for k, t in entry.kwargs)


def _call(v: plan.Variable, site: str, names, syntax: Syntax) -> str:
    """``pm.Family("site", ...)``, or a Mixture's ``pm.Mixture("site", w=..., comp_dists=[...])``."""
    if v.components:
        return mixture.pymc_call(v, site, lambda e: render(e, syntax, names),
                                 lambda c, entry: _kwargs(c, entry, names, syntax))
    entry = frameworks.pymc(v.family.name)
    if entry is None:
        raise plan.error(v.statement, f"'{v.name}' ~ {v.family.name}: PyMC has no {v.family.name} distribution; "
                                      "choose another family for --emit pymc")
    if v.truncate is not None:  # pm.Truncated("x", pm.Gamma.dist(alpha=2, beta=1), lower=1)
        ends = "".join(f", {k}={val!r}" for k, val in (("lower", v.truncate.low), ("upper", v.truncate.high))
                       if val is not None)
        return f'pm.Truncated("{site}", pm.{entry.name}.dist({_kwargs(v, entry, names, syntax)}){ends})'
    return f'pm.{entry.name}("{site}", {_kwargs(v, entry, names, syntax)})'


def _data_value(item) -> str:
    if item.vector:
        return f"np.array([{', '.join(repr(float(v)) for v in item.values)}])"
    return f"np.array({float(item.values[0])!r})"


def _value(expr: lang.Expr, names, syntax: Syntax = SYNTAX) -> str:
    text = render(expr, syntax, names)
    # pm.Deterministic needs a tensor: a line made of numbers only is a Python float.
    return text if lang.referenced_names(expr) else f"pt.as_tensor_variable({text})"
