"""Dirichlet from a mode vector, a bound and a mass (PreliZ's ``dirichlet_mode``).

The condition (PreliZ's): concentration = 1 + tau * mode, and the mean over components of
P(X_i < mode_i - bound) under the Beta(a_i, a0 - a_i) marginal is (1 - mass) / 2. Checked against

* PreliZ's values: the first row is its own test (preliz/tests/test_dirichlet_mode.py: mode
  [0.22, 0.22, 0.32, 0.22], which PreliZ normalises to sum 1, mass 0.99, bound 0.02 -> 675, 675,
  981.37, 675); the others are what PreliZ 0.24.0 printed for those arguments (run once, by hand);
* scipy.stats.beta marginals (the condition and each component's interval mass), the Dirichlet mode
  formula (a_i - 1) / (a0 - K), and numpy's own Dirichlet draws (Monte Carlo, 5 standard errors).

PreliZ stops its search once the condition holds within 1e-4 of probability; priorcli solves it
exactly. So PreliZ's concentrations are checked to meet the condition within PreliZ's 1e-4, and
priorcli's to agree with them within the relative width of concentrations that 1e-4 allows.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats
from scipy.optimize import brentq

import priorcli
from conftest import assert_usage_error
from emit_support import assert_stanc_accepts, band, parse_printed_quantiles
from priorcli.errors import InfeasibleError
from priorcli.records import dirichlet
from script_runner import run_python

S = 1 / 0.98  # PreliZ's own test mode sums to 0.98; it normalises it (priorcli asks for a simplex)

# (mode, bound, mass, PreliZ's concentrations)
PRELIZ = [
    ((0.22 * S, 0.22 * S, 0.32 * S, 0.22 * S), 0.02, 0.99, (675.0, 675.0, 981.37, 675.0)),
    ((0.3, 0.7), 0.1, 0.9, (17.455345979816066, 39.395807286237485)),
    ((0.2, 0.3, 0.5), 0.1, 0.9, (10.946469804791725, 15.919704707187588, 25.866174511979313)),
    ((0.1, 0.2, 0.3, 0.4), 0.05, 0.8, (11.45672762877459, 21.91345525754918, 32.37018288632377, 42.82691051509836)),
    ((0.25, 0.25, 0.25, 0.25), 0.1, 0.5, (2.4891097703730614,) * 4),
    ((0.05, 0.45, 0.5), 0.1, 0.9, (3.785786124644533, 26.072075121800793, 28.857861246445324)),
    ((0.1, 0.15, 0.2, 0.25, 0.3), 0.01, 0.999,
     (1894.8376220531763, 2841.756433079764, 3788.6752441063527, 4735.59405513294, 5682.512866159528)),
    ((0.6, 0.4), 0.2, 0.95, (12.949241038068573, 8.966160692045715)),
    ((0.5, 0.3, 0.2), 0.05, 0.89, (101.8217212587036, 61.49303275522216, 41.328688503481445)),
]
PRELIZ_STOP = 1e-4  # PreliZ's optimize_dirichlet_mode: |mean tail - target| <= 1e-4


def mean_lower_tail(alpha, mode, bound) -> float:
    """The oracle: the mean over components of scipy.stats.beta(a_i, a0 - a_i).cdf(mode_i - bound)."""
    alpha = np.asarray(alpha, dtype=float)
    ends = np.clip(np.asarray(mode) - bound, 0.0, 1.0)
    return float(np.mean([stats.beta(a, alpha.sum() - a).cdf(e) for a, e in zip(alpha, ends)]))


def solved(mode, bound, mass):
    return priorcli.solve("dirichlet", mode=mode, bound=bound, mass=mass)


def oracle_tau(mode, bound, tail) -> float:
    """tau with mean_lower_tail(1 + tau * mode) = tail: scipy.stats.beta and brentq in log tau."""
    m = np.asarray(mode)
    g = lambda x: mean_lower_tail(1 + math.exp(x) * m, mode, bound) - tail  # noqa: E731
    return math.exp(brentq(g, math.log(1e-3), math.log(1e9), xtol=1e-12))


@pytest.mark.parametrize("mode, bound, mass, expected", PRELIZ)
def test_against_preliz(mode, bound, mass, expected):
    target = (1 - mass) / 2
    # the table is PreliZ's condition: 1 + tau * mode for one tau, met within PreliZ's stop
    taus = (np.asarray(expected) - 1) / np.asarray(mode)
    assert_allclose(taus, taus[0], rtol=1e-4)  # rtol: the published 981.37 has 5 digits
    assert abs(mean_lower_tail(expected, mode, bound) - target) <= PRELIZ_STOP * 1.05
    got = np.asarray(solved(mode, bound, mass).params["concentration"])
    tau = oracle_tau(mode, bound, target)
    assert_allclose(got, 1 + tau * np.asarray(mode), rtol=1e-9)
    # PreliZ's answer lies in the band of tau its stop accepts; priorcli's exact one agrees with it
    # within that band's relative width (d log a_i <= d log tau)
    lo, hi = oracle_tau(mode, bound, target + PRELIZ_STOP), oracle_tau(mode, bound, target - PRELIZ_STOP)
    assert lo <= taus[0] * (1 + 1e-4) and taus[0] * (1 - 1e-4) <= hi
    rtol = max(hi / tau - 1, 1 - lo / tau)
    assert rtol < 0.05
    assert_allclose(got, expected, rtol=rtol)


@pytest.mark.parametrize("mode, bound, mass, expected", PRELIZ)
def test_the_condition_by_scipy_beta_marginals(mode, bound, mass, expected):
    sol = solved(mode, bound, mass)
    alpha = np.asarray(sol.params["concentration"])
    assert sol.method == "root"
    assert abs(mean_lower_tail(alpha, mode, bound) - (1 - mass) / 2) <= 1e-9
    a0, k = alpha.sum(), alpha.size
    assert_allclose((alpha - 1) / (a0 - k), mode, rtol=1e-12)
    assert_allclose(sol.achieved["mode"], mode, rtol=1e-12)
    assert abs(sol.achieved["mass"] - mass) <= 2e-9 and sol.achieved["bound"] == bound
    # each component's own mass within mode_i +- bound, as the note reports it
    own = [stats.beta(a, a0 - a).cdf(min(m + bound, 1)) - stats.beta(a, a0 - a).cdf(max(m - bound, 0))
           for a, m in zip(alpha, mode)]
    assert_allclose(dirichlet.component_masses(alpha, mode, bound), own, rtol=1e-10, atol=1e-14)
    assert ", ".join(f"{v:.4g}" for v in own) in sol.notes[0]


def test_the_condition_by_numpy_draws():
    """Independent of the Beta marginals: numpy's Dirichlet draws, the fraction below mode_i - bound."""
    mode, bound, mass = (0.2, 0.3, 0.5), 0.1, 0.9
    alpha = solved(mode, bound, mass).params["concentration"]
    n = 200_000
    draws = np.random.default_rng(12345).dirichlet(alpha, size=n)
    below = draws < np.asarray(mode) - bound  # (n, K)
    tails = below.mean(axis=0)
    # the mean of K indicators per draw: its standard error from the draws themselves
    per_draw = below.mean(axis=1)
    se = per_draw.std(ddof=1) / math.sqrt(n)
    assert abs(tails.mean() - (1 - mass) / 2) <= 5 * se
    mode_draws = (np.asarray(alpha) - 1) / (np.sum(alpha) - len(alpha))
    assert_allclose(mode_draws, mode, rtol=1e-12)


