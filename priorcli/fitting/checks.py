"""Checks of a fit that need the registry's view of the family: data spread enough for a continuous
family, and estimates inside the parameter space. The support checks of data (shared with the
records' ``fit_check`` fields) are in ``priorcli.records.fitdata``."""

from __future__ import annotations

import math

import numpy as np

from priorcli.errors import ConvergenceError, InfeasibleError
from priorcli.families.registry import FamilyInfo
from priorcli.records.fitdata import value_text


def _require_not_constant(family: FamilyInfo, x: np.ndarray, fixed: dict) -> None:
    """A continuous family fitted to values that are all equal has its scale driven to 0."""
    if not family.discrete and not fixed and np.all(x == x[0]):
        raise InfeasibleError(
            f"cannot fit {family.name}: all {x.size} value(s) equal {value_text(x[0])}, so the "
            "maximum-likelihood spread would be 0"
        )


def _check_estimates(family: FamilyInfo, params: dict) -> None:
    for p in family.params:
        value = params[p.name]
        if not math.isfinite(value):
            raise ConvergenceError(f"the {family.name} fit gave a non-finite {p.name} ({value})")
        d = p.domain
        if d.lower_bounded and not d.integer and not d.low_closed and not value > d.low:
            raise InfeasibleError(
                f"cannot fit {family.name}: the maximum-likelihood {p.name} is {value:g}, outside ({d.low:g}, inf)"
            )
