"""Putting an output file in place: every file priorcli writes for the user (--output draws, emitted
code, explore's document, and later --plot-file) goes through :class:`Staged`.

* The start-of-run check (:func:`check_target`): the directory exists and can be written, the target
  is not a directory, and nothing is there yet (a dangling symlink counts) unless ``force``.
* The file is written to a temporary ``.priorcli-*`` file beside the target, created with mode 0666
  so that the umask (and a default ACL) applies as to any new file. The signal handlers in
  ``priorcli.cli`` remove the files in :data:`PENDING` before they exit.
* The final step never replaces a path that appeared meanwhile (another program, a second run):
  ``renameat2(RENAME_NOREPLACE)``, else ``link`` and ``unlink``, else an exclusive create of the
  name followed by a rename over that empty file. With ``force`` it is an atomic rename over the old
  file, whose permission bits the new one keeps.

This module opens and renames files but writes nothing into them (``priorcli.render.output`` does).
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
import sys

from priorcli.errors import InputError, OutputError, UsageError

# Temporary files being written right now: the signal handlers remove them before exiting.
PENDING: set[str] = set()
_UNSUPPORTED = {errno.EINVAL, errno.ENOSYS, errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV}


def remove_pending() -> None:
    for path in list(PENDING):
        try:
            os.unlink(path)
        except OSError:
            pass
        PENDING.discard(path)


def check_target(path: str, force: bool, option: str = "--output") -> str:
    """The start-of-run check; returns the absolute target. A usage error (exit 2) for a directory
    or an existing path without ``force``; exit 1 for a directory that is missing or unwritable."""
    target = os.path.abspath(path)
    directory = os.path.dirname(target)
    if not os.path.isdir(directory):
        raise InputError(f"{option} '{path}': directory '{directory}' does not exist")
    if os.path.isdir(target):
        raise UsageError(f"{option} '{path}' is a directory; give a file name")
    if os.path.lexists(target) and not force:
        raise UsageError(f"{option} '{path}' exists; add --force to overwrite it")
    if not os.access(directory, os.W_OK | os.X_OK, effective_ids=os.access in os.supports_effective_ids):
        read_only = os.statvfs(directory).f_flag & os.ST_RDONLY
        reason = os.strerror(errno.EROFS if read_only else errno.EACCES)
        raise InputError(f"{option} '{path}': cannot write in directory '{directory}' ({reason})")
    return target


def write_error(exc: OSError, path: str, option: str = "--output") -> OutputError:
    """Writing the file failed (a full disk, a quota): one line naming the file."""
    return OutputError(f"could not write the output: {exc.strerror or exc} ({option} '{path}')")


class Staged:
    """A temporary file beside ``target``: :meth:`create` it, write it, :meth:`commit` it into
    place; :meth:`discard` (always, in a ``finally``) removes whatever is left of it."""

    def __init__(self, target: str, shown: str, *, force: bool, option: str = "--output"):
        self.target, self.shown, self.force, self.option = target, shown, force, option
        self.tmp: str | None = None

    def create(self) -> int:
        """The temporary file, open for writing (a file descriptor)."""
        directory, suffix = os.path.dirname(self.target), os.path.splitext(self.target)[1]
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        while True:
            tmp = os.path.join(directory, f".priorcli-{secrets.token_hex(6)}{suffix}")
            PENDING.add(tmp)  # before it exists: a signal in between leaves nothing behind
            self.tmp = tmp
            try:
                return os.open(tmp, flags, 0o666)
            except FileExistsError:
                PENDING.discard(tmp)
            except OSError as exc:
                PENDING.discard(tmp)
                self.tmp = None
                raise InputError(f"{self.option} '{self.shown}': cannot write in directory '{directory}' "
                                 f"({exc.strerror or exc})") from None

    def commit(self) -> None:
        try:
            _flush_to_disk(self.tmp)
            if self.force:
                self._keep_mode()
                os.replace(self.tmp, self.target)
            else:
                _place_no_replace(self.tmp, self.target)
        except FileExistsError:
            raise OutputError(f"{self.option} '{self.shown}' appeared while priorcli was writing it and was "
                              "left as it is; add --force to overwrite it") from None
        except IsADirectoryError:
            raise UsageError(f"{self.option} '{self.shown}' is a directory; give a file name") from None
        except OSError as exc:
            raise write_error(exc, self.shown, self.option) from None
        PENDING.discard(self.tmp)
        self.tmp = None

    def discard(self) -> None:
        if self.tmp is not None:
            try:
                os.unlink(self.tmp)
            except OSError:
                pass
            PENDING.discard(self.tmp)
            self.tmp = None

    def _keep_mode(self) -> None:
        """--force: the new file keeps the permission bits of the one it replaces."""
        try:
            mode = os.stat(self.target).st_mode
        except OSError:  # nothing there (or a dangling symlink): the umask's mode stays
            return
        if stat.S_ISREG(mode):
            os.chmod(self.tmp, stat.S_IMODE(mode))


def _flush_to_disk(path: str) -> None:
    """fsync the finished temporary file before it is renamed into place: after a power cut the
    name then points at the whole file, never at an empty or partial one."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _place_no_replace(tmp: str, target: str) -> None:
    """Rename ``tmp`` to ``target``, failing with FileExistsError if anything is at ``target``."""
    if _renameat2_noreplace(tmp, target):
        return
    try:
        os.link(tmp, target, follow_symlinks=False)
    except OSError as exc:
        if exc.errno not in _UNSUPPORTED:
            raise
    else:
        os.unlink(tmp)
        return
    # No hard links either (some FUSE and FAT file systems): claim the name, then rename over the claim.
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        os.replace(tmp, target)
    except OSError:
        os.unlink(target)
        raise


_RENAMEAT2 = []  # the libc function, once looked up ([None] where there is none)


def _renameat2_noreplace(tmp: str, target: str) -> bool:
    """Linux renameat2(..., RENAME_NOREPLACE): True when done, False where the kernel, libc or file
    system lacks it; raises FileExistsError (or another OSError) otherwise."""
    if not _RENAMEAT2:
        function = None
        if sys.platform.startswith("linux"):
            try:
                import ctypes

                function = ctypes.CDLL(None, use_errno=True).renameat2
                function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
            except (OSError, AttributeError):
                function = None
        _RENAMEAT2.append(function)
    function = _RENAMEAT2[0]
    if function is None:
        return False
    import ctypes

    at_fdcwd, rename_noreplace = -100, 1
    if function(at_fdcwd, os.fsencode(tmp), at_fdcwd, os.fsencode(target), rename_noreplace) == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), target)

