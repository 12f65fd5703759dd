"""The FamilyRecord class and the machinery every record shares.

A record is declared once per family, in its own file (``priorcli.records.gamma``, ...), from
*cores*: plain functions of the value and the native parameters written with numpy ufuncs and
``scipy.special``, so that one function serves both

* scalars: ``record.cdf(0.3, loc=0.0, scale=1.0)`` returns a Python ``float`` (the solver's many
  small evaluations), and
* arrays: ``record.cdf(np.array([...]), loc=..., scale=np.array([...]))`` returns a float64
  ``ndarray`` broadcast over the value and the parameters (the fitter's log-likelihoods, the
  summaries' densities, draws whose parameters vary).

The wrappers here handle the support (outside it the cdf is 0 or 1 and the log density ``-inf``;
``icdf(0)``/``icdf(1)`` are the support's ends; ``q`` outside [0, 1] and NaN give NaN), bind
parameters by keyword or position in numpyro's order with numpyro's defaults, and silence floating
point warnings (a quantile at an overflowing point is ``inf``, not a message on stderr).

Closed-form summaries (mean, variance, mode, median, entropy) are scalar functions returning a
float, or ``None`` when undefined or infinite; the ``mode`` is ``None`` when there is no unique mode
or the density is unbounded at a boundary. For discrete families the mode is the smallest argmax of
the pmf and ``icdf(q)`` is the smallest integer ``k`` with ``cdf(k) >= q``.

Closed-form *inversions* (targets -> parameters) are :class:`Inversion` entries of the record,
written once against an array namespace ``xp`` so that the same formula evaluates on floats
(``math``: the LogNormal solve path stays free of numpy), on arrays (numpy: targets that vary across
draws) and as expressions (``priorcli.emit`` passes a namespace that builds model-language code).

The maximum-likelihood fitter (``priorcli.fitting``) reads the fit fields (``fit_check``,
``mle``, ``mle_via``, ``fit_start``, ``fit_coords``: see :class:`FamilyRecord`); what they share is in
``priorcli.records.fitdata``.

Importing this module is cheap: numpy and scipy.special are imported on first use only.
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass, field
from typing import Callable

from priorcli.records.domain import MAX_WHOLE, POSITIVE, REAL, Domain, named
from priorcli.records.zero_d import zero_d

__all__ = [
    "ParamSpec",
    "Inversion",
    "FamilyRecord",
    "MatrixElements",
    "record",
    "param",
    "np",
    "sc",
    "PARAM_ALIASES",
    "aliases_for",
    "xp_for",
    "discrete_search",
]

INF = math.inf
NAN = math.nan
EULER = 0.57721566490153286061
LOG2 = math.log(2.0)
LOGPI = math.log(math.pi)
LOG2PI = math.log(2.0 * math.pi)


class _LazyModule:
    """A module imported on the first attribute access; attributes are cached on the proxy, so
    later accesses cost an ordinary attribute lookup."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str):
        if attr.startswith("__"):
            raise AttributeError(attr)
        value = getattr(importlib.import_module(self._name), attr)
        setattr(self, attr, value)
        return value


np = _LazyModule("numpy")
sc = _LazyModule("scipy.special")


# User-facing aliases -> candidate native names, the first one the family has wins. An alias that
# is itself a native parameter of the family (Pareto's ``alpha``) keeps its native meaning.
PARAM_ALIASES: dict[str, tuple[str, ...]] = {
    "mu": ("loc",),
    "sigma": ("scale",),
    "alpha": ("concentration1", "concentration"),
    "beta": ("concentration0", "rate"),
    "shape": ("concentration",),
    "nu": ("df",),
    "p": ("probs",),
    "lambda": ("rate",),
}


def aliases_for(param_names) -> dict[str, str]:
    """alias -> native name, for the aliases that apply to a family with these parameters."""
    names = tuple(param_names)
    out = {}
    for alias, candidates in PARAM_ALIASES.items():
        if alias in names:
            continue
        native = next((n for n in candidates if n in names), None)
        if native is not None:
            out[alias] = native
    return out


@dataclass(frozen=True)
class ParamSpec:
    name: str  # numpyro name
    domain: Domain  # where its values lie (priorcli.records.domain): REAL, POSITIVE, OPEN_UNIT_INTERVAL, ...
    default: float | None  # numpyro's default, None if numpyro requires it

    @property
    def kind(self) -> str:
        """The domain's name ('positive', 'unit_interval'), as `list` and `info` show it."""
        return self.domain.name


