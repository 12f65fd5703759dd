"""Compiled samplers on disk (priorcli.sampling.compiled): stored, loaded, the same bytes as jax.jit."""

from __future__ import annotations

import os

import numpy as np
import pytest

from priorcli.sampling import compiled
from priorcli.sampling import draws as sampling
from priorcli.errors import PriorWarning
from priorcli.families.registry import numpyro_dist, resolve
from priorcli.stats.exact import DistSpec
from priorcli.families.transforms import parse_transform

CASES = [
    ("lognormal", {"loc": 0.25, "scale": 0.5}, ()),
    ("normal", {"loc": 0.4, "scale": 1.7}, ("softplus",)),
    ("gamma", {"concentration": 2.5, "rate": 1.5}, ()),  # rejection sampling: a loop in the program
    ("binomial", {"probs": 0.3, "total_count": 10.0}, ()),
]


def _spec(family, params, transforms):
    return DistSpec(resolve(family), dict(params), tuple(parse_transform(t) for t in transforms))


def _jit_reference(spec, n, seed):
    """What sampling did before the store: jax.jit of the sampler, called on PRNGKey(seed) and the
    parameters (tests/test_perf_cache.py compares it with the program that has them as constants)."""
    import jax

    numpyro_dist()
    function = jax.jit(sampling._sample_function(spec, n))
    return np.asarray(function(jax.random.PRNGKey(seed), *sampling.runtime_arguments(spec)), dtype=np.float64)


def _entries(directory):
    return sorted(p for p in os.listdir(directory) if p.endswith(compiled.SUFFIX)) if directory.exists() else []


@pytest.mark.slow
@pytest.mark.parametrize("family,params,transforms", CASES)
def test_built_and_loaded_draws_are_the_jitted_bytes(store, family, params, transforms):
    spec = _spec(family, params, transforms)
    built = sampling.draw(spec, 500, 11)
    assert len(_entries(store)) == 1
    loaded = sampling.draw(spec, 500, 11)
    reference = _jit_reference(spec, 500, 11)
    assert built.tobytes() == reference.tobytes()
    assert loaded.tobytes() == reference.tobytes()
    other_seed = sampling.draw(spec, 500, 12)  # the seed is an argument: the same executable
    assert len(_entries(store)) == 1
    assert other_seed.tobytes() == _jit_reference(spec, 500, 12).tobytes()


def test_draws_agree_with_the_seed_handler_call(store):
    """The README's promise: the draws of `with handlers.seed(rng_seed=S): numpyro.sample(...)`
    (compiled, so equal up to how XLA fuses a multiply-add: a few units in the last place)."""
    import numpyro

    spec = _spec("lognormal", {"loc": 0.25, "scale": 0.5}, ())
    got = sampling.draw(spec, 1000, 3)
    with numpyro.handlers.seed(rng_seed=3):
        expected = np.asarray(numpyro.sample("x", numpyro_dist().LogNormal(0.25, 0.5), sample_shape=(1000,)))
    np.testing.assert_allclose(got, expected, rtol=1e-14, atol=0)


@pytest.mark.parametrize("switch", ["PRIORCLI_NO_CACHE", "PRIORCLI_NO_SAMPLER_CACHE"])
def test_store_off_gives_the_same_bytes(store, monkeypatch, switch):
    spec = _spec("normal", {"loc": 1.0, "scale": 2.0}, ())
    stored = sampling.draw(spec, 300, 5)
    monkeypatch.setenv(switch, "1")
    assert compiled.cache_dir() is None
    assert sampling.draw(spec, 300, 5).tobytes() == stored.tobytes()