def test_several_roots_are_reported():
    """A mode where the mean tail first rises with tau: two concentrations meet a small mass; the
    more concentrated is the answer, the other an alternative, both meeting the condition."""
    mode, bound = (0.124, 0.546, 0.059, 0.108, 0.163), 0.0076
    flat = np.mean([1 - (1 - max(m - bound, 0)) ** 4 for m in mode])  # tau -> 0: Beta(1, K - 1)
    mass = 1 - 2 * (flat + 0.002)  # a tail above the flat limit, below the peak
    sol = solved(mode, bound, mass)
    assert len(sol.alternatives) == 1 and "2 concentrations" in sol.notes[1]
    first = np.asarray(sol.params["concentration"])
    other = np.asarray(sol.alternatives[0]["params"]["concentration"])
    assert first.sum() > other.sum()
    for alpha in (first, other):
        assert abs(mean_lower_tail(alpha, mode, bound) - (1 - mass) / 2) <= 1e-9
        assert_allclose((alpha - 1) / (alpha.sum() - alpha.size), mode, rtol=1e-12)


def test_unattainable_mass_names_the_least():
    mode, bound = (0.2, 0.3, 0.5), 0.1
    ends = np.asarray(mode) - bound
    least = 1 - 2 * np.mean(1 - (1 - ends) ** 2)  # the flat limit, Beta(1, 2) marginals
    with pytest.raises(InfeasibleError, match=f"at least {least:.6g}"):
        solved(mode, bound, least - 0.01)
    assert abs(solved(mode, bound, least + 0.01).achieved["mass"] - (least + 0.01)) <= 2e-9


