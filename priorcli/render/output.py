"""Formatting and writing: rich tables, plotext histograms, JSON, CSV, raw draws.

The only module that writes output. Everything it is given is at full precision; rounding for
display happens here and nowhere else.
"""

from __future__ import annotations

import errno
import json
import math
import os
import sys
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:  # annotations only: `priorcli list` writes its table without the stats modules
    from priorcli.stats.exact import Summary
    from priorcli.stats.monte_carlo import Histogram

FORMATS = ("table", "json", "csv", "raw")
RAW_LINES = 1 << 16  # raw lines formatted per write: a closed pipe (`| head`) is noticed after the first


def use_colour(stream: TextIO) -> bool:
    """ANSI colour only on a terminal and only when NO_COLOR is unset."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def terminal_width() -> int:
    """COLUMNS when it is a sensible integer, else 100 (off a terminal there is no width to ask)."""
    try:
        return max(40, int(os.environ.get("COLUMNS", "")))
    except ValueError:
        return 100


def _console(stream: TextIO):
    from rich.console import Console

    class PipeConsole(Console):
        def on_broken_pipe(self) -> None:
            # rich exits 1 itself; a closed pipe (`| head`) is the CLI's to end quietly with exit 0.
            self.quiet = True
            raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))

    colour = use_colour(stream)
    width = None if colour else terminal_width()
    return PipeConsole(
        file=stream,
        force_terminal=colour,
        no_color=not colour,
        color_system="auto" if colour else None,
        width=width,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )


def fmt(value: float | None, digits: int = 6) -> str:
    if value is None:
        return "-"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(fmt(v, digits) for v in value) + "]"
    return f"{value:.{digits}g}"


def support_text(lower: float, upper: float, discrete: bool, atom_at_lower: bool = False) -> str:
    """The support as a reader writes it: ``{0, 1, 2, ...}`` for counts, ``[0, inf)`` where an end
    carries a point mass (a hurdle's zero), ``(0, inf)`` otherwise."""
    if discrete and math.isfinite(lower):
        first, last = int(lower), upper if math.isinf(upper) else int(upper)
        shown = [first, first + 1, first + 2, "..."] if math.isinf(last) else (
            list(range(first, last + 1)) if last - first < 4 else [first, first + 1, "...", last])
        return "{" + ", ".join(map(str, shown)) + "}"
    return ("[" if atom_at_lower else "(") + f"{fmt(lower)}, {fmt(upper)})"


# ---------------------------------------------------------------------------------------------
# JSON


def json_number(value):
    if value is None:
        return None
    if isinstance(value, (tuple, list)):
        return [json_number(v) for v in value]
    value = float(value)
    return value if math.isfinite(value) else None


def summary_json(summary: Summary) -> dict:
    doc = {
        "mean": json_number(summary.mean),
        "sd": json_number(summary.sd),
        "median": json_number(summary.median),
        "mode": json_number(summary.mode),
        "quantiles": {repr(float(p)): json_number(v) for p, v in summary.quantiles.items()},
        "method": summary.method,
        "n": summary.n,
    }
    if summary.underflowed or summary.overflowed:  # only then: the Summary's keys stay as documented
        doc["underflowed"], doc["overflowed"] = summary.underflowed, summary.overflowed
    if summary.label:
        doc["component"] = summary.label
    return doc


def summaries_json(summaries: list[Summary] | None, multivariate: bool):
    """One Summary, or a list of them (a Dirichlet's components)."""
    if summaries is None:
        return None
    docs = [summary_json(s) for s in summaries]
    return docs if multivariate else docs[0]


def params_json(params: dict[str, Any]) -> dict:
    return {k: json_number(v) for k, v in params.items()}


def write_json(doc: Any, out: TextIO) -> None:
    out.write(json.dumps(doc, indent=2, allow_nan=False) + "\n")


# ---------------------------------------------------------------------------------------------
# Tables


def _rows(summary_columns: list[Summary | None]) -> list[tuple[str, list[str]]]:
    reference = next(s for s in summary_columns if s is not None)
    rows = []
    for name in ("mean", "sd", "mode", "median"):
        rows.append((name, [fmt(getattr(s, name)) if s else "-" for s in summary_columns]))
    for p in reference.quantiles:
        rows.append((f"q{p:g}", [fmt(s.quantiles.get(p)) if s else "-" for s in summary_columns]))
    return rows


def summary_rows(columns: list[Summary | None]) -> list[tuple[str, list[str]]]:
    """(name, cells) of the summary table, as write_summary_table prints them (explore shows these)."""
    return _rows(columns)


def write_summary_table(
    title: str,
    headers: list[str],
    columns: list[Summary | None],
    out: TextIO,
    caption: str | None = None,
) -> None:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, caption=caption)
    table.add_column("", style="bold")
    for header in headers:
        table.add_column(header, justify="right")
    for name, cells in _rows(columns):
        table.add_row(name, *cells)
    console = _console(out)
    console.print(title, markup=False)
    console.print(table)


