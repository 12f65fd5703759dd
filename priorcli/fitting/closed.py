"""Families with a record (``FamilyRecord.fits``): the record's vectorised ``logpdf`` is the
likelihood, and its fit fields say the rest (``priorcli.records.base``): ``fit_check`` (data in the
support), ``mle`` (a closed form), ``mle_via`` (another family's fit, reparameterised),
``fit_start`` and ``fit_coords`` (the numerical maximisation). Here is only the order in which
they are used; adding a family or a closed form touches its record."""

from __future__ import annotations

import numpy as np

from priorcli import records
from priorcli.errors import UsageError
from priorcli.families.registry import FamilyInfo, resolve_fast
from priorcli.fitting.checks import _check_estimates, _require_not_constant
from priorcli.fitting.optimize import _Coord, _coord_for, _minimize
from priorcli.records.base import FamilyRecord
from priorcli.records.fitdata import robust_spread


def fit_record(family: FamilyInfo, record: FamilyRecord, x: np.ndarray, fixed: dict) -> dict[str, float]:
    """The maximum-likelihood parameters of ``family`` (whose record ``fits``) for the data ``x``,
    with the parameters in ``fixed`` held."""
    free = [p for p in family.params if p.name not in fixed]
    integer = [p.name for p in free if p.domain.integer]
    if integer:
        raise UsageError(
            f"--fit {family.name}: '{integer[0]}' is an integer parameter and is not estimated; "
            f"give it, e.g. --fit '{family.name}({integer[0]}=10)'"
        )
    if record.fit_check is not None:
        record.fit_check(family.name, x, fixed)
    _require_not_constant(family, x, fixed)
    if not fixed and record.mle_via is not None:
        via, convert = record.mle_via
        params = convert(fit_record(resolve_fast(via), records.get(via), x, {}))
    elif not fixed and record.mle is not None:
        params = record.mle(x)
    elif record.mle is not None and record.fit_start is None:
        # The closed form handles held parameters itself (Uniform, Pareto, ...).
        params = record.mle(x, **fixed)
    else:
        params = _maximize(family, record, x, fixed, free)
    _check_estimates(family, params)
    return params


def _distinct(x: np.ndarray):
    """(values, back) with ``values[back]`` equal to ``x``: the distinct values when they are at most
    half of the data (counts: a likelihood evaluation per distinct value, the same floats expanded
    back before the mean, so the same sum), else the data themselves. A -0.0 keeps the data whole
    (np.unique would merge it with 0.0)."""
    values, back = np.unique(x, return_inverse=True)
    if 2 * values.size > x.size or bool(np.any((x == 0.0) & np.signbit(x))):
        return x, slice(None)
    return values, back.reshape(x.shape)


def _maximize(family: FamilyInfo, record: FamilyRecord, x: np.ndarray, fixed: dict, free: list) -> dict:
    start = dict(record.fit_start(x))
    start.update(fixed)
    spread = robust_spread(x)
    custom = record.fit_coords(x, start) if record.fit_coords is not None else {}
    coords = {p.name: _Coord(start=start[p.name], **custom[p.name]) if p.name in custom
              else _coord_for(p.domain, start[p.name], spread) for p in free}

    names = tuple(coords)
    logpdf = record.logpdf
    values, back = _distinct(x)

    def objective_u(u):
        params = {n: coords[n].value(u[i]) for i, n in enumerate(names)}
        return -np.mean(logpdf(values, **params, **fixed)[back])

    params = _minimize(family.name, objective_u, coords)
    params.update(fixed)
    return params
