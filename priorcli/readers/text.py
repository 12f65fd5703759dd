"""Text draws: one number per line, or CSV (CmdStan's output CSV included), from a file or stdin.

The input is read in blocks of ``BLOCK_BYTES`` cut at line ends, and each block is parsed by
numpy's C text reader (``numpy.loadtxt``); the selected columns are appended to float64 arrays
sized from the file length. Peak memory is those arrays plus one block, whatever the file size.

A block with words only in columns that were not asked for is parsed again by numpy with
``usecols`` (after a check that every row has all its fields). A block numpy refuses otherwise (a
word, a ragged row, a whitespace-only line) is read again line by line in Python, which gives the
exact line and column of the problem, or the values when the problem was only numpy's strictness. NaN and
+-inf are found per block too, and reported with their line as written.

``#`` starts a comment (to the end of the line, as in numpy and CmdStan's CSV); blank lines are
skipped. A CSV's first non-comment line is its header unless every cell in it is a number.
"""

from __future__ import annotations

import io
import os
import stat
import sys
import warnings
from dataclasses import dataclass, field
from typing import Callable, Iterator

import numpy as np

from priorcli.errors import InputError, UsageError
from priorcli.readers.common import Variable, listing, reads_as

BLOCK_BYTES = 1 << 21
NOT_ONE_NUMBER_HINT = " (one number per line; for CSV use a .csv file or --column)"


@dataclass(frozen=True)
class Layout:
    csv: bool
    ncols: int  # fields every data row must have
    indices: list[int]  # the selected columns, 0-based
    names: list[str]  # their variable names ('' for unnamed draws)
    in_messages: list[str]  # how messages name them: "'theta'" or "2" (no header)


# ---------------------------------------------------------------------------------------------
# Entry points