def write_params_table(title: str, rows: list[tuple[str, ...]], headers: list[str], out: TextIO,
                       numeric: bool = True) -> None:
    """A titled table; columns after the first are right-aligned numbers unless ``numeric`` is off."""
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD)
    for i, header in enumerate(headers):
        table.add_column(header, justify="right" if numeric and i else "left")
    for row in rows:
        table.add_row(*row)
    console = _console(out)
    console.print(title, markup=False)
    console.print(table)


def solution_json(result, notes: list[str] | None = None) -> dict:
    """The document ``priorcli solve --format json`` prints for a solution with its code lines
    (:class:`priorcli.emit.lines.Solved`; explore's --output too); ``notes`` replaces the solution's
    own when given."""
    return {
        "family": result.family,
        "params": params_json(result.params),
        "targets": {k: json_number(v) for k, v in result.targets.items()},
        "achieved": {k: json_number(v) for k, v in result.achieved.items()},
        "numpyro": result.numpyro_code,
        "stan": result.stan_code,
        "pymc": result.pymc_code,
        **({} if getattr(result, "truncate", None) is None else {"truncate": result.truncate.as_json()}),
        "notes": list(result.notes) if notes is None else notes,
        **solution_fit_json(result),
    }


def code_lines_text(numpyro: str, stan: str | None, pymc: str | None) -> list[str]:
    """The numpyro line, and the Stan and PyMC lines where the framework has the family."""
    lines = [f"numpyro: {numpyro}"]
    if stan:
        lines.append(f"Stan:    {stan}")
    if pymc:
        lines.append(f"PyMC:    {pymc}")
    return lines


def solution_fit_json(result) -> dict:
    """The keys a solve adds for how it was met: method, and for a least-squares fit the loss,
    each target's residual and weight."""
    doc: dict = {"method": result.method, "loss": json_number(result.loss)}
    if result.method == "least-squares":
        doc["residuals"] = {k: json_number(v) for k, v in result.residuals.items()}
        doc["weights"] = {k: json_number(v) for k, v in result.weights.items()}
        doc["misses"] = {k: {n: json_number(v) for n, v in m.items()} for k, m in result.misses.items()}
    return doc


def write_targets_table(result, out: TextIO) -> None:
    """Requested beside achieved targets; for a least-squares fit also each residual (probability
    scale for quantiles and mass, relative otherwise) and the weights when any is not 1."""
    headers = ["target", "requested", "achieved"]
    lsq = result.method == "least-squares"
    weighted = lsq and any(w != 1.0 for w in result.weights.values())
    if lsq:
        headers.append("residual")
    if weighted:
        headers.append("weight")
    rows = []
    for name in result.targets:
        row = [name, fmt(result.targets[name], 10), fmt(result.achieved.get(name), 10)]
        if lsq:
            row.append(fmt(result.residuals.get(name), 4) if name in result.residuals else "")
        if weighted:
            row.append(fmt(result.weights.get(name), 4) if name in result.weights else "")
        rows.append(tuple(row))
    write_params_table("targets", rows, headers, out)


def write_lines(lines: list[str], out: TextIO) -> None:
    console = _console(out)
    for line in lines:
        console.print(line, markup=False)


def write_text(text: str, out: TextIO) -> None:
    """Text as it is (an emitted program): no console, no wrapping, no colour."""
    out.write(text)


# ---------------------------------------------------------------------------------------------
# CSV and raw


def write_summary_csv(headers: list[str], columns: list[Summary | None], out: TextIO) -> None:
    import csv

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["quantity", *headers])
    for name, _ in _rows(columns):
        cells = []
        for s in columns:
            value = None
            if s is not None:
                value = s.quantiles.get(float(name[1:])) if name.startswith("q") else getattr(s, name)
            cells.append("" if value is None else repr(float(value)))
        writer.writerow([name, *cells])


