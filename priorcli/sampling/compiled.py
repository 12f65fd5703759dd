"""Compiled samplers kept on disk between runs, so that a small sample skips jax's tracing.

jax's persistent compilation cache (``families.numpyro_dist``) skips XLA compilation, but every
run still traces the sampler and lowers it to XLA just to compute that cache's key: for 10,000
LogNormal draws this is most of the 0.2 s that sampling cost on top of ``import numpyro``
(threefry's lowering is Python code). A single chunk of draws is therefore compiled once as the
function ``(seed, *parameters) -> draws`` (the key is made from the seed inside the program, as
``numpyro.handlers.seed(rng_seed=seed)`` does; the parameters and transform arguments are inputs,
so one executable serves every value), serialized with jax's ahead-of-time API
(``jax.experimental.serialize_executable``) and stored under a key made of everything that
determines the program. Later runs load it and call it (tens of milliseconds). The program is the one
``jax.jit`` builds, so the draws are the same bytes whether the executable was loaded or built.

The key: the program's structure (family, parameter names, the arguments' dtypes and shapes,
transform names; not the values), n, the jax,
jaxlib and numpyro versions, the backend and its platform version, the jax settings that change
the random bits (float64, the PRNG and its partitionable mode) and ``XLA_FLAGS``, the host CPU's
feature flags and a hash of the priorcli sources that build the distribution. The files are
pickles (jax's format): loading one runs whatever code it names. So the directories are created
private (0700), the files 0600, and a file is loaded only while the cache's directories and the file
itself are the user's own and private (``priorcli.cachedirs``, as ssh checks its keys); otherwise the
store is not used for the run, with a warning. Anything unexpected while loading
or storing (an old or truncated file, a jax that cannot serialize the program) falls back to the
ordinary compiled sampler; a file that fails to load or run is removed. ``PRIORCLI_NO_CACHE`` turns the
store off like jax's cache (``PRIORCLI_NO_SAMPLER_CACHE`` this store alone); at most MAX_ENTRIES
executables and MAX_BYTES are kept (least recently used go).

Within one process the programs are also kept in memory (``RECENT``, at most MEMORY_ENTRIES, least
recently used go), under the same key and the jax settings of the moment: a script that calls
``priorcli.sample`` a thousand times, or the CLI run in-process again and again, then neither traces,
lowers nor loads the same sampler again, whether or not the store on disk is used. It is the same
program object, so the same bytes.
"""

from __future__ import annotations

import functools
import hashlib
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Callable

import numpy as np

MAX_ENTRIES = 256  # executables kept at most (least recently used go) ...
MAX_BYTES = 64 << 20  # ... and at most this many bytes of them (one is 100-300 kB)
SUFFIX = ".xla"
# Paths loaded and compiled in this process, in order (what tests count; a few per run).
LOADS: list[str] = []
COMPILES: list[str] = []
MEMORY_ENTRIES = 32  # programs kept in memory per process (see Recent)


class Recent:
    """The last ``size`` programs used in this process, by key (least recently used go).

    Module-level state, but neither a setting nor anything a caller sees: its entries are compiled
    executables (or jitted functions of one fixed signature) that never change once made, looked up
    by everything that determines them, so a hit returns what a rebuild would make and the only
    effect is time. Bounded, as a long-running script may sample many structures (an entry holds one
    executable, a few hundred kB to a few MB). ``size`` 0 keeps nothing (the disk store's tests)."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()  # programs are built in interruptible's worker threads
        self.hits = 0

    def get(self, key):
        with self._lock:
            program = self._entries.get(key)
            if program is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            return program

    def put(self, key, program) -> None:
        with self._lock:
            self._entries[key] = program
            self._entries.move_to_end(key)
            while len(self._entries) > max(self.size, 0):
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


RECENT = Recent(MEMORY_ENTRIES)


def cache_dir() -> str | None:
    """Where compiled samplers are kept: beside jax's cache; None when caching is off
    (PRIORCLI_NO_CACHE, or PRIORCLI_NO_SAMPLER_CACHE for this store alone)."""
    from priorcli.families.registry import cache_directories, compilation_cache_dir

    if os.environ.get("PRIORCLI_NO_SAMPLER_CACHE"):
        return None
    jax_dir = compilation_cache_dir()
    return None if jax_dir is None else cache_directories(jax_dir)[-1]


def _usable_directory() -> str | None:
    """The store's directory when it may be read in this run: it, jax's cache beside it and their
    parent are the user's own and private (priorcli.cachedirs; one warning otherwise)."""
    from priorcli import cachedirs
    from priorcli.families.registry import cache_directories, compilation_cache_dir

    directory = cache_dir()
    if directory is None:
        return None
    jax_dir = compilation_cache_dir()
    directories = cache_directories(jax_dir) if jax_dir is not None else []
    if not directories or directories[-1] != directory:  # the store put elsewhere (tests do)
        directories = [os.path.dirname(os.path.abspath(directory)), directory]
    return directory if cachedirs.trusted(directories, "priorcli's cache") else None


