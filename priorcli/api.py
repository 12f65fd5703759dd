"""The Python API (``priorcli.summarize``, ``priorcli.solve``, ``priorcli.sample``) and the request
builder the command line shares with it.

The command line and the keywords meet in one parser
(:func:`priorcli.families.registry.parse_family_args`): native parameters, their aliases
(``mu``/``sigma``, ``alpha``/``beta``, ...) and targets are accepted and refused with the same
messages. The command line hands it the text of each ``--name value``, read there once into
numbers; the keywords hand it Python numbers, taken as they are (checked, never written out as
text and read back), so nothing is rounded on the way. A keyword given as a string is read as the
command line's text (``quantile="0.9=3.5"``, ``mean="2@3"`` with a least-squares weight).

``solve`` returns the solver's numbers (:class:`priorcli.solving.Solution`) as a
:class:`priorcli.emit.lines.Solved`, whose code lines the emitters build from those numbers when
asked for.

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

__all__ = ["Built", "build", "solve_pairs", "keyword_pairs", "summarize", "solve", "sample", "Sample", "LKJSolution"]


# ---------------------------------------------------------------------------------------------
# Requests: FAMILY + (name, value) pairs, from the command line (text) or from keywords (numbers)


@dataclass(frozen=True)
class Built:
    spec: DistSpec
    solved_from: dict | None  # the targets, when parameters were solved for
    approximate: str | None = None  # "least-squares fit, loss ..." when more targets than parameters
    warnings: tuple[str, ...] = ()  # the targets that fit misses by more than 5%


def build(family_name: str, pairs: Iterable[tuple[str, Any]], transform_texts: Iterable[str] = (), *,
          fast: bool = False, truncate=None) -> Built:
    """Resolve the family, parse its parameters and targets, solve when targets are given (with a
    truncation, ``--truncate`` text or a (low, high) pair, held fixed)."""
    if "(" in family_name:  # a quoted distribution as FAMILY: "Mixture([0.3, 0.7], [Normal(0, 1), ...])"
        if truncate is not None:
            raise UsageError("--truncate applies to a FAMILY name; in a quoted distribution write "
                             "truncated(D, low=..., high=...)")
        return Built(quoted_spec(family_name, list(pairs), transform_texts), None)
    family_name, pairs, truncate = truncated_factory(family_name, pairs, truncate)
    family = (resolve_fast(family_name) if fast else None) or resolve(family_name)
    transforms = tuple(parse_transform(t) for t in transform_texts)
    truncation = truncation_of(family, truncate)
    parsed = parse_family_args(family, pairs)
    solved_from = approximate = None
    warnings: tuple[str, ...] = ()
    params = parsed.params
    if not parsed.targets.is_empty():
        from priorcli.solving import solve_params  # only with targets: sampling by parameters skips it

        solution = solve_params(family.name, parsed.targets, parsed.params, whole=True,
                                record=truncated_record_of(family, truncation))
        params = solution.params
        solved_from = parsed.targets.as_dict()
        if solution.method == "least-squares":
            approximate = f"least-squares fit (approximate), loss {solution.loss:.4g}"
            warnings = tuple(solution.miss_warnings())
    record = family.closed
    if record is not None:
        record.check_exact_counts(complete_params(family, params))
    return Built(DistSpec(family, complete_params(family, params), transforms, truncation), solved_from, approximate,
                 warnings)


def truncated_factory(family_name: str, pairs, truncate):
    """numpyro's truncated factories (``truncatednormal --loc 0 --scale 1 --low 0``): the family
    they truncate, the pairs without low/high, and those as the truncation."""
    from priorcli.families.registry import normalize
    from priorcli.records.truncated import FACTORIES

    factory = next((f for f in FACTORIES if normalize(f) == normalize(family_name)), None)
    if factory is None:
        return family_name, pairs, truncate
    pairs = list(pairs)
    ends = {name: value for name, value in pairs if name in ("low", "high")}
    if ends and truncate is not None:
        raise UsageError(f"{factory} takes --low/--high or --truncate, not both")
    if ends:
        from priorcli.families.registry import number

        truncate = tuple(None if ends.get(k) is None else number(ends[k], f"--{k}") for k in ("low", "high"))
    return FACTORIES[factory], [(n, v) for n, v in pairs if n not in ("low", "high")], truncate


def truncation_of(family, truncate):
    """The Truncation of ``--truncate LO,HI`` text or a (low, high) pair, checked against the family
    (continuous, univariate); None for None."""
    if truncate is None:
        return None
    from priorcli.records.truncated import check_truncatable, make_truncation, parse_truncation

    check_truncatable(family.name, family.discrete, family.multivariate)
    if isinstance(truncate, str):
        return parse_truncation(truncate)
    try:
        low, high = truncate
    except (TypeError, ValueError):
        raise UsageError(f"truncate={truncate!r} must be a (low, high) pair (None for an open end)") from None
    return make_truncation(low, high, "truncate")


def truncated_record_of(family, truncation):
    """The family's record with the truncation, for the solver (None when there is none)."""
    if truncation is None:
        return None
    from priorcli.records.truncated import truncated_record

    if family.closed is None:
        raise UsageError(f"solving for targets is not supported for {family.name}; give its parameters directly")
    return truncated_record(family.closed, truncation)


