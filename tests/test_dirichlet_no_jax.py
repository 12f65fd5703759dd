"""A Dirichlet solve is closed form or a 1-D root (scipy): it reads the record, not numpyro."""

import json
import subprocess
import sys

import numpy as np
import pytest
import scipy.stats as st


@pytest.mark.slow
@pytest.mark.parametrize("targets, concentration", [
    (["--mean", "0.2,0.3,0.5", "--count", "10"], [2.0, 3.0, 5.0]),  # concentration = mean * count
    (["--mode", "0.2,0.3,0.5", "--bound", "0.1", "--mass", "0.9"], None),
])
def test_dirichlet_solve_does_not_import_jax(targets, concentration):
    code = ("import sys, json; from typer.testing import CliRunner; from priorcli.cli import app; "
            f"r = CliRunner().invoke(app, ['solve', 'dirichlet', *{targets!r}, '--format', 'json']); "
            "assert r.exit_code == 0, r.output; assert 'jax' not in sys.modules, 'jax imported'; "
            "print(json.dumps(json.loads(r.stdout)['params']['concentration']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    a = np.array(json.loads(done.stdout))
    if concentration is not None:
        np.testing.assert_allclose(a, concentration, rtol=1e-12)
    else:  # the Dirichlet's mode (a_i - 1) / (a0 - K) is the one asked for
        np.testing.assert_allclose((a - 1) / (a.sum() - 3), [0.2, 0.3, 0.5], rtol=1e-10)
        # PreliZ's condition: the components' mean lower tail P(X_i < mode_i - bound) is (1 - mass) / 2
        tails = [st.beta(ai, a.sum() - ai).cdf(m - 0.1) for ai, m in zip(a, [0.2, 0.3, 0.5])]
        np.testing.assert_allclose(np.mean(tails), 0.05, rtol=1e-8)
