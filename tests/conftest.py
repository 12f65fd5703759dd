"""Stable output for CLI tests: fixed terminal width, no colour, no debug tracebacks."""

from __future__ import annotations

import ast
import compileall
import contextlib
import functools
import gc
import json
import os
import py_compile
import shutil
import subprocess
import sys
import tempfile
from unittest import mock

import pytest
import typer.main
import typer.testing
from typer.testing import CliRunner

import priorcli
import stan_support
from priorcli.cli import app

# The cyclic garbage collector, less often in the test processes (the controller and xdist's
# workers): a worker holds over a million objects (jax's, PyMC's, the collected tests), which each
# full collection walks; at Python's default thresholds (700, 10, 10) that was ~4 CPU s of a worker's
# ~50 s in the not-slow run and ~10 s of the slow run. Memory is not at stake: the children the
# tests start (priorcli, emitted programs) keep Python's defaults.
gc.set_threshold(10_000, 20, 20)

SHARE_ENV = "PRIORCLI_TEST_STAN_RESULTS"  # the session's directory for stan_programs' results (pytest_configure)
CACHE_ENV = "PRIORCLI_TEST_SESSION_CACHE"  # the session's jax cache, one for all its processes (pytest_configure)
KEPT_CACHE_ENV = "PRIORCLI_TEST_CACHE"  # where the suite keeps its jax cache across runs, or "fresh"
KEPT_CACHE_LIMIT = 1 << 30


def pytest_configure(config):
    """One directory per test session for stan_support's build locks and the Stan model header it
    can precompile (xdist's workers inherit it from the controller's environment), removed at the
    end; a directory already named in the environment is used and kept (the header is then built
    there, and lasts across runs). And one, always the session's own, where an xdist worker leaves
    the session's Stan results for the other (``stan_programs``). And jax's cache for every process
    of the session (``kept_cache_root``). And priorcli byte-compiled once, before any worker starts
    a child interpreter."""
    if not hasattr(config, "workerinput"):
        byte_compile(os.path.dirname(priorcli.__file__))
        if not os.environ.get(stan_support.PCH_ENV):
            config._stan_pch = os.environ[stan_support.PCH_ENV] = tempfile.mkdtemp(prefix="priorcli-stan-pch-")
            open(os.path.join(config._stan_pch, stan_support.TEMPORARY), "w").close()
        config._stan_share = os.environ[SHARE_ENV] = tempfile.mkdtemp(prefix="priorcli-stan-results-")
        kept = kept_cache_root()
        if kept is None:
            config._session_cache = os.environ[CACHE_ENV] = tempfile.mkdtemp(prefix="priorcli-cache-")  # 0700
        else:
            os.environ[CACHE_ENV] = kept
        # Before any test module imports priorcli: jax's cache directory is fixed once per process,
        # when jax is first configured (often while collecting), so without this the test processes
        # themselves used the real HOME's (XDG_CACHE_HOME's) cache, and only their children the
        # session's, and wrote into the user's cache.
        config._cache_dir_before = os.environ.get("PRIORCLI_CACHE_DIR")
        os.environ["PRIORCLI_CACHE_DIR"] = os.path.join(os.environ[CACHE_ENV], "jax")
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        # jax configured now, not by whichever test or module first asks (a test of the caches
        # asking first would fix this process's cache at its own tmp_path for the session)
        from priorcli.families.registry import configured_jax

        configured_jax()


def kept_cache_root() -> str | None:
    """The suite's own jax cache, kept across runs: ``$PRIORCLI_TEST_CACHE``, else
    ``$XDG_CACHE_HOME/priorcli-tests`` (``~/.cache/priorcli-tests``), never the user's
    ``priorcli`` cache. XLA compiling the suite's ~2,200 distinct programs is about half of its CPU
    on a cold cache; jax keys an entry by the program, jax's version, backend and flags, so an
    entry read is the executable a compilation would make. None (a cache for this session only,
    removed at its end) when PRIORCLI_TEST_CACHE is ``fresh`` or the directory cannot be made
    private (the checks priorcli makes of its own cache's directories). A cache over
    KEPT_CACHE_LIMIT bytes is emptied first (a cold run adds ~35 MB, programs that changed since
    are never read again)."""
    from priorcli import cachedirs
    from priorcli.families.cache import cache_directories

    named = os.environ.get(KEPT_CACHE_ENV, "")
    if named == "fresh":
        return None
    base = os.environ.get("XDG_CACHE_HOME")
    if not named and not base:
        home = os.path.expanduser("~")
        if not os.path.isdir(home):  # as priorcli: no cache made under a HOME that does not exist
            return None
        base = os.path.join(home, ".cache")
    root = os.path.abspath(named or os.path.join(base, "priorcli-tests"))
    jax_dir = os.path.join(root, "jax")
    cachedirs.make_private(jax_dir)
    if not os.path.isdir(jax_dir) or cachedirs.untrusted(cache_directories(jax_dir)) is not None:
        return None
    entries = list(os.scandir(jax_dir))
    if sum(_size(entry) for entry in entries) > KEPT_CACHE_LIMIT:
        for entry in entries:
            with contextlib.suppress(OSError):  # another session's process removed it meanwhile
                os.unlink(entry.path)
    return root


