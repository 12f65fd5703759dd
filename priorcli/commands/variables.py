"""Several named variables' draws, summarised and shown: what ``sample --model`` and ``sample
--numpyro`` share. A variable is a number per draw (draws of shape (n,)) or a vector (n, K); a
vector is summarised as its pooled n * K values (the table's and JSON's ``mc``) and element by
element (JSON ``elements``: mean, sd and quantiles per element). ``--show y[2]`` picks one element
as a variable of its own; ``--format raw`` and ``--output`` write a vector as its columns y[0],
y[1], ... Raises PriorError subclasses, never prints itself (render does)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, TextIO

import numpy as np

from priorcli.commands.options import write_figure
from priorcli.errors import UsageError
from priorcli.render import output as render


@dataclass(frozen=True)
class Shown:
    key: str  # the JSON key and the name in messages: "y" or "y[2]"
    values: np.ndarray  # (n,) or, for a whole vector, (n, K)
    base: str  # the variable it belongs to

    @property
    def vector(self) -> bool:
        return self.values.ndim == 2

    @property
    def label(self) -> str:
        """The table's column: a vector's is its pooled values."""
        return f"{self.key} ({self.values.shape[1]} pooled)" if self.vector else self.key

    @property
    def pooled(self) -> np.ndarray:
        return self.values.reshape(-1)

    def columns(self) -> list[tuple[str, np.ndarray]]:
        if not self.vector:
            return [(self.key, self.values)]
        return [(f"{self.key}[{i}]", self.values[:, i]) for i in range(self.values.shape[1])]


@dataclass(frozen=True)
class Exact:
    """The exact marginal of a matrix variable's elements where one applies (LKJ's correlations),
    shown beside the Monte Carlo summary: its Summary, every element's name (R[0,1], ...) and the
    names of those it applies to."""

    summary: object
    names: tuple[str, ...]
    applies: tuple[str, ...]

    @property
    def label(self) -> str:
        shown = ", ".join(self.applies) if len(self.applies) <= 3 else f"{self.applies[0]}, ... ({len(self.applies)})"
        return f"exact {shown}"


def element_names(statement, name: str) -> tuple[str, ...]:
    """A matrix variable's element names (R[0,1], R[0,2], ...), from its record; () for any other."""
    from priorcli.model.tree import matrix_dimension

    found = matrix_dimension(statement.expr) if statement.is_random else None
    return tuple(found[0].matrix.names(name, found[1])) if found is not None else ()


def select(values: Mapping[str, np.ndarray], text: str | None, flag: str = "--show") -> list[Shown]:
    """Every variable in order, or those ``text`` names (``a,b,y[2]``)."""
    if text is None:
        return [Shown(name, v, name) for name, v in values.items()]
    wanted = [s.strip() for s in text.split(",") if s.strip()]
    if not wanted:
        raise UsageError(f"{flag} '{text}': no variable given; the model defines {', '.join(values)}")
    return [_one(values, w, text, flag) for w in wanted]


def _one(values: Mapping[str, np.ndarray], wanted: str, text: str, flag: str) -> Shown:
    name, _, rest = wanted.partition("[")
    name = name.strip()
    if name not in values:
        raise UsageError(f"{flag} '{text}': unknown variable(s) {wanted}; the model defines {', '.join(values)}")
    if not rest:
        return Shown(name, values[name], name)
    draws = values[name]
    index = rest[:-1].strip() if rest.endswith("]") else None
    if draws.ndim != 2:
        raise UsageError(f"{flag} '{wanted}': {name} is a number per draw; use {flag} {name}")
    if index is None or not index.isdigit() or int(index) >= draws.shape[1]:
        raise UsageError(f"{flag} '{wanted}': {name} has {draws.shape[1]} elements, indexed from 0 "
                         f"({name}[0] to {name}[{draws.shape[1] - 1}])")
    return Shown(f"{name}[{int(index)}]", draws[:, int(index)], name)


