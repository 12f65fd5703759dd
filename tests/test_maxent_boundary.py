"""Maximum entropy with the optimum on a boundary of the parameter space, and reference answers
from PreliZ 0.24 (``pz.maxent(dist, lower, upper, mass)``, run once by hand; the numbers are
written here, PreliZ is not a dependency). The oracle for optimality is scipy: the answer's entropy
beats its feasible neighbours'."""

from __future__ import annotations

import json
import math

import pytest
from scipy import optimize, stats
from typer.testing import CliRunner

from priorcli.cli import app
from priorcli.solving import solve
from priorcli.families.targets import Targets


def _pareto_alphas_for_mass(scale: float, lower: float, upper: float, mass: float) -> list[float]:
    """Every alpha giving the mass at this scale (scipy's cdf, a grid and brentq)."""
    def gap(alpha):
        d = stats.pareto(alpha, scale=scale)
        return float(d.cdf(upper) - d.cdf(lower)) - mass

    grid = [10 ** (k / 50) for k in range(-150, 151)]
    return [optimize.brentq(gap, a, b, xtol=1e-14) for a, b in zip(grid, grid[1:]) if gap(a) * gap(b) < 0]


@pytest.mark.slow
def test_pareto_interval_optimum_is_scale_at_the_lower_end():
    r = solve("Pareto", Targets(lower=1.0, upper=4.0, mass=0.9))
    assert r.method == "maxent"
    assert r.params["scale"] == pytest.approx(1.0, rel=1e-12)
    # 1 - (1/4)^alpha = 0.9; PreliZ 0.24 gives alpha = 1.6609640480483967, m = 0.99999999993
    assert r.params["alpha"] == pytest.approx(math.log(10) / math.log(4), rel=1e-9)
    assert r.params["alpha"] == pytest.approx(1.6609640480483967, rel=1e-8)
    assert any("boundary" in n for n in r.notes)
    best = stats.pareto(r.params["alpha"], scale=r.params["scale"])
    assert float(best.cdf(4.0) - best.cdf(1.0)) == pytest.approx(0.9, abs=1e-10)
    checked = 0
    for scale in (0.99, 0.999, 0.9999, 1.0001, 1.01, 1.1, 2.0):  # feasible neighbours have less entropy
        for alpha in _pareto_alphas_for_mass(scale, 1.0, 4.0, 0.9):
            assert float(stats.pareto(alpha, scale=scale).entropy()) < float(best.entropy())
            checked += 1
    assert checked >= 5


def test_cli_pareto_boundary_exit_0_with_a_note():
    r = CliRunner().invoke(app, ["solve", "pareto", "--lower", "1", "--upper", "4", "--mass", "0.9", "--format", "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["method"] == "maxent" and any("boundary" in n for n in doc["notes"])


@pytest.mark.parametrize("family,targets,preliz,rel", [
    # PreliZ 0.24: pz.maxent(pz.Poisson(), 0, 3, 0.7).mu
    ("Poisson", dict(lower=0.0, upper=3.0, mass=0.7), {"rate": 2.7637124097455263}, 1e-6),
    # pz.maxent(pz.Gamma(), 1, 10, 0.9): alpha, beta
    ("Gamma", dict(lower=1.0, upper=10.0, mass=0.9), {"concentration": 3.3344838784418926,
                                                       "rate": 0.5979303615896749}, 1e-4),
])
def test_agrees_with_preliz(family, targets, preliz, rel):
    r = solve(family, Targets(**targets))
    for name, value in preliz.items():
        assert r.params[name] == pytest.approx(value, rel=rel)


def test_nb2_maxent_beats_preliz_on_entropy():
    """PreliZ 0.24's NegativeBinomial maxent on [0, 10] with mass 0.9 stops at mu=5.09279,
    alpha=2.30582 (mass 0.8999999979); priorcli's answer meets the mass exactly with more entropy."""
    r = solve("NegativeBinomial2", Targets(lower=0.0, upper=10.0, mass=0.9))
    m, a = r.params["mean"], r.params["concentration"]
    ours = stats.nbinom(a, a / (a + m))
    theirs = stats.nbinom(2.305821176034609, 2.305821176034609 / (2.305821176034609 + 5.092792930127298))
    assert float(ours.cdf(10)) == pytest.approx(0.9, abs=1e-9)
    assert float(ours.entropy()) >= float(theirs.entropy())
    assert m == pytest.approx(5.092792930127298, rel=0.01) and a == pytest.approx(2.305821176034609, rel=0.05)
