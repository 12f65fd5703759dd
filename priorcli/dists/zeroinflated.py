"""ZeroInflatedNegativeBinomial2(mean, concentration, gate) and HurdleNegativeBinomial2(gate, mean,
concentration) as numpyro ``Distribution`` classes, and HurdlePoisson(gate, rate) drawn in bounded time.

numpyro has both as factory functions (returning a ``ZeroInflatedProbs``, a ``HurdleProbs``, around a
``NegativeBinomial2``), which priorcli's family discovery skips: these classes are those same
distributions, with the factories' parameter names and order (``gate`` is the probability of a
structural zero), so their draws and densities are the factories'. Programs priorcli writes call
numpyro's factories, ``dist.ZeroInflatedNegativeBinomial2(mean=..., concentration=..., gate=...)``
and ``dist.HurdleNegativeBinomial2(gate=..., mean=..., concentration=...)``. This module imports
only jax and numpyro.

numpyro's hurdle draws the zero-truncated part by redrawing every 0 until none is left, an unbounded
loop inside compiled code (no signal stops it): a rate of 1e-8 draws 0 with probability 1 - 1e-8,
so ``sample --model "g ~ HurdlePoisson(0.3, 1e-8)"`` never finished. The hurdles here run the same
redraws (the same keys, so the same draws wherever numpyro's loop ends within ``REDRAWS`` rounds),
then draw any count still 0 by inverting the zero-truncated survival function, P(N > k | N > 0) =
S(k) / S(0), by bisection over the integers (S from the regularised incomplete gamma or beta
function): exact, and bounded by 2 x 64 evaluations.
"""

from __future__ import annotations

import jax.numpy as jnp
from jax import lax, random
from jax.scipy.special import betainc, gammainc
from numpyro.distributions import HurdlePoisson as _NumpyroHurdlePoisson
from numpyro.distributions import constraints
from numpyro.distributions.conjugate import NegativeBinomial2
from numpyro.distributions.discrete import HurdleProbs, ZeroInflatedProbs
from numpyro.distributions.util import promote_shapes

__all__ = ["HurdleNegativeBinomial2", "HurdlePoisson", "ZeroInflatedNegativeBinomial2"]

#: rounds of numpyro's redraws before the zero-truncated inversion takes the counts still 0
REDRAWS = 40
_STEPS = 64  # doublings, then halvings: counts up to 2^64


def _zero_truncated(base, survival, key, sample_shape):
    """Draws of ``base`` given that they are above 0: numpyro's redraws of each 0, at most REDRAWS
    rounds, then the smallest k >= 1 with S(k) <= u S(0) for any still 0 (``survival(k)`` = P(N > k))."""
    first = base(rng_key=key, sample_shape=sample_shape)

    def more(state):
        i, _, current = state
        return (i < REDRAWS) & jnp.any(current == 0)

    def redraw(state):
        i, k, current = state
        k, sub = random.split(k)
        return i + 1, k, jnp.where(current == 0, base(rng_key=sub, sample_shape=sample_shape), current)

    _, key, current = lax.while_loop(more, redraw, (0, key, first))

    def invert(current):
        dtype = jnp.result_type(float)
        target = random.uniform(random.split(key)[1], current.shape, dtype=dtype) * survival(jnp.zeros((), dtype))

        def double(_, ends):  # invariant: S(low) > target; high doubled until S(high) <= target
            low, high = ends
            above = survival(high) > target
            return jnp.where(above, high, low), jnp.where(above, 2.0 * high, high)

        def halve(_, ends):
            low, high = ends
            mid = jnp.floor(0.5 * (low + high))
            inside = (mid > low) & (survival(mid) <= target)
            return jnp.where(inside | (mid <= low), low, mid), jnp.where(inside, mid, high)

        start = (jnp.zeros(current.shape, dtype), jnp.ones(current.shape, dtype))
        _, count = lax.fori_loop(0, _STEPS, halve, lax.fori_loop(0, _STEPS, double, start))
        return jnp.where(current == 0, count.astype(current.dtype), current)

    return lax.cond(jnp.any(current == 0), invert, lambda c: c, current)


class HurdlePoisson(_NumpyroHurdlePoisson):
    """0 with probability gate, else a zero-truncated Poisson(rate): numpyro's HurdlePoisson, its
    draws finishing in bounded time for any rate (a zero left after 40 rounds of numpyro's redraws
    is drawn by inverting P(N > k) = P(k + 1, rate), the regularised lower incomplete gamma function).
    """

    def _sample_truncated(self, key, sample_shape):
        rate = self.base_dist.rate
        return _zero_truncated(self.base_dist, lambda k: gammainc(k + 1.0, rate), key, sample_shape)


class ZeroInflatedNegativeBinomial2(ZeroInflatedProbs):
    r"""A zero-inflated NegativeBinomial2: a structural zero with probability :math:`g` (``gate``),
    else a draw from :math:`\mathrm{NB2}(\mu, \phi)` (``mean``, ``concentration``; variance
    :math:`\mu + \mu^2 / \phi`).

    .. math::
       P(0) = g + (1 - g)\,\mathrm{NB2}(0 \mid \mu, \phi), \qquad
       P(k) = (1 - g)\,\mathrm{NB2}(k \mid \mu, \phi) \; (k \ge 1)
    """

    arg_constraints = {
        "mean": constraints.positive,
        "concentration": constraints.positive,
        "gate": constraints.unit_interval,
    }
    support = constraints.nonnegative_integer

    def __init__(self, mean, concentration, gate, *, validate_args=None):
        mean, concentration, gate = promote_shapes(mean, concentration, gate)
        super().__init__(NegativeBinomial2(mean, concentration, validate_args=validate_args), gate,
                         validate_args=validate_args)

    # ``mean`` is the distribution's mean, (1 - gate) * mean, as numpyro's factory's is; the
    # parameters are the base's
    @property
    def concentration(self):
        return self.base_dist.concentration


class HurdleNegativeBinomial2(HurdleProbs):
    r"""A hurdle NegativeBinomial2: 0 with probability :math:`g` (``gate``), else a draw from the
    zero-truncated :math:`\mathrm{NB2}(\mu, \phi)` (``mean``, ``concentration``), as numpyro's factory.

    .. math::
       P(0) = g, \qquad
       P(k) = (1 - g)\,\frac{\mathrm{NB2}(k \mid \mu, \phi)}{1 - \mathrm{NB2}(0 \mid \mu, \phi)} \; (k \ge 1)
    """

    arg_constraints = {
        "gate": constraints.unit_interval,
        "mean": constraints.positive,
        "concentration": constraints.positive,
    }
    support = constraints.nonnegative_integer

    def __init__(self, gate, mean, concentration, *, validate_args=None):
        gate, mean, concentration = promote_shapes(gate, mean, concentration)
        super().__init__(NegativeBinomial2(mean, concentration, validate_args=validate_args), gate,
                         validate_args=validate_args)

    # ``mean`` is the distribution's mean, (1 - gate) * mean / (1 - NB2(0)), as numpyro's factory's is;
    # the parameters are the base's
    @property
    def concentration(self):
        return self.base_dist.concentration

    def _sample_truncated(self, key, sample_shape):
        # NB2(mu, phi) = Poisson(Gamma(phi, rate b)): P(N > k) = I_{1/(1+b)}(k + 1, phi)
        phi, b = self.base_dist.concentration, self.base_dist.rate
        return _zero_truncated(self.base_dist, lambda k: betainc(k + 1.0, phi, 1.0 / (1.0 + b)), key, sample_shape)
