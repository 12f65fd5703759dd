"""What ``sample`` writes around its summaries, the same for a numpyro family, a metalog and an
LKJ's correlations (:mod:`.family`, :mod:`.metalog`, :mod:`.lkj`): first the draws themselves
(``--output``'s file, ``--format raw``'s lines), then, once the summaries are worked out, the
``--plot-file`` figure and one of the JSON document, the CSV of the summaries or the table of
Monte Carlo beside exact with the lines and the terminal plot under it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence, TextIO

from priorcli.commands.options import OutputOptions, write_figure
from priorcli.render import output as render

if TYPE_CHECKING:
    from priorcli.stats.exact import Summary


def write_draws(values, options: OutputOptions, out: TextIO, names: list[str] | None = None) -> bool:
    """--output's file of every draw and --format raw's lines (columns named by ``names``); True
    when raw printed the draws, after which nothing else is written."""
    if options.output:
        render.write_draws_file(options.output, values, force=options.force, names=names)
    if options.format != "raw":
        return False
    render.write_raw(values, out, names)
    return True


def write_report(options: OutputOptions, out: TextIO, *, label: str, plot, doc: dict, mc: list[Summary],
                 exact: list[Summary] | None, title: str, lines: Sequence[str] = ()) -> None:
    """The figure of ``plot`` (a Chart or a list of Histograms) titled ``label``, then ``doc`` in
    JSON, or the Monte Carlo summaries ``mc`` beside the ``exact`` ones as CSV or as the table
    under ``title``, followed by ``lines`` and the terminal plot."""
    write_figure(options, [(label, plot)])
    if options.format == "json":
        render.write_json(doc, out)
        return
    headers, columns = side_by_side(mc, exact)
    if options.format == "csv":
        render.write_summary_csv(headers, columns, out)
        return
    render.write_summary_table(title, headers, columns, out)
    if lines:
        render.write_lines(list(lines), out)
    if options.plot:
        write_plot(plot, out)


def side_by_side(mc: list[Summary], exact: list[Summary] | None) -> tuple[list[str], list[Summary | None]]:
    """The table's columns, each Monte Carlo summary beside its exact one (labelled when several)."""
    headers, columns = [], []
    for i, m in enumerate(mc):
        prefix = f"{m.label} " if len(mc) > 1 else ""
        headers += [f"{prefix}Monte Carlo", f"{prefix}exact"]
        columns += [m, exact[i] if exact else None]
    return headers, columns


def write_plot(plot, out: TextIO) -> None:
    """The terminal plot: a Chart, or a list of Histograms (a vector family's components)."""
    if isinstance(plot, list):
        render.write_histograms(plot, out)
    else:
        render.write_chart(plot, out)
