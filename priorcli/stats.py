"""Exact summaries (and the Summary they share with the Monte Carlo ones of :mod:`priorcli.mc_stats`).
Returns dataclasses at full precision; never prints.

Exact values come from the family records (``priorcli.records``: closed forms) where the family has
them, from numpyro's own ``icdf``/``mean``/``variance`` otherwise, and from numerical inversion,
quadrature or maximisation where neither has a closed form. Transforms are monotone, so quantiles
are the transformed base quantiles; mean and sd are integrals over the base density.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, Callable

from priorcli import records
from priorcli.errors import UsageError
from priorcli.families import FamilyInfo
from priorcli.transforms import TransformSpec, build_chain, check_chain

DEFAULT_QUANTILES = (0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975)


@dataclass(frozen=True)
class DistSpec:
    """A fully specified prior: a family, every native parameter, and transforms in order."""

    family: FamilyInfo
    params: dict[str, Any]
    transforms: tuple[TransformSpec, ...] = ()

    def label(self) -> str:
        args = ", ".join(f"{k}={_fmt_param(v)}" for k, v in self.params.items())
        text = f"{self.family.name}({args})"
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

    from priorcli.families import numpyro_dist

    dist = numpyro_dist()
    # Integer parameters (Binomial's total_count) stay integers: numpyro's samplers index with them.
    integer = {p.name for p in spec.family.params if p.kind.endswith("integer")}
    kwargs = {k: jnp.asarray(v, dtype=jnp.int64 if k in integer else jnp.float64) for k, v in spec.params.items()}
    try:
        # priorcli checks the constraints itself; numpyro's eager validation would cost compilations.
        base = spec.family.factory(**kwargs)
    except ValueError as exc:  # a constraint numpyro checks that priorcli's parser did not know
        raise UsageError(f"invalid parameters for {spec.family.name}: {exc}") from None
    if not spec.transforms:
        return base
    return dist.TransformedDistribution(base, build_chain(list(spec.transforms)))


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
        self.closed = records.get(family.name)
        self._dist = None
        self._log_prob = None
        self._pmf = None

    @property
    def dist(self):
        if self._dist is None:
            self._dist = build_distribution(DistSpec(self.family, self.params))
        return self._dist

    def support(self) -> tuple[float, float]:
        if self.closed is not None:
            lo, hi = self.closed.support(**self.params)
            return float(lo), float(hi)
        support = self.dist.support
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
        """numpyro's mean/variance of an angle (VonMises) are circular statistics, not moments."""
        return self.closed is None and "circular" in type(self.dist.support).__name__.lower()

    def mean(self) -> float | None:
        if self.closed is not None and self.closed.mean is not None:
            return finite_or_none(self.closed.mean(**self.params))
        return None if self.circular else finite_or_none(self._numpyro_value("mean"))

    def variance(self) -> float | None:
        if self.closed is not None and self.closed.variance is not None:
            return finite_or_none(self.closed.variance(**self.params))
        return None if self.circular else finite_or_none(self._numpyro_value("variance"))

    def pmf_table(self):
        """(ks, cdf) of a discrete family without a usable cdf, from its pmf: k runs from the
        lower end of the support until all but 1e-12 of the mass is covered (None if it cannot)."""
        import numpy as np

        if self._pmf is None:
            lo, hi = self.support()
            if not math.isfinite(lo):
                return None
            block, ks, total = 4096, np.arange(0), 0.0
            cdf = np.arange(0, dtype=np.float64)
            while total < 1 - 1e-12 and ks.size < 1_000_000:
                start = lo + ks.size
                new = np.arange(start, min(start + block, hi + 1), dtype=np.float64)
                if new.size == 0:
                    break
                with np.errstate(all="ignore"):
                    pmf = np.exp(self.logpdf(new))
                cdf = np.concatenate([cdf, total + np.cumsum(np.nan_to_num(pmf))])
                ks = np.concatenate([ks, new])
                total = float(cdf[-1])
            if abs(total - 1) > 1e-9 and not (ks.size and ks[-1] >= hi):
                return None
            self._pmf = (ks, cdf)
        return self._pmf

    def logpdf(self, x):
        """Vectorised log density of the base (closed form, else numpyro's jitted log_prob)."""
        import numpy as np

        if self.closed is not None and self.closed.logpdf is not None:
            return self.closed.logpdf(np.asarray(_np(x), dtype=np.float64), **self.params)
        if self._log_prob is None:
            import jax

            self._log_prob = jax.jit(self.dist.log_prob)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Out-of-support values")
            return _np(self._log_prob(_np(x)))

    def cdf(self, x: float) -> float | None:
        if self.closed is not None and self.closed.cdf is not None:
            return float(self.closed.cdf(x, **self.params))
        return self._numpyro_value("cdf", _np(x))

    def icdf(self, q: float) -> float | None:
        if self.closed is not None and self.closed.icdf is not None:
            return float(self.closed.icdf(q, **self.params))
        if not self.family.discrete:
            value = self._numpyro_value("icdf", _np(q))
            if value is not None and math.isfinite(value):
                return value
        return self._invert_cdf(q)

    def _invert_cdf(self, q: float) -> float | None:
        """Quantile by root finding on the CDF (discrete: smallest k with cdf(k) >= q)."""
        if self.cdf(0.0) is None:
            table = self.pmf_table() if self.family.discrete else None
            if table is None:
                return None
            import numpy as np

            ks, cdf = table
            i = int(np.searchsorted(cdf, q * (1 - 1e-14)))  # tolerate rounding in the summed pmf
            return float(ks[min(i, ks.size - 1)])
        lo, hi = self.support()
        a = lo if math.isfinite(lo) else -1.0
        b = hi if math.isfinite(hi) else 1.0
        while not math.isfinite(lo) and self.cdf(a) > q:
            a = a * 2 if a < 0 else a - 1.0
        while not math.isfinite(hi) and self.cdf(b) < q:
            b = b * 2 if b > 0 else b + 1.0
        if self.family.discrete:
            a, b = math.floor(a), math.ceil(b)
            while b - a > 1:  # invariant: cdf(a) < q <= cdf(b), or a is the lower end
                mid = (a + b) // 2
                if self.cdf(mid) >= q:
                    b = mid
                else:
                    a = mid
            return float(a) if self.cdf(a) >= q else float(b)
        from scipy.optimize import brentq

        return float(brentq(lambda x: self.cdf(x) - q, a, b, xtol=1e-14, rtol=1e-15, maxiter=500))

    def mode(self) -> float | None:
        if self.closed is not None and self.closed.mode is not None:
            return finite_or_none(self.closed.mode(**self.params))
        return None