def write_raw(draws, out: TextIO, names: list[str] | None = None) -> None:
    """One draw per line (rows of comma-separated components for a vector draw), after a header
    line naming the columns when ``names`` are given; np.savetxt's "%.17g" bytes, ~3x faster, by blocks."""
    import numpy as np

    array = np.asarray(draws, dtype=np.float64)
    if names:
        out.write(",".join(names) + "\n")
    line = "%.17g\n" if array.ndim == 1 else ",".join(["%.17g"] * array.shape[1]) + "\n"
    for start in range(0, len(array), RAW_LINES):
        block = array[start:start + RAW_LINES].tolist()
        out.write("".join(map(line.__mod__, block if array.ndim == 1 else map(tuple, block))))


# ---------------------------------------------------------------------------------------------
# Histograms


def _nice_ticks(lo: float, hi: float, count: int = 6) -> list[float]:
    """Round numbers (1, 2 or 5 times a power of ten apart) spanning [lo, hi]."""
    if not hi > lo:
        return [lo]
    raw = (hi - lo) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step) * step
    ticks = []
    k = 0
    while first + k * step <= hi + 1e-9 * step:
        ticks.append(round(first + k * step, 12))
        k += 1
    return ticks


def _ordered_unique(data) -> list:
    return list(dict.fromkeys(data))


def plotext():
    """plotext with its duplicate removal made order-preserving and the width asked for drawn.
    plotext 5 dedupes the tick (value, label) pairs and the drawn points through a ``set``, whose
    order follows PYTHONHASHSEED for strings, and the first label that fits takes its columns;
    and it narrowed a plot to its own idea of the terminal (80 columns in a pipe) while the ticks
    were spaced for ``plot_width``. Together they made the printed axis end change from run to run."""
    import plotext as plt
    from plotext import _utility

    if getattr(_utility, "no_duplicates", None) is not _ordered_unique:
        _utility.no_duplicates = _ordered_unique
    return plt


def _new_figure(plt, width: int) -> None:
    plt.clear_figure()  # (which also restores plotext's limit to its own terminal width)
    plt.limit_size(False, False)
    plt.plotsize(width, 20)


def plot_width() -> int:
    """COLUMNS when set, else the terminal's width, else (in a pipe) 100; at most 100."""
    import shutil

    if os.environ.get("COLUMNS"):
        return min(terminal_width(), 100)
    return min(max(40, shutil.get_terminal_size((100, 24)).columns), 100)


def end_label(value: float) -> str:
    """A plot end as the shortest number that reads back as exactly ``value`` (the range rule
    picks ends with few digits, see priorcli.plot.range)."""
    for digits in range(3, 18):
        text = f"{value:.{digits}g}"
        if float(text) == value:
            return text
    return repr(value)


def write_histograms(histograms: list[Histogram], out: TextIO, width: int | None = None) -> None:
    """Overlay the histograms in one plotext chart (log-x charts are drawn in log10 units)."""
    plt = plotext()

    colour = use_colour(out)
    width = width or plot_width()
    _new_figure(plt, width)
    if not colour:
        plt.theme("clear")
    markers = ["sd", "hd", "dot", "x"]
    log_x = any(h.log_x for h in histograms)
    xs_all: list[float] = []
    for i, h in enumerate(histograms):
        centres = [math.log10(c) for c in h.centres] if h.log_x else h.centres
        xs_all.extend(centres)
        if not h.centres:
            pass  # a density curve only (solve --plot)
        elif len(histograms) == 1:
            plt.bar(centres, h.heights, width=1.0 if not h.discrete else 0.6, label=h.label, marker=markers[0])
        else:
            plt.plot(centres, h.heights, label=h.label, marker=markers[i % len(markers)])
        if h.curve_x is not None:
            cx = [math.log10(c) for c in h.curve_x] if h.log_x else h.curve_x
            if not h.centres:
                xs_all.extend(cx)
            label = ("exact pmf" if h.discrete else "exact density") if len(histograms) == 1 else f"{h.label} exact"
            if h.discrete:  # a pmf is points, not a curve
                plt.scatter(cx, h.curve_y, label=label, marker="dot")
            else:
                plt.plot(cx, h.curve_y, label=label, marker="braille")
    if log_x and xs_all:
        ticks = [float(t) for t in range(math.ceil(min(xs_all)), math.floor(max(xs_all)) + 1)]
        if len(ticks) < 2:
            ticks = _nice_ticks(min(xs_all), max(xs_all))
        plt.xticks(ticks, [fmt(10**t, 3) for t in ticks])
        plt.xlabel("x (log scale); density per unit log10(x)")
    elif xs_all:
        ticks = _nice_ticks(min(xs_all), max(xs_all))
        plt.xticks(ticks, [fmt(t, 6) for t in ticks])
        plt.xlabel("x")
    text = plt.build()
    if not colour:
        text = plt.uncolorize(text)
    out.write(text.rstrip() + "\n")


