"""Seeded draws of LKJ and LKJCholesky correlation matrices with numpyro, and the exact marginal of
one correlation as a priorcli distribution (Beta(a, a) moved to [-1, 1] by ``affine:-1,2``), so
that its summaries, densities and plots are those of every other family."""

from __future__ import annotations

import numpy as np

from priorcli.records import lkj

#: at most this many matrix entries drawn (n * K * K), as for a vector family's components
MAX_VALUES = 1 << 22


def marginal_spec(params: lkj.LKJParams):
    """The exact marginal of one correlation: affine:-1,2 of Beta(a, a)."""
    from priorcli.families.registry import resolve
    from priorcli.families.transforms import make_transform
    from priorcli.stats.exact import DistSpec

    a = params.shape
    beta = resolve("Beta")
    return DistSpec(beta, {"concentration1": a, "concentration0": a}, (make_transform("affine", (-1.0, 2.0)),))


def draw_matrices(family: str, params: lkj.LKJParams, n: int, seed: int) -> np.ndarray:
    """n correlation matrices (n, K, K), float64: numpyro's LKJ draws, or L L^T of LKJCholesky's,
    through ``numpyro.handlers.seed(rng_seed=seed)`` as every priorcli draw."""
    from priorcli.errors import UsageError
    from priorcli.families.registry import numpyro_dist

    k = params.dimension
    if n * k * k > MAX_VALUES:
        raise UsageError(f"-n/--draws {n} of {k} x {k} matrices is {n * k * k} values, more than the {MAX_VALUES} "
                         f"drawn at most; use -n {max(1, MAX_VALUES // (k * k))} or fewer")
    dist = numpyro_dist()
    import numpyro

    cls = getattr(dist, family)
    with numpyro.handlers.seed(rng_seed=seed):
        values = np.asarray(numpyro.sample("x", cls(k, params.concentration), sample_shape=(n,)), dtype=np.float64)
    if family == "LKJCholesky":
        values = values @ np.swapaxes(values, -1, -2)
    return values


def correlations(matrices: np.ndarray) -> np.ndarray:
    """(n, K, K) -> (n, K (K - 1) / 2): the entries above the diagonal, row by row (r[0,1], r[0,2], ...)."""
    k = matrices.shape[-1]
    rows, cols = np.triu_indices(k, 1)
    return matrices[:, rows, cols]


def correlation_names(k: int) -> list[str]:
    rows, cols = np.triu_indices(k, 1)
    return [f"r[{i},{j}]" for i, j in zip(rows, cols)]
