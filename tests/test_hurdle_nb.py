"""HurdleNegativeBinomial2(gate, mean, concentration) (issue 21 item 3) end to end: summarize, sample,
solve, --fit, the code lines, the model language, emitted programs, bad input.

Oracle, independent of priorcli's records: scipy.stats.nbinom(n=concentration, p=concentration /
(concentration + mean)) truncated at 0 by hand in this file (P(0) = gate, P(k) = (1 - gate) B(k) /
(1 - B(0))), quantiles by a scan of the summed cdf, moments by direct summation, maximum likelihood
by scipy.optimize on the hand-written log-likelihood, Monte Carlo tolerances of 5 standard errors.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, stats

from conftest import Run, assert_usage_error
from script_runner import run_python

QS = (0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975)
K = np.arange(0, 20000)


def _pmf(p, k=K):
    c, m, g = p["concentration"], p["mean"], p["gate"]
    base = stats.nbinom(c, c / (c + m))
    return np.where(k == 0, g, (1 - g) * base.pmf(k) / base.sf(0))


def _oracle(p):
    pmf = _pmf(p)
    cdf = np.cumsum(pmf)
    mean = float(np.sum(K * pmf))
    sd = math.sqrt(float(np.sum((K - mean) ** 2 * pmf)))
    return {"pmf": pmf, "cdf": cdf, "mean": mean, "sd": sd, "mode": float(K[np.argmax(pmf)]),
            "q": {q: float(K[np.argmax(cdf >= q - 1e-15)]) for q in QS}}


def _args(p):
    return [a for k, v in p.items() for a in (f"--{k}", v)]


CASES = [
    {"gate": 0.3, "mean": 3.0, "concentration": 2.0},
    {"gate": 0.05, "mean": 0.4, "concentration": 0.3},  # the NB2 makes mostly zeros: a steep truncation
    {"gate": 0.6, "mean": 25.0, "concentration": 8.0},  # the mode is the NB2's, below the gate's mass
    {"gate": 0.02, "mean": 6.0, "concentration": 1.0},
]


@pytest.mark.parametrize("params", CASES)
def test_summarize_is_exact(params):
    doc = Run().json("summarize", "hurdlenegativebinomial2", *_args(params), "--no-plot")
    want, got = _oracle(params), doc["summary"]
    assert doc["p_zero"] == params["gate"]
    assert got["mean"] == pytest.approx(want["mean"], rel=1e-9)
    assert got["sd"] == pytest.approx(want["sd"], rel=1e-8)
    assert got["mode"] == want["mode"]
    for q in QS:
        assert got["quantiles"][repr(q)] == want["q"][q], q


def test_pmf_and_cdf_against_scipy():
    from priorcli import records

    F = records.get("HurdleNegativeBinomial2")
    for p in CASES:
        want = _oracle(p)
        k = np.arange(0, 60, dtype=float)
        assert np.allclose(np.exp(F.logpdf(k, **p)), want["pmf"][:60], rtol=1e-10, atol=0)
        assert np.allclose(F.cdf(k, **p), want["cdf"][:60], rtol=1e-10, atol=1e-15)
        assert F.cdf(-1.0, **p) == 0.0 or F.cdf(-1.0, **p) == pytest.approx(0.0)
        # a quantile at every step of the cdf: the smallest k with cdf(k) >= q
        qs = np.clip(want["cdf"][:30] - 1e-12, 1e-9, 1 - 1e-9)
        assert np.array_equal(F.icdf(qs, **p), np.array([float(np.argmax(want["cdf"] >= q)) for q in qs]))


@pytest.mark.slow
@pytest.mark.parametrize("params", CASES[:2])
def test_sample_agrees_with_the_pmf(params):
    n = 20000
    doc = Run().json("sample", "hurdlenegativebinomial2", *_args(params), "-n", n, "--seed", 4, "--no-plot")
    want = _oracle(params)
    g = params["gate"]
    assert abs(doc["p_zero"]["mc"] - g) <= 5 * math.sqrt(g * (1 - g) / n) + 1 / n
    assert abs(doc["mc"]["mean"] - want["mean"]) <= 5 * want["sd"] / math.sqrt(n)
    result = Run()("sample", "hurdlenegativebinomial2", *_args(params), "-n", n, "--seed", 4, "--format", "raw")
    draws = np.loadtxt(result.stdout.splitlines())
    top = 8
    observed = np.array([np.sum(draws == k) for k in range(top)] + [np.sum(draws >= top)])
    expected = n * np.append(want["pmf"][:top], 1 - want["pmf"][:top].sum())
    keep = expected > 5
    assert stats.chisquare(observed[keep], expected[keep] * observed[keep].sum() / expected[keep].sum()).pvalue > 1e-4


def test_solve_the_nb2_with_the_gate_held():
    doc = Run().json("solve", "hurdlenegativebinomial2", "--gate", 0.3, "--sd", 4, "--quantile", "0.5=2")
    p = doc["params"]
    assert p["gate"] == 0.3
    want = _oracle(p)
    assert want["sd"] == pytest.approx(4.0, rel=1e-8)
    assert want["q"][0.5] == 2.0
    assert doc["numpyro"].startswith("dist.HurdleNegativeBinomial2(gate=0.3, mean=")
    assert doc["stan"].startswith("hurdle_neg_binomial_2(0.3, ")
    assert doc["pymc"].startswith('pm.HurdleNegativeBinomial("x", psi=0.7, mu=')


def test_solve_all_three_from_an_sd_and_two_quantiles():
    doc = Run().json("solve", "hurdlenegativebinomial2", "--sd", 4, "--quantile", "0.25=0",
                     "--quantile", "0.75=4")
    want = _oracle(doc["params"])
    assert want["sd"] == pytest.approx(4.0, rel=1e-8)
    assert want["q"][0.25] == 0.0 and want["q"][0.75] == 4.0


def test_solve_interval_with_the_gate_and_concentration_held():
    doc = Run().json("solve", "hurdlenegativebinomial2", "--gate", 0.2, "--concentration", 2, "--lower", 0,
                     "--upper", 6, "--mass", 0.8)
    p = doc["params"]
    assert (p["gate"], p["concentration"]) == (0.2, 2.0)
    assert _oracle(p)["cdf"][6] == pytest.approx(0.8, abs=1e-9)


def test_interval_with_only_the_gate_held_has_no_maximum_entropy_member():
    """P(0 <= X <= 6) = 0.8 with the gate 0.2: along the constraint the entropy rises as the
    concentration falls (checked here with scipy) towards the log-series limit, never reached, so
    there is no maximum-entropy member and the error names the concentration (exit 1)."""
    def entropy(c):
        f = lambda lm: _oracle({"gate": 0.2, "mean": math.exp(lm), "concentration": c})["cdf"][6] - 0.8  # noqa: E731
        pmf = _pmf({"gate": 0.2, "mean": math.exp(optimize.brentq(f, -12, 12)), "concentration": c})
        pmf = pmf[pmf > 0]
        return -float(np.sum(pmf * np.log(pmf)))

    hs = [entropy(c) for c in (10.0, 1.0, 0.1, 0.01)]
    assert all(a < b for a, b in zip(hs, hs[1:]))
    result = Run()("solve", "hurdlenegativebinomial2", "--gate", 0.2, "--lower", 0, "--upper", 6, "--mass", 0.8)
    assert_usage_error(result, "concentration", code=1)


def test_fit_matches_scipy_optimize(tmp_path):
    rng = np.random.default_rng(4)
    c, m = 1.5, 3.0
    y = stats.nbinom(c, c / (c + m)).rvs(20000, random_state=rng)
    y = y[y > 0][:3000]
    x = np.where(rng.random(3000) < 0.35, 0, y).astype(float)
    path = tmp_path / "x.txt"
    np.savetxt(path, x)
    fit = Run().json("summarize", "--input", path, "--fit", "hurdlenegativebinomial2", "--no-plot")["fit"]["params"]
    positives = x[x > 0]

    def nll(u):  # the zero-truncated NB2 of the positive values (the gate is separable)
        mm, cc = math.exp(u[0]), math.exp(u[1])
        base = stats.nbinom(cc, cc / (cc + mm))
        return -float(np.sum(base.logpmf(positives) - base.logsf(0)))

    best = optimize.minimize(nll, [1.0, 0.0], method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-12})
    assert fit["gate"] == pytest.approx(float(np.mean(x == 0)), rel=1e-8)
    assert fit["mean"] == pytest.approx(math.exp(best.x[0]), rel=1e-4)
    assert fit["concentration"] == pytest.approx(math.exp(best.x[1]), rel=1e-4)


@pytest.mark.slow
def test_list_info_and_model_language():
    assert "HurdleNegativeBinomial2" in Run()("list").stdout
    info = Run()("info", "hurdlenegativebinomial2")
    assert info.exit_code == 0 and "[0, 1)" in info.stdout
    n = 20000
    doc = Run().json("sample", "--model", "b ~ HurdleNegativeBinomial2(0.3, 3, 2)", "-n", n, "--seed", 2)
    want = _oracle({"gate": 0.3, "mean": 3.0, "concentration": 2.0})
    assert abs(doc["variables"]["b"]["mc"]["mean"] - want["mean"]) <= 5 * want["sd"] / math.sqrt(n)
    code = Run()("sample", "--model", "b ~ HurdleNegativeBinomial2(0.3, 3, 2)", "--emit", "numpyro").stdout
    assert "dist.HurdleNegativeBinomial2(gate=0.3, mean=3.0, concentration=2.0)" in code
    assert "class HurdleNegativeBinomial2" not in code  # numpyro's factory, not priorcli's class


@pytest.mark.parametrize("args, needle, code", [
    (["--gate", 1, "--mean", 3, "--concentration", 2], "--gate 1", 2),
    (["--gate", -0.2, "--mean", 3, "--concentration", 2], "--gate -0.2", 2),
    (["--gate", 0.3, "--mean", 3, "--concentration", 0], "--concentration 0", 2),
    (["--gate", 0.3, "--mean", 3, "--concentration", -1], "--concentration -1", 2),
    (["--gate", 0.3, "--mean", 3], "--concentration", 2),
])
def test_bad_input_is_one_error_line(args, needle, code):
    assert_usage_error(Run()("summarize", "hurdlenegativebinomial2", *args), needle, code=code)


def test_targets_it_cannot_meet():
    # P(0) = gate = 0.3, so the 0.2 quantile is 0 whatever the NB2
    assert_usage_error(Run()("solve", "hurdlenegativebinomial2", "--gate", 0.3, "--quantile", "0.2=3",
                             "--mean", 4), "quantile 0.2=3", code=1)


@pytest.mark.slow
def test_emitted_programs_run(tmp_path):
    """numpyro's, PyMC's and Stan's (stan-prior) programs print quantiles within Monte Carlo error."""

    from emit_support import parse_printed_quantiles

    params = {"gate": 0.3, "mean": 3.0, "concentration": 2.0}
    cdf = _oracle(params)["cdf"]
    n = 10000
    for target in ("numpyro", "pymc"):
        code = Run()("sample", "--model", "b ~ HurdleNegativeBinomial2(0.3, 3, 2)", "--emit", target, "-n", n,
                     "--quantiles", "0.25,0.5,0.75,0.9").stdout
        path = tmp_path / f"prior_{target}.py"
        path.write_text(code)
        done = run_python(str(path), cwd=tmp_path, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        for p, value in parse_printed_quantiles(done.stdout)["b"].items():
            k = int(round(value))
            lo, hi = (float(cdf[k - 1]) if k > 0 else 0.0), float(cdf[k])
            band = 5 * math.sqrt(p * (1 - p) / n) + 1 / n
            assert lo - band <= p <= hi + band, (target, p, value)
