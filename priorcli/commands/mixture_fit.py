"""``summarize --input FILE --fit "Mixture(F, G, ...)"``: the fit of :mod:`priorcli.fitting.mixture`,
written as a table, a JSON document or an ``--emit`` program; in a comma list beside other items
:mod:`priorcli.commands.fit_list` ranks it and uses the parts here (``Row``, ``mixture_json``,
``write_mixture``). Raises PriorError subclasses and never prints; output only through render."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, TextIO

from priorcli.render import output as render
from priorcli.errors import UsageError
from priorcli.fitting.mixture import MixtureFit, fit_mixture, is_mixture_spec, mixture_ks

__all__ = ["handles", "fits", "write_fit_part", "json_doc", "program", "Row", "mixture_json", "write_mixture",
           "row_json", "with_code"]


def handles(fit: str | None) -> bool:
    """Whether ``--fit`` names one mixture (a list with one: commands.fit_list)."""
    return fit is not None and is_mixture_spec(fit)


@dataclass(frozen=True)
class Row:
    """One ranked fit: a single family's (priorcli.ranking.RankedFit's numbers), a mixture's or a
    metalog's (commands.metalog_fit.Ranked)."""

    fit: Any  # priorcli.fitting.Fit, MixtureFit or metalog_fit.Ranked
    free: int
    aic: float
    bic: float
    ks: float
    ks_pvalue: float

    @property
    def label(self) -> str:
        return self.fit.family  # "Mixture", "Metalog": the column is narrow; they are written out under it

    def params_text(self, i: int) -> str:
        """A single family's parameters; for a mixture or metalog a pointer to its line under the table."""
        from priorcli.commands.ranked import _params_text

        below = isinstance(self.fit, MixtureFit) or getattr(self.fit, "method", None) == "least-squares"
        return f"[{i}] below" if below else _params_text(self.fit.params)


@dataclass(frozen=True)
class Fits:
    best: Any
    rows: tuple[Row, ...]  # ranked by AIC; one row for a lone mixture
    skipped: tuple  # priorcli.ranking.Skipped
    ranked: bool  # a list was given: show the ranking


def fits(fit: str, values, fit_tokens: list[str], truncate: str | None) -> Fits:
    """The one mixture of ``--fit`` fitted (a list: commands.fit_list)."""
    import numpy as np

    if truncate is not None:
        raise UsageError("--truncate applies to single families; a Mixture fit is not truncated")
    if fit_tokens:
        raise UsageError("--PARAM VALUE holds a parameter of a single --fit FAMILY; hold a mixture component's "
                         "inside it: 'Mixture(Normal, Gamma(rate=2))'")
    x = np.asarray(values, dtype=np.float64).ravel()
    fitted = with_code(fit_mixture(fit, x))
    ks, pvalue = mixture_ks(fitted, x)
    return Fits(fitted, (Row(fitted, fitted.free, fitted.aic, fitted.bic, ks, pvalue),), (), False)


def with_code(fitted: MixtureFit) -> MixtureFit:
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


def row_json(row: Row) -> dict[str, Any]:
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
    """The key ``summarize --input --fit 'Mixture(...)'`` adds: ``fit``, as :func:`mixture_json`."""
    return {"fit": mixture_json(result.best, quantiles)}


def write_fit_part(result: Fits, options, out: TextIO) -> None:
    """The table's part: the fitted mixture in full."""
    write_mixture(result.best, options, out)


def write_mixture(fitted: MixtureFit, options, out: TextIO) -> None:
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
