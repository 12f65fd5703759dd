"""Zero-inflated and hurdle families (issue 21 item 3; ZeroInflatedPoisson's solve, item 4) end to end:
summarize, sample, solve (the gate with the other parameters, or held), --fit, the code lines, the
model language, bad input.

Oracles, independent of priorcli's records: scipy.stats's poisson, nbinom, gamma and lognorm mixed
with the structural zero by hand in this file (P(0) = gate + (1 - gate) B(0) for zero inflation,
P(0) = gate and the base truncated above 0 for a hurdle), quantiles by a brute-force scan of that
mixed cdf, moments by direct summation or scipy's quadrature, maximum likelihood by
scipy.optimize on the hand-written log-likelihood, and Monte Carlo with tolerances of 5 standard
errors at n draws.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, stats

from conftest import Run, assert_usage_error
from script_runner import run_python

QS = (0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975)


# ---- the oracles, by hand -------------------------------------------------------------------

def _discrete_pmf(family, p, k):
    """P(X = k) from scipy's base, mixed with the structural zero."""
    if family == "ZeroInflatedPoisson":
        base = stats.poisson(p["rate"])
    elif family == "ZeroInflatedNegativeBinomial2":
        c = p["concentration"]
        base = stats.nbinom(c, c / (c + p["mean"]))
    else:  # HurdlePoisson: 0 is the hurdle's, the positive part the Poisson given > 0
        base = stats.poisson(p["rate"])
        g = p["gate"]
        return np.where(k == 0, g, (1 - g) * base.pmf(k) / base.sf(0))
    g = p["gate"]
    return (1 - g) * base.pmf(k) + np.where(k == 0, g, 0.0)


def _discrete_oracle(family, p):
    k = np.arange(0, 2000)
    pmf = _discrete_pmf(family, p, k)
    cdf = np.cumsum(pmf)
    mean = float(np.sum(k * pmf))
    sd = math.sqrt(float(np.sum((k - mean) ** 2 * pmf)))
    quantile = {q: float(k[np.argmax(cdf >= q - 1e-15)]) for q in QS}  # smallest k with cdf(k) >= q
    mode = float(k[np.argmax(pmf)])
    return {"p0": float(pmf[0]), "mean": mean, "sd": sd, "q": quantile, "mode": mode, "cdf": cdf, "pmf": pmf}


def _continuous_base(family, p):
    if family == "HurdleGamma":
        return stats.gamma(p["concentration"], scale=1 / p["rate"])
    return stats.lognorm(p["scale"], scale=math.exp(p["loc"]))


def _continuous_oracle(family, p):
    """An atom gate at 0, then (1 - gate) times the base: the mixed cdf inverted by brentq."""
    base, g = _continuous_base(family, p), p["gate"]
    cdf = lambda x: g + (1 - g) * base.cdf(x)  # noqa: E731 (x >= 0)
    hi = base.ppf(1 - 1e-12)
    quantile = {q: 0.0 if q <= g else optimize.brentq(lambda x: cdf(x) - q, 0.0, hi, xtol=1e-14, rtol=1e-14)
                for q in QS}
    m1 = (1 - g) * base.expect(lambda x: x)
    m2 = (1 - g) * base.expect(lambda x: x * x)
    return {"p0": g, "mean": m1, "sd": math.sqrt(m2 - m1 * m1), "q": quantile}


CASES = [
    ("ZeroInflatedPoisson", {"gate": 0.3, "rate": 3.0}),
    ("ZeroInflatedPoisson", {"gate": 0.05, "rate": 0.7}),
    ("ZeroInflatedNegativeBinomial2", {"mean": 4.0, "concentration": 1.5, "gate": 0.25}),
    ("HurdlePoisson", {"gate": 0.4, "rate": 2.5}),
    ("HurdlePoisson", {"gate": 0.02, "rate": 0.3}),
    ("HurdleGamma", {"gate": 0.3, "concentration": 2.0, "rate": 1.5}),
    ("HurdleLogNormal", {"gate": 0.45, "loc": 0.5, "scale": 0.8}),
]


