"""Reference for the large `priorcli sample` rows: the same summary with numpy alone.

    python benchmarks/numpy_reference.py N [--log-bins B]

draws N lognormal(0, 1) values, takes the quantiles priorcli shows by default, the mean and the
sd, and a histogram: 50 equal bins, or with ``--log-bins B`` B bins equal in log x (the histogram
of log x, what `priorcli sample ... --log-x` draws); prints them as JSON. benchmarks/run.py times
this script against `priorcli sample lognormal -n N ...`.
"""

import json
import sys

import numpy as np

QUANTILES = [0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975]


def main() -> None:
    args = sys.argv[1:]
    log_bins = None
    if "--log-bins" in args:
        i = args.index("--log-bins")
        log_bins = int(args[i + 1])
        del args[i : i + 2]
    n = int(float(args[0])) if args else 10_000_000
    x = np.random.default_rng(0).lognormal(0.0, 1.0, n)
    q = np.quantile(x, QUANTILES)
    if log_bins is None:
        counts, edges = np.histogram(x, bins=50)
    else:
        counts, log_edges = np.histogram(np.log(x), bins=log_bins)
        edges = np.exp(log_edges)
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
