"""priorcli's cache directories: made private, and used only while they are private.

The compiled samplers (``priorcli.sampling.compiled``) are pickles and jax's compilation cache holds
executables, so loading a file that someone else planted there runs their code. As ssh does for its
keys, a cache is used only when the directories priorcli keeps it in belong to the current user and
are not writable by the group or others, every directory above them belongs to the user or root and
is not writable by others (or is sticky, as /tmp is: nobody else can rename what is in it), and the
file read belongs to the user and is not writable by others. Otherwise the cache is left alone for
the run: a PriorWarning says which path and why (the command line prints it as one ``Warning:``
line) and everything is computed afresh. Directories priorcli creates are 0700, its files 0600.

This module knows no cache by name; callers pass the directories (priorcli.families.cache says where).
"""

from __future__ import annotations

import os
import stat
import warnings

from priorcli.errors import PriorWarning

_warned: set[str] = set()


def make_private(directory: str) -> None:
    """Create ``directory`` and any missing parent, each 0700 (os.makedirs would make the parents
    0777 less the umask). A directory that cannot be made is left to the caller's next step to find."""
    missing = []
    path = os.path.abspath(directory)
    while not os.path.lexists(path):
        missing.append(path)
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            continue
        except OSError:
            return


def untrusted(directories: list[str]) -> str | None:
    """Why the cache in ``directories`` (priorcli's own, outermost first) must not be read, or None.
    Directories that do not exist yet hold nothing to read and are fine."""
    uid = os.geteuid()
    existing = [d for d in directories if os.path.lexists(d)]
    for directory in existing:
        reason = _own_directory(directory, uid)
        if reason:
            return reason
    if not existing:
        return None
    above = os.path.dirname(os.path.realpath(existing[0]))
    while True:
        reason = _ancestor(above, uid)
        if reason:
            return reason
        parent = os.path.dirname(above)
        if parent == above:
            return None
        above = parent


def trusted(directories: list[str], what: str) -> bool:
    """Whether the cache ``what`` in ``directories`` may be read; warns (once per reason) if not."""
    reason = untrusted(directories)
    if reason is None:
        return True
    warn(f"{what} is not used in this run: {reason}")
    return False


def warn(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        warnings.warn(message, PriorWarning, stacklevel=3)


def read_private(path: str, what: str) -> bytes | None:
    """The bytes of the cache file ``path``; None when there is none, it cannot be read, or it is not
    the user's own private regular file (then with a warning). Opened without following a symbolic
    link or blocking on a FIFO, and checked on the descriptor read from (no race with a rename)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        handle = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as exc:
        warn(f"{what} is not used in this run: {path} cannot be opened safely ({exc.strerror})")
        return None
    try:
        info = os.fstat(handle)
        reason = _not_private(path, info, os.geteuid(), "a regular file", stat.S_ISREG)
        if reason:
            warn(f"{what} is not used in this run: {reason}")
            return None
        chunks = []
        while True:
            chunk = os.read(handle, 1 << 20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    except OSError:
        return None
    finally:
        os.close(handle)


def write_private(path: str, payload: bytes) -> None:
    """Put ``payload`` at ``path`` whole: a 0600 temporary file beside it (its directory made
    private first), renamed over it. Raises OSError (a read-only or full cache) and then, or when
    interrupted (Ctrl-C), leaves no temporary file behind."""
    import tempfile

    directory = os.path.dirname(path)
    make_private(directory)
    handle, temporary = tempfile.mkstemp(dir=directory, suffix=".tmp")  # 0600
    try:
        with os.fdopen(handle, "wb") as out:  # a cache file, not output
            out.write(payload)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _own_directory(path: str, uid: int) -> str | None:
    try:
        info = os.stat(path)
    except OSError as exc:
        return f"{path} cannot be examined ({exc.strerror})"
    return _not_private(path, info, uid, "a directory", stat.S_ISDIR)


def _not_private(path: str, info: os.stat_result, uid: int, kind: str, is_kind) -> str | None:
    if not is_kind(info.st_mode):
        return f"{path} is not {kind}"
    if info.st_uid != uid:
        return f"{path} belongs to uid {info.st_uid}, not to you (uid {uid})"
    if info.st_mode & 0o022:
        return (f"{path} is writable by {_who(info.st_mode)} (mode {stat.S_IMODE(info.st_mode):04o}); "
                f"'chmod go-w {path}' to use it")
    return None


def _ancestor(path: str, uid: int) -> str | None:
    """A directory above the cache: the user's or root's, and nobody else may replace its entries."""
    try:
        info = os.stat(path)
    except OSError as exc:
        return f"{path} cannot be examined ({exc.strerror})"
    if info.st_uid not in (uid, 0):
        return f"{path}, above the cache, belongs to uid {info.st_uid}, not to you (uid {uid}) or root"
    if info.st_mode & 0o022 and not info.st_mode & stat.S_ISVTX:
        return f"{path}, above the cache, is writable by {_who(info.st_mode)} (mode {stat.S_IMODE(info.st_mode):04o})"
    return None


def _who(mode: int) -> str:
    return "everyone" if mode & 0o002 else "its group"
