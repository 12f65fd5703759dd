"""Truncated(base_dist, low, high): any continuous univariate numpyro distribution conditioned on
[low, high] (an end may be open: -inf / inf), as a numpyro ``Distribution``, for the bases numpyro's
own ``TruncatedDistribution`` does not take (Gamma, Beta, LogNormal, Weibull, ...) or cannot sample
(StudentT, whose icdf needs tensorflow-probability).

Draws are the inverse cdf of a uniform draw on (F(a), F(b)) (F the base cdf, a and b the truncated
support's ends): the base's own ``icdf`` where numpyro has it, otherwise a bisection on the base's
``cdf`` in jax (so it runs inside compiled and traced programs, with parameters that are random
variables): 120 halvings of a bracket in coordinates where a finite end is approached on a log
scale (x = a + exp(t)) and a real line by sinh, fine enough for every float64 value.

:func:`truncated` picks numpyro's class where it works and this one otherwise. This module imports
only jax and numpyro, so its source also stands alone.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import lax, random
from numpyro.distributions import constraints
from numpyro.distributions.distribution import Distribution
from numpyro.distributions.util import promote_shapes

__all__ = ["Truncated", "truncated"]

BISECTIONS = 120


def _works(fn, *args) -> bool:
    try:
        fn(*args)
        return True
    except (NotImplementedError, ImportError, AttributeError):
        return False


def truncated(base_dist, low=None, high=None):
    """``base_dist`` conditioned on [low, high]; None or an infinite end leaves that side open.
    numpyro's ``TruncatedDistribution`` where it supports the base and can sample it, else Truncated."""
    import math

    import numpyro.distributions as dist
    from numpyro.distributions.truncated import LeftTruncatedDistribution

    def end(v, sign):
        if v is None:
            return None
        try:
            if math.isinf(float(v)) and (float(v) > 0) == (sign > 0):
                return None
        except (TypeError, jax.errors.ConcretizationTypeError):
            pass  # a traced value: kept
        return v

    low, high = end(low, -1), end(high, 1)
    if low is None and high is None:
        return base_dist
    if isinstance(base_dist, LeftTruncatedDistribution.supported_types) and base_dist.support is constraints.real \
            and _works(base_dist.icdf, jnp.asarray(0.5)):
        return dist.TruncatedDistribution(base_dist, low=low, high=high)
    return Truncated(base_dist, -jnp.inf if low is None else low, jnp.inf if high is None else high)


def _end(bound, default):
    return jnp.asarray(default if bound is None else bound, dtype=jnp.result_type(float))


