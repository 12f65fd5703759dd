"""The family registry and the one parser for family-dependent ``--param value`` pairs.

Families are discovered from ``numpyro.distributions`` (every univariate class whose constructor
takes only constrained numeric arguments, plus Dirichlet). Discovery imports numpyro, which is
slow, so the closed-form fast paths (the family records, ``priorcli.records``) resolve names and parameters without
it: ``resolve_fast`` answers for the families with a record, ``resolve`` for all of them.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import math
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable

from priorcli.errors import UsageError
from priorcli import records
from priorcli.records import MAX_WHOLE, PARAM_ALIASES, FamilyRecord, aliases_for  # noqa: F401  (PARAM_ALIASES: re-exported)
from priorcli.records.domain import DEPENDENT, NAMED, Domain
from priorcli.families.targets import Targets
from priorcli.families.cache import cache_directories, compilation_cache_dir, normalize  # noqa: F401  (re-exported)

SCALAR_TARGETS = ("mode", "median", "mean", "sd", "skewness", "kurtosis", "p_zero", "lower", "upper", "bound", "mass",
                  "count")

# numpyro classes that take numbers but are not priors one can draw from.
_NOT_PRIORS = {"Unit", "Delta", "EulerMaruyama", "TruncatedPolyaGamma"}


@dataclass(frozen=True)
class ParamInfo:
    name: str
    domain: Domain  # where its values lie: from numpyro's constraint (domain_of), refined by the record
    default: float | None
    event_dim: int = 0
    constraint: Any = None  # the numpyro constraint, when discovered from numpyro

    @property
    def kind(self) -> str:
        """The domain's name ('positive', 'unit_interval'), as `list` and `info` show it."""
        return self.domain.name


@dataclass(frozen=True)
class FamilyInfo:
    """One family, described once: what numpyro says of it (its class, parameters with their
    domains, support, discreteness; discovered) and what priorcli knows beyond numpyro, its
    ``record`` (closed forms, inversions, fit fields; ``priorcli.records``), or None."""

    name: str  # numpyro class name
    params: tuple[ParamInfo, ...]
    discrete: bool
    multivariate: bool = False
    support: str = ""
    doc: str = ""
    factory: Callable | None = field(default=None, compare=False, repr=False)

    @property
    def record(self) -> FamilyRecord | None:
        """The family's record, read from priorcli.records by class name at each use (one table of
        records, which a test or a plug-in may replace an entry of)."""
        return records.describe(self.name)

    @property
    def closed(self) -> FamilyRecord | None:
        """The record's univariate closed forms (``records.get``): None for Dirichlet, whose
        record holds inversions and text but no scalar closed forms."""
        return self.record if self.record is not None and not self.record.multivariate else None

    @classmethod
    def from_record(cls, record: FamilyRecord) -> "FamilyInfo":
        """The family as its record describes it, without numpyro (the closed-form fast paths)."""
        event_dim = 1 if record.multivariate and record.matrix is None else 0  # a matrix's K and eta are numbers
        params = tuple(ParamInfo(p.name, p.domain, p.default, event_dim) for p in record.params)
        return cls(name=record.name, params=params, discrete=record.discrete, multivariate=record.multivariate)

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def param(self, name: str) -> ParamInfo:
        return next(p for p in self.params if p.name == name)

    def aliases(self) -> dict[str, str]:
        """alias -> native name, for the aliases that apply to this family (its record's own, if any)."""
        record = self.record
        if record is not None and record.own_aliases is not None:
            return dict(record.own_aliases)
        return aliases_for(self.param_names)

    def own_targets(self) -> dict[str, str]:
        """spelling -> target kind for the targets a parameter's name hides (the record's ``own_targets``)."""
        record = self.record
        return dict(record.own_targets) if record is not None and record.own_targets else {}


# ---------------------------------------------------------------------------------------------
# Discovery