@dataclass(frozen=True)
class MatrixElements:
    """A matrix-valued family's elements as priorcli reads them: the K (K - 1) / 2 off-diagonal
    elements of a K x K matrix (K the parameter ``size_param``), above the diagonal row by row
    (r[0,1], r[0,2], ..., a correlation matrix's free elements) or, with ``lower``, below it
    (L[1,0], L[2,0], L[2,1], ..., a Cholesky factor's). ``marginal(**params)`` is the exact
    marginal where one applies: (family, params, transforms, the positions it applies to), or None."""

    size_param: str
    support: str
    lower: bool = False
    marginal: Callable | None = field(default=None, compare=False)
    targets: tuple[str, ...] = ("quantile", "lower")  # what solve takes, on one element's marginal

    def indices(self, k: int) -> tuple[tuple[int, int], ...]:
        if self.lower:
            return tuple((i, j) for i in range(k) for j in range(i))
        return tuple((i, j) for i in range(k) for j in range(i + 1, k))

    def size(self, k: int) -> int:
        return k * (k - 1) // 2

    def names(self, name: str, k: int) -> list[str]:
        return [f"{name}[{i},{j}]" for i, j in self.indices(k)]


def show(v) -> str:
    """A value inside an error message: as the user probably typed it."""
    if isinstance(v, (tuple, list)):
        return "(" + ", ".join(show(x) for x in v) + ")"
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e16:
        return str(int(v))
    return f"{v:.10g}" if isinstance(v, float) else str(v)


def param(name: str, domain: str | Domain, default=None) -> ParamSpec:
    """A record's parameter: its numpyro name, its domain (a :class:`Domain` or one's name,
    ``"positive"``) and numpyro's default."""
    return ParamSpec(name, named(domain), None if default is None else float(default))


# ---------------------------------------------------------------------------------------------
# Inversions: targets -> parameters, one formula for floats, arrays and expressions


def xp_for(*values):
    """``math`` when every value is a plain number, numpy otherwise."""
    if all(isinstance(v, (int, float)) for v in values):
        return math
    return np


@dataclass(frozen=True)
class Inversion:
    """Native parameters from targets in closed form.

    ``targets``: target kinds (mode, median, mean, sd, count) the formula takes; ``fixed``: native
    parameters that must be held fixed beside them. ``formula(xp, **values)`` returns every native
    parameter the record has that is not fixed; ``valid(**values)`` (optional) is True where the
    targets can hold together (elementwise on arrays), and ``why(**values)`` says why not, for
    scalars. Targets outside the support (a negative LogNormal mode) are the caller's to refuse.
    """

    targets: frozenset
    fixed: frozenset
    formula: Callable
    valid: Callable | None = None
    why: Callable | None = None

    def __call__(self, **values):
        """Evaluate on floats (``math``) or arrays (numpy)."""
        return self.formula(xp_for(*values.values()), **values)

    def holds(self, **values):
        """True where the targets can hold together: a bool for floats, a bool array for arrays."""
        if self.valid is None:
            return True if xp_for(*values.values()) is math else np.full(np.broadcast(*values.values()).shape, True)
        ok = self.valid(**values)
        return bool(ok) if xp_for(*values.values()) is math else np.asarray(ok, dtype=bool)


@dataclass(frozen=True)
class TargetSolve:
    """A numerical solve from exactly the target kinds ``targets`` (every one given): ``solve(**values)``
    returns {"params", "achieved", "notes", "alternatives", "method"} or raises a PriorError."""

    targets: frozenset
    solve: Callable


def inversion(targets, fixed=(), *, valid=None, why=None):
    """Decorator: register ``formula(xp, **values)`` as an :class:`Inversion`."""

    def wrap(formula):
        return Inversion(frozenset(targets), frozenset(fixed), formula, valid, why)

    return wrap


# ---------------------------------------------------------------------------------------------
# The record