# ---- the command line ---------------------------------------------------------------------------

ARGS = ["solve", "dirichlet", "--mode", "0.2,0.3,0.5", "--bound", "0.1", "--mass", "0.9"]


def test_cli_json(run):
    doc = run.json(*ARGS, "--format", "json")
    assert doc["family"] == "Dirichlet" and doc["method"] == "root"
    assert doc["targets"] == {"mode": [0.2, 0.3, 0.5], "bound": 0.1, "mass": 0.9}
    assert set(doc["achieved"]) == {"mode", "bound", "mass"}
    alpha = doc["params"]["concentration"]
    assert_allclose(alpha, PRELIZ[2][3], rtol=0.01)
    assert abs(mean_lower_tail(alpha, (0.2, 0.3, 0.5), 0.1) - 0.05) <= 1e-9
    assert doc["numpyro"].startswith("dist.Dirichlet(concentration=jnp.array([10.9457, ")
    assert doc["stan"].startswith("dirichlet([10.9457, ") and doc["pymc"].startswith('pm.Dirichlet("x", a=[10.9457, ')


def test_cli_table(run):
    result = run(*ARGS)
    assert result.exit_code == 0, result.stderr
    for text in ("concentration", "mode", "bound", "mass", "numpyro:", "Stan:", "PyMC:", "mass is PreliZ's"):
        assert text in result.stdout, text


@pytest.mark.slow
def test_cli_emit(run):
    alpha = run.json(*ARGS, "--format", "json")["params"]["concentration"]
    written = ", ".join(repr(a) for a in alpha)
    stan = run(*ARGS, "--emit", "stan")
    assert stan.exit_code == 0, stan.stderr
    assert "simplex[3] x;" in stan.stdout and f"x ~ dirichlet([{written}]');" in stan.stdout
    numpyro = run(*ARGS, "--emit", "numpyro").stdout
    assert f"dist.Dirichlet(concentration=jnp.array([{written}]))" in numpyro
    assert f'pm.Dirichlet("x", a=np.array([{written}]))' in run(*ARGS, "--emit", "pymc").stdout


