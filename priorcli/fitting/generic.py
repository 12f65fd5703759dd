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

def _estimable(domain) -> bool:
    """A scalar parameter with a coordinate: the line, above 0, or between two ends."""
    return (domain.vector is None and not domain.integer and not domain.dependent
            and (domain.line or domain.bounded or (domain.lower_bounded and domain.low == 0.0)))


def _generic_start(param, x: np.ndarray) -> float:
    name = param.name
    positive_data = bool(np.all(x > 0))
    if name == "loc":
        return float(np.median(x))
    if name == "scale":
        return robust_spread(x)
    if name == "rate" and positive_data:
        return 1.0 / float(np.mean(x))
    if name == "mean" and param.domain.lower_bounded and param.domain.low == 0.0 and float(np.mean(x)) > 0:
        return float(np.mean(x))
    if param.default is not None and not param.domain.bounded:
        return float(param.default)
    return param.domain.typical  # 0 on the line, 1 above 0, the midpoint between two ends


def _fit_numpyro(family: FamilyInfo, x: np.ndarray, fixed: dict) -> tuple[dict[str, float], float]:
    import jax
    import jax.numpy as jnp

    from priorcli.stats.exact import DistSpec, build_distribution

    free = [p for p in family.params if p.name not in fixed]
    for p in free:
        if p.domain.integer:
            raise UsageError(
                f"--fit {family.name}: '{p.name}' is an integer parameter and is not estimated; "
                f"give it, e.g. --fit '{family.name}({p.name}=10)'"
            )
        if not _estimable(p.domain) or p.event_dim:
            raise UsageError(
                f"--fit {family.name}: cannot estimate '{p.name}' (constraint {p.domain.name}); "
                f"give it, e.g. --fit '{family.name}({p.name}=VALUE)', or fit another family"
            )
    start = {p.name: _generic_start(p, x) for p in free}
    spread = robust_spread(x)
    from numpyro.distributions.transforms import biject_to

    # numpy is loaded here anyway: the unconstrained coordinates are numpyro's own bijections
    coords = {p.name: _coord_for(p.domain, start[p.name], spread, biject_to(p.constraint)) for p in free}

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