@functools.lru_cache(maxsize=1)
def numpyro_dist():
    """Import numpyro.distributions with jax configured (configured_jax)."""
    configured_jax()
    import numpyro.distributions as dist

    return dist


@functools.lru_cache(maxsize=1)
def configured_jax():
    """jax with float64 enabled (exact values are float64 throughout), its persistent compilation
    cache on, so repeated runs skip XLA compilation, and its backend started; without numpyro,
    whose import costs a third of a second that running a stored sampler does not need."""
    import jax

    jax.config.update("jax_enable_x64", True)
    cache = compilation_cache_dir()
    if cache is not None and _trusted_cache(cache):
        from priorcli.families import jax_cache

        jax_cache.use(cache)  # whole entries only: priorcli processes share the cache
    _initialise_backend(jax)
    return jax


def _trusted_cache(jax_dir: str) -> bool:
    """jax's cache holds executables: made private, and used only while private."""
    from priorcli import cachedirs

    cachedirs.make_private(jax_dir)
    return cachedirs.trusted(cache_directories(jax_dir), "priorcli's cache")


def _initialise_backend(jax) -> None:
    """Start jax's backend now, with SIGINT blocked: a Ctrl-C that lands inside backend start-up
    leaves jax waiting on its own threads for a minute. Blocked, the signal stays pending and is
    delivered as a clean KeyboardInterrupt as soon as start-up is done (threads started meanwhile
    inherit the mask, so the signal always reaches the main thread)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        jax.devices()
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        jax.devices()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _constraint_name(constraint) -> str:
    """numpyro's constraint by the name priorcli shows ('positive', 'greaterthan', ...)."""
    from numpyro.distributions import constraints as c

    table = [
        (c.real, "real"),
        (c.positive, "positive"),
        (c.unit_interval, "unit_interval"),
        (c.nonnegative_integer, "nonnegative_integer"),
        (c.positive_integer, "positive_integer"),
        (c.simplex, "simplex"),
        (c.nonnegative, "nonnegative"),
        (c.real_vector, "real_vector"),
    ]
    for known, name in table:
        if constraint is known:
            return name
    return type(constraint).__name__.lstrip("_").lower()


def domain_of(constraint) -> Domain:
    """The :class:`Domain` of a numpyro constraint object: its ends (``lower_bound``,
    ``upper_bound``), whether the constraint holds at each end, whether it is discrete; whole
    numbers end at 2^53, where float64 stops counting them exactly."""
    import numpy as np
    from numpyro.distributions import constraints as c

    if c.is_dependent(constraint):
        return DEPENDENT
    name = _constraint_name(constraint)
    if name in NAMED:
        return NAMED[name]
    if isinstance(constraint, c.independent):
        return domain_of(constraint.base_constraint)
    if getattr(constraint, "event_dim", 0):
        return Domain(name, text=f"a value satisfying {name}", vector="ordered" if name == "orderedvector" else name)
    low = float(np.asarray(getattr(constraint, "lower_bound", -math.inf)))
    high = float(np.asarray(getattr(constraint, "upper_bound", math.inf)))
    integer = bool(constraint.is_discrete)
    if integer:
        high = min(high, MAX_WHOLE)
    low_closed = math.isfinite(low) and bool(constraint(low))
    high_closed = math.isfinite(high) and bool(constraint(high))
    typical = _typical(low, high, integer)
    if name == "openinterval":
        text = f"a number strictly between {low:g} and {high:g}"
    else:
        text = f"a value satisfying {name}"
    return Domain(name, low, high, low_closed, high_closed, integer, typical, text)


def _typical(low: float, high: float, integer: bool) -> float:
    """A valid value: the midpoint between two ends, 1 inside a single end (the least whole number
    for integers), 0 on the line."""
    if math.isfinite(low) and math.isfinite(high):
        return math.floor(0.5 * (low + high)) if integer else 0.5 * (low + high)
    if math.isfinite(low):
        return low if integer else low + 1.0
    if math.isfinite(high):
        return high if integer else high - 1.0
    return 0.0


