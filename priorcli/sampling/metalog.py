"""Seeded draws of a metalog: Q(U) with U uniform, through priorcli's numpyro class
(:class:`priorcli.dists.metalog.Metalog`) and ``numpyro.handlers.seed(rng_seed=seed)``, as every
priorcli draw."""

from __future__ import annotations

import numpy as np

from priorcli.errors import UsageError
from priorcli.records.metalog import Metalog

#: at most this many draws, held in memory at once
MAX_DRAWS = 1 << 24


def draw(metalog: Metalog, n: int, seed: int) -> np.ndarray:
    """n draws (float64) of the metalog, seed as the rest of priorcli's draws."""
    from priorcli.families.registry import numpyro_dist

    if n > MAX_DRAWS:
        raise UsageError(f"-n/--draws {n} is more than the {MAX_DRAWS} metalog draws held at most")
    numpyro_dist()  # jax configured (float64) before the class is built
    import numpyro

    from priorcli.dists.metalog import Metalog as MetalogDistribution

    dist = MetalogDistribution(np.asarray(metalog.a, dtype=np.float64), metalog.lower, metalog.upper)
    with numpyro.handlers.seed(rng_seed=seed):
        return np.asarray(numpyro.sample("x", dist, sample_shape=(n,)), dtype=np.float64)
