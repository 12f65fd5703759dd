"""Issue 24: scripts that call priorcli many times. Item 1: a compiled sampler takes the parameters
as arguments, so a new value reuses the stored program (and its draws are those of the program with
the values as constants). Item 2: `list` and `info` read the registry from a cache file."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import numpy as np
import pytest

from priorcli.sampling import compiled
from priorcli.families import help as familyhelp
from priorcli.sampling import draws as sampling
from priorcli.families.registry import numpyro_dist, registry, resolve
from priorcli.stats.exact import DistSpec, build_distribution
from priorcli.families.transforms import parse_transform

from conftest import packages_after

PRIORCLI = [sys.executable, "-m", "priorcli"]


def _spec(family, params, transforms=()):
    return DistSpec(resolve(family), dict(params), tuple(parse_transform(t) for t in transforms))


def _constant_program(spec, n, key):
    """The program sampling compiled before issue 24: the parameters are constants in it."""
    import jax
    import numpyro

    numpyro_dist()

    def sample(rng_key):
        with numpyro.handlers.seed(rng_seed=rng_key):
            return numpyro.sample("x", build_distribution(spec), sample_shape=(n,))

    return np.asarray(jax.jit(sample)(key), dtype=np.float64)


def _reference(spec, n, seed):
    import jax

    numpyro_dist()
    return _constant_program(spec, n, jax.random.PRNGKey(seed))


def _entries(directory):
    return sorted(p for p in os.listdir(directory) if p.endswith(compiled.SUFFIX)) if directory.exists() else []


def _key(spec, n):
    return compiled._key(spec, n, sampling.program_sources(), sampling.runtime_arguments(spec))


# ---------------------------------------------------------------------------------------------
# Item 1


def test_item1_key_holds_the_structure_not_the_parameter_values():
    assert _key(_spec("weibull", {"scale": 2.0, "concentration": 1.5}), 1000) == \
        _key(_spec("weibull", {"scale": 3.7, "concentration": 0.4}), 1000)
    assert _key(_spec("normal", {"loc": 0.0, "scale": 1.0}, ("affine:1,2", "exp")), 10) == \
        _key(_spec("normal", {"loc": 5.0, "scale": 3.0}, ("affine:-4,0.5", "exp")), 10)
    dirichlet3 = _key(_spec("dirichlet", {"concentration": (1.0, 2.0, 3.0)}), 10)
    assert dirichlet3 == _key(_spec("dirichlet", {"concentration": (4.0, 0.5, 1.0)}), 10)
    assert dirichlet3 != _key(_spec("dirichlet", {"concentration": (1.0, 2.0)}), 10)  # the shape is in it
    assert _key(_spec("weibull", {"scale": 2.0, "concentration": 1.5}), 1000) != \
        _key(_spec("weibull", {"scale": 2.0, "concentration": 1.5}), 1001)
    assert _key(_spec("normal", {"loc": 0.0, "scale": 1.0}, ("exp",)), 10) != \
        _key(_spec("normal", {"loc": 0.0, "scale": 1.0}, ("softplus",)), 10)


@pytest.mark.parametrize("family,values,transforms", [
    ("weibull", [{"scale": 2.0, "concentration": 1.5}, {"scale": 3.25, "concentration": 1.5},
                 {"scale": 0.7, "concentration": 2.2}], ()),
    ("normal", [{"loc": 0.4, "scale": 1.7}, {"loc": -2.0, "scale": 0.3}], ("affine:1,2",)),
    ("binomial", [{"probs": 0.3, "total_count": 10.0}, {"probs": 0.8, "total_count": 25.0}], ()),
    ("dirichlet", [{"concentration": (1.0, 2.0, 3.0)}, {"concentration": (0.5, 4.0, 1.5)}], ()),
])
@pytest.mark.slow
def test_item1_a_second_value_reuses_the_stored_sampler(store, family, values, transforms):
    """One compile for the structure, loads for every later value; the draws are the bytes of the
    program that has the values as constants (what sampling compiled before)."""
    for i, params in enumerate(values):
        spec = _spec(family, params, transforms)
        draws = sampling.draw(spec, 400, 5)
        assert draws.tobytes() == _reference(spec, 400, 5).reshape(draws.shape).tobytes(), params
        assert len(compiled.COMPILES) == 1 and len(compiled.LOADS) == i
        assert len(_entries(store)) == 1


@pytest.mark.slow
def test_item1_gamma_draws_agree_with_the_constant_program_to_the_last_bits(store):
    """With constants XLA folds parts of jax's gamma sampler at compile time, so a few draws differ
    from the runtime-argument program in the last place (README: Speed and large n)."""
    for params in ({"concentration": 2.5, "rate": 1.5}, {"concentration": 0.3, "rate": 2.0}):
        spec = _spec("gamma", params)
        np.testing.assert_allclose(sampling.draw(spec, 2000, 3), _reference(spec, 2000, 3), rtol=1e-13, atol=0)
    assert len(compiled.COMPILES) == 1 and len(compiled.LOADS) == 1


def test_item1_streaming_chunks_take_the_arguments(monkeypatch):
    """Above one chunk: chunk 0 from PRNGKey(seed), chunk i from fold_in(key, i), as before."""
    import jax

    monkeypatch.setattr(sampling, "CHUNK", 1000)
    spec = _spec("weibull", {"scale": 2.0, "concentration": 1.5})
    got = sampling.draw(spec, 2500, 9)
    key = jax.random.PRNGKey(9)
    expected = np.concatenate([_constant_program(spec, 1000, key),
                               _constant_program(spec, 1000, jax.random.fold_in(key, 1)),
                               _constant_program(spec, 500, jax.random.fold_in(key, 2))])
    assert got.tobytes() == expected.tobytes()


@pytest.mark.slow
def test_item1_store_is_bounded_by_size(store, monkeypatch):
    spec = _spec("exponential", {"rate": 1.0})
    sampling.draw(spec, 30, 0)
    (first,) = _entries(store)
    monkeypatch.setattr(compiled, "MAX_BYTES", int(os.path.getsize(store / first) * 1.5))
    for n in (31, 32):
        sampling.draw(spec, n, 0)
    kept = _entries(store)
    assert len(kept) == 1 and first not in kept  # the newest only: two would exceed MAX_BYTES


@pytest.mark.slow
def test_item1_command_line_sweep_compiles_once(tmp_path):
    """Real runs: `sample weibull --scale S` for a new S loads the stored sampler (same file, not
    rewritten), and prints what the constant program draws."""
    env = {k: v for k, v in os.environ.items() if k not in ("PRIORCLI_NO_CACHE", "PRIORCLI_NO_SAMPLER_CACHE")}
    env["PRIORCLI_CACHE_DIR"] = str(tmp_path / "jax")
    outputs = []
    for scale in ("2", "2.75"):
        argv = [*PRIORCLI, "sample", "weibull", "--scale", scale, "--concentration", "1.5", "-n", "300",
                "--format", "raw"]
        outputs.append(subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300, check=True).stdout)
        if scale == "2":
            (entry,) = _entries(tmp_path / "samplers")
            inode = os.stat(tmp_path / "samplers" / entry).st_ino
    assert _entries(tmp_path / "samplers") == [entry]
    assert os.stat(tmp_path / "samplers" / entry).st_ino == inode  # loaded, not rebuilt
    expected = _reference(_spec("weibull", {"scale": 2.75, "concentration": 1.5}), 300, 0)
    np.testing.assert_array_equal(np.array(outputs[1].split(), dtype=float), expected)


# ---------------------------------------------------------------------------------------------
# Item 2


def _discovered_json():
    """What `list --format json` shows, from numpyro's discovery (not from the cache)."""
    return [{"family": f.name, "support": f.support, "discrete": f.discrete,
             "params": [{"name": p.name, "constraint": p.kind, "default": p.default} for p in f.params]}
            for f in registry().values()]


