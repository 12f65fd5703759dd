"""``summarize --input FILE --fit "Mixture(F, G, ...)"`` (alone or in a comma list beside single
families): the fit of :mod:`priorcli.fitting.mixture`, ranked with the single families' fits by
AIC (BIC beside it), and written as a table, a JSON document or an ``--emit`` program. Raises
PriorError subclasses and never prints; output only through render."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, TextIO

from priorcli.render import output as render
from priorcli.errors import InfeasibleError, PriorError, UsageError
from priorcli.fitting.mixture import MixtureFit, fit_mixture, is_mixture_spec, mixture_ks, split_fit_list

__all__ = ["handles", "fits", "write_fit_part", "json_doc", "program"]


def handles(fit: str | None) -> bool:
    """Whether ``--fit`` names a mixture (alone or in a list)."""
    return fit is not None and any(is_mixture_spec(p) for p in split_fit_list(fit))


@dataclass(frozen=True)
class Row:
    """One ranked fit: a single family's (priorcli.ranking.RankedFit's numbers) or a mixture's."""

    fit: Any  # priorcli.fitting.Fit or MixtureFit
    free: int
    aic: float
    bic: float
    ks: float
    ks_pvalue: float

    @property
    def label(self) -> str:
        if isinstance(self.fit, MixtureFit):
            return "Mixture"  # the table's column is narrow; the mixture is written out under it
        return self.fit.family

    def params_text(self, i: int) -> str:
        """A single family's parameters; for a mixture a pointer to its line under the table."""
        from priorcli.commands.ranked import _params_text

        return f"[{i}] below" if isinstance(self.fit, MixtureFit) else _params_text(self.fit.params)


@dataclass(frozen=True)
class Fits:
    best: Any
    rows: tuple[Row, ...]  # ranked by AIC; one row for a lone mixture
    skipped: tuple  # priorcli.ranking.Skipped
    ranked: bool  # a list was given: show the ranking


def fits(fit: str, values, fit_tokens: list[str], truncate: str | None) -> Fits:
    """Every item of ``--fit`` fitted: the mixtures here, the single families through
    priorcli.ranking.rank_fits; ranked together by AIC."""
    import numpy as np

    from priorcli.ranking import Skipped, rank_fits

    from priorcli.commands.ranked import _truncation

    if truncate is not None:
        raise UsageError("--truncate applies to single families; a Mixture fit is not truncated")
    if fit_tokens:
        raise UsageError("--PARAM VALUE holds a parameter of a single --fit FAMILY; hold a mixture component's "
                         "inside it: 'Mixture(Normal, Gamma(rate=2))'")
    x = np.asarray(values, dtype=np.float64).ravel()
    items = split_fit_list(fit)
    mixtures = [p for p in items if is_mixture_spec(p)]
    singles = [p for p in items if not is_mixture_spec(p)]
    rows, skipped = [], []
    if singles:
        try:
            ranking = rank_fits(",".join(singles), x, [], truncate=_truncation(truncate))
        except PriorError as exc:
            skipped.append(Skipped(",".join(singles), str(exc)))
        else:
            rows += [Row(r.fit, r.free, r.aic, r.free * math.log(x.size) - 2.0 * r.fit.log_likelihood, r.ks,
                         r.ks_pvalue) for r in ranking.ranked]
            skipped += list(ranking.skipped)
    for text in mixtures:
        try:
            fitted = _with_code(fit_mixture(text, x))
        except PriorError as exc:
            if len(items) == 1:
                raise
            skipped.append(Skipped(text, str(exc)))
            continue
        ks, pvalue = mixture_ks(fitted, x)
        rows.append(Row(fitted, fitted.free, fitted.aic, fitted.bic, ks, pvalue))
    if not rows:
        why = "; ".join(f"{s.family}: {s.reason}" for s in skipped)
        raise InfeasibleError(f"no candidate could be fitted ({why})")
    rows.sort(key=lambda r: r.aic)
    return Fits(rows[0].fit, tuple(rows), tuple(skipped), len(items) > 1)


def _with_code(fitted: MixtureFit) -> MixtureFit:
    from priorcli.emit.mixture_lines import code_lines

    return replace(fitted, numpyro=code_lines(fitted.weights, fitted.components)[0])


# ---------------------------------------------------------------------------------------------
# Output


