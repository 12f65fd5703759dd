"""The model-language commands: ``sample --model SPEC`` (read the spec within the size limit,
sample, split vector variables into NAME[i] components, render) and the ``--emit`` writer that
``compare --emit`` shares. Called by ``cli.py`` and ``commands.compare``; raises PriorError
subclasses and never exits."""

from __future__ import annotations

from typing import TextIO

from priorcli.render import output as render
from priorcli.errors import UsageError
from priorcli.families.registry import resolve
from priorcli.commands.options import OutputOptions, write_figure


def read_model_text(spec: str) -> str:
    """SPEC is '-' (stdin), a file path, or the model text itself. A file or stdin is read as UTF-8
    and at most up to the model language's size limit (so /dev/zero or an endless pipe is refused
    after 100,001 characters, not read whole)."""
    import os
    import sys

    from priorcli.errors import InputError

    if spec == "-":
        return _read_limited(getattr(sys.stdin, "buffer", None) or sys.stdin, "--model '-' (stdin)")
    if "~" not in spec and "=" not in spec or os.path.isfile(spec):
        try:
            with open(spec, "rb") as handle:
                return _read_limited(handle, f"--model '{spec}'")
        except OSError as exc:
            raise InputError(f"--model '{spec}': cannot read it ({exc.strerror})") from None
    return spec


def _read_limited(handle, what: str) -> str:
    """At most MAX_SPEC_CHARS + 1 characters of UTF-8 from a binary (or text) handle."""
    import codecs

    from priorcli.errors import InputError
    from priorcli.model.tree import MAX_SPEC_CHARS

    decoder = codecs.getincrementaldecoder("utf-8")()
    parts, count, offset = [], 0, 0
    while count <= MAX_SPEC_CHARS:
        chunk = handle.read(65536)
        if isinstance(chunk, str):  # a text stream without a buffer (already decoded)
            text = chunk
        else:
            pending = len(decoder.getstate()[0])  # bytes of a character begun in the last chunk
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                raise InputError(f"{what}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset "
                                 f"{offset - pending + exc.start}); save the model as UTF-8") from None
            offset += len(chunk)
        parts.append(text)
        count += len(text)
        if not chunk:
            break
    if count > MAX_SPEC_CHARS:
        raise UsageError(f"{what}: the model spec is too large (more than {MAX_SPEC_CHARS} characters; "
                         f"the limit is {MAX_SPEC_CHARS})")
    return "".join(parts)


def sample_model(spec_text: str, options: OutputOptions, *, show: str | None, emit: str | None, out: TextIO,
                 emit_output: str | None = None, plot: str | None = None) -> None:
    from priorcli.model import parse as lang
    from priorcli.stats import monte_carlo as mc_stats
    from priorcli.model.numpyro import is_family, sample_model as run

    model = lang.parse_model(read_model_text(spec_text), is_family=is_family)
    names = list(model.names)
    if show is not None:
        wanted = [s.strip() for s in show.split(",") if s.strip()]
        unknown = [w for w in wanted if w not in names]
        if unknown or not wanted:
            raise UsageError(f"--show '{show}': unknown variable(s) {', '.join(unknown) or '(none given)'}; "
                             f"the model defines {', '.join(names)}")
        names = wanted
    if emit is not None:
        write_emitted(model, emit, options, tuple(names), "priorcli sample --model ...", emit_output, out)
        return
    names = _components(model, names)
    plotted = _plotted(names, None if plot is None else ",".join(_components(model, plot.split(","))))
    values = _component_values(run(model, options.draws, options.seed))
    labels, table = _named_columns(values, names)
    header = labels if len(labels) > 1 else None  # one variable is written as a family's draws
    if options.output:
        render.write_draws_file(options.output, table, force=options.force, names=header)
    summaries = {name: mc_stats.mc_summary(values[name], options.quantiles) for name in names}
    render.write_range_notes(summaries.items())
    chart_list = _charts(model, plotted, values, summaries, options)  # built first: a range that cannot be drawn prints nothing
    write_figure(options, chart_list)
    if options.format == "json":
        render.write_json(
            {"seed": options.seed, "draws": options.draws,
             "variables": {name: {"mc": render.summary_json(s)} for name, s in summaries.items()}},
            out,
        )
        return
    if options.format == "raw":
        render.write_raw(table, out, names=header)
        return
    if options.format == "csv":
        render.write_summary_csv(names, list(summaries.values()), out)
        return
    render.write_summary_table(f"model: {options.draws} draws, seed {options.seed} (Monte Carlo)", names,
                               list(summaries.values()), out)
    for name, chart in chart_list if options.plot else ():
        render.write_lines([name], out)
        render.write_chart(chart, out)