@dataclass(frozen=True)
class FamilyRecord:
    """Everything priorcli knows about one family beyond numpyro. Callables are None when the
    family has no closed form for them. See the module docstring for conventions."""

    name: str
    params: tuple[ParamSpec, ...]
    discrete: bool
    support: Callable[..., tuple[float, float]]
    cdf: Callable | None
    icdf: Callable | None
    logpdf: Callable | None
    mean: Callable | None
    variance: Callable | None
    mode: Callable | None
    median: Callable | None
    entropy: Callable | None
    inversions: tuple[Inversion, ...] = field(default=(), compare=False)
    # What the solver needs beyond the closed forms:
    # how each parameter moves under X -> a + c X (c > 0): 'loc' -> a + c v, 'scale' -> c v,
    # 'rate' -> v / c, 'logloc' -> v + log c; unlisted parameters are shapes
    scaling: dict = field(default_factory=dict, compare=False)
    # the parameters that set the support (Pareto's scale, Uniform's low and high, Binomial's
    # total_count), and the union of the supports over them; a family whose support moves with
    # a parameter that is solved for (not a whole number, which is always held) must give both
    support_params: tuple[str, ...] = ()
    moving_support: tuple[float, float] | None = None
    # low < high parameters: 'add' (high = low + w) or 'mul' (high = low * w), w > 0
    ordered: str | None = None
    # rough parameters with mean m and sd s (starting points; exact where the record says so)
    moment_start: Callable | None = field(default=None, compare=False)
    # targets that are native parameters: target kind -> parameter (BetaProportion's mean)
    direct: dict = field(default_factory=dict, compare=False)
    # what `priorcli info` shows: closed forms as text, and an example command
    formulas: tuple[str, ...] = ()
    example: str | None = None
    # What the maximum-likelihood fitter (priorcli.fitting) needs; x is the data, a 1-d float64 array,
    # and `fixed` the parameters held (native names). The family fits through its record when it has
    # a logpdf and a fit_start or an mle; shared helpers are in priorcli.records.fitdata.
    # fit_check(family, x, fixed): InfeasibleError unless x lies in the support given `fixed`
    fit_check: Callable | None = field(default=None, compare=False)
    # fit_start(x) -> every parameter's starting value for the numerical maximisation
    fit_start: Callable | None = field(default=None, compare=False)
    # the closed-form MLE: mle(x) when nothing is held; without a fit_start, mle(x, **fixed) always
    mle: Callable | None = field(default=None, compare=False)
    # (family, convert): with nothing held, the MLE is that family's fit reparameterised by
    # convert(params) (the MLE is invariant under reparameterisation: BetaProportion from Beta)
    mle_via: tuple[str, Callable] | None = field(default=None, compare=False)
    # fit_coords(x, start) -> {param: the fitter's coordinate as keywords (kind, scale, low, high)}
    # replacing the default log/logit/shift ones (Levy's loc, kept below min(x))
    fit_coords: Callable | None = field(default=None, compare=False)
    # a vector-valued family (Dirichlet): kept out of RECORDS, whose members the univariate fast paths use
    multivariate: bool = False
    # the coordinates of a linear solve, X = l + s X0, where they are not the record's loc and scale
    # kinds: {param: (coefficient of l, coefficient of s)} (Uniform: low = l, high = l + s)
    linear: dict | None = field(default=None, compare=False)
    # a target algebra solving location/sd/quantile targets whole, in closed form (LogNormal's,
    # ``priorcli.records.lognormal.ALGEBRA``: term, candidates, value_at, relation texts, ...); the
    # solver takes this path for the family before any numerics
    algebra: object | None = field(default=None, compare=False)
    # a multivariate family's exact marginals: components(**params) -> [(family, params), ...]
    # (Dirichlet's component i is Beta(concentration_i, sum - concentration_i))
    components: Callable | None = field(default=None, compare=False)
    # why `--family auto` leaves the family out (named in --family it is ranked as any other): a fixed
    # grid of integers nobody elicits, or a second parametrisation of a family already ranked
    not_auto: str | None = None
    # constraints between parameters (numpyro's 'dependent' ones) beyond Uniform-like low < high:
    # check_params(params) -> why they fail (naming the parameters and values), or None; elementwise
    # on arrays (the model language's varying parameters). Triangular's lower <= c <= upper
    check_params: Callable | None = field(default=None, compare=False)
    # the solver's unconstrained coordinates where the kinds' log/logit ones and ``ordered`` do not
    # keep the parameters valid: an object with params(xs, p) -> p (xs: the free parameters'
    # coordinates, p: the fixed parameters; standardised units) and x(p, free) -> [coordinate, ...]
    # (Triangular's lower, the log width and the mode's logit position between the ends)
    solve_coords: object | None = field(default=None, compare=False)
    # closed-form skewness and excess kurtosis (the --skewness/--kurtosis targets), as the summaries
    # above: None where undefined or infinite
    skewness: Callable | None = field(default=None, compare=False)
    kurtosis: Callable | None = field(default=None, compare=False)
    # reading(draws, **params) -> numpyro's draws as the record reads the family (VonMises: the
    # angle unwrapped onto [loc - pi, loc + pi)), so Monte Carlo and exact values describe one thing
    reading: Callable | None = field(default=None, compare=False)
    # whole-number parameters the solver scans when they are not given (Binomial's total_count:
    # priorcli.solving.whole); others must be held
    solves_whole: tuple[str, ...] = ()
    # a matrix-valued family (LKJ's correlation matrices): the elements a model variable drawn from it
    # holds, their exact marginal and the support's text (a :class:`MatrixElements`)
    matrix: object | None = field(default=None, compare=False)
    # the family's own parameter aliases (alias -> native name), replacing the shared PARAM_ALIASES
    # table where its names mean something else (LKJ's concentration is eta, not a Gamma's alpha)
    own_aliases: dict | None = field(default=None, compare=False)
    # targets that a parameter's name hides, under another spelling: spelling -> target kind
    # (ZeroInflatedNegativeBinomial2's overall_mean -> mean: its parameter ``mean`` is the NB2's, so
    # ``--mean`` is that parameter, and ``--overall-mean`` the family's mean as a target)
    own_targets: dict | None = field(default=None, compare=False)
    # what a maximum-entropy interval solve (fewer targets than parameters) needs held, as PreliZ's
    # maxent holds a zero-inflated family's psi: (parameter, how to hold it, for messages); with it
    # free the entropy may run off (a ZeroInflatedPoisson's grows without bound as gate -> mass)
    maxent_holds: tuple | None = field(default=None, compare=False)
    # maxent_entropy(**params): what that solve maximises where ``entropy`` is None, with the
    # ``maxent_holds`` parameter held (a continuous hurdle's part's differential entropy: its
    # entropy beside the atom, -int (1 - g) f log((1 - g) f), is (1 - g) h(f) + a constant in g)
    maxent_entropy: Callable | None = field(default=None, compare=False)
    # P(X = 0) of a family built around a structural zero (zero-inflated and hurdle families), shown
    # beside the summaries; for a continuous family it is a point mass at the support's lower end, 0
    # (HurdleGamma), which the cdf includes there (cdf(0) = P(X = 0)) and which leaves no mode
    zero_mass: Callable | None = field(default=None, compare=False)
    # the survival function 1 - F and its inverse, exact in the upper tail (where 1 - cdf loses
    # precision): a truncation deep in the upper tail reads them (priorcli.records.truncated);
    # arguments inside the support, plain numbers (float) or arrays
    sf: Callable | None = field(default=None, compare=False)
    isf: Callable | None = field(default=None, compare=False)
    # moment_shift(r, **params) -> (factor, family, params') with x^r f(x; params) = factor *
    # f'(x; params') (f' that family's density; None where there is none): a truncated moment is then
    # a mass of f', E[X^r; a < X < b] = factor (F'(b) - F'(a)), not a quadrature (Gamma: k -> k + r)
    moment_shift: Callable | None = field(default=None, compare=False)
    # a multivariate family's numerical solves beyond its closed forms (Dirichlet from mode, bound
    # and mass, as PreliZ's dirichlet_mode): :class:`TargetSolve` s, read by priorcli.solving.closed
    solves: tuple = field(default=(), compare=False)

    @property
    def atom(self) -> bool:
        """A continuous family with a point mass (at 0, its support's lower end)."""
        return self.zero_mass is not None and not self.discrete

    @property
    def takes_count(self) -> bool:
        """Whether ``--count`` applies (the Stan guide's mean/count): one of its closed forms takes it."""
        return any("count" in inv.targets for inv in self.inversions)

    @property
    def solves_linearly(self) -> bool:
        """Whether, with the shapes held, every target is l + b s in two parameters (a location-scale
        family, or ``linear``) or b s in one (a scale or rate family): the solver's linear solve."""
        if self.linear is not None:
            return True
        return sorted(self.scaling.values()) in (["loc", "scale"], ["scale"], ["rate"])

    @property
    def fits(self) -> bool:
        """Whether the fitter maximises this record's likelihood (else numpyro's, with jax)."""
        return self.logpdf is not None and (self.fit_start is not None or self.mle is not None)

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def aliases(self) -> dict[str, str]:
        return dict(self.own_aliases) if self.own_aliases is not None else aliases_for(self.param_names)

    def sd(self, *args, **kwargs) -> float | None:
        if self.variance is None:
            return None
        v = self.variance(*args, **kwargs)
        return None if v is None or v < 0.0 else math.sqrt(v)

    def typical_params(self) -> dict[str, float]:
        """Some valid parameters: each domain's typical value (1 for positive, 1/2 for unit-interval,
        0 for real ones); numpyro's default for a dependent one where the record checks its
        parameters together (Triangular's c and upper, valid only beside lower)."""
        return {p.name: p.default if p.domain.dependent and p.default is not None and self.check_params is not None
                else p.domain.typical for p in self.params}

    def support_given(self, fixed: dict | None = None) -> tuple[float, float]:
        """The support the targets must lie in when ``fixed`` is held: the support itself when it
        does not move with the free parameters, else the union over them (``moving_support``)."""
        fixed = fixed or {}
        if any(name not in fixed for name in self.support_params) and self.moving_support is not None:
            return self.moving_support
        return self.support(**{**self.typical_params(), **fixed})

    def check_exact_counts(self, params: dict) -> None:
        """A discrete family's values must stay where float64 counts whole numbers exactly (up to
        2^53; beyond it k - 1 == k): a UsageError naming the parameters otherwise."""
        if not self.discrete:
            return
        try:
            m, s = self.mean(**params), self.sd(**params)
            reach = m + 10.0 * (s or 0.0) if m is not None else math.inf
        except (ValueError, ArithmeticError, TypeError):
            reach = math.inf
        if not reach <= MAX_WHOLE:
            from priorcli.errors import UsageError

            shown = ", ".join(f"{k}={show(v)}" for k, v in params.items())
            raise UsageError(f"{self.name}({shown}) reaches values beyond 2^53 = {MAX_WHOLE:.17g}, where float64 "
                             "no longer counts whole numbers exactly: give smaller parameters")

    def targets_in_support(self, **targets):
        """Elementwise: location targets (mode, median, mean) strictly inside the support, sd and
        count positive. For families whose support does not move with the parameters (every
        family with an inversion)."""
        lo, hi = self.support_given()
        ok = True
        for kind, v in targets.items():
            if kind in ("mode", "median", "mean"):
                ok = ok & (lo < v) & (v < hi)
            elif kind in ("sd", "count"):
                ok = ok & (v > 0)
        return ok

    def inversion(self, targets, fixed=()) -> Inversion | None:
        """The closed form taking exactly these target kinds with these parameters fixed."""
        key, held = frozenset(targets), frozenset(fixed)
        return next((inv for inv in self.inversions if inv.targets == key and inv.fixed == held), None)


