"""Reference for the `priorcli summarize --input` rows: the same summary with numpy alone.

    python benchmarks/numpy_input_reference.py loadtxt PATH   # numpy.loadtxt + numpy.quantile
    python benchmarks/numpy_input_reference.py load PATH      # numpy.load + numpy.quantile
    python benchmarks/numpy_input_reference.py load-only PATH # numpy.load alone
    python benchmarks/numpy_input_reference.py loadtxt -      # numpy.loadtxt(sys.stdin) + numpy.quantile

reads the draws, takes the quantiles priorcli shows by default, the mean and the sd, and prints
them as JSON. benchmarks/run.py times this script against `priorcli summarize --input PATH
--no-plot --format json`.
"""

import json
import sys

import numpy as np

QUANTILES = [0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975]


def main() -> None:
    how, path = sys.argv[1], sys.argv[2]
    if how == "loadtxt":
        x = np.loadtxt(sys.stdin if path == "-" else path)
    else:
        x = np.load(path)
    if how == "load-only":
        json.dump({"n": int(x.size)}, sys.stdout)
        return
    q = np.quantile(x, QUANTILES + [0.5])
    out = {
        "n": int(x.size),
        "mean": float(x.mean()),
        "sd": float(x.std(ddof=1)),
        "median": float(q[-1]),
        "quantiles": {str(p): float(v) for p, v in zip(QUANTILES, q)},
    }
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