def _charts(model, plotted: list[str], values: dict, summaries: dict, options: OutputOptions) -> list:
    """(name, Chart) of each plotted variable, when a terminal plot or a figure file is asked for."""
    if not options.charts:
        return []
    from priorcli.plot import charts

    return [(name, charts.draws_chart(values[name], options, label=name, mode=summaries[name].mode,
                                      discrete=_is_discrete(model[name.split("[")[0]]),
                                      bounded=_is_bounded(model[name.split("[")[0]])))
            for name in plotted]


def _named_columns(values: dict, names: list[str]):
    """The shown variables' draws (vector variables already split into NAME[i] components) as one
    table, a column each, and the column names."""
    import numpy as np

    columns = [np.asarray(values[name], dtype=np.float64) for name in names]
    return list(names), columns[0] if len(columns) == 1 else np.column_stack(columns)


def _components(model, names: list[str]) -> list[str]:
    """A vector variable (a Dirichlet's draws) is shown as its components, NAME[0], NAME[1], ..."""
    out = []
    for name in names:
        size = model[name].size if name in model.names else None
        out += [name] if size is None else [f"{name}[{i}]" for i in range(size)]
    return out


def _component_values(values: dict) -> dict:
    out = {}
    for name, draws in values.items():
        if draws.ndim == 1:
            out[name] = draws
        else:
            out.update({f"{name}[{i}]": draws[:, i] for i in range(draws.shape[1])})
    return out


def _is_discrete(statement) -> bool:
    """A variable drawn from a discrete family (plotted as integer bins, like sample FAMILY)."""
    return statement.is_random and not statement.expr.transforms and resolve(statement.expr.family).discrete


def _is_bounded(statement) -> bool:
    """A variable drawn from a family on an interval ([0, 1], (low, high) from its parameters, or a
    Dirichlet's simplex), untransformed: its plot keeps a linear axis, as sample FAMILY's does."""
    if not statement.is_random or statement.expr.transforms:
        return False
    family = resolve(statement.expr.family)
    return family.multivariate or family.support in ("[0, 1]", "(low, high), set by the parameters")


def _plotted(names: list[str], plot: str | None) -> list[str]:
    """--plot NAME,NAME: which of the shown variables get a plot (default: all of them)."""
    if plot is None:
        return names
    wanted = [p.strip() for p in plot.split(",") if p.strip()]
    unknown = [w for w in wanted if w not in names]
    if unknown or not wanted:
        raise UsageError(f"--plot '{plot}': not among the shown variables ({', '.join(names)})")
    return wanted


def write_emitted(model, target: str, options: OutputOptions, show: tuple[str, ...], command: str,
                  output: str | None, out: TextIO) -> None:
    """The model as a program for ``target`` (see priorcli.emit), on stdout or written to ``output``
    whole (checked before anything is written)."""
    from priorcli import emit

    target = emit.parse_target(target)
    if output is not None:
        emit.check_output_path(output, target)
    code = emit.emit(model, target, emit.EmitOptions(options.seed, options.draws, options.quantiles, show, command))
    if output is None:
        render.write_text(code, out)
    else:
        render.write_text_file(output, code, force=options.force)
