"""What a solve returns (numbers and structure), and the number formatting its messages and the
emitters' code lines share."""

from __future__ import annotations

from dataclasses import dataclass, field

from priorcli.records.base import show

__all__ = ["Solution", "Underdetermined", "SIGMA_GRID", "TOL", "MISS", "format_number", "show", "fmt_interval"]

# sigma values of the table returned for an underdetermined LogNormal.
SIGMA_GRID = (0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0)

TOL = 1e-6  # accepted relative residual of any answer (absolute for interval mass)
MISS = 0.05  # a least-squares fit missing a target by more than this (relative) is warned about


@dataclass(frozen=True)
class Solution:
    """Parameters meeting the targets: numbers and structure only. ``params`` holds every native
    parameter, fixed ones too. Code lines are the emitters' (:class:`priorcli.emit.lines.Solved`,
    which ``priorcli.solve`` returns)."""

    family: str  # numpyro class name
    params: dict  # native name -> float (a tuple of floats for Dirichlet), full precision
    targets: dict  # requested, keyed as Targets.as_dict()
    achieved: dict  # same keys, achieved values
    notes: tuple[str, ...] = ()
    alternatives: tuple[dict, ...] = ()  # other exact solutions, each {"params": {...}}
    method: str = "closed-form"  # "closed-form" | "root" (exact, numerical) | "least-squares" (approximate) | "maxent"
    # least squares only (more targets than free parameters): the weighted sum of squared
    # residuals, and each target's residual and weight, keyed like ``targets``
    loss: float | None = None
    residuals: dict = field(default_factory=dict)
    weights: dict = field(default_factory=dict)
    # targets a least-squares fit misses by more than MISS: key -> {"requested", "achieved", "relative"}
    misses: dict = field(default_factory=dict)
    truncate: object = None  # the truncation held fixed (priorcli.records.truncated.Truncation), or None

    def miss_warnings(self) -> list[str]:
        """One warning per target the fit misses by more than 5%, as the option was given."""
        return [f"Warning: the {self.family} fit misses {_option_text(key, self.targets)} by "
                f"{100.0 * m['relative']:.3g}% (achieved {m['achieved']:.6g})" for key, m in self.misses.items()]

    def to_numpyro(self):
        """The solved distribution as a numpyro distribution (imports jax and numpyro; float64)."""
        from priorcli.families.registry import numpyro_dist

        dist = numpyro_dist()
        params = dict(self.params)
        if any(isinstance(v, (tuple, list)) for v in params.values()):
            import jax.numpy as jnp

            params = {k: jnp.asarray(v, dtype=jnp.float64) if isinstance(v, (tuple, list)) else v
                      for k, v in params.items()}
        if hasattr(dist, self.family):
            family = getattr(dist, self.family)
        else:  # a family numpyro lacks: priorcli's own class (priorcli.dists)
            from priorcli import dists

            family = getattr(dists, self.family)
        base = family(**params)
        if self.truncate is None:
            return base
        from priorcli.dists.truncated import truncated

        return truncated(base, *self.truncate.ends())


@dataclass(frozen=True)
class Underdetermined:
    """The targets leave one free parameter: a relation and a small table of solutions."""

    family: str
    relation: str
    solutions: tuple[dict, ...]  # each {"params": {...}}, ready for JSON
    targets: dict = field(default_factory=dict)
    free: str = ""  # the native parameter the table varies


def _option_text(key: str, targets: dict) -> str:
    """A target as it was given on the command line: --sd 2, --quantile 0.05=1, --mass 0.9."""
    value = targets.get(key)
    if key.startswith("q"):
        return f"--quantile {show(float(key[1:]))}={show(value)}"
    if key == "mass":
        return f"--mass {show(value)} (between {show(targets.get('lower'))} and {show(targets.get('upper'))})"
    return f"--{key} {show(value)}"


def format_number(v) -> str:
    """Compact float for code lines: 6 significant digits, always recognisably a float."""
    if isinstance(v, (tuple, list)):
        return "[" + ", ".join(format_number(x) for x in v) + "]"
    s = f"{float(v):.6g}"
    if not any(ch in s for ch in ".enai"):
        s += ".0"
    return s


def fmt_interval(lo: float, hi: float) -> str:
    return f"({show(lo)}, {show(hi)})"