class Truncated(Distribution):
    r"""``base_dist`` conditioned on :math:`[a, b]`, the base's support cut at ``low`` and ``high``:

    .. math::
       f(x) = \frac{f_0(x)}{F_0(b) - F_0(a)}, \qquad F^{-1}(p) = F_0^{-1}(F_0(a) + p\,(F_0(b) - F_0(a)))

    sampled by the inverse cdf (the base's icdf, or bisection on its cdf).
    """

    arg_constraints = {"low": constraints.dependent(is_discrete=False, event_dim=0),
                       "high": constraints.dependent(is_discrete=False, event_dim=0)}
    pytree_data_fields = ("base_dist", "low", "high", "_support")

    def __init__(self, base_dist, low=-jnp.inf, high=jnp.inf, *, validate_args=None):
        if base_dist.event_shape != () or base_dist.is_discrete:
            raise ValueError("Truncated takes a continuous univariate base distribution")
        batch_shape = lax.broadcast_shapes(base_dist.batch_shape, jnp.shape(low), jnp.shape(high))
        self.base_dist = base_dist
        support = base_dist.support
        lo = _end(getattr(support, "lower_bound", None), -jnp.inf)
        hi = _end(getattr(support, "upper_bound", None), jnp.inf)
        self.low, self.high = promote_shapes(jnp.maximum(low, lo), jnp.minimum(high, hi), shape=batch_shape)
        self._support = constraints.interval(self.low, self.high)
        super().__init__(batch_shape, validate_args=validate_args)

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        return self._support

    def _base_cdf(self, x, end):
        """F_0(x), 0 or 1 at an infinite end (numpyro's cdfs are not all defined there)."""
        inside = jnp.isfinite(x)
        safe = jnp.where(inside, x, self._inside())
        return jnp.where(inside, self.base_dist.cdf(safe), end)

    def _inside(self):
        a, b = self.low, self.high
        return jnp.where(jnp.isfinite(a) & jnp.isfinite(b), 0.5 * (a + b),
                         jnp.where(jnp.isfinite(a), a + 1.0, jnp.where(jnp.isfinite(b), b - 1.0, 0.0)))

    def _cdf_ends(self):
        return self._base_cdf(self.low, 0.0), self._base_cdf(self.high, 1.0)

    def log_prob(self, value):
        fa, fb = self._cdf_ends()
        inside = (value >= self.low) & (value <= self.high)
        safe = jnp.where(inside, value, self._inside())
        return jnp.where(inside, self.base_dist.log_prob(safe) - jnp.log(fb - fa), -jnp.inf)

    def cdf(self, value):
        fa, fb = self._cdf_ends()
        clipped = jnp.clip(value, self.low, self.high)
        return jnp.clip((self._base_cdf(clipped, jnp.where(clipped > 0, 1.0, 0.0)) - fa) / (fb - fa), 0.0, 1.0)

    def icdf(self, q):
        fa, fb = self._cdf_ends()
        target = fa + q * (fb - fa)
        if _works(self.base_dist.icdf, jnp.asarray(0.5)):
            x = self.base_dist.icdf(target)
        else:
            x = self._bisect(target)
        return jnp.clip(x, self.low, self.high)

    def _bisect(self, target):
        """The x in [a, b] with F_0(x) = target, by bisection in a coordinate t over a fixed bracket."""
        a, b = self.low, self.high
        shape = jnp.shape(target)
        fin_a, fin_b = jnp.isfinite(a), jnp.isfinite(b)
        # t -> x: both ends finite: x = a + (b - a) t, t in [0, 1]; the lower end finite: a + exp(t),
        # t in [-745, 710]; the upper: b - exp(-t), t in [-710, 745]; neither: sinh(t), t in [-710, 710].
        both = fin_a & fin_b
        t_lo = jnp.broadcast_to(jnp.where(both, 0.0, jnp.where(fin_a, -745.0, -710.0)), shape)
        t_hi = jnp.broadcast_to(jnp.where(both, 1.0, jnp.where(fin_b & ~fin_a, 745.0, 710.0)), shape)
        safe_a, safe_b = jnp.where(fin_a, a, 0.0), jnp.where(fin_b, b, 0.0)

        def x_of(t):
            return jnp.where(both, safe_a + (safe_b - safe_a) * jnp.clip(t, 0.0, 1.0),
                             jnp.where(fin_a, safe_a + jnp.exp(t),
                                       jnp.where(fin_b, safe_b - jnp.exp(-t), jnp.sinh(t))))

        def step(_, bracket):
            lo, hi = bracket
            mid = 0.5 * (lo + hi)
            below = self.base_dist.cdf(x_of(mid)) < target
            return jnp.where(below, mid, lo), jnp.where(below, hi, mid)

        lo, hi = lax.fori_loop(0, BISECTIONS, step, (t_lo, t_hi))
        return x_of(0.5 * (lo + hi))

    def sample(self, key, sample_shape=()):
        finfo = jnp.finfo(jnp.result_type(float))
        u = random.uniform(key, shape=sample_shape + self.batch_shape, minval=finfo.tiny)
        return self.icdf(u)

    @property
    def mean(self):
        raise NotImplementedError("the mean of a truncated distribution: priorcli computes it by quadrature")

    @property
    def variance(self):
        raise NotImplementedError("the variance of a truncated distribution: priorcli computes it by quadrature")