CURVE_MARKERS = ("•", "x", "+", "o", "*", "#")  # one per compared distribution or fit
CURVE_COLOURS = ("red", "blue", "green", "magenta", "cyan", "orange")


def write_chart(chart, out: TextIO, width: int | None = None) -> None:
    """A priorcli.plot.charts.Chart: bars of the draws and density lines or pmf points over them, the x
    axis limited to the chart's range (its ends labelled), "log scale" under a log axis, and one
    note per series with draws hidden outside the range."""
    plt = plotext()

    colour = use_colour(out)
    width = width or plot_width()
    r = chart.plot_range
    _new_figure(plt, width)
    if not colour:
        plt.theme("clear")
    to_axis = (lambda xs: [math.log10(x) for x in xs]) if r.log else (lambda xs: list(xs))
    curves = [s for s in chart.series if s.curve_x is not None]
    for i, s in enumerate(chart.series):
        if s.centres:
            plt.bar(to_axis(s.centres), s.heights, width=0.6 if s.discrete else 1.0, label=s.label, marker="sd")
        if s.curve_x is None:
            continue
        single = len(curves) == 1
        # A curve beside its own bars is the exact density of those draws; alone, it is named.
        label = ("exact pmf" if s.discrete else "exact density") if s.centres else s.label
        style = {"marker": "dot" if s.discrete else "braille"} if single else \
            {"marker": CURVE_MARKERS[curves.index(s) % len(CURVE_MARKERS)]}
        if colour and not single:
            style["color"] = CURVE_COLOURS[curves.index(s) % len(CURVE_COLOURS)]
        if s.discrete:  # a pmf is points, not a curve
            plt.scatter(to_axis(s.curve_x), s.curve_y, label=label, **style)
        else:
            plt.plot(to_axis(s.curve_x), s.curve_y, label=label, **style)
    lo, hi = (math.log10(r.lo), math.log10(r.hi)) if r.log else (r.lo, r.hi)
    pad = 0.5 if r.discrete and not r.log else 0.0
    plt.xlim(lo - pad, hi + pad)
    ticks, labels = _range_ticks(lo, hi, r.log, r.discrete, columns=width - 10, ends=(r.lo, r.hi))
    # The ends first: plotext drops a label that has no room, and the ends are the plot's limits.
    order = [0, len(ticks) - 1, *range(1, len(ticks) - 1)]
    plt.xticks([ticks[i] for i in order], [labels[i] for i in order])
    plt.xlabel("x (log scale); density per unit log10(x)" if r.log else "x")
    text = plt.build()
    if not colour:
        text = plt.uncolorize(text)
    out.write(text.rstrip() + "\n")
    notes = [hidden_note(h) for h in chart.hidden]
    write_lines([n for n in notes if n], out)


def _range_ticks(lo: float, hi: float, log: bool, discrete: bool, columns: int,
                 ends: tuple[float, float] | None = None) -> tuple[list[float], list[str]]:
    """The two ends of the range (always labelled: they are the plot's limits; ``ends`` in x units,
    printed exactly), and round numbers (decades on a log axis) between them whose labels keep a
    column clear of their neighbours'."""
    if log:
        inner = [float(t) for t in range(math.ceil(lo), math.floor(hi) + 1)]
        step = max(1, math.ceil(len(inner) / 8))
        inner = [t for t in inner if int(t) % step == 0]
    else:
        inner = _nice_ticks(lo, hi)
        if discrete:
            inner = [t for t in inner if float(t).is_integer()]

    def label(t: float) -> str:
        if ends is not None and t in (lo, hi):
            return end_label(ends[0] if t == lo else ends[1])
        return fmt(10**t, 3) if log else end_label(t)  # round numbers, told apart from their neighbours

    per_column = (hi - lo) / max(columns, 1)
    ticks = [lo]
    for t in [t for t in inner if lo < t < hi] + [hi]:
        gap = (len(label(ticks[-1])) + len(label(t))) / 2 + 1  # columns between the two centres
        if t - ticks[-1] < gap * per_column:
            if t != hi:
                continue
            if len(ticks) > 1:
                ticks.pop()  # the end wins over the round number beside it
        ticks.append(t)
    return ticks, [label(t) for t in ticks]


