"""Run an emitted Python program the way ``python SCRIPT`` does, in a warm interpreter.

Many tests run a program priorcli emitted (``--emit numpyro`` / ``--emit pymc``). A fresh
``python`` pays PyMC's import (pytensor, ~5-6 s) or jax's and numpyro's (~2 s) every time; the
programs themselves take a fraction of that. ``run_python`` hands the program to one runner process
per test process (per xdist worker), started on first use with numpy, jax, numpyro and PyMC already
imported, kept for the session and closed at its end (``close``, called from conftest's
``pytest_unconfigure``, and at exit).

The runner gives each program what a fresh interpreter would: ``__name__ == "__main__"`` in fresh
globals, ``__file__``, ``sys.argv``, ``sys.path[0]`` (the program's directory, then the entries of
its ``PYTHONPATH``), its cwd and environment; file descriptors 1 and 2 go to files, so what the
program, its libraries' loggers and C code write is captured, and its exit code is Python's (an
uncaught exception: its traceback and 1; ``sys.exit(n)``: n; a crash: the signal). Afterwards it
puts back what a program can change and the next one would see: the jax config (``jax_enable_x64``
from ``numpyro.enable_x64``, the platform, ...), the environment (``XLA_FLAGS`` from
``numpyro.set_host_device_count``), PyMC's model context stack, numpyro's handler stack, pytensor's
config, the warnings filters (and their once-only memory), logging's levels and handlers, numpy's
print and error options, the global random seeds (reseeded from entropy, as a new interpreter is),
``sys.path``, ``sys.argv``, the cwd, signal handlers, and drops the modules the program imported
that are not installed libraries (its own helpers, priorcli). Its jax uses the test session's
persistent compilation cache (conftest), as a priorcli process does: a program's eager operations
and jitted functions are then compiled once across programs and runs, not by every program.

Falls back to a fresh ``python`` (the same ``subprocess.CompletedProcess``) when a warm run could
differ: ``fresh=True`` (a test about the fresh interpreter itself), an environment whose import-time
variables (``JAX_*``, ``XLA_*``, ``PYTENSOR*``, ``PYTHON*``, thread counts, ...) are not the
runner's, or a program that changed what only takes effect before jax starts (``XLA_FLAGS``, the
platform) -- that program is run again fresh. A program over its timeout is killed with the runner
(its process group), ``subprocess.TimeoutExpired`` is raised as ``subprocess.run`` raises it, and
the next program gets a new runner; so does one after a runner that crashed or whose state could
not be put back. There is never more than one runner per test process.

Not reproduced: ``atexit`` handlers a program registers do not run, and threads it leaves running
are not joined.
"""

from __future__ import annotations

import atexit
import contextlib
import locale
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from multiprocessing.connection import Connection

# Variables read when the interpreter or a library starts: a program whose environment differs from
# the runner's in these runs in a fresh interpreter.
IMPORT_TIME_ENV = ("JAX_", "XLA_", "TF_", "PYTENSOR", "NUMPYRO", "PYTHON", "OMP_", "MKL_", "OPENBLAS_",
                   "CUDA", "LD_", "MALLOC", "LC_", "LANG")
STARTUP_TIMEOUT = 600

PRELOAD = ("numpy", "scipy.stats", "scipy.special", "jax", "jax.numpy", "numpyro", "numpyro.distributions",
           "numpyro.infer", "pytensor", "pytensor.tensor", "pymc")
# The runner's environment: the test process's at import (before any test's monkeypatch), without
# what the tests strip from their programs' environments; each program gets its own on top.
_LAUNCH_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_", "PRIORCLI_")) and k != "PYTHONPATH"}
STATS = {"starts": 0, "warm": 0, "fresh": 0}  # the session runner's processes started, programs run
_LOCK = threading.Lock()
_RUNNER = None


