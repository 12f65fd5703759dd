"""Reference for the `numpyro-file` row: `numpyro.infer.Predictive` on benchmarks/numpyro_model.py in a
bare script (float64, as priorcli draws), then the quantiles of every site with numpy, as JSON.

    python benchmarks/numpyro_file_reference.py N X1,X2,...
"""

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np

QUANTILES = [0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975]


def main() -> None:
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import numpyro

    n = int(sys.argv[1])
    x = jnp.asarray([float(v) for v in sys.argv[2].split(",")])
    spec = importlib.util.spec_from_file_location("bench_model", Path(__file__).with_name("numpyro_model.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    draws = numpyro.infer.Predictive(module.model, num_samples=n)(jax.random.PRNGKey(0), x=x)
    out = {}
    for name, values in draws.items():
        values = np.asarray(values, dtype=np.float64).reshape(-1)
        out[name] = {"mean": float(values.mean()), "sd": float(values.std(ddof=1)),
                     "quantiles": dict(zip(map(str, QUANTILES), np.quantile(values, QUANTILES).tolist()))}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
