"""The process edge: how a run begins and ends, whatever the command.

Signals (Ctrl-C and SIGTERM remove the pending output files and exit at once), closed standard
descriptors, a closed pipe (``| head``), the one ``Error: ...`` line and the exit code for every
failure (:class:`PriorGroup`), ``Warning: ...`` lines, ``--install-completion``, and the fast exit
that skips the interpreter's teardown. Uses Typer only for the group class and its exceptions.
"""

from __future__ import annotations

import errno
import os
import signal
import sys

import typer
from typer.core import TyperGroup

from priorcli.errors import PriorError, UsageError


# Failures of writing the output itself (files written by priorcli report their own errors).
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}


class PriorGroup(TyperGroup):
    """Turns every failure into one ``Error:`` line on stderr and the documented exit code."""

    def invoke(self, ctx):
        # Catch a closed pipe (`priorcli ... | head`) here: Typer's main would exit 1 for it.
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            _quiet_broken_pipe()
        except KeyboardInterrupt:
            # Typer would exit 130 silently; say why. Output files are written through a temporary
            # file, so nothing partial is left behind.
            _error("interrupted")
            raise typer.Exit(130) from None

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        import warnings

        debug = bool(os.environ.get("PRIORCLI_DEBUG"))
        previous = _install_interrupt_handler()
        previous_term = _install_terminate_handler()
        shown = warnings.showwarning
        warnings.showwarning = _show_warning(shown)
        try:
            self._main(args, prog_name, complete_var, debug, **extra)
        finally:
            warnings.showwarning = shown
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
            for sig, handler in (previous_term or {}).items():
                signal.signal(sig, handler)

    def _main(self, args, prog_name, complete_var, debug, **extra):
        try:
            if sys.stdout is None:  # started with fd 1 closed (`>&-`): nowhere to put the results
                raise PriorError("could not write the output: standard output is closed "
                                 "(redirect it to a file, or to /dev/null to discard it)")
            argv = list(sys.argv[1:] if args is None else args)
            if argv[:1] and argv[0].split("=", 1)[0] == "--install-completion":
                _install_completion(argv)
            code = super().main(args=args, prog_name=prog_name, complete_var=complete_var, standalone_mode=False,
                                **extra)
            if isinstance(code, int) and code:
                sys.exit(code)
        except PriorError as exc:
            if debug:
                raise
            _error(str(exc))
            sys.exit(exc.exit_code)
        except typer.Exit as exc:
            sys.exit(exc.exit_code)
        except typer.Abort:
            _error("interrupted")
            sys.exit(130)
        except typer.TyperException as exc:  # Typer's own usage errors (exit_code 2)
            if type(exc).__name__ == "NoArgsIsHelpError":  # bare `priorcli`: help on stdout, exit 0
                sys.stdout.write(self.get_help(typer.Context(self, info_name="priorcli")) + "\n")
                sys.exit(0)
            if debug:
                raise
            _error(exc.format_message())
            sys.exit(getattr(exc, "exit_code", 2))
        except KeyboardInterrupt:
            _error("interrupted")
            sys.exit(130)
        except BrokenPipeError:
            _quiet_broken_pipe()
        except Exception as exc:  # the last line of defence: no traceback unless PRIORCLI_DEBUG
            if debug:
                raise
            if isinstance(exc, OSError) and exc.errno in _WRITE_ERRNOS:  # stdout on a full disk, say
                _error(f"could not write the output: {exc.strerror}")
            else:
                _error(f"internal error: {type(exc).__name__}: {exc} (set PRIORCLI_DEBUG=1 for a traceback)")
            sys.exit(1)
        sys.exit(0)


def _install_interrupt_handler():
    """Ctrl-C ends priorcli at once: one line, temporary output files removed, exit 130.

    A KeyboardInterrupt raised wherever Python happens to be can land in jax's garbage-collection
    callback (where it is swallowed and the run goes on) or in jax's start-up threads (which then
    hang), so the handler exits itself instead of raising. Returns the previous handler."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None

    def on_interrupt(signum, frame):
        try:
            _remove_pending_files()
            sys.stderr.write("Error: interrupted\n")
            sys.stderr.flush()
        finally:
            os._exit(130)

    return signal.signal(signal.SIGINT, on_interrupt)


def _install_terminate_handler():
    """SIGTERM (kill, a job scheduler, a timeout) and SIGHUP remove the temporary output files as Ctrl-C does,
    then ends priorcli by that same signal, as its sender expects (no line of priorcli's own: the
    shell reports it). Returns the previous handlers by signal (None off the main thread)."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None

    def on_terminate(signum, frame):
        try:
            _remove_pending_files()
        finally:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            os._exit(128 + signum)  # only if the signal could not end the process

    # SIGHUP too: a closed terminal or ssh session ends priorcli the same way
    hangup = getattr(signal, "SIGHUP", None)
    previous = {sig: signal.signal(sig, on_terminate) for sig in (signal.SIGTERM, hangup) if sig is not None}
    return previous