def _oracle(family, p):
    return _continuous_oracle(family, p) if family.startswith("HurdleG") or family.startswith("HurdleL") \
        else _discrete_oracle(family, p)


def _args(p):
    return [a for k, v in p.items() for a in (f"--{k}", v)]


@pytest.mark.parametrize("family, params", CASES, ids=lambda v: v if isinstance(v, str) else "")
def test_summarize_is_exact(family, params):
    doc = Run().json("summarize", family.lower(), *_args(params), "--no-plot")
    want, got = _oracle(family, params), doc["summary"]
    assert doc["p_zero"] == pytest.approx(want["p0"], rel=1e-10)
    assert got["mean"] == pytest.approx(want["mean"], rel=1e-9)
    assert got["sd"] == pytest.approx(want["sd"], rel=1e-8)
    for q in QS:
        assert got["quantiles"][repr(q)] == pytest.approx(want["q"][q], rel=1e-8, abs=1e-12), q
    if "mode" in want:
        assert got["mode"] == want["mode"]
    else:
        assert got["mode"] is None  # a point mass beside a density has none


@pytest.mark.parametrize("family, params", CASES, ids=lambda v: v if isinstance(v, str) else "")
def test_sample_agrees_with_the_exact_values(family, params):
    n = 20000
    doc = Run().json("sample", family.lower(), *_args(params), "-n", n, "--seed", 3, "--no-plot")
    want = _oracle(family, params)
    mc, p0 = doc["mc"], doc["p_zero"]
    assert p0["exact"] == pytest.approx(want["p0"], rel=1e-10)
    assert abs(p0["mc"] - want["p0"]) <= 5 * math.sqrt(want["p0"] * (1 - want["p0"]) / n) + 1 / n
    assert abs(mc["mean"] - want["mean"]) <= 5 * want["sd"] / math.sqrt(n)
    again = Run().json("sample", family.lower(), *_args(params), "-n", n, "--seed", 3, "--no-plot")
    assert again == doc  # seeded


def test_sample_draws_match_the_pmf_by_chi_square():
    """HurdlePoisson's draws (numpyro's rejection sampler) against the hand-built pmf."""
    n = 20000
    result = Run()("sample", "hurdlepoisson", "--gate", 0.3, "--rate", 1.2, "-n", n, "--format", "raw")
    draws = np.loadtxt(result.stdout.splitlines())
    pmf = _discrete_pmf("HurdlePoisson", {"gate": 0.3, "rate": 1.2}, np.arange(0, 6))
    observed = np.array([np.sum(draws == k) for k in range(6)] + [np.sum(draws >= 6)])
    expected = n * np.append(pmf, 1 - pmf.sum())
    assert stats.chisquare(observed, expected).pvalue > 1e-4


# ---- solve ----------------------------------------------------------------------------------

def test_solve_zip_gate_with_rate_from_a_mean_and_a_median():
    doc = Run().json("solve", "zeroinflatedpoisson", "--mean", 3, "--quantile", "0.5=2")
    p = doc["params"]
    want = _discrete_oracle("ZeroInflatedPoisson", p)
    assert want["mean"] == pytest.approx(3.0, rel=1e-9)
    assert want["q"][0.5] == 2.0
    assert 0 < p["gate"] < 1
    assert doc["pymc"].startswith('pm.ZeroInflatedPoisson("x", psi=')
    assert doc["stan"].startswith("zero_inflated_poisson(")


def test_solve_zip_from_mean_and_sd_is_the_closed_form():
    # var = mean (1 + gate rate) and mean = (1 - gate) rate: mean 3, sd 3 is gate 0.4, rate 5
    doc = Run().json("solve", "zeroinflatedpoisson", "--mean", 3, "--sd", 3)
    assert doc["params"]["gate"] == pytest.approx(0.4, rel=1e-12)
    assert doc["params"]["rate"] == pytest.approx(5.0, rel=1e-12)