def quoted_spec(text: str, pairs: list, transform_texts: Iterable[str] = ()) -> DistSpec:
    """A distribution written in the model language (``"Mixture([0.3, 0.7], [Normal(0, 1),
    Normal(3, 0.5)])"``, ``"Gamma(2, 1)"``) as summarize's and sample's FAMILY; ``--transform``s
    wrap it, after its own."""
    from priorcli.model import parse as lang
    from priorcli.model.numpyro import dist_spec, is_family

    if pairs:
        raise UsageError(f"--{pairs[0][0]}: a quoted distribution carries its parameters inside it "
                         f"('{text.strip()}'); give them there")
    dexpr = lang.parse_distribution(text, is_family)
    args, kwargs, transforms = lang.evaluate_distribution(dexpr)
    spec = dist_spec(dexpr.family, args, kwargs, transforms)
    extra = tuple(parse_transform(t) for t in transform_texts)
    if extra and spec.family.discrete:
        raise UsageError(f"--transform applies to continuous distributions; '{text.strip()}' is discrete")
    return DistSpec(spec.family, spec.params, spec.transforms + extra, spec.truncate)


def solve_pairs(family_name: str, pairs: Iterable[tuple[str, Any]], truncate=None):
    """``priorcli solve FAMILY --target value ...`` and ``priorcli.solve``: a Solved (the solver's
    Solution, with its code lines), or Underdetermined when the targets leave a parameter free.
    Native parameters given beside the targets are held fixed."""
    from priorcli.emit.lines import solved
    from priorcli.solving import solve as solve_targets

    if "(" in family_name:  # a quoted distribution whose free names are solved: priorcli.model.quoted
        return solve_quoted(family_name, list(pairs), truncate)
    family_name, pairs, truncate = truncated_factory(family_name, pairs, truncate)
    family = resolve_fast(family_name, vectors=True) or resolve(family_name)
    truncation = truncation_of(family, truncate)
    parsed = parse_family_args(family, pairs)
    if parsed.targets.is_empty():
        raise UsageError(
            "solve needs at least one target: --mode, --median, --mean, --sd, --quantile P=V, "
            "or --lower L --upper U --mass P"
        )
    if truncation is not None and family.closed is not None:
        from priorcli.records.truncated import moving_support_refusal

        refusal = moving_support_refusal(family.closed, parsed.params, "to solve the rest")
        if refusal:
            raise UsageError(f"--truncate {truncation.text()} with {family.name}: {refusal}")
    result = solve_targets(family.name, parsed.targets, parsed.params, truncated_record_of(family, truncation))
    if truncation is not None and hasattr(result, "truncate"):
        from dataclasses import replace

        result = replace(result, truncate=truncation)
    return solved(result)


def solve_quoted(text: str, pairs: list, truncate=None):
    """``priorcli solve "Mixture([0.3, 0.7], [Normal(0, 1), Normal(m, s)])" --quantile ...``: the
    undefined names of a quoted distribution solved exactly from the targets (a QuotedSolved:
    priorcli.emit.quoted, with ``program`` the model ``x ~ TEXT`` with the numbers in place)."""
    from dataclasses import replace

    from priorcli.emit import quoted as quoted_lines
    from priorcli.families.registry import FamilyInfo
    from priorcli.families.targets import TARGET_NAMES
    from priorcli.model import quoted

    if truncate is not None:
        raise UsageError("--truncate applies to a FAMILY name; in a quoted distribution write "
                         "truncated(D, low=..., high=...)")
    for name, _ in pairs:
        if name not in TARGET_NAMES:
            raise UsageError(f"--{name.replace('_', '-')}: a quoted distribution carries its parameters inside it "
                             f"('{text.strip()}'); write a number there, or a name to solve for")
    targets = parse_family_args(FamilyInfo("the quoted distribution", (), False), pairs).targets
    parsed, solution = quoted.solve(text, targets)
    solved = quoted_lines.solved(solution, parsed.dist_expr(solution.free))
    return replace(solved, program=parsed.filled(solution.free))


