"""A refused key press in the roulette (removing a chip from an empty bin) stays on the status line
when a ranking started earlier lands afterwards (CI under load saw the ranking's message replace it)."""

from __future__ import annotations

from priorcli.explore.roulette_state import RouletteState


def test_a_refusal_outlives_a_late_ranking_and_goes_with_the_next_change():
    state = RouletteState(-5.0, 5.0, 10)
    state.selected = 5
    for _ in range(3):
        state.add()
    snapshot = state.snapshot()  # the ranking worker starts on these chips
    state.selected = 8
    state.remove()  # nothing there: refused, the chips unchanged
    assert state.snapshot() == snapshot
    assert state.apply(snapshot[0], state.compute(snapshot))  # the ranking lands after the refusal
    assert state.status().startswith("this bin has no chips to remove")
    state.selected = 5
    state.remove()
    assert "no chips" not in state.status()
