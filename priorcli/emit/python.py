"""What the two Python emitters (numpyro, PyMC) share: the constants and the quantile printout (local
names: :func:`priorcli.model_source.python_locals`)."""

from __future__ import annotations

PRINT_QUANTILES = '''\
def print_quantiles(draws, quantiles):
    """One row per quantile, one column per variable, as `priorcli sample --model` shows them."""
    width = max([12] + [len(name) for name in draws]) + 2
    print("quantile".ljust(10) + "".join(name.rjust(width) for name in draws))
    for p in quantiles:
        row = [float(np.quantile(np.asarray(values, dtype=np.float64).ravel(), p)) for values in draws.values()]
        print(f"q{p!r}".ljust(10) + "".join(f"{v:.6g}".rjust(width) for v in row))
'''


def constants_block(seed: int, draws: int, quantiles) -> list[str]:
    return [
        f"    SEED = {int(seed)}",
        f"    DRAWS = {int(draws)}",
        f"    QUANTILES = ({', '.join(repr(float(q)) for q in quantiles)},)",
    ]
