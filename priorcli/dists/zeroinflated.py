"""ZeroInflatedNegativeBinomial2(mean, concentration, gate) and HurdleNegativeBinomial2(gate, mean,
concentration) as numpyro ``Distribution`` classes.

numpyro has both as factory functions (returning a ``ZeroInflatedProbs``, a ``HurdleProbs``, around a
``NegativeBinomial2``), which priorcli's family discovery skips: these classes are those same
distributions, with the factories' parameter names and order (``gate`` is the probability of a
structural zero), so their draws and densities are the factories'. Programs priorcli writes call
numpyro's factories, ``dist.ZeroInflatedNegativeBinomial2(mean=..., concentration=..., gate=...)``
and ``dist.HurdleNegativeBinomial2(gate=..., mean=..., concentration=...)``. This module imports
only jax and numpyro.
"""

from __future__ import annotations

from numpyro.distributions import constraints
from numpyro.distributions.conjugate import NegativeBinomial2
from numpyro.distributions.discrete import HurdleProbs, ZeroInflatedProbs
from numpyro.distributions.util import promote_shapes

__all__ = ["HurdleNegativeBinomial2", "ZeroInflatedNegativeBinomial2"]


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