def _probe_value(param: ParamInfo):
    """A valid value for the parameter, to instantiate its class and look at its shapes: its
    domain's typical value; a vector's from numpyro's biject_to of zeros."""
    import numpy as np

    if param.domain.dependent:
        return param.default if param.default is not None else 1.0
    if param.constraint is None and param.domain.integer:  # a record's matrix size: numpyro takes an int
        return int(param.domain.typical)
    if param.domain.vector is None:
        shape = (3,) * param.event_dim
        return np.full(shape, param.domain.typical) if param.event_dim else param.domain.typical
    if param.domain.vector == "simplex":
        return np.ones(3) / 3
    from numpyro.distributions.transforms import biject_to

    return np.asarray(biject_to(param.constraint)(np.zeros((3,) * param.event_dim)))


def _discover_class(name: str, cls) -> FamilyInfo | None:
    arg_constraints = getattr(cls, "arg_constraints", None)
    if not isinstance(arg_constraints, dict) or not arg_constraints or name in _NOT_PRIORS:
        return None
    signature = inspect.signature(cls.__init__)
    params = []
    record = records.describe(name)
    declared = {q.name: q for q in record.params} if record is not None and record.matrix is not None else {}
    for p in list(signature.parameters.values())[1:]:
        if p.name == "validate_args" or p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            continue
        if p.name in declared and p.name not in arg_constraints:  # a matrix's size (LKJ's dimension): the record's
            params.append(ParamInfo(p.name, declared[p.name].domain, declared[p.name].default))
            continue
        if declared and p.name not in declared and p.default is not inspect.Parameter.empty:
            continue  # an implementation switch the record does not declare (LKJ's sample_method)
        if p.name not in arg_constraints:
            if p.kind == p.KEYWORD_ONLY and p.default is not inspect.Parameter.empty:
                continue  # an implementation switch with a default, e.g. Poisson's is_sparse
            return None  # needs something that is not a number (base_dist, a function, a dimension)
        constraint = arg_constraints[p.name]
        default = None if p.default is inspect.Parameter.empty or p.default is None else p.default
        if p.default is None:
            return None  # alternative parameterisations (probs=None, logits=None): handled by the *Probs classes
        event_dim = getattr(constraint, "event_dim", 0)
        if event_dim > 1:
            return None  # matrix-valued arguments: not a univariate prior
        params.append(ParamInfo(p.name, domain_of(constraint), default, event_dim, constraint))
    if not params:
        return None
    try:
        instance = cls(**{p.name: _probe_value(p) for p in params})
    except Exception:
        return None
    multivariate = record is not None and record.multivariate  # vector draws: only where a record says so
    if not multivariate and instance.event_shape != ():
        return None
    discrete = bool(instance.is_discrete)
    support = instance.support
    from priorcli.families.doctext import summary

    doc = summary(cls)  # the docstring's first paragraph, LaTeX and Sphinx roles as plain text
    return FamilyInfo(
        name=name,
        params=tuple(params),
        discrete=discrete,
        multivariate=multivariate,
        support=record.matrix.support if declared else _support_text(support, {p.name: _probe_value(p) for p in params}),
        doc=doc,
        factory=cls,
    )


