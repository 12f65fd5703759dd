"""The code lines of a solved quoted distribution (``priorcli solve "Mixture([0.3, 0.7], [Normal(0,
1), Normal(m, s)])" ...``), written from its numbers as ``solve`` writes a family's:

* a family, truncated or not: the lines of :mod:`priorcli.emit.lines`;
* a Mixture: numpyro ``dist.MixtureGeneral(dist.Categorical(probs=jnp.array([...])), [dist.A(...),
  ...])`` (``support=`` the union where the components' supports differ, as ``--emit numpyro``),
  Stan ``target += log_mix([...]', [a_lpdf(x | ...), ...]')``, PyMC ``pm.Mixture("x", w=[...],
  comp_dists=[pm.A.dist(...), ...])``;
* a transform of either: numpyro's ``TransformedDistribution``; Stan and PyMC write it as a
  program (``--emit``), their lines are None with a note saying so.

``--emit`` itself is the model emitter's, on the model with the solved numbers in place."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from priorcli.emit import frameworks
from priorcli.emit.lines import (
    NUMPYRO_TRUNCATABLE, OWN_TRUNCATED_NOTE, numpyro_line, pymc_line, stan_line, stan_notes, truncated_numpyro_line,
    truncated_pymc_line, truncated_stan_line,
)
from priorcli.solving.quoted import QuotedSolution
from priorcli.solving.result import format_number

__all__ = ["QuotedSolved", "solved", "code_lines"]

TRANSFORMED_NOTE = "Stan and PyMC: a transformed distribution is a program there; see --emit stan|pymc"


@dataclass(frozen=True)
class QuotedSolved(QuotedSolution):
    """A QuotedSolution with its three code lines (6 significant digits) and ``program``, the
    model ``x ~ TEXT`` with the solved numbers in place (what ``--emit`` writes)."""

    numpyro_code: str = ""
    stan_code: str | None = None
    pymc_code: str | None = None
    program: Any = None


def solved(solution: QuotedSolution, dexpr) -> QuotedSolved:
    """The solution with its code lines; ``dexpr`` is the quoted distribution with the solved
    numbers in place (its transforms are written as numpyro's)."""
    numpyro, stan, pymc, notes = code_lines(solution.spec, dexpr)
    values = {f.name: getattr(solution, f.name) for f in fields(solution)}
    values["notes"] = tuple(solution.notes) + tuple(notes)
    return QuotedSolved(**values, numpyro_code=numpyro, stan_code=stan, pymc_code=pymc)


def code_lines(spec, dexpr) -> tuple[str, str | None, str | None, tuple[str, ...]]:
    """(numpyro, Stan, PyMC, notes) of one DistSpec with numeric parameters."""
    components = getattr(spec.family, "components", None)
    if components is not None:
        numpyro, stan, pymc, notes = _mixture_lines(spec)
    else:
        numpyro, stan, pymc, notes = _family_lines(spec)
    if spec.transforms:
        from priorcli.model import parse as lang

        return lang.distribution_to_source(dexpr, numpyro), None, None, notes + (TRANSFORMED_NOTE,)
    return numpyro, stan, pymc, notes


def _family_lines(spec):
    family, params, truncate = spec.family.name, spec.params, spec.truncate
    if truncate is None:
        stan, notes = stan_line(family, params)
        return numpyro_line(family, params), stan, pymc_line(family, params), notes
    notes = stan_notes(family) + (() if family in NUMPYRO_TRUNCATABLE else (OWN_TRUNCATED_NOTE.format(family=family),))
    return (truncated_numpyro_line(family, params, truncate), truncated_stan_line(family, params, truncate),
            truncated_pymc_line(family, params, truncate), notes)


def _mixture_lines(spec):
    parts = spec.family.components(spec.params)
    weights = [float(w) for w in spec.params["weights"]]
    written = "[" + ", ".join(format_number(w) for w in weights) + "]"
    numpyro = (f"dist.MixtureGeneral(dist.Categorical(probs=jnp.array({written})), "
               f"[{', '.join(numpyro_line(c.family.name, c.params) for c in parts)}]{_support(spec, parts)})")
    notes: tuple[str, ...] = ()
    stan = _stan_mixture(parts, written)
    if stan is None:
        notes += ("Stan: no log_mix line (a component Stan lacks, a discrete mixture, or components whose supports "
                  "differ); --emit stan writes the density as a program (stan-prior for a discrete mixture)",)
    pymc_parts = [pymc_line(c.family.name, c.params) for c in parts]
    pymc = None
    if all(p is not None for p in pymc_parts):
        dists = ", ".join(p.replace('("x", ', ".dist(", 1) for p in pymc_parts)
        pymc = f'pm.Mixture("x", w={written}, comp_dists=[{dists}])'
    return numpyro, stan, pymc, notes


def _stan_mixture(parts, weights: str) -> str | None:
    if len({c.family.support for c in parts}) > 1 or parts[0].family.discrete:
        return None
    densities = []
    for c in parts:
        line, _ = stan_line(c.family.name, c.params)
        entry = frameworks.stan(c.family.name)
        if line is None or entry is None:
            return None
        name, args = line.split("(", 1)
        densities.append(f"{name}_lpdf(x | {args}" + (" + log2()" if entry.half else ""))
    return f"target += log_mix({weights}', [{', '.join(densities)}]')"


def _support(spec, parts) -> str:
    """numpyro's ``support=`` where the components' supports differ (the union), else nothing."""
    if len({c.family.support for c in parts}) <= 1:
        return ""
    from priorcli.emit.mixture import support_constraint
    from priorcli.stats.exact import ExactDistribution

    lo, hi = ExactDistribution(spec).base.support()
    return support_constraint(lo, hi, spec.family.discrete)
