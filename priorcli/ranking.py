"""Which family? Several candidate families fitted to the same targets or data, ranked.

* ``rank_solutions(spec, pairs)``: ``solve --family auto|F,F,...``. Every candidate is solved for
  the targets (exactly, by maximum entropy, or by least squares when it has fewer free parameters
  than targets) and ranked by the least-squares loss of :func:`priorcli.solving.target_loss`
  (probability scale; ~0 for an exact answer); in a tie (within 1e-10) fewer free parameters come
  first (a limiting case such as a StudentT with df running off to a Normal ties with it), then
  the larger entropy.
* ``rank_fits(spec, values, pairs)``: ``summarize --input FILE --fit auto|F,F,...``. Maximum
  likelihood fits (:mod:`priorcli.fitting`) ranked by AIC = 2k - 2 log L (k: the free parameters),
  each with its log-likelihood and the Kolmogorov-Smirnov statistic and p-value of
  ``scipy.stats.kstest`` against the fitted cdf (for a discrete family the statistic is
  ``max_k |ECDF(k) - F(k)|`` over the whole numbers, with no p-value: scipy's assumes no ties).

``auto`` means every univariate family with a record (numpy/scipy numerics only, no jax) whose
support holds the target values or the data. For targets, discrete families join the continuous
ones when every quantile, median and interval end given is a whole number (and there is one); for
data, whole numbers are fitted by the discrete families only, other data by the continuous ones
(a pmf's and a density's likelihoods are not comparable).
Families whose whole-number parameter is not given (Binomial's total_count) are left out of
``auto``; a ``--PARAM V`` applies to the candidates that have that parameter, and the others are
left out. A candidate that cannot take the request is listed as skipped with the reason, never
silently dropped; if none is left, that is an InfeasibleError (exit 1).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

from priorcli import records
from priorcli.errors import InfeasibleError, PriorError, UsageError
from priorcli.families.registry import FamilyInfo, complete_params, parse_family_args, resolve, resolve_fast
from priorcli.families.targets import Targets
from priorcli.records.base import show

__all__ = ["RankedSolution", "RankedFit", "Skipped", "Ranking", "Stopped", "rank_solutions", "rank_targets",
           "rank_fits", "ranked_fit", "candidates", "truncated_line", "TIE"]

TIE = 1e-10  # losses this close are a tie, broken by entropy


class Stopped(PriorError):
    """A ranking given ``stop`` was stopped between candidates (explore's roulette: newer chips)."""

    exit_code = 130


@dataclass(frozen=True)
class Skipped:
    family: str
    reason: str


@dataclass(frozen=True)
class RankedSolution:
    family: str
    solution: object  # priorcli.emit.lines.Solved: the solver's Solution with its code lines
    loss: float
    entropy: float | None
    residuals: dict = field(default_factory=dict)
    free: int = 0  # parameters solved for (the others were held)


@dataclass(frozen=True)
class RankedFit:
    family: str
    fit: object  # priorcli.fitting.Fit
    free: int  # number of estimated parameters
    aic: float
    ks: float
    ks_pvalue: float


@dataclass(frozen=True)
class Ranking:
    ranked: tuple  # RankedSolution or RankedFit, best first (continuous ones when there are any)
    skipped: tuple[Skipped, ...]
    discrete: tuple = ()  # solve: the discrete families, ranked apart from the continuous ones
    left_out: tuple[Skipped, ...] = ()  # auto: families not tried, and why (support, whole numbers)
    support: str | None = None  # --support given (positive, unit, real)
    preferred: str | None = None  # "positive": every stated value is, so those families rank first
    ranked_after: tuple[str, ...] = ()  # families whose support reaches below 0, ranked after the others
    # () -> MetalogBeside or None, fitted when first asked (by solve's output; elicit and explore never ask)
    metalog_of: object = field(default=None, repr=False, compare=False)
    truncate: object = None  # the truncation every family was ranked under (records.truncated.Truncation)

    @property
    def best(self):
        return self.ranked[0]

    @property
    def metalog(self):
        """MetalogBeside: Keelin's metalog through the same quantiles (solve), or None."""
        return self.metalog_of() if self.metalog_of is not None else None


def _family_list(spec: str, option: str) -> list[FamilyInfo] | None:
    """The families of a comma list (None for auto), split and checked as ``--fit`` lists are
    (fitting.lists.list_items: an empty, unknown, multivariate or repeated item is a usage error
    naming it)."""
    from priorcli.fitting.lists import list_items

    if spec.strip().lower() == "auto":
        return None
    if not spec.strip():
        raise UsageError(f"{option} '{spec}' must be auto or comma-separated family names")
    if "," not in spec:  # one family: its own messages, without a list's item number
        return [_univariate(spec.strip())]
    return list_items(spec, option, _univariate, lambda family: family.name, noun="family",
                      what="a family", auto="ranks every family")


def _univariate(name: str) -> FamilyInfo:
    family = resolve_fast(name) or resolve(name)
    if family.multivariate:
        raise UsageError(f"{family.name} is multivariate: a ranking compares univariate families")
    return family


def candidates(spec: str, option: str = "--family") -> tuple[list[FamilyInfo], bool]:
    """(families, auto): the named families of ``option``'s list, or every univariate family with a record."""
    named = _family_list(spec, option)
    if named is not None:
        return named, False
    # a record's not_auto leaves it out: a second parametrisation would list the same member twice
    return [resolve_fast(name) for name, r in records.RECORDS.items() if r.not_auto is None], True


def _parse_for(family: FamilyInfo, pairs) -> tuple[dict, Targets]:
    parsed = parse_family_args(family, pairs)
    return dict(parsed.params), parsed.targets


def _needs_whole_number(family: FamilyInfo, fixed: dict) -> str | None:
    missing = [p.name for p in family.params if p.domain.integer and p.name not in fixed]
    return missing[0] if missing else None


def _whole(values) -> bool:
    return all(float(v) == math.floor(float(v)) for v in values)


def _target_values(t: Targets) -> list[float]:
    values = [v for _, v in t.quantiles]
    values += [v for v in (t.median, t.lower, t.upper) if v is not None]
    return values


# ---------------------------------------------------------------------------------------------
# solve --family


SUPPORTS = {"positive": (0.0, math.inf), "unit": (0.0, 1.0), "real": (-math.inf, math.inf)}


def _support_option(pairs: list[tuple[str, str]]) -> tuple[str | None, list[tuple[str, str]]]:
    """``--support positive|unit|real`` taken out of the pairs (it is no family's parameter)."""
    given = [v for n, v in pairs if n == "support"]
    rest = [(n, v) for n, v in pairs if n != "support"]
    if not given:
        return None, rest
    value = given[-1].strip().lower()
    if value not in SUPPORTS:
        raise UsageError(f"--support '{given[-1]}' must be one of {', '.join(SUPPORTS)}")
    return value, rest


def _all_positive(t: Targets) -> bool:
    """Every stated value positive (an interval may start at 0): the quantity is taken as positive."""
    points = [v for _, v in t.quantiles] + [v for v in (t.median, t.mean, t.mode, t.upper)
                                              if isinstance(v, (int, float))]
    lower_ok = t.lower is None or (isinstance(t.lower, (int, float)) and t.lower >= 0.0)
    return bool(points) and lower_ok and all(isinstance(v, (int, float)) and v > 0.0 for v in points)


def _within(family: str, params: dict, bounds: tuple[float, float], truncate=None) -> bool:
    from priorcli.records.truncated import within

    lo, hi = within(records.get(family).support(**params), truncate)
    return bounds[0] <= lo and hi <= bounds[1]


def rank_solutions(spec: str, pairs: list[tuple[str, str]], stop=None, truncate=None) -> Ranking:
    """Solve the targets in ``pairs`` for each candidate of ``spec``; rank by loss, then entropy,
    the continuous families apart from the discrete ones. ``--support positive|unit|real`` keeps
    the families whose support (at the answer) lies within it; without it, when every stated value
    is positive, families whose support reaches below 0 are ranked after the others.
    ``stop``: an optional callable asked before each candidate; True raises :class:`Stopped`.
    ``truncate`` (a records.truncated.Truncation): every candidate truncated there, its base
    parameters solved with the truncation held; families that cannot take it are left out."""
    support, pairs = _support_option(pairs)
    ranked, skipped, left_out, targets = _solve_candidates(spec, pairs, stop, truncate)
    if support is not None and support != "real":
        keep = [r for r in ranked if _within(r.family, r.solution.params, SUPPORTS[support], truncate)]
        left_out += [Skipped(r.family, f"its support {_support_text(r)} is not within "
                                       f"{_support_text(None, SUPPORTS[support])} (--support {support})")
                     for r in ranked if r not in keep]
        ranked = keep
    preferred = "positive" if support is None and targets is not None and _all_positive(targets) else None
    after = {r.family for r in ranked
             if preferred and not _within(r.family, r.solution.params, SUPPORTS["positive"], truncate)}
    if not ranked:
        _none_left(skipped, left_out, truncate)
    key = _solution_key(after)
    continuous = sorted((r for r in ranked if not records.get(r.family).discrete), key=key)
    discrete = sorted((r for r in ranked if records.get(r.family).discrete), key=key)
    first, second = (continuous, discrete) if continuous else (discrete, [])
    order = tuple(r.family for r in first + second if r.family in after)
    beside = functools.cache(lambda: metalog_beside(targets, support, preferred, truncate)) if targets is not None else None
    return Ranking(tuple(first), tuple(skipped), tuple(second), tuple(left_out), support, preferred, order, beside,
                   truncate)


@dataclass(frozen=True)
class MetalogBeside:
    """The metalog through every quantile target, shown beside a ranking (it is no family there: it
    meets any k >= 2 quantiles exactly, so a loss would rank nothing): ``metalog`` is None and
    ``reason`` says why when there is none (infeasible quantiles)."""

    pairs: tuple[tuple[float, float], ...]
    lower: float
    upper: float
    metalog: object = None  # priorcli.records.metalog.Metalog
    reason: str | None = None


def metalog_beside(targets: Targets, support: str | None, preferred: str | None,
                   truncate=None) -> MetalogBeside | None:
    """For targets that are only quantiles (a median counts), k >= 2 of them: the metalog through
    them, bounded as the ranking's support says (--support positive, or every value positive: at 0
    below; --support unit: on (0, 1); otherwise unbounded), and within a truncation's ends."""
    from priorcli.records.truncated import within

    from priorcli.records import metalog

    others = (targets.mode, targets.mean, targets.sd, targets.lower, targets.upper, targets.mass, targets.count)
    pairs = tuple(targets.quantiles) + (((0.5, targets.median),) if targets.median is not None else ())
    if any(v is not None for v in others) or len(pairs) < 2:
        return None
    bounds = within(SUPPORTS["positive" if support is None and preferred == "positive" else support or "real"],
                    truncate)
    try:
        return MetalogBeside(pairs, *bounds, metalog=metalog.fit(pairs, *bounds))
    except PriorError as exc:
        return MetalogBeside(pairs, *bounds, reason=str(exc))


def _support_text(r, bounds=None) -> str:
    from priorcli.solving.result import fmt_interval

    lo, hi = bounds if bounds is not None else records.get(r.family).support(**r.solution.params)
    return fmt_interval(lo, hi) if bounds is None else f"[{lo:g}, {hi:g}]"


def _none_left(skipped, left_out, truncate=None) -> None:
    why = "; ".join(f"{s.family}: {s.reason}" for s in skipped + left_out) or "no family's support holds the targets"
    if truncate is not None and not skipped:  # every family refused the truncation or the targets' values
        raise UsageError(f"no candidate family can be truncated to --truncate {truncate.text()} for these targets "
                         f"({why})")
    raise InfeasibleError(f"no candidate family meets the targets ({why})")


def _solve_candidates(spec: str, pairs, stop, truncate=None):
    """(ranked unsorted, skipped, left out of auto, the targets) for every candidate of ``spec``."""
    families, auto = candidates(spec)
    ranked, skipped, first_error, errors, left_out, parsed = [], [], None, [], [], None
    refused = 0  # named families that cannot take the truncation (a usage error when none is left)
    for family in families:
        if stop is not None and stop():
            raise Stopped("ranking stopped")
        try:
            fixed, targets = _parse_for(family, pairs)
        except UsageError as exc:  # a parameter this family does not have
            first_error = first_error or exc
            if not auto:
                skipped.append(Skipped(family.name, str(exc)))
            continue
        if targets.is_empty():
            raise UsageError("solve --family needs targets: --mode, --median, --mean, --sd, --quantile P=V, "
                             "or --lower L --upper U --mass P")
        if auto and targets.bound is not None:  # said once, not once per candidate family
            raise UsageError(f"--bound {show(targets.bound)} is Dirichlet's target (the mass within mode_i +- "
                             "bound); --family auto ranks univariate families: use solve dirichlet --mode ... "
                             "--bound B --mass P")
        if parsed is None and truncate is not None:
            from priorcli.records.truncated import check_targets_inside

            check_targets_inside(targets.as_dict(), truncate)
        parsed = targets
        reason = _truncation_refuses(family, fixed, truncate)
        if reason is not None:
            (left_out if auto else skipped).append(Skipped(family.name, reason))
            refused += 1
            continue
        reason = _auto_refuses(family, targets, fixed, truncate) if auto else None
        if reason is not None:
            left_out.append(Skipped(family.name, reason))
            continue
        try:
            entry = _solve_one(family, targets, fixed, truncate)
        except PriorError as exc:
            if isinstance(exc, UsageError) and not auto and _is_request_error(exc):
                raise
            errors.append(exc)
            skipped.append(Skipped(family.name, str(exc)))
            continue
        if isinstance(entry, str):
            skipped.append(Skipped(family.name, entry))
        else:
            ranked.append(entry)
    if not ranked:
        if first_error is not None and not skipped:
            raise first_error
        why = "; ".join(f"{s.family}: {s.reason}" for s in skipped) or "no family's support holds the targets"
        # every family refused the request as malformed (a value outside each support): a usage error
        kind = UsageError if (errors or refused) and all(isinstance(e, UsageError) for e in errors) \
            and len(errors) + (0 if auto else refused) == len(skipped) else InfeasibleError
        if skipped or truncate is None:
            raise kind(f"no candidate family meets the targets ({why})")
    return ranked, skipped, left_out, parsed


def _truncation_refuses(family: FamilyInfo, fixed: dict, truncate) -> str | None:
    """Why this family is not ranked under the truncation (None: it is, or there is none)."""
    if truncate is None:
        return None
    if family.closed is None:
        return "priorcli has no record of it to truncate (name it alone: solve FAMILY --truncate)"
    from priorcli.records.truncated import ranking_refuses

    return ranking_refuses(family.closed, fixed, truncate)


def _solve_one(family: FamilyInfo, targets: Targets, fixed: dict, truncate) -> RankedSolution | str:
    """One candidate solved and scored (truncated when ``truncate``), or why it has no place."""
    from dataclasses import replace

    from priorcli.emit.lines import solved
    from priorcli.solving import Underdetermined, solve, target_loss

    record = None
    if truncate is not None:
        from priorcli.records.truncated import truncated_record

        record = truncated_record(family.closed, truncate)
    result = solve(family.name, targets, fixed, record)
    if isinstance(result, Underdetermined):
        return "the targets leave a parameter free"
    loss, residuals = target_loss(family.name, targets, result.params, record)
    if not math.isfinite(loss):  # a target undefined at the answer: no place in the ranking
        return "its loss at the answer is not a number"
    if truncate is not None:
        result = replace(result, truncate=truncate)
    entropy = _entropy(family.name, result.params, record)
    return RankedSolution(family.name, solved(result), loss, entropy, residuals, len(result.params) - len(fixed))


def _is_request_error(exc: UsageError) -> bool:
    """Errors about the request itself (a malformed target), not about one family."""
    text = str(exc)
    return "must be" in text and "support" not in text


def _auto_refuses(family: FamilyInfo, targets: Targets, fixed: dict, truncate=None) -> str | None:
    """Why ``auto`` does not try this family (None: it does): its whole-number parameters not
    given, discrete for targets that are not whole numbers, or a target value outside its support."""
    missing = _needs_whole_number(family, fixed)
    if missing is not None:
        return f"its {missing} is not given (--{missing.replace('_', '-')} N)"
    F = family.closed
    values = _target_values(targets)
    if family.discrete and not (values and _whole(values)):
        return "discrete, and the target values are not all whole numbers"
    if family.discrete and targets.mode is not None:
        return "discrete, and a mode is no target for a discrete family"
    try:
        support = F.support_given(fixed)
    except (TypeError, ValueError):
        return "the support is unknown for these parameters"
    if truncate is not None:
        from priorcli.records.truncated import within

        return None if _inside(family, targets, within(support, truncate)) else \
            "the truncated support does not hold the target values"
    return None if _inside(family, targets, support) else "the support does not hold the target values"


def _inside(family: FamilyInfo, targets: Targets, support) -> bool:
    lo, hi = support
    points = [v for _, v in targets.quantiles] + [v for v in (targets.median, targets.mean, targets.mode)
                                                  if isinstance(v, (int, float))]
    inside = all((lo <= v <= hi) if family.discrete else (lo < v < hi) for v in points)
    if targets.lower is not None and targets.upper is not None:  # an interval may start where the support does
        inside = inside and lo <= targets.lower and targets.upper <= hi and not (
            targets.lower <= lo and targets.upper >= hi)
    return inside


def _entropy(family: str, params: dict, record=None) -> float | None:
    F = record or records.get(family)
    try:
        h = F.entropy(**params) if F.entropy is not None else None
    except (ValueError, ArithmeticError):
        return None
    return h if h is not None and math.isfinite(h) else None


def _solution_key(after=frozenset()):
    """Sort key: the families in ``after`` last; loss in steps of TIE; in a tie, fewer free
    parameters first (a Normal before the StudentT whose df runs off towards it), then the larger
    entropy."""

    def key(r: RankedSolution):
        h = r.entropy if r.entropy is not None else -math.inf
        return (r.family in after, round(r.loss / TIE), r.free, -h)

    return key


def rank_targets(spec: str, targets: Targets, fixed: dict | None = None, stop=None,
                 support: str | None = None, truncate=None) -> Ranking:
    """The same ranking for Python callers (explore's roulette: its chips are quantile targets,
    ``Targets(quantiles=((p, v), ...), weights=...)``): ``spec`` is "auto" or "gamma,lognormal";
    ``support`` as ``--support``; ``truncate`` a records.truncated.Truncation."""
    pairs = [(name, repr(float(value))) for name, value in (fixed or {}).items()]
    pairs += [("support", support)] if support is not None else []
    for key, value in targets.as_dict().items():
        weight = targets.weight(key)
        at = f"@{weight!r}" if weight != 1.0 else ""
        if key.startswith("q"):
            pairs.append(("quantile", f"{key[1:]}={float(value)!r}{at}"))
        else:
            pairs.append((key, f"{float(value)!r}{at if key not in ('lower', 'upper') else ''}"))
    return rank_solutions(spec, pairs, stop, truncate)


# ---------------------------------------------------------------------------------------------
# summarize --input --fit


def rank_fits(spec: str, values, pairs: list[tuple[str, str]], truncate=None) -> Ranking:
    """Maximum-likelihood fits of each candidate of ``spec`` to ``values``, ranked by AIC;
    ``truncate`` (a records.truncated.Truncation): each continuous family truncated there (its
    ends held, not estimated), data outside it a usage error."""
    import numpy as np

    x = np.asarray(values, dtype=np.float64).ravel()
    families, auto = candidates(spec, "--fit")
    if truncate is not None:
        from priorcli.fitting.truncated import check_data_inside

        check_data_inside(x, truncate)
    whole = truncate is None and bool(x.size) and bool(np.all(x == np.floor(x)))
    ranked, skipped, first_error, left_out = [], [], None, []
    for family in families:
        try:
            fixed, targets = _parse_for(family, pairs)
        except UsageError as exc:
            first_error = first_error or exc
            if not auto:
                skipped.append(Skipped(family.name, str(exc)))
            continue
        if not targets.is_empty():
            raise UsageError("--fit takes parameters to hold (--total-count 5), not targets")
        if auto and (_needs_whole_number(family, fixed) is not None or family.discrete != whole):
            if truncate is not None and family.discrete:
                left_out.append(Skipped(family.name, "discrete: a truncation applies to continuous families"))
            continue
        reason = _truncation_refuses(family, fixed, truncate) if auto else None
        if reason is not None:
            left_out.append(Skipped(family.name, reason))
            continue
        try:
            entry = ranked_fit(family, x, fixed, truncate)
        except UsageError as exc:
            if not auto and len(families) == 1:
                raise
            skipped.append(Skipped(family.name, str(exc)))
            continue
        except PriorError as exc:
            if len(families) == 1:
                raise
            skipped.append(Skipped(family.name, str(exc)))
            continue
        ranked.append(entry)
    if not ranked:
        if first_error is not None and not skipped:
            raise first_error
        why = "; ".join(f"{s.family}: {s.reason}" for s in skipped + left_out) or "no family's support holds the data"
        raise (UsageError if truncate is not None and not skipped else InfeasibleError)(
            f"no candidate family could be fitted ({why})")
    ranked.sort(key=lambda r: r.aic)
    return Ranking(tuple(ranked), tuple(skipped), left_out=tuple(left_out), truncate=truncate)


def ranked_fit(family: FamilyInfo, x, fixed: dict, truncate=None) -> RankedFit:
    """One family's maximum-likelihood fit with ``fixed`` held, its AIC and KS test (an entry of
    :func:`rank_fits`, and an item of a mixed ``--fit`` list in commands/fit_list.py)."""
    from priorcli.fitting import fit_family

    fit = truncated_line(fit_family(family.name, x, fixed=fixed, truncate=truncate))
    k = len([p for p in family.params if p.name not in fixed])
    ks, pvalue = _ks(family.name, fit.params, x, truncate)
    return RankedFit(family.name, fit, k, 2.0 * k - 2.0 * fit.log_likelihood, ks, pvalue)


def truncated_line(fit):
    """A truncated fit with its numpyro line written truncated (priorcli.emit.lines)."""
    if getattr(fit, "truncate", None) is None:
        return fit
    from dataclasses import replace

    from priorcli.emit.lines import truncated_numpyro_line

    return replace(fit, numpyro=truncated_numpyro_line(fit.family, fit.params, fit.truncate))


def _ks(family: str, params: dict, x, truncate=None) -> tuple[float, float]:
    """scipy.stats.kstest of the data against the fitted cdf (the record's, else numpyro's; the
    truncated record's under a truncation)."""
    from scipy import stats as st

    import numpy as np

    F = records.get(family)
    if truncate is not None and F is not None:
        from priorcli.records.truncated import truncated_record

        F = truncated_record(F, truncate)
    if F is not None and F.discrete and F.cdf is not None:
        # scipy's kstest assumes a continuous cdf (ties make its statistic meaningless): the
        # statistic over the whole numbers, max_k |ECDF(k) - F(k)|, and no p-value
        ks = np.arange(np.min(x), np.max(x) + 1.0)
        ecdf = np.searchsorted(np.sort(x), ks, side="right") / x.size
        return float(np.max(np.abs(ecdf - F.cdf(ks, **params)))), math.nan
    if F is not None and F.atom:
        return _ks_atom(F, params, x), math.nan
    if F is not None and F.cdf is not None:
        cdf = lambda v: F.cdf(v, **params)  # noqa: E731
        if F.reading is not None:  # the data as the record reads them (VonMises: about loc)
            x = F.reading(x, **params)
    else:
        from priorcli.stats.exact import DistSpec, build_distribution

        info = resolve(family)
        dist = build_distribution(DistSpec(info, complete_params(info, params)))
        try:
            dist.cdf(np.asarray(x[:1]))
        except NotImplementedError:
            return math.nan, math.nan  # numpyro has no cdf for it: no KS statistic
        cdf = lambda v: np.asarray(dist.cdf(np.asarray(v)), dtype=np.float64)  # noqa: E731
    result = st.kstest(x, cdf)
    return float(result.statistic), float(result.pvalue)


def _ks_atom(F, params: dict, x) -> float:
    """sup |ECDF - F| for a point mass at 0 beside a density (HurdleGamma): the jump at 0 compared
    with the share of zeros, then the usual one-sided gaps at each positive value. No p-value:
    scipy's assumes a continuous cdf."""
    import numpy as np

    xs = np.sort(x)
    n = xs.size
    zeros = int(np.sum(xs == 0.0))
    gap = abs(zeros / n - F.cdf(0.0, **params))
    rest = xs[zeros:]
    if rest.size:
        at = F.cdf(rest, **params)
        i = np.arange(zeros + 1, n + 1)
        gap = max(gap, float(np.max(i / n - at)), float(np.max(at - (i - 1) / n)))
    return float(gap)
