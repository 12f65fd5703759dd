"""Issue 24 item 3: the streaming path's chunks come from the compiled-sampler store (the key made
inside the program), and its accumulator works without full-size temporaries. Oracles: the
construction the streaming path used before (jax.jit of the sampler called on a key made outside
it), plain numpy over the same draws, and exact rational arithmetic for the sd."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest

from priorcli.families.registry import numpyro_dist, resolve
from priorcli.families.transforms import parse_transform
from priorcli.sampling import compiled
from priorcli.sampling import draws as sampling
from priorcli.sampling.draws import FINE_BINS, StreamingDraws
from priorcli.stats.exact import DistSpec

SMALL_CHUNK = 1000  # chunk size the tests stream with (draw_chunks reads sampling.CHUNK per call)

CASES = [
    ("lognormal", {"loc": 0.0, "scale": 1.0}, ()),
    ("gamma", {"concentration": 2.5, "rate": 1.5}, ()),  # rejection sampling: a loop in the program
    ("poisson", {"rate": 4.0}, ()),
    ("normal", {"loc": 1.0, "scale": 2.0}, ("softplus", "affine:1,2")),
]


def _spec(family, params, transforms=()):
    return DistSpec(resolve(family), dict(params), tuple(parse_transform(t) for t in transforms))


def _outside_keys_reference(spec, n, seed, chunk):
    """The streaming draws as priorcli made them before: jax.jit(sampler) per chunk size, called
    on PRNGKey(seed) for chunk 0 and fold_in(PRNGKey(seed), i) after it, keys made outside."""
    import jax

    numpyro_dist()
    key = jax.random.PRNGKey(seed)
    arguments = sampling.runtime_arguments(spec)
    parts = []
    for index in range(-(-n // chunk)):
        size = min(chunk, n - index * chunk)
        function = jax.jit(sampling._sample_function(spec, size))
        parts.append(np.asarray(function(key if index == 0 else jax.random.fold_in(key, index), *arguments)))
    return np.concatenate(parts).astype(np.float64)


@pytest.mark.parametrize("family,params,transforms", CASES)
@pytest.mark.parametrize("seed", [0, 12345, 2**63 - 1])
@pytest.mark.slow
def test_streamed_chunks_are_the_bytes_of_keys_made_outside(monkeypatch, family, params, transforms, seed):
    monkeypatch.setattr(sampling, "CHUNK", SMALL_CHUNK)
    spec = _spec(family, params, transforms)
    n = 3 * SMALL_CHUNK + 17  # three full chunks and a short one: two programs
    got = np.concatenate(list(sampling.draw_chunks(spec, n, seed)))
    assert got.tobytes() == _outside_keys_reference(spec, n, seed, SMALL_CHUNK).tobytes()


@pytest.mark.slow
def test_streamed_programs_are_stored_once_and_loaded_after(store, monkeypatch):
    monkeypatch.setattr(sampling, "CHUNK", SMALL_CHUNK)
    spec = _spec("weibull", {"scale": 2.0, "concentration": 1.5})
    n = 2 * SMALL_CHUNK + 5
    first = np.concatenate(list(sampling.draw_chunks(spec, n, 4)))
    assert len(compiled.COMPILES) == 2 and compiled.LOADS == []  # CHUNK and the last chunk's size
    assert len([p for p in os.listdir(store) if p.endswith(compiled.SUFFIX)]) == 2
    other = _spec("weibull", {"scale": 3.5, "concentration": 0.7})  # values are arguments: the same programs
    again = np.concatenate(list(sampling.draw_chunks(other, n, 9)))
    assert len(compiled.COMPILES) == 2 and len(compiled.LOADS) == 2
    assert first.tobytes() == _outside_keys_reference(spec, n, 4, SMALL_CHUNK).tobytes()
    assert again.tobytes() == _outside_keys_reference(other, n, 9, SMALL_CHUNK).tobytes()
    # Not the single-chunk program of the same size (another kind of program, another key).
    single = sampling.draw(spec, SMALL_CHUNK, 4)
    assert len(compiled.COMPILES) == 3
    assert single.tobytes() == first[:SMALL_CHUNK].tobytes()  # chunk 0 is the seed's own key


@pytest.mark.slow
def test_damaged_streamed_program_is_rebuilt(store, monkeypatch):
    monkeypatch.setattr(sampling, "CHUNK", SMALL_CHUNK)
    spec = _spec("exponential", {"rate": 2.0})
    n = SMALL_CHUNK + 1
    first = np.concatenate(list(sampling.draw_chunks(spec, n, 1)))
    for entry in os.listdir(store):
        (store / entry).write_bytes(b"not an executable")
    again = np.concatenate(list(sampling.draw_chunks(spec, n, 1)))
    assert again.tobytes() == first.tobytes()
    assert len(compiled.COMPILES) == 4 and compiled.LOADS == []


def _numpy_bookkeeping(chunks):
    """What StreamingDraws must count, computed directly with numpy over all the draws."""
    x = np.concatenate(chunks)
    finite = x[np.isfinite(x)]
    positive = finite[finite > 0]
    return {
        "n": x.size,
        "nonfinite": int(np.count_nonzero(~np.isfinite(x))),
        "infinite": int(np.count_nonzero(np.isinf(x))),
        "zeros": int(np.count_nonzero(finite == 0)),
        "negative": bool(np.any(finite < 0)),
        "min_positive": float(positive.min()) if positive.size else math.inf,
    }


@pytest.mark.parametrize("chunks", [
    [np.array([1.0, 2.0, 3.0]), np.array([0.5, 4.0])],  # all positive: the two-pass shortcut
    [np.array([1e-310, 0.0, 0.0, 2.0]), np.array([3.0, 0.0])],  # underflowed zeros beside tiny draws
    [np.array([-1.0, 2.0]), np.array([0.25, np.nan, 5.0])],
    [np.array([np.inf, 1.0, -np.inf]), np.array([np.nan, np.nan])],  # a chunk with no finite draw
    [np.array([]), np.array([7.0, 8.0])],
])
def test_accumulator_bookkeeping_matches_numpy(chunks):
    acc = StreamingDraws(1e-3, 10.0, log_scale=True)
    for c in chunks:
        acc.add(c)
    expected = _numpy_bookkeeping(chunks)
    got = {"n": acc.n, "nonfinite": acc.nonfinite, "infinite": acc.infinite, "zeros": acc._zeros,
           "negative": acc._negative, "min_positive": acc._min_positive}
    assert got == expected


@pytest.mark.parametrize("log_scale", [True, False])
def test_accumulator_bins_match_numpy_histogram(log_scale):
    """The fine counts (reused work arrays, chunks of two sizes) are numpy's histogram on the same
    grid, with the draws outside it in the two end cells."""
    rng = np.random.default_rng(5)
    x = rng.lognormal(0.0, 1.5, 30_011)
    lo, hi = 0.05, 20.0
    acc = StreamingDraws(lo, hi, log_scale=log_scale)
    for part in np.array_split(x, [20_000, 25_000]):  # a big chunk first, then smaller ones
        acc.add(part)
    u = np.log(x) if log_scale else x
    a, b = (math.log(lo), math.log(hi)) if log_scale else (lo, hi)
    inside = u[(u >= a) & (u < b)]
    expected = np.histogram(inside, bins=FINE_BINS, range=(a, b))[0]
    # np.histogram computes a bin as (u - a) * (bins / (b - a)) too; both put an edge case in the same bin
    np.testing.assert_array_equal(acc.counts[1:-1], expected)
    assert acc.counts[0] == np.count_nonzero(u < a) and acc.counts[-1] == np.count_nonzero(u >= b)


@pytest.mark.slow
def test_streamed_sd_is_the_exact_sd_of_the_draws():
    """Integer draws: the sd from exact rational arithmetic is the float the accumulator gives
    (its squares are summed pairwise; the BLAS dot it used was 1e-13 off and thread-dependent)."""
    x = np.random.default_rng(3).poisson(4.0, 300_000).astype(np.float64)
    acc = StreamingDraws(-0.5, 30.5, log_scale=False, discrete=True)
    for part in np.array_split(x, 3):
        acc.add(part)
    total = sum(Fraction(int(v)) for v in x)
    mean = total / x.size
    exact = math.sqrt(float(sum((Fraction(int(v)) - mean) ** 2 for v in x) / (x.size - 1)))
    summary = acc.summary([0.5])
    assert summary.mean == pytest.approx(float(mean), rel=1e-15)
    assert summary.sd == pytest.approx(exact, rel=2e-16)


@pytest.mark.slow
def test_streamed_output_does_not_depend_on_blas_threads(tmp_path):
    """The same seed prints the same bytes whatever OpenBLAS's thread count (a dot product summed
    the squares in an order that depended on it: the json's sd differed in its last digits)."""
    argv = [sys.executable, "-m", "priorcli", "sample", "lognormal", "-n", str(sampling.CHUNK + 50_000),
            "--format", "json"]
    outputs = []
    for threads in ("1", "2"):
        env = {**os.environ, "OPENBLAS_NUM_THREADS": threads, "PRIORCLI_NO_SAMPLER_CACHE": "1"}
        result = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])["mc"]["n"] == sampling.CHUNK + 50_000


def test_draws_at_or_below_zero_fall_below_a_log_grid():
    """A log-spaced grid (a positive range) and draws <= 0 (log -inf or NaN): counted below it,
    not a crash in the binning."""
    acc = StreamingDraws(1e-3, 10.0, log_scale=True)
    acc.add(np.array([-1.0, 0.0, 2.0, 20.0]))
    assert acc.counts[0] == 2 and acc.counts[-1] == 1 and acc.counts[1:-1].sum() == 1