def interruptible(function: Callable, *args):
    """``function(*args)`` in a worker thread, the main thread waiting in short steps.

    jax's compilation and the wait for a running program are native calls, and Python runs its
    SIGINT handler (priorcli.cli's: clean up, exit 130) only between bytecodes of the main thread:
    a 30 s compilation would ignore Ctrl-C for 30 s. The worker blocks SIGINT (so do the threads
    jax starts from it), so the signal reaches the main thread, whose wait it interrupts."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return function(*args)
    outcome: dict[str, object] = {}

    def work():
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            outcome["value"] = function(*args)
        except BaseException as exc:  # handed to the main thread
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="priorcli-sampler", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.05)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def draw_single_chunk(spec, size: int, seed: int, build: Callable[[], Callable], sources: tuple[str, ...],
                      arguments: tuple[np.ndarray, ...] = ()) -> np.ndarray:
    """``size`` draws of ``spec`` for ``seed``, as float64 (in a worker thread: see interruptible).

    ``build()`` returns the function to compile: it takes the seed as an int64 scalar, then
    ``arguments`` (the parameter values, numpy arrays); it is only traced when no stored
    executable fits. The key holds the arguments' dtypes and shapes, not their values.
    ``sources``: the files of the code that builds it (their contents are part of the key)."""
    arguments = tuple(arguments)
    _, draws = interruptible(stored_program, spec, size, build, sources, (np.int64(0),), arguments, "",
                             lambda program: _run(program, (np.int64(seed),), arguments))
    return draws


def stored_program(spec, size: int, build: Callable[[], Callable], sources: tuple[str, ...],
                   leading: tuple, arguments: tuple[np.ndarray, ...], kind: str, first: Callable):
    """``(program, first(program))``: the compiled ``build()``, loaded from the store when it holds
    it, else compiled (and stored). ``program`` takes ``leading`` (example values: their dtypes
    and shapes) and then ``arguments``; ``kind`` names a program with other leading inputs than
    the single chunk's seed (part of the key). ``first`` is the first call, which must return a
    result computed to the end: a stored program that fails in it is removed and rebuilt.

    A program used before in this process with the same key is taken from RECENT (after the store's
    directory is checked, so its warnings are those of every run)."""
    directory = _usable_directory()
    memory = _memory_key(spec, size, sources, arguments, kind)
    program = RECENT.get(memory)
    if program is not None:
        return program, first(program)
    program, result = _loaded_or_built(spec, size, build, sources, leading, arguments, kind, first, directory)
    RECENT.put(memory, program)  # only once its first run succeeded
    return program, result


def _memory_key(spec, size: int, sources: tuple[str, ...], arguments: tuple[np.ndarray, ...], kind: str) -> tuple:
    """RECENT's key: the store's, and the jax settings that change the program as they are now
    (the store's key reads them once per process, _environment being memoised)."""
    import jax

    return (_key(spec, size, sources, arguments, kind), bool(jax.config.jax_enable_x64),
            str(jax.config.jax_default_prng_impl), bool(jax.config.jax_threefry_partitionable))


def _loaded_or_built(spec, size: int, build: Callable[[], Callable], sources: tuple[str, ...], leading: tuple,
                     arguments: tuple[np.ndarray, ...], kind: str, first: Callable, directory: str | None):
    """stored_program without RECENT: ``directory`` is the store's (None: not used)."""
    import jax

    if directory is None:
        program = jax.jit(build())
        return program, first(program)
    path = os.path.join(directory, _key(spec, size, sources, arguments, kind) + SUFFIX)
    payload = _read(path)
    if payload is False:  # not the user's own private file: leave it, and the store, alone
        program = jax.jit(build())
        return program, first(program)
    if payload is not None:
        try:
            program = _deserialize(payload, leading, arguments)
            result = first(program)
            LOADS.append(path)
            return program, result
        except Exception:  # stale, damaged, or cannot run here: rebuild it
            _remove(path)
    # Compiled without jax's own cache: an executable that came from that cache serializes without
    # its code. Its copy runs in the process that loaded the original (which holds the code) and
    # fails in every later one, so it could not even be checked here.
    executable = _compile_without_jax_cache(jax.jit(build()).lower(*leading, *arguments))
    COMPILES.append(path)
    payload = _serialize(executable, leading, arguments)
    if payload is not None:
        _write(path, payload, directory)
    return executable, first(executable)


def _run(function, leading: tuple, arguments: tuple[np.ndarray, ...]) -> np.ndarray:
    return np.asarray(function(*leading, *arguments), dtype=np.float64)


def _compile_without_jax_cache(lowered):
    import jax

    # jax decides once per process whether its cache is used (compilation_cache.is_cache_used
    # memoises it), so after any earlier compilation the setting alone no longer keeps the cache
    # out: the memo is held at "not used" too, where this jax has it.
    try:
        from jax._src import compilation_cache as cache

        memo = (cache._cache_checked, cache._cache_used)
    except (ImportError, AttributeError):
        cache = memo = None
    enabled = jax.config.jax_enable_compilation_cache
    jax.config.update("jax_enable_compilation_cache", False)
    if cache is not None:
        cache._cache_checked, cache._cache_used = True, False
    try:
        return lowered.compile()
    finally:
        if cache is not None:
            cache._cache_checked, cache._cache_used = memo
        jax.config.update("jax_enable_compilation_cache", enabled)


def _trees(leading: tuple, arguments: tuple[np.ndarray, ...]):
    import jax

    inputs = ((*leading, *arguments), {})
    return jax.tree_util.tree_structure(inputs), jax.tree_util.tree_structure(np.zeros(1))


def _read(path: str) -> bytes | None | bool:
    """The stored executable; None when there is none, False when the file must not be loaded."""
    from priorcli import cachedirs

    payload = cachedirs.read_private(path, "the compiled-sampler store")
    if payload is None:
        return False if os.path.lexists(path) else None
    try:
        os.utime(path)  # recently used: kept by the pruning in _write
    except OSError:
        pass
    return payload


def _deserialize(payload: bytes, leading: tuple, arguments: tuple[np.ndarray, ...]):
    from jax.experimental.serialize_executable import deserialize_and_load

    in_tree, out_tree = _trees(leading, arguments)
    return deserialize_and_load(payload, in_tree, out_tree)


def _serialize(executable, leading: tuple, arguments: tuple[np.ndarray, ...]) -> bytes | None:
    """The executable as bytes, or None when jax cannot serialize it."""
    try:
        from jax.experimental.serialize_executable import serialize

        payload, in_tree, out_tree = serialize(executable)
    except Exception:
        return None
    return payload if (in_tree, out_tree) == _trees(leading, arguments) else None  # only what _deserialize rebuilds


def _write(path: str, payload: bytes, directory: str) -> None:
    from priorcli import cachedirs

    try:
        cachedirs.write_private(path, payload)
        _prune(directory)
    except OSError:  # a read-only or full cache: sample all the same
        return


def _prune(directory: str) -> None:
    """Least recently used first, remove executables until at most MAX_ENTRIES remain, together at
    most MAX_BYTES."""
    entries = []
    for name in os.listdir(directory):
        if name.endswith(SUFFIX):
            try:
                info = os.stat(os.path.join(directory, name))
            except OSError:
                continue
            entries.append((info.st_mtime, info.st_size, os.path.join(directory, name)))
    entries.sort()
    total = sum(size for _, size, _ in entries)
    for count, (_, size, stale) in zip(range(len(entries), 0, -1), entries):
        if count <= MAX_ENTRIES and total <= MAX_BYTES:
            return
        _remove(stale)
        total -= size


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


def _key(spec, size: int, sources: tuple[str, ...], arguments: tuple[np.ndarray, ...], kind: str = "") -> str:
    """The program's structure, not its parameter values: the family, the parameters' names, the
    transforms' names, the arguments' dtypes and shapes (a Dirichlet of 3 components is another
    program than one of 4), n, the kind of program (a single chunk's ``""``, or one chunk of a
    streamed sample's) and the environment."""
    parts = [
        _environment(sources),
        spec.family.name,
        repr(sorted(spec.params)),
        repr(tuple((t.name, len(t.args)) for t in spec.transforms)),
        repr(tuple((np.asarray(a).dtype.str, np.shape(a)) for a in arguments)),
        str(size),
    ] + ([kind] if kind else []) + ([] if getattr(spec, "truncate", None) is None else
                                    ["truncated " + repr((spec.truncate.low is None, spec.truncate.high is None))])
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:40]


