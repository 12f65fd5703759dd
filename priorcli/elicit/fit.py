"""``priorcli elicit``: each expert's judgements fitted by ``solve --family``'s ranking
(:func:`priorcli.ranking.rank_targets`; roulette chips through :func:`priorcli.elicit.roulette.rank_chips`),
SHELF-style feedback, and the pools of the chosen fits (:mod:`priorcli.elicit.pool`). Returns
dataclasses at full precision; priorcli.commands.elicit renders them."""

from __future__ import annotations

from dataclasses import dataclass

from priorcli import records
from priorcli.elicit import pool, roulette
from priorcli.elicit.session import Expert, Session
from priorcli.errors import InfeasibleError, UsageError
from priorcli.families.registry import resolve_fast, resolve
from priorcli.families.targets import Targets

FEEDBACK_TAILS = (0.05, 0.95)  # SHELF shows the fitted 5% and 95% quantiles


@dataclass(frozen=True)
class Feedback:
    probability: float
    stated: float
    fitted: float  # the chosen fit's quantile at ``probability``
    fitted_probability: float  # the chosen fit's P(X <= stated)


@dataclass(frozen=True)
class ExpertFit:
    expert: Expert
    judgements: tuple[tuple[float, float], ...]  # what was fitted (a roulette's chips as quantiles)
    ranking: object  # priorcli.ranking.Ranking
    feedback: tuple[Feedback, ...]
    tails: dict[float, float]  # the chosen fit's 5% and 95% quantiles

    @property
    def chosen(self):
        return self.ranking.best


@dataclass(frozen=True)
class Elicited:
    session: Session
    experts: tuple[ExpertFit, ...]
    linear: pool.Pooled
    log: pool.Pooled
    combined: object | None  # priorcli.ranking.Ranking of the families fitted to the linear pool

    @property
    def components(self) -> list[pool.Component]:
        return [component(e) for e in self.experts]


def component(fit: ExpertFit) -> pool.Component:
    return pool.Component(fit.chosen.family, dict(fit.chosen.solution.params))


def elicit(session: Session) -> Elicited:
    experts = tuple(fit_expert(session, e) for e in session.experts)
    components = [component(e) for e in experts]
    weights = [e.weight for e in session.experts]
    linear = pool.linear_pool(components, weights, session.quantiles)
    log = pool.log_pool(components, weights, session.quantiles)
    combined = pool.combine(components, weights, session.pool_fit) if session.pool_fit else None
    return Elicited(session, experts, linear, log, combined)


def _family_names(spec: str) -> list[str]:
    return [(resolve_fast(n.strip()) or resolve(n.strip())).name for n in spec.split(",")]


def _check_count(session: Session, expert: Expert, count: int) -> None:
    """Fewer judgements than a family has parameters leaves it underdetermined: a usage error."""
    names = None if session.families.lower() == "auto" else _family_names(session.families)
    if names is None:
        need = [("any family", 2)]
    else:
        need = [(n, len(records.get(n).param_names)) for n in names if records.get(n) is not None]
    short = [(n, k) for n, k in need if count < k]
    if short:
        family, k = short[0]
        raise UsageError(f"SESSION '{session.path}' [experts.{expert.name}]: {count} judgement(s), fewer than "
                         f"{family}'s {k} parameters; add quantiles (or chips in more bins)")


def fit_expert(session: Session, expert: Expert) -> ExpertFit:
    from priorcli.ranking import rank_targets

    if expert.roulette is not None:
        edges, chips = (list(v) for v in expert.roulette)
        targets = roulette.quantile_targets(edges, chips)
        _check_count(session, expert, len(targets.quantiles))
        names = None if session.families.lower() == "auto" else _family_names(session.families)
        ranking = roulette.rank_chips(edges, chips, names, support=session.support)
    else:
        targets = Targets(quantiles=expert.judgements)
        _check_count(session, expert, len(targets.quantiles))
        ranking = rank_targets(session.families, targets, support=session.support)
    ranking = _within_limits(session, expert, ranking)
    best = ranking.best
    record, params = records.get(best.family), dict(best.solution.params)
    feedback = tuple(Feedback(p, v, float(record.icdf(p, **params)), float(record.cdf(v, **params)))
                     for p, v in targets.quantiles)
    tails = {p: float(record.icdf(p, **params)) for p in FEEDBACK_TAILS}
    return ExpertFit(expert, tuple(targets.quantiles), ranking, feedback, tails)


def _within_limits(session: Session, expert: Expert, ranking):
    """The quantity's limits: families whose fitted support leaves them are dropped (and listed)."""
    from dataclasses import replace

    from priorcli.ranking import Skipped

    if session.limits is None:
        return ranking
    lo, hi = session.limits
    keep, dropped = [], []
    for r in ranking.ranked:
        s_lo, s_hi = records.get(r.family).support(**r.solution.params)
        (keep if lo <= s_lo and s_hi <= hi else dropped).append(r)
    if not keep:
        raise InfeasibleError(f"[experts.{expert.name}]: no fitted family stays within the quantity's limits "
                              f"[{lo:g}, {hi:g}] ({', '.join(r.family for r in dropped)} reach beyond them)")
    reason = f"its support reaches beyond the quantity's limits [{lo:g}, {hi:g}]"
    return replace(ranking, ranked=tuple(keep),
                   left_out=tuple(ranking.left_out) + tuple(Skipped(r.family, reason) for r in dropped))