# ---------------------------------------------------------------------------------------------
# Wrapping cores: binding, support, scalar vs array


def _binder(name: str, params: tuple[ParamSpec, ...]):
    names = tuple(p.name for p in params)
    defaults = {p.name: p.default for p in params if p.default is not None}

    def bind(args, kwargs) -> tuple[dict, bool]:
        """(params, scalar): scalar is True when every value is a plain number."""
        if len(args) > len(names):
            raise TypeError(f"{name}: expected at most {len(names)} parameters, got {len(args)}")
        out = dict(defaults)
        scalar = True
        for k, v in list(zip(names, args)) + list(kwargs.items()):
            if k not in names:
                raise TypeError(f"{name}: unknown parameter {k!r} (expected {', '.join(names)})")
            if isinstance(v, (int, float)):
                out[k] = float(v)
            else:
                out[k] = v
                scalar = False
        missing = [n for n in names if n not in out]
        if missing:
            raise TypeError(f"{name}: missing parameter(s) {', '.join(missing)}")
        return out, scalar

    return bind


def _arrays(x, p: dict):
    """x and the parameters as float64 arrays broadcast together."""
    arrays = np.broadcast_arrays(np.asarray(x, dtype=np.float64), *(np.asarray(v, dtype=np.float64) for v in p.values()))
    return arrays[0], dict(zip(p, arrays[1:]))


