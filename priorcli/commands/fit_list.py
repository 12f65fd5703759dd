"""``summarize --input FILE --fit LIST`` and ``--fit auto``: every item of a comma list fitted to the
data and ranked together by AIC (BIC beside it). An item is a family (``gamma``), a family with
parameters held (``Gamma(rate=2)``), a mixture (``Mixture(Normal, Normal)``, priorcli.fitting.mixture)
or Keelin's metalog (``metalog``, ``metalog(terms=3, lower=0)``, priorcli.fitting.metalog); the list is
split by fitting.mixture.split_fit_list (commas inside parentheses or brackets do not split).

The metalog is fitted by least squares, not maximum likelihood. It is ranked by the same AIC and BIC,
its log-likelihood taken at the least-squares coefficients and k its number of terms (its bounds
are given, not estimated): a maximum-likelihood metalog of those terms could only have a larger
likelihood, so the ranking never flatters it. Every entry says its ``method``. ``auto`` ranks the
families of priorcli.ranking.rank_fits and, for data that are not all whole numbers, the unbounded
metalog and (data all above 0) the one bounded below at 0.

Options: with a metalog in the list (or auto), ``--terms K``, ``--lower L`` and ``--upper U`` are
its options and go to no family (hold Triangular's ends inside its item); any other ``--PARAM V``
holds a parameter of every family item that has it, and an item without it is skipped, as in a list
of families. Raises PriorError subclasses; never prints.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, TextIO

from priorcli.commands import metalog_fit, mixture_fit
from priorcli.commands.mixture_fit import Row
from priorcli.errors import InfeasibleError, PriorError, UsageError
from priorcli.families.registry import parse_family_args, resolve, resolve_fast, split_extra_args
from priorcli.fitting.mixture import MixtureFit, is_mixture_spec, parse_mixture, split_fit_list
from priorcli.records import metalog as ml
from priorcli.render import output as render

__all__ = ["handles", "parse", "fits", "json_doc", "write_fit_part", "program"]

METALOG_OPTIONS = ("terms", "lower", "upper")


def handles(fit: str | None) -> bool:
    """``auto``, or a list of two or more items (a lone item keeps its own command)."""
    return fit is not None and (fit.strip().lower() == "auto" or len(split_fit_list(fit)) > 1)


@dataclass(frozen=True)
class Item:
    text: str  # as given
    kind: str  # "family", "mixture" or "metalog"
    family: Any = None  # FamilyInfo of a family item
    fixed: dict = field(default_factory=dict)  # held in the item (native names)
    bounds: tuple = ()  # a metalog's (lower, upper, terms)
    refused: str | None = None  # why a metalog is skipped (a --PARAM it has not)
    key: tuple = ()  # equal keys name the same fit


@dataclass(frozen=True)
class Fits:
    best: Any
    rows: tuple[Row, ...]  # ranked by AIC
    skipped: tuple  # priorcli.ranking.Skipped
    left_out: tuple = ()  # auto: not tried, and why
    truncate: Any = None  # records.truncated.Truncation held by the families
    ranked: bool = True
    ranked_after: tuple = ()  # (commands.ranked._support_notes reads it)


# ---------------------------------------------------------------------------------------------
# The list


def parse(fit: str, pairs: list[tuple[str, str]]) -> list[Item]:
    """The items of ``--fit`` (checked: one UsageError naming the item); ``pairs``: the --PARAM V."""
    items: list[Item] = []
    for i, text in enumerate(split_fit_list(fit), start=1):
        where = f"--fit '{fit}': item {i}"
        if not text:
            raise UsageError(f"{where} is empty; name a family, NAME(param=value), Mixture(...) or metalog "
                             "between each pair of commas")
        if text.lower() == "auto":
            raise UsageError(f"{where}: 'auto' stands alone (--fit auto ranks every family and the metalog)")
        try:
            item = _item(text, pairs)
        except UsageError as exc:
            message = str(exc)
            message = message.removeprefix(f"--fit '{text}': ").removeprefix(f"--fit {text}: ")
            raise UsageError(f"{where} '{text}': {message}") from None
        same = next((j for j, other in enumerate(items, start=1) if other.key == item.key), None)
        if same is not None:
            raise UsageError(f"{where} '{text}' repeats item {same} '{items[same - 1].text}'; name each fit once")
        items.append(item)
    return items


def _item(text: str, pairs) -> Item:
    from priorcli.fitting import _parse_fixed, _split_spec

    if is_mixture_spec(text):
        comps = parse_mixture(text)
        key = tuple(sorted((c.family.name, tuple(sorted(c.fixed.items()))) for c in comps))
        return Item(text, "mixture", key=("mixture", key))
    name, inside = _split_spec(text)
    if ml.handles(name):
        other = sorted({n for n, _ in pairs if n not in METALOG_OPTIONS})
        tokens = metalog_fit.item_tokens(text)
        tokens += [t for n, v in pairs if n in METALOG_OPTIONS for t in (f"--{n}", v)]
        bounds = metalog_fit.parse(tokens)
        refused = f"the metalog has no parameter --{other[0]} (its options: --terms, --lower, --upper)" \
            if other else None
        return Item(text, "metalog", bounds=bounds, refused=refused, key=("metalog", *bounds))
    family = resolve_fast(name) or resolve(name)
    if family.multivariate:
        raise UsageError(f"{family.name} is multivariate: a ranking compares univariate families")
    fixed = _parse_fixed(family, inside, text)
    return Item(text, "family", family, fixed, key=("family", family.name, tuple(sorted(fixed.items()))))


# ---------------------------------------------------------------------------------------------
# The fits


def fits(fit: str, values, fit_tokens: list[str], truncate: str | None) -> Fits:
    """Every item of ``fit`` (or auto's candidates) fitted to ``values``, ranked by AIC."""
    import numpy as np

    from priorcli.commands.ranked import _truncation

    x = np.asarray(values, dtype=np.float64).ravel()
    pairs = split_extra_args(fit_tokens)
    metalog = fit.strip().lower() == "auto" or any(ml.handles(metalog_fit.name(p)) for p in split_fit_list(fit))
    held = [(n, v) for n, v in pairs if n not in (METALOG_OPTIONS if metalog else ("terms",))]  # the metalog's
    trunc = _truncation(truncate)
    if trunc is not None:
        from priorcli.fitting.truncated import check_data_inside

        check_data_inside(x, trunc)
    if fit.strip().lower() == "auto":
        rows, skipped, left_out = _auto(x, pairs, held, trunc)
    else:
        items = parse(fit, pairs)
        if any(n == "terms" for n, _ in pairs) and not metalog:
            raise UsageError(f"--terms is the metalog's option; --fit '{fit}' has no metalog item")
        if held and any(i.kind == "mixture" for i in items):
            raise UsageError("--PARAM VALUE holds a parameter of the single families; with a Mixture in the list "
                             "hold them inside the items: 'Gamma(rate=2), Mixture(Normal, Gamma(rate=2))'")
        if trunc is not None and any(i.kind != "family" for i in items):
            raise UsageError("--truncate applies to single families; a Mixture or metalog in the list is not "
                             "truncated (give the metalog's bounds: metalog(lower=L, upper=U))")
        rows, skipped, left_out = [], [], []
        for item in items:
            _fit_item(item, x, held, trunc, rows, skipped)
    if not rows:
        why = "; ".join(f"{s.family}: {s.reason}" for s in [*skipped, *left_out])
        raise InfeasibleError(f"no candidate could be fitted ({why})")
    rows.sort(key=lambda r: r.aic)
    return Fits(rows[0].fit, tuple(rows), tuple(skipped), tuple(left_out), trunc)


def _fit_item(item: Item, x, held, trunc, rows: list, skipped: list) -> None:
    """Fit one item of a list into ``rows``, or say in ``skipped`` why it has no place."""
    from priorcli.ranking import Skipped, ranked_fit

    try:
        if item.kind == "metalog":
            if item.refused is not None:
                raise UsageError(item.refused)
            rows.append(_metalog_row(x, *item.bounds))
        elif item.kind == "mixture":
            rows.append(_mixture_row(item.text, x))
        else:
            fixed = _held(item, held)
            r = ranked_fit(item.family, x, fixed, trunc)
            rows.append(_family_row(r, x.size))
    except _Conflict as exc:
        raise UsageError(str(exc)) from None
    except PriorError as exc:
        name = item.family.name if item.kind == "family" and not item.fixed else \
            "Metalog" if item.kind == "metalog" and item.text.strip().lower() == "metalog" else item.text
        skipped.append(Skipped(name, str(exc)))


class _Conflict(Exception):
    pass


def _held(item: Item, held) -> dict:
    """The item's held parameters and the --PARAM V ones (a family without one: UsageError)."""
    parsed = parse_family_args(item.family, held)
    if not parsed.targets.is_empty():
        raise _Conflict("--fit takes parameters to hold (--total-count 5), not targets")
    both = sorted(set(parsed.params) & set(item.fixed))
    if both:
        raise _Conflict(f"--fit item '{item.text}' holds {both[0]} and --{both[0].replace('_', '-')} holds it again; "
                        "give it once")
    return {**item.fixed, **parsed.params}


def _family_row(r, n: int) -> Row:
    return Row(r.fit, r.free, r.aic, r.free * math.log(n) - 2.0 * r.fit.log_likelihood, r.ks, r.ks_pvalue)


def _mixture_row(text: str, x) -> Row:
    from priorcli.fitting.mixture import fit_mixture, mixture_ks

    fitted = mixture_fit.with_code(fit_mixture(text, x))
    ks, pvalue = mixture_ks(fitted, x)
    return Row(fitted, fitted.free, fitted.aic, fitted.bic, ks, pvalue)


def _metalog_row(x, lower: float, upper: float, terms: int | None) -> Row:
    fitted, ks, pvalue = metalog_fit.ranked(x, lower, upper, terms)
    k, ll = fitted.result.metalog.k, fitted.log_likelihood
    return Row(fitted, k, 2.0 * k - 2.0 * ll, k * math.log(x.size) - 2.0 * ll, ks, pvalue)


def _auto(x, pairs, held, trunc):
    """auto: the families of ranking.rank_fits, then the metalog candidates (left out, with why,
    under a truncation, for whole-number data and for a --PARAM the metalog has not)."""
    import numpy as np

    from priorcli.ranking import Skipped, rank_fits

    rows, skipped, left_out, failed = [], [], [], None
    try:
        ranking = rank_fits("auto", x, held, truncate=trunc)
    except PriorError as exc:  # no family could take the data: the metalog may still
        failed = exc
    else:
        rows = [_family_row(r, x.size) for r in ranking.ranked]
        skipped, left_out = list(ranking.skipped), list(ranking.left_out)
    other = sorted({n for n, _ in pairs if n not in METALOG_OPTIONS})
    given = [(n, v) for n, v in pairs if n in METALOG_OPTIONS]
    why = ("not truncated (name it with its bounds: --fit 'metalog(lower=L, upper=U)')" if trunc is not None
           else "continuous: whole-number data are fitted by the discrete families"
           if x.size and bool(np.all(x == np.floor(x)))
           else f"it has no parameter --{other[0]}" if other else None)
    if why is not None:
        left_out.append(Skipped("Metalog", why))
    else:
        lower, upper, terms = metalog_fit.parse([t for n, v in given for t in (f"--{n}", v)])
        ends = [(lower, upper)]
        if not any(n in ("lower", "upper") for n, _ in given) and x.size and float(np.min(x)) > 0.0:
            ends.append((0.0, math.inf))  # positive data: the log metalog too
        for lo, hi in ends:
            try:
                rows.append(_metalog_row(x, lo, hi, terms))
            except PriorError as exc:
                skipped.append(Skipped("Metalog" + (f"(lower={lo:g})" if math.isfinite(lo) else ""), str(exc)))
    if failed is not None:
        if not rows:
            raise failed
        skipped.insert(0, Skipped("the families", str(failed)))
    return rows, skipped, left_out


# ---------------------------------------------------------------------------------------------
# Output


def _ls(fit) -> bool:
    return getattr(fit, "method", None) == "least-squares"


def _best_json(best, quantiles) -> dict[str, Any]:
    from priorcli.commands.ranked import fit_json

    if isinstance(best, MixtureFit):
        return mixture_fit.mixture_json(best, quantiles)
    if _ls(best):
        return metalog_fit.fit_document(best.result)
    return {**fit_json(best), "log_likelihood": best.log_likelihood, "method": "maximum-likelihood"}


def _row_json(row: Row) -> dict[str, Any]:
    fit = row.fit
    if _ls(fit):
        doc = metalog_fit.fit_document(fit.result)
        doc = {k: doc[k] for k in ("family", "params", "kind", "terms", "log_likelihood", "numpyro", "method")}
    else:
        doc = {**mixture_fit.row_json(row), "method": "maximum-likelihood"}
    return {**doc, "k": row.free, "aic": render.json_number(row.aic), "bic": render.json_number(row.bic),
            "ks": render.json_number(row.ks), "ks_pvalue": render.json_number(row.ks_pvalue)}


def json_doc(result: Fits, quantiles) -> dict[str, Any]:
    """``fit`` (the best: a single family's, a mixture's or the metalog's document), ``ranking``
    (each entry with its ``method``), ``skipped``, ``left_out`` (when any), ``truncate``."""
    from priorcli.commands.ranked import _skipped_json

    doc = {"fit": _best_json(result.best, quantiles), "ranking": [_row_json(r) for r in result.rows],
           "skipped": _skipped_json(result.skipped)}
    if result.left_out or result.truncate is not None:
        doc["left_out"] = _skipped_json(result.left_out)
    if result.truncate is not None:
        doc["truncate"] = result.truncate.as_json()
    return doc


def write_fit_part(result: Fits, options, out: TextIO) -> None:
    """The ranking table, the lines under it, then the best fit's own part (a mixture's summary,
    the metalog's code lines)."""
    from priorcli.commands.ranked import _support_notes, _truncated_text

    top = result.rows[0].aic
    rows = [(str(i), r.label + (" (LS)" if _ls(r.fit) else ""), render.fmt(r.fit.log_likelihood, 8),
             render.fmt(r.aic, 8), render.fmt(r.aic - top, 4), render.fmt(r.bic, 8), render.fmt(r.ks, 4),
             render.fmt(r.ks_pvalue, 3), r.params_text(i)) for i, r in enumerate(result.rows, start=1)]
    least = any(_ls(r.fit) for r in result.rows)
    title = (f"{'fits' if least else 'maximum-likelihood fits'}{_truncated_text(result)} ranked by AIC (BIC beside it)"
             + ("; maximum likelihood, but (LS): Keelin's least squares, its log-likelihood at the least-squares "
                "coefficients, k = its terms" if least else ""))
    render.write_params_table(title, rows, ["rank", "family", "log-lik", "AIC", "dAIC", "BIC", "KS", "KS p",
                                            "parameters"], out, numeric=False)
    lines = [_below(i, r.fit) for i, r in enumerate(result.rows, start=1) if isinstance(r.fit, MixtureFit) or _ls(r.fit)]
    lines.append(f"best: {result.rows[0].fit.numpyro}")
    best = result.best
    if _ls(best):
        code = ml.code_lines(best.result.metalog)
        lines += render.code_lines_text(code["numpyro"], code["stan"], code["pymc"])
    lines += _support_notes(result)
    lines += [f"skipped {s.family}: {s.reason}" for s in result.skipped]
    render.write_lines(lines, out)
    if isinstance(best, MixtureFit):
        mixture_fit.write_mixture(best, options, out)


def _below(i: int, fit) -> str:
    if isinstance(fit, MixtureFit):
        return f"[{i}] {fit.spec.family.describe(fit.params)}"
    m = fit.result.metalog
    return (f"[{i}] {fit.numpyro}: {m.kind}, {m.k} terms, by Keelin's least squares at (i - 0.5) / n, not maximum "
            "likelihood (a maximum-likelihood metalog of these terms would have at least this likelihood)")


def program(result: Fits, target: str, command: str) -> str:
    """``--emit TARGET``: the best fit as a program (the metalog as its quantile function)."""
    if _ls(result.best):
        from priorcli.emit import metalog as programs

        return programs.program(result.best.result.metalog, target, command)
    return mixture_fit.program(result, target, command)