def percent(fraction: float) -> str:
    value = 100.0 * fraction
    if value >= 10:
        return f"{value:.0f}%"
    return f"{value:.2g}%" if value >= 1e-3 else "<0.001%"


def hidden_note(hidden) -> str | None:
    """"1.2% of draws beyond 63.7 not shown", naming the side(s); None when nothing is hidden."""
    parts = []
    if hidden.below > 0:
        parts.append(f"{percent(hidden.below)} of {hidden.of} below {end_label(hidden.lo)}")
    if hidden.above > 0:
        beyond = f"beyond {end_label(hidden.hi)}"
        parts.append(f"{percent(hidden.above)} {beyond}" if parts else f"{percent(hidden.above)} of {hidden.of} {beyond}")
    if not parts:
        return None
    prefix = f"{hidden.label} " if hidden.label else ""
    return prefix + " and ".join(parts) + " not shown"


def write_range_notes(summaries) -> None:
    """One stderr note per (name, Summary) whose draws went beyond float64 (mc_stats.range_note)."""
    from priorcli.stats.monte_carlo import range_note

    for name, summary in summaries:
        note = range_note(summary, name)
        if note:
            stderr_line(note)


def stderr_line(message: str) -> None:
    sys.stderr.write(message.rstrip("\n") + "\n")


# ---------------------------------------------------------------------------------------------
# Files (put in place by priorcli.render.outfile: never a partial file, never an overwrite without force)

DRAWS_SUFFIXES = (".csv", ".npy", ".json")


class DrawsWriter:
    """Write draws chunk by chunk to .csv, .npy or .json through a temporary file put in place only
    when everything was written: a failure, Ctrl-C or SIGTERM never leaves a partial file at
    ``path``. The .npy header and data are streamed (no memory map: a full disk is an error, not
    SIGBUS). ``names`` (one per column, for several variables) become the CSV's header row, the
    fields of a structured .npy array and the keys of a JSON object of columns; without them the
    file is what a family's sample writes (a number per line, a float64 array, a JSON list)."""

    def __init__(self, path: str, total: int, *, force: bool, columns: int = 1, names: list[str] | None = None):
        from priorcli.render import outfile
        from priorcli.errors import UsageError

        self.suffix = os.path.splitext(path)[1].lower()
        if self.suffix not in DRAWS_SUFFIXES:
            raise UsageError(f"--output '{path}' must end in .csv, .npy or .json")
        self.staged = outfile.Staged(outfile.check_target(path, force), path, force=force)
        self.path, self.total, self.columns, self.names, self.written = path, total, columns, names, 0
        self.json_chunks: list = []  # a JSON object of columns is written whole at the end

    def __enter__(self) -> "DrawsWriter":
        binary = self.suffix == ".npy"
        fd = self.staged.create()
        self.handle = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8")
        try:
            self._guard(self._begin)
        except BaseException:
            self._abandon()
            raise
        return self

    def _guard(self, action, *args) -> None:
        from priorcli.render import outfile
        from priorcli.errors import OutputError

        try:
            action(*args)
        except OSError as exc:  # a full disk, a quota
            raise outfile.write_error(exc, self.path) from None
        except ValueError:  # json.dumps(allow_nan=False) met an inf or NaN draw
            raise OutputError(f"--output '{self.path}': JSON has no inf or NaN and some draws are not finite; "
                              "write .csv or .npy instead") from None

    def _begin(self) -> None:
        import numpy as np

        if self.suffix == ".npy":
            if self.names:
                shape, descr = (self.total,), np.lib.format.dtype_to_descr(np.dtype([(n, "<f8") for n in self.names]))
            else:
                shape, descr = (self.total,) if self.columns == 1 else (self.total, self.columns), "<f8"
            _write_npy_header(self.handle, {"descr": descr, "fortran_order": False, "shape": shape})
        elif self.suffix == ".csv" and self.names:
            self.handle.write(",".join(self.names) + "\n")
        elif self.suffix == ".json" and not self.names:
            self.handle.write("[")

    def write(self, chunk) -> None:
        import numpy as np

        chunk = np.asarray(chunk, dtype=np.float64)
        self._guard(self._write, chunk)
        self.written += len(chunk)

    def _write(self, chunk) -> None:
        import numpy as np

        if self.suffix == ".npy":  # row-major: a structured array's record is the row of its fields
            self.handle.write(memoryview(np.ascontiguousarray(chunk, dtype="<f8")).cast("B"))
        elif self.suffix == ".json" and self.names:
            self.json_chunks.append(chunk)
        elif self.suffix == ".json":
            text = json.dumps(chunk.tolist(), allow_nan=False)[1:-1]
            if text:
                self.handle.write(("," if self.written else "") + text)
        else:
            write_raw(chunk, self.handle)

    def _end(self) -> None:
        import numpy as np

        if self.suffix == ".json" and self.names:
            rows = np.concatenate(self.json_chunks).reshape(-1, len(self.names))
            doc = {name: rows[:, i].tolist() for i, name in enumerate(self.names)}
            self.handle.write(json.dumps(doc, allow_nan=False) + "\n")
        elif self.suffix == ".json":
            self.handle.write("]\n")
        self.handle.close()

    def _abandon(self) -> None:
        try:
            self.handle.close()
        except OSError:
            pass
        self.staged.discard()

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self._guard(self._end)
                self.staged.commit()
        finally:
            self._abandon()


