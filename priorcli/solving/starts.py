"""Starting points for the numerical searches (least squares, maximum entropy).

A rough mean and sd implied by the targets, turned into parameters by the record's
``moment_start``, a few steps around that, then a coarse grid over the standardised space.
"""

from __future__ import annotations

import math
from statistics import NormalDist

from priorcli.records import FamilyRecord
from priorcli.solving.problem import Problem, mapped

__all__ = ["rough_mean_sd", "starts"]

NORMAL = NormalDist()


def rough_mean_sd(eqs) -> tuple[float | None, float | None]:
    """A rough (mean, sd) implied by the targets, for starting points."""
    by = {eq.kind: eq for eq in eqs if eq.kind != "quantile"}
    qs = sorted((eq.p, eq.value) for eq in eqs if eq.kind == "quantile")
    if "median" in by:
        qs = sorted(qs + [(0.5, by["median"].value)])
    m = s = None
    for k in ("mean", "median", "mode"):
        if k in by:
            m = by[k].value
            break
    if "sd" in by:
        s = by["sd"].value
    zs = [(NORMAL.inv_cdf(p), v) for p, v in qs]
    if len(zs) >= 2:
        (z1, v1), (z2, v2) = zs[0], zs[-1]
        s = s if s is not None else (v2 - v1) / (z2 - z1)
        if m is None:
            m = v1 - z1 * (v2 - v1) / (z2 - z1)
    elif len(zs) == 1:
        z, v = zs[0]
        if m is None and s is not None:
            m = v - z * s
        elif m is not None and s is None and z != 0.0 and v != m:
            s = abs(v - m) / abs(z)
        elif m is None:
            m = v
    if "mass" in by:
        eq = by["mass"]
        lo, hi = eq.lower, eq.upper
        if math.isfinite(lo) and math.isfinite(hi):
            m = m if m is not None else 0.5 * (lo + hi)
            s = s if s is not None else (hi - lo) / (2.0 * NORMAL.inv_cdf(0.5 + 0.5 * eq.value))
        elif math.isfinite(hi):
            m = m if m is not None else 0.5 * hi
            s = s if s is not None else 0.5 * hi
    if "count" in by and m is not None and 0.0 < m < 1.0 and s is None:
        s = math.sqrt(m * (1.0 - m) / (by["count"].value + 1.0))
    if m is not None and s is None:
        s = abs(m) if m else 1.0
    return m, s


def _moment_member(F: FamilyRecord, m: float, s: float) -> dict | None:
    """Rough parameters with mean m and sd s (the record's moment start), None without one."""
    if F.moment_start is None or not (math.isfinite(m) and math.isfinite(s)) or s <= 0.0:
        return None
    return F.moment_start(m, s)


def starts(prob: Problem, eqs, fixed, free, first: list | None = None, limit: int = 40) -> list[list[float]]:
    """Starting points in unconstrained coordinates: a given one, a moment-matched guess, a few
    steps around it, then a coarse grid over the whole (standardised) space."""
    starts = []
    if first is not None:
        starts.append(first)
    m, s = rough_mean_sd(eqs)
    if m is not None:
        guess = _moment_member(prob.F, m, s)
        if guess is not None:
            guess.update(fixed)
            x = prob.x_of(guess, free)
            if x is not None:
                starts.append(x)
                for i in range(len(free)):
                    for step in (2.0, -2.0):
                        y = list(x)
                        y[i] += step
                        starts.append(y)
    axes = []
    for n in free:
        if prob.bounded or mapped(prob.domains[n]):
            axes.append((0.0, 1.5, -1.5, 3.0, 4.5, -3.0))
        else:
            axes.append((0.0, 1.0, -1.0, 2.0, -2.0))
    combos = [[]]
    for ax in axes:
        combos = [c + [v] for c in combos for v in ax]
    combos.sort(key=lambda c: sum(abs(v) for v in c))
    starts += combos
    out, seen = [], set()
    for x in starts:
        key = tuple(round(v, 9) for v in x)
        if key not in seen:
            seen.add(key)
            out.append(x)
    return out[:limit]