def test_solve_with_the_gate_held():
    doc = Run().json("solve", "zeroinflatedpoisson", "--mean", 3, "--gate", 0.3)
    assert doc["params"] == {"gate": 0.3, "rate": pytest.approx(3 / 0.7, rel=1e-12)}
    doc = Run().json("solve", "hurdlepoisson", "--gate", 0.4, "--mean", 3)
    assert _discrete_oracle("HurdlePoisson", doc["params"])["mean"] == pytest.approx(3.0, rel=1e-8)


def test_solve_zinb2_three_parameters():
    # the NB2's mean is held (--mean is numpyro's parameter of that name); sd and a quantile set the rest
    doc = Run().json("solve", "zeroinflatednegativebinomial2", "--mean", 3, "--sd", 3, "--quantile", "0.5=1")
    want = _discrete_oracle("ZeroInflatedNegativeBinomial2", doc["params"])
    assert want["sd"] == pytest.approx(3.0, rel=1e-7)
    assert want["q"][0.5] == 1.0


@pytest.mark.parametrize("family, extra", [("hurdlegamma", ["--quantile", "0.5=1.5"]),
                                           ("hurdlelognormal", ["--quantile", "0.5=1.5"])])
def test_solve_hurdle_continuous_gate_with_the_rest(family, extra):
    doc = Run().json("solve", family, "--mean", 2, "--sd", 2, *extra)
    name = {"hurdlegamma": "HurdleGamma", "hurdlelognormal": "HurdleLogNormal"}[family]
    p = doc["params"]
    base, g = _continuous_base(name, p), p["gate"]
    assert (1 - g) * base.mean() == pytest.approx(2.0, rel=1e-7)
    assert math.sqrt((1 - g) * (base.var() + g * base.mean() ** 2)) == pytest.approx(2.0, rel=1e-7)
    assert g + (1 - g) * base.cdf(1.5) == pytest.approx(0.5, abs=1e-8)


def test_an_interval_from_zero_holds_the_atom():
    doc = Run().json("solve", "hurdlegamma", "--lower", 0, "--upper", 5, "--mass", 0.9, "--gate", 0.2, "--mean", 2)
    p = doc["params"]
    assert 0.2 + 0.8 * _continuous_base("HurdleGamma", p).cdf(5) == pytest.approx(0.9, abs=1e-8)


# ---- maximum likelihood ---------------------------------------------------------------------

def _write(tmp_path, values, name="x.txt"):
    path = tmp_path / name
    np.savetxt(path, values)
    return path


def test_fit_zip_matches_scipy_optimize(tmp_path):
    rng = np.random.default_rng(5)
    x = np.where(rng.random(3000) < 0.3, 0, rng.poisson(2.5, 3000)).astype(float)
    doc = Run().json("summarize", "--input", _write(tmp_path, x), "--fit", "zeroinflatedpoisson", "--no-plot")

    def nll(u):
        g, r = 1 / (1 + math.exp(-u[0])), math.exp(u[1])
        pmf = (1 - g) * stats.poisson.pmf(x, r) + np.where(x == 0, g, 0.0)
        return -np.sum(np.log(pmf))

    best = optimize.minimize(nll, [0.0, 0.0], method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-12})
    g, r = 1 / (1 + math.exp(-best.x[0])), math.exp(best.x[1])
    fit = doc["fit"]["params"]
    assert fit["gate"] == pytest.approx(g, rel=1e-5)
    assert fit["rate"] == pytest.approx(r, rel=1e-5)


def test_fit_zip_without_excess_zeros_is_the_poisson(tmp_path):
    x = np.random.default_rng(2).poisson(3.0, 2000).astype(float)
    x[x == 0] = 1.0  # fewer zeros than any Poisson: the gate's maximum is on its boundary, 0
    fit = Run().json("summarize", "--input", _write(tmp_path, x), "--fit", "zeroinflatedpoisson",
                     "--no-plot")["fit"]["params"]
    assert fit == {"gate": 0.0, "rate": pytest.approx(float(np.mean(x)), rel=1e-12)}


