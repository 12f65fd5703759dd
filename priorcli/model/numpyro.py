"""The model language meets the registry and numpyro: building distributions and sampling.

``priorcli.model.parse`` parses and evaluates the language without knowing any family; this module
supplies what it injects: a distribution from (family, args, kwargs, transforms), ancestral
sampling through ``numpyro.handlers.seed`` with one ``numpyro.sample`` per ``~``. The emitters
(``priorcli.emit``) run the same checks through :func:`sample_model` before writing code.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from priorcli.model import metalog, mixture, parse as lang
from priorcli import records
from priorcli.errors import UsageError
from priorcli.families.registry import (
    SCALAR_TARGETS,
    FamilyInfo,
    check_param,
    complete_params,
    positional_names,
    resolve,
)
from priorcli.stats.exact import DistSpec
from priorcli.families.targets import Targets
from priorcli.families.transforms import make_transform


def split_arguments(family: FamilyInfo, args: tuple, kwargs: dict, spelled: str) -> tuple[dict, dict]:
    """Positional (numpyro's order for the name as written) and keyword arguments ->
    (native params, targets)."""
    if len(args) > len(family.params):
        if any(p.event_dim for p in family.params):
            raise UsageError(f"{family.name} takes its vector as one argument in brackets, e.g. "
                             f"{family.name}([{', '.join('1' for _ in args)}]); got {len(args)} numbers")
        raise UsageError(f"{family.name} takes at most {len(family.params)} positional argument(s), got {len(args)}")
    params: dict[str, Any] = dict(zip(positional_names(spelled, family), args))
    targets: dict[str, Any] = {}
    aliases, own = family.aliases(), family.own_targets()
    for key, value in kwargs.items():
        native = None if key in own else key if key in family.param_names else aliases.get(key)
        key = own.get(key, key)
        if native is not None:
            if native in params:
                raise UsageError(f"{family.name}'s '{native}' is given twice (as '{key}')")
            params[native] = value
        elif key in SCALAR_TARGETS:
            targets[key] = value
        else:
            valid = ", ".join(list(family.param_names) + list(aliases) + list(SCALAR_TARGETS))
            raise UsageError(f"unknown argument '{key}' for {family.name} (valid: {valid})")
    return params, targets


def _check_values(family: FamilyInfo, params: dict) -> None:
    for name, value in params.items():
        param = family.param(name)
        if isinstance(value, np.ndarray):
            if not np.all(np.isfinite(value)):
                raise UsageError(f"'{name}' of {family.name} takes non-finite values")
            bad = _violations(param, value)
            if bad is not None:
                raise UsageError(
                    f"'{name}' of {family.name} is outside its constraint ({param.domain.name}) for some draws, "
                    f"e.g. {bad:g}"
                )
        else:
            check_param(param, value, f"{family.name}'s {name} =")


def _violations(param, values: np.ndarray) -> float | None:
    """The first value that breaks the constraint, or None."""
    for value in (values.min(), values.max()):
        if param.domain.contains(float(value)) is False:
            return float(value)
    if param.constraint is not None and param.domain.contains(0.0) is None:
        ok = np.asarray(param.constraint(values))
        if not ok.all():
            return float(values[~ok][0])
    return None


def _vectorised_closed_form(family: FamilyInfo, targets: dict, params: dict) -> dict | None:
    """Targets that vary across draws, through the family record's closed-form inversion; None when
    it has none, or when some draw's targets are invalid (the draw-by-draw solve then reports the
    first of them exactly as a single solve would)."""
    record = family.closed
    inversion = record.inversion(targets, params) if record is not None else None
    if inversion is None:
        return None
    values = {k: np.asarray(v, dtype=np.float64) for k, v in {**targets, **params}.items()}
    ok = record.targets_in_support(**{k: values[k] for k in targets})
    with np.errstate(all="ignore"):
        if not np.all(ok & inversion.holds(**values)):
            return None
        solved = inversion(**values)
    return {**params, **solved}


def solve_targets(family: FamilyInfo, targets: dict, params: dict, truncate=None) -> dict:
    """Targets -> native parameters; element by element when values vary across draws; with a
    truncation held fixed (its record, priorcli.records.truncated)."""
    from priorcli.solving import solve_params

    record = None
    if truncate is not None:
        from priorcli.records.truncated import truncated_record

        if family.closed is None:
            raise UsageError(f"solving for targets is not supported for {family.name}; give its parameters directly")
        record = truncated_record(family.closed, truncate)
    arrays = [v for v in list(targets.values()) + list(params.values()) if isinstance(v, np.ndarray)]
    if not arrays:
        return solve_params(family.name, Targets(**targets), params, record=record)
    vectorised = None if record is not None else _vectorised_closed_form(family, targets, params)
    if vectorised is not None:
        return vectorised
    n = arrays[0].shape[0]
    solved: dict[str, list] = {}
    for i in range(n):
        row_targets = {k: float(v[i]) if isinstance(v, np.ndarray) else v for k, v in targets.items()}
        row_params = {k: float(v[i]) if isinstance(v, np.ndarray) else v for k, v in params.items()}
        for name, value in solve_params(family.name, Targets(**row_targets), row_params, record=record).items():
            solved.setdefault(name, []).append(value)
    return {name: np.asarray(values, dtype=np.float64) for name, values in solved.items()}


def is_family(name: str) -> bool:
    """Whether ``name`` is a distribution family (the model parser asks, for its messages)."""
    try:
        resolve(name)
    except UsageError:
        return False
    return True


def dist_spec(family_name: str, args: tuple, kwargs: dict, transforms: tuple, per_draw: bool = False) -> DistSpec:
    """A DistSpec from evaluated call arguments: floats, or arrays. With ``per_draw`` (a model's
    ancestral run) an array has the draws first: (n,) for a number per draw, (n, K) for a vector;
    without it an array is a constant vector (K,)."""
    if mixture.is_mixture(family_name):
        if transforms and transforms[0][0] == "truncated":
            raise UsageError("truncated(...) takes one family, not a Mixture (truncate its components instead)")
        return mixture.dist_spec(args, kwargs, _transform_specs(transforms), per_draw, dist_spec)
    if metalog.is_metalog(family_name):
        return metalog.dist_spec(args, kwargs, transforms)
    family = resolve(family_name)
    truncate, transforms = _truncation(family, transforms)
    params, targets = split_arguments(family, args, kwargs, family_name)
    params = _check_shapes(family, params, per_draw)
    if targets and any(isinstance(v, np.ndarray) and v.ndim == (2 if per_draw else 1) for v in targets.values()):
        raise UsageError(f"the targets of {family.name} in a model are numbers; give native parameters for a "
                         "vector (a Dirichlet's concentration is count * mean, e.g. 10 * [0.2, 0.3, 0.5])")
    _check_values(family, params)
    if targets:
        params = solve_targets(family, targets, params, truncate)
    params = complete_params(family, params) if not any(isinstance(v, np.ndarray) for v in params.values()) \
        else _complete_vectorised(family, params)
    specs = _transform_specs(transforms)
    if specs and family.discrete:
        raise UsageError(f"transforms apply to continuous families; {family.name} is discrete")
    return DistSpec(family, params, specs, truncate)


def _transform_specs(transforms: tuple) -> tuple:
    specs = []
    for name, targs in transforms:
        if any(isinstance(a, np.ndarray) for a in targs):
            raise UsageError(f"the arguments of {name} must be constants, not variables")
        specs.append(make_transform(name, tuple(float(a) for a in targs)))
    return tuple(specs)


def _truncation(family: FamilyInfo, transforms: tuple):
    """(Truncation or None, the transforms after it): evaluate_distribution puts a truncation first."""
    from priorcli.model.evaluate import TRUNCATED
    from priorcli.records.truncated import Truncation, check_truncatable

    if not transforms or transforms[0][0] != TRUNCATED:
        return None, transforms
    check_truncatable(family.name, family.discrete, family.multivariate, "truncated(...)")
    return Truncation(*transforms[0][1]), tuple(transforms[1:])


def _check_shapes(family: FamilyInfo, params: dict, per_draw: bool) -> dict:
    """Numbers where the family takes numbers, vectors where it takes vectors (Dirichlet's
    concentration); a constant vector becomes a tuple, as ``--concentration 1,2,3`` gives. In a
    model's run (``per_draw``) a family of numbers given vectors draws one value per element: its
    per-draw numbers become (n, 1) columns, so that they broadcast against the (n, K) vectors."""
    out = {}
    batched = per_draw and not family.multivariate and any(
        isinstance(v, np.ndarray) and v.ndim == 2 for v in params.values())
    for name, value in params.items():
        vector = isinstance(value, np.ndarray) and value.ndim == (2 if per_draw else 1)
        wanted = family.param(name).event_dim > 0
        if wanted and not vector:
            raise UsageError(f"'{name}' of {family.name} is a vector, e.g. {name}=[1, 1, 1] "
                             f"(one per draw: kappa * [1, 1, 1]); got a number")
        if vector and not wanted and not batched:
            raise UsageError(f"'{name}' of {family.name} is a number; got a vector of {value.shape[-1]} values")
        if batched and isinstance(value, np.ndarray) and value.ndim == 1:
            value = value[:, None]
        out[name] = tuple(float(v) for v in value) if vector and not per_draw else value
    return out


def _complete_vectorised(family: FamilyInfo, params: dict) -> dict:
    """Defaults filled in, and the constraints between parameters checked on the real values, draw
    by draw (never on placeholders: Uniform(-z, 0) has low < high in every draw of z > 0)."""
    full = complete_params(family, params, check=False)
    record = records.describe(family.name)
    if record is not None and record.check_params is not None:
        why = record.check_params(full)
        if why is not None:
            raise UsageError(f"{why} in every draw")
    elif "low" in full and "high" in full:
        low, high = np.broadcast_arrays(np.asarray(full["low"], dtype=float), np.asarray(full["high"], dtype=float))
        bad = ~(low < high)
        if np.any(bad):
            at = np.unravel_index(np.argmax(bad), bad.shape)
            raise UsageError(f"'low' must be below 'high' for {family.name} in every draw; draw {at[0] + 1} has "
                             f"low {low[at]:g}, high {high[at]:g}")
    return full


def _check_support(spec: DistSpec, base) -> None:
    """reciprocal and power need a positive input: check against the base's support bounds."""
    from priorcli.families.transforms import check_chain

    if not spec.transforms:
        return
    lo = np.min(np.asarray(getattr(base.support, "lower_bound", -np.inf)))
    hi = np.max(np.asarray(getattr(base.support, "upper_bound", np.inf)))
    check_chain(list(spec.transforms), (float(lo), float(hi)))


