"""The Python API (``priorcli.summarize``, ``priorcli.solve``, ``priorcli.sample``) and the request
builder the command line shares with it.

Keyword arguments become the ``(name, text)`` pairs that ``priorcli FAMILY --name value`` gives,
and go through the same registry parser (:func:`priorcli.families.registry.parse_family_args`): native
parameters, their aliases (``mu``/``sigma``, ``alpha``/``beta``, ...) and targets are accepted
exactly as on the command line, and refused with the same messages. Numbers are passed as
``repr(float(v))``, which reads back as the same float, so nothing is rounded on the way.

Importing this module imports neither numpy nor jax: a closed-form LogNormal ``solve`` stays
light; ``summarize`` and ``sample`` import what they need when called.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from priorcli.errors import UsageError
from priorcli.families.registry import complete_params, parse_family_args, resolve, resolve_fast
from priorcli.stats.exact import DEFAULT_QUANTILES, DistSpec, Summary
from priorcli.families.transforms import parse_transform

__all__ = ["Built", "build", "solve_pairs", "keyword_pairs", "summarize", "solve", "sample", "Sample"]


# ---------------------------------------------------------------------------------------------
# Requests: FAMILY + (name, text) pairs, from the command line or from keywords


@dataclass(frozen=True)
class Built:
    spec: DistSpec
    solved_from: dict | None  # the targets, when parameters were solved for
    approximate: str | None = None  # "least-squares fit, loss ..." when more targets than parameters
    warnings: tuple[str, ...] = ()  # the targets that fit misses by more than 5%


def build(family_name: str, pairs: list[tuple[str, str]], transform_texts: Iterable[str] = (), *,
          fast: bool = False) -> Built:
    """Resolve the family, parse its parameters and targets, solve when targets are given."""
    family = (resolve_fast(family_name) if fast else None) or resolve(family_name)
    transforms = tuple(parse_transform(t) for t in transform_texts)
    parsed = parse_family_args(family, pairs)
    solved_from = approximate = None
    warnings: tuple[str, ...] = ()
    params = parsed.params
    if not parsed.targets.is_empty():
        from priorcli.solving import solve_params  # only with targets: sampling by parameters skips it

        solution = solve_params(family.name, parsed.targets, parsed.params, whole=True)
        params = solution.params
        solved_from = parsed.targets.as_dict()
        if solution.method == "least-squares":
            approximate = f"least-squares fit (approximate), loss {solution.loss:.4g}"
            warnings = tuple(solution.miss_warnings())
    record = family.closed
    if record is not None:
        record.check_exact_counts(complete_params(family, params))
    return Built(DistSpec(family, complete_params(family, params), transforms), solved_from, approximate, warnings)


def solve_pairs(family_name: str, pairs: list[tuple[str, str]]):
    """``priorcli solve FAMILY --target value ...``: a Solution, or Underdetermined when the
    targets leave a parameter free. Native parameters given beside the targets are held fixed."""
    from priorcli.solving import solve as solve_targets

    family = resolve_fast(family_name) or resolve(family_name)
    parsed = parse_family_args(family, pairs)
    if parsed.targets.is_empty():
        raise UsageError(
            "solve needs at least one target: --mode, --median, --mean, --sd, --quantile P=V, "
            "or --lower L --upper U --mass P"
        )
    return solve_targets(family.name, parsed.targets, parsed.params)


def _text(name: str, value: Any) -> str:
    """A keyword's value as the command line would spell it, at full precision."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise UsageError(f"{name}={value!r} is not a number")
    if isinstance(value, (tuple, list)) or type(value).__name__ == "ndarray":
        return ",".join(_text(name, v) for v in list(value))
    try:
        return repr(float(value))
    except (TypeError, ValueError):
        raise UsageError(f"{name}={value!r} is not a number") from None


