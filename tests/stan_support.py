"""PyStan in the tests, compiled for the compiler's speed rather than the program's.

httpstan builds each Stan program with the C++ compiler at -O3 with debug information: 30 to 75 s a
program, of which about 20 s is parsing Stan Math's headers, the same headers every time. The
tests' programs draw a few thousand values, so here (inside the fresh interpreter that runs
PyStan: ``prelude()`` starts its script) each program is compiled at -O0 without debug
information, and with GCC the Stan model header is parsed once per test session into a
precompiled header (about 40 s, 0.8 GB in a temporary directory that conftest removes at the end
of the session) that every compilation includes first: 8 to 10 s a program. A compiler that finds
the precompiled header unusable warns (-Winvalid-pch) and reads the real header instead, so the
compiled program is the same C++ either way; only its build is quicker. The modules go into
httpstan's cache as usual (a cached program is not compiled again, and no header is built then).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

PCH_ENV = "PRIORCLI_TEST_STAN_PCH"  # the session's directory for the header (conftest sets it)
FLAGS = ["-O0", "-g0"]  # after httpstan's -O3 and Python's CFLAGS (-g -O3): the last one counts
HEADER = "stan/model/model_header.hpp"  # what every stanc-generated program includes first


def pch_dir() -> str:
    return os.environ.get(PCH_ENV) or str(Path(tempfile.gettempdir()) / f"priorcli-stan-pch-{os.getuid()}")


def prelude() -> str:
    """The first lines of a script that imports stan: quick builds, sharing the session's header."""
    here = str(Path(__file__).resolve().parent)
    return f"import sys\nsys.path.insert(0, {here!r})\nimport stan_support\nstan_support.install({pch_dir()!r})\n"


def install(directory: str) -> None:
    """Make every C++ compilation of a Stan program in this process a quick one (see the module)."""
    import setuptools  # noqa: F401  (first: the distutils below is then setuptools', as httpstan uses)
    from distutils import ccompiler

    spawn = ccompiler.CCompiler.spawn

    def quick_spawn(self, cmd, **kwargs):
        return spawn(self, quick_command(list(cmd), Path(directory), lambda c: spawn(self, c, **kwargs)), **kwargs)

    ccompiler.CCompiler.spawn = quick_spawn
    _one_build_per_program(Path(directory))
    _no_build_timeout()
    _patient_stanc()


