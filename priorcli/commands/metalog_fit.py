"""``summarize --input FILE --fit metalog [--terms K] [--lower L] [--upper U]``: Keelin's least-squares
metalog of the data (:mod:`priorcli.fitting.metalog`), shown after the data's summary as the other
fits are: a line (table) or the JSON ``fit`` document, and its density over the histogram."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, TextIO

from priorcli.commands.options import write_figure
from priorcli.errors import UsageError
from priorcli.families.registry import parse_number, split_extra_args
from priorcli.records import metalog as ml
from priorcli.render import output as render

NAMES = {"terms": "terms", "lower": "lower", "upper": "upper"}


def handles(fit: str | None) -> bool:
    """``metalog`` or ``metalog(terms=K, lower=L, upper=U)``, alone."""
    return fit is not None and ml.handles(name(fit))


def name(text: str) -> str:
    """The name of an item: 'metalog' of 'metalog(terms=3)'."""
    return text.split("(", 1)[0].strip() if text.rstrip().endswith(")") else text.strip()


def item_tokens(text: str) -> list[str]:
    """The options ``metalog(terms=3, lower=0)`` gives, as --terms/--lower/--upper tokens (none for
    ``metalog``); its errors name ``text``."""
    from priorcli.fitting import _split_spec

    _, inside = _split_spec(text)
    tokens = []
    for part in (p.strip() for p in inside.split(",")) if inside else ():
        key, eq, value = part.partition("=")
        if not eq or key.strip().lower() not in NAMES:
            raise UsageError(f"--fit '{text}': '{part}' must be terms=K, lower=L or upper=U")
        tokens += [f"--{key.strip().lower()}", value.strip()]
    return tokens


def parse(tokens: list[str]) -> tuple[float, float, int | None]:
    """(lower, upper, terms) of --lower L, --upper U, --terms K."""
    values: dict[str, str] = {}
    for name, text in split_extra_args(tokens):
        key = NAMES.get(name.lower().replace("-", "_"))
        if key is None:
            raise UsageError(f"unknown option --{name} for --fit metalog; valid: --terms K, --lower L, --upper U")
        if key in values:
            raise UsageError(f"--{name} is given twice")
        values[key] = text
    lower = parse_number(values["lower"], "--lower") if "lower" in values else -math.inf
    upper = parse_number(values["upper"], "--upper") if "upper" in values else math.inf
    terms = None
    if "terms" in values:
        t = parse_number(values["terms"], "--terms")
        if t != math.floor(t) or not 2 <= t <= ml.MAX_TERMS:
            raise UsageError(f"--terms must be a whole number from 2 to {ml.MAX_TERMS}, got {values['terms']}")
        terms = int(t)
    return lower, upper, terms


@dataclass(frozen=True)
class _Overlay:
    """What the chart's fit curves read: the fit's DistSpec and its label."""

    spec: Any
    numpyro: str


@dataclass(frozen=True)
class Ranked:
    """A least-squares metalog as an entry of a ranked ``--fit`` list (commands.fit_list) and a
    chart's curve: its DistSpec and label; ``result`` is the fitting.metalog.MetalogFit."""

    result: Any
    spec: Any
    numpyro: str
    family: str = "Metalog"
    method: str = "least-squares"
    truncate: Any = None

    @property
    def log_likelihood(self) -> float:
        return self.result.log_likelihood

    @property
    def params(self) -> dict[str, Any]:
        return fit_document(self.result)["params"]


def ranked(values, lower: float, upper: float, terms: int | None) -> tuple[Ranked, float, float]:
    """(the metalog, its KS statistic, the p-value of scipy.stats.kstest against its cdf)."""
    import numpy as np
    from scipy import stats as st

    from priorcli.fitting import metalog as fitting
    from priorcli.stats.metalog import metalog_spec

    result = fitting.fit(values, lower, upper, terms)
    m = result.metalog
    test = st.kstest(np.asarray(values, dtype=np.float64),
                     lambda v: np.exp(-np.logaddexp(0.0, -fitting.logit_cdf(m, np.asarray(v, dtype=np.float64)))))
    return Ranked(result, metalog_spec(m), m.label(render.fmt)), float(test.statistic), float(test.pvalue)


def fit_document(result) -> dict[str, Any]:
    m = result.metalog
    code = ml.code_lines(m, lambda v: repr(float(v)))
    return {"family": "Metalog", "params": {"a": list(m.a), "lower": render.json_number(m.lower),
                                            "upper": render.json_number(m.upper)},
            "kind": m.kind, "terms": m.k, "method": "least-squares", "plotting_positions": "(i - 0.5) / n",
            "points": result.points, "rmse": result.rmse, "tried": [{"terms": k, "feasible": ok} for k, ok in result.tried],
            "log_likelihood": render.json_number(result.log_likelihood), "ks": result.ks,
            "numpyro": code["numpyro"], "stan": code["stan"], "pymc": code["pymc"]}


def summarize_fit(read, summary, options, tokens: list[str], truncate: str | None, out: TextIO) -> None:
    """The input's summary and its metalog fit (one variable: ``read.variables`` holds one)."""
    from priorcli.fitting import metalog as fitting
    from priorcli.stats.metalog import metalog_spec

    if truncate is not None:
        raise UsageError("--truncate does not apply to --fit metalog: give --lower/--upper for its bounds")
    lower, upper, terms = parse(tokens)
    (variable,) = read.variables
    result = fitting.fit(variable.values, lower, upper, terms)
    m = result.metalog
    label = m.label(render.fmt)
    chart = None
    if options.charts:
        from priorcli.plot import charts

        chart = charts.draws_chart(variable.values, options, mode=summary.mode,
                                   fits=[_Overlay(metalog_spec(m), label)], bounded=m.kind == "bounded")
    write_figure(options, [(variable.name or "", chart)])
    if options.format == "json":
        doc: dict[str, Any] = {"source": read.source, "sources": [{"path": p, "n": n} for p, n in read.sources]}
        doc.update({"variable": variable.name} if variable.name else {})
        doc.update(summary=render.summary_json(summary), fit=fit_document(result))
        render.write_json(doc, out)
        return
    what = f" of {variable.name}" if variable.name else ""
    render.write_summary_table(f"{variable.values.size} draws{what} from {read.source}", [variable.name or "draws"],
                               [summary], out)
    tried = "; " + ", ".join(f"{k} terms infeasible" for k, ok in result.tried if not ok) \
        if len(result.tried) > 1 else ""
    code = ml.code_lines(m)
    render.write_lines([f"metalog fit (Keelin's least squares at (i - 0.5) / n, {m.kind}, {m.k} terms{tried}): "
                        f"{label}", *render.code_lines_text(code["numpyro"], code["stan"], code["pymc"])], out)
    if options.plot:
        render.write_chart(chart, out)
