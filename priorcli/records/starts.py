"""Moment starts the records share: rough parameters with mean ``m`` and sd ``s`` (the solver's
starting points, see ``FamilyRecord.moment_start``), or None where no such parameters exist."""

from __future__ import annotations

__all__ = ["positive_mean", "unit_start", "clip_unit"]


def positive_mean(start):
    """A moment start for a positive family: None unless the mean is positive; ``start(m, s, cv)``."""

    def guarded(m: float, s: float):
        return start(m, s, s / m) if m > 0.0 else None

    return guarded


def unit_start(make):
    """A moment start for a family on (0, 1) from the Beta's moments: ``make(m, nu)`` gives the
    parameters from the mean m and the Beta's count nu (the variance capped below its bound)."""

    def start(m: float, s: float):
        if not 0.0 < m < 1.0:
            return None
        nu = m * (1.0 - m) / min(s * s, 0.9 * m * (1.0 - m)) - 1.0
        return make(m, nu)

    return start


def clip_unit(v: float) -> float:
    """A probability kept inside (0, 1), away from the ends."""
    return min(max(v, 1e-6), 1.0 - 1e-6)
