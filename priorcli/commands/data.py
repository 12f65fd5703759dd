"""``--data``: values given to a model from outside, ``NAME=1,2,3`` (a vector; ``NAME=5`` a number,
``NAME=[5]`` a vector of one value) or a file: CSV with a header row (each column a vector, one
element per row; CmdStan-style ``x.1, x.2, ...`` columns make the vector ``x`` of a one-row file)
or a JSON object of numbers and arrays of numbers (CmdStan's data format). Shared by
``sample --model`` and ``sample --numpyro``. Raises PriorError subclasses: a file that cannot be
opened is an InputError (exit 1), anything wrong inside it a UsageError (exit 2)."""

from __future__ import annotations

import math
import re

from priorcli.errors import InputError, UsageError
from priorcli.families.registry import number_in
from priorcli.model.tree import DataItem

_INLINE = re.compile(r"^\s*([^\W\d]\w*)\s*=(.*)$", re.DOTALL)
_CMDSTAN = re.compile(r"^(.+)\.(\d+)$")


class _Unreadable(InputError):
    """The file cannot be opened (kept as exit 1; every other problem of a data file is exit 2)."""


def read_data(items: list[str] | None) -> tuple[DataItem, ...]:
    """Every ``--data`` item, in order (the model parser refuses a name given twice)."""
    out: list[DataItem] = []
    for item in items or []:
        match = _INLINE.match(item)
        out += [_inline(item, match.group(1), match.group(2))] if match else _file(item)
    return tuple(out)


def _inline(item: str, name: str, text: str) -> DataItem:
    where = f"--data '{item}'"
    body = text.strip()
    bracketed = body.startswith("[") and body.endswith("]")
    if bracketed:
        body = body[1:-1]
    cells = [c.strip() for c in body.split(",")]
    if not body.strip() or not all(cells):
        raise UsageError(f"{where}: expected NAME=V or NAME=V,V,... (numbers separated by commas), "
                         "e.g. --data x=1,2,3")
    values = tuple(number_in(c, where) for c in cells)
    return DataItem(name, values, vector=bracketed or len(values) > 1, source=where)


def _file(path: str) -> list[DataItem]:
    where = f"--data '{path}'"
    if path.lower().endswith(".json"):
        return _json(path, where)
    from priorcli.readers.arrays import open_error
    from priorcli.readers.text import read_text_file

    def unreadable(p: str, exc: OSError) -> InputError:
        return _Unreadable(f"--data: {open_error(p, exc)}")

    try:
        columns = read_text_file(path, csv=True, selectors=[], flag="--data", drop_nonfinite=False,
                                 open_error=unreadable, every_column=True)
    except _Unreadable:
        raise
    except (InputError, UsageError) as exc:
        message = str(exc).replace("; add --drop-nonfinite to drop NaN/inf values", "")
        raise UsageError(f"--data {message}") from None
    return _columns([(c.name, c.values) for c in columns], where)


def _columns(columns: list, where: str) -> list[DataItem]:
    """Plain columns are vectors; ``x.1 .. x.K`` columns (CmdStan) one vector ``x`` of a one-row file,
    whose plain columns are then numbers."""
    dotted = [c for c in columns if _CMDSTAN.match(c[0])]
    if not dotted:
        return [DataItem(name, tuple(float(v) for v in values), True, where) for name, values in columns]
    rows = len(columns[0][1])
    if rows != 1:
        raise UsageError(f"{where}: CmdStan-style columns ('{dotted[0][0]}', ...) give a vector per row, a "
                         f"matrix; the model language has vectors: give one row (x.1, x.2, ... as one vector) "
                         f"or one column per vector ({rows} rows here)")
    out: list[DataItem] = []
    groups: dict[str, list[tuple[int, float]]] = {}
    for name, values in columns:
        match = _CMDSTAN.match(name)
        if match is None:
            out.append(DataItem(name, (float(values[0]),), False, where))
        else:
            groups.setdefault(match.group(1), []).append((int(match.group(2)), float(values[0])))
    for stem, elements in groups.items():
        indices = sorted(i for i, _ in elements)
        if indices != list(range(1, len(indices) + 1)):
            raise UsageError(f"{where}: the columns of '{stem}' are numbered {indices}; CmdStan numbers a "
                             f"vector's elements 1, 2, ..., K")
        out.append(DataItem(stem, tuple(v for _, v in sorted(elements)), True, where))
    return out


def _json(path: str, where: str) -> list[DataItem]:
    import json

    try:
        with open(path, encoding="utf-8-sig") as handle:
            doc = json.loads(handle.read(), parse_int=float)
    except OSError as exc:
        from priorcli.readers.arrays import open_error

        raise _Unreadable(f"--data: {open_error(path, exc)}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{where}: not UTF-8 text (bad byte at offset {exc.start})") from None
    except (json.JSONDecodeError, RecursionError) as exc:
        raise UsageError(f"{where}: not valid JSON ({getattr(exc, 'msg', 'nested too deeply')})") from None
    if not isinstance(doc, dict):
        raise UsageError(f"{where}: expected a JSON object of names and values, e.g. {{\"x\": [1, 2, 3]}}")
    out = []
    for name, value in doc.items():
        vector = isinstance(value, list)
        cells = value if vector else [value]
        if not cells or not all(type(c) is float for c in cells):
            raise UsageError(f"{where}: '{name}' must be a number or a non-empty array of numbers")
        if not all(math.isfinite(c) for c in cells):
            raise UsageError(f"{where}: '{name}' holds a value that is not a finite number")
        out.append(DataItem(name, tuple(cells), vector, where))
    return out


def unused_warning(names: tuple[str, ...]) -> None:
    """One ``Warning:`` line for data the model does not use (a data file often has more columns)."""
    if names:
        import warnings

        from priorcli.errors import PriorWarning

        warnings.warn(f"--data: {', '.join(repr(n) for n in names)} not used by the model", PriorWarning,
                      stacklevel=2)
