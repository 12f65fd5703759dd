"""Exact summaries (and the Summary they share with the Monte Carlo ones of :mod:`priorcli.stats.monte_carlo`).
Returns dataclasses at full precision; never prints.

Exact values come from the family records (``priorcli.records``: closed forms) where the family has
them, from numpyro's own ``icdf``/``mean``/``variance`` otherwise, and from numerical inversion,
quadrature or maximisation where neither has a closed form. Transforms are monotone, so quantiles
are the transformed base quantiles; mean and sd are integrals over the base density.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass
from typing import Any, Callable

from priorcli import records
from priorcli.stats import numeric
from priorcli.errors import InfeasibleError, UsageError
from priorcli.families.registry import FamilyInfo
from priorcli.families.transforms import TransformSpec, build_chain, check_chain

DEFAULT_QUANTILES = (0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975)


@dataclass(frozen=True)
class DistSpec:
    """A fully specified prior: a family, every native parameter, transforms in order, and a
    truncation of the family's variable (before the transforms; ``priorcli.records.truncated``)."""

    family: FamilyInfo
    params: dict[str, Any]
    transforms: tuple[TransformSpec, ...] = ()
    truncate: Any = None  # a records.truncated.Truncation, or None

    def label(self) -> str:
        describe = getattr(self.family, "describe", None)  # a mixture's own (priorcli.stats.mixture)
        if describe is not None:
            return describe(self.params, self.transforms)
        args = ", ".join(f"{k}={_fmt_param(v)}" for k, v in self.params.items())
        text = f"{self.family.name}({args})"
        if self.truncate is not None:
            text = self.truncate.label(text)
        for t in self.transforms:
            text = f"{t}({text})"
        return text


def _fmt_param(value) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(f"{v:g}" for v in value) + "]"
    return f"{value:g}"


@dataclass(frozen=True)
class Summary:
    mean: float | None
    sd: float | None
    median: float | None
    mode: float | None
    quantiles: dict[float, float | None]
    method: str  # "exact" | "monte-carlo"
    n: int | None = None
    label: str = ""  # e.g. "concentration[1]" for a Dirichlet component
    # Monte Carlo draws beyond float64's range (see priorcli.stats.monte_carlo.out_of_range): exactly 0
    # where the variable is positive, and +-inf.
    underflowed: int = 0
    overflowed: int = 0


