"""--truncate with a family whose support end is a parameter being solved (Uniform's low/high,
Pareto's scale): a usage error naming that parameter (it used to report a support "(0, 0)");
held, the rest solves, checked against scipy's truncated mean by quadrature."""

import json

import pytest
from scipy import integrate, stats
from typer.testing import CliRunner

import priorcli
from priorcli.cli import app
from priorcli.errors import UsageError

runner = CliRunner()


@pytest.mark.parametrize("argv, name", [
    (["solve", "uniform", "--truncate", "1,5", "--mean", "2"], "--low V"),
    (["solve", "uniform", "--truncate", "1,5", "--mean", "2", "--low", "0"], "--high V"),
    (["solve", "pareto", "--truncate", "1,5", "--mean", "2"], "--scale V"),
])
def test_a_moving_support_end_left_free_is_one_usage_error(argv, name):
    result = runner.invoke(app, argv)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: --truncate 1,5 with ")
    assert name in lines[0] and "(0, 0)" not in lines[0]


def test_the_api_raises_the_same_usage_error():
    with pytest.raises(UsageError, match="support moves with scale"):
        priorcli.solve("pareto", truncate=(1, 5), mean=2)


@pytest.mark.slow  # about 6 CPU s: the truncated mean by scalar quadrature, some 870 000 density calls
def test_held_the_rest_solves_and_meets_the_truncated_mean():
    result = runner.invoke(app, ["solve", "pareto", "--truncate", "1,5", "--mean", "2", "--scale", "1",
                                 "--format", "json"])
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    alpha = doc["params"]["alpha"]
    base = stats.pareto(alpha, scale=1.0)
    mass = base.cdf(5.0) - base.cdf(1.0)
    mean = integrate.quad(lambda x: x * base.pdf(x), 1.0, 5.0)[0] / mass
    assert mean == pytest.approx(2.0, rel=1e-8)
