"""summarize --input FILE --fit F|auto --truncate LO,HI (issue 21, item 1): maximum likelihood of the
truncated density, checked against independent oracles: scipy.stats.truncnorm fitted by scipy's own
``fit`` (the ends held) and a direct scipy.optimize.minimize of scipy's truncated log-density for a
Gamma (scipy.stats.gamma's logpdf and cdf)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats as st
from scipy.optimize import minimize

from conftest import assert_usage_error


def _write(tmp_path, name, x):
    path = tmp_path / name
    np.savetxt(path, x, fmt="%.17g")
    return str(path)


@pytest.fixture(scope="module")
def normal_data():
    return st.truncnorm.rvs(-1.0, 2.0, loc=1.0, scale=2.0, size=600, random_state=7)  # on [-1, 5]


@pytest.fixture(scope="module")
def gamma_data():
    g = st.gamma(2.0, scale=1.5)
    u = np.random.default_rng(3).uniform(g.cdf(1.0), g.cdf(6.0), 800)
    return g.ppf(u)  # Gamma(2, rate 2/3) on [1, 6]


def test_truncated_normal_fit_matches_scipy_truncnorm_fit(run, tmp_path, normal_data):
    doc = run.json("summarize", "--input", _write(tmp_path, "n.txt", normal_data), "--fit", "normal",
                   "--truncate", "-1,5", "--no-plot")
    fit = doc["fit"]
    assert fit["truncate"] == [-1.0, 5.0]
    loc, scale = fit["params"]["loc"], fit["params"]["scale"]

    # scipy's truncnorm takes its ends in standard units, so the ends [-1, 5] are held by
    # maximising scipy's truncated log-likelihood over (loc, scale) directly
    def nll(theta):
        m, s = theta[0], math.exp(theta[1])
        return -np.sum(st.truncnorm.logpdf(normal_data, (-1 - m) / s, (5 - m) / s, loc=m, scale=s))

    ref = minimize(nll, [np.mean(normal_data), math.log(np.std(normal_data))], method="Nelder-Mead",
                   options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000})
    assert loc == pytest.approx(ref.x[0], rel=1e-5, abs=1e-6)
    assert scale == pytest.approx(math.exp(ref.x[1]), rel=1e-5)
    assert fit["log_likelihood"] == pytest.approx(-ref.fun, rel=1e-9)
    # at the answer, scipy's truncnorm (its ends in standard units) has zero score in loc and scale
    h = 1e-5
    for i in (0, 1):
        e = np.zeros(2)
        e[i] = h
        x0 = np.array([loc, math.log(scale)])
        assert abs(nll(x0 + e) - nll(x0 - e)) / (2 * h) < 1e-4 * normal_data.size
    assert fit["numpyro"].startswith("dist.TruncatedNormal(") and "low=-1.0, high=5.0" in fit["numpyro"]


def test_truncated_gamma_fit_matches_a_direct_scipy_maximisation(run, tmp_path, gamma_data):
    doc = run.json("summarize", "--input", _write(tmp_path, "g.txt", gamma_data), "--fit", "gamma",
                   "--truncate", "1,6", "--no-plot")
    fit = doc["fit"]

    def nll(theta):
        k, rate = np.exp(theta)
        g = st.gamma(k, scale=1 / rate)
        return -(np.sum(g.logpdf(gamma_data)) - gamma_data.size * np.log(g.cdf(6.0) - g.cdf(1.0)))

    ref = minimize(nll, [0.0, 0.0], method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000})
    k, rate = np.exp(ref.x)
    assert fit["params"]["concentration"] == pytest.approx(k, rel=1e-5)
    assert fit["params"]["rate"] == pytest.approx(rate, rel=1e-5)
    assert fit["log_likelihood"] == pytest.approx(-ref.fun, rel=1e-9)
    assert fit["numpyro"].startswith("Truncated(dist.Gamma(") and fit["truncate"] == [1.0, 6.0]
    # the untruncated fit of the same data differs: the truncation was held
    plain = run.json("summarize", "--input", _write(tmp_path, "g2.txt", gamma_data), "--fit", "gamma", "--no-plot")
    assert abs(plain["fit"]["params"]["concentration"] - k) > 0.1


def test_open_end_and_held_parameter(run, tmp_path, gamma_data):
    x = gamma_data[gamma_data > 1.5]
    doc = run.json("summarize", "--input", _write(tmp_path, "g.txt", x), "--fit", "gamma", "--rate", "0.7",
                   "--truncate", "1.5,", "--no-plot")
    k = doc["fit"]["params"]["concentration"]
    assert doc["fit"]["params"]["rate"] == 0.7

    def nll(logk):
        g = st.gamma(math.exp(logk[0]), scale=1 / 0.7)
        return -(np.sum(g.logpdf(x)) - x.size * np.log(g.sf(1.5)))

    ref = minimize(nll, [0.0], method="Nelder-Mead", options={"xatol": 1e-11, "fatol": 1e-13})
    assert k == pytest.approx(math.exp(ref.x[0]), rel=1e-5)


def test_ranked_fits_truncated(run, tmp_path, gamma_data):
    doc = run.json("summarize", "--input", _write(tmp_path, "g.txt", gamma_data), "--fit", "gamma,normal,lognormal",
                   "--truncate", "1,6", "--no-plot")
    assert doc["truncate"] == [1.0, 6.0]
    assert {r["family"] for r in doc["ranking"]} == {"Gamma", "Normal", "LogNormal"}
    for r in doc["ranking"]:
        assert r["truncate"] == [1.0, 6.0]
        frozen = {"Gamma": lambda p: st.gamma(p["concentration"], scale=1 / p["rate"]),
                  "Normal": lambda p: st.norm(p["loc"], p["scale"]),
                  "LogNormal": lambda p: st.lognorm(p["scale"], scale=math.exp(p["loc"]))}[r["family"]](r["params"])
        z = frozen.cdf(6.0) - frozen.cdf(1.0)
        loglik = np.sum(frozen.logpdf(gamma_data)) - gamma_data.size * math.log(z)
        assert r["log_likelihood"] == pytest.approx(loglik, rel=1e-10)
        ks = st.kstest(gamma_data, lambda v: (frozen.cdf(v) - frozen.cdf(1.0)) / z)
        assert r["ks"] == pytest.approx(ks.statistic, rel=1e-8)
        assert r["aic"] == pytest.approx(4 - 2 * loglik, rel=1e-10)


@pytest.mark.slow
def test_auto_fit_truncated_leaves_out_what_cannot_be_truncated(run, tmp_path, gamma_data):
    doc = run.json("summarize", "--input", _write(tmp_path, "g.txt", gamma_data), "--fit", "auto",
                   "--truncate", "1,6", "--no-plot")
    ranked = {r["family"] for r in doc["ranking"]}
    assert {"Gamma", "Normal", "LogNormal", "Weibull"} <= ranked
    left = {s["family"]: s["reason"] for s in doc["left_out"]}
    assert "support moves with" in left["Uniform"] and "outside its support" in left["Beta"]
    assert "discrete" in left["Poisson"]
    aics = [r["aic"] for r in doc["ranking"]]
    assert aics == sorted(aics)


def test_whole_number_data_fit_continuous_families_when_truncated(run, tmp_path):
    x = np.round(st.gamma(3.0).rvs(size=300, random_state=2) * 10)
    x = x[(x >= 5) & (x <= 60)]
    doc = run.json("summarize", "--input", _write(tmp_path, "w.txt", x), "--fit", "gamma,poisson",
                   "--truncate", "5,60", "--no-plot")
    assert [r["family"] for r in doc["ranking"]] == ["Gamma"]
    assert "continuous" in doc["skipped"][0]["reason"]


def test_data_outside_the_truncation_is_a_usage_error(run, tmp_path, gamma_data):
    path = _write(tmp_path, "g.txt", gamma_data)
    result = run("summarize", "--input", path, "--fit", "gamma", "--truncate", "2,6")
    assert_usage_error(result)
    outside = int(np.sum(gamma_data < 2))
    assert f"{outside} of {gamma_data.size} data value(s) lie outside" in result.stderr
    assert "--truncate 2,6" in result.stderr
    assert_usage_error(run("summarize", "--input", path, "--fit", "auto", "--truncate", ",5"), "outside")


@pytest.mark.parametrize("args, needle", [
    (("--fit", "gamma", "--truncate", "6,1"), "LO must be below HI"),
    (("--fit", "beta", "--truncate", "1,6"), "outside its support"),
    (("--truncate", "1,6"), "--fit"),
    (("--fit", "poisson", "--truncate", "1,6"), "continuous"),
])
def test_bad_requests(run, tmp_path, gamma_data, args, needle):
    result = run("summarize", "--input", _write(tmp_path, "g.txt", gamma_data), *args)
    assert_usage_error(result)
    assert needle in result.stderr


def test_a_fit_that_runs_off_is_exit_1(run, tmp_path):
    # U-shaped data on [0, 1] (more spread than any Normal truncated there can have: its variance
    # stays below the uniform's 1/12): the scale runs off to infinity, no maximum
    x = st.beta(0.5, 0.5).rvs(1000, random_state=1)
    result = run("summarize", "--input", _write(tmp_path, "u.txt", x), "--fit", "normal", "--truncate", "0,1")
    assert_usage_error(result, code=1)
    assert "scale goes to infinity" in result.stderr