@functools.lru_cache(maxsize=8)
def _environment(sources: tuple[str, ...]) -> str:
    """Everything besides the distribution that decides the compiled program and where it runs."""
    import jax
    import jaxlib

    from priorcli.families.cache import installed_version as _installed_version

    backend = jax.devices()[0].client
    digest = hashlib.sha256()
    for source in sources:
        digest.update(Path(source).read_bytes())
    settings = [str(jax.config.jax_enable_x64), str(jax.config.jax_default_prng_impl),
                str(jax.config.jax_threefry_partitionable), os.environ.get("XLA_FLAGS", "")]  # bits and code
    return "\n".join([
        jax.__version__, jaxlib.__version__, _numpyro_version(_installed_version), backend.platform, backend.platform_version,
        *settings, _cpu_flags(), digest.hexdigest(),
    ])


def _numpyro_version(installed) -> str:
    """numpyro's installed version, read without importing it (a stored sampler runs without numpyro)."""
    version = installed("numpyro")
    if version is None:  # not found on sys.path as a distribution: ask the module
        import numpyro

        version = numpyro.__version__
    return version


def _cpu_flags() -> str:
    """The host CPU's feature flags: an executable built for one CPU must not run on another."""
    import platform

    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith(("flags", "Features")):
                    return platform.machine() + ":" + line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine() + ":" + platform.processor()
