"""A discrete family's quantile target out of reach: the message gives the range the quantile itself
takes over the scanned parameter (it used to print the scan's mid-step cdf gaps as if they were
quantiles: "stays within [3.3, 5.4]" for a 0.2 quantile that is 0 whenever the gate is 0.3)."""

import re

import pytest
from scipy import stats
from typer.testing import CliRunner

from priorcli.cli import app

runner = CliRunner()


@pytest.mark.parametrize("family", ["hurdlepoisson", "zeroinflatedpoisson"])
def test_a_gate_above_the_level_pins_the_quantile_at_zero(family):
    result = runner.invoke(app, ["solve", family, "--gate", "0.3", "--quantile", "0.2=3"])
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert line.startswith("Error: quantile 0.2=3 is out of reach") and "\n" not in line
    assert "quantile stays within [0, 0] for rate in" in line


def test_the_range_is_the_familys_quantile_at_the_scan_ends():
    # Poisson's 0.99 quantile at 0 needs P(0) >= 0.99 on both sides of the mid-step rule: out of reach,
    # and the range printed is Poisson's own 0.99 quantile at the scanned rates' ends
    result = runner.invoke(app, ["solve", "poisson", "--quantile", "0.99=0"])
    line = result.stderr.strip()
    assert result.exit_code == 1, line
    m = re.search(r"quantile stays within \[([^,]+), ([^\]]+)\] for rate in \[([^,]+), ([^\]]+)\]", line)
    assert m is not None, line
    lo, hi, r_lo, r_hi = (float(g) for g in m.groups())
    assert lo == stats.poisson(r_lo).ppf(0.99)
    assert hi == pytest.approx(stats.poisson(r_hi).ppf(0.99), rel=1e-5)
