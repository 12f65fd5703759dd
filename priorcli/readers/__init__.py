"""Reading draws for ``priorcli summarize --input PATH|-``.

Formats, chosen by the file's extension:

* ``.csv``: CSV, CmdStan's output included (``#`` comment lines). With a header row,
  ``--column``/``--variable NAME`` picks columns by name (``theta.2``; ``theta`` alone picks every
  ``theta.*`` column); a first row whose cells are all numbers is data, and ``N`` (1-based) picks.
* ``.npy``: a 1-D numeric array, or a 2-D array with one column (memory-mapped, no pickles).
* ``.npz``: one array per name (``numpy.savez(path, **samples)``); axis 0 is the draw axis,
  ``NAME[i]`` picks an element of a vector site.
* ``.nc``: ArviZ InferenceData; ``--group`` (default: prior, else posterior) and
  ``--variable NAME[i]``; chains and draws are pooled.
* ``.json``: a JSON array of numbers.
* anything else: one number per line. Blank lines and ``#`` comments are skipped.

Standard input (``-``) is text: CSV when the first line that is not blank or a comment contains a
comma (or when a column is asked for), one number per line otherwise.

Bad data is refused, never guessed: a value that is not a number is an ``InputError`` naming its
line (and column); so is NaN or +-inf unless ``drop_nonfinite``, which drops them and counts them.
Every Variable's values are a fresh float64 array the caller may sort in place.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from priorcli.errors import UsageError
from priorcli.readers.common import Variable

__all__ = ["DrawsRead", "Variable", "VariablesRead", "read_draws", "read_pooled", "read_variables"]

NETCDF_SUFFIXES = (".nc", ".nc4")
NAMED_SUFFIXES = (".csv", ".npz", *NETCDF_SUFFIXES)  # where --column/--variable picks by name
BINARY_SUFFIXES = (".npy", ".npz", *NETCDF_SUFFIXES)  # formats read with random access


@dataclass(frozen=True)
class DrawsRead:
    values: np.ndarray  # 1-D float64, finite
    dropped: int  # non-finite values dropped (only with drop_nonfinite)


@dataclass(frozen=True)
class VariablesRead:
    source: str
    group: str | None  # the InferenceData group read (NetCDF only)
    variables: list[Variable]
    # (path, draws) per file pooled; draws counted before --drop-nonfinite (the largest count of
    # the file's variables when they differ, as arrays of an .npz may)
    sources: tuple[tuple[str, int], ...] = ()


def read_draws(source: str, *, column: str | None, drop_nonfinite: bool) -> DrawsRead:
    """One column of draws from ``source`` (a path, or ``-`` for standard input)."""
    read = read_variables(source, selectors=[column] if column is not None else [], flag="--column",
                          drop_nonfinite=drop_nonfinite)
    if len(read.variables) != 1:
        names = ", ".join(v.name for v in read.variables)
        raise UsageError(f"--column '{column}' picks {len(read.variables)} columns ({names}); choose one")
    only = read.variables[0]
    return DrawsRead(values=only.values, dropped=only.dropped)


def read_variables(source: str, *, selectors: Sequence[str] = (), flag: str | None = None,
                   group: str | None = None, drop_nonfinite: bool = False) -> VariablesRead:
    """The selected variables of ``source``, in the order asked (each once). ``flag`` is the
    option the selectors came from, for messages (default: --column for CSV, else --variable)."""
    from priorcli.readers import arrays, text

    selectors = list(selectors)
    suffix = "" if source == "-" else os.path.splitext(source)[1].lower()
    flag = flag or ("--variable" if suffix in (".npz", *NETCDF_SUFFIXES) else "--column")
    if source == "-":
        if group is not None:
            raise UsageError(f"--group '{group}' only applies to ArviZ NetCDF (.nc) input, not stdin")
        variables = text.read_text_stdin(selectors=selectors, flag=flag, drop_nonfinite=drop_nonfinite)
        return VariablesRead(source, None, variables)
    if group is not None and suffix not in NETCDF_SUFFIXES:
        raise UsageError(f"--group '{group}' only applies to ArviZ NetCDF (.nc) input; '{source}' is not a .nc file")
    if selectors and suffix not in NAMED_SUFFIXES:
        raise UsageError(f"{flag} '{selectors[0]}' only applies to CSV, .npz or .nc input; "
                         f"'{source}' is none of these")
    # A FIFO or device named .nc/.npz/.npy is read once into memory: those formats seek, and
    # opening a FIFO a second time blocks until some other writer comes.
    data = _read_once(source) if suffix in BINARY_SUFFIXES and _not_regular(source) else None
    if suffix in NETCDF_SUFFIXES:
        from priorcli.readers.netcdf import read_netcdf

        group, variables = read_netcdf(source, group=group, selectors=selectors, flag=flag,
                                       drop_nonfinite=drop_nonfinite, open_error=arrays.open_error, data=data)
        return VariablesRead(source, group, variables)
    if suffix == ".npz":
        variables = arrays.read_npz(source, selectors, flag, drop_nonfinite, data=data)
    elif suffix == ".npy":
        variables = [arrays.read_npy(source, drop_nonfinite, data=data)]
    elif suffix == ".json":
        variables = [arrays.read_json(_read_small_text(source, arrays.open_error), source, drop_nonfinite)]
    else:
        variables = text.read_text_file(source, csv=suffix == ".csv", selectors=selectors, flag=flag,
                                        drop_nonfinite=drop_nonfinite, open_error=arrays.open_error)
    return VariablesRead(source, None, variables)


def read_pooled(sources: Sequence[str], *, selectors: Sequence[str] = (), flag: str | None = None,
                group: str | None = None, drop_nonfinite: bool = False) -> VariablesRead:
    """The selected variables of every file, pooled file after file (CmdStan writes one file per
    chain). Every file must yield the same variables (names, in order) and, for NetCDF, the same
    group; otherwise an InputError names the file that differs."""
    from priorcli.errors import InputError

    if list(sources).count("-") > 1:
        raise UsageError("--input '-' (standard input) can be given once")
    reads = []
    for source in sources:
        read = read_variables(source, selectors=selectors, flag=flag, group=group, drop_nonfinite=drop_nonfinite)
        if reads:
            _check_agrees(reads[0], read, InputError)
        reads.append(read)
    counts = tuple((r.source, max(v.values.size + v.dropped for v in r.variables)) for r in reads)
    if len(reads) == 1:
        return VariablesRead(reads[0].source, reads[0].group, reads[0].variables, counts)
    pooled = []
    for j, first in enumerate(reads[0].variables):
        parts = [r.variables[j] for r in reads]
        pooled.append(Variable(first.name, np.concatenate([p.values for p in parts]), sum(p.dropped for p in parts)))
    return VariablesRead(", ".join(r.source for r in reads), reads[0].group, pooled, counts)


def _check_agrees(first: VariablesRead, read: VariablesRead, error) -> None:
    names, first_names = [v.name for v in read.variables], [v.name for v in first.variables]
    if names != first_names:
        def shown(items):
            return ", ".join(repr(n) if n else "unnamed draws" for n in items)

        raise error(f"'{read.source}' holds {shown(names)} where '{first.source}' holds {shown(first_names)}; "
                    f"pooled --input files must hold the same variables")
    if read.group != first.group:
        raise error(f"'{read.source}' is read from group '{read.group}' where '{first.source}' is read from "
                    f"'{first.group}'; pooled --input files must use the same group (choose it with --group)")


def _read_small_text(path: str, open_error) -> str:
    """A JSON document is parsed whole (by the json module), so it is read whole."""
    from priorcli.errors import InputError

    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return handle.read()
    except UnicodeDecodeError as exc:
        raise InputError(f"'{path}' is not a UTF-8 text file (bad byte at offset {exc.start})") from None
    except OSError as exc:
        raise open_error(path, exc) from None


def _not_regular(path: str) -> bool:
    """A FIFO, a character device or a socket (a missing path or a directory: the readers say so)."""
    import stat

    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _read_once(path: str) -> bytes:
    from priorcli.readers.arrays import open_error

    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise open_error(path, exc) from None
