"""priorcli.dists.Metalog.icdf at the ends of (0, 1): the basis there is inf - inf, so the quantile
function's limits (the bounds, or -inf/inf) are returned; inside, Keelin's defining equation."""

import numpy as np
import pytest

A = [1.0, 0.5, 0.1, 0.05]


def keelin(y, lower, upper):
    """Keelin's k = 4 metalog quantile written out with numpy (the oracle)."""
    logit = np.log(y / (1 - y))
    m = A[0] + A[1] * logit + A[2] * (y - 0.5) * logit + A[3] * (y - 0.5)
    if lower is not None and upper is not None:
        return lower + (upper - lower) / (1 + np.exp(-m))
    if lower is not None:
        return lower + np.exp(m)
    if upper is not None:
        return upper - np.exp(-m)
    return m


@pytest.mark.parametrize("lower, upper", [(None, None), (0.0, None), (None, 5.0), (0.0, 5.0)])
def test_icdf_ends_are_the_limits_and_inside_is_keelins_equation(lower, upper):
    import jax.numpy as jnp

    from priorcli.dists.metalog import Metalog

    d = Metalog(jnp.array(A), lower, upper)
    ends = np.asarray(d.icdf(jnp.array([0.0, 1.0])))
    assert ends[0] == (-np.inf if lower is None else lower)
    assert ends[1] == (np.inf if upper is None else upper)
    y = np.array([0.01, 0.2, 0.5, 0.8, 0.99])
    np.testing.assert_allclose(np.asarray(d.icdf(jnp.array(y))), keelin(y, lower, upper), rtol=2e-6)
