"""The runner's half of tests/script_runner.py: a process that has imported numpy, jax, numpyro and
PyMC, runs one program at a time as ``python SCRIPT`` would and puts back what the program changed
(see script_runner's docstring). Requests and replies are pickled dicts on two pipes."""

from __future__ import annotations

import builtins
import contextlib
import gc
import importlib
import importlib.machinery
import logging
import os
import random
import signal
import site
import sys
import sysconfig
import traceback
import types
import warnings
from multiprocessing.connection import Connection

# Libraries whose state a program can change and the runner puts back: one imported by a program
# (not preloaded) has no state to go back to, so the runner is replaced after that program.
STATEFUL = ("numpy", "jax", "pytensor")
# jax settings that only take effect when its backend starts (the runner's has): a program that
# changes one runs again in a fresh interpreter.
BACKEND_CONFIG = ("jax_platforms", "jax_platform_name", "jax_num_cpu_devices")
SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGALRM", "SIGHUP", "SIGUSR1", "SIGUSR2",
                                                    "SIGCHLD", "SIGPIPE") if hasattr(signal, name))
MAX_RSS_BYTES = 2 << 30


def serve(read_fd: int, write_fd: int, preload, jax_cache: str = ""):
    _die_with_parent()
    inbox, outbox = Connection(read_fd, writable=False), Connection(write_fd, readable=False)
    if jax_cache and "jax" in preload:
        _use_jax_cache(jax_cache)
    loaded = _preload(preload)
    home = os.getcwd()
    gc.collect()
    gc.freeze()  # the libraries' objects: a collection after each program looks only at its own
    state = _State()
    quiet, log = os.open(os.devnull, os.O_WRONLY), os.dup(2)
    outbox.send({"op": "ready", "pid": os.getpid(), "loaded": loaded, "environ": dict(os.environ)})
    while True:
        try:
            request = inbox.recv()
        except EOFError:
            break
        if request.get("op") != "run":
            break
        outbox.send({"op": "started"})
        outbox.send(_handle(request, state, home, quiet, log))
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # jax's and pytensor's teardown would only cost time


def _handle(request, state, home, quiet, log) -> dict:
    """The reply: the exit code, whether the program must run again fresh, whether the runner must
    be replaced. A failure of the runner's own (not the program's) asks for both."""
    try:
        returncode = _run(request, state, quiet, log)
        fresh = state.needs_fresh(request["env"])
    except Exception:
        traceback.print_exc()
        returncode, fresh = None, True
    try:
        restored = state.restore(home)
    except Exception:
        traceback.print_exc()
        restored = False
    return {"returncode": returncode, "fresh": fresh, "restart": not restored or _rss() > MAX_RSS_BYTES}


