"""The prior as code for each framework a modeller uses: ``sample --model M --emit TARGET``.

``numpyro`` and ``pymc`` write a Python file that runs (``python model.py`` prints the prior's
quantiles), ``stan`` a complete Stan program (parameters with their supports' constraints,
transformed parameters, model block) and ``stan-prior`` the same prior as ``_rng`` draws in
generated quantities. Per-family knowledge of the other frameworks is in ``frameworks``.
"""

from __future__ import annotations

from dataclasses import dataclass

from priorcli.errors import UsageError

TARGETS = ("numpyro", "stan", "stan-prior", "pymc")
SUFFIXES = {"numpyro": ".py", "pymc": ".py", "stan": ".stan", "stan-prior": ".stan"}


@dataclass(frozen=True)
class EmitOptions:
    seed: int
    draws: int
    quantiles: tuple[float, ...]
    show: tuple[str, ...] | None = None  # variables the program prints (default: all)
    command: str = "priorcli sample --model ..."  # named in the program's header, before --emit


def parse_target(text: str) -> str:
    target = text.strip().lower()
    if target not in TARGETS:
        raise UsageError(f"--emit '{text}' is not a framework priorcli writes; valid: {', '.join(TARGETS)}")
    return target


def check_output_path(path: str, target: str) -> None:
    if not path.lower().endswith(SUFFIXES[target]):
        raise UsageError(f"--output '{path}' must end in {SUFFIXES[target]} for --emit {target}")


def emit(model, target: str, options: EmitOptions) -> str:
    """The whole program as text; raises UsageError (naming the line) before anything is written."""
    from priorcli.emit import plan

    target = parse_target(target)
    variables = plan.resolve(model, options.seed)
    show = options.show or tuple(v.name for v in variables)
    command = f"{options.command} --emit {target}"
    if target == "numpyro":
        from priorcli.emit import numpyro

        return numpyro.emit(variables, model, seed=options.seed, draws=options.draws, quantiles=options.quantiles,
                            show=show, command=command)
    if target == "pymc":
        from priorcli.emit import pymc

        return pymc.emit(variables, seed=options.seed, draws=options.draws, quantiles=options.quantiles, show=show,
                         command=command, data=model.data)
    from priorcli.emit import stan

    return stan.emit(variables, prior=target == "stan-prior", command=command, data=model.data)


def distribution_program(family: str, params: dict, target: str, command: str, truncate=None) -> str:
    """One distribution with numeric parameters (``solve``'s answer), truncated when ``truncate`` (a
    records.truncated.Truncation) is given, as a program: a single variable
    ``x`` at full precision; the Python programs draw 10000 values with seed 0 and print the
    default quantiles. The model is built from the numbers (as the model language would parse
    ``Family(name=value, ...)``), not written out and read back."""
    import math

    from priorcli.model import parse as lang
    from priorcli.stats.exact import DEFAULT_QUANTILES

    def constant(v: float):
        magnitude = lang.Num(abs(v))
        return lang.Unary("-", magnitude) if math.copysign(1.0, v) < 0 else magnitude

    def value(v):  # a vector parameter (a Dirichlet's concentration) as a vector literal
        return lang.Vector(tuple(constant(float(x)) for x in v)) if isinstance(v, (tuple, list)) else constant(float(v))

    def written(v) -> str:
        return f"[{', '.join(repr(float(x)) for x in v)}]" if isinstance(v, (tuple, list)) else repr(float(v))

    kwargs = tuple((k, value(v)) for k, v in params.items())
    text = f"{family}({', '.join(f'{k}={written(v)}' for k, v in params.items())})"  # for messages
    ends = None if truncate is None else (truncate.low, truncate.high)
    expr = lang.DistExpr(family, kwargs=kwargs, text=text, truncate=ends)
    model = lang.Model((lang.Statement("x", "~", expr, 1, f"x ~ {text}", lang.vector_size(expr, {})),))
    return emit(model, target, EmitOptions(0, 10000, DEFAULT_QUANTILES, ("x",), command))
