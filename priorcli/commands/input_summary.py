"""``priorcli summarize --input PATH|-``: draws read by priorcli.readers, summarised (in place,
no copy of the draws), one variable as a summary, several side by side as ``sample --model`` shows
them. Raises PriorError subclasses and never exits; output only through render."""

from __future__ import annotations

from typing import Any, TextIO

from priorcli.render import output as render
from priorcli.errors import UsageError
from priorcli.families.registry import resolve
from priorcli.stats.exact import Summary
from priorcli.commands.options import write_figure


def summarize_input(sources: list[str], options, *, columns: list[str] | None = None,
                    variables: list[str] | None = None, group: str | None = None, fit: str | None,
                    drop_nonfinite: bool, out: TextIO, fit_tokens: list[str] | None = None,
                    truncate: str | None = None, emit: str | None = None) -> None:
    """Draws read by priorcli.readers (several files pooled): one variable as a summary, several
    side by side as ``sample --model`` shows them; ``emit``: the --fit answer as a program instead."""
    from priorcli.stats import monte_carlo as mc_stats
    from priorcli.readers import read_pooled

    if columns and variables:
        raise UsageError("--column and --variable are the same option; use one of them")
    flag, selectors = ("--column", columns) if columns else ("--variable", variables) if variables else (None, [])
    if fit is not None and options.format in ("csv", "raw"):
        raise UsageError(f"--fit shows its result in table or json output, not --format {options.format}")
    if truncate is not None and fit is None:
        raise UsageError("--truncate with --input applies to --fit (the fitted family truncated); "
                         "--input alone summarizes the draws as they are")
    if emit is not None and fit is None:
        raise UsageError("--emit with --input writes the --fit answer as a program; give --fit FAMILY")
    if fit_tokens and (fit is None or "(" in fit) and not _listed(fit) and not _mixture(fit) and not _metalog(fit):
        raise UsageError("--PARAM VALUE with --input holds a parameter of --fit FAMILY (not with FAMILY(...))")
    read = read_pooled(sources, selectors=selectors, flag=flag, group=group, drop_nonfinite=drop_nonfinite)
    several = len(read.variables) > 1
    if fit is not None and several:
        raise UsageError(f"--fit fits one variable; {flag} picked {len(read.variables)} "
                         f"({', '.join(v.name for v in read.variables)})")
    # Sorting in place: no copy of the draws beyond the array read (the fit does not need the order).
    summaries = [mc_stats.mc_summary_sorting(v.values, options.quantiles) for v in read.variables]
    for v in read.variables:
        if v.dropped:
            render.stderr_line(f"dropped {v.dropped} non-finite value(s)" + (f" of {v.name}" if several else ""))
    if several:
        head: dict[str, Any] = {"source": read.source, "sources": _sources_json(read)}
        head |= {"group": read.group} if read.group else {}
        names = [v.name for v in read.variables]
        counts = {s.n for s in summaries}  # differ only when --drop-nonfinite dropped some
        title = (f"{counts.pop()} draws" if len(counts) == 1 else "draws") + f" from {_from_text(read)}"
        title += f", group {read.group}" if read.group else ""
        _write_input_variables(head, title, names, summaries, {v.name: v.values for v in read.variables},
                               options, out)
        return
    if _listed(fit) or _mixture(fit):  # auto, a list of any items, or one Mixture(F, G, ...)
        from priorcli.commands import fit_list, mixture_fit

        part = fit_list if _listed(fit) else mixture_fit
        return _write_ranked_summary(part, read, summaries[0], options, fit, out, list(fit_tokens or []), truncate,
                                     emit)
    _write_input_summary(read, summaries[0], options, fit, out, list(fit_tokens or []), truncate, emit)


def _listed(fit: str | None) -> bool:
    """Whether --fit is auto or a list of two or more items (commands.fit_list ranks them)."""
    if fit is None or ("," not in fit and fit.strip().lower() != "auto"):
        return False
    from priorcli.commands import fit_list

    return fit_list.handles(fit)


def _metalog(fit: str | None) -> bool:
    from priorcli.commands import metalog_fit

    return metalog_fit.handles(fit)


def _mixture(fit: str | None) -> bool:
    """Whether --fit names a Mixture(...) (commands.mixture_fit, imported only then)."""
    if fit is None or "mixture" not in fit.lower():
        return False
    from priorcli.commands import mixture_fit

    return mixture_fit.handles(fit)


def _sources_json(read) -> list[dict[str, Any]]:
    return [{"path": path, "n": n} for path, n in read.sources]


def _from_text(read) -> str:
    """'a.csv', or '2 files' and a line for each pooled file with its draws."""
    if len(read.sources) == 1:
        return read.source
    return f"{len(read.sources)} files" + "".join(f"\n  {path}: {n} draws" for path, n in read.sources)


def _fits(fit: str | None, values, fit_tokens: list[str], truncate: str | None = None):
    """(best fit, ranking or None, ranked): --fit 'F(param=v)' is one fit; a family goes through
    priorcli.ranking (its JSON keeps the ranking's keys; lists and auto are commands.fit_list's)."""
    if fit is None:
        return None, None, False
    if "(" in fit:
        from priorcli.commands.ranked import truncated_fit

        return truncated_fit(fit, values, truncate), None, False
    from priorcli.commands import ranked as rank_commands

    ranking = rank_commands.fit_ranking(fit, values, fit_tokens, truncate)
    return ranking.best.fit, ranking, "," in fit or fit.strip().lower() == "auto"