def _quantile_pairs(name: str, value: Any) -> list[tuple[str, str]]:
    """``quantiles={0.05: 1.0, 0.95: 10.0}`` or ``[(0.05, 1.0), ...]``; ``quantile=(0.9, 3.0)`` or ``"0.9=3"``."""
    if isinstance(value, str):
        return [("quantile", value)]
    items = list(value.items()) if isinstance(value, dict) else [value] if name == "quantile" else list(value)
    pairs = []
    for item in items:
        try:
            p, v = item
        except (TypeError, ValueError):
            raise UsageError(f"{name}: {item!r} is not a (probability, value) pair") from None
        pairs.append(("quantile", f"{_text(name, p)}={_text(name, v)}"))
    return pairs


def keyword_pairs(kwargs: dict[str, Any]) -> list[tuple[str, str]]:
    """Keyword arguments as the (name, text) pairs of ``--name value`` on the command line."""
    pairs: list[tuple[str, str]] = []
    for name, value in kwargs.items():
        if name in ("quantiles", "quantile"):
            pairs += _quantile_pairs(name, value)
        else:
            pairs.append((name, _text(name, value)))
    return pairs


def _levels(levels) -> tuple[float, ...]:
    if levels is None:
        return DEFAULT_QUANTILES
    from priorcli.families.registry import parse_probability

    return tuple(parse_probability(_text("levels", p), "levels") for p in levels)


def _transform_texts(transforms) -> tuple[str, ...]:
    return (transforms,) if isinstance(transforms, str) else tuple(transforms)


# ---------------------------------------------------------------------------------------------
# The API


def summarize(family: str, *, levels=None, transforms=(), **params_or_targets) -> Summary | tuple[Summary, ...]:
    """Exact summary (mean, sd, median, mode, quantiles at ``levels``) of ``family`` with the given
    parameters, or with parameters solved from the given targets; a tuple of one Summary per
    component for Dirichlet."""
    from priorcli.stats import exact as stats

    texts = _transform_texts(transforms)
    built = build(family, keyword_pairs(params_or_targets), texts, fast=not texts)
    summaries = stats.exact_summaries(built.spec, _levels(levels))
    return tuple(summaries) if built.spec.family.multivariate else summaries[0]


def solve(family: str, **targets):
    """Native parameters meeting the targets (Solution), or the relation and a table when they leave
    a parameter free (Underdetermined)."""
    return solve_pairs(family, keyword_pairs(targets))


@dataclass(frozen=True)
class Sample:
    """Seeded draws and their summaries, as ``priorcli sample --format json`` reports them."""

    family: str
    params: dict  # every native parameter used, solved ones included
    transforms: tuple[str, ...]
    seed: int
    draws: Any  # float64 numpy array: shape (n,), or (n, K) for Dirichlet
    summary: Summary | tuple[Summary, ...]  # Monte Carlo (one per component for Dirichlet)
    exact: Summary | tuple[Summary, ...]  # exact values of the same distribution


def sample(family: str, *, n: int = 10000, seed: int = 0, levels=None, transforms=(), **params_or_targets) -> Sample:
    """``n`` seeded draws (the same draws as ``priorcli sample ... -n N --seed S`` for n up to
    2**20), their Monte Carlo summary and the exact one."""
    from priorcli.stats import monte_carlo as mc_stats
    from priorcli.sampling import draws as sampling
    from priorcli.stats import exact as stats

    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise UsageError(f"n={n!r} must be a positive integer")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise UsageError(f"seed={seed!r} must be an integer in [0, 2^63)")
    probs = _levels(levels)
    spec = build(family, keyword_pairs(params_or_targets), _transform_texts(transforms)).spec
    exact = stats.exact_summaries(spec, probs)
    values = sampling.draw(spec, n, seed)
    if spec.family.multivariate:
        mc = tuple(mc_stats.mc_summary(values[:, i], probs, label=f"component {i}") for i in range(values.shape[1]))
        return Sample(spec.family.name, spec.params, tuple(str(t) for t in spec.transforms), seed, values, mc,
                      tuple(exact))
    mc = mc_stats.mc_summary(values, probs, discrete=spec.family.discrete)
    return Sample(spec.family.name, spec.params, tuple(str(t) for t in spec.transforms), seed, values, mc, exact[0])
