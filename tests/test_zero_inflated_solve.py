"""Solving zero-inflated and hurdle families (issue 21 items 3 and 4): ZeroInflatedNegativeBinomial2's
overall mean and sd as targets (--overall-mean, --overall-sd; --mean is numpyro's NB2 parameter), the
P(X = 0) target (--p-zero), and interval mass by maximum entropy with the gate held (PreliZ's maxent
holds psi), or a clear error when the gate is left free and the targets cannot pin it.

Oracles: scipy.stats (nbinom, poisson, gamma, lognorm) mixed with the structural zero by hand here;
maximum entropy checked by a one-dimensional scipy search along the constraint, independent of
priorcli's SLSQP; PreliZ's published maxent values (preliz/tests/test_maxent.py) within their rtol.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, stats

from conftest import Run, assert_usage_error

K = np.arange(0, 5000)


def _zinb_pmf(mean, concentration, gate, k=K):
    base = stats.nbinom(concentration, concentration / (concentration + mean))
    return (1 - gate) * base.pmf(k) + np.where(k == 0, gate, 0.0)


def _zip_pmf(gate, rate, k=K):
    return (1 - gate) * stats.poisson.pmf(k, rate) + np.where(k == 0, gate, 0.0)


def _hurdle_poisson_pmf(gate, rate, k=K):
    return np.where(k == 0, gate, (1 - gate) * stats.poisson.pmf(k, rate) / stats.poisson.sf(0, rate))


def _moments(pmf):
    mean = float(np.sum(K * pmf))
    return mean, math.sqrt(float(np.sum((K - mean) ** 2 * pmf)))


def _entropy(pmf):
    pmf = pmf[pmf > 0]
    return -float(np.sum(pmf * np.log(pmf)))


# ---- ZeroInflatedNegativeBinomial2: the distribution's mean -----------------------------------

@pytest.mark.parametrize("args", [
    ["--gate", 0.3, "--overall-mean", 2, "--sd", 3],          # closed form, gate held
    ["--gate", 0.3, "--overall-mean", 2, "--overall-sd", 3],
    ["--concentration", 2, "--overall-mean", 2, "--overall-sd", 3],  # closed form, concentration held
    ["--mean", 3, "--overall-mean", 2, "--sd", 3],            # the NB2's mean held, the gate solved
    ["--overall-mean", 2, "--sd", 3, "--quantile", "0.25=0"],  # all three
])
def test_overall_mean_target_against_scipy(args):
    doc = Run().json("solve", "zeroinflatednegativebinomial2", *args)
    p = doc["params"]
    mean, sd = _moments(_zinb_pmf(**p))
    assert mean == pytest.approx(2.0, rel=1e-9)
    assert sd == pytest.approx(3.0, rel=1e-9)
    assert doc["targets"]["mean"] == 2.0 and doc["achieved"]["mean"] == pytest.approx(2.0, rel=1e-12)
    assert p["mean"] * (1 - p["gate"]) == pytest.approx(2.0, rel=1e-12)  # the NB2's mean is not the target
    summary = Run().json("summarize", "zeroinflatednegativebinomial2", *_args(p), "--no-plot")["summary"]
    assert summary["mean"] == pytest.approx(mean, rel=1e-10)  # the summary's mean is the overall one
    assert summary["sd"] == pytest.approx(sd, rel=1e-9)


def _args(p):
    return [a for k, v in p.items() for a in (f"--{k}", v)]


def test_overall_mean_closed_forms_are_exact():
    # gate 0.3, overall mean 2, sd 3: NB2 mean 2 / 0.7, 1/concentration = (V/M - 1)(1 - g)/M - g = 0.925
    p = Run().json("solve", "zeroinflatednegativebinomial2", "--gate", 0.3, "--overall-mean", 2, "--sd", 3)
    assert p["method"] == "closed-form"
    assert p["params"]["mean"] == pytest.approx(2 / 0.7, rel=1e-14)
    assert p["params"]["concentration"] == pytest.approx(1 / 0.925, rel=1e-13)


def test_overall_mean_in_the_model_language_and_hurdle_nb():
    n = 20000
    doc = Run().json("sample", "--model", "b ~ ZeroInflatedNegativeBinomial2(overall_mean=2, sd=3, gate=0.3)",
                     "-n", n, "--seed", 5)
    assert abs(doc["variables"]["b"]["mc"]["mean"] - 2.0) <= 5 * 3.0 / math.sqrt(n)
    doc = Run().json("solve", "hurdlenegativebinomial2", "--gate", 0.3, "--overall-mean", 2, "--sd", 2.5)
    p = doc["params"]
    base = stats.nbinom(p["concentration"], p["concentration"] / (p["concentration"] + p["mean"]))
    pmf = np.where(K == 0, 0.3, 0.7 * base.pmf(K) / base.sf(0))
    mean, sd = _moments(pmf)
    assert (mean, sd) == (pytest.approx(2.0, rel=1e-9), pytest.approx(2.5, rel=1e-9))


@pytest.mark.parametrize("args, needle, code", [
    (["--gate", 0.3, "--overall-mean", 2, "--overall-sd", 1.2], "variance above", 1),  # less than no over-dispersion
    (["--concentration", 2, "--overall-mean", 2, "--overall-sd", 1.2], "at least 4", 1),
    (["--overall-mean", 2, "--sd", 3, "--overall-sd", 3], "--overall-sd is given twice", 2),
    (["--gate", 1.0, "--overall-mean", 2, "--sd", 3], "--gate 1", 2),
    (["--gate", 0.3, "--concentration", 0, "--overall-mean", 2], "--concentration 0", 2),
])
def test_overall_mean_bad_input(args, needle, code):
    assert_usage_error(Run()("solve", "zeroinflatednegativebinomial2", *args), needle, code=code)


def test_help_names_the_overall_targets():
    out = Run()("solve", "zeroinflatednegativebinomial2", "--help").stdout
    assert "--overall-mean V" in out and "--p-zero P" in out
    assert "--mean V" not in out  # --mean is the parameter here


# ---- P(X = 0) ---------------------------------------------------------------------------------

def test_p_zero_target_zip_and_hurdles():
    doc = Run().json("solve", "zeroinflatedpoisson", "--p-zero", 0.4, "--mean", 3)
    pmf = _zip_pmf(**doc["params"])
    assert pmf[0] == pytest.approx(0.4, abs=1e-10)
    assert _moments(pmf)[0] == pytest.approx(3.0, rel=1e-9)
    doc = Run().json("solve", "hurdlepoisson", "--p-zero", 0.3, "--mean", 3)
    assert doc["params"]["gate"] == 0.3  # a hurdle's P(X = 0) is its gate
    assert _moments(_hurdle_poisson_pmf(**doc["params"]))[0] == pytest.approx(3.0, rel=1e-9)


@pytest.mark.parametrize("args, needle, code", [
    (["poisson", "--p-zero", 0.3], "p_zero=0.3", 2),
    (["zeroinflatedpoisson", "--p-zero", 1.2, "--mean", 3], "--p-zero", 2),
    (["zeroinflatedpoisson", "--p-zero", 0, "--mean", 3], "--p-zero", 2),
])
def test_p_zero_bad_input(args, needle, code):
    assert_usage_error(Run()("solve", *args), needle, code=code)


# ---- interval mass ----------------------------------------------------------------------------

def _maxent_1d(entropy_at, lo, hi):
    best = optimize.minimize_scalar(lambda u: -entropy_at(u), bounds=(lo, hi), method="bounded",
                                    options={"xatol": 1e-10})
    return best.x


def test_zip_interval_from_p_zero_is_the_root():
    # two equations, two parameters: P(0) = 0.4, P(X <= 5) = 0.9
    doc = Run().json("solve", "zeroinflatedpoisson", "--lower", 0, "--upper", 5, "--mass", 0.9, "--p-zero", 0.4)
    pmf = _zip_pmf(**doc["params"])
    assert pmf[0] == pytest.approx(0.4, abs=1e-10)
    assert pmf[:6].sum() == pytest.approx(0.9, abs=1e-10)


@pytest.mark.parametrize("gate, lower, upper, mass, preliz", [
    (0.2, 0, 3, 0.7, 3.099),   # PreliZ: maxent(ZeroInflatedPoisson(psi=0.8), 0, 3, 0.7) -> mu 3.099
    (0.2, 0, 5, 0.9, None),
])
def test_zip_interval_with_the_gate_held(gate, lower, upper, mass, preliz):
    doc = Run().json("solve", "zeroinflatedpoisson", "--gate", gate, "--lower", lower, "--upper", upper,
                     "--mass", mass)
    rate = doc["params"]["rate"]
    want = optimize.brentq(lambda r: _zip_pmf(gate, r)[lower:upper + 1].sum() - mass, 1e-6, 100, xtol=1e-14)
    assert rate == pytest.approx(want, rel=1e-8)
    if preliz is not None:
        assert rate == pytest.approx(preliz, rel=1e-3)


def test_zinb2_interval_with_the_gate_held_matches_a_scipy_search_and_preliz():
    doc = Run().json("solve", "zeroinflatednegativebinomial2", "--gate", 0.1, "--lower", 2, "--upper", 15,
                     "--mass", 0.8)
    p = doc["params"]
    assert _zinb_pmf(**p)[2:16].sum() == pytest.approx(0.8, abs=1e-9)

    def mass(lm, c):
        return _zinb_pmf(math.exp(lm), c, 0.1)[2:16].sum() - 0.8

    # the mass rises then falls with the NB2's mean: the root on the side priorcli's answer is on
    upper = mass(math.log(p["mean"]) + 1e-4, p["concentration"]) < mass(math.log(p["mean"]), p["concentration"])

    def entropy_at(u):  # the concentration e^u, the NB2 mean meeting the mass
        c = math.exp(u)
        peak = optimize.minimize_scalar(lambda lm: -mass(lm, c), bounds=(-3, 6), method="bounded").x
        lm = optimize.brentq(lambda v: mass(v, c), peak, 7.0, xtol=1e-13) if upper else \
            optimize.brentq(lambda v: mass(v, c), -6.0, peak, xtol=1e-13)
        return _entropy(_zinb_pmf(math.exp(lm), c, 0.1))

    u = _maxent_1d(entropy_at, math.log(p["concentration"]) - 1, math.log(p["concentration"]) + 1)
    assert p["concentration"] == pytest.approx(math.exp(u), rel=2e-3)
    # PreliZ: maxent(ZeroInflatedNegativeBinomial(psi=0.9), 2, 15, 0.8) -> (mu 9.011, alpha 6.300), rtol 0.1
    assert p["mean"] == pytest.approx(9.011, rel=0.1) and p["concentration"] == pytest.approx(6.300, rel=0.1)


def test_hurdle_gamma_interval_with_the_gate_held_maximises_the_gammas_entropy():
    doc = Run().json("solve", "hurdlegamma", "--gate", 0.2, "--lower", 0, "--upper", 5, "--mass", 0.9)
    p = doc["params"]
    g = stats.gamma(p["concentration"], scale=1 / p["rate"])
    assert 0.2 + 0.8 * g.cdf(5) == pytest.approx(0.9, abs=1e-9)  # the interval from 0 holds the atom

    def entropy_at(u):
        a = math.exp(u)
        rate = optimize.brentq(lambda r: stats.gamma.cdf(5, a, scale=1 / r) - 0.875, 1e-8, 1e3, xtol=1e-14)
        return float(stats.gamma(a, scale=1 / rate).entropy())

    u = _maxent_1d(entropy_at, -3, 4)
    assert p["concentration"] == pytest.approx(math.exp(u), rel=1e-4)
    # the same with P(X = 0) in place of the gate (a hurdle's P(X = 0) is its gate)
    again = Run().json("solve", "hurdlegamma", "--p-zero", 0.2, "--lower", 0, "--upper", 5, "--mass", 0.9)
    assert again["params"]["gate"] == 0.2
    assert again["params"]["concentration"] == pytest.approx(p["concentration"], rel=1e-8)


def test_hurdle_lognormal_interval_with_the_gate_held():
    doc = Run().json("solve", "hurdlelognormal", "--gate", 0.2, "--lower", 0.5, "--upper", 5, "--mass", 0.6)
    p = doc["params"]
    ln = stats.lognorm(p["scale"], scale=math.exp(p["loc"]))
    assert 0.8 * (ln.cdf(5) - ln.cdf(0.5)) == pytest.approx(0.6, abs=1e-9)
    # LogNormal's entropy is loc + log(scale) + const: its maximum along P(0.5 < Y < 5) = 0.75, the
    # loc meeting the mass on the upper side of the interval's centre (the larger loc)
    lo, hi = math.log(0.5), math.log(5)

    def entropy_at(u):
        s = math.exp(u)
        f = lambda m: stats.norm.cdf((hi - m) / s) - stats.norm.cdf((lo - m) / s) - 0.75  # noqa: E731
        return optimize.brentq(f, (lo + hi) / 2, hi + 10 * s, xtol=1e-14) + u

    widest = (hi - lo) / (2 * stats.norm.ppf(0.875))  # the largest scale whose interval can hold 0.75
    best = _maxent_1d(entropy_at, math.log(0.05), math.log(widest) - 1e-9)
    assert p["scale"] == pytest.approx(math.exp(best), rel=1e-4)


def test_hurdle_poisson_interval_with_p_zero():
    doc = Run().json("solve", "hurdlepoisson", "--p-zero", 0.3, "--lower", 0, "--upper", 5, "--mass", 0.9)
    assert doc["params"]["gate"] == 0.3
    assert _hurdle_poisson_pmf(**doc["params"])[:6].sum() == pytest.approx(0.9, abs=1e-10)


@pytest.mark.parametrize("family, args", [
    ("hurdlegamma", ["--lower", 0, "--upper", 5, "--mass", 0.9]),
    ("hurdlelognormal", ["--lower", 0.5, "--upper", 5, "--mass", 0.6]),
])
def test_gate_left_free_says_how_to_hold_it(family, args):
    assert_usage_error(Run()("solve", family, *args), "--gate G", "--p-zero P", code=2)


def test_zip_interval_with_the_gate_free_is_prelizs_maximum():
    """PreliZ: maxent(ZeroInflatedPoisson(), 0, 3, 0.7) -> (psi 0.847, mu 3.005), rtol 0.1; here
    checked against a scipy search along the constraint (the rate meeting the mass at each gate)."""
    doc = Run().json("solve", "zeroinflatedpoisson", "--lower", 0, "--upper", 3, "--mass", 0.7)
    p = doc["params"]
    assert _zip_pmf(**p)[:4].sum() == pytest.approx(0.7, abs=1e-10)

    def entropy_at(gate):
        rate = optimize.brentq(lambda r: _zip_pmf(gate, r)[:4].sum() - 0.7, 1e-6, 50, xtol=1e-14)
        return _entropy(_zip_pmf(gate, rate))

    assert p["gate"] == pytest.approx(_maxent_1d(entropy_at, 0.01, 0.5), abs=2e-3)
    assert 1 - p["gate"] == pytest.approx(0.847, rel=0.1) and p["rate"] == pytest.approx(3.005, rel=0.1)


def test_zinb2_interval_with_the_gate_free_where_it_is_pinned():
    # an interval away from 0: PreliZ's maxent(ZeroInflatedNegativeBinomial(), 2, 15, 0.8) -> psi 1.0
    # (gate 0), mu 9.864, alpha 3.432
    doc = Run().json("solve", "zeroinflatednegativebinomial2", "--lower", 2, "--upper", 15, "--mass", 0.8)
    p = doc["params"]
    assert p["gate"] < 1e-6
    assert p["mean"] == pytest.approx(9.864, rel=0.02) and p["concentration"] == pytest.approx(3.432, rel=0.02)
