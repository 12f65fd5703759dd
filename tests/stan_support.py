"""PyStan in the tests, compiled for the compiler's speed rather than the program's.

httpstan builds each Stan program with the C++ compiler at -O3 with debug information: 30 to 75 s a
program, of which about 20 s is parsing Stan Math's headers, the same headers every time. The
tests' programs draw a few thousand values, so here (inside the fresh interpreter that runs
PyStan: ``prelude()`` starts its script) each program is compiled at -O1 without debug
information: about 28 CPU s for the session's merged program (stan_registry), whose runs then take
18 s (at -O0: 22 s to build, 49 s to run; its NUTS runs and log-density drivers pay for it). With GCC, the Stan
model header can be parsed once into a precompiled header (40 to 50 CPU s, 0.8 GB) that every
compilation includes first: 17 s for that program. A session compiles one program, so the header is
built only where it pays: in a directory named by PRIORCLI_TEST_STAN_PCH (kept across runs), or
when a session builds several programs (stan_registry's fallback, each program alone); a header
already built is always used. A compiler that finds the precompiled header unusable warns
(-Winvalid-pch) and reads the real header instead, so the compiled program is the same C++ either
way; only its build is quicker. The modules go into httpstan's cache as usual (a cached program is
not compiled again).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

PCH_ENV = "PRIORCLI_TEST_STAN_PCH"  # the session's directory for the header (conftest sets it)
TEMPORARY = "session-only"  # a file conftest writes in a directory of its own, removed at the end
FLAGS = ["-O1", "-g0"]  # after httpstan's -O3 and Python's CFLAGS (-g -O3): the last one counts
HEADER = "stan/model/model_header.hpp"  # what every stanc-generated program includes first


def pch_dir() -> str:
    return os.environ.get(PCH_ENV) or str(Path(tempfile.gettempdir()) / f"priorcli-stan-pch-{os.getuid()}")


def prelude(several: bool = False) -> str:
    """The first lines of a script that imports stan: quick builds, sharing the session's header
    (built for them if the script builds ``several`` programs, see the module)."""
    here = str(Path(__file__).resolve().parent)
    return (f"import sys\nsys.path.insert(0, {here!r})\nimport stan_support\n"
            f"stan_support.install({pch_dir()!r}, build_header={True if several else None!r})\n")


def install(directory: str, build_header: bool | None = None) -> None:
    """Make every C++ compilation of a Stan program in this process a quick one (see the module):
    the header is built if missing when ``build_header`` (None: when DIRECTORY is not the
    session's own)."""
    import setuptools  # noqa: F401  (first: the distutils below is then setuptools', as httpstan uses)
    from distutils import ccompiler

    spawn = ccompiler.CCompiler.spawn
    if build_header is None:
        build_header = not (Path(directory) / TEMPORARY).exists()

    def quick_spawn(self, cmd, **kwargs):
        return spawn(self, quick_command(list(cmd), Path(directory), lambda c: spawn(self, c, **kwargs),
                                         build_header), **kwargs)

    ccompiler.CCompiler.spawn = quick_spawn
    _one_build_per_program(Path(directory))
    _no_build_timeout()
    _patient_stanc()


def _one_build_per_program(directory: Path) -> None:
    """A program another process of the session is building is waited for, and then found in
    httpstan's cache."""
    import fcntl
    import hashlib

    import stan

    build = stan.build

    def locked_build(program_code, *args, **kwargs):
        directory.mkdir(parents=True, exist_ok=True)
        key = hashlib.blake2b(program_code.encode(), digest_size=8).hexdigest()
        with open(directory / f"build-{key}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            return build(program_code, *args, **kwargs)

    stan.build = locked_build


def _no_build_timeout() -> None:
    """PyStan asks its in-process httpstan server to build a program over aiohttp, whose session
    gives up after 300 s: on a loaded machine (a precompiled header built first, other builds) a build can
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


def quick_command(cmd: list[str], directory: Path, run, build_header: bool = True) -> list[str]:
    """distutils compiles with ``COMPILER FLAGS... SOURCE -o OBJECT EXTRA...``: a C++ source gets
    FLAGS and the precompiled header (built first if missing and ``build_header``); anything else
    (the link) runs as it was."""
    if "-o" not in cmd or "-c" not in cmd:
        return cmd
    i = cmd.index("-o")
    if i == 0 or not cmd[i - 1].endswith(".cpp"):
        return cmd
    cmd = [*cmd, *FLAGS]
    stub = directory / "stan_model_header.hpp"
    if _precompiled(stub, lambda out: run([*cmd[:i - 1], "-x", "c++-header", str(stub), "-o", str(out),
                                           *cmd[i + 2:]]), cmd[0], build_header):
        return [*cmd, "-include", str(stub), "-Winvalid-pch"]
    return cmd


def _precompiled(stub: Path, build, compiler: str, build_header: bool = True) -> bool:
    """Build ``stub``'s .gch once (a lock serialises the session's processes) unless not
    ``build_header``; False when there is none (not built, not GCC, or the build failed: the reason
    is kept in ``failed`` and not tried again)."""
    import fcntl

    gch, failed = stub.with_name(stub.name + ".gch"), stub.with_name("failed")
    if not build_header:
        return gch.exists()
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