@pytest.mark.slow
def test_item2_warm_list_and_info_import_no_numpyro(private_cache, run, monkeypatch):
    commands = (["list"], ["list", "--format", "json"], ["info", "gamma"], ["info", "gamma", "--format", "json"],
                ["info", "vonmises"])  # VonMises has no record
    cold, imported = packages_after(*commands, packages=["numpyro", "jax"])
    assert "numpyro" in imported  # the control: discovery, the cache written
    assert len(list(private_cache.glob("family-registry-*.json"))) == 1
    warm, imported = packages_after(*commands, packages=["numpyro", "jax"])
    assert imported == []
    assert warm == cold
    monkeypatch.setenv("PRIORCLI_NO_CACHE", "1")  # and without the cache (in-process: output only)
    no_cache = [run(*command) for command in commands]
    assert all(result.exit_code == 0 for result in no_cache), [result.stderr for result in no_cache]
    assert warm == "".join(result.stdout for result in no_cache)


def test_item2_list_json_from_the_cache_is_the_discovered_registry(private_cache, run):
    first = run("list", "--format", "json")
    assert first.exit_code == 0 and list(private_cache.glob("family-registry-*.json"))
    second = run("list", "--format", "json")
    # the discovered families, and Keelin's metalog, a static entry (no numpyro class: commands/listing.py)
    assert [e for e in json.loads(second.stdout) if e["family"] != "Metalog"] == _discovered_json()
    assert second.stdout == first.stdout


