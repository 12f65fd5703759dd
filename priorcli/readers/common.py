"""What every reader shares: the Variable it returns, ``NAME[i,j]`` selectors, element expansion of
arrays with draw axes, and the refusal (or dropping) of NaN/inf values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np

from priorcli.errors import InputError, UsageError

# The draws of one variable are handed over owned, C-contiguous and writable: the summary sorts
# them in place so that peak memory stays one copy of the data.


@dataclass(frozen=True)
class Variable:
    name: str  # as the source names it: a column, an array, 'theta[2]', or '' for unnamed draws
    values: np.ndarray  # 1-D float64, finite, owned by the caller from now on
    dropped: int = 0  # non-finite values dropped (only with drop_nonfinite)


_SELECTOR = re.compile(r"^\s*([^\[\]]*?)\s*(?:\[([^\[\]]*)\])?\s*$")


def parse_selector(text: str, flag: str) -> tuple[str, tuple[str, ...] | None]:
    """``theta`` -> ('theta', None); ``theta[2]`` / ``theta[0, 1]`` -> ('theta', ('0', '1'))."""
    match = _SELECTOR.match(text)
    if not match or not match.group(1):
        raise UsageError(f"{flag} '{text}': expected NAME or NAME[i] (NAME[i,j] for a matrix element)")
    name, inside = match.group(1), match.group(2)
    if inside is None:
        return name, None
    parts = tuple(p.strip() for p in inside.split(","))
    if not all(parts):
        raise UsageError(f"{flag} '{text}': an empty index; write e.g. {name}[0] or {name}[0,1]")
    return name, parts


def positions(name: str, parts: tuple[str, ...] | None, flag: str) -> tuple[int, ...] | None:
    """0-based positions from parse_selector's index parts (arrays without coordinate labels)."""
    if parts is None:
        return None
    if not all(p.isdigit() for p in parts):
        raise UsageError(f"{flag} '{name}[{','.join(parts)}]': indices must be non-negative integers, "
                         f"e.g. {name}[0] or {name}[0,1]")
    return tuple(int(p) for p in parts)


def element_label(name: str, index) -> str:
    return f"{name}[{','.join(str(i) for i in index)}]" if index else name


def shape_text(shape: tuple[int, ...]) -> str:
    return str(tuple(shape))


def check_numeric(dtype: np.dtype, what: str) -> None:
    """Integers, floats, and booleans as 0/1 (sample_stats' ``diverging``: its mean is the rate)."""
    if dtype.kind not in "iufb":
        raise InputError(f"{what} holds {dtype} data; expected numbers (integer, float or boolean)")


def expand_elements(name: str, array, sample_ndim: int, index: tuple[int, ...] | None, flag: str,
                    owned: bool) -> list[tuple[str, np.ndarray]]:
    """The draws of ``name`` (axes: ``sample_ndim`` draw axes, then element axes) as 1-D float64
    arrays: the one element ``index`` picks, or every element in C order when ``index`` is None.
    ``owned``: ``array`` is a fresh array of this reader's, so a contiguous float64 view may be
    handed on without copying."""
    element_shape = tuple(array.shape[sample_ndim:])
    if index is None:
        indices = list(np.ndindex(*element_shape))
    else:
        if len(index) != len(element_shape) or any(i >= s for i, s in zip(index, element_shape)):
            raise UsageError(_index_message(name, index, element_shape, flag))
        indices = [index]
    prefix = (slice(None),) * sample_ndim
    out = []
    for idx in indices:
        part = array[prefix + tuple(idx)]
        if owned:
            values = np.ascontiguousarray(part, dtype=np.float64).reshape(-1)
        else:
            values = np.array(part, dtype=np.float64, order="C", copy=True).reshape(-1)
        out.append((element_label(name, tuple(idx)), values))
    return out


def _index_message(name: str, index: tuple[int, ...], element_shape: tuple[int, ...], flag: str) -> str:
    asked = f"{flag} '{element_label(name, index)}'"
    if not element_shape:
        return f"{asked}: {name} is a scalar per draw; use {flag} {name}"
    ranges = ", ".join(f"0..{s - 1}" for s in element_shape)
    return f"{asked}: {name} has shape {shape_text(element_shape)} per draw; indices are 0-based ({ranges})"


def unique(items: Iterable[tuple[str, np.ndarray]]) -> list[tuple[str, np.ndarray]]:
    seen, out = set(), []
    for name, values in items:
        if name not in seen:
            seen.add(name)
            out.append((name, values))
    return out


def finish_values(name: str, values: np.ndarray, label: str, where: Callable[[int], str],
                  drop_nonfinite: bool) -> Variable:
    """Refuse (or drop) NaN/inf; ``where(i)`` names the i-th value in messages."""
    if values.size == 0:
        raise InputError(f"{label}: no values to summarize{f' in {name}' if name else ''} (the input is empty)")
    finite = np.isfinite(values)
    if finite.all():
        return Variable(name, values)
    if not drop_nonfinite:
        first = int(np.argmin(finite))
        raise InputError(f"{label}: {where(first)}: {reads_as(values[first])} is not a finite number; "
                         f"add --drop-nonfinite to drop NaN/inf values")
    kept = values[finite]
    dropped = int(values.size - kept.size)
    if kept.size == 0:
        raise InputError(f"{label}: no finite values{f' in {name}' if name else ''}: "
                         f"all {dropped} values are NaN or +-inf")
    return Variable(name, kept, dropped)


def reads_as(value: float) -> str:
    if np.isnan(value):
        return "nan"
    return "inf" if value > 0 else "-inf"


def listing(names: Iterable[str]) -> str:
    """'a', 'b', 'theta.1' .. 'theta.8' (8 columns): CmdStan files have dozens of numbered columns."""
    names = list(names)
    out, i = [], 0
    while i < len(names):
        stem = names[i].split(".", 1)[0] if "." in names[i] else None
        j = i
        while stem is not None and j + 1 < len(names) and names[j + 1].startswith(stem + "."):
            j += 1
        if j - i >= 3:
            out.append(f"{names[i]!r} .. {names[j]!r} ({j - i + 1} columns)")
        else:
            out.extend(repr(n) for n in names[i : j + 1])
        i = j + 1
    return ", ".join(out)


def chosen_names(selectors: list[str], names: list[str], holder: str, kind: str, describe: Callable[[], str],
                 flag: str) -> list[str]:
    """The selectors as given, or the one name the file holds when none is given (a usage error
    listing them when it holds several). ``holder`` is "'draws.npz'" or "group 'prior' of 'x.nc'"."""
    if selectors:
        return selectors
    if len(names) > 1:
        raise UsageError(f"{holder} holds {len(names)} {kind} ({describe()}); choose with {flag} NAME (repeatable)")
    return names