def _interior(lo, hi, discrete: bool):
    """A point inside the support, to evaluate cores harmlessly where the answer is masked."""
    lo_ok, hi_ok = np.isfinite(lo), np.isfinite(hi)
    if discrete:
        return np.where(lo_ok, lo, np.where(hi_ok, hi, 0.0))
    return np.where(lo_ok & hi_ok, 0.5 * (lo + hi), np.where(lo_ok, lo + 1.0, np.where(hi_ok, hi - 1.0, 0.0)))


def _wrap_tail(core, bind):
    """A survival function or its inverse: bound parameters, a float for plain numbers (the
    argument inside the support / in (0, 1): no masking)."""

    def wrapped(x, *args, **kwargs):
        p, scalar = bind(args, kwargs)
        with np.errstate(all="ignore"):
            if scalar and isinstance(x, (int, float)):
                return float(core(float(x), **p))
            x, p = _arrays(x, p)
            return np.asarray(core(x, **p), dtype=np.float64)

    return wrapped


def _wrap_cdf(core, bind, support, discrete, atom=False):
    """``atom``: a continuous family with a point mass at its lower end, which cdf(lo) includes."""

    def cdf(x, *args, **kwargs):
        p, scalar = bind(args, kwargs)
        if scalar and isinstance(x, (int, float)):
            x = float(x)
            if math.isnan(x):
                return NAN
            lo, hi = support(**p)
            if discrete:
                x = math.floor(x) if math.isfinite(x) else x
                if x < lo:
                    return 0.0
            elif x < lo or (x == lo and not atom):
                return 0.0
            if x >= hi:
                return 1.0
            with np.errstate(all="ignore"):
                return float(core(x, **p))
        x, p = _arrays(x, p)
        with np.errstate(all="ignore"):
            lo, hi = support(**p)
            if discrete:
                x = np.where(np.isfinite(x), np.floor(x), x)
                below = x < lo
            else:
                below = (x < lo) if atom else (x <= lo)
            above = ~below & (x >= hi)
            inside = ~(below | above | np.isnan(x))
            v = core(np.where(inside, x, _interior(lo, hi, discrete)), **p)
            return np.where(inside, v, np.where(below, 0.0, np.where(above, 1.0, NAN)))

    return cdf