def read_text_file(path: str, *, csv: bool, selectors: list[str], flag: str, drop_nonfinite: bool,
                   open_error: Callable[[str, OSError], InputError], every_column: bool = False) -> list[Variable]:
    """The selected columns; with ``every_column`` (a CSV with a header row, ``--data FILE.csv``)
    all of them, in file order."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise open_error(path, exc) from None
    with handle:
        size = os.fstat(handle.fileno()).st_size
        not_text = f"'{path}' is not a UTF-8 text file"
        blocks = _blocks(_reader(handle.read, path), not_text)
        return _read(blocks, path, "csv" if csv else "lines", selectors, flag, drop_nonfinite, size, every_column)


def read_text_stdin(*, selectors: list[str], flag: str, drop_nonfinite: bool) -> list[Variable]:
    """Standard input: CSV when its first data line has a comma (or a column is asked for)."""
    stream = sys.stdin
    if stream is None:
        raise InputError("--input -: there is no standard input to read")
    raw = getattr(stream, "buffer", None)
    if raw is not None:
        read = raw.read
    else:  # a text stream without bytes underneath

        def read(n: int) -> bytes:
            return stream.read(n).encode("utf-8", "surrogatepass")

    size = None
    try:
        mode = os.fstat(stream.fileno()).st_mode
        if stat.S_ISREG(mode):  # `< big.txt`: size the arrays as for a file
            size = os.fstat(stream.fileno()).st_size
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        pass
    blocks = _blocks(_reader(read, "stdin"), "stdin is not UTF-8 text")
    return _read(blocks, "stdin", "sniff", selectors, flag, drop_nonfinite, size)


def _reader(read: Callable[[int], bytes], label: str) -> Callable[[int], bytes]:
    def checked(n: int) -> bytes:
        try:
            return read(n)
        except UnicodeDecodeError as exc:  # a text stream decoding underneath us
            raise InputError(f"{label} is not UTF-8 text (bad byte at offset {exc.start})") from None
        except OSError as exc:
            raise InputError(f"cannot read {label}: {exc.strerror or exc}") from None

    return checked


# ---------------------------------------------------------------------------------------------
# Blocks of whole lines


def _blocks(read: Callable[[int], bytes], not_text: str) -> Iterator[tuple[int, str]]:
    """(number of the block's first line, its text): whole lines, about BLOCK_BYTES each."""
    line, offset, rest, first = 1, 0, b"", True
    while True:
        chunk = read(BLOCK_BYTES)
        if not chunk:
            break
        if first:
            first = False
            if chunk.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte-order mark
                chunk, offset = chunk[3:], 3
        data = rest + chunk if rest else chunk
        cut = data.rfind(b"\n") + 1
        if cut == 0:  # one line longer than a block: keep reading until it ends
            rest = data
            continue
        block, rest = data[:cut], data[cut:]
        yield line, _decode(block, offset, not_text)
        line += block.count(b"\n")
        offset += cut
    if rest:
        yield line, _decode(rest, offset, not_text)


def _decode(block: bytes, offset: int, not_text: str) -> str:
    try:
        return block.decode("utf-8")  # whole lines: never cuts a multi-byte character
    except UnicodeDecodeError as exc:
        raise InputError(f"{not_text} (bad byte at offset {offset + exc.start})") from None


def _content(line: str) -> str:
    if "#" in line:
        line = line[: line.index("#")]
    return line.strip()


def _first_data_line(blocks: Iterator[tuple[int, str]]) -> tuple[int, str, str] | None:
    """(line number, content, the rest of its block) of the first line that is not blank or a comment."""
    for first_line, text in blocks:
        pos, number = 0, first_line
        while pos < len(text):
            end = text.find("\n", pos)
            end = len(text) if end < 0 else end
            content = _content(text[pos:end])
            if content:
                return number, content, text[end + 1 :]
            pos, number = end + 1, number + 1
    return None


# ---------------------------------------------------------------------------------------------
# Reading


def _read(blocks: Iterator[tuple[int, str]], label: str, kind: str, selectors: list[str], flag: str,
          drop_nonfinite: bool, size: int | None, every_column: bool = False) -> list[Variable]:
    first = _first_data_line(blocks)
    if first is None:
        raise InputError(f"{label}: no values to summarize (the input is empty)")
    number, content, rest = first
    if kind == "sniff":
        kind = "csv" if selectors or "," in content else "lines"
    if kind == "lines":
        layout, header = Layout(False, 1, [0], [""], [""]), False
    else:
        layout, header = _csv_layout(content, label, selectors, flag, every_column)
    # The first block: from the header's next line, or from the first data line itself.
    head = (number + 1, rest) if header else (number, content + "\n" + rest)
    columns = _Columns(layout, label, drop_nonfinite, size)
    columns.add(*head)
    for first_line, text in blocks:
        columns.add(first_line, text)
    return columns.finish()


@dataclass
class _Columns:
    """The selected columns, grown block by block (sized from the first block and the file length)."""

    layout: Layout
    label: str
    drop_nonfinite: bool
    size: int | None
    data: list[np.ndarray] = field(default_factory=list)
    filled: list[int] = field(default_factory=list)
    dropped: list[int] = field(default_factory=list)

    def add(self, first_line: int, text: str) -> None:
        block = _parse_block(text, first_line, self.layout, self.label)
        if not self.data:
            per_char = block.shape[0] / max(len(text), 1)
            guess = int(self.size * per_char * 1.02) if self.size else 4 * block.shape[0]
            k = len(self.layout.indices)
            self.data, self.filled, self.dropped = [np.empty(guess + 1024) for _ in range(k)], [0] * k, [0] * k
        for j in range(block.shape[1]):
            column = block[:, j]
            finite = np.isfinite(column)
            if not finite.all():
                if not self.drop_nonfinite:
                    _refuse_nonfinite(text, first_line, self.layout, self.label, j, int(np.argmin(finite)))
                column = column[finite]
                self.dropped[j] += int(finite.size - column.size)
            self._extend(j, column)

    def _extend(self, j: int, column: np.ndarray) -> None:
        start, end = self.filled[j], self.filled[j] + column.shape[0]
        if end > self.data[j].size:  # realloc in place (mremap for large arrays): no second copy
            self.data[j].resize(max(end, self.data[j].size * 3 // 2), refcheck=False)
        self.data[j][start:end] = column
        self.filled[j] = end

    def finish(self) -> list[Variable]:
        """The columns trimmed to their length (called after at least one ``add``)."""
        out = []
        for j, name in enumerate(self.layout.names):
            values = self.data[j]
            values.resize(self.filled[j], refcheck=False)
            if values.size == 0:
                what = f" in {name}" if name else ""
                if self.dropped[j]:
                    raise InputError(f"{self.label}: no finite values{what}: "
                                     f"all {self.dropped[j]} values are NaN or +-inf")
                raise InputError(f"{self.label}: no values to summarize{what} (the input is empty)")
            out.append(Variable(name, values, self.dropped[j]))
        return out


# ---------------------------------------------------------------------------------------------
# One block


def _parse_block(text: str, first_line: int, layout: Layout, label: str) -> np.ndarray:
    """The block's selected columns as a (rows, k) float64 array."""
    fast = _parse_block_in_c(text, layout)
    if fast is not None:
        return fast
    values, _, _ = _scan_block(text, first_line, layout, label)
    return values


def _parse_block_in_c(text: str, layout: Layout) -> np.ndarray | None:
    """numpy's C reader; None when it refuses the block (the Python scan then says why, or reads it)."""
    parsed = _loadtxt(text, None)
    if parsed is not None and parsed.shape[0] == 0:
        return np.empty((0, len(layout.indices)))
    if parsed is not None and parsed.shape[1] == layout.ncols:
        return parsed if layout.indices == list(range(layout.ncols)) else parsed[:, layout.indices]
    if parsed is None and layout.csv and len(layout.indices) < layout.ncols and '"' not in text:
        # Words in columns nobody asked for: only the asked ones are converted, and each row is
        # checked for the full number of fields (what numpy does not check with usecols).
        picked = _loadtxt(text, layout.indices)
        if picked is not None and _every_row_has(text, layout.ncols):
            return picked.reshape(-1, len(layout.indices))
    return None


def _loadtxt(text: str, usecols: list[int] | None) -> np.ndarray | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "input contained no data": a comment-only block
            return np.loadtxt(io.StringIO(text), delimiter=",", comments="#", quotechar='"', dtype=np.float64,
                              ndmin=2, usecols=usecols)
    except ValueError:
        return None


def _every_row_has(text: str, ncols: int) -> bool:
    """Every line that is not blank or a comment has ncols fields (no quotes in the block)."""
    commas = ncols - 1
    for line in text.split("\n"):
        if line.count(",") != commas:
            content = line.strip()
            if content and not content.startswith("#"):
                return False
    return True


def _scan_block(text: str, first_line: int, layout: Layout, label: str) -> tuple[np.ndarray, list[int], list[list[str]]]:
    """Line by line: the values, each row's line number and its cells as written; raises
    InputError naming the first line (and column) that is not a number."""
    rows, numbers, written = [], [], []
    for offset, line in enumerate(text.split("\n")):
        content = _content(line)
        if not content:
            continue
        number = first_line + offset
        if layout.csv:
            cells = _split_row(content)
            if len(cells) != layout.ncols:
                raise InputError(f"{label}: line {number}: expected {layout.ncols} field(s), found {len(cells)}")
            picked = [cells[i].strip() for i in layout.indices]
        else:
            picked = [content]
        row = []
        for j, cell in enumerate(picked):
            value = _number(cell)
            if value is None:
                raise InputError(_not_a_number(label, number, cell, layout, j))
            row.append(value)
        rows.append(row)
        numbers.append(number)
        written.append(picked)
    values = np.array(rows, dtype=np.float64).reshape(len(rows), len(layout.indices))
    return values, numbers, written


def _number(cell: str) -> float | None:
    """Python's float, without what numpy's C reader refuses (digit separators, non-ASCII digits)."""
    if not cell.isascii() or "_" in cell:
        return None
    try:
        return float(cell)
    except ValueError:
        return None


def _not_a_number(label: str, number: int, cell: str, layout: Layout, j: int) -> str:
    if not layout.csv:
        hint = NOT_ONE_NUMBER_HINT if "," in cell else ""
        return f"{label}: line {number}: {cell!r} is not a number{hint}"
    what = "an empty cell" if not cell else repr(cell)
    return f"{label}: line {number}, column {layout.in_messages[j]}: {what} is not a number"


def _refuse_nonfinite(text: str, first_line: int, layout: Layout, label: str, j: int, row: int) -> None:
    values, numbers, written = _scan_block(text, first_line, layout, label)
    cell = written[row][j]
    where = f"line {numbers[row]}" + (f", column {layout.in_messages[j]}" if layout.csv else "")
    core = cell.strip("'\"").strip().lower().lstrip("+-")
    shown = repr(cell) if core in ("nan", "inf", "infinity") else f"{cell!r} (reads as {reads_as(values[row, j])})"
    raise InputError(f"{label}: {where}: {shown} is not a finite number; add --drop-nonfinite to drop NaN/inf values")


# ---------------------------------------------------------------------------------------------
# CSV header and columns


def _split_row(line: str) -> list[str]:
    if '"' not in line:
        return line.split(",")
    import csv

    return next(csv.reader([line]), [])


def _csv_layout(content: str, label: str, selectors: list[str], flag: str,
                every_column: bool = False) -> tuple[Layout, bool]:
    cells = _split_row(content)
    ncols = len(cells)
    if not all(_number(cell.strip()) is not None for cell in cells):
        names = [cell.strip() for cell in cells]
        indices = list(range(ncols)) if every_column else _named_columns(names, selectors, label, flag)
        return Layout(True, ncols, indices, [names[i] for i in indices], [repr(names[i]) for i in indices]), True
    if every_column:
        raise UsageError(f"{label}: the first line is numbers; a data file needs a header row naming its columns")
    indices = _numbered_columns(ncols, selectors, label, flag)
    names = [""] if ncols == 1 else [f"column {i + 1}" for i in indices]
    return Layout(True, ncols, indices, names, [str(i + 1) for i in indices]), False


def _named_columns(names: list[str], selectors: list[str], label: str, flag: str) -> list[int]:
    """Columns by name; a CmdStan variable name alone (``theta``) picks all its elements
    (``theta.1``, ``theta.2``, ... and ``theta.1.2`` for matrices), in file order."""
    if not selectors:
        if len(names) == 1:
            return [0]
        raise UsageError(f"{label} has {len(names)} columns ({listing(names)}); choose one with {flag} NAME "
                         f"(repeatable)")
    indices: list[int] = []
    for wanted in (s.strip() for s in selectors):
        if wanted in names:
            found = [names.index(wanted)]
        else:
            found = [i for i, n in enumerate(names) if n.startswith(wanted + ".")]
        if not found:
            hint = (" (CmdStan names elements from 1 with dots: theta.1, theta.2)" if "[" in wanted else "")
            raise UsageError(f"{flag} '{wanted}' is not a column of {label}; its columns are {listing(names)}{hint}")
        indices += [i for i in found if i not in indices]
    return indices


def _numbered_columns(ncols: int, selectors: list[str], label: str, flag: str) -> list[int]:
    if not selectors:
        if ncols == 1:
            return [0]
        raise UsageError(f"{label} has {ncols} columns and no header row; choose one with {flag} N (1 to {ncols})")
    indices: list[int] = []
    for wanted in selectors:
        if not (wanted.strip().isdigit() and 1 <= int(wanted) <= ncols):
            raise UsageError(f"{flag} '{wanted}': {label} has no header row, so columns are numbered 1 to {ncols}")
        if int(wanted) - 1 not in indices:
            indices.append(int(wanted) - 1)
    return indices