def matrix_elements(spec: DistSpec, values: np.ndarray) -> np.ndarray:
    """A matrix family's draws (n, K, K) as the (n, K (K - 1) / 2) elements its record names
    (LKJ's correlations above the diagonal); any other family's draws as they are."""
    record = spec.family.record
    if record is None or record.matrix is None:
        return values
    rows, cols = zip(*record.matrix.indices(values.shape[-1]))
    return values[:, list(rows), list(cols)]


def exact_marginal(statement: lang.Statement):
    """(DistSpec, positions) of a matrix variable's exact element marginal (its record's ``matrix``
    hook: LKJ's Beta on [-1, 1], for the elements it applies to), or None: not a matrix variable,
    or parameters that vary across draws."""
    if not statement.is_random or lang.matrix_dimension(statement.expr) is None:
        return None
    dexpr = statement.expr
    family = resolve(dexpr.family)
    params, _ = split_arguments(family, tuple(lang._const(a) for a in dexpr.args),
                                {k: lang._const(v) for k, v in dexpr.kwargs}, dexpr.family)
    if any(v is None for v in params.values()):
        return None
    found = family.record.matrix.marginal(**params)
    if found is None:
        return None
    name, marginal_params, transforms, applies = found
    spec = DistSpec(resolve(name), marginal_params, tuple(make_transform(t, args) for t, args in transforms))
    return spec, applies


def sample_model(model: lang.Model, n: int, seed: int) -> dict[str, np.ndarray]:
    """Ancestral sampling: one numpyro.sample per '~', vectorised over the n draws."""
    import numpyro

    from priorcli.stats.exact import build_distribution

    def sample_fn(statement, family, args, kwargs, transforms):
        spec = dist_spec(family, args, kwargs, transforms, per_draw=True)
        distribution = build_distribution(spec)
        base = distribution.base_dist if spec.transforms else distribution
        _check_support(spec, base)
        batch = (n,) if statement.size is None or spec.family.multivariate else (n, statement.size)
        shape = () if distribution.batch_shape == batch else (n,)
        values = np.asarray(numpyro.sample(statement.name, distribution, sample_shape=shape), dtype=np.float64)
        return matrix_elements(spec, values)

    with numpyro.handlers.seed(rng_seed=seed):
        values = lang.run_model(model, n, sample_fn)
        for statement in model.statements:
            if statement.kind == "=":
                numpyro.deterministic(statement.name, values[statement.name])
    return values