def _wrap_icdf(core, bind, support):
    def icdf(q, *args, **kwargs):
        p, scalar = bind(args, kwargs)
        if scalar and isinstance(q, (int, float)):
            q = float(q)
            if not (0.0 <= q <= 1.0):
                return NAN
            lo, hi = support(**p)
            if q == 0.0:
                return float(lo)
            if q == 1.0:
                return float(hi)
            with np.errstate(all="ignore"):
                v = float(core(q, **p))
            return min(max(v, lo), hi)
        q, p = _arrays(q, p)
        with np.errstate(all="ignore"):
            lo, hi = support(**p)
            lo, hi = np.broadcast_to(lo, q.shape), np.broadcast_to(hi, q.shape)
            interior = (q > 0.0) & (q < 1.0)
            v = np.minimum(np.maximum(core(np.where(interior, q, 0.5), **p), lo), hi)
            return np.where(interior, v, np.where(q == 0.0, lo, np.where(q == 1.0, hi, NAN)))

    return icdf


def _wrap_logpdf(core, bind, support, discrete):
    def on_arrays(x, p: dict):
        x, p = _arrays(x, p)
        with np.errstate(all="ignore"):
            lo, hi = support(**p)
            inside = (x >= lo) & (x <= hi)
            if discrete:
                inside &= x == np.floor(x)
            v = core(np.where(inside, x, _interior(lo, hi, discrete)), **p)
            return np.where(inside, v, np.where(np.isnan(x), NAN, -INF))

    def logpdf(x, *args, **kwargs):
        p, scalar = bind(args, kwargs)
        if scalar and isinstance(x, (int, float)):
            x = float(x)
            if math.isnan(x):
                return NAN
            lo, hi = support(**p)
            if x < lo or x > hi or (discrete and x != math.floor(x)):
                return -INF
            with np.errstate(all="ignore"):
                return float(core(x, **p))
        return on_arrays(x, p)

    def at(*args, **kwargs):
        """``logpdf(x, *args, **kwargs)`` as a function of ``x`` alone, its parameters bound, checked
        and converted once (a quadrature's many scalar calls): the same values, by the same core.
        A plain number is evaluated without ``np.errstate`` (entering it costs more than the
        expression): the caller holds ``np.errstate(all="ignore")`` around its loop where the
        expression may overflow, as the truncated quadrature does; arrays as ``logpdf``."""
        p, scalar = bind(args, kwargs)
        if not scalar:
            return lambda x: on_arrays(x, p)
        lo, hi = support(**p)
        floor = math.floor

        def bound(x):
            if type(x) is float:  # logpdf's scalar path, its tests in the same order
                if x != x:
                    return NAN
                if x < lo or x > hi or (discrete and x != floor(x)):
                    return -INF
                return float(core(x, **p))
            if isinstance(x, (int, float)):
                return bound(float(x))
            return on_arrays(x, p)

        return bound

    logpdf.at = at
    logpdf.zero_d = zero_d(core, bind, support, discrete, on_arrays)  # priorcli.records.zero_d
    return logpdf


