"""Chunked sampling and the streaming summary used above one chunk of draws."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from priorcli.sampling.draws import CHUNK, FINE_BINS, StreamingDraws


def _stream(x, lo, hi, discrete=False, pieces=7):
    acc = StreamingDraws.for_range(lo, hi, discrete=discrete)
    for chunk in np.array_split(x, pieces):
        acc.add(chunk)
    return acc


def test_streaming_moments_and_quantiles_match_numpy():
    x = np.random.default_rng(1).lognormal(0.0, 1.0, 2_000_000)
    oracle = stats.lognorm(1.0)
    lo, hi = oracle.ppf(5e-5), oracle.ppf(1 - 5e-5)
    acc = _stream(x, lo, hi)
    assert acc.log_scale
    probs = [0.025, 0.25, 0.5, 0.75, 0.975]
    summary = acc.summary(probs)
    assert_allclose(summary.mean, x.mean(), rtol=1e-12)
    assert_allclose(summary.sd, x.std(ddof=1), rtol=1e-10)
    # Error bound: one log-spaced bin, a ratio (hi/lo)^(1/FINE_BINS), plus the gap between
    # neighbouring order statistics (numpy interpolates between them, the histogram within a bin).
    bin_ratio = (hi / lo) ** (1 / FINE_BINS)
    for p, q in zip(probs, np.quantile(x, probs)):
        gap = 5 / (x.size * oracle.pdf(q))  # a few order-statistic spacings
        assert abs(summary.quantiles[p] - q) <= q * (bin_ratio - 1) + gap, p


def test_streaming_linear_bins_and_out_of_range_quantiles():
    x = np.random.default_rng(2).normal(3.0, 2.0, 500_000)
    lo, hi = 3.0 - 2.0 * 4, 3.0 + 2.0 * 4
    acc = _stream(x, lo, hi)
    assert not acc.log_scale
    width = (hi - lo) / FINE_BINS
    density = stats.norm(3.0, 2.0).pdf
    for p, q in zip([0.05, 0.5, 0.95], np.quantile(x, [0.05, 0.5, 0.95])):
        # One bin, plus a few gaps between neighbouring order statistics (about 1 / (n f(q)) each).
        assert abs(acc.quantiles([p])[0] - q) <= width + 5 / (x.size * density(q))
    narrow = _stream(x, 2.0, 4.0)
    assert narrow.quantiles([0.01, 0.5, 0.99]) == [None, pytest.approx(np.median(x), abs=1e-4), None]


def test_streaming_discrete_quantiles_are_integers():
    x = np.random.default_rng(3).poisson(4.5, 400_000).astype(float)
    acc = _stream(x, 0, 30, discrete=True)
    probs = [0.025, 0.5, 0.975]
    assert acc.quantiles(probs) == list(np.quantile(x, probs, method="inverted_cdf"))
    values, counts = np.unique(x, return_counts=True)
    assert acc.mode() == values[np.argmax(counts)]


def test_nonfinite_draws_make_moments_unknown():
    acc = StreamingDraws.for_range(-5, 5, discrete=False)
    acc.add(np.array([0.0, 1.0, np.inf, -1.0, np.nan]))
    summary = acc.summary([0.5])
    assert summary.mean is None and summary.sd is None and summary.n == 5
    assert acc.quantiles([0.5]) == [pytest.approx(0.0, abs=1e-4)]


def test_small_n_reproduces_numpyro_seed_handler(run):
    """For n <= CHUNK the draws are exactly the forum's `handlers.seed(rng_seed=S)` call."""
    import jax

    jax.config.update("jax_enable_x64", True)
    import numpyro
    import numpyro.distributions as dist

    with numpyro.handlers.seed(rng_seed=3):
        expected = np.asarray(numpyro.sample("x", dist.LogNormal(0.25, 0.5), sample_shape=(1000,)))
    result = run("sample", "lognormal", "--mu", "0.25", "--sigma", "0.5", "-n", 1000, "--seed", 3, "--format", "raw")
    got = np.array([float(v) for v in result.stdout.split()])
    assert_allclose(got, expected, rtol=1e-12)


@pytest.mark.slow
def test_cli_streaming_path_agrees_with_exact(run):
    n = CHUNK + 50_000  # two chunks: the streaming summary
    doc = run.json("sample", "gamma", "--alpha", "3", "--beta", "2", "-n", n, "--seed", 5)
    oracle = stats.gamma(3, scale=0.5)
    assert doc["mc"]["n"] == n
    for p in (0.025, 0.5, 0.975):
        q = oracle.ppf(p)
        se = math.sqrt(p * (1 - p) / n) / oracle.pdf(q)
        assert abs(doc["mc"]["quantiles"][repr(p)] - q) < 4.5 * se + 1e-4 * q
    assert abs(doc["mc"]["mean"] - oracle.mean()) < 4.5 * oracle.std() / math.sqrt(n)
    # The mode of X (1.0 on paper: (alpha - 1) / beta), not of log X, even with log-spaced bins.
    assert abs(doc["mc"]["mode"] - 1.0) < 0.1


@pytest.mark.slow
def test_cli_streaming_raw_and_output_agree(run, tmp_path):
    n = CHUNK + 10
    target = tmp_path / "draws.npy"
    raw = run("sample", "normal", "-n", n, "--format", "raw", "--output", target)
    assert raw.exit_code == 0, raw.stderr
    lines = raw.stdout.splitlines()
    assert len(lines) == n
    saved = np.load(target)
    assert saved.shape == (n,)
    assert_allclose(saved[[0, CHUNK - 1, CHUNK, n - 1]], [float(lines[i]) for i in (0, CHUNK - 1, CHUNK, n - 1)])
