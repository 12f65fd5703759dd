"""Every other numpyro family: the log-likelihood from numpyro's ``log_prob`` (through
``priorcli.stats.exact.build_distribution``) and its gradient from jax."""

from __future__ import annotations

import warnings

import numpy as np

from priorcli.errors import UsageError
from priorcli.families.registry import FamilyInfo
from priorcli.fitting.checks import _check_estimates, _require_not_constant
from priorcli.fitting.optimize import _coord_for, _minimize
from priorcli.records.fitdata import outside, robust_spread

_GENERIC_KINDS = ("real", "positive", "nonnegative", "unit_interval", "open_unit_interval", "openinterval", "interval")


def _generic_start(param, x: np.ndarray) -> float:
    name = param.name
    positive_data = bool(np.all(x > 0))
    if name == "loc":
        return float(np.median(x))
    if name == "scale":
        return robust_spread(x)
    if name == "rate" and positive_data:
        return 1.0 / float(np.mean(x))
    if name == "mean" and param.kind in ("positive", "nonnegative") and float(np.mean(x)) > 0:
        return float(np.mean(x))
    if param.default is not None and param.kind not in ("unit_interval", "open_unit_interval"):
        return float(param.default)
    if param.kind == "real":
        return 0.0
    if param.kind in ("positive", "nonnegative"):
        return 1.0
    if param.kind in ("unit_interval", "open_unit_interval", "openinterval", "interval"):
        low, high = _bounds(param)
        return 0.5 * (low + high)
    raise AssertionError(param.kind)


def _bounds(param) -> tuple[float, float]:
    constraint = param.constraint
    low = float(np.asarray(getattr(constraint, "lower_bound", 0.0)))
    high = float(np.asarray(getattr(constraint, "upper_bound", 1.0)))
    return low, high


def _fit_numpyro(family: FamilyInfo, x: np.ndarray, fixed: dict) -> tuple[dict[str, float], float]:
    import jax
    import jax.numpy as jnp

    from priorcli.stats.exact import DistSpec, build_distribution

    free = [p for p in family.params if p.name not in fixed]
    for p in free:
        if p.kind.endswith("integer"):
            raise UsageError(
                f"--fit {family.name}: '{p.name}' is an integer parameter and is not estimated; "
                f"give it, e.g. --fit '{family.name}({p.name}=10)'"
            )
        if p.kind not in _GENERIC_KINDS or p.event_dim:
            raise UsageError(
                f"--fit {family.name}: cannot estimate '{p.name}' (constraint {p.kind}); "
                f"give it, e.g. --fit '{family.name}({p.name}=VALUE)', or fit another family"
            )
    start = {p.name: _generic_start(p, x) for p in free}
    spread = robust_spread(x)
    coords = {}
    for p in free:
        if p.kind in ("openinterval", "interval"):
            low, high = _bounds(p)
            coords[p.name] = _coord_for("interval", start[p.name], spread, low, high)
        else:
            coords[p.name] = _coord_for(p.kind, start[p.name], spread)

    # Support: checked once at the starting point, where the family's support is fixed by the
    # parameters held fixed (a free parameter that moves the support is refused above).
    start_dist = build_distribution(DistSpec(family, {**start, **fixed}))
    inside = np.asarray(start_dist.support(jnp.asarray(x)), dtype=bool)
    if not inside.all():
        raise outside(family.name, family.support or "the family's support", x[int(np.argmin(inside))])
    _require_not_constant(family, x, fixed)

    data = jnp.asarray(x)
    names = tuple(coords)
    fixed_jnp = {k: jnp.asarray(v, dtype=jnp.float64) for k, v in fixed.items()}

    def mean_nll(u):
        params = {n: coords[n].value(u[i], xp=jnp) for i, n in enumerate(names)}
        distribution = build_distribution(DistSpec(family, {**params, **fixed_jnp}))
        return -jnp.mean(distribution.log_prob(data))

    value_and_grad = jax.jit(jax.value_and_grad(mean_nll))

    def objective_u(u):
        return float(value_and_grad(jnp.asarray(u))[0])

    def grad(u):
        return np.asarray(value_and_grad(jnp.asarray(u))[1], dtype=np.float64)

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Out-of-support values")
        params = _minimize(family.name, objective_u, coords, grad=grad)
        params.update(fixed)
        _check_estimates(family, params)
        final = build_distribution(DistSpec(family, params))
        log_likelihood = float(np.sum(np.asarray(final.log_prob(data), dtype=np.float64)))
    return params, log_likelihood
