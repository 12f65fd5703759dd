"""A Mixture in the emitted programs (``plan.Variable`` with ``components``):

* numpyro: ``dist.MixtureGeneral(dist.Categorical(probs=W), [dist.A(...), ...])``, the
  distribution priorcli draws with, so the program draws what ``sample`` does (with an explicit
  ``support=`` where the components' supports differ: the union of theirs);
* Stan: ``target += log_mix(W, [a_lpdf(x | ...), ...]')`` in the model block, a folded family
  (HalfNormal) with its ``log2()``. A component whose support is narrower than the mixture's is
  guarded to ``negative_infinity()`` outside it (Stan's lpdfs refuse values off their support), and
  as log_mix refuses an infinite component density such a mixture is written
  ``target += log_sum_exp(log(W) + [...]')``, the same sum; in
  generated quantities a component index from ``categorical_rng(W)`` and the chosen component's
  ``_rng``;
* PyMC: ``pm.Mixture("x", w=W, comp_dists=[pm.A.dist(...), ...])``.
"""

from __future__ import annotations

import math

from priorcli.emit import frameworks, plan
from priorcli.model import parse as lang


def _unsupported(v: plan.Variable, c: plan.Variable, framework: str, target: str) -> Exception:
    return plan.error(v.statement, f"'{v.name}' ~ Mixture: {framework} has no {c.family.name} distribution "
                                   f"(a component); choose another family for --emit {target}")


# ---------------------------------------------------------------------------------------------
# numpyro


def numpyro_source(v: plan.Variable, names, component_source) -> str:
    """``component_source(component, names)`` is the emitter's ``dist.X(...)`` of one component."""
    weights = lang.expr_to_source(v.weights, names)
    parts = ", ".join(component_source(c, names) for c in v.components)
    support = _numpyro_support(v)
    return f"dist.MixtureGeneral(dist.Categorical(probs={weights}), [{parts}]{support})"


def _numpyro_support(v: plan.Variable) -> str:
    ends = [plan.variable_bounds(c) for c in v.components]
    same = len(set(ends)) == 1 and (ends[0] == (None, None) or all(e is None or not e[0].isalpha() for e in ends[0]))
    if same:  # numpyro takes the first component's, which is every component's
        return ""
    lo, hi = plan.constant_bounds(v)
    return support_constraint(lo, hi, v.discrete)


def support_constraint(lo, hi, discrete: bool) -> str:
    """numpyro's ``support=`` argument for a mixture whose union of supports is (lo, hi) (None: not
    a constant): integer_interval / integer_greater_than for counts, interval / greater_than /
    less_than / real otherwise."""
    if discrete:
        if lo is None or not math.isfinite(lo):
            return ", support=dist.constraints.integer_greater_than(-2**62)"
        if hi is not None and math.isfinite(hi):
            return f", support=dist.constraints.integer_interval({int(lo)}, {int(hi)})"
        return f", support=dist.constraints.integer_greater_than({int(lo)})"
    if lo is None or hi is None:
        return ", support=dist.constraints.real"
    if math.isfinite(lo) and math.isfinite(hi):
        return f", support=dist.constraints.interval({lo!r}, {hi!r})"
    if math.isfinite(lo):
        return f", support=dist.constraints.greater_than({lo!r})"
    if math.isfinite(hi):
        return f", support=dist.constraints.less_than({hi!r})"
    return ", support=dist.constraints.real"


# ---------------------------------------------------------------------------------------------
# Stan


def stan_sampled(program, v: plan.Variable, name: str, target: str) -> None:
    """Declare ``name`` and put the mixture's density on it (``program`` is stan.py's _Program)."""
    from priorcli.emit import metalog

    entries = []
    for c in v.components:
        entry = metalog.StanComponent(program, c) if metalog.is_metalog_variable(c) else frameworks.stan(c.family.name)
        if entry is None:
            raise _unsupported(v, c, "Stan", target)
        if entry.functions and entry.functions not in program.functions:
            program.functions.append(entry.functions)
        entries.append(entry)
    weights = program.expr(v.weights)
    if program.prior:
        _stan_draw(program, v, name, entries, weights)
        return
    if v.discrete:
        raise plan.error(v.statement, f"'{v.name}' ~ Mixture is discrete, and a Stan parameter cannot be; "
                                      "use --emit stan-prior to draw it in generated quantities")
    lo, hi = plan.constant_bounds(v)
    bounds = [f"lower={program.expr(plan.number(lo))}"] if lo is not None and math.isfinite(lo) else []
    bounds += [f"upper={program.expr(plan.number(hi))}"] if hi is not None and math.isfinite(hi) else []
    program.parameters.append(f"real{'<' + ', '.join(bounds) + '>' if bounds else ''} {name};")
    densities = [_stan_lpdf(program, c, entry, name, (lo, hi)) for c, entry in zip(v.components, entries)]
    if any("negative_infinity()" in d for d in densities):  # log_mix refuses a -inf component density
        program.model.append(f"target += log_sum_exp(log({weights}) + [{', '.join(densities)}]');")
    else:
        program.model.append(f"target += log_mix({weights}, [{', '.join(densities)}]');")


def _stan_lpdf(program, c: plan.Variable, entry: frameworks.Stan, name: str, ends) -> str:
    density = entry.lpdf(name) if hasattr(entry, "lpdf") else \
        f"{entry.name}_lpdf({name} | {program._args(c, entry.args, entry.ints)})"
    if entry.half:
        density += " + log2()"
    guards = []
    lower, upper = plan.variable_bounds(c)
    lo, hi = plan.constant_bounds(c)
    if lower is not None and not (lo is not None and lo == ends[0]):
        guards.append(f"{name} >= {program.expr(program._bound(lower, c))}")
    if upper is not None and not (hi is not None and hi == ends[1]):
        guards.append(f"{name} <= {program.expr(program._bound(upper, c))}")
    if not guards:
        return density
    return f"({' && '.join(guards)} ? {density} : negative_infinity())"


def _stan_draw(program, v: plan.Variable, name: str, entries, weights: str) -> None:
    which = f"{name}_component"
    lines = [f"{'int' if v.discrete else 'real'} {name};", "{", f"  int {which} = categorical_rng({weights});"]
    for i, (c, entry) in enumerate(zip(v.components, entries), start=1):
        if hasattr(entry, "draw"):  # priorcli.emit.metalog.StanComponent
            draw = entry.draw()
        else:
            rng_name, args = entry.rng if entry.rng is not None else (entry.name, entry.args)
            draw = f"{rng_name}_rng({program._args(c, args, entry.ints)})"
        if entry.half:
            draw = f"abs({draw})"
        keyword = "if" if i == 1 else "else if"
        lines.append(f"  {keyword} ({which} == {i}) {name} = {draw};")
    program.generated.extend(lines + ["}"])


# ---------------------------------------------------------------------------------------------
# PyMC


def pymc_call(v: plan.Variable, site: str, render_expr, component_kwargs) -> str:
    """``pm.Mixture("site", w=..., comp_dists=[...])``; ``component_kwargs(component, entry)`` is
    the emitter's keyword text of one component."""
    parts = []
    from priorcli.emit import metalog

    for c in v.components:
        if metalog.is_metalog_variable(c):
            parts.append(metalog.pymc_component(c))
            continue
        entry = frameworks.pymc(c.family.name)
        if entry is None:
            raise _unsupported(v, c, "PyMC", "pymc")
        parts.append(f"pm.{entry.name}.dist({component_kwargs(c, entry)})")
    return f'pm.Mixture("{site}", w={render_expr(v.weights)}, comp_dists=[{", ".join(parts)}])'
