"""Data checks of a fit: values inside the family's support, enough spread to estimate from, and
estimates inside the parameter space."""

from __future__ import annotations

import math

import numpy as np

from priorcli.errors import ConvergenceError, InfeasibleError
from priorcli.families import FamilyInfo

def _value_text(value: float) -> str:
    return repr(float(value))


def _outside(family: str, support: str, value: float) -> InfeasibleError:
    return InfeasibleError(
        f"cannot fit {family}: the data contain {_value_text(value)}, outside its support {support}"
    )


def _require(family: str, x: np.ndarray, ok: np.ndarray, support: str) -> None:
    if not np.all(ok):
        raise _outside(family, support, x[int(np.argmin(ok))])


def _require_positive(family: str, x: np.ndarray) -> None:
    _require(family, x, x > 0.0, "(0, inf)")


def _require_open_unit(family: str, x: np.ndarray) -> None:
    _require(family, x, (x > 0.0) & (x < 1.0), "(0, 1)")


def _require_counts(family: str, x: np.ndarray, high: float = math.inf) -> None:
    ok = (x >= 0.0) & (x == np.floor(x)) & (x <= high)
    support = "{0, 1, 2, ...}" if math.isinf(high) else ("{0, 1}" if high == 1.0 else f"{{0, 1, ..., {high:g}}}")
    _require(family, x, ok, support)


def _require_not_constant(family: FamilyInfo, x: np.ndarray, fixed: dict) -> None:
    """A continuous family fitted to values that are all equal has its scale driven to 0."""
    if not family.discrete and not fixed and np.all(x == x[0]):
        raise InfeasibleError(
            f"cannot fit {family.name}: all {x.size} value(s) equal {_value_text(x[0])}, so the "
            "maximum-likelihood spread would be 0"
        )


def _require_spread(family: str, x: np.ndarray) -> None:
    if x.size < 2 or np.all(x == x[0]):
        raise InfeasibleError(
            f"cannot fit {family}: all {x.size} value(s) are equal to {_value_text(x[0])}; "
            "the maximum-likelihood scale would be 0"
        )


def _check_estimates(family: FamilyInfo, params: dict) -> None:
    for p in family.params:
        value = params[p.name]
        if not math.isfinite(value):
            raise ConvergenceError(f"the {family.name} fit gave a non-finite {p.name} ({value})")
        if p.kind == "positive" and not value > 0.0:
            raise InfeasibleError(
                f"cannot fit {family.name}: the maximum-likelihood {p.name} is {value:g}, outside (0, inf)"
            )
