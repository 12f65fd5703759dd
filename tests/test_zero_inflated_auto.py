"""``solve --family auto`` with a whole-number interval mass ranks the zero-inflated and hurdle count
families (ZeroInflatedPoisson, ZeroInflatedNegativeBinomial2, HurdlePoisson, HurdleNegativeBinomial2)
with the other discrete families, the gate solved with the rest by maximum entropy, by the same
criterion (loss, then fewer free parameters, then the larger entropy); one whose search has no
maximum is skipped with the reason, never silently left out.

Oracles: the pmfs built here from scipy.stats (poisson, nbinom) mixed with the structural zero by
hand; the maximum entropy found by scipy searches along the constraint (the rate or mean solved by
brentq for the mass), independent of priorcli's SLSQP.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, stats

from conftest import Run
from shared_rankings import interval_ranking

K = np.arange(0, 4000)
ZERO = ("ZeroInflatedPoisson", "ZeroInflatedNegativeBinomial2", "HurdlePoisson", "HurdleNegativeBinomial2")


def _nb(mean, concentration):
    return stats.nbinom(concentration, concentration / (concentration + mean))


def _ranked(lower: int, upper: int, target: float):
    return interval_ranking(lower, upper, target)  # shared with test_ranking.py and test_entropy_tail.py


def pmf(family: str, p: dict, k=K) -> np.ndarray:
    """P(X = k) for k in K from scipy's base, mixed with the structural zero by hand."""
    base = stats.poisson(p["rate"]) if "rate" in p else _nb(p["mean"], p["concentration"])
    if family.startswith("ZeroInflated"):
        return (1 - p["gate"]) * base.pmf(k) + np.where(k == 0, p["gate"], 0.0)
    return np.where(k == 0, p["gate"], (1 - p["gate"]) * base.pmf(k) / base.sf(0))


def entropy(q: np.ndarray) -> float:
    q = q[q > 0]
    return -float(np.sum(q * np.log(q)))


def mass(q: np.ndarray, lower: int, upper: int) -> float:
    return float(q[lower:upper + 1].sum())


def _solve_last(family, fixed: dict, name: str, lower, upper, target, lo, hi):
    """The parameter ``name`` (log-bracketed in [lo, hi]) giving the interval ``target`` mass."""
    k = np.arange(0, upper + 1)
    f = lambda t: mass(pmf(family, {**fixed, name: np.exp(t)}, k), lower, upper) - target  # noqa: E731
    return float(np.exp(optimize.brentq(f, np.log(lo), np.log(hi), xtol=1e-14)))


def _oracle_poisson(family, lower, upper, target, near):
    """The maximum entropy along the constraint: for each gate, the rate meeting the mass (brentq,
    bracketed about the answer's rate: the mass of an interval above 0 rises, then falls with the
    rate), the entropy maximised over the gate by a bounded scalar search about ``near``'s gate."""
    def negh(g):
        r = _solve_last(family, {"gate": g}, "rate", lower, upper, target, near["rate"] / 1.5, near["rate"] * 1.5)
        return -entropy(pmf(family, {"gate": g, "rate": r}))

    lo, hi = max(1e-9, near["gate"] - 0.04), min(0.99, near["gate"] + 0.04)
    res = optimize.minimize_scalar(negh, bounds=(lo, hi), method="bounded", options={"xatol": 1e-9})
    return res.x, -res.fun


@pytest.fixture(scope="module")
def ranked_05():
    return _ranked(0, 5, 0.9)


def test_zero_inflated_and_hurdle_families_join_the_discrete_ranking(ranked_05):
    names = [r.family for r in ranked_05.discrete]
    assert set(ZERO) <= set(names)
    assert not set(ZERO) & {s.family for s in ranked_05.left_out + ranked_05.skipped}
    for r in ranked_05.discrete:
        if r.family not in ZERO:
            continue
        q = pmf(r.family, r.solution.params)
        assert q.sum() == pytest.approx(1.0, abs=1e-12)
        assert mass(q, 0, 5) == pytest.approx(0.9, abs=1e-9)  # the target, from scipy's pmf
        assert r.entropy == pytest.approx(entropy(q), rel=1e-9)  # the ranked entropy is the pmf's
        assert r.solution.method == "maxent" and r.free == len(r.solution.params)  # the gate solved too


def test_ranked_by_the_same_criterion(ranked_05):
    """Losses tie (every family meets the mass), so fewer free parameters first, then the larger
    entropy: the order follows from scipy's entropies of the ranked pmfs."""
    rows = ranked_05.discrete
    assert all(r.loss < 1e-20 for r in rows)
    free = {"Poisson": 1, "GeometricProbs": 1, "NegativeBinomial2": 2, "ZeroInflatedPoisson": 2,
            "HurdlePoisson": 2, "ZeroInflatedNegativeBinomial2": 3, "HurdleNegativeBinomial2": 3}
    assert [r.free for r in rows] == [free[r.family] for r in rows]
    assert [r.free for r in rows] == sorted(r.free for r in rows)
    for a, b in zip(rows, rows[1:]):
        if a.free == b.free and a.family in ZERO + ("NegativeBinomial2",):
            assert a.entropy >= b.entropy - 1e-10


