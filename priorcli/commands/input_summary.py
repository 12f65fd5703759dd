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
                    truncate: str | None = None) -> None:
    """Draws read by priorcli.readers (several files pooled): one variable as a summary, several
    side by side as ``sample --model`` shows them."""
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
    if fit_tokens and (fit is None or "(" in fit):
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
    _write_input_summary(read, summaries[0], options, fit, out, list(fit_tokens or []), truncate)


def _sources_json(read) -> list[dict[str, Any]]:
    return [{"path": path, "n": n} for path, n in read.sources]


def _from_text(read) -> str:
    """'a.csv', or '2 files' and a line for each pooled file with its draws."""
    if len(read.sources) == 1:
        return read.source
    return f"{len(read.sources)} files" + "".join(f"\n  {path}: {n} draws" for path, n in read.sources)


def _fits(fit: str | None, values, fit_tokens: list[str], truncate: str | None = None):
    """(best fit, ranking or None, ranked): --fit 'F(param=v)' is one fit; a family, a comma list
    or auto goes through priorcli.ranking (ranked by AIC; shown as a ranking for a list or auto)."""
    if fit is None:
        return None, None, False
    if "(" in fit:
        from priorcli.commands.ranked import truncated_fit

        return truncated_fit(fit, values, truncate), None, False
    from priorcli.commands import ranked as rank_commands

    ranking = rank_commands.fit_ranking(fit, values, fit_tokens, truncate)
    return ranking.best.fit, ranking, "," in fit or fit.strip().lower() == "auto"


def _write_input_summary(read, summary: Summary, options, fit: str | None, out: TextIO,
                         fit_tokens: list[str], truncate: str | None = None) -> None:
    from priorcli.commands import metalog_fit, ranked as rank_commands

    if metalog_fit.handles(fit):  # Keelin's least squares, not a maximum-likelihood fit
        return metalog_fit.summarize_fit(read, summary, options, fit_tokens, truncate, out)
    (variable,) = read.variables
    fitted, ranking, ranked = _fits(fit, variable.values, fit_tokens, truncate)
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
