"""ArviZ InferenceData saved as NetCDF (``idata.to_netcdf("prior.nc")`` from PyMC or numpyro).

Each InferenceData group (``prior``, ``posterior``, ``prior_predictive``, ...) is a NetCDF group;
its variables have ``chain`` and ``draw`` dimensions first, then their own. Read with xarray and
its h5netcdf engine, imported only here: other inputs never pay for xarray (and pandas).
"""

from __future__ import annotations

import io

import numpy as np

from priorcli.errors import InputError, PriorError, UsageError
from priorcli.readers.common import (
    Variable,
    check_numeric,
    chosen_names,
    element_label,
    expand_elements,
    finish_values,
    parse_selector,
    shape_text,
)

DEFAULT_GROUPS = ("prior", "posterior")
SAMPLE_DIMS = ("chain", "draw")


# What the h5netcdf engine needs, imported up front so that a missing one is named: h5netcdf 1.8
# no longer depends on h5py (pyproject.toml declares it), and xarray's own message would not say so.
ENGINE_MODULES = ("xarray", "h5netcdf", "h5py")


def read_netcdf(path: str, *, group: str | None, selectors: list[str], flag: str,
                drop_nonfinite: bool, open_error, data: bytes | None = None) -> tuple[str, list[Variable]]:
    """(the group read, its variables): chains and draws pooled, chain after chain. ``data``: the
    bytes of a file that is not a regular one (a FIFO), read once by the caller."""
    import importlib

    for module in ENGINE_MODULES:
        try:
            importlib.import_module(module)
        except ImportError:
            raise InputError(f"reading .nc files needs the {module} package (pip install {module})") from None
    import xarray

    if data is None:
        try:
            open(path, "rb").close()
        except OSError as exc:
            raise open_error(path, exc) from None
    source = path if data is None else io.BytesIO(data)
    tree = _guarded(path, lambda: xarray.open_datatree(source, engine="h5netcdf", cache=False))
    try:
        return _read_group(tree, path, group, selectors, flag, drop_nonfinite)
    finally:
        tree.close()


def _guarded(path: str, action):
    """Run ``action`` on the file; a damaged or foreign file becomes one InputError line."""
    try:
        return action()
    except PriorError:
        raise
    except Exception as exc:  # noqa: BLE001 - h5py/xarray raise many types for a bad file
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"'{path}' is not a readable NetCDF file: {reason}") from None


def _read_group(tree, path: str, group: str | None, selectors: list[str], flag: str,
                drop_nonfinite: bool) -> tuple[str, list[Variable]]:
    groups = [name for name, node in tree.children.items() if node.has_data or node.children]
    if group is None:
        group = next((g for g in DEFAULT_GROUPS if g in groups), None)
        if group is None:
            raise UsageError(f"'{path}' has no prior or posterior group; choose one with --group: "
                             f"{', '.join(groups) or '(it has no groups)'}")
    elif group not in groups:
        raise UsageError(f"--group '{group}' is not in '{path}'; its groups are {', '.join(groups) or '(none)'}")
    dataset = tree[group].to_dataset()
    names = [str(n) for n in dataset.data_vars]
    if not names:
        raise InputError(f"'{path}': group '{group}' holds no variables")
    selectors = chosen_names(selectors, names, f"group '{group}' of '{path}'", "variables",
                             lambda: _describe(dataset, names), flag)
    out: list[Variable] = []
    for text in selectors:
        name, parts = parse_selector(text, flag)
        if name not in names:
            raise UsageError(f"{flag} '{text}' is not a variable of group '{group}' in '{path}'; "
                             f"it has {_describe(dataset, names)}")
        out += _read_variable(dataset[name], name, parts, path, group, flag, drop_nonfinite)
    return group, out


def _read_variable(array, name: str, parts, path: str, group: str, flag: str,
                   drop_nonfinite: bool) -> list[Variable]:
    """Elements are named by their coordinate labels, as ArviZ's summary names them
    (``theta[Choate]``; ``theta[0]`` for ArviZ's default integer coordinates)."""
    check_numeric(array.dtype, f"'{path}': {group}/{name}")
    sample_dims = [d for d in SAMPLE_DIMS if d in array.dims]
    element_dims = [d for d in array.dims if d not in sample_dims]
    ndraws = array.sizes["draw"] if "draw" in sample_dims else 0
    labels = [_coordinate_labels(array, d) for d in element_dims]
    if parts is not None:
        index = _element_position(name, parts, element_dims, labels, flag)
        array = array.isel(dict(zip(element_dims, index)))  # reads only that element from the file
        element_dims, names = [], [element_label(name, [labels[k][i] for k, i in enumerate(index)])]
    else:
        names = [element_label(name, [labels[k][i] for k, i in enumerate(idx)])
                 for idx in np.ndindex(*(len(lab) for lab in labels))]
    values = _guarded(path, lambda: np.asarray(array.transpose(*sample_dims, *element_dims).values))
    # Without chain/draw dimensions (observed_data, constant_data) all values form one sample.
    sample_ndim = len(sample_dims) if sample_dims else values.ndim
    if values.ndim == 0:
        values, sample_ndim = values.reshape(1), 1
    owned = values.flags.writeable  # cache=False: a fresh array from the file
    out = []
    for label, (_, column) in zip(names, expand_elements(name, values, sample_ndim, None, flag, owned=owned)):
        out.append(finish_values(label, column, path, _locator(label, group, ndraws, sample_dims), drop_nonfinite))
    return out


def _coordinate_labels(array, dim: str) -> list[str]:
    if dim in array.coords:
        return [str(v) for v in array.coords[dim].values]
    return [str(i) for i in range(array.sizes[dim])]


def _element_position(name: str, parts: tuple[str, ...], dims: list[str], labels: list[list[str]],
                      flag: str) -> tuple[int, ...]:
    """Each index is a coordinate label (``theta[Choate]``) or, failing that, a 0-based position."""
    asked = f"{flag} '{element_label(name, parts)}'"
    if not dims:
        raise UsageError(f"{asked}: {name} is a scalar per draw; use {flag} {name}")
    if len(parts) != len(dims):
        raise UsageError(f"{asked}: {name} has {len(dims)} element dimension(s) ({', '.join(dims)}); "
                         f"give {len(dims)} index(es)")
    index = []
    for part, dim, known in zip(parts, dims, labels):
        if part in known:
            index.append(known.index(part))
        elif part.isdigit() and int(part) < len(known):
            index.append(int(part))
        else:
            shown = ", ".join(known[:8]) + (", ..." if len(known) > 8 else "")
            raise UsageError(f"{asked}: '{part}' is not a label of {dim} ({shown}) nor a position 0..{len(known) - 1}")
    return tuple(index)


def _locator(label: str, group: str, ndraws: int, sample_dims: list[str]):
    def where(i: int) -> str:
        if sample_dims == ["chain", "draw"] and ndraws:
            return f"{group}/{label} chain {i // ndraws}, draw {i % ndraws}"
        return f"{group}/{label} value {i}"

    return where


def _describe(dataset, names: list[str]) -> str:
    parts = []
    for name in names:
        array = dataset[name]
        shape = tuple(array.sizes[d] for d in array.dims if d not in SAMPLE_DIMS)
        parts.append(f"{name!r}" + (f" {shape_text(shape)}" if shape else ""))
    return ", ".join(parts)