def _support_text(support, probes: dict) -> str:
    """The support as text; an end set by a parameter is named by it (``probes``: the parameter
    values the support was made from)."""
    from numpyro.distributions import constraints as c

    names = [
        (c.real, "real"),
        (c.positive, "(0, inf)"),
        (c.unit_interval, "[0, 1]"),
        (c.nonnegative_integer, "{0, 1, 2, ...}"),
        (c.positive_integer, "{1, 2, ...}"),
        (c.simplex, "simplex"),
        (c.boolean, "{0, 1}"),
        (c.nonnegative, "[0, inf)"),
        (c.circular, "[-pi, pi)"),
    ]
    for known, text in names:
        if support is known:
            return text
    if isinstance(support, c.greater_than):
        return "(lower, inf), set by the parameters"
    if isinstance(support, c.integer_interval):
        return "{low, ..., high}, set by the parameters"
    if isinstance(support, c.interval):
        ends = [_end_name(getattr(support, end), probes, fallback)
                for end, fallback in (("lower_bound", "low"), ("upper_bound", "high"))]
        return f"({ends[0]}, {ends[1]}), set by the parameters"
    return type(support).__name__.lstrip("_").lower()


def _end_name(value, probes: dict, fallback: str) -> str:
    """The parameter whose probe value is this end of the support, else ``fallback``."""
    import numpy as np

    for name, probe in probes.items():
        if np.shape(probe) == () and np.shape(value) == () and float(value) == float(probe):
            return name
    return fallback


@functools.lru_cache(maxsize=1)
def _classes() -> dict[str, Any]:
    """Every Distribution class numpyro exports, and priorcli's own for the families numpyro lacks
    (``priorcli.dists``; numpyro's class wins a name both have, unless priorcli's is a subclass of
    it: the same distribution, corrected). Cheap: nothing is instantiated."""
    dist = numpyro_dist()
    from priorcli import dists

    found = {
        name: getattr(dist, name)
        for name in sorted(dist.__all__)
        if inspect.isclass(getattr(dist, name)) and issubclass(getattr(dist, name), dist.Distribution)
    }
    found.update({name: cls for name, cls in dists.classes().items() if name not in found or issubclass(cls, found[name])})
    return dict(sorted(found.items()))


@functools.lru_cache(maxsize=None)
def _discover(name: str) -> FamilyInfo | None:
    info = _discover_class(name, _classes()[name])
    closed = records.get(name)
    if info is None or closed is None:
        return info
    # Validate exactly as the closed-form fast path does (resolve_fast), whichever path resolved
    # the family: the closed forms' domains refine numpyro's where an end is degenerate.
    domains = {p.name: p.domain for p in closed.params}
    params = tuple(replace(p, domain=domains.get(p.name, p.domain)) for p in info.params)
    return replace(info, params=params)


def registry() -> dict[str, FamilyInfo]:
    """Every family priorcli knows, keyed by numpyro class name, discovered from numpyro."""
    found = {name: _discover(name) for name in _classes()}
    return {name: info for name, info in found.items() if info is not None}


def _name_index(names) -> dict[str, str]:
    """normalized spelling -> class name, with 'Bernoulli' for 'BernoulliProbs' and the like."""
    index = {normalize(n): n for n in names}
    for n in names:
        if n.endswith("Probs"):
            index.setdefault(normalize(n[: -len("Probs")]), n)
    return index


def resolve(name: str) -> FamilyInfo:
    """Find a family by any spelling (``lognormal``, ``LogNormal``, ``half-cauchy``)."""
    classes = _classes()
    index = _name_index(classes)
    key = normalize(name)
    info = _discover(index[key]) if key in index else None
    if info is None:
        # Only discovery of every class tells which of them are families: pay for it on errors only.
        raise unknown_family(name, list(registry()))
    return info


def positional_names(spelled: str, family: FamilyInfo) -> tuple[str, ...]:
    """Parameter order for positional arguments, as numpyro reads them for the name as written:
    ``Binomial(10, 0.3)`` is numpyro's factory ``Binomial(total_count, probs)``, whereas the class
    it resolves to is ``BinomialProbs(probs, total_count)``."""
    dist = numpyro_dist()
    key = normalize(spelled)
    factory = next((getattr(dist, n) for n in dist.__all__ if normalize(n) == key), None)
    if factory is None or inspect.isclass(factory):
        return family.param_names
    names = [p for p in inspect.signature(factory).parameters if p in family.param_names]
    return tuple(names) + tuple(n for n in family.param_names if n not in names)