def _size(entry: os.DirEntry) -> int:
    try:
        return entry.stat(follow_symlinks=False).st_size
    except OSError:  # removed meanwhile
        return 0


def byte_compile(package: str) -> bool:
    """Write the package's bytecode in place (``PACKAGE/__pycache__``, ignored by git), once per
    session. These machines set PYTHONDONTWRITEBYTECODE, so otherwise each of the suite's hundreds
    of child interpreters (``python -m priorcli ...``) compiles priorcli from source (~0.12 CPU s
    each). Timestamp pycs (compileall's default; kept so under SOURCE_DATE_EPOCH too): a module
    edited since is recompiled here, and a child reads a pyc only while the source's mtime and size
    are the ones it records, else the source. Not PYTHONPYCACHEPREFIX: under it the children ignore
    site-packages' own pycs and compile numpy and jax from source. A tree that cannot be written
    to runs from source (False)."""
    return compileall.compile_dir(package, quiet=2, workers=1,
                                  invalidation_mode=py_compile.PycInvalidationMode.TIMESTAMP)


def pytest_collection_modifyitems(session, config, items):
    """The modules with tests that need the session's Stan programs (``stan_programs``) first, in
    their order, then the rest: xdist's worksteal hands each worker a contiguous share of this
    order and a worker steals from the end of another's, so one worker builds and runs the programs
    (a minute or more) while the other works through its share, instead of waiting for the results.
    Modules stay whole, so that a module's fixtures are set up once; within one, its tests that need
    the programs come first, so the first test builds them."""
    def needs(item):
        return "stan_programs" in getattr(item, "fixturenames", ())

    order = {module: i for i, module in enumerate(dict.fromkeys(item.module for item in items if needs(item)))}

    def key(item):
        module = getattr(item, "module", None)
        return (0, order[module], not needs(item)) if module in order else (1, 0, False)

    items.sort(key=key)


def pytest_unconfigure(config):
    if hasattr(config, "_cache_dir_before"):
        os.environ.pop("PRIORCLI_CACHE_DIR", None)
        if config._cache_dir_before is not None:
            os.environ["PRIORCLI_CACHE_DIR"] = config._cache_dir_before
        os.environ.pop(CACHE_ENV, None)
    script_runner = sys.modules.get("script_runner")  # the warm Python runner, if a test started it
    if script_runner is not None:
        script_runner.close()
    for name, env in (("_stan_pch", stan_support.PCH_ENV), ("_stan_share", SHARE_ENV), ("_session_cache", CACHE_ENV)):
        directory = getattr(config, name, None)
        if directory:
            os.environ.pop(env, None)
            shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def _session_cache():
    """jax's persistent cache for the session's processes (xdist's workers and the children they
    start), kept across runs (``kept_cache_root``), never the user's own; pytest_configure names it
    in the process xdist's workers inherit their environment from. Shared, since priorcli writes
    an entry whole or not at all (priorcli.families.jax_cache), so a program one worker compiled is
    read by the other (a sixth of a worker's compilations; jax's file lock, which would scan the
    whole directory on every write, is not taken: the cache has no size limit)."""
    return os.path.join(os.environ[CACHE_ENV], "jax")


@pytest.fixture(autouse=True)
def _stable_terminal(monkeypatch, _session_cache):
    _stable_environment(monkeypatch, _session_cache)


@pytest.fixture(scope="session")
def stan_programs(request, tmp_path_factory, _session_cache):
    """The Stan programs (STAN_PROGRAMS) of every module collected, merged, built once and run
    (stan_registry): called with a module's Program, its draws and driver's arrays. xdist's workers
    collect the same programs: the first to get here emits, builds and runs them, and the other
    waits for its results instead of doing it all again."""
    pytest.importorskip("stan", reason="PyStan is in the test extra")
    import stan_registry

    programs = stan_registry.session_programs(request.session)

    def run():
        with pytest.MonkeyPatch.context() as monkeypatch:  # emitted as the tests emit (session scope: before theirs)
            _stable_environment(monkeypatch, _session_cache)
            return stan_registry.run_programs(programs, tmp_path_factory.mktemp("stan_registry"))

    return stan_registry.Results(programs, stan_registry.shared(os.environ.get(SHARE_ENV), programs, run))


