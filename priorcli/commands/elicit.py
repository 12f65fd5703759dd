"""``priorcli elicit SESSION.toml``: read the session (priorcli.elicit.session), fit every expert and
pool them (priorcli.elicit.fit), render the result as tables or one JSON document, and with
``--plot-file`` a figure of each expert's fit and the two pools."""

from __future__ import annotations

from typing import Any, TextIO

from priorcli.commands.elicit_report import mixture_line
from priorcli.commands.options import check_plot_file
from priorcli.commands.ranked import _ranked_json, fit_ranking_json, write_fit_ranking
from priorcli.errors import UsageError
from priorcli.render import output as render

CURVE_POINTS = 300


def elicit(path: str, *, format: str, out: TextIO, plot_file: str | None = None, force: bool = False,
           report: str | None = None, version: str = "") -> None:
    import os

    from priorcli.elicit.fit import elicit as run
    from priorcli.elicit.session import read_session
    from priorcli.render import figure, outfile

    if format not in ("table", "json"):
        raise UsageError(f"--format for elicit must be table or json, got '{format}'")
    check_plot_file(plot_file, force)
    if report is not None:
        from priorcli.commands.elicit_report import REPORT_SUFFIXES

        if os.path.splitext(report)[1].lower() not in REPORT_SUFFIXES:
            raise UsageError(f"--report '{report}' must end in {', '.join(REPORT_SUFFIXES)}")
        if plot_file is not None and os.path.abspath(plot_file) == os.path.abspath(report):
            raise UsageError(f"--report '{report}' is also the --plot-file; give two names")
        outfile.check_target(report, force, "--report")
    result = run(read_session(path))
    panels = [(result.session.name, _curves(result))]
    if plot_file is not None:
        figure.write_figure(plot_file, panels, force=force)
    if report is not None:
        from priorcli.commands import elicit_report

        command = elicit_report.command_line(path, report, format, plot_file)
        text = elicit_report.report_text(result, command, os.path.splitext(report)[1].lower(), figure.svg_text(panels),
                                         version)
        render.write_text_file(report, text, force=force)
    if format == "json":
        render.write_json(elicit_json(result), out)
        return
    _write_tables(result, out)


# ---------------------------------------------------------------------------------------------
# JSON


def _q(mapping: dict) -> dict:
    return {repr(float(p)): render.json_number(v) for p, v in mapping.items()}


def _expert_json(fit) -> dict[str, Any]:
    ranking = fit.ranking
    return {
        "weight": fit.expert.weight,
        "judgements": [{"probability": p, "value": v} for p, v in fit.judgements],
        "roulette": None if fit.expert.roulette is None else
        {"edges": list(fit.expert.roulette[0]), "chips": list(fit.expert.roulette[1])},
        "ranking": [_ranked_json(r) for r in ranking.ranked],
        "left_out": [{"family": s.family, "reason": s.reason} for s in (*ranking.skipped, *ranking.left_out)],
        "chosen": _ranked_json(fit.chosen, targets=True),
        "feedback": [{"probability": f.probability, "stated": f.stated, "fitted": render.json_number(f.fitted),
                      "fitted_probability": render.json_number(f.fitted_probability)} for f in fit.feedback],
        "fitted_quantiles": _q(fit.tails),
    }


def _pool_json(pooled, names: list[str]) -> dict[str, Any]:
    doc = {"weights": dict(zip(names, pooled.weights)), "mean": render.json_number(pooled.mean),
           "sd": render.json_number(pooled.sd), "quantiles": _q(pooled.quantiles)}
    if pooled.normaliser is not None:
        doc["normaliser"] = render.json_number(pooled.normaliser)
    return doc


def elicit_json(result) -> dict[str, Any]:
    s = result.session
    names = [e.expert.name for e in result.experts]
    pools = {"linear": {**_pool_json(result.linear, names), "method": "exact mixture",
                        "numpyro": mixture_line(result)},
             "log": {**_pool_json(result.log, names), "method": "quadrature"}}
    if result.combined is not None:
        pools["fit"] = {"families": s.pool_fit, **fit_ranking_json(result.combined)}
    return {
        "quantity": {"name": s.name, "unit": s.unit, "support": s.support,
                     "limits": None if s.limits is None else list(s.limits), "families": s.families},
        "experts": {e.expert.name: _expert_json(e) for e in result.experts},
        "pools": pools,
    }