def test_item2_info_spellings_and_unknown_names_from_the_cache(private_cache, run):
    run("list")
    assert run("info", "Half-Cauchy").stdout.startswith("HalfCauchy: ")
    assert run("info", "bernoulli", "--format", "json").stdout == run("info", "BernoulliProbs", "--format", "json").stdout
    unknown = run("info", "gamm")
    assert unknown.exit_code == 2 and unknown.stderr.strip() == "Error: unknown family 'gamm'; did you mean Gamma?"


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b"[" * 100000, json.dumps(
    {"families": {"Gamma": {"name": "Gamma"}}, "index": {"gamma": "Gamma"}}).encode(), b"\xff\xfe", b""])
def test_item2_corrupted_private_cache_is_ignored_and_rebuilt(private_cache, run, content):
    expected = run("list", "--format", "json").stdout
    (path,) = private_cache.glob("family-registry-*.json")
    path.write_bytes(content)
    again = run("list", "--format", "json")
    assert again.exit_code == 0 and again.stdout == expected
    assert json.loads(path.read_bytes())["families"]["Gamma"]["name"] == "Gamma"  # rebuilt


def test_item2_planted_fifo_or_link_is_not_followed(private_cache, run, tmp_path):
    expected = run("info", "gamma").stdout
    (path,) = private_cache.glob("family-registry-*.json")
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_bytes(path.read_bytes().replace(b"(0, inf)", b"PLANTED"))
    for plant in ("fifo", "link"):
        path.unlink()
        os.mkfifo(path, 0o600) if plant == "fifo" else os.symlink(elsewhere, path)
        result = run("info", "gamma")
        assert result.exit_code == 0 and result.stdout == expected, plant
        assert "not used in this run" in result.stderr, plant
        assert stat.S_ISREG(os.lstat(path).st_mode)  # replaced by a fresh file


def test_item2_private_cache_in_a_group_writable_directory_is_not_read(private_cache, run):
    expected = run("info", "gamma").stdout
    (path,) = private_cache.glob("family-registry-*.json")
    planted = path.read_bytes().replace(b"(0, inf)", b"PLANTED")
    path.write_bytes(planted)
    os.chmod(private_cache, 0o770)
    try:
        result = run("info", "gamma")
    finally:
        os.chmod(private_cache, 0o700)
    assert result.exit_code == 0 and result.stdout == expected
    assert "writable by its group" in result.stderr
    assert path.read_bytes() == planted  # left alone, not rewritten


def test_item2_cache_key_follows_the_numpyro_version(private_cache, monkeypatch):
    from priorcli.families import cache

    path = cache.registry_cache_path()
    monkeypatch.setattr(cache, "installed_version", lambda name: "0.0.1")
    assert cache.registry_cache_path() != path
    assert familyhelp._names_cache_path() != path
