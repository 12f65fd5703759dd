"""What the two Python emitters (numpyro, PyMC) share: local names and the quantile printout."""

from __future__ import annotations

import builtins
import keyword

PRINT_QUANTILES = '''\
def print_quantiles(draws, quantiles):
    """One row per quantile, one column per variable, as `priorcli sample --model` shows them."""
    width = max([12] + [len(name) for name in draws]) + 2
    print("quantile".ljust(10) + "".join(name.rjust(width) for name in draws))
    for p in quantiles:
        row = [float(np.quantile(np.asarray(values, dtype=np.float64).ravel(), p)) for values in draws.values()]
        print(f"q{p!r}".ljust(10) + "".join(f"{v:.6g}".rjust(width) for v in row))
'''


def python_locals(names, taken_globals) -> dict[str, str]:
    """Model variable -> Python name in the emitted file: the same name unless it would shadow one
    of the file's own names or a builtin (then a trailing '_' is added). The framework's variable
    (numpyro site, PyMC name) always keeps the model's name."""
    taken = set(names) | set(taken_globals)
    avoid = set(taken_globals) | set(dir(builtins)) | set(keyword.kwlist)
    out = {}
    for name in names:
        local = name
        if local in avoid:
            local = name + "_"
            while local in taken:
                local += "_"
            taken.add(local)
        out[name] = local
    return out


def constants_block(seed: int, draws: int, quantiles) -> list[str]:
    return [
        f"    SEED = {int(seed)}",
        f"    DRAWS = {int(draws)}",
        f"    QUANTILES = ({', '.join(repr(float(q)) for q in quantiles)},)",
    ]