def test_key_changes_with_everything_that_shapes_the_program(store, tmp_path, monkeypatch):
    base = _spec("normal", {"loc": 1.0, "scale": 2.0}, ())
    source = tmp_path / "builder.py"
    source.write_text("x = 1\n")
    sources = (str(source),)

    def key(spec, n):
        return compiled._key(spec, n, sources, sampling.runtime_arguments(spec))

    keys = {
        key(base, 100),
        key(base, 101),
        key(_spec("normal", {"loc": 1.0, "scale": 2.0}, ("exp",)), 100),
        key(_spec("normal", {"loc": 1.0, "scale": 2.0}, ("affine:1,2",)), 100),
        key(_spec("laplace", {"loc": 1.0, "scale": 2.0}, ()), 100),
        key(_spec("dirichlet", {"concentration": (1.0, 2.0)}, ()), 100),
        key(_spec("dirichlet", {"concentration": (1.0, 2.0, 3.0)}, ()), 100),  # another shape
    }
    assert len(keys) == 7
    same_params = _spec("normal", {"scale": 2.0, "loc": 1.0}, ())
    assert key(same_params, 100) == key(base, 100)
    compiled._environment.cache_clear()
    source.write_text("x = 2\n")  # the code that builds the program changed
    changed_source = key(base, 100)
    assert changed_source not in keys
    compiled._environment.cache_clear()
    monkeypatch.setenv("XLA_FLAGS", "--xla_cpu_enable_fast_math=true")  # other code for the same program
    assert key(base, 100) not in keys | {changed_source}
    monkeypatch.delenv("XLA_FLAGS")
    compiled._environment.cache_clear()


@pytest.mark.slow
def test_damaged_entry_is_rebuilt(store):
    spec = _spec("exponential", {"rate": 2.0}, ())
    first = sampling.draw(spec, 200, 1)
    (entry,) = _entries(store)
    (store / entry).write_bytes(b"not an executable")
    again = sampling.draw(spec, 200, 1)
    assert again.tobytes() == first.tobytes()
    assert (store / entry).read_bytes() != b"not an executable"


@pytest.mark.slow
def test_store_keeps_the_most_recently_used(store, monkeypatch):
    monkeypatch.setattr(compiled, "MAX_ENTRIES", 2)
    spec = _spec("exponential", {"rate": 1.0}, ())
    for n in (50, 51, 52):  # n is part of the key (a parameter value is not)
        sampling.draw(spec, n, 0)
    kept = _entries(store)
    assert len(kept) == 2
    first = compiled._key(spec, 50, sampling.program_sources(), sampling.runtime_arguments(spec))
    assert first + compiled.SUFFIX not in kept


def test_unwritable_store_still_samples(store, tmp_path, monkeypatch):
    blocker = tmp_path / "blocked"
    blocker.write_text("a file where the directory should be")
    monkeypatch.setattr(compiled, "cache_dir", lambda: str(blocker / "samplers"))
    spec = _spec("normal", {"loc": 0.0, "scale": 1.0}, ())
    with pytest.warns(PriorWarning, match="is not a directory"):  # the store is skipped, said once
        drawn = sampling.draw(spec, 100, 9)
    assert drawn.tobytes() == _jit_reference(spec, 100, 9).tobytes()


@pytest.mark.slow
def test_cli_run_stores_then_loads(tmp_path):
    """Real runs: the first stores the sampler, the next loads it; the same output bytes."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("PRIORCLI_NO_CACHE", "PRIORCLI_NO_SAMPLER_CACHE")}
    env["PRIORCLI_CACHE_DIR"] = str(tmp_path / "jax")
    argv = [sys.executable, "-m", "priorcli", "sample", "lognormal", "--mu", "0", "--sigma", "1", "--format", "raw"]
    # jax's own cache first holds the program: a copy of what it hands back would lack its code
    # in a new process, so the store must compile afresh.
    plain = subprocess.run(argv, capture_output=True, env=dict(env, PRIORCLI_NO_SAMPLER_CACHE="1"), timeout=300,
                           check=True)
    assert os.listdir(tmp_path / "jax") and not (tmp_path / "samplers").exists()
    first = subprocess.run(argv, capture_output=True, env=env, timeout=300, check=True)
    assert first.stdout == plain.stdout
    (entry,) = _entries(tmp_path / "samplers")
    stamp = os.stat(tmp_path / "samplers" / entry).st_mtime_ns
    inode = os.stat(tmp_path / "samplers" / entry).st_ino
    os.utime(tmp_path / "samplers" / entry, ns=(stamp - 10**9, stamp - 10**9))
    second = subprocess.run(argv, capture_output=True, env=env, timeout=300, check=True)
    assert second.stdout == first.stdout and len(first.stdout.split()) == 10000
    assert _entries(tmp_path / "samplers") == [entry]
    assert os.stat(tmp_path / "samplers" / entry).st_ino == inode  # loaded, not rebuilt
    assert os.stat(tmp_path / "samplers" / entry).st_mtime_ns > stamp - 10**9  # and marked as used