def _one_build_per_program(directory: Path) -> None:
    """``stan.build`` waits for a header being built, and a program another process of the session
    is building waits for it and then finds it in httpstan's cache (two xdist workers running one
    module's shared program)."""
    import fcntl
    import hashlib

    import stan

    build = stan.build

    def locked_build(program_code, *args, **kwargs):
        directory.mkdir(parents=True, exist_ok=True)
        # a header being built (start_header_build) is waited for here, before PyStan's request to
        # httpstan starts: that request times out after 5 minutes (aiohttp's default), which a header
        # built inside it on a busy machine has overrun
        with open(directory / "lock", "w") as header:
            fcntl.flock(header, fcntl.LOCK_EX)
        key = hashlib.blake2b(program_code.encode(), digest_size=8).hexdigest()
        with open(directory / f"build-{key}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            return build(program_code, *args, **kwargs)

    stan.build = locked_build


class HeaderBuilt(Exception):
    """Raised by ``build_header`` once the header exists, to stop the build it started."""


def build_header(directory: str) -> None:
    """Build the session's precompiled header and nothing else: httpstan starts building a tiny
    program (in a cache under DIRECTORY, removed with it), whose first C++ compilation builds the
    header (quick_command) and then stops the build."""
    import setuptools  # noqa: F401  (as install)
    from distutils import ccompiler

    spawn = ccompiler.CCompiler.spawn

    def header_only(self, cmd, **kwargs):
        if quick_command(list(cmd), Path(directory), lambda c: spawn(self, c, **kwargs)) != list(cmd):
            raise HeaderBuilt()
        return spawn(self, cmd, **kwargs)

    ccompiler.CCompiler.spawn = header_only
    import stan

    try:
        stan.build("generated quantities {\n  real priorcli_header = 0;\n}\n", data={})
    except Exception:  # noqa: BLE001  (the stopped build: the header is there, or `failed` says why)
        pass


def start_header_build() -> subprocess.Popen | None:
    """Build the header in a background process (its own process group) while other tests run, so
    the first Stan test finds it built instead of building it (about 50 CPU s) while the others
    wait on its lock; None when it is already built or cannot be."""
    import sys

    directory = Path(pch_dir())
    if (directory / "stan_model_header.hpp.gch").exists() or (directory / "failed").exists():
        return None
    here = str(Path(__file__).resolve().parent)
    env = {**os.environ, "XDG_CACHE_HOME": str(directory / "header-build-cache")}
    code = f"import sys\nsys.path.insert(0, {here!r})\nimport stan_support\nstan_support.build_header({str(directory)!r})\n"
    return subprocess.Popen([sys.executable, "-c", code], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _no_build_timeout() -> None:
    """PyStan asks its in-process httpstan server to build a program over aiohttp, whose session
    gives up after 300 s: on a loaded machine (a cold precompiled header, other builds) a build can
    take longer and the test failed with a TimeoutError while the build went on. The tests' own
    subprocess timeouts bound the run instead."""
    import aiohttp

    session_init = aiohttp.ClientSession.__init__

    def patient_init(self, *args, **kwargs):
        kwargs.setdefault("timeout", aiohttp.ClientTimeout(total=None))
        session_init(self, *args, **kwargs)

    aiohttp.ClientSession.__init__ = patient_init


def _patient_stanc() -> None:
    """httpstan gives stanc 1 s to translate a program (and answers a longer one with a 500 that
    PyStan reports as a JSON error): on a busy machine a session's merged program (stan_registry)
    takes longer. Two minutes, as emit_support gives stanc."""
    import types

    import httpstan.compile

    def run(*args, timeout=None, **kwargs):
        return subprocess.run(*args, timeout=max(timeout or 0, 120), **kwargs)

    httpstan.compile.subprocess = types.SimpleNamespace(run=run)


def quick_command(cmd: list[str], directory: Path, run) -> list[str]:
    """distutils compiles with ``COMPILER FLAGS... SOURCE -o OBJECT EXTRA...``: a C++ source gets
    FLAGS and the precompiled header; anything else (the link) runs as it was."""
    if "-o" not in cmd or "-c" not in cmd:
        return cmd
    i = cmd.index("-o")
    if i == 0 or not cmd[i - 1].endswith(".cpp"):
        return cmd
    cmd = [*cmd, *FLAGS]
    stub = directory / "stan_model_header.hpp"
    if _precompiled(stub, lambda out: run([*cmd[:i - 1], "-x", "c++-header", str(stub), "-o", str(out),
                                           *cmd[i + 2:]]), cmd[0]):
        return [*cmd, "-include", str(stub), "-Winvalid-pch"]
    return cmd


def _precompiled(stub: Path, build, compiler: str) -> bool:
    """Build ``stub``'s .gch once (a lock serialises the session's processes); False when it could
    not be (not GCC, or the build failed: the reason is kept in ``failed`` and not tried again)."""
    import fcntl

    gch, failed = stub.with_name(stub.name + ".gch"), stub.with_name("failed")
    stub.parent.mkdir(parents=True, exist_ok=True)
    with open(stub.with_name("lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not gch.exists() and not failed.exists():
            if not _is_gcc(compiler):
                failed.write_text(f"{compiler} is not GCC\n")
            else:
                stub.write_text(f"#include <{HEADER}>\n", encoding="utf-8")
                partial = stub.with_name("partial.gch")
                try:
                    build(partial)
                    partial.replace(gch)
                except Exception as exc:  # noqa: BLE001  (any failure: compile without the header)
                    failed.write_text(f"{exc!r}\n")
    return gch.exists()


def _is_gcc(compiler: str) -> bool:
    try:
        out = subprocess.run([compiler, "--version"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "Free Software Foundation" in out and "clang" not in out.lower()
