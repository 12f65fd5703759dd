"""The ranking commands: ``solve --family auto|F,F,...`` and the ranked part of
``summarize --input FILE --fit auto|F,F,...`` (parse -> :mod:`priorcli.ranking` -> render)."""

from __future__ import annotations

import math
from typing import Any, TextIO

from priorcli.render import output as render
from priorcli.errors import UsageError
from priorcli.families.registry import split_extra_args

__all__ = ["solve_ranked", "fit_ranking", "fit_ranking_json", "write_fit_ranking"]


def _params_text(params: dict) -> str:
    return ", ".join(f"{k}={render.fmt(v)}" for k, v in params.items())


def _ranked_json(r, targets: bool = False) -> dict:
    """One ranked family: its solve document with the ranking's loss and residuals and the entropy
    that breaks ties; the targets (the same for every family) only when asked for."""
    doc = render.solution_json(r.solution)
    if not targets:
        del doc["targets"]
    doc.update(loss=render.json_number(r.loss), entropy=render.json_number(r.entropy),
               residuals={k: render.json_number(v) for k, v in r.residuals.items()})
    return doc


def solve_ranked(spec: str, tokens: list[str], *, format: str, out: TextIO, truncate: str | None = None) -> None:
    from priorcli.ranking import rank_solutions

    if format not in ("table", "json"):
        raise UsageError(f"--format for solve must be table or json, got '{format}'")
    ranking = rank_solutions(spec, split_extra_args(tokens), truncate=_truncation(truncate))
    best = ranking.best.solution
    for warning in best.miss_warnings():
        render.stderr_line(warning)
    if format == "json":
        render.write_json({**_ranked_json(ranking.best, targets=True),
                           "ranking": [_ranked_json(r) for r in ranking.ranked],
                           "discrete_ranking": [_ranked_json(r) for r in ranking.discrete],
                           "skipped": _skipped_json(ranking.skipped),
                           "left_out": _skipped_json(ranking.left_out),
                           "support": ranking.support, "preferred": ranking.preferred,
                           "ranked_after": list(ranking.ranked_after),
                           "metalog": _metalog_json(ranking.metalog),
                           **({} if ranking.truncate is None else {"truncate": ranking.truncate.as_json()})}, out)
        return
    targets = ", ".join(f"{k}={render.fmt(v)}" for k, v in best.targets.items())
    groups = [(ranking.ranked, "continuous " if ranking.discrete else "")]
    groups += [(ranking.discrete, "discrete ")] if ranking.discrete else []
    for group, kind in groups:
        rows = [(str(i), r.family, render.fmt(r.loss, 4), render.fmt(r.entropy, 5), r.solution.method,
                 _params_text(r.solution.params)) for i, r in enumerate(group, start=1)]
        rows += _metalog_row(ranking.metalog) if group is groups[0][0] else []
        render.write_params_table(f"{len(rows)} {kind}families{_truncated_text(ranking)} ranked by loss (ties: larger "
                                  f"entropy first) for {targets}",
                                  rows, ["rank", "family", "loss", "entropy", "method", "parameters"], out,
                                  numeric=False)
    lines = [f"best: {best.family}", *render.code_lines_text(best.numpyro_code, best.stan_code, best.pymc_code)]
    if ranking.discrete:
        lines.append(f"best discrete: {ranking.discrete[0].solution.numpyro_code}")
    lines += _support_notes(ranking)
    lines += [f"skipped {s.family}: {s.reason}" for s in ranking.skipped]
    lines += _metalog_lines(ranking.metalog)
    render.write_lines(lines, out)


def _truncation(text: str | None):
    """``--truncate LO,HI`` as a records.truncated.Truncation (None without it)."""
    if text is None:
        return None
    from priorcli.records.truncated import parse_truncation

    return parse_truncation(text)


def _truncated_text(ranking) -> str:
    """' truncated to [1, inf)' in the ranking's title: every family there is truncated."""
    if ranking.truncate is None:
        return ""
    low, high = ranking.truncate.ends()
    return (f" truncated to {'[' if math.isfinite(low) else '('}{render.fmt(low)}, {render.fmt(high)}"
            f"{']' if math.isfinite(high) else ')'}")


def _metalog_request(beside):
    from priorcli.commands import metalog

    return metalog.Request(beside.metalog, tuple(sorted(beside.pairs)))


def _metalog_json(beside) -> dict | None:
    """Beside the ranking: the metalog's solve document, or {"reason"} when there is none."""
    if beside is None:
        return None
    if beside.metalog is None:
        return {"family": "Metalog", "reason": beside.reason}
    from priorcli.commands import metalog

    return metalog.solution_doc(_metalog_request(beside))