def _wrap_summary(fn, bind):
    if fn is None:
        return None

    def summary(*args, **kwargs):
        p, _ = bind(args, kwargs)
        try:
            v = fn(**p)
        except (OverflowError, ZeroDivisionError):
            # math.exp/expm1 or 1/x**2 beyond float64 (LogNormal sigma=30, Exponential rate=1e-300):
            # the summaries that can overflow (means, variances) are positive, so the float is +inf.
            return INF
        return None if v is None else float(v)

    summary.__name__ = getattr(fn, "__name__", "summary")
    return summary


def _wrap_support(fn, bind):
    def support(*args, **kwargs):
        p, scalar = bind(args, kwargs)
        lo, hi = fn(**p)
        if scalar:
            return float(lo), float(hi)
        return lo, hi

    return support


def record(name, params, *, discrete=False, support, cdf=None, icdf=None, logpdf=None, mean=None,
           variance=None, mode=None, median=None, entropy=None, inversions=(), **solving) -> FamilyRecord:
    """Build a FamilyRecord from its cores (see the module docstring)."""
    params = tuple(params)
    domains = {p.name: p.domain for p in params}
    solved = [n for n in solving.get("support_params", ()) if not domains[n].integer]
    if solved and solving.get("moving_support") is None:
        raise AssertionError(f"{name}: its support moves with {solved[0]}, so its record needs a moving_support")
    bind = _binder(name, params)
    atom = solving.get("zero_mass") is not None and not discrete
    for name_ in ("zero_mass", "maxent_entropy"):
        if solving.get(name_) is not None:
            solving[name_] = _wrap_summary(solving[name_], bind)
    w_icdf = _wrap_icdf(icdf, bind, support) if icdf is not None else None
    for shape in ("skewness", "kurtosis"):
        if shape in solving:
            solving[shape] = _wrap_summary(solving[shape], bind)
    for tail in ("sf", "isf"):
        if solving.get(tail) is not None:
            solving[tail] = _wrap_tail(solving[tail], bind)
    if median is None and w_icdf is not None:

        def median(**p):
            return w_icdf(0.5, **p)

    return FamilyRecord(
        name=name,
        params=params,
        discrete=discrete,
        support=_wrap_support(support, bind),
        cdf=_wrap_cdf(cdf, bind, support, discrete, atom) if cdf is not None else None,
        icdf=w_icdf,
        logpdf=_wrap_logpdf(logpdf, bind, support, discrete) if logpdf is not None else None,
        mean=_wrap_summary(mean, bind),
        variance=_wrap_summary(variance, bind),
        mode=_wrap_summary(mode, bind),
        median=_wrap_summary(median, bind),
        entropy=_wrap_summary(entropy, bind),
        inversions=tuple(inversions),
        **solving,
    )


REAL_LINE = lambda **p: (-INF, INF)  # noqa: E731
POSITIVE_LINE = lambda **p: (0.0, INF)  # noqa: E731
UNIT = lambda **p: (0.0, 1.0)  # noqa: E731
LOC_SCALE = (param("loc", REAL, 0.0), param("scale", POSITIVE, 1.0))
SHIFT_SCALE = {"loc": "loc", "scale": "scale"}  # scaling of a location-scale family


def loc_scale_start(m: float, s: float) -> dict:
    return {"loc": m, "scale": s}


# Discrete helpers (in ``priorcli.records.discrete``; the records import them from here)
from priorcli.records.discrete import discrete_entropy, discrete_search  # noqa: E402
