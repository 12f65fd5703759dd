"""Maximum entropy with two or more degrees of freedom left (one interval, the gate free): a search
that follows a ridge to a limit outside the family refuses (exit 1) instead of reporting it.
HurdleNegativeBinomial2 on [0, 6] with mass 0.8 ran to mean 9e-9, concentration 6e-10 (the
zero-truncated NB2's log-series limit); a gate running to 0 is a member's boundary and stays."""

import json

import pytest
from scipy import stats
from typer.testing import CliRunner

from priorcli.cli import app

runner = CliRunner()


@pytest.mark.slow
def test_hurdle_nb2_interval_with_the_gate_free_refuses_the_ridge():
    result = runner.invoke(app, ["solve", "hurdlenegativebinomial2", "--lower", "0", "--upper", "6",
                                 "--mass", "0.8"])
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert "\n" not in line and line.startswith("Error: mass=0.8 between lower=0 and upper=6 has no "
                                                "maximum-entropy HurdleNegativeBinomial2")
    assert "--gate G" in line


@pytest.mark.slow
def test_a_gate_at_zero_is_a_member_and_is_reported():
    # PreliZ's maxent(ZeroInflatedNegativeBinomial(), 2, 15, 0.8): psi 1 (gate 0), mu 9.864, alpha 3.432
    result = runner.invoke(app, ["solve", "zeroinflatednegativebinomial2", "--lower", "2", "--upper", "15",
                                 "--mass", "0.8", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    p = json.loads(result.stdout)["params"]
    assert p["gate"] < 1e-6
    mu, r = p["mean"], p["concentration"]
    nb = stats.nbinom(r, r / (r + mu))  # scipy's (n, p) with mean n (1 - p) / p
    assert nb.cdf(15) - nb.cdf(1) == pytest.approx(0.8, abs=1e-6)