def elements_json(draws: np.ndarray, quantiles) -> dict:
    """Per-element mean, sd (ddof=1) and quantiles (numpy's 'linear', as the pooled ones) of (n, K) draws."""
    with np.errstate(all="ignore"):
        qs = np.quantile(draws, list(quantiles), axis=0) if draws.shape[0] else None
        sd = draws.std(axis=0, ddof=1) if draws.shape[0] > 1 else np.full(draws.shape[1], np.nan)
        mean = draws.mean(axis=0)
    return {
        "size": int(draws.shape[1]),
        "mean": [render.json_number(v) for v in mean],
        "sd": [render.json_number(v) for v in sd],
        "quantiles": {repr(float(p)): [render.json_number(v) for v in row] for p, row in zip(quantiles, qs)},
    }


def report(shown: list[Shown], options, out: TextIO, *, title: str, plot: str | None = None,
           kind: Callable[[str], tuple[bool, bool]] = lambda base: (False, False),
           exact: Mapping[str, Exact] | None = None) -> None:
    """Summaries of the shown variables in options.format, with a plot each (``plot`` chooses them);
    ``kind(base)`` is (discrete, bounded) of a variable, for its plot; ``exact`` the exact element
    marginals (keyed as the shown variables), each shown beside its variable's Monte Carlo summary."""
    exact = exact or {}
    from priorcli.stats import monte_carlo as mc_stats

    plotted = _plotted(shown, plot)
    columns = [c for s in shown for c in s.columns()]
    header = [name for name, _ in columns] if len(columns) > 1 else None  # one column: a family's draws
    table = columns[0][1] if len(columns) == 1 else np.column_stack([v for _, v in columns])
    if options.output:
        render.write_draws_file(options.output, table, force=options.force, names=header)
    summaries = {s.key: mc_stats.mc_summary(s.pooled, options.quantiles) for s in shown}
    render.write_range_notes(summaries.items())
    charts = _charts(plotted, summaries, options, kind)  # built first: a range that cannot be drawn prints nothing
    write_figure(options, charts)
    if options.format == "json":
        variables = {}
        for s in shown:
            variables[s.key] = {"mc": render.summary_json(summaries[s.key])}
            if s.vector:
                variables[s.key]["elements"] = elements_json(s.values, options.quantiles)
            if s.key in exact:
                found = exact[s.key]
                if s.vector:
                    variables[s.key]["elements"]["names"] = list(found.names)
                variables[s.key]["exact"] = {**render.summary_json(found.summary), "elements": list(found.applies)}
        render.write_json({"seed": options.seed, "draws": options.draws, "variables": variables}, out)
        return
    if options.format == "raw":
        render.write_raw(table, out, names=header)
        return
    labels, columns = [], []
    for s in shown:
        labels.append(s.label)
        columns.append(summaries[s.key])
        if s.key in exact:
            labels.append(f"{s.key} {exact[s.key].label}")
            columns.append(exact[s.key].summary)
    if options.format == "csv":
        render.write_summary_csv(labels, columns, out)
        return
    render.write_summary_table(title, labels, columns, out)
    for label, chart in charts if options.plot else ():
        render.write_lines([label], out)
        render.write_chart(chart, out)


def _charts(plotted: list[Shown], summaries: dict, options, kind) -> list:
    """(label, Chart) of each plotted variable, when a terminal plot or a figure file is asked for."""
    if not options.charts:
        return []
    from priorcli.plot import charts as plots

    out = []
    for s in plotted:
        discrete, bounded = kind(s.base)
        out.append((s.label, plots.draws_chart(s.pooled, options, label=s.key, mode=summaries[s.key].mode,
                                               discrete=discrete, bounded=bounded)))
    return out


def _plotted(shown: list[Shown], plot: str | None) -> list[Shown]:
    """--plot NAME,NAME: which of the shown variables get a plot (default: all of them)."""
    if plot is None:
        return shown
    keys = {s.key: s for s in shown}
    wanted = [p.strip() for p in plot.split(",") if p.strip()]
    unknown = [w for w in wanted if w not in keys]
    if unknown or not wanted:
        raise UsageError(f"--plot '{plot}': not among the shown variables ({', '.join(keys)})")
    return [keys[w] for w in wanted]