def _quad_expectation(fn: Callable, logpdf: Callable, lo: float, hi: float, split: float) -> float | None:
    """E[fn(X)] by adaptive quadrature over the base density; None if it does not converge."""
    from scipy.integrate import IntegrationWarning, quad

    def integrand(x):
        density = math.exp(logpdf(x))
        # Far in the tails the density underflows to 0 while fn may overflow: the product is 0.
        return 0.0 if density == 0.0 else float(fn(x) * density)

    total = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error", IntegrationWarning)
        try:
            for a, b in ((lo, split), (split, hi)):
                value, _ = quad(integrand, a, b, epsabs=0.0, epsrel=1e-12, limit=500)
                total += value
        except (IntegrationWarning, OverflowError, ZeroDivisionError):
            return None  # divergent or not resolvable: report unknown, never a wrong number
    return finite_or_none(total)


class ExactDistribution:
    """Exact quantities of a (possibly transformed) family."""

    def __init__(self, spec: DistSpec):
        if spec.transforms and spec.family.discrete:
            raise UsageError(f"--transform applies to continuous families; {spec.family.name} is discrete")
        self.spec = spec
        self.base = _Base(spec.family, spec.params)
        self.support = check_chain(list(spec.transforms), self.base.support())
        # An even number of decreasing steps makes the chain increasing again.
        self.increasing = sum(not t.increasing for t in spec.transforms) % 2 == 0
        self._transform_fns = None
        self._log_jacobian_jax = None
        self._log_prob = None

    # The transform chain as scalar/vector numpy functions, built on numpyro's transforms.
    def _chain(self):
        if self._transform_fns is None:
            import jax

            chain = build_chain(list(self.spec.transforms))

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
            jit_forward, jit_log_jacobian = jax.jit(forward_jax), jax.jit(log_jacobian_jax)
            self._transform_fns = (lambda x: _np(jit_forward(_np(x))), lambda x: _np(jit_log_jacobian(_np(x))))
            self._log_jacobian_jax = log_jacobian_jax
        return self._transform_fns

    def quantile(self, p: float) -> float | None:
        base_q = self.base.icdf(p if self.increasing else 1.0 - p)
        if base_q is None or not self.spec.transforms:
            return finite_or_none(base_q)
        forward, _ = self._chain()
        return finite_or_none(forward(base_q))

    def quantile_function(self) -> Callable | None:
        """Vectorised exact quantile (probabilities array -> values array) from the family's
        record (closed-form icdf) or numpyro's own icdf (continuous families); None where neither
        has one (the plot range then uses the draws)."""
        import numpy as np

        closed, params = self.base.closed, self.base.params
        if closed is not None and closed.icdf is not None:
            base_icdf = lambda q: closed.icdf(q, **params)  # noqa: E731
        elif not self.spec.family.discrete and self.base._numpyro_value("icdf", 0.5) is not None:
            base_icdf = lambda q: _np(self.base.dist.icdf(q))  # noqa: E731
        else:
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
            return math.sqrt(variance) if variance is not None else None
        mean = self.mean()
        if mean is None:
            return None
        forward, _ = self._chain()
        variance = self._expect(lambda x: (forward(x) - mean) ** 2)
        return math.sqrt(variance) if variance is not None else None

    def _expect(self, fn) -> float | None:
        lo, hi = self.base.support()
        split = self.base.icdf(0.5)
        return _quad_expectation(fn, lambda x: float(self.base.logpdf(x)), lo, hi, split)

    def mode(self) -> float | None:
        if not self.spec.transforms:
            closed = self.base.mode()
            if closed is not None or (self.base.closed is not None and self.base.closed.mode is not None):
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
        from scipy.optimize import minimize_scalar

        probs = np.linspace(1e-4, 1 - 1e-4, 801)
        grid = [self.base.icdf(float(p)) for p in probs]
        if any(x is None for x in grid):
            return None  # no quantile function to place the search: the mode is unknown
        xs = np.unique(np.array(grid, dtype=np.float64))
        values = self._log_density_base_coords(xs)
        if not np.any(np.isfinite(values)):
            return None
        i = int(np.nanargmax(np.where(np.isfinite(values), values, -np.inf)))
        if i in (0, len(xs) - 1):
            return self._boundary_mode(i == 0)
        if not (np.isfinite(values[i - 1]) and np.isfinite(values[i + 1])):
            # The density stops being computable (overflow in a transform's Jacobian) right next to
            # its largest value: it still rises towards that end, so the mode is that end or unknown.
            return self._boundary_mode(not np.isfinite(values[i - 1]))
        x = self._stationary_point(float(xs[i - 1]), float(xs[i + 1]))
        if x is None:  # no sign change of the slope: fall back to a bracketed minimisation
            x = self._bracketed_mode(float(xs[i - 1]), float(xs[i]), float(xs[i + 1]))
        return float(self._chain()[0](x)) if self.spec.transforms else x

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

    def _boundary_mode(self, at_lower: bool) -> float | None:
        """Density largest at an end of the support: the mode is that end if the density is finite there."""
        import numpy as np

        lo, hi = self.base.support()
        end = lo if at_lower else hi
        if not math.isfinite(end):
            return None
        with np.errstate(all="ignore"):
            value = self._log_density_base_coords(np.array([end]))[0]
        if not np.isfinite(value):
            return None
        return float(self._chain()[0](end)) if self.spec.transforms else float(end)

    def _discrete_mode(self) -> float | None:
        import numpy as np

        table = self.base.pmf_table() if self.base.cdf(0.0) is None else None
        if table is not None:
            ks, cdf = table
            pmf = np.diff(np.concatenate([[0.0], cdf]))
            return float(ks[int(np.argmax(pmf))])
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


def dirichlet_components(spec: DistSpec) -> list[DistSpec]:
    """Each Dirichlet component is Beta(a_i, sum(a) - a_i): exact marginals from closed forms."""
    from priorcli.families import FamilyInfo, ParamInfo

    alpha = spec.params["concentration"]
    total = sum(alpha)
    beta_family = FamilyInfo(
        name="Beta",
        params=(ParamInfo("concentration1", "positive", None), ParamInfo("concentration0", "positive", None)),
        discrete=False,
    )
    return [DistSpec(beta_family, {"concentration1": a, "concentration0": total - a}) for a in alpha]


def exact_summaries(spec: DistSpec, probs=DEFAULT_QUANTILES) -> list[Summary]:
    """One exact Summary (a row per component for Dirichlet)."""
    if spec.family.multivariate:
        if spec.transforms:
            raise UsageError("--transform applies to univariate families, not Dirichlet")
        return [
            _with_label(ExactDistribution(component).summary(probs), f"component {i}")
            for i, component in enumerate(dirichlet_components(spec))
        ]
    return [ExactDistribution(spec).summary(probs)]


def _with_label(summary: Summary, label: str) -> Summary:
    from dataclasses import replace

    return replace(summary, label=label)
