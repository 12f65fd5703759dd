"""Triangular(lower, c, upper): the triangular distribution numpyro lacks (PreliZ's and PyMC's
``Triangular``, with their parameter names), as a numpyro ``Distribution``.

The density rises linearly from ``lower`` to its peak at the mode ``c`` and falls linearly to
``upper`` (``lower <= c <= upper``, ``lower < upper``; ``c`` may equal an end). Draws are the
inverse cdf of a uniform draw, so they are reparameterised (gradients flow to every parameter).
This module imports only jax and numpyro, so its source also stands alone.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from jax import lax, random
from numpyro.distributions import constraints
from numpyro.distributions.distribution import Distribution
from numpyro.distributions.util import promote_shapes, validate_sample
from numpyro.util import not_jax_tracer

__all__ = ["Triangular"]


class Triangular(Distribution):
    r"""Triangular distribution on :math:`[\mathrm{lower}, \mathrm{upper}]` with mode :math:`c`.

    .. math::
       f(x) = \frac{2 (x - a)}{(b - a)(c - a)} \; (a \le x < c), \qquad
       f(x) = \frac{2 (b - x)}{(b - a)(b - c)} \; (c \le x \le b)

    where :math:`a =` :attr:`lower` and :math:`b =` :attr:`upper`. As PreliZ's and PyMC's
    ``Triangular``; sampled by the inverse cdf of a uniform draw.
    """

    arg_constraints = {
        "lower": constraints.real,
        "c": constraints.dependent(is_discrete=False, event_dim=0),
        "upper": constraints.dependent(is_discrete=False, event_dim=0),
    }
    reparametrized_params = ["lower", "c", "upper"]
    pytree_data_fields = ("lower", "c", "upper", "_support")

    def __init__(self, lower=0.0, c=0.5, upper=1.0, *, validate_args=None):
        self.lower, self.c, self.upper = promote_shapes(lower, c, upper)
        batch_shape = lax.broadcast_shapes(jnp.shape(lower), jnp.shape(c), jnp.shape(upper))
        self._support = constraints.interval(lower, upper)
        super().__init__(batch_shape, validate_args=validate_args)
        ends = (self.lower, self.c, self.upper)
        if self._validate_args and all(not_jax_tracer(v) for v in ends):  # concrete values: check them
            lower, c, upper = (np.asarray(v) for v in ends)
            if not np.all((lower <= c) & (c <= upper) & (lower < upper)):
                raise ValueError("Triangular needs lower <= c <= upper and lower < upper")

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        return self._support

    def _split(self):
        """P(X < c), the mass left of the mode."""
        return (self.c - self.lower) / (self.upper - self.lower)

    def sample(self, key, sample_shape=()):
        assert key is not None
        shape = sample_shape + self.batch_shape
        u = random.uniform(key, shape=shape, minval=jnp.finfo(jnp.result_type(float)).tiny, maxval=1.0)
        return self.icdf(u)

    @validate_sample
    def log_prob(self, value):
        a, c, b = self.lower, self.c, self.upper
        left = value < c
        # each branch's denominator made safe where that branch is not taken (c at an end)
        rise = jnp.where(left, c - a, 1.0)
        fall = jnp.where(left, 1.0, b - c)
        height = jnp.where(left, (value - a) / rise, (b - value) / fall)
        inside = (value >= a) & (value <= b)
        return jnp.where(inside, jnp.log(2.0 * height) - jnp.log(b - a), -jnp.inf)

    def cdf(self, value):
        a, c, b = self.lower, self.c, self.upper
        left = value < c
        rise = jnp.where(left, c - a, 1.0)
        fall = jnp.where(left, 1.0, b - c)
        width = b - a
        x = jnp.clip(value, a, b)
        below = (x - a) ** 2 / (width * rise)
        above = 1.0 - (b - x) ** 2 / (width * fall)
        return jnp.where(left, below, above)

    def icdf(self, q):
        a, c, b = self.lower, self.c, self.upper
        width = b - a
        left = q < self._split()
        return jnp.where(left, a + jnp.sqrt(q * width * (c - a)), b - jnp.sqrt((1.0 - q) * width * (b - c)))

    @property
    def mean(self):
        return jnp.broadcast_to((self.lower + self.c + self.upper) / 3.0, self.batch_shape)

    @property
    def variance(self):
        a, c, b = self.lower, self.c, self.upper
        return jnp.broadcast_to((a * a + b * b + c * c - a * b - a * c - b * c) / 18.0, self.batch_shape)

    def entropy(self):
        return jnp.broadcast_to(0.5 + jnp.log(0.5 * (self.upper - self.lower)), self.batch_shape)