def mixture_json(fitted: MixtureFit, quantiles) -> dict[str, Any]:
    """A fitted mixture's document, solve-like: family, params (weights, components), the
    likelihood's numbers, the code lines, the exact summary, how the starts went."""
    from priorcli.emit.mixture_lines import code_lines

    numpyro, stan, pymc = code_lines(fitted.weights, fitted.components)
    return {"family": "Mixture", "params": fitted.spec.family.params_document(fitted.params),
            "spec": fitted.text, "log_likelihood": render.json_number(fitted.log_likelihood), "k": fitted.free,
            "n": fitted.n, "aic": render.json_number(fitted.aic), "bic": render.json_number(fitted.bic),
            "numpyro": numpyro, "stan": stan, "pymc": pymc, "method": "maximum-likelihood",
            "starts": fitted.starts, "proper_starts": fitted.proper, "notes": list(fitted.notes),
            "exact": render.summary_json(_exact(fitted, quantiles))}


def _single_json(fit) -> dict[str, Any]:
    from priorcli.commands.ranked import fit_json

    return fit_json(fit)


def _row_json(row: Row) -> dict[str, Any]:
    fit = row.fit
    doc = ({"family": "Mixture", "spec": fit.text, "params": fit.spec.family.params_document(fit.params),
            "log_likelihood": render.json_number(fit.log_likelihood), "numpyro": fit.numpyro}
           if isinstance(fit, MixtureFit) else _single_json(fit))
    return {**doc, "k": row.free, "aic": render.json_number(row.aic), "bic": render.json_number(row.bic),
            "ks": render.json_number(row.ks), "ks_pvalue": render.json_number(row.ks_pvalue)}


def _exact(fitted: MixtureFit, quantiles):
    from priorcli.stats.exact import ExactDistribution

    return ExactDistribution(fitted.spec).summary(quantiles)


def json_doc(result: Fits, quantiles) -> dict[str, Any]:
    """The keys ``summarize --input --fit`` adds: ``fit`` (the best; a mixture's as
    :func:`mixture_json`), and with a list ``ranking`` and ``skipped``."""
    best = result.best
    doc: dict[str, Any] = {"fit": mixture_json(best, quantiles) if isinstance(best, MixtureFit)
                           else {**_single_json(best), "log_likelihood": best.log_likelihood}}
    if result.ranked:
        doc["ranking"] = [_row_json(r) for r in result.rows]
        doc["skipped"] = [{"family": s.family, "reason": s.reason} for s in result.skipped]
    return doc


def write_fit_part(result: Fits, options, out: TextIO) -> None:
    """The table's part: the ranking (a list), then the best fit (a mixture's in full)."""
    if result.ranked:
        _write_ranking(result, out)
    best = result.best
    if not isinstance(best, MixtureFit):
        return
    _write_mixture(best, options, out)


def _write_ranking(result: Fits, out: TextIO) -> None:
    top = result.rows[0].aic
    rows = [(str(i), r.label, render.fmt(r.fit.log_likelihood, 8), render.fmt(r.aic, 8), render.fmt(r.aic - top, 4),
             render.fmt(r.bic, 8), render.fmt(r.ks, 4), render.fmt(r.ks_pvalue, 3), r.params_text(i))
            for i, r in enumerate(result.rows, start=1)]
    render.write_params_table("maximum-likelihood fits ranked by AIC (BIC beside it)", rows,
                              ["rank", "family", "log-lik", "AIC", "dAIC", "BIC", "KS", "KS p", "parameters"], out,
                              numeric=False)
    lines = [f"[{i}] {r.fit.spec.family.describe(r.fit.params)}" for i, r in enumerate(result.rows, start=1)
             if isinstance(r.fit, MixtureFit)]
    lines.append(f"best: {result.rows[0].fit.numpyro}")
    lines += [f"skipped {s.family}: {s.reason}" for s in result.skipped]
    render.write_lines(lines, out)


def _write_mixture(fitted: MixtureFit, options, out: TextIO) -> None:
    from priorcli.emit.mixture_lines import code_lines

    label = fitted.spec.family.describe(fitted.params)
    render.write_summary_table(
        f"maximum-likelihood fit: {label}\nlog-likelihood {render.fmt(fitted.log_likelihood, 10)}, "
        f"k = {fitted.free}, AIC {render.fmt(fitted.aic, 10)}, BIC {render.fmt(fitted.bic, 10)} (n = {fitted.n}); "
        f"best of {fitted.starts} starts ({fitted.proper} reached a proper maximum)",
        ["exact"], [_exact(fitted, options.quantiles)], out)
    numpyro, stan, pymc = code_lines(fitted.weights, fitted.components)
    lines = render.code_lines_text(numpyro, stan, pymc)
    lines += [f"note: {n}" for n in fitted.notes]
    render.write_lines(lines, out)


def program(result: Fits, target: str, command: str) -> str:
    """``--emit TARGET``: the best fit as a program (variable x)."""
    best = result.best
    if isinstance(best, MixtureFit):
        from priorcli.emit.mixture_lines import program as mixture_program

        return mixture_program(best.weights, best.components, target, command)
    from priorcli import emit

    return emit.distribution_program(best.family, best.params, target, command, best.truncate)