@pytest.mark.slow
@pytest.mark.parametrize("family", ["ZeroInflatedPoisson", "HurdlePoisson"])
@pytest.mark.parametrize("lower,upper,target", [(0, 5, 0.9), (0, 3, 0.7), (2, 15, 0.8)])
def test_poisson_gate_is_the_maximum_along_the_constraint(family, lower, upper, target):
    ranking = _ranked(lower, upper, target)
    r = next(r for r in ranking.discrete if r.family == family)
    gate, h = _oracle_poisson(family, lower, upper, target, r.solution.params)
    assert r.solution.params["gate"] == pytest.approx(gate, abs=1e-5)
    assert r.entropy == pytest.approx(h, rel=1e-9)


@pytest.mark.slow
@pytest.mark.parametrize("family", ["ZeroInflatedNegativeBinomial2", "HurdleNegativeBinomial2"])
def test_negative_binomial_ones_are_the_maximum_over_gate_and_concentration(family):
    """Two parameters along the constraint (the NB2 mean solved for the mass): scipy's Nelder-Mead
    from a start away from priorcli's answer finds no larger entropy and the same member."""
    r = next(r for r in _ranked(0, 5, 0.9).discrete if r.family == family)
    p = r.solution.params

    def negh(z):
        g, c = 1 / (1 + np.exp(-z[0])), np.exp(z[1])
        m = _solve_last(family, {"gate": g, "concentration": c}, "mean", 0, 5, 0.9, 1e-2, 100.0)
        return -entropy(pmf(family, {"gate": g, "concentration": c, "mean": m}))

    start = [np.log(0.3 / 0.7), np.log(2.0)]
    res = optimize.minimize(negh, start, method="Nelder-Mead", options={"xatol": 1e-9, "fatol": 1e-13})
    assert r.entropy == pytest.approx(-res.fun, rel=1e-8)
    assert r.entropy >= -res.fun - 1e-9
    assert p["gate"] == pytest.approx(1 / (1 + np.exp(-res.x[0])), rel=1e-3)
    assert p["concentration"] == pytest.approx(np.exp(res.x[1]), rel=1e-3)


def test_zero_inflated_pmf_equal_to_the_hurdle_with_the_same_zeros(ranked_05):
    """The two Poisson families meet at one member (the hurdle's gate is the zero-inflated P(X = 0)),
    so they share the maximum: same rate, same entropy, the pmfs equal term by term."""
    zi = next(r for r in ranked_05.discrete if r.family == "ZeroInflatedPoisson").solution.params
    hu = next(r for r in ranked_05.discrete if r.family == "HurdlePoisson").solution.params
    assert hu["rate"] == pytest.approx(zi["rate"], rel=1e-6)
    assert hu["gate"] == pytest.approx(zi["gate"] + (1 - zi["gate"]) * np.exp(-zi["rate"]), rel=1e-6)
    assert np.max(np.abs(pmf("ZeroInflatedPoisson", zi) - pmf("HurdlePoisson", hu))) < 1e-6


@pytest.mark.slow
def test_a_family_with_no_maximum_is_skipped_with_the_reason():
    """On [0, 3] with mass 0.7 the negative binomial ones have no maximum-entropy member (their
    entropy keeps rising): listed as skipped, naming how to hold the gate, and not left out."""
    ranking = _ranked(0, 3, 0.7)
    skipped = {s.family: s.reason for s in ranking.skipped}
    for name in ("ZeroInflatedNegativeBinomial2", "HurdleNegativeBinomial2"):
        assert "--gate G" in skipped[name] and "--p-zero P" in skipped[name]
    ranked = {r.family for r in ranking.discrete}
    assert {"ZeroInflatedPoisson", "HurdlePoisson"} <= ranked
    assert not set(ZERO) & {s.family for s in ranking.left_out}


@pytest.mark.slow
def test_cli_json_lists_them_in_the_discrete_ranking():
    doc = Run().json("solve", "--family", "auto", "--lower", 0, "--upper", 5, "--mass", 0.9)
    rows = {d["family"]: d for d in doc["discrete_ranking"]}
    assert set(ZERO) <= set(rows)
    zi = rows["ZeroInflatedPoisson"]
    assert mass(pmf("ZeroInflatedPoisson", zi["params"]), 0, 5) == pytest.approx(0.9, abs=1e-9)
    assert zi["numpyro"].startswith("dist.ZeroInflatedPoisson(gate=")
    assert not set(ZERO) & {d["family"] for d in doc["left_out"]}
    out = Run()("solve", "--family", "auto", "--lower", 0, "--upper", 5, "--mass", 0.9).stdout
    assert "HurdlePoisson" in out and "structural zero" not in out
