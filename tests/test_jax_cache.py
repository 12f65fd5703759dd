"""jax's compilation cache shared by priorcli processes (priorcli.families.jax_cache): an entry is
whole or absent, a damaged one is mended without a word on stderr.

Oracles: jax's own reader (``decompress_executable``, what jax does with an entry before loading
it) and the bytes on disk; the damage is made by hand (an entry cut in half, as a process killed
mid-write leaves it)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from priorcli.families import jax_cache

ARGV = ["sample", "normal", "--loc", "0", "--scale", "1", "-n", "10", "--no-plot"]


def _whole(path) -> bool:
    from jax._src.compilation_cache import decompress_executable

    try:
        decompress_executable(open(path, "rb").read())
        return True
    except Exception:  # noqa: BLE001
        return False


def _entries(directory):
    return sorted(p for p in directory.iterdir() if p.name.endswith("-cache"))


def _priorcli(cache_root):
    env = dict(os.environ, PRIORCLI_CACHE_DIR=str(cache_root / "jax"), PRIORCLI_NO_SAMPLER_CACHE="1")
    return subprocess.run([sys.executable, "-m", "priorcli", *ARGV], capture_output=True, text=True, env=env,
                          timeout=300)


@pytest.mark.slow
def test_a_half_written_entry_is_mended_without_a_warning(private_cache):
    first = _priorcli(private_cache)
    assert first.returncode == 0 and first.stderr == "", first.stderr
    entries = _entries(private_cache / "jax")
    assert entries and all(_whole(p) for p in entries)
    for path in entries:  # what a process killed mid-write (or a full disk) leaves behind
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    assert not any(_whole(p) for p in entries)
    second = _priorcli(private_cache)
    assert second.returncode == 0, second.stderr
    assert second.stderr == ""  # jax's "Error reading persistent compilation cache entry" is not shown
    assert second.stdout == first.stdout
    assert _entries(private_cache / "jax") == entries and all(_whole(p) for p in entries)
    assert not [p for p in (private_cache / "jax").iterdir() if p.name.endswith(".tmp")]


def test_a_write_is_whole_or_absent(tmp_path, monkeypatch):
    path = tmp_path / "k-cache"

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(jax_cache.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        jax_cache._put(str(path), b"x" * 1000)
    assert list(tmp_path.iterdir()) == []  # neither the entry nor the partial file
    monkeypatch.undo()
    jax_cache._put(str(path), b"y" * 1000)
    assert path.read_bytes() == b"y" * 1000 and list(tmp_path.iterdir()) == [path]


def test_a_readable_entry_is_kept_and_a_damaged_one_replaced(tmp_path):
    from jax._src.compilation_cache import compress_executable

    good = compress_executable(b"an executable " * 100)  # an entry as jax writes it
    path = tmp_path / "k-cache"
    path.write_bytes(good)
    jax_cache._put(str(path), b"another compilation of the same program")
    assert path.read_bytes() == good  # another process wrote it meanwhile: kept
    path.write_bytes(good[: len(good) // 2])
    assert not _whole(path)
    jax_cache._put(str(path), good)
    assert path.read_bytes() == good


def test_install_patches_once():
    from jax._src import lru_cache

    jax_cache.install()
    put = lru_cache.LRUCache.put
    jax_cache.install()
    assert lru_cache.LRUCache.put is put and put._priorcli_atomic