def _write_input_summary(read, summary: Summary, options, fit: str | None, out: TextIO,
                         fit_tokens: list[str], truncate: str | None = None, emit: str | None = None) -> None:
    from priorcli.commands import metalog_fit, ranked as rank_commands

    if metalog_fit.handles(fit):  # Keelin's least squares, not a maximum-likelihood fit
        if emit is not None:
            raise UsageError("--emit writes a maximum-likelihood --fit answer; --fit metalog has its own code lines")
        return metalog_fit.summarize_fit(read, summary, options, metalog_fit.item_tokens(fit) + fit_tokens, truncate,
                                         out)
    (variable,) = read.variables
    fitted, ranking, ranked = _fits(fit, variable.values, fit_tokens, truncate)
    if emit is not None:
        from priorcli.commands import mixture_fit

        return _write_program(mixture_fit.Fits(fitted, (), (), False), fit, emit, out)
    chart = None
    if options.charts:  # built first: a range that cannot be drawn prints nothing
        from priorcli.plot import charts

        # a ranked list: charts draws the first three
        fits = [] if fitted is None else [r.fit for r in ranking.ranked] if ranking else [fitted]
        discrete = fitted is not None and resolve(fitted.family).discrete
        chart = charts.draws_chart(variable.values, options, mode=summary.mode, fits=fits, discrete=discrete)
    write_figure(options, [(variable.name or "", chart)])
    if options.format == "json":
        doc: dict[str, Any] = {"source": read.source, "sources": _sources_json(read)}
        if read.group:
            doc["group"] = read.group
        if variable.name:
            doc["variable"] = variable.name
        doc["summary"] = render.summary_json(summary)
        if fitted is not None:
            doc["fit"] = {**rank_commands.fit_json(fitted), "log_likelihood": fitted.log_likelihood}
        if ranking is not None:
            doc.update(rank_commands.fit_ranking_json(ranking))
        render.write_json(doc, out)
        return
    if options.format in ("csv", "raw"):
        render.write_summary_csv(["monte-carlo"], [summary], out)
        return
    what = f" of {variable.name}" if variable.name else ""
    render.write_summary_table(f"{variable.values.size} draws{what} from {_from_text(read)}", [variable.name or "draws"],
                               [summary], out)
    if ranked:
        rank_commands.write_fit_ranking(ranking, out)
    elif fitted is not None:
        render.write_lines([f"maximum-likelihood fit: {fitted.numpyro}"], out)
    if options.plot:
        render.write_chart(chart, out)


def _write_ranked_summary(part, read, summary: Summary, options, fit: str, out: TextIO, fit_tokens: list[str],
                          truncate: str | None, emit: str | None) -> None:
    """--fit auto, a list or one Mixture(...): the draws' summary, then ``part``'s (commands.fit_list's
    or commands.mixture_fit's: ``fits``, ``json_doc``, ``write_fit_part``, ``program``)."""
    (variable,) = read.variables
    result = part.fits(fit, variable.values, fit_tokens, truncate)
    if emit is not None:
        return _write_program(result, fit, emit, out, part)
    chart = None
    if options.charts:  # built first: a range that cannot be drawn prints nothing
        from priorcli.plot import charts

        fits = [r.fit for r in result.rows]
        chart = charts.draws_chart(variable.values, options, mode=summary.mode, fits=fits,
                                   discrete=result.best.spec.family.discrete if hasattr(result.best, "spec")
                                   else resolve(result.best.family).discrete)
    write_figure(options, [(variable.name or "", chart)])
    if options.format == "json":
        doc: dict[str, Any] = {"source": read.source, "sources": _sources_json(read)}
        doc |= {"group": read.group} if read.group else {}
        doc |= {"variable": variable.name} if variable.name else {}
        render.write_json({**doc, "summary": render.summary_json(summary),
                           **part.json_doc(result, options.quantiles)}, out)
        return
    what = f" of {variable.name}" if variable.name else ""
    render.write_summary_table(f"{variable.values.size} draws{what} from {_from_text(read)}",
                               [variable.name or "draws"], [summary], out)
    part.write_fit_part(result, options, out)
    if options.plot:
        render.write_chart(chart, out)


def _write_program(result, fit: str, emit: str, out: TextIO, part=None) -> None:
    """--emit TARGET with --input --fit: the (best) fitted distribution as a program, nothing else."""
    from priorcli import emit as emitters
    from priorcli.commands import mixture_fit

    target = emitters.parse_target(emit)
    command = f"priorcli summarize --input ... --fit '{fit}'"
    render.write_text((part or mixture_fit).program(result, target, command), out)


def _write_input_variables(head: dict[str, Any], title: str, names: list[str], summaries: list[Summary],
                           values: dict, options, out: TextIO) -> None:
    """Several variables side by side, as sample_model shows them: one table, one plot each;
    JSON ``{**head, "variables": {name: {"mc": Summary}}}`` (sample --model's shape)."""
    chart_list = []
    if options.charts:  # built first: a range that cannot be drawn prints nothing
        from priorcli.plot import charts

        chart_list = [(name, charts.draws_chart(values[name], options, label=name, mode=summary.mode))
                      for name, summary in zip(names, summaries)]
    write_figure(options, chart_list)
    if options.format == "json":
        render.write_json({**head, "variables": {n: {"mc": render.summary_json(s)} for n, s in zip(names, summaries)}},
                          out)
        return
    if options.format in ("csv", "raw"):
        render.write_summary_csv(names, summaries, out)
        return
    render.write_summary_table(title, names, summaries, out)
    for name, chart in chart_list if options.plot else ():
        render.write_lines([name], out)
        render.write_chart(chart, out)