def _metalog_row(beside) -> list[tuple[str, ...]]:
    """An unranked row under the ranked families: the metalog meets any k quantiles exactly."""
    if beside is None or beside.metalog is None:
        return []
    m = beside.metalog
    loss = sum((float(m.cdf(v)) - p) ** 2 for p, v in beside.pairs)
    bounds = "".join(f", {n}={render.fmt(v)}" for n, v in (("lower", m.lower), ("upper", m.upper))
                     if math.isfinite(v))
    return [("-", "Metalog", render.fmt(loss, 4), "-", f"exact through all {m.k}",
             f"a={render.fmt(list(m.a))}{bounds}")]


def _metalog_lines(beside) -> list[str]:
    if beside is None:
        return []
    bounds = " ".join(f"--{n} {render.fmt(v)}" for n, v in (("lower", beside.lower), ("upper", beside.upper))
                      if math.isfinite(v))
    command = " ".join(["priorcli solve metalog", *(f"--quantile {p:g}={v:g}" for p, v in sorted(beside.pairs))]
                       + ([bounds] if bounds else []))
    if beside.metalog is None:
        return [f"beside them: no metalog through the {len(beside.pairs)} quantiles ({beside.reason})"]
    m = beside.metalog
    return [f"beside them (not ranked: a metalog of k terms passes through any k quantiles that allow one): "
            f"the {m.kind} Metalog, exact through all {m.k} quantiles: `{command}`"]


def _skipped_json(skipped) -> list[dict]:
    return [{"family": s.family, "reason": s.reason} for s in skipped]


def _support_notes(ranking) -> list[str]:
    """The note lines: families ranked after the note, and those left out grouped by reason."""
    lines = []
    if ranking.ranked_after:
        lines.append(f"note: every stated value is positive, so families whose support reaches below 0 are "
                     f"ranked after the others ({', '.join(ranking.ranked_after)}); --support positive leaves "
                     "them out, --support real ranks them with the others")
    reasons: dict[str, list[str]] = {}
    for s in ranking.left_out:
        reasons.setdefault(s.reason, []).append(s.family)
    lines += [f"left out {', '.join(names)}: {reason}" for reason, names in reasons.items()]
    return lines


def fit_ranking(spec: str, values, tokens: list[str], truncate: str | None = None):
    from priorcli.ranking import rank_fits

    return rank_fits(spec, values, split_extra_args(tokens), truncate=_truncation(truncate))


def fit_json(fit) -> dict[str, Any]:
    """One fit's document: family, params, log_likelihood, numpyro (and truncate when truncated)."""
    doc = {"family": fit.family, "params": render.params_json(fit.params),
           "log_likelihood": render.json_number(fit.log_likelihood), "numpyro": fit.numpyro}
    return doc if getattr(fit, "truncate", None) is None else {**doc, "truncate": fit.truncate.as_json()}


def fit_ranking_json(ranking) -> dict[str, Any]:
    best = ranking.best.fit
    doc = {
        "fit": {**fit_json(best), "log_likelihood": best.log_likelihood},
        "ranking": [
            {**fit_json(r.fit), "k": r.free, "aic": render.json_number(r.aic), "ks": render.json_number(r.ks),
             "ks_pvalue": render.json_number(r.ks_pvalue)}
            for r in ranking.ranked
        ],
        "skipped": _skipped_json(ranking.skipped),
    }
    if ranking.truncate is not None:
        doc.update(truncate=ranking.truncate.as_json(), left_out=_skipped_json(ranking.left_out))
    return doc


def write_fit_ranking(ranking, out: TextIO) -> None:
    top = ranking.ranked[0].aic
    rows = [
        (str(i), r.family, render.fmt(r.fit.log_likelihood, 8), render.fmt(r.aic, 8), render.fmt(r.aic - top, 4),
         render.fmt(r.ks, 4), render.fmt(r.ks_pvalue, 3), _params_text(r.fit.params))
        for i, r in enumerate(ranking.ranked, start=1)
    ]
    render.write_params_table(f"maximum-likelihood fits{_truncated_text(ranking)} ranked by AIC", rows,
                              ["rank", "family", "log-lik", "AIC", "dAIC", "KS", "KS p", "parameters"], out,
                              numeric=False)
    lines = [f"best: {ranking.ranked[0].fit.numpyro}"]
    lines += _support_notes(ranking)  # the families left out (a truncation they cannot take)
    lines += [f"skipped {s.family}: {s.reason}" for s in ranking.skipped]
    render.write_lines(lines, out)


def truncated_fit(spec: str, values, truncate: str | None):
    """``--fit 'F(param=v)'`` (one fit, not ranked), truncated when ``truncate``."""
    from priorcli.fitting import fit_family
    from priorcli.ranking import truncated_line

    return truncated_line(fit_family(spec, values, truncate=_truncation(truncate)))