def run_python(script, *, cwd, env=None, timeout=None, fresh=False) -> subprocess.CompletedProcess:
    """``subprocess.run([sys.executable, script], cwd=cwd, env=env, capture_output=True, text=True,
    timeout=timeout)``, warm where that cannot differ (see the module's docstring)."""
    script, cwd = str(script), str(cwd)
    env = dict(os.environ if env is None else env)
    if not fresh:
        with _LOCK:
            done = runner().run(script, cwd, env, timeout)
        if done is not None:
            STATS["warm"] += 1
            return done
    STATS["fresh"] += 1
    return subprocess.run([sys.executable, script], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def runner() -> Runner:
    """This process's one runner (its process starts with the first program; a forked child gets
    its own rather than sharing its parent's pipes)."""
    global _RUNNER
    if _RUNNER is None or _RUNNER.owner != os.getpid():
        _RUNNER = Runner()
    return _RUNNER


def close():
    """Stop this process's runner (a forked child leaves its parent's alone). With
    PRIORCLI_TEST_SCRIPT_RUNNER_STATS=FILE, appends this process's counts (runner processes started,
    programs run warm and fresh) to FILE as a JSON line."""
    with _LOCK:
        if _RUNNER is not None and _RUNNER.owner == os.getpid():
            _RUNNER.stop()
        record = os.environ.get("PRIORCLI_TEST_SCRIPT_RUNNER_STATS")
        if record and any(STATS.values()):
            import json

            with open(record, "a", encoding="utf-8") as handle:
                handle.write(json.dumps({"pid": os.getpid(), **STATS}) + "\n")
            STATS.update(dict.fromkeys(STATS, 0))


atexit.register(close)


def _session_jax_cache() -> str:
    """The test session's jax cache (conftest's ``kept_cache_root``), which the runner's programs
    compile into and read from; empty outside a session."""
    root = os.environ.get("PRIORCLI_TEST_SESSION_CACHE")
    return os.path.join(root, "jax") if root else ""


def _import_time(env) -> dict:
    return {k: v for k, v in env.items() if k.startswith(IMPORT_TIME_ENV) and k != "PYTHONPATH"}


def _text(data: bytes) -> str:
    """Bytes a program wrote, decoded as ``subprocess.run(text=True)`` decodes them."""
    return data.decode(locale.getpreferredencoding(False)).replace("\r\n", "\n").replace("\r", "\n")


class Runner:
    """The client's end of one runner: at most one live process (started when a program comes and
    none is alive, so a killed or crashed one is replaced, never left behind), its two pipes and
    the files its programs write to."""

    def __init__(self, preload=PRELOAD, env=None):
        self.owner, self.preload, self.env = os.getpid(), tuple(preload), dict(_LAUNCH_ENV if env is None else env)
        self.jax_cache = _session_jax_cache()
        self.proc = self.send = self.recv = self.dir = None
        self.started_env = {}
        self.starts = 0

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.alive() else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _start(self):
        self.stop()
        self.dir = tempfile.mkdtemp(prefix="priorcli-script-runner-")
        self.out, self.err, log = (os.path.join(self.dir, name) for name in ("stdout", "stderr", "runner.log"))
        to_child, from_parent = os.pipe()[::-1]
        from_child, to_parent = os.pipe()
        with open(log, "wb") as stderr:
            self.proc = subprocess.Popen(
                [sys.executable, os.path.abspath(__file__), "--serve", str(from_parent), str(to_parent),
                 ",".join(self.preload), self.jax_cache],
                pass_fds=(from_parent, to_parent), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=stderr, cwd=self.dir, env=self.env, start_new_session=True)
        os.close(from_parent)
        os.close(to_parent)
        self.send = Connection(to_child, readable=False)
        self.recv = Connection(from_child, writable=False)
        self.starts += 1
        if self is _RUNNER:
            STATS["starts"] += 1
        try:
            if not self.recv.poll(STARTUP_TIMEOUT):
                raise RuntimeError(f"the script runner did not start in {STARTUP_TIMEOUT} s")
            # the environment its libraries started in (jax sets TF_CPP_MIN_LOG_LEVEL if unset, say)
            self.started_env = _import_time(self.recv.recv()["environ"])
        except (EOFError, OSError, RuntimeError) as exc:
            said = _read(log)
            self.stop()
            raise RuntimeError(f"the script runner failed to start: {exc!r}\n{said}") from exc

    def run(self, script, cwd, env, timeout):
        """The finished program, or None when it must run fresh; the process dies (and the next
        program gets a new one) when the program times out or crashes it or leaves it unfit."""
        args = [sys.executable, script]
        if not self.alive():
            self._start()
        if not self._same_start(env):
            return None
        try:
            self._submit({"op": "run", "script": script, "cwd": cwd, "env": env})
            if not self.recv.poll(timeout):
                output, errors = self._output(self.out), self._output(self.err)
                self.stop(graceful=False)
                raise subprocess.TimeoutExpired(args, timeout, output=output, stderr=errors)
            reply = self.recv.recv()
        except (EOFError, OSError):  # the program took the runner down with it
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=10)
            output, errors, proc = self._output(self.out), self._output(self.err), self.proc
            self.stop()
            return subprocess.CompletedProcess(args, proc.returncode, output, errors)
        except subprocess.TimeoutExpired:
            raise
        except BaseException:  # Ctrl-C while waiting: the runner's state is unknown
            self.stop(graceful=False)
            raise
        done = None if reply["fresh"] else subprocess.CompletedProcess(
            args, reply["returncode"], self._output(self.out), self._output(self.err))
        if reply["restart"]:
            self.stop()
        return done

    def _same_start(self, env) -> bool:
        """Whether the program's libraries would start as the runner's did: each start-up variable
        as the runner had it, or unset where the runner's was unset and a library set it (jax's
        TF_CPP_MIN_LOG_LEVEL), or with the value the library set."""
        launch, program = _import_time(self.env), _import_time(env)
        return all(program.get(k) == launch.get(k)
                   or (k not in launch and program.get(k) in (None, self.started_env.get(k)))
                   for k in {*launch, *program, *self.started_env})

    def _submit(self, request):
        """Send the program to a live process, starting one (again, if the one there died between
        programs: this program has not started) as needed."""
        for attempt in (1, 2):
            if not self.alive():
                self._start()
            for name in (self.out, self.err):
                open(name, "wb").close()
            try:
                self.send.send({**request, "stdout": self.out, "stderr": self.err})
                if self.recv.poll(STARTUP_TIMEOUT) and self.recv.recv() == {"op": "started"}:
                    return
                raise OSError("the runner did not take the program")
            except (OSError, EOFError):
                if attempt == 2:
                    raise
                self.stop(graceful=False)

    @staticmethod
    def _output(name) -> str:
        return _text(_read(name, binary=True))

    def stop(self, graceful=True):
        """Ask the process to leave (when ``graceful``, i.e. it is between programs), kill its process
        group if it does not, and reap it."""
        if graceful and self.alive():
            try:
                self.send.send({"op": "exit"})
                self.proc.wait(timeout=5)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                pass
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        for conn in (self.send, self.recv):
            if conn is not None:
                conn.close()
        self.send = self.recv = None
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


def _read(name, binary=False):
    try:
        with open(name, "rb") as handle:
            data = handle.read()
    except OSError:
        data = b""
    return data if binary else data.decode("utf-8", "replace")


if __name__ == "__main__" and sys.argv[1:2] == ["--serve"]:
    from script_runner_server import serve  # the server half, beside this file

    serve(int(sys.argv[2]), int(sys.argv[3]), [name for name in sys.argv[4].split(",") if name], sys.argv[5])
