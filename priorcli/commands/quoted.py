"""``priorcli solve "QUOTED DISTRIBUTION" TARGETS``: the undefined names of a distribution written
in the model language (``"Mixture([0.3, 0.7], [Normal(0, 1), Normal(m, s)])"``, ``"truncated(Gamma(a,
1), low=1)"``) solved exactly from the targets (:func:`priorcli.api.solve_quoted`), shown as
``solve`` shows a family's: the solved names, the targets beside what they achieve, the three code
lines, ``--plot``/``--plot-file`` of the exact density, ``--emit`` of the solved distribution, JSON."""

from __future__ import annotations

from typing import TextIO

from priorcli.api import solve_quoted
from priorcli.errors import UsageError
from priorcli.families.registry import split_extra_args
from priorcli.render import output as render


def handles(family_name: str | None) -> bool:
    return family_name is not None and "(" in family_name


def solve(text: str, tokens: list[str], *, format: str, plot: bool, out: TextIO, emit: str | None = None,
          plot_file: str | None = None, force: bool = False, truncate: str | None = None) -> None:
    result = solve_quoted(text, split_extra_args(tokens), truncate)
    for warning in result.miss_warnings() if result.misses else ():
        render.stderr_line(warning)
    if emit is not None:
        from priorcli import emit as emitters
        from priorcli.stats.exact import DEFAULT_QUANTILES

        variable = result.program.statements[0].name
        command = "priorcli solve " + " ".join([f"'{text.strip()}'", *tokens])
        options = emitters.EmitOptions(0, 10000, DEFAULT_QUANTILES, (variable,), command)
        render.write_text(emitters.emit(result.program, emitters.parse_target(emit), options), out)
        return
    curves = density_curves(result.spec) if plot or plot_file else None
    if plot_file is not None:
        from priorcli.render import figure

        figure.write_figure(plot_file, [(f"{result.label}: {result.numpyro_code}", curves)], force=force)
    if format == "json":
        render.write_json(solution_json(result), out)
        return
    rows = [(name, render.fmt(value, 10), result.domains.get(name, "")) for name, value in result.free.items()]
    title = f"'{result.label}' from the targets"
    if result.method == "least-squares":
        title += f" (approximate: least-squares fit, loss {render.fmt(result.loss, 4)})"
    render.write_params_table(title, rows, ["free name", "value", "domain"], out)
    render.write_lines([f"solved: {result.spec.label()}"], out)
    render.write_targets_table(result, out)
    lines = render.code_lines_text(result.numpyro_code, result.stan_code, result.pymc_code)
    lines += [f"note: {note}" for note in result.notes]
    lines += [f"alternative: {', '.join(f'{k}={render.fmt(v)}' for k, v in alt['free'].items())}"
              for alt in result.alternatives]
    render.write_lines(lines, out)
    if plot:
        render.write_histograms(curves, out)


def solution_json(result) -> dict:
    """solve's document (``render.solution_json``) with the distribution's own ``params`` (a
    Mixture's weights and components), ``free``, ``domains``, ``spec``, ``transforms`` and
    ``alternatives``."""
    doc = render.solution_json(result)
    document = getattr(result.spec.family, "params_document", None)
    params = document(result.spec.params) if document is not None else render.params_json(result.params)
    return {"family": doc.pop("family"), "params": params, "free": render.params_json(result.free),
            "spec": result.label, **{k: v for k, v in doc.items() if k != "params"},
            "transforms": [str(t) for t in result.spec.transforms], "domains": dict(result.domains),
            "alternatives": [{"free": render.params_json(a["free"])} for a in result.alternatives]}


def density_curves(spec) -> list:
    """The exact density (or pmf) over the central 99% (``charts.spec_density_curves``)."""
    from priorcli.plot import charts

    if spec.family.multivariate:
        raise UsageError("--plot: a quoted distribution here is univariate")
    return charts.spec_density_curves(spec, spec.family.name, name=spec.label())