def unknown_family(name: str, known) -> UsageError:
    index = _name_index(known)
    close = difflib.get_close_matches(normalize(name), list(index), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(index[c] for c in close)}?" if close else "; see 'priorcli list'"
    return UsageError(f"unknown family '{name}'{hint}")


def resolve_fast(name: str, vectors: bool = False) -> FamilyInfo | None:
    """The family from its record, without importing numpyro; None if it has no record.
    ``vectors``: a vector family's record too (Dirichlet: solve's closed forms need no numpyro,
    but a sampler needs numpyro's class, which this description lacks)."""
    table = {**records.RECORDS, **{n: r for n, r in records.MULTIVARIATE.items() if r.matrix is None}} \
        if vectors else records.RECORDS
    index = _name_index(table)
    key = normalize(name)
    if key not in index:
        return None
    return FamilyInfo.from_record(table[index[key]])


# ---------------------------------------------------------------------------------------------
# Parsing ``--name value`` pairs


def split_extra_args(tokens: list[str]) -> list[tuple[str, str]]:
    """['--mu', '0', '--sigma=1'] -> [('mu', '0'), ('sigma', '1')]."""
    pairs = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if not token.startswith("--") or len(token) == 2:
            raise UsageError(f"unexpected argument '{token}'; parameters are given as --NAME VALUE")
        body = token[2:]
        if "=" in body and not body.startswith("quantile="):
            name, value = body.split("=", 1)
        elif "=" in body and body.startswith("quantile="):
            name, value = "quantile", body[len("quantile=") :]
        else:
            name = body
            following = tokens[i + 1] if i + 1 < len(tokens) else None
            if following is None or (following.startswith("--") and len(following) > 2):
                # A bare flag here is either a parameter missing its value or an option the
                # command does not have (``solve --no-plot``): say both, so neither misleads.
                raise UsageError(
                    f"--{name} needs a value (family parameters and targets are --NAME VALUE); "
                    "if it is meant as an option, this command has none by that name: see --help"
                )
            value = tokens[i + 1]
            i += 1
        pairs.append((name.replace("-", "_"), value))
        i += 1
    return pairs


