"""jax's persistent compilation cache made safe for priorcli processes that run at the same time.

jax (0.10) writes a cache entry in place (``Path.write_bytes``: open, truncate, write) and never
replaces one that exists. A priorcli started while another writes the entry it needs reads half of
it: jax warns on stderr ("Error reading persistent compilation cache entry ...") and compiles
again; and an entry left half-written (a process killed mid-write, a full disk) stays so, and every
later run warns and compiles again. Here an entry is written to a temporary file beside it and
renamed over its name (``os.replace``: a reader sees no entry or a whole one), and an entry that is
there but does not decompress is replaced; jax's warning about reading one is silenced, since
the program is compiled again and the entry mended. Only the cache jax uses without a size limit
(priorcli never sets one) is changed; with a limit jax holds a file lock around reads and writes.
"""

from __future__ import annotations

import os
import warnings

_READ_WARNING = "Error reading persistent compilation cache entry"


def use(directory: str) -> None:
    """jax's persistent cache in ``directory`` for every compilation from now on (jax reads the
    setting at its first compilation), each program kept however quick its compilation or small its
    executable, and written whole (:func:`install`)."""
    import jax

    jax.config.update("jax_compilation_cache_dir", directory)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    install()


def install() -> None:
    """Route jax's cache writes through :func:`_put` (once per process) and silence its warning
    about an entry it could not read (that entry is compiled again and mended by :func:`_put`)."""
    from jax._src import lru_cache

    if getattr(lru_cache.LRUCache.put, "_priorcli_atomic", False):
        return
    plain_put = lru_cache.LRUCache.put

    def put(self, key: str, value: bytes) -> None:
        if self.eviction_enabled or not key:
            return plain_put(self, key, value)
        _put(os.fspath(self.path / f"{key}{lru_cache._CACHE_SUFFIX}"), value)

    put._priorcli_atomic = True
    lru_cache.LRUCache.put = put
    warnings.filterwarnings("ignore", message=_READ_WARNING)


def _put(path: str, value: bytes) -> None:
    """Write ``value`` at ``path`` whole or not at all (0600, as the samplers'), unless a readable
    entry is there already (another process wrote the same program meanwhile). A failed write
    raises, as jax's own, and jax reports it as before."""
    from priorcli.cachedirs import write_private

    if os.path.exists(path) and _readable(path):
        return
    write_private(path, value)


def _readable(path: str) -> bool:
    from jax._src.compilation_cache import decompress_executable

    try:
        with open(path, "rb") as f:
            decompress_executable(f.read())
        return True
    except Exception:  # noqa: BLE001  (zlib's and zstandard's errors differ: any failure is a damaged entry)
        return False
