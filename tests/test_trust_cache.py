"""Issue 19, the caches and the hangs of sampling: a planted compiled sampler never runs, no cache
under a HOME that is not there, `-n` past int64 or as 1e6, a 5,000-component Dirichlet."""

from __future__ import annotations

import math
import json
import os
import pickle
import signal
import stat
import subprocess
import sys
import time

import numpy as np
import pytest

from priorcli.sampling import compiled
from priorcli.sampling import draws as sampling
from priorcli.errors import PriorWarning
from priorcli.families.registry import numpyro_dist, resolve
from priorcli.stats.exact import DistSpec

from conftest import assert_usage_error, complete

PRIORCLI = [sys.executable, "-m", "priorcli"]
N = 100  # draws of the planted key


class _Plant:
    """Unpickling this writes a marker file: what a planted 'compiled sampler' could do."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (exec, (f"open({self.marker!r}, 'w').write('ran')",))


def _spec():
    return DistSpec(resolve("exponential"), {"rate": 2.0}, ())


def _reference(n=N, seed=0):
    import jax

    numpyro_dist()
    fn = jax.jit(sampling._sample_function(_spec(), n))
    return np.asarray(fn(jax.random.PRNGKey(seed), *sampling.runtime_arguments(_spec())), dtype=np.float64)


def _plant(store, marker):
    """A pickle at the key `sample exponential --rate 2 -n 100` looks up; returns its path."""
    store.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = compiled._key(_spec(), N, sampling.program_sources(), sampling.runtime_arguments(_spec()))
    path = store / (key + compiled.SUFFIX)
    path.write_bytes(pickle.dumps(_Plant(marker)))
    os.chmod(path, 0o600)
    return path


def _env(**extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("PRIORCLI_NO_CACHE", "PRIORCLI_NO_SAMPLER_CACHE", "PRIORCLI_CACHE_DIR", "XDG_CACHE_HOME")}
    env.update(extra)
    return env


def _sample_exponential(env):
    argv = [*PRIORCLI, "sample", "exponential", "--rate", "2", "-n", str(N), "--format", "raw"]
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)


def test_item3_private_store_is_read_and_reused(store, tmp_path):
    """The control for the refusals below: in a private store the planted key is the one looked up
    (so a refusal is what keeps the plant from running), and real entries are reused."""
    marker = tmp_path / "marker"
    _plant(store, marker)
    assert sampling.draw(_spec(), N, 0).tobytes() == _reference().tobytes()
    assert marker.exists()  # it was loaded (then failed to run, and was rebuilt)
    (entry,) = [p for p in os.listdir(store) if p.endswith(compiled.SUFFIX)]
    inode = os.stat(store / entry).st_ino
    assert sampling.draw(_spec(), N, 0).tobytes() == _reference().tobytes()
    assert os.stat(store / entry).st_ino == inode  # loaded, not rebuilt
    assert stat.S_IMODE(os.stat(store).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(store / entry).st_mode) == 0o600


def test_item3_planted_pickle_in_group_writable_store_does_not_run(store, tmp_path):
    marker = tmp_path / "marker"
    path = _plant(store, marker)
    os.chmod(store, 0o770)
    with pytest.warns(PriorWarning, match="writable by its group") as caught:
        draws = sampling.draw(_spec(), N, 0)
    assert not marker.exists()
    assert draws.tobytes() == _reference().tobytes()
    assert str(store) in str(caught[0].message)
    assert path.read_bytes() == pickle.dumps(_Plant(marker))  # left alone, not replaced


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_item3_planted_pickle_owned_by_another_user_does_not_run(store, tmp_path):
    marker = tmp_path / "marker"
    path = _plant(store, marker)
    os.chown(path, 65534, 65534)
    with pytest.warns(PriorWarning, match="belongs to uid 65534") as caught:
        draws = sampling.draw(_spec(), N, 0)
    assert not marker.exists()
    assert draws.tobytes() == _reference().tobytes()
    assert str(path) in str(caught[0].message)


@pytest.mark.slow
def test_item3_world_writable_cache_dir_is_not_used(tmp_path):
    """PRIORCLI_CACHE_DIR in a directory everyone may write (another user planted the sampler):
    one Warning line naming it, the right draws, and jax's cache there is not used either."""
    shared = tmp_path / "shared"
    (shared / "jax").mkdir(parents=True)
    marker = tmp_path / "marker"
    _plant(shared / "samplers", marker)
    os.chmod(shared, 0o777)
    os.chmod(shared / "jax", 0o777)
    result = _sample_exponential(_env(PRIORCLI_CACHE_DIR=str(shared / "jax")))
    assert result.returncode == 0, result.stderr
    assert not marker.exists()
    assert np.array(result.stdout.split(), dtype=float).tobytes() == _reference().tobytes()
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Warning: ") and str(shared) in line and "everyone" in line, line
    assert os.listdir(shared / "jax") == []  # jax's executables are not written (nor read) there


