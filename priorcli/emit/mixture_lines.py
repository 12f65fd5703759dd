"""A mixture with numeric weights and components (``summarize --input --fit "Mixture(F, G)"``'s
answer) as the three code lines and as a whole program, written by the model emitters'
:mod:`priorcli.emit.mixture` from a ``plan.Variable`` built from the numbers (no text is parsed):

* ``code_lines(weights, components)``: numpyro's ``dist.MixtureGeneral(...)``, Stan's ``target +=
  log_mix(...)`` statement and PyMC's ``pm.Mixture("x", ...)``, numbers at 6 significant digits;
* ``program(weights, components, target, command)``: ``--emit numpyro|stan|stan-prior|pymc`` of a
  one-variable model ``x ~ Mixture([...], [...])`` at full precision.

``components`` is a sequence of (family name, {native parameter: value}).
"""

from __future__ import annotations

import math

from priorcli.emit import mixture, plan
from priorcli.emit.lines import numpyro_line
from priorcli.model import parse as lang
from priorcli.solving.result import format_number

__all__ = ["code_lines", "program"]


def _constant(v: float):
    magnitude = lang.Num(abs(float(v)))
    return lang.Unary("-", magnitude) if math.copysign(1.0, float(v)) < 0 else magnitude


def _text(weights, components) -> str:
    parts = ", ".join(f"{f}({', '.join(f'{k}={float(v)!r}' for k, v in p.items())})" for f, p in components)
    return f"Mixture([{', '.join(repr(float(w)) for w in weights)}], [{parts}])"


def _expr(weights, components) -> lang.DistExpr:
    parts = tuple(lang.DistExpr(f, kwargs=tuple((k, _constant(v)) for k, v in p.items()), text=f)
                  for f, p in components)
    return lang.DistExpr("Mixture", (lang.Vector(tuple(_constant(w) for w in weights)),), (), (),
                         _text(weights, components), components=parts)


def _variable(weights, components) -> plan.Variable:
    from priorcli.families.registry import resolve
    from priorcli.stats.mixture import mixture_family

    statement = lang.Statement("x", "~", _expr(weights, components), 1, f"x ~ {_text(weights, components)}")
    families = tuple(resolve(f) for f, _ in components)
    parts = tuple(plan.Variable(statement, fam, {k: _constant(v) for k, v in p.items()})
                  for fam, (_, p) in zip(families, components))
    return plan.Variable(statement, mixture_family(families), {}, (),
                         weights=lang.Vector(tuple(_constant(w) for w in weights)), components=parts)


def _rounded(weights, components):
    return ([float(format_number(w)) for w in weights],
            [(f, {k: float(format_number(v)) for k, v in p.items()}) for f, p in components])


def code_lines(weights, components) -> tuple[str, str | None, str | None]:
    """(numpyro, Stan, PyMC) lines; None for a framework that lacks a component's family."""
    from priorcli.emit import pymc, stan
    from priorcli.errors import UsageError

    v = _variable(*_rounded(weights, components))
    numpyro = mixture.numpyro_source(v, {}, lambda c, names: numpyro_line(
        c.family.name, {k: lang._const(e) for k, e in c.params.items()}))
    try:
        written = stan._Program((v,), False)
        stan_code = " ".join(written.model) if not written.functions else None
    except UsageError:
        stan_code = _stan_data_line(*_rounded(weights, components)) if v.discrete else None
    try:
        pymc_code = pymc._call(v, "x", {}, pymc.SYNTAX)
    except UsageError:
        pymc_code = None
    return numpyro, stan_code, pymc_code


def _stan_data_line(weights, components) -> str | None:
    """A discrete mixture (no Stan parameter: x is data there): ``target += log_mix(W, [a_lpmf(x |
    ...), ...]')``, each component's ``_lpmf`` from its one-line Stan form (``poisson(2)``)."""
    from priorcli.emit.lines import stan_line

    terms = []
    for family, params in components:
        line, _ = stan_line(family, params)
        if line is None:
            return None
        name, _, args = line.partition("(")
        terms.append(f"{name}_lpmf(x | {args[:-1]})")
    shown = ", ".join(format_number(w) for w in weights)
    return f"target += log_mix([{shown}]', [{', '.join(terms)}]');  // x: an int in the data block"


def program(weights, components, target: str, command: str) -> str:
    """The whole program of ``x ~ Mixture(...)`` for ``--emit target`` (full precision)."""
    from priorcli import emit
    from priorcli.stats.exact import DEFAULT_QUANTILES

    expr = _expr(weights, components)
    model = lang.Model((lang.Statement("x", "~", expr, 1, f"x ~ {expr.text}", lang.vector_size(expr, {})),))
    return emit.emit(model, target, emit.EmitOptions(0, 10000, DEFAULT_QUANTILES, ("x",), command))
