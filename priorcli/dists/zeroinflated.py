"""ZeroInflatedNegativeBinomial2(mean, concentration, gate) as a numpyro ``Distribution`` class.

numpyro has ``ZeroInflatedNegativeBinomial2`` as a factory function (it returns a
``ZeroInflatedProbs`` around a ``NegativeBinomial2``), which priorcli's family discovery skips: this
class is that same distribution, with the factory's parameter names and order (``gate`` is the
probability of a structural zero), so its draws and densities are the factory's. Programs priorcli
writes call numpyro's factory, ``dist.ZeroInflatedNegativeBinomial2(mean=..., concentration=...,
gate=...)``. This module imports only jax and numpyro.
"""

from __future__ import annotations

from numpyro.distributions import constraints
from numpyro.distributions.conjugate import NegativeBinomial2
from numpyro.distributions.discrete import ZeroInflatedProbs
from numpyro.distributions.util import promote_shapes

__all__ = ["ZeroInflatedNegativeBinomial2"]


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