def test_item3_world_writable_cache_dir_itself_is_not_used(store, tmp_path):
    jax_dir = store.parent / "jax"
    jax_dir.mkdir()
    os.chmod(jax_dir, 0o777)  # PRIORCLI_CACHE_DIR itself open to all: the samplers beside it too
    marker = tmp_path / "marker"
    _plant(store, marker)
    with pytest.warns(PriorWarning, match="writable by everyone"):
        draws = sampling.draw(_spec(), N, 0)
    assert not marker.exists()
    assert draws.tobytes() == _reference().tobytes()


@pytest.mark.slow
def test_item3_no_cache_under_a_home_that_does_not_exist(tmp_path):
    home = tmp_path / "no-such-home"
    result = _sample_exponential(_env(HOME=str(home)))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert np.array(result.stdout.split(), dtype=float).tobytes() == _reference().tobytes()
    assert not home.exists()
    # in-process: the cache's path is looked up (from HOME) at each call
    completion = complete("bash", "priorcli sample lognor", _env(HOME=str(home)))
    assert completion.exit_code == 0, completion.stderr
    assert "lognormal" in completion.stdout
    assert not home.exists()


@pytest.mark.slow
@pytest.mark.parametrize("plant", ["fifo", "deep", "not-names"])
def test_item3_planted_family_names_do_not_crash_completion(tmp_path, monkeypatch, plant):
    from priorcli.families import help as familyhelp

    monkeypatch.setenv("PRIORCLI_CACHE_DIR", str(tmp_path / "cache" / "jax"))
    monkeypatch.delenv("PRIORCLI_NO_CACHE", raising=False)
    path = familyhelp._names_cache_path()
    os.makedirs(os.path.dirname(path), mode=0o700)
    if plant == "fifo":  # reading it would block
        os.mkfifo(path)
    elif plant == "deep":  # json's parser would raise RecursionError
        with open(path, "w") as handle:
            handle.write("[" * 200000)
    else:
        with open(path, "w") as handle:
            json.dump({"names": 1}, handle)
    env = _env(PRIORCLI_CACHE_DIR=str(tmp_path / "cache" / "jax"))
    if plant == "fifo":  # a process: its timeout guards against a read that blocks
        completion = subprocess.run(PRIORCLI, capture_output=True, text=True, timeout=300, env=dict(
            env, _PRIORCLI_COMPLETE="complete_bash", COMP_WORDS="priorcli sample lognor", COMP_CWORD="2"))
        assert completion.returncode == 0, completion.stderr
    else:
        completion = complete("bash", "priorcli sample lognor", env)
        assert completion.exit_code == 0, completion.stderr
    assert "lognormal" in completion.stdout


# ---------------------------------------------------------------------------------------------
# -n / --draws


@pytest.mark.parametrize("command", [["sample", "normal"], ["compare", "Normal(0, 1)"]])
@pytest.mark.parametrize("value", ["99999999999999999999", str(2**63), "1e19", "1e400"])
def test_item_n_beyond_int64_is_a_usage_error(run, command, value):
    assert_usage_error(run(*command, "-n", value), "-n", "--draws", value)


def test_item_n_largest_int64_is_accepted_by_the_parser():
    from priorcli.cli.params import _draw_count

    assert _draw_count(str(2**63 - 1)) == 2**63 - 1
    assert _draw_count("9.2e18") == 9200000000000000000


@pytest.mark.parametrize("command", [["sample", "normal"], ["compare", "Normal(0, 1)"]])
@pytest.mark.parametrize("value,count", [("1e3", 1000), ("2.5e3", 2500), ("1000.0", 1000)])
def test_item_n_accepts_integral_floats(run, command, value, count):
    as_float = run(*command, "-n", value, "--format", "json")
    as_int = run(*command, "-n", str(count), "--format", "json")
    assert as_float.exit_code == 0, as_float.stderr
    assert as_float.stdout == as_int.stdout
    assert json.loads(as_float.stdout)["draws"] == count