def _write_npy_header(handle, header: dict) -> None:
    """The header np.save writes: format 1.0, 2.0 when it is too long for 1.0, and 3.0 (UTF-8, for
    variable names outside latin-1, which numpy has no public writer for) laid out as numpy does."""
    import struct

    import numpy as np

    for write in (np.lib.format.write_array_header_1_0, np.lib.format.write_array_header_2_0):
        try:
            write(handle, header)
            return
        except (ValueError, UnicodeEncodeError):
            continue
    text = "{" + "".join(f"'{key}': {header[key]!r}, " for key in sorted(header)) + "}"
    body = text.encode("utf-8")
    pad = -(len(np.lib.format.MAGIC_PREFIX) + 2 + 4 + len(body) + 1) % 64
    body += b" " * pad + b"\n"
    handle.write(np.lib.format.MAGIC_PREFIX + bytes([3, 0]) + struct.pack("<I", len(body)) + body)


def write_draws_file(path: str, draws, *, force: bool, names: list[str] | None = None) -> None:
    """All draws at once (see DrawsWriter); ``names`` label the columns of several variables."""
    import numpy as np

    array = np.asarray(draws, dtype=np.float64)
    columns = 1 if array.ndim == 1 else array.shape[1]
    with DrawsWriter(path, len(array), force=force, columns=columns, names=names) as writer:
        writer.write(array)


def write_text_file(path: str, text: str, *, force: bool) -> None:
    """A whole text file (emitted code, explore's document) put in place as DrawsWriter does: never
    a partial file, never an overwrite without ``force``."""
    from priorcli.render import outfile

    staged = outfile.Staged(outfile.check_target(path, force), path, force=force)
    fd = staged.create()
    try:
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            raise outfile.write_error(exc, path) from None
        staged.commit()
    finally:
        staged.discard()


class Progress:
    """A rich progress bar on stderr, only on a terminal and only for long runs."""

    def __init__(self, total: int, description: str, *, enabled: bool):
        self.total, self.description = total, description
        self.enabled = enabled and sys.stderr.isatty()
        self._progress = None

    def __enter__(self) -> "Progress":
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgress, TimeRemainingColumn

            self._progress = RichProgress(
                "{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                console=Console(file=sys.stderr), transient=True,
            )
            self._progress.__enter__()
            self._task = self._progress.add_task(self.description, total=self.total)
        return self

    def advance(self, amount: int) -> None:
        if self._progress is not None:
            self._progress.update(self._task, advance=amount)

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)