def _quantile_pairs(name: str, value: Any) -> list[tuple[str, Any]]:
    """``quantiles={0.05: 1.0, 0.95: 10.0}`` or ``[(0.05, 1.0), ...]``; ``quantile=(0.9, 3.0)`` or ``"0.9=3"``."""
    if isinstance(value, str):
        return [("quantile", value)]
    items = list(value.items()) if isinstance(value, dict) else [value] if name == "quantile" else list(value)
    pairs = []
    for item in items:
        if isinstance(item, str):
            pairs.append(("quantile", item))
            continue
        try:
            p, v = item
        except (TypeError, ValueError):
            raise UsageError(f"{name}: {item!r} is not a (probability, value) pair") from None
        pairs.append(("quantile", (p, v)))
    return pairs


def keyword_pairs(kwargs: dict[str, Any]) -> list[tuple[str, Any]]:
    """Keyword arguments as the parser's (name, value) pairs; the values stay Python numbers."""
    pairs: list[tuple[str, Any]] = []
    for name, value in kwargs.items():
        if name in ("quantiles", "quantile"):
            pairs += _quantile_pairs(name, value)
        else:
            pairs.append((name, value))
    return pairs


def _levels(levels) -> tuple[float, ...]:
    if levels is None:
        return DEFAULT_QUANTILES
    from priorcli.families.registry import probability

    return tuple(probability(p, "levels") for p in levels)


def _transform_texts(transforms) -> tuple[str, ...]:
    return (transforms,) if isinstance(transforms, str) else tuple(transforms)


# ---------------------------------------------------------------------------------------------
# The API


def summarize(family: str, *, levels=None, transforms=(), truncate=None,
              **params_or_targets) -> Summary | tuple[Summary, ...]:
    """Exact summary (mean, sd, median, mode, quantiles at ``levels``) of ``family`` with the given
    parameters, or with parameters solved from the given targets; a tuple of one Summary per
    component for Dirichlet."""
    from priorcli.stats import exact as stats

    if _matrix_family(family):
        if truncate is not None:
            raise UsageError("truncate applies to continuous univariate families, not to LKJ")
        return _lkj_summary(*_lkj_request(family, params_or_targets, transforms), _levels(levels))
    texts = _transform_texts(transforms)
    built = build(family, keyword_pairs(params_or_targets), texts, fast=not texts, truncate=truncate)
    summaries = stats.exact_summaries(built.spec, _levels(levels))
    return tuple(summaries) if built.spec.family.multivariate else summaries[0]


def solve(family: str, *, truncate=None, **targets):
    """Native parameters meeting the targets (Solved: a Solution with its code lines), or the
    relation and a table when they leave a parameter free (Underdetermined); ``truncate=(low,
    high)`` (None for an open end) holds a truncation fixed. LKJ: the concentration from ``lower``,
    ``upper`` and ``mass`` or one ``quantile`` on one correlation (LKJSolution)."""
    if _matrix_family(family):
        if truncate is not None:
            raise UsageError("truncate applies to continuous univariate families, not to LKJ")
        return _lkj_solve(family, targets)
    return solve_pairs(family, keyword_pairs(targets), truncate=truncate)


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


def sample(family: str, *, n: int = 10000, seed: int = 0, levels=None, transforms=(), truncate=None,
           **params_or_targets) -> Sample:
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
    if _matrix_family(family):
        if truncate is not None:
            raise UsageError("truncate applies to continuous univariate families, not to LKJ")
        return _lkj_sample(*_lkj_request(family, params_or_targets, transforms), probs, n, seed)
    spec = build(family, keyword_pairs(params_or_targets), _transform_texts(transforms), truncate=truncate).spec
    exact = stats.exact_summaries(spec, probs)
    values = sampling.draw(spec, n, seed)
    if spec.family.multivariate:
        mc = tuple(mc_stats.mc_summary(values[:, i], probs, label=f"component {i}") for i in range(values.shape[1]))
        return Sample(spec.family.name, spec.params, tuple(str(t) for t in spec.transforms), seed, values, mc,
                      tuple(exact))
    mc = mc_stats.mc_summary(values, probs, discrete=spec.family.discrete)
    return Sample(spec.family.name, spec.params, tuple(str(t) for t in spec.transforms), seed, values, mc, exact[0])


# ---------------------------------------------------------------------------------------------
# LKJ and LKJCholesky (a record with ``matrix``): read through the exact marginal of one correlation


def _matrix_family(family) -> bool:
    from priorcli import records

    record = records.find(family) if isinstance(family, str) else None
    return record is not None and record.matrix is not None