def _remove_pending_files() -> None:
    # Only outfile registers pending files, so none exist before it is imported; importing it
    # here could meet a module that the interrupted code was halfway through importing.
    outfile = sys.modules.get("priorcli.render.outfile")
    remove = getattr(outfile, "remove_pending", None)
    if remove is not None:
        remove()


def _show_warning(previous):
    """The library's PriorWarning (a cache left unused) as one ``Warning: ...`` line; others as before."""
    from priorcli.errors import PriorWarning

    def show(message, category, filename, lineno, file=None, line=None):
        if not issubclass(category, PriorWarning):
            return previous(message, category, filename, lineno, file, line)
        _line("Warning", message)
        return None

    return show


def _error(message: str) -> None:
    _line("Error", message)


def _line(prefix: str, message) -> None:
    """``PREFIX: message`` as one line on stderr (its white space folded)."""
    if sys.stderr is None:  # started with stderr closed: the exit code alone tells
        return
    text = " ".join(str(message).split())  # always a single line
    try:
        sys.stderr.write(f"{prefix}: {text}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


COMPLETION_SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")  # Typer's installers


def _install_completion(argv: list[str]) -> None:
    """``priorcli --install-completion [SHELL]``: Typer's installer for SHELL, else for the shell
    detected from the parent processes; no shell known (or one Typer has no script for) is a usage
    error naming the choices, where Typer would print a note on stdout."""
    from typer._completion_shared import _get_shell_name, install

    first = argv[0].split("=", 1)
    given = first[1] if len(first) == 2 else (argv[1] if len(argv) > 1 and not argv[1].startswith("-") else None)
    shell = given.lower() if given else _get_shell_name()
    if shell not in COMPLETION_SHELLS:
        found = f"shell '{given}' is not supported" if given else \
            ("no shell was detected" if shell is None else f"the detected shell '{shell}' is not supported")
        raise UsageError(f"--install-completion: {found}; name one of bash, zsh or fish "
                         "(e.g. 'priorcli --install-completion bash')")
    _, path = install(shell=shell, prog_name="priorcli", complete_var="_PRIORCLI_COMPLETE")
    sys.stdout.write(f"{shell} completion installed in {path}\n"
                     "Completion will take effect once you restart the terminal\n")
    raise typer.Exit(0)


def _reserve_standard_fds() -> None:
    """Point a closed fd 0, 1 or 2 at /dev/null (``sys.stdin`` etc. stay None, so closed streams
    are still reported): otherwise the next file opened (an --output file, say) would take that
    number, and whatever writes to fd 2 underneath Python (jax's C++ logging) would land in it."""
    for fd, mode in ((0, os.O_RDONLY), (1, os.O_WRONLY), (2, os.O_WRONLY)):
        try:
            os.fstat(fd)
        except OSError:
            try:
                spare = os.open(os.devnull, mode)
                if spare != fd:
                    os.dup2(spare, fd)
                    os.close(spare)
            except OSError:
                pass


GC_PAUSE_SECONDS = 3.0  # how long a run goes without collecting cyclic garbage (see _fewer_collections)


def _fewer_collections() -> None:
    """No cyclic garbage collection for the first GC_PAUSE_SECONDS of the command-line process.

    Importing jax, scipy and rich makes some 170,000 objects that live to the end, and the collector
    scans each of them in the young generations and again in every full collection while they
    arrive: 0.05-0.15 s of a sampling run, more than summarising its draws costs. A run that goes on
    (explore, a long solve, 1e8 draws) collects as usual from then on, so its memory stays bounded;
    objects without cycles are freed by reference counting all along, as ever."""
    import gc
    import threading

    gc.disable()
    timer = threading.Timer(GC_PAUSE_SECONDS, gc.enable)
    timer.daemon = True
    timer.start()


def _quiet_broken_pipe() -> None:
    # The reader went away (`| head`): point stdout at devnull so the interpreter's final flush
    # does not complain, and exit quietly.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(0)


def _shutdown_has_work() -> bool:
    """Other (non-daemon) threads to join, a profiler, tracer or coverage run that writes its data
    at shutdown (``python -m cProfile -o F -m priorcli ...``), or ``python -i`` (the REPL comes next)."""
    import threading

    if sys.getprofile() is not None or sys.gettrace() is not None or "coverage" in sys.modules or sys.flags.inspect:
        return True
    return any(t is not threading.current_thread() and not t.daemon for t in threading.enumerate())


def _exit_now(code: int) -> None:
    import atexit

    atexit._run_exitfuncs()  # noqa: SLF001 (cheap: jax's clean-up; os._exit skips them otherwise)
    stdout, stderr = sys.stdout, sys.stderr  # None when the process started with the fd closed
    try:
        if stdout is not None:
            stdout.flush()
    except BrokenPipeError:  # the reader went away after the last write: quiet, as `| head` elsewhere
        pass
    except (OSError, ValueError) as exc:  # e.g. a full disk: not a silent success
        if stderr is not None and isinstance(exc, OSError):
            _error(f"could not write the output: {exc.strerror or exc}")
        code = code or 1
    try:
        if stderr is not None:
            stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(code)
