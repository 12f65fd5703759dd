"""Maximum likelihood of a truncated family (``summarize --input FILE --fit F --truncate LO,HI``):
the truncation's ends are known and held, the base's parameters maximise

    sum_i log f(x_i) - n log(F(b) - F(a)),

with (a, b) the truncation within the base's support, over the record's unconstrained coordinates
by :func:`priorcli.fitting.optimize._minimize` (BFGS, a Nelder-Mead polish, the gradient check,
the runaway check). The start is the untruncated maximum-likelihood fit of the same data (a
truncation narrows the spread, so that start is near), else the record's moment start. The mass
F(b) - F(a) is taken from the upper tail's survival function where the truncation sits there
(``priorcli.records.truncated.base_mass``), so a fit deep in a tail keeps its precision."""

from __future__ import annotations

import math

import numpy as np

from priorcli.errors import PriorError, UsageError
from priorcli.families.registry import FamilyInfo
from priorcli.fitting.checks import _check_estimates
from priorcli.fitting.closed import fit_record
from priorcli.fitting.optimize import _coord_for, _minimize
from priorcli.records import truncated as trunc_forms
from priorcli.records.fitdata import robust_spread

__all__ = ["fit_truncated", "check_data_inside"]


def check_data_inside(x: np.ndarray, truncate) -> None:
    """A usage error naming how many values lie outside the truncation (its ends included)."""
    low, high = truncate.ends()
    out = (x < low) | (x > high)
    count = int(np.count_nonzero(out))
    if count:
        first = float(x[int(np.argmax(out))])
        raise UsageError(f"--truncate {truncate.text()}: {count} of {x.size} data value(s) lie outside it "
                         f"(the first: {first!r}); a truncated family gives them no probability")


def fit_truncated(family: FamilyInfo, x: np.ndarray, fixed: dict, truncate) -> tuple[dict, float]:
    """(maximum-likelihood parameters, log-likelihood) of ``family`` truncated to ``truncate``."""
    F = family.closed
    if F is None or not F.fits or F.logpdf is None or F.cdf is None:
        raise UsageError(f"--fit {family.name} --truncate: priorcli truncates the families it has a record of")
    reason = trunc_forms.ranking_refuses(F, fixed, truncate)
    if reason is not None:
        raise UsageError(f"--fit {family.name} --truncate {truncate.text()}: {reason}")
    check_data_inside(x, truncate)
    if F.fit_check is not None:
        F.fit_check(family.name, x, fixed)
    free = [p for p in family.params if p.name not in fixed]
    start = _start(family, F, x, fixed)
    spread = robust_spread(x)
    coords = {p.name: _coord_for(p.domain, start[p.name], spread) for p in free}
    names = tuple(coords)
    n = x.size

    def log_likelihood(params: dict) -> float:
        mass = trunc_forms.base_mass(trunc_forms.record_base(F, params), truncate)
        if mass is None or not mass > 0.0:
            return -math.inf
        return float(np.sum(F.logpdf(x, **params))) - n * math.log(mass)

    def objective_u(u):
        params = {nm: coords[nm].value(u[i]) for i, nm in enumerate(names)}
        return -log_likelihood({**params, **fixed}) / n

    params = _minimize(f"truncated {family.name}", objective_u, coords)
    params.update(fixed)
    _check_estimates(family, params)
    return params, log_likelihood(params)


def _start(family: FamilyInfo, F, x: np.ndarray, fixed: dict) -> dict:
    """The untruncated fit of the data, else the record's moment start (with the held values)."""
    try:
        return {**fit_record(family, F, x, fixed), **fixed}
    except PriorError:
        if F.fit_start is None:
            raise
        return {**F.fit_start(x), **fixed}