def _lkj_request(family: str, kwargs: dict, transforms=(), targets: bool = False):
    """(family, LKJParams or (dimension, None), targets) from keywords: dimension (alias k),
    concentration (alias eta; numpyro's default 1), with ``targets`` solve's."""
    from priorcli.families import lkj_args
    from priorcli.records import lkj

    name = lkj.family_name(family)
    if _transform_texts(transforms):
        raise UsageError(f"transforms apply to univariate families; {name} draws correlation matrices")
    args = lkj_args.read(name, kwargs.items(), str, targets, assign="=")
    if targets:
        if args.concentration is not None:
            raise UsageError("concentration is what solve finds from the targets; give the targets only")
        return name, args.dimension, args.targets
    return name, lkj.LKJParams(args.dimension, 1.0 if args.concentration is None else args.concentration)


def _lkj_marginal(params):
    from priorcli.sampling import lkj as lkj_draws
    from priorcli.stats import exact as stats

    return stats.ExactDistribution(lkj_draws.marginal_spec(params))


def _lkj_summary(family: str, params, probs) -> Summary:
    """The exact Summary of one correlation, as ``priorcli summarize lkj`` shows it (mean, median 0
    and sd 1 / sqrt(2 a + 1) in closed form)."""
    from dataclasses import replace

    from priorcli.records import lkj

    summary = _lkj_marginal(params).summary(probs)
    quantiles = {p: (0.0 if p == 0.5 else q) for p, q in summary.quantiles.items()}
    return replace(summary, mean=0.0, median=0.0, sd=lkj.marginal_sd(params), quantiles=quantiles)


def _lkj_sample(family: str, params, probs, n: int, seed: int) -> Sample:
    """Matrices drawn by numpyro; ``draws`` the correlations above the diagonal (n, K (K - 1) / 2),
    ``summary`` one Monte Carlo Summary per correlation, ``exact`` the marginal's (the same for each)."""
    from priorcli.sampling import lkj as lkj_draws
    from priorcli.stats import monte_carlo as mc_stats

    matrices = lkj_draws.draw_matrices(family, params, n, seed)
    values, names = lkj_draws.correlations(matrices), lkj_draws.correlation_names(params.dimension)
    mc = tuple(mc_stats.mc_summary(values[:, i], probs, label=name) for i, name in enumerate(names))
    exact = _lkj_summary(family, params, probs)
    return Sample(family, {"dimension": params.dimension, "concentration": params.concentration}, (), seed, values, mc,
                  tuple(exact for _ in names))


@dataclass(frozen=True)
class LKJSolution:
    """The concentration that meets a judgement on one correlation, and the prior as code."""

    family: str
    dimension: int
    concentration: float
    targets: dict
    achieved: dict
    numpyro_code: str
    stan_code: str
    pymc_code: str

    @property
    def params(self) -> dict:
        return {"dimension": self.dimension, "concentration": self.concentration}

    def to_numpyro(self):
        from priorcli.families.registry import numpyro_dist

        return getattr(numpyro_dist(), self.family)(self.dimension, self.concentration)


def _lkj_solve(family: str, kwargs: dict) -> LKJSolution:
    from priorcli.families.registry import probability
    from priorcli.records import lkj

    name, dimension, targets = _lkj_request(family, kwargs, targets=True)
    if "quantile" in targets:
        if set(targets) != {"quantile"}:
            raise UsageError("give quantile=(P, V) alone, or lower=, upper= and mass=")
        p, v = _one_quantile(targets["quantile"])
        requested, found = {f"q{p!r}": v}, {"quantile": (p, v)}
    else:
        missing = [k for k in ("lower", "upper", "mass") if k not in targets]
        if missing:
            raise UsageError(f"solve {name} needs {', '.join(k + '=' for k in missing)} (or quantile=(P, V)) on one "
                             "correlation")
        lower = lkj.check_correlation(targets["lower"], "lower")
        upper = lkj.check_correlation(targets["upper"], "upper")
        mass = probability(targets["mass"], "mass")
        requested = found = {"lower": lower, "upper": upper, "mass": mass}
    eta = lkj.solve_concentration(dimension, **found)
    if "quantile" in found:
        p, _ = found["quantile"]
        achieved = {f"q{p!r}": _lkj_marginal(lkj.LKJParams(dimension, eta)).quantile(p)}
    else:
        achieved = {**requested, "mass": lkj.interval_mass(dimension, eta, requested["lower"], requested["upper"])}
    code = lkj.code_lines(dimension, eta)
    return LKJSolution(name, dimension, eta, requested, achieved, code["numpyro"], code["stan"], code["pymc"])


def _one_quantile(value) -> tuple[float, float]:
    from priorcli.families.registry import _quantile
    from priorcli.records import lkj

    p, v, _ = _quantile(value, "quantile")
    return p, lkj.check_correlation(v, "quantile")