@pytest.mark.parametrize("value", ["1.5", "1e-3", "nan", "inf", "ten"])
def test_item_n_that_is_not_a_whole_number_is_a_usage_error(run, value):
    assert_usage_error(run("sample", "normal", "-n", value), "-n", value)


# ---------------------------------------------------------------------------------------------
# A 5,000-component Dirichlet; Ctrl-C while jax compiles or runs

FIVE_THOUSAND = ",".join(["1"] * 5000)
ENDLESS = """
import sys
import jax
import numpy as np
from priorcli.sampling import compiled
from priorcli.cli.edge import _install_interrupt_handler
from priorcli.families.registry import numpyro_dist

numpyro_dist()
_install_interrupt_handler()
endless = jax.jit(lambda x: jax.lax.fori_loop(0, 10**15, lambda i, v: v * 1.0000001 + 1e-9, x))
print("ready", flush=True)
compiled.interruptible(lambda: np.asarray(endless(1.0)))
"""


def _interrupt(process, after_line=False, delay=1.0):
    if after_line:
        assert process.stdout.readline().strip() == b"ready"
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    try:
        _, stderr = process.communicate(timeout=60)  # a hang guard, not a timing
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail("Ctrl-C did not end the run")
    return process.returncode, stderr.decode()


@pytest.mark.slow
def test_item_ctrl_c_interrupts_a_native_jax_call():
    """A native call that never returns by itself (the main thread never runs Python's handler
    while it waits on it) still ends at Ctrl-C, through compiled.interruptible."""
    process = subprocess.Popen([sys.executable, "-c", ENDLESS], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    code, stderr = _interrupt(process, after_line=True)
    assert code == 130, stderr
    assert stderr.strip() == "Error: interrupted"


@pytest.mark.slow
def test_item_large_dirichlet_is_refused_at_once(run):
    result = run("sample", "dirichlet", "--concentration", FIVE_THOUSAND)
    assert_usage_error(result, "-n/--draws", "10000", "5000-component", "-n 838")


@pytest.mark.slow
def test_item_large_dirichlet_ctrl_c_exits_130(tmp_path):
    env = _env(PRIORCLI_NO_CACHE="1")  # compiled afresh: the signal lands in compilation or the run
    argv = [*PRIORCLI, "sample", "dirichlet", "--concentration", FIVE_THOUSAND, "-n", "800", "--format", "json"]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    code, stderr = _interrupt(process, delay=4.0)
    assert code == 130, stderr
    assert stderr.strip() == "Error: interrupted"


def test_item_vector_budget_keeps_small_dirichlets(run):
    doc = run.json("sample", "dirichlet", "--concentration", "1,2,3", "-n", "2000", "--seed", "1")
    assert doc["draws"] == 2000


@pytest.mark.slow
def test_item_large_dirichlet_table_shows_the_first_components_and_json_all(run):
    # Thousands of components: a table and plots of the first MAX_SHOWN_COMPONENTS (rendering 5,000
    # columns took minutes), with a note; JSON and CSV keep every component.
    from priorcli.commands.family import MAX_SHOWN_COMPONENTS

    k, n = 50, 400
    argv = ["sample", "dirichlet", "--concentration", ",".join(["1"] * k), "-n", str(n), "--seed", "1"]
    table = run(*argv)
    assert table.exit_code == 0, table.stderr
    assert f"component {MAX_SHOWN_COMPONENTS - 1}" in table.stdout
    assert f"component {MAX_SHOWN_COMPONENTS} " not in table.stdout
    assert table.stderr.strip() == (f"Note: the table and plots show components 0 to {MAX_SHOWN_COMPONENTS - 1} "
                                    f"of {k}; --format json or csv has them all")
    doc = run.json(*argv)
    assert len(doc["mc"]) == k and len(doc["exact"]) == k
    # each component is Beta(1, k - 1): mean 1/k, variance (k - 1) / (k^2 (k + 1))
    se = math.sqrt((k - 1) / (k * k * (k + 1)) / n)
    for component in doc["mc"]:
        assert abs(component["mean"] - 1 / k) < 5 * se
    assert all(abs(e["mean"] - 1 / k) < 1e-12 for e in doc["exact"])