@pytest.mark.slow
@pytest.mark.parametrize("target", ["numpyro", "pymc", "stan"])
def test_emitted_programs_draw_the_solved_marginals(run, tmp_path, target):
    """The emitted program (run, or for Stan compiled by stanc) of the solved Dirichlet: the
    quantiles it prints of each component are the Beta marginals' within Monte Carlo bands."""
    if target == "stan":
        assert_stanc_accepts(run(*ARGS, "--emit", "stan").stdout, tmp_path, "dirichlet_mode")
        assert_stanc_accepts(run(*ARGS, "--emit", "stan-prior").stdout, tmp_path, "dirichlet_mode_prior")
        return
    if target == "pymc":
        pytest.importorskip("pymc", reason="PyMC is in the test extra")
    alpha = np.asarray(run.json(*ARGS, "--format", "json")["params"]["concentration"])
    path = tmp_path / "solved.py"
    path.write_text(run(*ARGS, "--emit", target).stdout, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_", "PRIORCLI_"))}
    done = run_python(str(path), cwd=tmp_path, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    printed = parse_printed_quantiles(done.stdout)
    assert sorted(printed) == ["x[0]", "x[1]", "x[2]"]
    for i, a in enumerate(alpha):
        marginal = stats.beta(a, alpha.sum() - a)
        for p, q in printed[f"x[{i}]"].items():
            assert abs(marginal.cdf(q) - p) <= band(p, 10000), (i, p, q)


@pytest.mark.parametrize("args, code, needles", [
    (["--mode", "0.2,0.3,0.6", "--bound", "0.1", "--mass", "0.9"], 2, ["mode=", "sum to 1", "1.1"]),
    (["--mode", "0.2,0.3", "--bound", "0.1", "--mass", "0.9"], 2, ["mode=", "sum to 1"]),
    (["--mode", "0,0.5,0.5", "--bound", "0.1", "--mass", "0.9"], 2, ["mode=", "strictly between 0 and 1"]),
    (["--mode", "1.2,-0.2", "--bound", "0.1", "--mass", "0.9"], 2, ["mode=", "strictly between 0 and 1"]),
    (["--mode", "1", "--bound", "0.1", "--mass", "0.9"], 2, ["mode=", "at least two components"]),
    (["--mode", "0.2,0.3,0.5", "--bound", "0", "--mass", "0.9"], 2, ["bound=0", "positive"]),
    (["--mode", "0.2,0.3,0.5", "--bound", "-0.1", "--mass", "0.9"], 2, ["bound=-0.1", "positive"]),
    (["--mode", "0.2,0.3,0.5", "--bound", "0.5", "--mass", "0.9"], 2, ["bound=0.5", "largest mode component"]),
    (["--mode", "0.2,0.3,0.5", "--bound", "2", "--mass", "0.9"], 2, ["bound=2", "largest mode component"]),
    (["--mode", "0.2,0.3,0.5", "--bound", "nan", "--mass", "0.9"], 2, ["--bound", "finite"]),
    (["--mode", "0.2,0.3,0.5", "--bound", "0.1", "--mass", "1"], 2, ["--mass", "between 0 and 1"]),
    (["--mode", "0.2,0.3,0.5", "--bound", "0.1", "--mass", "0"], 2, ["--mass", "between 0 and 1"]),
    (["--mode", "0.2,0.3,0.5", "--bound", "0.1", "--mass", "1.5"], 2, ["--mass", "between 0 and 1"]),
    (["--mode", "0.2,0.3,0.5"], 2, ["--mode", "needs --bound and --mass"]),
    (["--mode", "0.2,0.3,0.5", "--bound", "0.1"], 2, ["needs --mass"]),
    (["--mode", "0.2,0.3,0.5", "--mass", "0.9"], 2, ["needs --bound"]),
    (["--mode", "0.2,0.3,0.5", "--bound", "0.1", "--mass", "0.9", "--count", "5"], 2, ["--count", "--mode, --bound"]),
    (["--mode", "0.2,0.3,0.5", "--bound", "0.1", "--mass", "0.1"], 1, ["mass=0.1", "cannot be met", "at least 0.206667"]),
])
def test_cli_bad_input(run, args, code, needles):
    assert_usage_error(run("solve", "dirichlet", *args), *needles, code=code)


def test_bound_is_refused_for_univariate_families(run):
    assert_usage_error(run("solve", "lognormal", "--mode", "1", "--bound", "0.1", "--mass", "0.9"),
                       "bound=0.1", "Dirichlet", "LogNormal")


def test_help_names_the_form(run):
    out = " ".join(run("solve", "dirichlet", "--help").stdout.split())
    assert "--mode M --bound B --mass P" in out
    assert "--bound" not in " ".join(run("solve", "gamma", "--help").stdout.split())
