"""The state of ``priorcli explore --roulette``, without Textual: bins, chips, the ranked fits.

Keys map to :meth:`RouletteState.move`, :meth:`add` and :meth:`remove`; after every change the
candidate families are refitted (:func:`priorcli.roulette.fit_chips`) and the best one is what
leaving prints. A state whose chips cannot be fitted yet keeps the reason in ``message``.
"""

from __future__ import annotations

from priorcli import render, roulette
from priorcli.errors import PriorError
from priorcli.explore.state import code_lines


class RouletteState:
    def __init__(self, lo: float, hi: float, bins: int, chips: list[int] | None = None):
        self.edges = roulette.bin_edges(lo, hi, bins)
        self.chips = list(chips) if chips is not None else [0] * bins
        self.selected = bins // 2
        self.ranking: roulette.Ranking | None = None
        self.message = ""
        self.refit()

    @property
    def best(self) -> roulette.RouletteFit | None:
        return self.ranking.fits[0] if self.ranking else None

    def move(self, delta: int) -> None:
        self.selected = min(max(self.selected + delta, 0), len(self.chips) - 1)

    def add(self) -> None:
        self.chips[self.selected] += 1
        self.refit()

    def remove(self) -> None:
        if self.chips[self.selected] == 0:
            self.message = "this bin has no chips to remove"
            return
        self.chips[self.selected] -= 1
        self.refit()

    def refit(self) -> None:
        """Fit and rank the candidates; with too few chips say so and keep no fit."""
        self.ranking = None
        if not any(self.chips):
            self.message = f"drop chips in at least {roulette.MIN_FILLED_BINS} bins (Up or Space adds one)"
            return
        try:
            self.ranking = roulette.fit_chips(self.edges, self.chips)
        except PriorError as exc:
            self.message = str(exc)
            return
        self.message = "; ".join(self.ranking.failed)

    def expected(self) -> list[float] | None:
        best = self.best
        return None if best is None else roulette.expected_chips(best, self.edges, sum(self.chips))

    def rows(self, limit: int = 9) -> list[tuple[str, str, str]]:
        """(family, loss, parameters) of the ranked fits, best first."""
        if self.ranking is None:
            return []
        return [(f.family, render.fmt(f.loss, 3), ", ".join(render.fmt(v, 4) for v in f.params.values()))
                for f in self.ranking.fits[:limit]]

    def document(self) -> dict | None:
        """The best fit as ``solve --format json``'s document; the chips' cumulative proportions
        are its quantile targets (``q<p>``: the edge with that proportion of chips below it)."""
        from priorcli import records

        best = self.best
        if best is None:
            return None
        lines = code_lines(best.family, best.params)
        xs, ps = roulette.cumulative_points(self.edges, self.chips)
        record = records.get(best.family)
        inner = [(p, x) for x, p in zip(xs, ps) if 0.0 < p < 1.0]
        return {
            "family": best.family,
            "params": render.params_json(best.params),
            "targets": {f"q{p!r}": render.json_number(x) for p, x in inner},
            "achieved": {f"q{p!r}": render.json_number(float(record.icdf(p, **best.params))) for p, x in inner},
            "numpyro": lines["numpyro"],
            "stan": lines.get("stan"),
            "notes": [f"roulette: least-squares fit to {sum(self.chips)} chips in {len(self.chips)} bins"],
            "method": "least-squares",
            "loss": render.json_number(best.loss),
        }

    def lines(self) -> dict[str, str] | None:
        best = self.best
        return None if best is None else code_lines(best.family, best.params)