def test_fit_hurdles_are_separable(tmp_path):
    rng = np.random.default_rng(7)
    zero = rng.random(3000) < 0.25
    x = np.where(zero, 0.0, rng.gamma(2.0, 1 / 1.5, 3000))
    fit = Run().json("summarize", "--input", _write(tmp_path, x), "--fit", "hurdlegamma",
                     "--no-plot")["fit"]["params"]
    a, _, scale = stats.gamma.fit(x[x > 0], floc=0)
    assert fit["gate"] == pytest.approx(float(np.mean(zero)), rel=1e-12)
    assert fit["concentration"] == pytest.approx(a, rel=1e-5)
    assert fit["rate"] == pytest.approx(1 / scale, rel=1e-5)
    logs = np.log(x[x > 0])
    fit = Run().json("summarize", "--input", _write(tmp_path, x), "--fit", "hurdlelognormal",
                     "--no-plot")["fit"]["params"]
    assert fit["loc"] == pytest.approx(logs.mean(), rel=1e-12)
    assert fit["scale"] == pytest.approx(logs.std(), rel=1e-12)


def test_fit_hurdle_poisson_and_zinb2(tmp_path):
    rng = np.random.default_rng(9)
    positive = rng.poisson(2.0, 20000)
    positive = positive[positive > 0][:3000]
    x = np.where(rng.random(3000) < 0.35, 0, positive).astype(float)
    fit = Run().json("summarize", "--input", _write(tmp_path, x), "--fit", "hurdlepoisson",
                     "--no-plot")["fit"]["params"]
    rate = optimize.brentq(lambda r: r / -math.expm1(-r) - x[x > 0].mean(), 1e-6, 100)
    assert fit["gate"] == pytest.approx(float(np.mean(x == 0)), rel=1e-12)
    assert fit["rate"] == pytest.approx(rate, rel=1e-10)

    lam = rng.gamma(1.5, 3.0 / 1.5, 3000)
    y = np.where(rng.random(3000) < 0.3, 0, rng.poisson(lam)).astype(float)
    fit = Run().json("summarize", "--input", _write(tmp_path, y, "y.txt"), "--fit", "zeroinflatednegativebinomial2",
                     "--no-plot")["fit"]["params"]

    def nll(u):
        m, c, g = math.exp(u[0]), math.exp(u[1]), 1 / (1 + math.exp(-u[2]))
        p = {"mean": m, "concentration": c, "gate": g}
        return -np.sum(np.log(_discrete_pmf("ZeroInflatedNegativeBinomial2", p, y)))

    best = optimize.minimize(nll, [1.0, 0.0, -1.0], method="Nelder-Mead",
                             options={"xatol": 1e-9, "fatol": 1e-11, "maxiter": 20000})
    assert nll([math.log(fit["mean"]), math.log(fit["concentration"]),
                math.log(fit["gate"] / (1 - fit["gate"]))]) <= best.fun + 1e-6


# ---- list, info, the model language, bad input ----------------------------------------------

def test_list_and_info():
    out = Run()("list").stdout
    for name in ("ZeroInflatedPoisson", "HurdlePoisson", "HurdleGamma", "HurdleLogNormal"):
        assert name in out
    info = Run()("info", "zeroinflatednegativebinomial2")
    assert info.exit_code == 0 and "gate" in info.stdout and "[0, 1)" in info.stdout


def test_model_language_draws_them():
    spec = ("a ~ ZeroInflatedPoisson(0.3, 2)\nb ~ ZeroInflatedNegativeBinomial2(3, 2, 0.3)\n"
            "c ~ HurdleGamma(gate=0.3, concentration=2, rate=1)\n")
    n = 20000
    doc = Run().json("sample", "--model", spec, "-n", n, "--seed", 1)
    for name, family, params in (("a", "ZeroInflatedPoisson", {"gate": 0.3, "rate": 2.0}),
                                 ("b", "ZeroInflatedNegativeBinomial2", {"mean": 3.0, "concentration": 2.0,
                                                                         "gate": 0.3}),
                                 ("c", "HurdleGamma", {"gate": 0.3, "concentration": 2.0, "rate": 1.0})):
        want = _oracle(family, params)
        assert abs(doc["variables"][name]["mc"]["mean"] - want["mean"]) <= 5 * want["sd"] / math.sqrt(n), name


