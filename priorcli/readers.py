"""Reading draws for ``priorcli summarize --input PATH|-``.

Formats, chosen by the file's extension:

* ``.npy``: a 1-D numeric array, or a 2-D array with one column (``np.load``, no pickles).
* ``.json``: a JSON array of numbers.
* ``.csv``: one column is read. With a header row, ``--column NAME`` picks the column (needed when
  there is more than one); a first row whose cells are all numbers is data, not a header, and then
  ``--column N`` (1-based) picks the column.
* anything else: one number per line. Blank lines and lines starting with ``#`` are skipped.

Standard input (``-``) is text: CSV when the first line that is not blank or a comment contains a
comma (or when ``--column`` is given), one number per line otherwise.

Bad data is refused, never guessed: a value that is not a number is an ``InputError`` naming its
line (and column); so is NaN or +-inf (including text such as ``nan``, ``inf`` or ``1e999``, which
overflows) unless ``drop_nonfinite``, which drops them and counts them. Numbers are parsed in bulk
(Python's ``float`` over the lines, into numpy); the per-line scan that finds the offending line
only runs on failure, so a few million lines from a pipe take about a second.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Callable

import numpy as np

from priorcli.errors import InputError, UsageError

__all__ = ["DrawsRead", "read_draws"]


@dataclass(frozen=True)
class DrawsRead:
    values: np.ndarray  # 1-D float64, finite
    dropped: int  # non-finite values dropped (only with drop_nonfinite)


# Where the i-th value came from, for messages: (location such as "line 7", the text as written).
Locator = Callable[[int], "tuple[str, str]"]


def read_draws(source: str, *, column: str | None, drop_nonfinite: bool) -> DrawsRead:
    """Read draws from ``source`` (a path, or ``-`` for standard input)."""
    if source == "-":
        label = "stdin"
        text = _read_stdin()
        if column is not None or _sniff_csv(text):
            values, locate = _parse_csv(text, column, label)
        else:
            values, locate = _parse_lines(text, label)
    else:
        label = source
        suffix = os.path.splitext(source)[1].lower()
        if column is not None and suffix != ".csv":
            raise UsageError(f"--column '{column}' only applies to CSV input; '{source}' is not a .csv file")
        if suffix == ".npy":
            values, locate = _read_npy(source)
        elif suffix == ".json":
            values, locate = _parse_json(_read_text(source), label)
        elif suffix == ".csv":
            values, locate = _parse_csv(_read_text(source), column, label)
        else:
            values, locate = _parse_lines(_read_text(source), label)
    return _finish(values, locate, label, drop_nonfinite)


def _finish(values: np.ndarray, locate: Locator, label: str, drop_nonfinite: bool) -> DrawsRead:
    if values.size == 0:
        raise InputError(f"{label}: no values to summarize (the input is empty)")
    finite = np.isfinite(values)
    dropped = 0
    if not finite.all():
        if not drop_nonfinite:
            first = int(np.flatnonzero(~finite)[0])
            where, written = locate(first)
            reads_as = _reads_as(values[first])
            core = written.strip("'\"").strip().lower().lstrip("+-")
            shown = written if core in ("nan", "inf", "infinity") else f"{written} (reads as {reads_as})"
            raise InputError(
                f"{label}: {where}: {shown} is not a finite number; "
                f"add --drop-nonfinite to drop NaN/inf values"
            )
        dropped = int(values.size - np.count_nonzero(finite))
        values = values[finite]
        if values.size == 0:
            raise InputError(f"{label}: no finite values: all {dropped} values are NaN or +-inf")
    return DrawsRead(values=np.ascontiguousarray(values, dtype=np.float64), dropped=dropped)


def _reads_as(value: float) -> str:
    if np.isnan(value):
        return "nan"
    return "inf" if value > 0 else "-inf"


# ---------------------------------------------------------------------------------------------
# Sources


def _read_stdin() -> str:
    stream = sys.stdin
    if stream is None:
        raise InputError("--input -: there is no standard input to read")
    try:
        text = stream.read()
    except UnicodeDecodeError as exc:
        raise InputError(f"stdin is not UTF-8 text (bad byte at offset {exc.start})") from None
    except OSError as exc:
        raise InputError(f"cannot read stdin: {exc.strerror or exc}") from None
    if isinstance(text, bytes):  # a binary stream: decode it like a file
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"stdin is not UTF-8 text (bad byte at offset {exc.start})") from None
    return text.lstrip("\ufeff")


def _open_error(path: str, exc: OSError) -> InputError:
    if isinstance(exc, FileNotFoundError):
        reason = "no such file"
    elif isinstance(exc, IsADirectoryError):
        reason = "it is a directory"
    elif isinstance(exc, PermissionError):
        reason = "permission denied"
    else:
        reason = exc.strerror or str(exc)
    return InputError(f"cannot read input file '{path}': {reason}")


def _read_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return handle.read()
    except UnicodeDecodeError as exc:
        raise InputError(f"'{path}' is not a UTF-8 text file (bad byte at offset {exc.start})") from None
    except OSError as exc:
        raise _open_error(path, exc) from None


# ---------------------------------------------------------------------------------------------
# One number per line


def _is_data_line(stripped: str) -> bool:
    return bool(stripped) and stripped[0] != "#"


def _to_floats(cells: list[str]) -> tuple[np.ndarray, int | None]:
    """Bulk conversion; on failure, the index of the first cell that is not a number."""
    try:
        return np.fromiter(map(float, cells), dtype=np.float64, count=len(cells)), None
    except ValueError:
        for i, cell in enumerate(cells):
            try:
                float(cell)
            except ValueError:
                return np.empty(0), i
        raise  # pragma: no cover - float() failed in bulk but on no single cell


def _parse_lines(text: str, label: str) -> tuple[np.ndarray, Locator]:
    lines = text.split("\n")
    stripped = [line.strip() for line in lines]
    kept = [s for s in stripped if s and s[0] != "#"]
    values, bad = _to_floats(kept)

    def line_numbers() -> list[int]:
        return [i for i, s in enumerate(stripped, start=1) if _is_data_line(s)]

    def locate(i: int) -> tuple[str, str]:
        return f"line {line_numbers()[i]}", repr(kept[i])

    if bad is not None:
        where, written = locate(bad)
        hint = " (one number per line; for CSV use a .csv file or --column)" if "," in kept[bad] else ""
        raise InputError(f"{label}: {where}: {written} is not a number{hint}")
    return values, locate


# ---------------------------------------------------------------------------------------------
# CSV


def _sniff_csv(text: str) -> bool:
    for line in text.split("\n", 1000):
        stripped = line.strip()
        if _is_data_line(stripped):
            return "," in stripped
    return False


def _split_row(line: str) -> list[str]:
    if '"' not in line:
        return line.split(",")
    import csv

    return next(csv.reader([line]), [])


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _parse_csv(text: str, column: str | None, label: str) -> tuple[np.ndarray, Locator]:
    lines = text.split("\n")
    stripped = [line.strip() for line in lines]
    numbers = [i for i, s in enumerate(stripped) if _is_data_line(s)]  # 0-based line indices
    if not numbers:
        return np.empty(0), lambda i: ("", "")
    first = _split_row(stripped[numbers[0]])
    has_header = not all(_is_number(cell) for cell in first)
    ncols = len(first)
    if has_header:
        names = [cell.strip() for cell in first]
        listing = ", ".join(repr(n) for n in names)
        if column is not None:
            if column not in names:
                raise UsageError(f"--column '{column}' is not a column of {label}; its columns are {listing}")
            index = names.index(column)
        elif ncols == 1:
            index = 0
        else:
            raise UsageError(f"{label} has {ncols} columns ({listing}); choose one with --column NAME")
        data_rows = numbers[1:]
        name_of = repr(names[index])
    else:
        if column is not None:
            if not (column.strip().isdigit() and 1 <= int(column) <= ncols):
                raise UsageError(
                    f"--column '{column}': {label} has no header row, so columns are numbered 1 to {ncols}"
                )
            index = int(column) - 1
        elif ncols == 1:
            index = 0
        else:
            raise UsageError(
                f"{label} has {ncols} columns and no header row; choose one with --column N (1 to {ncols})"
            )
        data_rows = numbers
        name_of = str(index + 1)

    body = [stripped[i] for i in data_rows]
    if any('"' in row for row in body):
        import csv

        rows = [next(csv.reader([row]), []) for row in body]
    else:
        rows = [row.split(",") for row in body]
    if ncols == 1:
        wrong = next((k for k, row in enumerate(rows) if len(row) != 1), None)
    elif len({len(row) for row in rows}) > 1 or (rows and len(rows[0]) != ncols):
        wrong = next(k for k, row in enumerate(rows) if len(row) != ncols)
    else:
        wrong = None
    if wrong is not None:
        raise InputError(
            f"{label}: line {data_rows[wrong] + 1}: expected {ncols} field(s), found {len(rows[wrong])}"
        )
    cells = [row[index] for row in rows]
    values, bad = _to_floats(cells)

    def locate(k: int) -> tuple[str, str]:
        return f"line {data_rows[k] + 1}, column {name_of}", repr(cells[k].strip())

    if bad is not None:
        where, written = locate(bad)
        what = "an empty cell" if not cells[bad].strip() else written
        raise InputError(f"{label}: {where}: {what} is not a number")
    return values, locate


# ---------------------------------------------------------------------------------------------
# .npy and .json


def _read_npy(path: str) -> tuple[np.ndarray, Locator]:
    try:
        array = np.load(path, allow_pickle=False)
    except OSError as exc:
        if isinstance(exc, (FileNotFoundError, IsADirectoryError, PermissionError)):
            raise _open_error(path, exc) from None
        raise InputError(f"'{path}' is not a readable .npy file: {exc}") from None
    except (ValueError, EOFError) as exc:
        raise InputError(f"'{path}' is not a readable .npy file: {exc}") from None
    if not isinstance(array, np.ndarray):
        if hasattr(array, "close"):
            array.close()
        raise InputError(f"'{path}' is an .npz archive, not a single .npy array")
    if array.dtype.kind not in "iuf":
        raise InputError(f"'{path}' holds {array.dtype} data; expected numbers (integer or float)")
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]

        def locate(i: int) -> tuple[str, str]:
            return f"row {i}", repr(float(array[i]))

    elif array.ndim == 1:

        def locate(i: int) -> tuple[str, str]:
            return f"element [{i}]", repr(float(array[i]))

    else:
        raise InputError(f"'{path}' holds an array of shape {array.shape}; expected 1-D draws or a single column")
    return array.astype(np.float64, copy=False), locate


def _json_kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _parse_json(text: str, label: str) -> tuple[np.ndarray, Locator]:
    import json

    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{label}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise InputError(f"{label}: JSON nested too deeply") from None
    if not isinstance(data, list):
        raise InputError(f"{label}: expected a JSON array of numbers, found {_json_kind(data)}")
    numeric = (int, float)
    for i, value in enumerate(data):
        if type(value) not in numeric:
            raise InputError(f"{label}: element [{i}] is {_json_kind(value)}, not a number")
    try:
        values = np.fromiter(map(float, data), dtype=np.float64, count=len(data))
    except OverflowError:  # an integer too large for a float: it reads as +-inf
        values = np.array([_big_float(v) for v in data], dtype=np.float64)

    def locate(i: int) -> tuple[str, str]:
        value = data[i]
        written = repr(value) if isinstance(value, float) else str(value)
        if len(written) > 40:
            written = written[:37] + "..."
        return f"element [{i}]", written

    return values, locate


def _big_float(value) -> float:
    try:
        return float(value)
    except OverflowError:
        return float("inf") if value > 0 else float("-inf")