def finite_or_none(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


# ---------------------------------------------------------------------------------------------
# numpyro objects


def build_distribution(spec: DistSpec):
    """The numpyro distribution for ``spec`` (a TransformedDistribution when transformed)."""
    import jax.numpy as jnp

    from priorcli.families.registry import numpyro_dist

    dist = numpyro_dist()
    # Integer parameters (Binomial's total_count) stay integers: numpyro's samplers index with them.
    integer = {p.name for p in spec.family.params if p.domain.integer}
    kwargs = {k: jnp.asarray(v, dtype=jnp.int64 if k in integer else jnp.float64) for k, v in spec.params.items()}
    try:
        # priorcli checks the constraints itself; numpyro's eager validation would cost compilations.
        base = spec.family.factory(**kwargs)
    except ValueError as exc:  # a constraint numpyro checks that priorcli's parser did not know
        raise UsageError(f"invalid parameters for {spec.family.name}: {exc}") from None
    if spec.truncate is not None:
        from priorcli.dists.truncated import truncated

        try:
            base = truncated(base, *spec.truncate.ends())
        except ValueError as exc:  # a base it cannot draw (no cdf: VonMises)
            raise UsageError(f"a truncated {spec.family.name} cannot be drawn: {exc}") from None
    if not spec.transforms:
        return base
    return dist.TransformedDistribution(base, build_chain(list(spec.transforms)))


def with_factory(family: FamilyInfo) -> FamilyInfo:
    """The family as discovered from numpyro, with its class: one resolved from its record alone
    (``resolve_fast``, which imports no numpyro) has none. Call outside jax traces: discovery
    instantiates numpyro's class, and numpyro's first import must not happen inside a trace."""
    if family.factory is not None:
        return family
    from priorcli.families.registry import resolve

    return resolve(family.name)


def _np(x):
    import numpy as np

    return np.asarray(x, dtype=np.float64)


# ---------------------------------------------------------------------------------------------
# Exact summaries


class _Base:
    """Scalar functions of the untransformed family: closed forms first, numpyro otherwise."""

    def __init__(self, family: FamilyInfo, params: dict[str, Any]):
        self.family = family
        self.params = params
        self.closed = family.closed
        self._dist = None
        self._log_prob = None
        self._pmf = None
        self._batched_logpdf = None

    @property
    def dist(self):
        if self._dist is None:
            self._dist = build_distribution(DistSpec(with_factory(self.family), self.params))
        return self._dist

    def support(self) -> tuple[float, float]:
        if self.closed is not None:
            lo, hi = self.closed.support(**self.params)
            return float(lo), float(hi)
        if self.circular:
            # An angle as a linear variable on the 2 pi around loc (scipy.stats.vonmises's interval).
            centre = float(self.params.get("loc", 0.0))
            return centre - math.pi, centre + math.pi
        support = self.dist.support
        if "boolean" in type(support).__name__.lower():
            return 0.0, 1.0
        lo = getattr(support, "lower_bound", -math.inf)
        hi = getattr(support, "upper_bound", math.inf)
        return float(_np(lo)), float(_np(hi))

    def _numpyro_value(self, attribute: str, *args):
        try:
            value = getattr(self.dist, attribute)
            value = value(*args) if args else value
            return float(_np(value))
        except (NotImplementedError, ImportError, AttributeError):
            return None

    @property
    def circular(self) -> bool:
        """An angle (VonMises): numpyro's variance is the circular one, not the linear moment."""
        return self.closed is None and "circular" in type(self.dist.support).__name__.lower()

    def atom(self) -> tuple[float, float] | None:
        """(where, mass) of a point mass in a continuous family: numpyro's Hurdle* families put the
        ``gate`` at 0, the lower end of their continuous part (``part``; the record's ``zero_mass``
        where the family has one). None for all others."""
        if self.family.discrete:
            return None
        if self.closed is not None:
            return (0.0, float(self.closed.zero_mass(**self.params))) if self.closed.atom else None
        gate, part = getattr(self.dist, "gate", None), getattr(self.dist, "base_dist", None)
        if gate is None or part is None:
            return None
        return 0.0, float(_np(gate))

    def part(self) -> "_Base":
        """The continuous part of a family with an atom, as a family of its own (Gamma of HurdleGamma)."""
        from priorcli.families.registry import resolve

        part = self.dist.base_dist
        family = resolve(type(part).__name__)
        return _Base(family, {p.name: float(_np(getattr(part, p.name))) for p in family.params})

    def mean(self) -> float | None:
        if self.closed is not None and self.closed.mean is not None:
            return finite_or_none(self.closed.mean(**self.params))
        value = self._numpyro_value("mean")  # a circular mean is loc: the centre of the interval
        if value is None:  # numpyro has none: quadrature over the density, or the sum over the pmf
            return self._table_moment(lambda k: k) if self.family.discrete else self.expect(lambda x: x)
        return finite_or_none(value)

    def variance(self) -> float | None:
        if self.closed is not None and self.closed.variance is not None:
            return finite_or_none(self.closed.variance(**self.params))
        value = None if self.circular else self._numpyro_value("variance")
        if value is None:
            mean = self.mean()
            if mean is None:
                return None
            fn = lambda x: (x - mean) ** 2  # noqa: E731
            return self._table_moment(fn) if self.family.discrete else self.expect(fn)
        return finite_or_none(value)

    def _table_moment(self, fn: Callable) -> float | None:
        table = self.pmf_table()
        return None if table is None else numeric.table_moment(table, fn, self.support()[1])

    def expect(self, fn: Callable, batched: tuple = ()) -> float | None:
        """E[fn(X)] of a continuous family by adaptive quadrature over its density, its atom added.
        ``batched``: the numeric.Batched functions inside ``fn``, filled with the density's."""
        lo, hi = self.support()
        split = self.icdf(0.5)
        if split is None or not math.isfinite(split) or not lo <= split <= hi:
            return None
        if self._batched_logpdf is None:
            self._batched_logpdf = numeric.Batched(self.scalar_logpdf(), lambda xs: self.logpdf(xs).tolist(),
                                                  ("logpdf", self.family.name))
        fill = numeric.fill_all(self._batched_logpdf, *batched)
        value = numeric.quad_expectation(fn, self._batched_logpdf, lo, hi, split, fill)
        atom = self.atom()
        if atom is None or value is None:
            return value
        return finite_or_none(value + atom[1] * float(fn(atom[0])))

    def scalar_logpdf(self) -> Callable:
        """``float(self.logpdf(x))`` as a function of one float: a record's zero_d (the same
        arithmetic, without the broadcasting), else that expression."""
        zero_d = getattr(self.closed.logpdf, "zero_d", None) if self.closed is not None else None
        return zero_d(**self.params) if zero_d is not None else (lambda x: float(self.logpdf(x)))

    def pmf_table(self):
        """(ks, cdf) of a discrete family without a usable cdf, from its pmf (exact_numeric.pmf_table)."""
        if self._pmf is None:
            lo, hi = self.support()
            self._pmf = numeric.pmf_table(self.logpdf, lo, hi)
        return self._pmf

    def logpdf(self, x):
        """Vectorised log density of the base (closed form, else numpyro's jitted log_prob)."""
        import numpy as np

        if self.closed is not None and self.closed.logpdf is not None:
            return self.closed.logpdf(np.asarray(_np(x), dtype=np.float64), **self.params)
        if self._log_prob is None:
            import jax

            self._log_prob = jax.jit(self.dist.log_prob)
        x = _np(x)
        if self.circular:  # numpyro's density is periodic, but -inf outside [-pi, pi): wrap the angle
            x = np.remainder(x + np.pi, 2 * np.pi) - np.pi
        if self.family.discrete and np.all(np.isfinite(x)) and np.all(x == np.floor(x)):
            x = x.astype(np.int64)  # Categorical and OrderedLogistic index with the values
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Out-of-support values")
            return _np(self._log_prob(x))

    def cdf(self, x: float) -> float | None:
        if self.closed is not None and self.closed.cdf is not None:
            return float(self.closed.cdf(x, **self.params))
        atom = self.atom()
        if atom is not None:
            where, mass = atom
            part = self.part().cdf(x)
            return None if part is None else (mass if x >= where else 0.0) + (1.0 - mass) * part
        value = self._numpyro_value("cdf", _np(x))
        if value is None and not self.family.discrete:
            return self._quadrature_cdf(float(x))
        return value

    def _quadrature_cdf(self, x: float) -> float | None:
        """P(X <= x) of a continuous family without a cdf: quadrature of its density from the lower end."""
        lo, hi = self.support()
        return numeric.quadrature_cdf(lambda t: float(self.logpdf(t)), lo, hi, x)

    def has_icdf(self) -> bool:
        """A quantile function without root finding (a record's, numpyro's)?"""
        if self.closed is not None:
            return self.closed.icdf is not None
        if self.atom() is not None:
            return self.part().has_icdf()
        return not self.family.discrete and self._numpyro_value("icdf", 0.5) is not None

    def icdf(self, q: float) -> float | None:
        if self.closed is not None and self.closed.icdf is not None:
            return float(self.closed.icdf(q, **self.params))
        atom = self.atom()
        if atom is not None:  # the atom at the part's lower end: F(x) = mass + (1 - mass) G(x), x >= 0
            where, mass = atom
            if q <= mass:
                return where
            return self.part().icdf((q - mass) / (1.0 - mass))
        if not self.family.discrete:
            value = self._numpyro_value("icdf", _np(q))
            if value is not None and math.isfinite(value):
                return value
        return self._invert_cdf(q)

    def _invert_cdf(self, q: float) -> float | None:
        """Quantile by root finding on the CDF (discrete: smallest k with cdf(k) >= q, from the
        summed pmf where there is no cdf)."""
        lo, hi = self.support()
        if self.family.discrete and self.cdf(0.0) is None:
            table = self.pmf_table()
            return None if table is None else numeric.table_quantile(table, q, hi)
        return numeric.invert_cdf(self.cdf, q, lo, hi, self.family.discrete)

    def mode(self) -> float | None:
        if self.closed is not None and self.closed.mode is not None:
            return finite_or_none(self.closed.mode(**self.params))
        return None

    def mode_is_final(self) -> bool:
        """Whether mode() is the answer even when None (a closed form says so), not a search's start."""
        return self.closed is not None and self.closed.mode is not None

    def vector_icdf(self):
        """Vectorised quantile function (a record's closed form, numpyro's icdf), or None."""
        closed, params = self.closed, self.params
        if closed is not None and closed.icdf is not None:
            return lambda q: closed.icdf(q, **params)  # noqa: E731
        if not self.family.discrete and self._numpyro_value("icdf", 0.5) is not None:
            return lambda q: _np(self.dist.icdf(q))  # noqa: E731
        return None


def _make_base(spec: DistSpec):
    """The untransformed family's functions: a _Base, or its truncation (priorcli.stats.truncated)."""
    base = _Base(spec.family, spec.params)
    if spec.truncate is None:
        return base
    from priorcli.records.truncated import check_truncatable
    from priorcli.stats.truncated import TruncatedBase

    check_truncatable(spec.family.name, spec.family.discrete, spec.family.multivariate)
    untransformed = DistSpec(spec.family, spec.params, (), spec.truncate)
    return TruncatedBase(base, spec.truncate, lambda: build_distribution(
        DistSpec(with_factory(untransformed.family), untransformed.params, (), untransformed.truncate)))


@functools.lru_cache(maxsize=64)
def _jitted_chain(transforms: tuple[TransformSpec, ...]):
    """(jitted forward, jitted log |Jacobian|, the log |Jacobian| unjitted) of a chain of transforms,
    shared by every ExactDistribution with that chain: a solve builds one per step, and jax would
    otherwise compile the chain again for each (the same values either way)."""
    import jax

    chain = build_chain(list(transforms))

    def forward_jax(x):
        for t in chain:
            x = t(x)
        return x

    def log_jacobian_jax(x):
        total = 0.0
        for t in chain:
            y = t(x)
            total = total + t.log_abs_det_jacobian(x, y)
            x = y
        return total

    # Jitted: quadrature calls them hundreds of times on scalars.
    return jax.jit(forward_jax), jax.jit(log_jacobian_jax), log_jacobian_jax


class ExactDistribution:
    """Exact quantities of a (possibly transformed) family."""

    def __init__(self, spec: DistSpec):
        if spec.transforms and spec.family.discrete:
            raise UsageError(f"--transform applies to continuous families; {spec.family.name} is discrete")
        self.spec = spec
        self.base = _make_base(spec)
        self.support = check_chain(list(spec.transforms), self.base.support())
        # An even number of decreasing steps makes the chain increasing again.
        self.increasing = sum(not t.increasing for t in spec.transforms) % 2 == 0
        self._transform_fns = None
        self._log_jacobian_jax = None
        self._log_prob = None

    def on_support(self, values):
        """Draws as this distribution's summaries read them: an angle (VonMises, untransformed)
        wrapped onto [loc - pi, loc + pi), where numpyro's draws lie in [-pi, pi); others as given."""
        if self.spec.transforms or not self.base.circular:
            return values
        import numpy as np

        lo = self.base.support()[0]
        return lo + np.remainder(np.asarray(values, dtype=np.float64) - lo, 2 * np.pi)

    # The transform chain as scalar/vector numpy functions, built on numpyro's transforms.
    def _chain(self):
        if self._transform_fns is None:
            jit_forward, jit_log_jacobian, log_jacobian_jax = _jitted_chain(tuple(self.spec.transforms))
            # forward answers a quadrature's nodes from one vectorised call (numeric.Batched)
            forward = numeric.Batched(lambda x: _np(jit_forward(_np(x))), lambda xs: list(_np(jit_forward(xs))),
                                      ("chain", tuple(self.spec.transforms)))
            self._transform_fns = (forward, lambda x: _np(jit_log_jacobian(_np(x))))
            self._log_jacobian_jax = log_jacobian_jax
        return self._transform_fns

    def quantile(self, p: float) -> float | None:
        return finite_or_none(self._raw_quantile(p))

    def _raw_quantile(self, p: float) -> float | None:
        base_q = self.base.icdf(p if self.increasing else 1.0 - p)
        if base_q is None or not self.spec.transforms:
            return base_q
        import numpy as np

        forward, _ = self._chain()
        with np.errstate(all="ignore"):  # an overflow is check_representable's to report
            return float(forward(base_q))

    def check_representable(self) -> None:
        """InfeasibleError when the distribution lies beyond float64 (LogNormal(1000, 1): its
        median overflows; LogNormal(-1000, 1): it underflows to 0): nothing meaningful to report."""
        median = self._raw_quantile(0.5)
        if median is None or math.isnan(median):
            return
        if math.isinf(median):
            what = "overflows to inf (the largest float is 1.8e308)"
        elif self.spec.family.discrete or self.base.atom() is not None or not (
                median == self.support[0] or median == self.support[1]):
            return
        elif median == 0.0:
            what = "underflows to 0 (the smallest positive float is 2.2e-308)"
        else:
            what = f"rounds to {median:g}, the end of its support"
        raise InfeasibleError(f"{self.spec.label()} is beyond float64's range: its median {what}; "
                              "no summary or draw of it would mean anything")

    def quantile_function(self) -> Callable | None:
        """Vectorised exact quantile (probabilities array -> values array) from the family's
        record (closed-form icdf) or numpyro's own icdf (continuous families); None where neither
        has one (the plot range then uses the draws)."""
        import numpy as np

        base_icdf = self.base.vector_icdf()
        if base_icdf is None:
            return None

        def quantile(probs):
            probs = np.asarray(probs, dtype=np.float64)
            base = np.asarray(base_icdf(probs if self.increasing else 1.0 - probs), dtype=np.float64)
            return self._chain()[0](base) if self.spec.transforms else base

        return quantile

    def mean(self) -> float | None:
        if not self.spec.transforms:
            return self.base.mean()
        forward, _ = self._chain()
        return self._expect(lambda x: forward(x))

    def sd(self) -> float | None:
        if not self.spec.transforms:
            variance = self.base.variance()
            if variance == 0.0 and not self.spec.family.discrete:
                return None  # a continuous family's variance underflowed (LogNormal(-700, 5)): unknown, not 0
            return math.sqrt(variance) if variance is not None else None
        mean = self.mean()
        if mean is None:
            return None
        forward, _ = self._chain()
        variance = self._expect(lambda x: (forward(x) - mean) ** 2)
        return math.sqrt(variance) if variance is not None else None

    def _expect(self, fn) -> float | None:
        return self.base.expect(fn, (self._chain()[0],) if self.spec.transforms else ())

    def mode(self) -> float | None:
        if self.base.atom() is not None:
            return None  # a point mass beside a density: no mode comparing the two
        if not self.spec.transforms:
            closed = self.base.mode()
            if closed is not None or self.base.mode_is_final():
                return closed
            if self.spec.family.discrete:
                return self._discrete_mode()
        return self._numeric_mode()

    def log_density(self, y):
        """Log density of the (transformed) variable at y, Jacobian included (numpyro log_prob)."""
        if not self.spec.transforms:
            return self.base.logpdf(y)
        if self._log_prob is None:
            import jax

            self._log_prob = jax.jit(build_distribution(self.spec).log_prob)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Out-of-support values")
            return _np(self._log_prob(_np(y)))

    def _log_density_base_coords(self, x):
        """log p_Y(f(x)) written in base coordinates: log p_X(x) - log|f'(x)|."""
        if not self.spec.transforms:
            return self.base.logpdf(x)
        _, log_jacobian = self._chain()
        return self.base.logpdf(x) - log_jacobian(x)

    def _numeric_mode(self) -> float | None:
        import numpy as np

        xs = self._mode_grid()
        if xs is None:
            return None  # no quantile function to place the search: the mode is unknown
        values = self._log_density_base_coords(xs)
        if not np.any(np.isfinite(values)):
            return None
        i = int(np.nanargmax(np.where(np.isfinite(values), values, -np.inf)))
        if i in (0, len(xs) - 1):
            return self._boundary_mode(i == 0, float(xs[i]))
        if not (np.isfinite(values[i - 1]) and np.isfinite(values[i + 1])):
            # The density stops being computable (overflow in a transform's Jacobian) right next to
            # its largest value: it still rises towards that end, so the mode is that end or unknown.
            at_lower = not np.isfinite(values[i - 1])
            return self._boundary_mode(at_lower, float(xs[i + 1] if at_lower else xs[i - 1]))
        x = self._stationary_point(float(xs[i - 1]), float(xs[i + 1]))
        if x is None:  # no sign change of the slope: fall back to a bracketed minimisation
            x = self._bracketed_mode(float(xs[i - 1]), float(xs[i]), float(xs[i + 1]))
        return float(self._chain()[0](x)) if self.spec.transforms else x

    def _mode_grid(self):
        """Base-coordinate points to search for the mode: 801 quantiles, or (no quantile function
        but root finding on a cdf integrated from the density) a finite support's even grid."""
        import numpy as np

        lo, hi = self.base.support()
        if not self.base.has_icdf() and math.isfinite(lo) and math.isfinite(hi):
            return np.linspace(lo, hi, 803)[1:-1]
        probs = np.linspace(1e-4, 1 - 1e-4, 801 if self.base.has_icdf() else 41)
        grid = [self.base.icdf(float(p)) for p in probs]
        if any(x is None for x in grid):
            return None
        return np.unique(np.array(grid, dtype=np.float64))

    def _bracketed_mode(self, a: float, b: float, c: float) -> float:
        """Maximise the density between grid neighbours a < b < c, b the best grid point.

        Brent needs f(b) strictly better than both ends; on a density that is flat to machine
        precision there (or only -inf around it), the grid point itself is the answer."""
        import numpy as np
        from scipy.optimize import minimize_scalar

        def negative(x: float) -> float:
            return -float(self._log_density_base_coords(np.array([x]))[0])

        fa, fb, fc = negative(a), negative(b), negative(c)
        if not (fb < fa and fb < fc):
            return b
        result = minimize_scalar(negative, bracket=(a, b, c), tol=1e-12)
        return float(result.x) if result.success else b

    def _stationary_point(self, a: float, b: float) -> float | None:
        """Root of the slope of the log density (jax.grad) in [a, b]: a maximiser's precision is
        only sqrt(machine epsilon), a root finder's is machine epsilon."""
        import jax
        from scipy.optimize import brentq

        if self.spec.transforms:
            self._chain()
        log_jacobian = self._log_jacobian_jax
        base = self.base.dist

        def log_density(x):
            value = base.log_prob(x)
            return value - log_jacobian(x) if log_jacobian is not None else value

        slope = jax.jit(jax.grad(log_density))
        fa, fb = float(slope(a)), float(slope(b))
        if not (math.isfinite(fa) and math.isfinite(fb)) or fa * fb > 0:
            return None
        # xtol relative to the bracket: a mode at 0 has no relative precision to reach.
        x, info = brentq(lambda x: float(slope(x)), a, b, xtol=1e-13 * (b - a), rtol=1e-15, maxiter=200,
                         full_output=True, disp=False)
        return float(x) if info.converged else None

    def _boundary_mode(self, at_lower: bool, inside: float) -> float | None:
        """Density largest at an end of the support: the mode is that end if the density is finite there."""
        import numpy as np

        lo, hi = self.base.support()
        end = lo if at_lower else hi
        if not math.isfinite(end):
            return None
        with np.errstate(all="ignore"):
            value = self._log_density_base_coords(np.array([end]))[0]
            if not np.isfinite(value):
                # numpyro's log_prob is -inf on the end itself (an open support, Gompertz at 0):
                # the density is bounded there if it settles as the end is approached.
                near = inside - end
                approach = self._log_density_base_coords(end + near * np.array([1e-6, 1e-10]))
                if not (np.all(np.isfinite(approach)) and abs(approach[1] - approach[0]) < 1e-4):
                    return None
        return float(self._chain()[0](end)) if self.spec.transforms else float(end)

    def _discrete_mode(self) -> float | None:
        import numpy as np

        if self.base.cdf(0.0) is None:  # no cdf: the mode of the pmf table, where there is one
            table = self.base.pmf_table()
            return None if table is None else numeric.table_mode(table, self.base.support()[1])
        lo, hi = self.base.icdf(1e-9), self.base.icdf(1 - 1e-9)
        if lo is None or hi is None or hi - lo > 1e7:
            return None
        ks = np.arange(lo, hi + 1)
        return float(ks[int(np.argmax(self.base.logpdf(ks)))])

    def summary(self, probs=DEFAULT_QUANTILES) -> Summary:
        return Summary(
            mean=self.mean(),
            sd=self.sd(),
            median=self.quantile(0.5),
            mode=self.mode(),
            quantiles={p: self.quantile(p) for p in probs},
            method="exact",
            n=None,
        )


def components(spec: DistSpec) -> list[DistSpec]:
    """A multivariate family's components as univariate families (the record's ``components``
    hook: a Dirichlet's are Betas): exact marginals from closed forms."""
    out = []
    for name, params in spec.family.record.components(**spec.params):
        out.append(DistSpec(FamilyInfo.from_record(records.get(name)), params))
    return out


def exact_summaries(spec: DistSpec, probs=DEFAULT_QUANTILES) -> list[Summary]:
    """One exact Summary (a row per component for Dirichlet)."""
    if spec.family.multivariate:
        if spec.transforms:
            raise UsageError(f"--transform applies to univariate families, not {spec.family.name}")
        return [
            _with_label(ExactDistribution(component).summary(probs), f"component {i}")
            for i, component in enumerate(components(spec))
        ]
    return [ExactDistribution(spec).summary(probs)]


def _with_label(summary: Summary, label: str) -> Summary:
    from dataclasses import replace

    return replace(summary, label=label)