@pytest.mark.parametrize("args, needle", [
    (["zeroinflatedpoisson", "--gate", 1, "--rate", 2], "--gate 1"),
    (["zeroinflatedpoisson", "--gate", -0.1, "--rate", 2], "--gate -0.1"),
    (["hurdlegamma", "--gate", 1.5, "--concentration", 2], "--gate 1.5"),
    (["hurdlepoisson", "--gate", 0.3, "--psi", 0.7], "--psi"),
    (["zeroinflatednegativebinomial2", "--mean", 3, "--concentration", 2], "--gate"),
])
def test_bad_input_is_one_error_line(args, needle):
    assert_usage_error(Run()("summarize", *args), needle)


def test_no_mode_target_and_no_stan_parameter_for_a_point_mass():
    assert_usage_error(Run()("solve", "hurdlegamma", "--gate", 0.3, "--mode", 1), "no mode")
    assert_usage_error(Run()("sample", "--model", "d ~ HurdleGamma(0.3, 2, 1)", "--emit", "stan"), "stan-prior")


def test_emitted_numpyro_calls_numpyros_factory():
    code = Run()("sample", "--model", "b ~ ZeroInflatedNegativeBinomial2(3, 2, 0.3)", "--emit", "numpyro").stdout
    assert "dist.ZeroInflatedNegativeBinomial2(mean=3.0, concentration=2.0, gate=0.3)" in code
    assert "class ZeroInflatedNegativeBinomial2" not in code


@pytest.mark.slow
def test_emitted_programs_run(tmp_path):
    """numpyro's and PyMC's programs (as scripts) print quantiles within Monte Carlo error of the
    exact ones; Stan's fixed_param run is in test_emit_run (every family of the Stan table)."""

    from emit_support import parse_printed_quantiles

    spec = ("a ~ ZeroInflatedPoisson(0.3, 2)\nb ~ ZeroInflatedNegativeBinomial2(3, 2, 0.3)\n"
            "c ~ HurdlePoisson(0.4, 2.5)\nd ~ HurdleGamma(0.3, 2, 1.5)\nf ~ HurdleLogNormal(0.45, 0.5, 0.8)\n")
    truth = {"a": ("ZeroInflatedPoisson", {"gate": 0.3, "rate": 2.0}),
             "b": ("ZeroInflatedNegativeBinomial2", {"mean": 3.0, "concentration": 2.0, "gate": 0.3}),
             "c": ("HurdlePoisson", {"gate": 0.4, "rate": 2.5}),
             "d": ("HurdleGamma", {"gate": 0.3, "concentration": 2.0, "rate": 1.5}),
             "f": ("HurdleLogNormal", {"gate": 0.45, "loc": 0.5, "scale": 0.8})}
    n = 10000
    for target in ("numpyro", "pymc"):
        code = Run()("sample", "--model", spec, "--emit", target, "-n", n, "--quantiles", "0.25,0.5,0.75,0.9").stdout
        path = tmp_path / f"prior_{target}.py"
        path.write_text(code)
        done = run_python(str(path), cwd=tmp_path, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        printed = parse_printed_quantiles(done.stdout)
        for name, (family, params) in truth.items():
            for p, value in printed[name].items():
                # F(value) within 5 standard errors of p (a step of a discrete cdf may hold p inside it)
                lo, hi = _cdf_around(family, params, value)
                band = 5 * math.sqrt(p * (1 - p) / n) + 1 / n
                assert lo - band <= p <= hi + band, (target, name, p, value)


def _cdf_around(family, params, value):
    """(P(X < value), P(X <= value)) by the hand-built oracles."""
    if family in ("HurdleGamma", "HurdleLogNormal"):
        base, g = _continuous_base(family, params), params["gate"]
        at = g + (1 - g) * base.cdf(value) if value > 0 else g
        return (0.0 if value <= 0 else at), at
    cdf = _discrete_oracle(family, params)["cdf"]
    k = int(round(value))
    return (float(cdf[k - 1]) if k > 0 else 0.0), float(cdf[k])