# ---------------------------------------------------------------------------------------------
# Tables


def _write_tables(result, out: TextIO) -> None:
    s = result.session
    unit = f" ({s.unit})" if s.unit else ""
    render.write_lines([f"{s.name}{unit}: {len(result.experts)} expert(s), families {s.families}"], out)
    for e in result.experts:
        _write_expert(e, result.linear.weights[result.experts.index(e)], out)
    _write_pools(result, out)


def _write_expert(fit, weight: float, out: TextIO) -> None:
    best = fit.chosen
    rows = [(str(i), r.family, render.fmt(r.loss, 4), r.solution.method,
             ", ".join(f"{k}={render.fmt(v)}" for k, v in r.solution.params.items()))
            for i, r in enumerate(fit.ranking.ranked, start=1)]
    render.write_lines(["", f"expert {fit.expert.name} (weight {render.fmt(weight, 4)}): {best.family}"], out)
    render.write_params_table("ranked fits", rows, ["rank", "family", "loss", "method", "parameters"], out,
                              numeric=False)
    feedback = [(render.fmt(f.probability, 4), render.fmt(f.stated), render.fmt(f.fitted),
                 render.fmt(f.fitted_probability, 4)) for f in fit.feedback]
    render.write_params_table("feedback: each stated value beside the fitted one", feedback,
                              ["P", "stated", "fitted quantile", "fitted P(X <= stated)"], out)
    tails = ", ".join(f"{100 * p:g}%: {render.fmt(v)}" for p, v in fit.tails.items())
    render.write_lines([f"fitted {tails}",
                        *render.code_lines_text(best.solution.numpyro_code, best.solution.stan_code,
                                                best.solution.pymc_code)], out)


def _write_pools(result, out: TextIO) -> None:
    linear, log = result.linear, result.log
    rows = [("mean", render.fmt(linear.mean), render.fmt(log.mean)), ("sd", render.fmt(linear.sd), render.fmt(log.sd))]
    rows += [(f"q{p:g}", render.fmt(linear.quantiles[p]), render.fmt(log.quantiles[p])) for p in linear.quantiles]
    render.write_lines([""], out)
    render.write_params_table("pools (linear: the weighted mixture, exact; log: normalised weighted product, "
                              "by quadrature)", rows, ["", "linear", "log"], out)
    render.write_lines([f"linear pool, numpyro: {mixture_line(result)}"], out)
    if result.combined is not None:
        render.write_lines(["", f"one family fitted to the linear pool ({result.session.pool_fit}):"], out)
        write_fit_ranking(result.combined, out)


# ---------------------------------------------------------------------------------------------
# --plot-file


def _curves(result) -> list:
    """Each expert's fitted density and the two pools' densities, on the span of their 1% to 99%."""
    import numpy as np

    from priorcli.elicit import pool
    from priorcli.stats.monte_carlo import Histogram

    components = result.components
    lo = min(float(c.icdf(0.01)) for c in components)
    hi = max(float(c.icdf(0.99)) for c in components)
    x = np.linspace(lo, hi, CURVE_POINTS)
    with np.errstate(all="ignore"):
        curves = [(f"{e.expert.name}: {e.chosen.solution.numpyro_code}", np.exp(c.logpdf(x)))
                  for e, c in zip(result.experts, components)]
        linear = sum(w * np.exp(c.logpdf(x)) for w, c in zip(result.linear.weights, components))
        log = np.exp(pool.log_pool_logpdf(components, result.log, x))
    curves += [("linear pool", linear), ("log pool", log)]
    return [Histogram([], [], x.tolist(), np.where(np.isfinite(y), y, 0.0).tolist(), False, label)
            for label, y in curves]
