"""Binary and JSON draws: ``.npy`` (memory-mapped), ``.npz`` (one array per sample site, as
``numpy.savez(path, **mcmc.get_samples())`` writes them) and a JSON array of numbers."""

from __future__ import annotations

import io
import zipfile
import zlib

import numpy as np

from priorcli.errors import InputError, UsageError
from priorcli.readers.common import (
    Variable,
    check_numeric,
    chosen_names,
    expand_elements,
    finish_values,
    parse_selector,
    positions,
    shape_text,
)


def open_error(path: str, exc: OSError) -> InputError:
    if isinstance(exc, FileNotFoundError):
        reason = "no such file"
    elif isinstance(exc, IsADirectoryError):
        reason = "it is a directory"
    elif isinstance(exc, PermissionError):
        reason = "permission denied"
    else:
        reason = exc.strerror or str(exc)
    return InputError(f"cannot read input file '{path}': {reason}")


# ---------------------------------------------------------------------------------------------
# .npy


def read_npy(path: str, drop_nonfinite: bool, data: bytes | None = None) -> Variable:
    """A 1-D array or one column. Memory-mapped, so only the float64 copy the summary sorts is
    ever in memory (an int or float32 file is converted straight from the map). ``data``: the
    bytes of a file that is not a regular one (a FIFO), read once by the caller."""
    try:
        if data is not None:
            mapped = np.load(io.BytesIO(data), allow_pickle=False)
        else:
            mapped = np.load(path, mmap_mode="r", allow_pickle=False)
    except OSError as exc:
        if isinstance(exc, (FileNotFoundError, IsADirectoryError, PermissionError)):
            raise open_error(path, exc) from None
        raise InputError(f"'{path}' is not a readable .npy file: {exc}") from None
    except (ValueError, EOFError) as exc:
        raise InputError(f"'{path}' is not a readable .npy file: {exc}") from None
    if not isinstance(mapped, np.ndarray):
        if hasattr(mapped, "close"):
            mapped.close()
        raise InputError(f"'{path}' is an .npz archive, not a single .npy array")
    check_numeric(mapped.dtype, f"'{path}'")
    if mapped.ndim == 2 and mapped.shape[1] == 1:
        column, where = mapped[:, 0], (lambda i: f"row {i}")
    elif mapped.ndim == 1:
        column, where = mapped, (lambda i: f"element [{i}]")
    else:
        raise InputError(f"'{path}' holds an array of shape {mapped.shape}; expected 1-D draws or a single column")
    try:
        values = np.array(column, dtype=np.float64, order="C", copy=True)
    except (OSError, ValueError) as exc:  # a file shorter than its header says
        raise InputError(f"'{path}' is not a readable .npy file: {exc}") from None
    del column, mapped
    return finish_values("", values, path, where, drop_nonfinite)


# ---------------------------------------------------------------------------------------------
# .npz


def read_npz(path: str, selectors: list[str], flag: str, drop_nonfinite: bool,
             data: bytes | None = None) -> list[Variable]:
    """Axis 0 of each array is the draw axis (``mcmc.get_samples()``, ``Predictive``); further
    axes are elements, picked with ``NAME[i]`` or all shown when NAME is given alone. ``data``:
    the bytes of a file that is not a regular one, read once by the caller."""
    try:
        if data is not None:
            is_zip = zipfile.is_zipfile(io.BytesIO(data))
        else:
            with open(path, "rb") as handle:
                is_zip = zipfile.is_zipfile(handle)
        if not is_zip:  # else numpy takes it for a pickle and says so
            raise InputError(f"'{path}' is not a readable .npz file: it is not a zip archive")
        archive = np.load(io.BytesIO(data) if data is not None else path, allow_pickle=False)
    except OSError as exc:
        if isinstance(exc, (FileNotFoundError, IsADirectoryError, PermissionError)):
            raise open_error(path, exc) from None
        raise InputError(f"'{path}' is not a readable .npz file: {exc}") from None
    except (ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise InputError(f"'{path}' is not a readable .npz file: {exc}") from None
    if isinstance(archive, np.ndarray):
        raise InputError(f"'{path}' is a single .npy array, not an .npz archive; name it .npy")
    with archive:
        names = list(archive.files)
        foreign = next((m for m in archive.zip.namelist() if not m.endswith(".npy")), None)
        if foreign is not None:  # numpy would hand its bytes over as if they were an array
            raise InputError(f"'{path}': member '{foreign}' is not a .npy array; an .npz archive holds "
                             f"only .npy members (numpy.savez writes them)")
        if not names:
            raise InputError(f"'{path}': no values to summarize (the archive holds no arrays)")
        selectors = chosen_names(selectors, names, f"'{path}'", "arrays", lambda: _describe(archive, names), flag)
        loaded: dict[str, np.ndarray] = {}
        out: list[Variable] = []
        for text in selectors:
            name, parts = parse_selector(text, flag)
            index = positions(name, parts, flag)
            if name not in names:
                raise UsageError(f"{flag} '{text}' is not an array of '{path}'; it holds {_describe(archive, names)}")
            if name not in loaded:
                loaded[name] = _load_member(archive, name, path)
            for label, values in expand_elements(name, loaded[name], 1, index, flag, owned=True):
                out.append(finish_values(label, values, path, lambda i, label=label: f"{label}, draw {i}",
                                         drop_nonfinite))
        return out


def _load_member(archive, name: str, path: str) -> np.ndarray:
    try:
        array = archive[name]
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise InputError(f"'{path}': array '{name}' cannot be read: {exc}") from None
    check_numeric(array.dtype, f"'{path}': array '{name}'")
    if array.ndim == 0:
        raise InputError(f"'{path}': array '{name}' is a single number, not draws")
    return array


def _describe(archive, names: list[str]) -> str:
    """'mu' (1000,), 'theta' (1000, 8): the shapes come from the headers, without reading data."""
    parts = []
    for name in names:
        shape = _member_shape(archive, name)
        parts.append(f"{name!r}" + (f" {shape_text(shape)}" if shape is not None else ""))
    return ", ".join(parts)


def _member_shape(archive, name: str) -> tuple[int, ...] | None:
    try:
        with archive.zip.open(name + ".npy") as member:
            fmt = np.lib.format
            version = fmt.read_magic(member)
            read_header = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
            shape, _, _ = read_header(member)
        return tuple(shape)
    except Exception:  # noqa: BLE001 - only decorates a message; the read itself reports real errors
        return None


# ---------------------------------------------------------------------------------------------
# .json


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


def read_json(text: str, label: str, drop_nonfinite: bool) -> Variable:
    import json

    try:
        # Integers are read as floats, as every other number is: one longer than Python's int
        # parsing limit (4300 digits) or beyond float64 is then +-inf, refused below with its
        # element (or dropped with --drop-nonfinite), like 1e999.
        data = json.loads(text, parse_int=float)
    except json.JSONDecodeError as exc:
        raise InputError(f"{label}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise InputError(f"{label}: JSON nested too deeply") from None
    if not isinstance(data, list):
        raise InputError(f"{label}: expected a JSON array of numbers, found {_json_kind(data)}")
    for i, value in enumerate(data):
        if type(value) not in (int, float):
            raise InputError(f"{label}: element [{i}] is {_json_kind(value)}, not a number")
    values = np.fromiter(data, dtype=np.float64, count=len(data))
    return finish_values("", values, label, lambda i: f"element [{i}]", drop_nonfinite)
