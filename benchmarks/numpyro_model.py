"""The model file of the `numpyro-file` benchmark row: a hierarchical regression over a data vector x
(`priorcli sample --numpyro benchmarks/numpyro_model.py:model --data x=...`)."""

import jax.numpy as jnp
import numpyro
import numpyro.distributions as dist


def model(x, y=None):
    a = numpyro.sample("a", dist.Normal(0.0, 1.0))
    b = numpyro.sample("b", dist.Normal(0.0, 1.0))
    sigma = numpyro.sample("sigma", dist.HalfNormal(1.0))
    with numpyro.plate("rows", x.shape[0]):
        y = numpyro.sample("y", dist.Normal(a + b * x, sigma), obs=y)
    numpyro.deterministic("share_big", jnp.mean(jnp.where(y > 2.0, 1.0, 0.0)))
