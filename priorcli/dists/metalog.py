"""Metalog(a, lower, upper): Keelin's quantile-parameterised distribution as a numpyro
``Distribution`` (the maths and the fit are in :mod:`priorcli.records.metalog`).

``a`` holds the k coefficients (the last axis; any batch axes before it); ``lower``/``upper`` are
the bounds, None (or -inf/inf) where the metalog is unbounded on that side: which of them are
given chooses the extension, so that is static, while a given bound may be a traced value (a
compiled sampler takes it as an input). Draws are the quantile function of a uniform draw, Q(U), so they are
reparameterised; ``cdf`` and ``log_prob`` invert Q by bisection in logit(y) (120 halvings of
[-745, 745], to float64's precision), ``log_prob`` = -log Q'(F(x)). This module imports only jax
and numpyro, so its source also stands alone.
"""

from __future__ import annotations

import math

import jax.numpy as jnp
from jax import lax, random
from numpyro.distributions import constraints
from numpyro.distributions.distribution import Distribution

__all__ = ["Metalog", "metalog_m"]

_BISECTIONS = 120


def _terms(k: int):
    """(n, with_L) of the basis g_j = (y - 1/2)^n (times L = logit y when with_L), j = 1..k."""
    out = [(0, False), (0, True), (1, True), (1, False)][:k]
    return out + [((j - 1) // 2, j % 2 == 0) for j in range(5, k + 1)]


def metalog_m(t, a):
    """(M, y (1 - y) M'(y)) at t = logit(y), a's last axis the coefficients (batch axes broadcast)."""
    c = 0.5 * jnp.tanh(0.5 * t)
    w = jnp.exp(-jnp.logaddexp(0.0, t) - jnp.logaddexp(0.0, -t))
    m, h = 0.0, 0.0
    for j, (n, with_l) in enumerate(_terms(a.shape[-1])):
        aj = a[..., j]
        power = c ** n
        slope = n * c ** (n - 1) * w if n else 0.0
        m = m + aj * (power * t if with_l else power)
        h = h + aj * (slope * t + power if with_l else slope)
    return m, h


def _bound(value, side: int):
    """None for no bound (None, or an infinity on its side); a plain float for a concrete number; a
    traced value as it is (a bound given to a compiled sampler, which must then be finite)."""
    if value is None:
        return None
    try:
        number = float(value)
    except Exception:  # a jax tracer: a finite bound known when the program runs
        return value
    if math.isinf(number) and number * side > 0:
        return None
    if not math.isfinite(number):
        raise ValueError(f"Metalog's {'upper' if side > 0 else 'lower'} bound must be a number, got {number}")
    return number


class Metalog(Distribution):
    r"""Keelin's metalog with coefficients ``a`` (k terms), unbounded, semi-bounded (``lower`` or
    ``upper``: the log metalog) or bounded (both: the logit metalog).

    .. math::
       M(y) = a_1 + a_2 L + a_3 (y - \tfrac12) L + a_4 (y - \tfrac12) + a_5 (y - \tfrac12)^2 + \dots,
       \quad L = \ln\frac{y}{1 - y}

    and Q(y) = M(y), lower + e^{M(y)}, upper - e^{-M(y)} or lower + (upper - lower) / (1 + e^{-M(y)}).
    """

    arg_constraints = {"a": constraints.real_vector}
    reparametrized_params = ["a"]
    pytree_data_fields = ("a", "lower", "upper")

    def __init__(self, a, lower=None, upper=None, *, validate_args=None):
        self.a = jnp.asarray(a, dtype=jnp.result_type(float))
        self.lower, self.upper = _bound(lower, -1), _bound(upper, 1)
        if self.a.ndim < 1 or self.a.shape[-1] < 2:
            raise ValueError("Metalog needs at least 2 coefficients (the last axis of a)")
        if isinstance(self.lower, float) and isinstance(self.upper, float) and not self.lower < self.upper:
            raise ValueError("Metalog needs lower < upper")
        super().__init__(self.a.shape[:-1], validate_args=validate_args)

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        low, high = self.lower is not None, self.upper is not None
        if low and high:
            return constraints.interval(self.lower, self.upper)
        if low:
            return constraints.greater_than(self.lower)
        if high:
            return constraints.less_than(self.upper)
        return constraints.real

    def _from_m(self, m):
        lo, hi = self.lower, self.upper
        if lo is not None and hi is not None:
            return lo + (hi - lo) * jnp.exp(-jnp.logaddexp(0.0, -m))
        if lo is not None:
            return lo + jnp.exp(m)
        if hi is not None:
            return hi - jnp.exp(-m)
        return m

    def _log_dx_dm(self, m):
        lo, hi = self.lower, self.upper
        if lo is not None and hi is not None:
            return jnp.log(hi - lo) - jnp.logaddexp(0.0, m) - jnp.logaddexp(0.0, -m)
        if lo is not None:
            return m
        if hi is not None:
            return -m
        return jnp.zeros_like(m)

    def icdf(self, q):
        q = jnp.asarray(q, dtype=self.a.dtype)
        ends = (q <= 0.0) | (q >= 1.0)
        t = jnp.where(ends, 0.0, jnp.log(q) - jnp.log1p(-q))  # the basis at y = 0 or 1 is inf - inf
        m, _ = metalog_m(t, self.a)
        low = -jnp.inf if self.lower is None else self.lower
        high = jnp.inf if self.upper is None else self.upper
        return jnp.where(q <= 0.0, low, jnp.where(q >= 1.0, high, self._from_m(m)))

    def sample(self, key, sample_shape=()):
        assert key is not None
        shape = sample_shape + self.batch_shape
        u = random.uniform(key, shape=shape, minval=jnp.finfo(jnp.result_type(float)).tiny, maxval=1.0)
        return self.icdf(u)

    def _logit_cdf(self, value):
        """t = logit F(value) by bisection: Q is increasing in t."""
        shape = jnp.broadcast_shapes(jnp.shape(value), self.batch_shape)
        lo, hi = jnp.full(shape, -745.0), jnp.full(shape, 745.0)

        def step(_, bracket):
            lo, hi = bracket
            mid = 0.5 * (lo + hi)
            below = self._from_m(metalog_m(mid, self.a)[0]) < value
            return jnp.where(below, mid, lo), jnp.where(below, hi, mid)

        lo, hi = lax.fori_loop(0, _BISECTIONS, step, (lo, hi))
        return 0.5 * (lo + hi)

    def cdf(self, value):
        t = self._logit_cdf(value)
        return jnp.exp(-jnp.logaddexp(0.0, -t))

    def log_prob(self, value):
        t = self._logit_cdf(value)
        m, h = metalog_m(t, self.a)
        log_w = -jnp.logaddexp(0.0, t) - jnp.logaddexp(0.0, -t)
        inside = jnp.full(jnp.shape(value), True)
        if self.lower is not None:
            inside = inside & (value > self.lower)
        if self.upper is not None:
            inside = inside & (value < self.upper)
        return jnp.where(inside, log_w - jnp.log(h) - self._log_dx_dm(m), -jnp.inf)
