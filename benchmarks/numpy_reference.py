"""Reference for the large `priorcli sample` rows: the same summary with numpy alone.

    python benchmarks/numpy_reference.py N

draws N lognormal(0, 1) values, takes the quantiles priorcli shows by default, a 50-bin
histogram, the mean and the sd, and prints them as JSON. benchmarks/run.py times this script
against `priorcli sample lognormal -n N --format json`.
"""

import json
import sys

import numpy as np

QUANTILES = [0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975]


def main() -> None:
    n = int(float(sys.argv[1])) if len(sys.argv) > 1 else 10_000_000
    x = np.random.default_rng(0).lognormal(0.0, 1.0, n)
    q = np.quantile(x, QUANTILES)
    counts, edges = np.histogram(x, bins=50)
    out = {
        "n": n,
        "mean": float(x.mean()),
        "sd": float(x.std()),
        "quantiles": {str(p): float(v) for p, v in zip(QUANTILES, q)},
        "histogram": {"counts": counts.tolist(), "edges": edges.tolist()},
    }
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