def _die_with_parent():
    """The runner goes when the test process does (Linux: PR_SET_PDEATHSIG), even mid-program."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def _use_jax_cache(directory: str) -> None:
    """The test session's jax cache for the programs run here, set before anything compiles (jax
    reads the setting once, at its first compilation): most of an emitted numpyro program's time is
    XLA compiling the same operations every run. An entry read is the executable a compilation
    would make, so a program's output is the same; entries are written whole, as priorcli's."""
    from priorcli.families import jax_cache

    jax_cache.use(directory)


def _preload(names) -> list[str]:
    loaded = []
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
        loaded.append(name)
    if "jax" in loaded:
        import jax

        jax.devices()  # the backend starts now, the same for every program
    if "numpyro.infer" in loaded:
        import jax
        import numpyro
        import numpyro.distributions as dist

        numpyro.infer.Predictive(lambda: numpyro.sample("x", dist.Normal()), num_samples=2)(jax.random.PRNGKey(0))
    if "pymc" in loaded:
        import pymc as pm

        with pm.Model():
            pm.Normal("x")
            pm.sample_prior_predictive(draws=2, random_seed=0)
    return loaded


def _run(request, state, quiet, log) -> int:
    """The program's exit code; its output goes to the request's files."""
    script, cwd, env = request["script"], request["cwd"], request["env"]
    path = os.path.abspath(os.path.join(cwd, script))
    with _captured(request["stdout"], request["stderr"], quiet, log):
        try:
            os.chdir(cwd)
        except OSError as exc:
            print(f"{sys.executable}: can't change to {cwd!r}: {exc}", file=sys.stderr)
            return 2
        os.environ.clear()
        os.environ.update(env)
        sys.argv = [script]
        pythonpath = [os.path.abspath(p) for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
        sys.path[:] = [os.path.dirname(path), *pythonpath, *state.path]
        return _execute(path, script)


def _execute(path, script) -> int:
    try:
        with open(path, "rb") as handle:
            code = compile(handle.read(), path, "exec", dont_inherit=True)
    except OSError as exc:
        print(f"{sys.executable}: can't open file {path!r}: [Errno {exc.errno}] {exc.strerror}", file=sys.stderr)
        return 2
    except (SyntaxError, ValueError) as exc:
        traceback.print_exception(type(exc), exc, None)
        return 1
    main = types.ModuleType("__main__")
    main.__dict__.update(__file__=path, __cached__=None, __builtins__=builtins, __spec__=None,
                         __loader__=importlib.machinery.SourceFileLoader("__main__", path))
    runner_main, sys.modules["__main__"] = sys.modules["__main__"], main
    try:
        exec(code, main.__dict__)
        return 0
    except SystemExit as exc:
        return _exit_code(exc.code)
    except BaseException as exc:  # as the interpreter reports it: the program's frames, then exit 1
        traceback.print_exception(type(exc), exc, exc.__traceback__.tb_next)
        return -signal.SIGINT if isinstance(exc, KeyboardInterrupt) else 1
    finally:
        sys.modules["__main__"] = runner_main
        main.__dict__.clear()


def _exit_code(code) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF  # what the parent sees of exit(n)
    print(code, file=sys.stderr)
    return 1


@contextlib.contextmanager
def _captured(stdout, stderr, quiet, log):
    """File descriptors 1 and 2 on the files while the program runs (so its libraries' loggers and
    C code are captured too), then back on /dev/null and the runner's log."""
    streams = (sys.stdin, sys.stdout, sys.stderr)
    for stream in streams[1:]:
        stream.flush()
    for fd, name in ((1, stdout), (2, stderr)):
        handle = os.open(name, os.O_WRONLY | os.O_TRUNC | os.O_CREAT, 0o600)
        os.dup2(handle, fd)
        os.close(handle)
    try:
        yield
    finally:
        for stream in (sys.stdout, sys.stderr, *streams[1:]):
            with contextlib.suppress(Exception):
                stream.flush()
        _flush_c_stdio()
        sys.stdin, sys.stdout, sys.stderr = streams
        os.dup2(quiet, 1)
        os.dup2(log, 2)


def _flush_c_stdio():
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None).fflush(None)


def _rss() -> int:
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _library_roots() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    roots = {paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths}
    roots |= set(site.getsitepackages()) | {site.getusersitepackages()}
    return tuple(os.path.join(os.path.realpath(r), "") for r in roots)


def _outside(module, roots) -> bool:
    """A module that came from a file outside the installed libraries (a program's helper, priorcli)."""
    where = getattr(module, "__file__", None)
    paths = [where] if where else list(getattr(module, "__path__", None) or [])
    return any(isinstance(p, str) and not os.path.realpath(p).startswith(roots) for p in paths)


