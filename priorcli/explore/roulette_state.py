"""The state of ``priorcli explore --roulette``, without Textual: bins, chips, the ranking.

Keys map to :meth:`RouletteState.move`, :meth:`add` and :meth:`remove`, which only count chips
(instant). Every chip change bumps ``version``; the ranking (issue 10's, through
:func:`priorcli.explore.roulette.rank_chips`; a second or more cold) is computed from a
:meth:`snapshot` by :meth:`compute`, which reads nothing else and so may run in a worker thread,
and :meth:`apply` keeps the result only if the chips have not changed since (the latest chips
win; a stale result is dropped). :meth:`refit` does both at once for callers without a thread.
A state whose chips cannot be fitted yet keeps the reason in ``message``.
"""

from __future__ import annotations

from priorcli.render import output as render
from priorcli.elicit import roulette
from priorcli.errors import PriorError
from priorcli.explore.state import code_lines

EMPTY = f"drop chips in at least {roulette.MIN_FILLED_BINS} bins (Up or Space adds one)"


class RouletteState:
    def __init__(self, lo: float, hi: float, bins: int, chips: list[int] | None = None):
        self.edges = roulette.bin_edges(lo, hi, bins)
        self.chips = list(chips) if chips is not None else [0] * bins
        self.selected = bins // 2
        self.version = 0  # bumped by every chip change
        self.ranked_version = -1  # the chips' version that ranking and message describe
        self.ranking = None  # priorcli.ranking.Ranking of the chips, best first
        self.message = ""
        self.notice = ""  # a refused key press, kept until the chips change: a late ranking must not hide it
        if not any(self.chips):
            self.refit()  # nothing to fit: instant

    @property
    def stale(self) -> bool:
        """Whether the chips changed since the ranking shown was computed."""
        return self.ranked_version != self.version

    @property
    def best(self):
        """The best RankedSolution (``.family``, ``.solution``, ``.loss``), or None."""
        return self.ranking.best if self.ranking else None

    def move(self, delta: int) -> None:
        self.selected = min(max(self.selected + delta, 0), len(self.chips) - 1)

    def add(self) -> None:
        self.chips[self.selected] += 1
        self.version += 1
        self.notice = ""

    def remove(self) -> None:
        if self.chips[self.selected] == 0:
            self.notice = "this bin has no chips to remove"
            return
        self.chips[self.selected] -= 1
        self.version += 1
        self.notice = ""

    def snapshot(self) -> tuple[int, tuple[int, ...]]:
        return self.version, tuple(self.chips)

    def compute(self, snapshot: tuple[int, tuple[int, ...]], stop=None):
        """The ranking of a snapshot's chips, or the message saying why there is none; None when
        ``stop()`` said to stop (newer chips, or the app closing)."""
        from priorcli.ranking import Stopped

        _, chips = snapshot
        if not any(chips):
            return EMPTY
        try:
            return roulette.rank_chips(self.edges, list(chips), stop=stop)
        except Stopped:
            return None
        except PriorError as exc:
            return str(exc)

    def apply(self, version: int, outcome) -> bool:
        """Keep ``outcome`` (from :meth:`compute`) if it is of the current chips; False if stale."""
        if outcome is None or version != self.version:
            return False
        self.ranked_version = version
        if isinstance(outcome, str):
            self.ranking, self.message = None, outcome
        else:
            self.ranking = outcome
            self.message = "; ".join(f"skipped {s.family}: {s.reason}" for s in outcome.skipped)
        return True

    def refit(self) -> None:
        snapshot = self.snapshot()
        self.apply(snapshot[0], self.compute(snapshot))

    def status(self) -> str:
        current = "ranking the families for the new chips ..." if self.stale else self.message
        return "; ".join(part for part in (self.notice, current) if part)

    def expected(self) -> list[float] | None:
        best = self.best
        if best is None:
            return None
        return roulette.expected_chips(best.family, best.solution.params, self.edges, sum(self.chips))

    def rows(self, limit: int = 9) -> list[tuple[str, str, str]]:
        """(family, loss, parameters) of the ranked fits, best first."""
        if self.ranking is None:
            return []
        return [(r.family, render.fmt(r.loss, 3), ", ".join(render.fmt(v, 4) for v in r.solution.params.values()))
                for r in self.ranking.ranked[:limit]]

    def document(self) -> dict | None:
        """The best fit as ``solve --format json``'s document for the chips' quantile targets."""
        best = self.best
        if best is None:
            return None
        solution = best.solution
        notes = [f"roulette: {sum(self.chips)} chips in {len(self.chips)} bins, ranked best of "
                 f"{len(self.ranking.ranked)} families"] + list(solution.notes)
        return {**render.solution_json(solution, notes), "loss": render.json_number(best.loss)}

    def lines(self) -> dict[str, str] | None:
        best = self.best
        return None if best is None else code_lines(best.family, best.solution.params)
