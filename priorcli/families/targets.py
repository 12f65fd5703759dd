"""What a modeller knows about a prior, as opposed to its native parameters.

Shared by the CLI parser, ``solve`` and the model language. Values are floats at full precision;
``mean`` and ``mode`` are tuples for Dirichlet (simplices), floats otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Targets:
    mode: float | tuple[float, ...] | None = None
    median: float | None = None
    mean: float | tuple[float, ...] | None = None
    sd: float | None = None
    # the third standardised moment, and the fourth minus 3 (excess kurtosis: 0 for a Normal)
    skewness: float | None = None
    kurtosis: float | None = None
    # P(X = 0) of a zero-inflated or hurdle family (a record with zero_mass): a hurdle's gate
    p_zero: float | None = None
    # (probability, value) pairs, in the order given.
    quantiles: tuple[tuple[float, float], ...] = ()
    # Interval mass: maximum-entropy member with P(lower <= X <= upper) = mass.
    lower: float | None = None
    upper: float | None = None
    mass: float | None = None
    # Dirichlet by mode: the mass within mode_i +- bound (PreliZ's dirichlet_mode)
    bound: float | None = None
    # Beta / Dirichlet total count (alpha + beta).
    count: float | None = None
    # Optional weights of targets in a least-squares fit (more targets than parameters), keyed as
    # in as_dict() ('q0.5', 'mean', 'mass'); a target not listed weighs 1.
    weights: tuple[tuple[str, float], ...] = ()

    def weight(self, key: str) -> float:
        return next((w for k, w in self.weights if k == key), 1.0)

    def is_empty(self) -> bool:
        return not self.as_dict()

    def as_dict(self) -> dict:
        """The targets that were given, keyed as in the JSON output (quantiles as 'q0.05')."""
        out: dict = {}
        for name in ("mode", "median", "mean", "sd", "skewness", "kurtosis", "p_zero"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        for p, v in self.quantiles:
            out[f"q{p!r}"] = v
        for name in ("lower", "upper", "bound", "mass", "count"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out


TARGET_NAMES = ("mode", "median", "mean", "sd", "skewness", "kurtosis", "p_zero", "quantile", "lower", "upper", "bound",
                "mass", "count")