def _stable_environment(monkeypatch, _session_cache):
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("PRIORCLI_DEBUG", raising=False)
    # Compiled samplers on disk are tested in test_compiled.py; elsewhere each of the suite's
    # hundreds of distributions would be compiled afresh for the store (jax's cache cannot supply it).
    monkeypatch.setenv("PRIORCLI_NO_SAMPLER_CACHE", "1")
    # Nor the user's jax cache, but the suite's own (tests of the caches point PRIORCLI_CACHE_DIR
    # at their own tmp_path).
    monkeypatch.setenv("PRIORCLI_CACHE_DIR", _session_cache)


@pytest.fixture
def private_cache(tmp_path, monkeypatch):
    """A private (0700) cache root for the tests of the caches: PRIORCLI_CACHE_DIR is ROOT/jax,
    and the compiled samplers and family files go beside it."""
    root = tmp_path / "cache"
    root.mkdir(mode=0o700)
    monkeypatch.setenv("PRIORCLI_CACHE_DIR", str(root / "jax"))
    monkeypatch.delenv("PRIORCLI_NO_CACHE", raising=False)
    return root


@pytest.fixture
def store(private_cache, monkeypatch):
    """The compiled-sampler store switched on in a private cache, with its load and compile records
    emptied and the programs kept in memory left out (each call reads the store, which is what these
    tests check; tests/test_recent_programs.py checks the memory); returns the store's directory."""
    from priorcli.sampling import compiled

    monkeypatch.delenv("PRIORCLI_NO_SAMPLER_CACHE", raising=False)
    monkeypatch.setattr(compiled, "LOADS", [])
    monkeypatch.setattr(compiled, "COMPILES", [])
    monkeypatch.setattr(compiled, "RECENT", compiled.Recent(0))
    return private_cache / "samplers"


@functools.cache
def _app_command(typer_app):
    return typer.main.get_command(typer_app)


@pytest.fixture(autouse=True, scope="session")
def _one_click_command():
    """The click command Typer builds from an app, for every CliRunner of the session (each invoke
    would build it again, ~12 ms of reading annotations, more than many commands take): built once
    per app, the same object a fresh build makes, since an app's commands never change."""
    with mock.patch.object(typer.testing, "_get_command", _app_command):
        yield


class Run:
    """Invoke the app the way a user does, returning exit code, stdout and stderr."""

    def __init__(self):
        self.runner = CliRunner()

    def __call__(self, *args, input=None):
        return self.runner.invoke(app, [str(a) for a in args], input=input)

    def json(self, *args, input=None):
        result = self(*args, "--format", "json", input=input)
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)


@pytest.fixture
def run():
    return Run()


def assert_usage_error(result, *needles, code=2):
    """Exit code, exactly one 'Error:' line on stderr naming the argument, no traceback."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


def packages_after(*argvs, packages, timeout=120) -> tuple[str, list[str]]:
    """Run ``priorcli ARGV`` for each argv in one fresh interpreter (``priorcli.cli.run``, the
    ordinary shutdown); returns its stdout and which of ``packages`` (top-level names) it imported."""
    out, imported = packages_after_each(*argvs, packages=packages, timeout=timeout)
    return out, imported[-1]


def packages_after_each(*argvs, packages, timeout=120) -> tuple[str, list[list[str]]]:
    """As :func:`packages_after`, with which of ``packages`` had been imported after each argv."""
    code = (
        "import sys\n"
        "from priorcli.cli import run\n"
        f"for argv in {[list(a) for a in argvs]!r}:\n"
        "    sys.argv = ['priorcli', *argv]\n"
        "    try:\n        run()\n    except SystemExit:\n        pass\n"
        f"    sys.stderr.write('\\npackages imported: ' + repr(sorted({{m.split('.')[0] for m in sys.modules}} & "
        f"{set(packages)!r})) + '\\n')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    imported = [ast.literal_eval(line.split(": ", 1)[1]) for line in result.stderr.splitlines()
                if line.startswith("packages imported: ")]
    assert len(imported) == len(argvs), result.stderr
    return result.stdout, imported


def complete(shell: str, line: str, env=None):
    """priorcli's answer to the completion script of ``shell`` for the command line ``line``
    (``_PRIORCLI_COMPLETE=complete_SHELL``), in-process: Typer's completion is a code path of the
    app like any command (tests/test_help_completion.py checks that the answers match a real
    process's). ``env``, a whole environment as for subprocess, stands for os.environ meanwhile."""
    request = {"_PRIORCLI_COMPLETE": f"complete_{shell}"}
    if shell == "bash":
        request.update(COMP_WORDS=line, COMP_CWORD=str(len(line.split(" ")) - 1))
    else:
        request.update(_TYPER_COMPLETE_ARGS=line, _TYPER_COMPLETE_FISH_ACTION="get-args")
    env = dict(os.environ if env is None else env, **request)
    changes = {k: v for k, v in env.items() if os.environ.get(k) != v}
    changes.update(dict.fromkeys((k for k in os.environ if k not in env), None))
    return CliRunner().invoke(app, [], env=changes, prog_name="priorcli")
