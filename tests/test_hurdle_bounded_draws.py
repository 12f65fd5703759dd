"""Hurdle draws in bounded time (priorcli/dists/zeroinflated.py): numpyro's HurdleProbs redraws
every 0 of the zero-truncated part until none is left, which never ends for a tiny rate; priorcli's
HurdlePoisson and HurdleNegativeBinomial2 redraw at most REDRAWS rounds and invert the zero-truncated
survival function for the rest.

Oracle: scipy's poisson/nbinom pmf truncated above 0 (an independent formula), numpyro's own
HurdlePoisson where its loop ends (the same keys give the same draws). Tolerance: a frequency of N
draws with probability p is within K sqrt(p (1 - p) / N) + 1/N of p."""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
import scipy.stats as st

K = 4.5
N = 20_000  # a frequency's standard error <= 0.0036: a wrong truncated part is off by far more


def _draws(cls, *params, seed: int = 0) -> np.ndarray:
    """N draws of ``cls(*params)``, sampled in one jitted program per class with the parameters as
    its arguments (eager, each parameter value was a new constant in the sampler's loops, so every
    case compiled them again: ~37 s for the module's draws against ~13 s; the draws are the eager
    ones bit for bit, checked when this was written)."""
    import jax

    return np.asarray(_sampler(cls)(jax.random.PRNGKey(seed), *params))


@functools.cache
def _sampler(cls):
    import jax

    return jax.jit(lambda key, *params: cls(*params).sample(key, (N,)))


def _assert_frequencies(draws, gate: float, truncated_pmf, ks=(0, 1, 2, 3, 4)):
    for k in ks:
        p = gate if k == 0 else (1 - gate) * truncated_pmf(k)
        freq = float(np.mean(draws == k))
        assert abs(freq - p) <= K * math.sqrt(p * (1 - p) / N) + 1 / N, (k, freq, p)


@pytest.mark.parametrize("rate", [1e-8, 0.05, 0.7])
def test_hurdle_poisson_draws_the_zero_truncated_poisson(rate):
    from priorcli.families.registry import numpyro_dist
    from priorcli.dists import HurdlePoisson

    numpyro_dist()  # float64, as priorcli runs numpyro
    gate = 0.3
    poisson = st.poisson(rate)
    _assert_frequencies(_draws(HurdlePoisson, gate, rate), gate, lambda k: poisson.pmf(k) / poisson.sf(0))


@pytest.mark.slow
@pytest.mark.parametrize("mean, concentration", [(0.05, 0.5), (1e-6, 2.0), (3.0, 1.5)])
def test_hurdle_negative_binomial2_draws_the_zero_truncated_nb2(mean, concentration):
    from priorcli.families.registry import numpyro_dist
    from priorcli.dists import HurdleNegativeBinomial2

    numpyro_dist()
    gate = 0.4
    nb = st.nbinom(concentration, concentration / (concentration + mean))
    _assert_frequencies(_draws(HurdleNegativeBinomial2, gate, mean, concentration), gate,
                        lambda k: nb.pmf(k) / nb.sf(0))


def test_where_numpyros_loop_ends_the_draws_are_numpyros():
    import numpyro.distributions as dist

    from priorcli.families.registry import numpyro_dist
    from priorcli.dists import HurdlePoisson

    numpyro_dist()
    np.testing.assert_array_equal(_draws(HurdlePoisson, 0.3, 3.0, seed=5), _draws(dist.HurdlePoisson, 0.3, 3.0, seed=5))


@pytest.mark.slow
def test_sample_model_with_a_tiny_hurdle_rate_finishes(run):
    import json

    result = run("sample", "--model", "g ~ HurdlePoisson(0.3, 1e-8)", "-n", "20000", "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["draws"] == 20000
