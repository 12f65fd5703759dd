"""What the two Python emitters (numpyro, PyMC) share: the constants and the quantile printout (local
names: :func:`priorcli.model.source.python_locals`)."""

from __future__ import annotations

PRINT_QUANTILES = '''\
def print_quantiles(draws, quantiles, sizes=None):
    """One row per quantile, one column per variable (per component NAME[i] of a vector variable of
    sizes), as `priorcli sample --model` shows them."""
    columns = {}
    for name, values in draws.items():
        values = np.asarray(values, dtype=np.float64)
        if sizes and name in sizes:
            values = values.reshape(-1, sizes[name])
            columns.update({f"{name}[{i}]": values[:, i] for i in range(sizes[name])})
        else:
            columns[name] = values.ravel()
    draws = columns
    width = max([12] + [len(name) for name in draws]) + 2
    print("quantile".ljust(10) + "".join(name.rjust(width) for name in draws))
    for p in quantiles:
        row = [float(np.quantile(values, p)) for values in draws.values()]
        print(f"q{p!r}".ljust(10) + "".join(f"{v:.6g}".rjust(width) for v in row))
'''


def constants_block(seed: int, draws: int, quantiles) -> list[str]:
    return [
        f"    SEED = {int(seed)}",
        f"    DRAWS = {int(draws)}",
        f"    QUANTILES = ({', '.join(repr(float(q)) for q in quantiles)},)",
    ]


def sizes_argument(variables, show) -> str:
    """``, {"theta": 3}`` for the vector variables among ``show`` (nothing when there are none)."""
    sizes = {v.name: v.statement.size for v in variables if v.name in show and v.statement.size is not None}
    return f", {sizes!r}" if sizes else ""


def matrix_indices(v) -> tuple[list[int], list[int]] | None:
    """(rows, cols) of the elements a matrix variable holds (LKJ's r[0,1], r[0,2], ...), from its
    family's record; None for any other variable."""
    from priorcli.model.tree import matrix_dimension

    found = matrix_dimension(v.statement.expr) if v.random else None
    if found is None:
        return None
    pairs = found[0].matrix.indices(found[1])
    return [i for i, _ in pairs], [j for _, j in pairs]


def draws_argument(variables, show, value: str) -> str:
    """The dict of draws the program prints: ``{name: VALUE for name in [...]}`` (VALUE a format of
    ``name``, e.g. ``prior[{name}]``), a matrix variable as the elements priorcli shows (its draws
    indexed ``[..., rows, cols]``)."""
    by_name = {v.name: v for v in variables}
    matrices = {name: matrix_indices(by_name[name]) for name in show if matrix_indices(by_name[name]) is not None}
    if not matrices:
        return f"{{name: {value.format(name='name')} for name in {list(show)!r}}}"
    items = []
    for name in show:
        one = value.format(name=repr(name))
        if name in matrices:
            rows, cols = matrices[name]
            one = f"np.asarray({one})[..., {rows!r}, {cols!r}]"
        items.append(f"{name!r}: {one}")
    return "{" + ", ".join(items) + "}"