class _State:
    """What the runner looked like before any program, and how to put it back."""

    def __init__(self):
        self.modules = set(sys.modules)
        self.own_path = list(sys.path)
        self.path = sys.path[1:]  # without the runner's own directory
        self.importer_cache = set(sys.path_importer_cache)
        self.environ = dict(os.environ)
        self.argv = list(sys.argv)
        self.filters = list(warnings.filters)
        self.showwarning = warnings.showwarning
        self.hooks = (sys.excepthook, sys.displayhook, sys.breakpointhook, sys.unraisablehook)
        self.recursion = sys.getrecursionlimit()
        self.signals = {s: signal.getsignal(s) for s in SIGNALS}
        self.logging = _logging_state()
        self.roots = _library_roots()
        self.libraries = _library_state()

    def needs_fresh(self, env) -> bool:
        """Whether the program changed what only a starting interpreter honours."""
        if os.environ.get("XLA_FLAGS") != env.get("XLA_FLAGS"):
            return True
        jax = sys.modules.get("jax")
        if jax is None or "jax" not in self.libraries:
            return False
        values, before = jax.config.values, self.libraries["jax"]
        return any(values.get(k) != before.get(k) and values.get(k) != jax.default_backend()
                   for k in BACKEND_CONFIG if k in before)

    def restore(self, home) -> bool:
        """Put everything back; False when something could not be (the runner is then replaced)."""
        os.chdir(home)
        os.environ.clear()
        os.environ.update(self.environ)
        sys.argv = list(self.argv)
        sys.path[:] = self.own_path
        for name in [n for n in sys.modules if n not in self.modules]:
            if _outside(sys.modules[name], self.roots):
                del sys.modules[name]
        for key in [k for k in sys.path_importer_cache if k not in self.importer_cache]:
            del sys.path_importer_cache[key]
        importlib.invalidate_caches()
        warnings.filters[:] = self.filters
        warnings.onceregistry.clear()
        warnings._filters_mutated()  # forget which warnings were shown: the next program sees them again
        warnings.showwarning = self.showwarning
        sys.excepthook, sys.displayhook, sys.breakpointhook, sys.unraisablehook = self.hooks
        sys.setrecursionlimit(self.recursion)
        signal.setitimer(signal.ITIMER_REAL, 0)
        for number, handler in self.signals.items():
            with contextlib.suppress(TypeError, ValueError, OSError):
                signal.signal(number, handler)
        _restore_logging(self.logging)
        random.seed()
        gc.enable()
        ok = _restore_libraries(self.libraries) and all(n in self.libraries for n in STATEFUL if n in sys.modules)
        gc.collect()
        return ok


def _logging_state():
    loggers = [logging.root, *(x for x in logging.Logger.manager.loggerDict.values() if isinstance(x, logging.Logger))]
    return logging.root.manager.disable, [(x, x.level, list(x.handlers), x.propagate, x.disabled) for x in loggers]


def _restore_logging(state):
    disable, loggers = state
    logging.disable(disable)
    for logger, level, handlers, propagate, disabled in loggers:
        logger.setLevel(level)
        logger.handlers[:] = handlers
        logger.propagate, logger.disabled = propagate, disabled


def _library_state() -> dict:
    state = {}
    if "numpy" in sys.modules:
        import numpy as np

        state["numpy"] = (np.get_printoptions(), np.geterr())
    if "jax" in sys.modules:
        import jax

        state["jax"] = dict(jax.config.values)
    if "pytensor" in sys.modules:
        import pytensor

        params = pytensor.config._config_var_dict
        state["pytensor"] = {name: p.val for name, p in params.items() if hasattr(p, "val")}
    return state


def _restore_libraries(state) -> bool:
    ok = True
    if "numpy" in state:
        import numpy as np

        printoptions, errors = state["numpy"]
        np.set_printoptions(**printoptions)
        np.seterr(**errors)
        np.random.seed()  # from entropy, as in a new interpreter
    if "jax" in state:
        ok &= _restore_jax(state["jax"])
    if "pytensor" in state:
        ok &= _restore_pytensor(state["pytensor"])
    numpyro = sys.modules.get("numpyro.primitives")
    if numpyro is not None:
        numpyro._PYRO_STACK.clear()
    pymc = sys.modules.get("pymc.model.core")
    if pymc is not None:
        pymc.MODEL_MANAGER.active_contexts.clear()
    return ok


def _restore_jax(before) -> bool:
    import jax

    ok = True
    for name, value in jax.config.values.items():
        if name in before and value != before[name]:
            try:
                jax.config.update(name, before[name])
            except Exception:
                ok = False
    return ok


def _restore_pytensor(before) -> bool:
    import pytensor

    ok = True
    for name, param in pytensor.config._config_var_dict.items():
        if name in before and getattr(param, "val", before[name]) != before[name]:
            if param.mutable:
                param.val = before[name]
            else:
                ok = False
    return ok