def _finite(text: str, not_a_number: str, not_finite: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise UsageError(not_a_number) from None
    if not math.isfinite(value):
        raise UsageError(not_finite)
    return value


def parse_number(text: str, argument: str) -> float:
    """A finite float, or a UsageError naming the argument."""
    if not text.strip():
        raise UsageError(f"{argument} needs a number, got an empty value")
    return _finite(text.strip(), f"{argument} must be a number, got '{text}'",
                   f"{argument} must be a finite number, got '{text}'")


def number_in(text: str, where: str) -> float:
    """A finite float from one cell or item of a longer argument, ``where`` naming it
    (``--data 'x.csv' line 3``, ``--arg 'n=ten'``): "WHERE: 'TEXT' is not a number"."""
    return _finite(text, f"{where}: '{text}' is not a number", f"{where}: '{text}' is not a finite number")


def parse_vector(text: str, argument: str) -> tuple[float, ...]:
    parts = text.split(",")
    return tuple(parse_number(part, argument) for part in parts)


def parse_probability(text: str, argument: str) -> float:
    value = parse_number(text, argument)
    if not 0.0 < value < 1.0:
        raise UsageError(f"{argument} must be a probability strictly between 0 and 1, got '{text}'")
    return value


# A value is the command line's text (``"0.5"``, ``"1,2,3"``) or a Python number (a sequence of
# numbers for a vector), as the API's keywords give it: text is read once, here; a number is taken
# as it is (checked, never written out and read back), so it reaches the solver at full precision.


def number(value: Any, argument: str) -> float:
    """A finite float from the command line's text or from a Python number."""
    if isinstance(value, str):
        return parse_number(value, argument)
    if isinstance(value, bool):
        raise UsageError(f"{argument}={value!r} is not a number")
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise UsageError(f"{argument}={value!r} is not a number") from None
    if not math.isfinite(out):
        raise UsageError(f"{argument} must be a finite number, got '{out!r}'")
    return out


def vector(value: Any, argument: str) -> tuple[float, ...]:
    """A tuple of finite floats from text (``"1,2,3"``), a sequence of numbers or one number."""
    if isinstance(value, str):
        return parse_vector(value, argument)
    if isinstance(value, (tuple, list)) or type(value).__name__ == "ndarray":
        return tuple(number(v, argument) for v in list(value))
    return (number(value, argument),)


def probability(value: Any, argument: str) -> float:
    """A probability strictly between 0 and 1, from text or a Python number."""
    if isinstance(value, str):
        return parse_probability(value, argument)
    out = number(value, argument)
    if not 0.0 < out < 1.0:
        raise UsageError(f"{argument} must be a probability strictly between 0 and 1, got '{out!r}'")
    return out


def check_param(param: ParamInfo, value, argument: str) -> None:
    ok = param.domain.contains(value)
    if ok is None and param.constraint is not None:
        import numpy as np

        ok = bool(np.all(param.constraint(np.asarray(value, dtype=float))))
    if ok is False:
        shown = ",".join(f"{v:g}" for v in value) if isinstance(value, tuple) else f"{value:g}"
        raise UsageError(f"{argument} {shown} is outside its constraint: must be {param.domain.text}")


# Targets that take a least-squares weight as VALUE@W (``--quantile 0.5=1@2``, ``--mean 3@0.5``).
WEIGHTED_TARGETS = ("mode", "median", "mean", "sd", "skewness", "kurtosis", "p_zero", "mass", "count")


def _split_weight(text: Any, argument: str) -> tuple[Any, float | None]:
    """'1@2' -> ('1', 2.0); '1' -> ('1', None); a number has no weight. A weight is a positive
    finite number."""
    if not isinstance(text, str) or "@" not in text:
        return text, None
    value, weight_text = text.rsplit("@", 1)
    weight = parse_number(weight_text, f"{argument} weight")
    if not weight > 0.0:
        raise UsageError(f"{argument} weight must be positive, got '{weight_text}'")
    return value, weight


def _quantile(value: Any, argument: str) -> tuple[float, float, float | None]:
    """(probability, value, weight) from ``P=V`` or ``P=V@W`` text, or from a (p, v) pair of numbers."""
    if not isinstance(value, str):
        try:
            p, v = value
        except (TypeError, ValueError):
            raise UsageError(f"{argument}: {value!r} is not a (probability, value) pair") from None
        return probability(p, argument), number(v, argument), None
    if "=" not in value:
        raise UsageError(f"--quantile needs P=V (e.g. --quantile 0.95=10), got '{value}'")
    p_text, v_text = value.split("=", 1)
    v_text, weight = _split_weight(v_text, argument)
    prob = parse_probability(p_text, argument)
    return prob, parse_number(v_text, argument), weight


@dataclass(frozen=True)
class ParsedArgs:
    params: dict[str, Any]  # native name -> float or tuple of floats, as given
    targets: Targets


def parse_family_args(family: FamilyInfo, pairs: Iterable[tuple[str, Any]]) -> ParsedArgs:
    """Turn (name, value) pairs into native parameters and targets for ``family``: a value is the
    command line's text or a Python number (see :func:`number`); a (p, v) pair for ``quantile``."""
    aliases = family.aliases()
    params: dict[str, Any] = {}
    spelled: dict[str, str] = {}
    scalar_targets: dict[str, Any] = {}
    quantiles: list[tuple[float, float]] = []
    weights: list[tuple[str, float]] = []
    # Parameters named like the interval target's ends (Triangular's lower and upper) are that
    # interval's ends when --mass is given, as in PreliZ's maxent(Triangular(), lower, upper, mass).
    interval = {"lower", "upper"} if any(name == "mass" for name, _ in pairs) else set()
    own = family.own_targets()  # targets a parameter's name hides (ZeroInflatedNegativeBinomial2's overall_mean)
    for name, raw in pairs:
        argument = f"--{name.replace('_', '-')}" if name in own or name in SCALAR_TARGETS else f"--{name}"
        native = None if name in own else name if name in family.param_names and name not in interval \
            else aliases.get(name)
        name = own.get(name, name)
        if native is not None:
            if native in params:
                if spelled[native] == name:
                    raise UsageError(f"{argument} is given twice; give it once")
                raise UsageError(
                    f"{argument} and --{spelled[native]} both set {family.name}'s '{native}'; give one"
                )
            param = family.param(native)
            value: Any = vector(raw, argument) if param.event_dim else number(raw, argument)
            check_param(param, value, argument)
            params[native] = value
            spelled[native] = name
        elif name == "quantile":
            prob, value, weight = _quantile(raw, argument)
            quantiles.append((prob, value))
            if weight is not None:
                weights.append((f"q{prob!r}", weight))
        elif name in SCALAR_TARGETS:
            if name in scalar_targets:
                also = f" (both set the {name} target)" if argument != f"--{name}" else ""
                raise UsageError(f"{argument} is given twice{also}")
            if name in WEIGHTED_TARGETS:
                raw, weight = _split_weight(raw, argument)
                if weight is not None:
                    weights.append((name, weight))
            if name in ("mean", "mode") and family.multivariate:  # simplices
                scalar_targets[name] = vector(raw, argument)
            elif name in ("mass", "p_zero"):
                scalar_targets[name] = probability(raw, argument)
            else:
                scalar_targets[name] = number(raw, argument)
        else:
            known = list(family.param_names) + list(aliases) + list(own) + list(SCALAR_TARGETS) + ["quantile"]
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean --{close[0]}?" if close else ""
            valid = ", ".join(f"--{n}" for n in family.param_names)
            raise UsageError(f"unknown parameter {argument} for {family.name} (parameters: {valid}){hint}")
    targets = Targets(quantiles=tuple(quantiles), weights=tuple(weights), **scalar_targets)
    return ParsedArgs(params=params, targets=targets)


def complete_params(family: FamilyInfo, params: dict[str, Any], check: bool = True) -> dict[str, Any]:
    """Fill numpyro's defaults in; a missing parameter without a default is a usage error. With
    ``check`` the parameters must be numbers and are checked against each other (:func:`check_dependent`);
    a caller with per-draw arrays passes ``check=False`` and checks them itself, draw by draw."""
    full = {}
    for p in family.params:
        if p.name in params:
            full[p.name] = params[p.name]
        elif p.default is not None:
            full[p.name] = float(p.default)
        else:
            aliases = [a for a, n in family.aliases().items() if n == p.name]
            also = f" (or --{aliases[0]})" if aliases else ""
            raise UsageError(f"{family.name} needs --{p.name}{also}; numpyro gives it no default")
    if check:
        check_dependent(family, full)
    return full


def check_dependent(family: FamilyInfo, params: dict[str, Any]) -> None:
    """Constraints between parameters that numpyro marks as 'dependent' (Uniform low < high; the
    record's own ``check_params``, such as Triangular's lower <= c <= upper)."""
    from priorcli import records

    record = records.describe(family.name)
    if record is not None and record.check_params is not None:
        why = record.check_params(params, lambda name, value: f"--{name} {value}")
        if why is not None:
            raise UsageError(why)
        return
    if "low" in params and "high" in params and not params["low"] < params["high"]:
        raise UsageError(
            f"--low {params['low']:g} must be below --high {params['high']:g} for {family.name}"
        )
