"""Samplers kept in memory within one process (priorcli.sampling.compiled.RECENT): a second call
with the same structure lowers nothing, with or without the store on disk; another size, family,
transform or shape is another program; the draws are the bytes of a freshly jitted sampler."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest

import priorcli
from priorcli.families.registry import numpyro_dist, resolve
from priorcli.families.transforms import parse_transform
from priorcli.sampling import compiled
from priorcli.sampling import draws as sampling
from priorcli.stats.exact import DistSpec

LOWERED: list[str] = []  # jax functions lowered to MLIR while a test records (see `lowered`)
_RECORDING = [False]


def _listen(event, duration, **kwargs):
    if _RECORDING[0] and event.endswith("jaxpr_to_mlir_module_duration"):
        LOWERED.append(str(kwargs.get("fun_name")))


@pytest.fixture
def lowered(monkeypatch):
    """The names of the jitted functions lowered during the test (jax.monitoring's events), with
    an empty RECENT of 4 entries of the test's own."""
    import jax.monitoring

    if not getattr(_listen, "registered", False):  # jax has no public way to remove a listener
        jax.monitoring.register_event_duration_secs_listener(_listen)
        _listen.registered = True
    monkeypatch.setattr(compiled, "RECENT", compiled.Recent(4))
    LOWERED.clear()
    _RECORDING[0] = True
    yield LOWERED
    _RECORDING[0] = False


def _spec(family, params, transforms=()):
    return DistSpec(resolve(family), dict(params), tuple(parse_transform(t) for t in transforms))


def _fresh_jit(spec, n, seed):
    """What a sample drew before RECENT with the store off: a new jax.jit of the sampler."""
    import jax

    numpyro_dist()
    function = jax.jit(sampling._sample_function(spec, n))
    with _not_recording():
        return np.asarray(function(np.int64(seed), *sampling.runtime_arguments(spec)), dtype=np.float64)


@contextlib.contextmanager
def _not_recording():
    """The references' own lowering is not counted."""
    was, _RECORDING[0] = _RECORDING[0], False
    try:
        yield
    finally:
        _RECORDING[0] = was


def _samplers(names):
    return [name for name in names if name in ("jit(sample)", "jit(chunk)")]


def test_a_second_value_and_seed_lower_nothing(lowered):
    first = _spec("weibull", {"scale": 2.0, "concentration": 1.5})
    drawn = sampling.draw(first, 300, 4)
    assert _samplers(lowered) == ["jit(sample)"]
    second = _spec("weibull", {"scale": 0.7, "concentration": 3.0})
    again = sampling.draw(second, 300, 9)
    assert _samplers(lowered) == ["jit(sample)"]  # not lowered again
    assert len(compiled.RECENT) == 1 and compiled.RECENT.hits == 1
    assert drawn.tobytes() == _fresh_jit(first, 300, 4).tobytes()
    assert again.tobytes() == _fresh_jit(second, 300, 9).tobytes()


@pytest.mark.parametrize("other", [
    ("normal", {"loc": 0.5, "scale": 2.0}, (), 301),  # another n
    ("laplace", {"loc": 0.5, "scale": 2.0}, (), 300),  # another family, the same parameter names
    ("normal", {"loc": 0.5, "scale": 2.0}, ("exp",), 300),  # a transform
    ("normal", {"loc": 0.5, "scale": 2.0}, ("softplus",), 300),  # another transform
    ("normal", {"loc": 0.5, "scale": 2.0}, ("affine:1,2",), 300),  # one with arguments
])
def test_another_structure_is_another_program(lowered, other):
    base = _spec("normal", {"loc": 1.0, "scale": 1.0})
    sampling.draw(base, 300, 0)
    family, params, transforms, n = other
    spec = _spec(family, params, transforms)
    drawn = sampling.draw(spec, n, 0)
    assert _samplers(lowered) == ["jit(sample)", "jit(sample)"]
    assert drawn.shape == (n,) and drawn.tobytes() == _fresh_jit(spec, n, 0).tobytes()
    assert sampling.draw(base, 300, 1).tobytes() == _fresh_jit(base, 300, 1).tobytes()  # both kept
    assert len(_samplers(lowered)) == 2


@pytest.mark.slow
def test_vector_shapes_and_integer_parameters_are_apart(lowered):
    three = _spec("dirichlet", {"concentration": (1.0, 2.0, 3.0)})
    two = _spec("dirichlet", {"concentration": (1.0, 2.0)})
    assert sampling.draw(three, 50, 2).shape == (50, 3)
    assert sampling.draw(two, 50, 2).tobytes() == _fresh_jit(two, 50, 2).tobytes()
    assert sampling.draw(_spec("dirichlet", {"concentration": (4.0, 0.5)}), 50, 3).tobytes() == \
        _fresh_jit(_spec("dirichlet", {"concentration": (4.0, 0.5)}), 50, 3).tobytes()
    binomial = _spec("binomial", {"probs": 0.3, "total_count": 10})
    assert sampling.draw(binomial, 50, 2).tobytes() == _fresh_jit(binomial, 50, 2).tobytes()
    assert len(_samplers(lowered)) == 3


def test_recent_is_bounded_least_recently_used_go(lowered, monkeypatch):
    monkeypatch.setattr(compiled, "RECENT", compiled.Recent(2))
    spec = _spec("exponential", {"rate": 1.5})
    for n in (40, 41, 40, 42):  # 40 used again before 42 comes: 41 goes
        sampling.draw(spec, n, 0)
    assert len(compiled.RECENT) == 2 and len(_samplers(lowered)) == 3
    sampling.draw(spec, 40, 0)
    assert len(_samplers(lowered)) == 3
    assert sampling.draw(spec, 41, 5).tobytes() == _fresh_jit(spec, 41, 5).tobytes()
    assert len(_samplers(lowered)) == 4  # built again


def test_the_key_holds_the_jax_settings_of_the_moment():
    """The x64 setting is read when the key is made (the store's environment is read once)."""
    import jax

    spec = _spec("normal", {"loc": 0.0, "scale": 1.0})
    arguments = sampling.runtime_arguments(spec)
    key = compiled._memory_key(spec, 10, sampling.program_sources(), arguments, "")
    enabled = jax.config.jax_enable_x64
    try:
        jax.config.update("jax_enable_x64", not enabled)
        other = compiled._memory_key(spec, 10, sampling.program_sources(), arguments, "")
    finally:
        jax.config.update("jax_enable_x64", enabled)
    assert other != key and other[0] == key[0]


def test_a_script_calling_the_api_in_a_loop_lowers_the_sampler_once(lowered):
    runs = [priorcli.sample("gamma", n=2000, seed=seed, concentration=shape, rate=1.0)
            for seed, shape in ((0, 2.0), (1, 3.5), (2, 0.8))]
    assert len(_samplers(lowered)) == 1
    for run, (seed, shape) in zip(runs, ((0, 2.0), (1, 3.5), (2, 0.8))):
        spec = _spec("gamma", {"concentration": shape, "rate": 1.0})
        assert run.draws.tobytes() == _fresh_jit(spec, 2000, seed).tobytes()


def test_streamed_chunks_reuse_their_two_programs(lowered, monkeypatch):
    monkeypatch.setattr(sampling, "CHUNK", 256)
    spec = _spec("lognormal", {"loc": 0.0, "scale": 0.5})
    first = np.concatenate(list(sampling.draw_chunks(spec, 2 * 256 + 7, 3)))
    assert _samplers(lowered) == ["jit(chunk)", "jit(chunk)"]  # CHUNK and the last chunk's size
    other = _spec("lognormal", {"loc": 1.0, "scale": 0.25})
    again = np.concatenate(list(sampling.draw_chunks(other, 2 * 256 + 7, 3)))
    assert len(_samplers(lowered)) == 2
    assert again.tobytes() == _streamed_reference(other, 3).tobytes()
    assert first.tobytes() == _streamed_reference(spec, 3).tobytes()


def _streamed_reference(spec, seed):
    """Chunk 0 from PRNGKey(seed), chunk i from fold_in(PRNGKey(seed), i), each freshly jitted."""
    import jax

    numpyro_dist()
    key = jax.random.PRNGKey(seed)
    parts = []
    for index, size in enumerate((256, 256, 7)):
        function = jax.jit(sampling._sample_function(spec, size))
        chunk_key = key if index == 0 else jax.random.fold_in(key, index)
        with _not_recording():
            parts.append(np.asarray(function(chunk_key, *sampling.runtime_arguments(spec)), dtype=np.float64))
    return np.concatenate(parts)


@pytest.mark.slow
def test_with_the_store_on_a_second_call_reads_no_file(lowered, private_cache, monkeypatch):
    monkeypatch.delenv("PRIORCLI_NO_SAMPLER_CACHE", raising=False)
    monkeypatch.setattr(compiled, "LOADS", [])
    monkeypatch.setattr(compiled, "COMPILES", [])
    spec = _spec("normal", {"loc": 0.4, "scale": 1.7}, ("softplus",))
    built = sampling.draw(spec, 500, 11)
    other = _spec("normal", {"loc": -1.0, "scale": 0.2}, ("softplus",))
    again = sampling.draw(other, 500, 12)
    assert len(compiled.COMPILES) == 1 and compiled.LOADS == [] and len(_samplers(lowered)) == 1
    assert built.tobytes() == _fresh_jit(spec, 500, 11).tobytes()
    assert again.tobytes() == _fresh_jit(other, 500, 12).tobytes()
