"""``--emit numpyro``: ``def model()`` with one numpyro site per model variable, and a ``__main__``
block that draws the prior with ``numpyro.infer.Predictive`` and prints its quantiles."""

from __future__ import annotations

from priorcli.model import parse as lang
from priorcli.emit import metalog, mixture, plan
from priorcli.emit.python import PRINT_QUANTILES, constants_block, draws_argument, sizes_argument


def emit(variables: tuple[plan.Variable, ...], model: lang.Model, *, seed: int, draws: int, quantiles,
         show: tuple[str, ...], command: str) -> str:
    by_name = {v.name: v for v in variables}

    own = _own_classes(variables)

    def family_source(v, names) -> str:
        args = ", ".join(f"{k}={_arg(v, k, e, names)}" for k, e in v.params.items())
        source = f"{'' if v.family.name in own else 'dist.'}{v.family.name}({args})"
        return source if v.truncate is None else _truncated(v, source)

    def dist_source(statement, dexpr, names) -> str:
        v = by_name[statement.name]
        return mixture.numpyro_source(v, names, family_source) if v.components else family_source(v, names)

    uniforms = metalog.uniform_names(variables, {v.name for v in variables})  # a metalog's uniform, x_u

    def site_source(statement):
        return metalog.numpyro_site(by_name[statement.name], uniforms[statement.name]) \
            if statement.name in uniforms else None

    source = lang.to_numpyro_source(model, dist_source, site_source).rstrip("\n")
    if uniforms:  # metalog_quantile, defined as solve metalog --emit numpyro defines it
        own = {**own, "metalog_quantile": metalog.python_function(True)}
    if own:  # after the imports, before def model()
        head, sep, rest = source.partition("\ndef model(")
        source = head.rstrip("\n") + "\n\n\n" + "\n\n".join(own.values()) + "\n\n" + sep + rest
    header = "\n".join([*plan.header(variables, command, "#"),
                        "# `python THIS_FILE.py` draws the prior and prints its quantiles.", "",
                        *(["import math", ""] if uniforms else []), "import numpy as np", ""])
    main = [
        "",
        "",
        "",
        PRINT_QUANTILES.rstrip("\n"),
        "",
        "",
        'if __name__ == "__main__":',
        "    numpyro.enable_x64()  # priorcli draws in float64",
        *constants_block(seed, draws, quantiles),
        *_data_block(model),
        f"    prior = numpyro.infer.Predictive(model, num_samples=DRAWS)(jax.random.PRNGKey(SEED){', **DATA' if model.data else ''})",
        f"    print_quantiles({draws_argument(variables, show, 'prior[{name}]')}, QUANTILES"
        f"{sizes_argument(variables, show)})",
    ]
    return header + source + "\n".join(main) + "\n"


def _data_block(model: lang.Model) -> list[str]:
    """``DATA = {...}``: the model's data, passed to ``model`` as keyword arguments (jnp arrays)."""
    if not model.data:
        return []
    names = lang.python_names(model)
    lines = ["    DATA = {"]
    for d in model.data:
        value = f"jnp.array([{', '.join(repr(float(v)) for v in d.values)}])" if d.vector else repr(float(d.values[0]))
        lines.append(f"        {names[d.name]!r}: {value},")
    return lines + ["    }"]


def _arg(v: plan.Variable, name: str, expr, names) -> str:
    """A parameter's source; whole numbers stay integers where numpyro counts (total_count,
    DiscreteUniform's low and high), as numpyro's discrete samplers index with them."""
    domain = v.family.param(name).domain
    value = lang._const(expr)
    counts = domain.integer or (v.discrete and domain.dependent)
    if counts and value is not None and value == int(value):
        return str(int(value))
    return lang.expr_to_source(expr, names)


def _truncated(v: plan.Variable, base: str) -> str:
    """numpyro's TruncatedDistribution where it samples the base, else priorcli's Truncated."""
    from priorcli.emit.lines import NUMPYRO_TRUNCATABLE

    ends = ", ".join(f"{k}={val!r}" for k, val in (("low", v.truncate.low), ("high", v.truncate.high)) if val is not None)
    wrapper = "dist.TruncatedDistribution" if v.family.name in NUMPYRO_TRUNCATABLE else "Truncated"
    return f"{wrapper}({base}, {ends})"


def _own_classes(variables) -> dict[str, str]:
    """The source of priorcli's own numpyro classes (``priorcli.dists``, for families numpyro lacks)
    that the model uses, by class name, so that the program runs without priorcli: each module's
    code without its docstring and ``__future__`` import."""
    import ast
    import inspect
    import sys

    from priorcli.emit.lines import NUMPYRO_TRUNCATABLE

    out = {}
    parts = [c for variable in variables for c in (variable.components or (variable,)) if c.family is not None]
    wanted = [(v.family.name, getattr(v.family, "numpyro_module", None)
               or getattr(getattr(v.family, "factory", None), "__module__", "") or "") for v in parts
              if not _numpyro_has(v.family.name)]
    if any(v.truncate is not None and v.family.name not in NUMPYRO_TRUNCATABLE for v in parts):
        import importlib

        importlib.import_module("priorcli.dists.truncated")
        wanted.append(("Truncated", "priorcli.dists.truncated"))
    for name, module in wanted:
        if module.startswith("priorcli.dists.") and name not in out:
            text = inspect.getsource(sys.modules[module])
            body = ast.parse(text).body
            start = next(n for n in body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))
                         and not (isinstance(n, ast.ImportFrom) and n.module == "__future__"))
            lines = text.splitlines()[start.lineno - 1:]
            out[name] = (f"# priorcli's own numpyro class for {name} (numpyro has none), "
                         f"from {module}\n" + "\n".join(lines).rstrip("\n") + "\n")
    return out


def _numpyro_has(name: str) -> bool:
    """numpyro has it as a function of the same name and arguments (ZeroInflatedNegativeBinomial2's
    factory), which the program calls instead of priorcli's class."""
    from priorcli.families.registry import numpyro_dist

    return callable(getattr(numpyro_dist(), name, None))
