"""``summarize --input FILE --fit LIST``: plain names, NAME(param=value), Mixture(...) and the metalog
in one comma list, ranked together by AIC (commands/fit_list.py), and ``--fit auto`` with the metalog.

Oracles: scipy.stats' own ``fit`` and closed-form maximum likelihood (Normal: the mean and the
ddof=0 sd; Gamma with its rate held: digamma(a) = log(rate) + mean(log x), solved by scipy's
brentq) for the single families; for the metalog Keelin's defining least-squares equations written
here with numpy (the basis in y itself, its derivative by hand), its cdf by brentq on that quantile
function and its density 1 / Q'(y); every log-likelihood is a sum recomputed with scipy.stats, and
AIC = 2k - 2 log L, BIC = k log n - 2 log L from those sums.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import optimize, special, stats

from conftest import assert_usage_error

N = 300


@pytest.fixture(scope="module")
def gamma_data():
    return stats.gamma(3.0, scale=0.7).rvs(size=N, random_state=np.random.default_rng(11))


@pytest.fixture(scope="module")
def normal_data():
    return stats.norm(10.0, 1.0).rvs(size=200, random_state=np.random.default_rng(4))


def _write(tmp_path, values, name="d.txt"):
    path = tmp_path / name
    np.savetxt(path, values, fmt="%.17g")
    return str(path)


def _json(run, path, fit, *args):
    result = run("summarize", "--input", path, "--fit", fit, *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


# ---------------------------------------------------------------------------------------------
# The metalog oracle: Keelin (2016), eq. 6-8, written out in y


def _terms(y, k):
    """[g_1(y), ..., g_k(y)] and their derivatives: 1, L, c L, c, c^2, c^2 L, c^3, c^3 L, ..."""
    L, c = np.log(y / (1 - y)), y - 0.5
    dL = 1.0 / (y * (1 - y))
    shapes = [(0, 0), (0, 1), (1, 1), (1, 0)] + [((j - 1) // 2, 1 if j % 2 == 0 else 0) for j in range(5, k + 1)]
    g, dg = [], []
    for n, b in shapes[:k]:
        g.append(c ** n * L ** b)
        dg.append((n * c ** (n - 1) if n else 0.0 * y) * L ** b + (b * c ** n * dL if b else 0.0 * y))
    return np.array(g).T, np.array(dg).T


class OracleMetalog:
    """The OLS metalog of the sorted data at y_i = (i - 1/2) / n, on the scale the lower bound gives."""

    def __init__(self, x, k, lower=None):
        x = np.sort(np.asarray(x, dtype=float))
        n = x.size
        y = (np.arange(1, n + 1) - 0.5) / n
        z = x if lower is None else np.log(x - lower)
        Y, _ = _terms(y, k)
        self.a = np.linalg.lstsq(Y, z, rcond=None)[0]
        self.k, self.lower = k, lower

    def m(self, y):
        return _terms(np.atleast_1d(y), self.k)[0] @ self.a

    def quantile(self, y):
        m = self.m(y)
        return m if self.lower is None else self.lower + np.exp(m)

    def dquantile(self, y):
        dm = _terms(np.atleast_1d(y), self.k)[1] @ self.a
        return dm if self.lower is None else np.exp(self.m(y)) * dm

    def cdf(self, v):
        return np.array([optimize.brentq(lambda y: self.quantile(y)[0] - xi, 1e-15, 1 - 1e-15, xtol=1e-15, rtol=1e-15)
                         for xi in np.atleast_1d(v)])

    def loglik(self, x):
        return float(np.sum(-np.log(self.dquantile(self.cdf(x)))))

    def feasible(self):
        y = special.expit(np.linspace(-30, 30, 200001))
        return bool(np.all(self.dquantile(y) > 0))


def _entry(doc, family, **where):
    found = [r for r in doc["ranking"] if r["family"] == family and all(r.get(k) == v for k, v in where.items())]
    assert len(found) == 1, doc["ranking"]
    return found[0]


def _check_criteria(entry, loglik, k, n):
    assert entry["log_likelihood"] == pytest.approx(loglik, rel=1e-9)
    assert entry["k"] == k
    assert entry["aic"] == pytest.approx(2 * k - 2 * loglik, rel=1e-9)
    assert entry["bic"] == pytest.approx(k * math.log(n) - 2 * loglik, rel=1e-9)


def _check_order(doc):
    aics = [r["aic"] for r in doc["ranking"]]
    assert aics == sorted(aics)
    best, first = doc["fit"], doc["ranking"][0]
    assert (best["family"], best["params"], best["method"]) == (first["family"], first["params"], first["method"])


# ---------------------------------------------------------------------------------------------
# What the brief's two commands do now


def test_metalog_beside_gamma_ranked_by_aic(run, tmp_path, gamma_data):
    doc = _json(run, _write(tmp_path, gamma_data), "metalog,gamma", "--terms", "4", "--no-plot")
    _check_order(doc)
    assert doc["skipped"] == []
    gamma = _entry(doc, "Gamma")
    a, _, scale = stats.gamma.fit(gamma_data, floc=0)
    assert gamma["params"]["concentration"] == pytest.approx(a, rel=1e-5)
    assert gamma["params"]["rate"] == pytest.approx(1 / scale, rel=1e-5)
    frozen = stats.gamma(gamma["params"]["concentration"], scale=1 / gamma["params"]["rate"])
    _check_criteria(gamma, float(np.sum(frozen.logpdf(gamma_data))), 2, N)
    assert gamma["method"] == "maximum-likelihood"
    ks = stats.kstest(gamma_data, frozen.cdf)
    assert gamma["ks"] == pytest.approx(ks.statistic, rel=1e-8)

    metalog = _entry(doc, "Metalog")
    oracle = OracleMetalog(gamma_data, 4)
    assert oracle.feasible()
    assert metalog["method"] == "least-squares" and metalog["terms"] == 4 and metalog["kind"] == "unbounded"
    np.testing.assert_allclose(metalog["params"]["a"], oracle.a, rtol=1e-9, atol=1e-12)
    assert metalog["params"]["lower"] is None and metalog["params"]["upper"] is None
    _check_criteria(metalog, oracle.loglik(gamma_data), 4, N)  # k = the terms (no bound estimated)
    ks = stats.kstest(gamma_data, oracle.cdf)
    assert metalog["ks"] == pytest.approx(ks.statistic, rel=1e-7)
    assert metalog["ks_pvalue"] == pytest.approx(ks.pvalue, rel=1e-5)


EIGHT = [1.2, 0.7, 3.1, 2.2, 1.9, 0.5, 2.8, 1.4]
EIGHT_TABLE = """\
fits ranked by AIC (BIC beside it); maximum likelihood, but (LS): Keelin's least squares, its 
log-likelihood at the least-squares coefficients, k = its terms
                                                                                                    
  rank   family         log-lik      AIC         dAIC    BIC         KS       KS p    parameters    
 ────────────────────────────────────────────────────────────────────────────────────────────────── 
  1      Gamma          -10.131524   24.263047   0       24.42193    0.1412   0.99    concentrati…  
                                                                                      rate=1.87273  
  2      Metalog (LS)   -10.667818   27.335636   3.073   27.573961   0.1262   0.997   [2] below     
                                                                                                    
[2] Metalog(a=[1.67243, 0.542575, 0.11641]): unbounded, 3 terms, by Keelin's least squares at (i - 
0.5) / n, not maximum likelihood (a maximum-likelihood metalog of these terms would have at least 
this likelihood)
best: dist.Gamma(concentration=3.23045, rate=1.87273)
"""


def test_metalog_beside_gamma_table(run, tmp_path):
    """The brief's command: exactly this table, and its numbers are the oracles'."""
    path = _write(tmp_path, EIGHT)
    result = run("summarize", "--input", path, "--fit", "metalog,gamma", "--no-plot")
    assert result.exit_code == 0 and result.stderr == "", result.stderr
    assert result.stdout[result.stdout.index("fits ranked"):] == EIGHT_TABLE
    x = np.array(EIGHT)
    doc = _json(run, path, "metalog,gamma", "--no-plot")
    oracle = OracleMetalog(x, 3)  # the default: 5 and 4 terms are no distribution for these values
    assert oracle.feasible() and not OracleMetalog(x, 4).feasible() and not OracleMetalog(x, 5).feasible()
    metalog = _entry(doc, "Metalog")
    np.testing.assert_allclose(metalog["params"]["a"], oracle.a, rtol=1e-9)
    _check_criteria(metalog, oracle.loglik(x), 3, x.size)
    a, _, scale = stats.gamma.fit(x, floc=0)
    gamma = _entry(doc, "Gamma")
    assert gamma["params"] == {"concentration": pytest.approx(a, rel=1e-5), "rate": pytest.approx(1 / scale, rel=1e-5)}
    _check_criteria(gamma, float(np.sum(stats.gamma(gamma["params"]["concentration"],
                                                    scale=1 / gamma["params"]["rate"]).logpdf(x))), 2, x.size)


def test_a_list_with_a_held_parameter(run, tmp_path, gamma_data):
    doc = _json(run, _write(tmp_path, gamma_data), "Normal, Gamma(rate=2)", "--no-plot")
    _check_order(doc)
    normal = _entry(doc, "Normal")
    mu, sd = float(np.mean(gamma_data)), float(np.std(gamma_data))
    assert normal["params"] == {"loc": pytest.approx(mu, rel=1e-12), "scale": pytest.approx(sd, rel=1e-10)}
    _check_criteria(normal, float(np.sum(stats.norm(mu, sd).logpdf(gamma_data))), 2, N)
    gamma = _entry(doc, "Gamma")
    shape = optimize.brentq(lambda a: special.digamma(a) - math.log(2.0) - np.mean(np.log(gamma_data)), 1e-3, 1e3,
                            xtol=1e-14)
    assert gamma["params"] == {"concentration": pytest.approx(shape, rel=1e-9), "rate": 2.0}
    _check_criteria(gamma, float(np.sum(stats.gamma(shape, scale=0.5).logpdf(gamma_data))), 1, N)


def test_every_kind_in_one_list(run, tmp_path, gamma_data):
    path = _write(tmp_path, gamma_data)
    doc = _json(run, path, "normal, Gamma(rate=2), Mixture(Normal, Normal), metalog(terms=3, lower=0)", "--no-plot")
    _check_order(doc)
    assert sorted((r["family"], r["method"]) for r in doc["ranking"]) == [
        ("Gamma", "maximum-likelihood"), ("Metalog", "least-squares"), ("Mixture", "maximum-likelihood"),
        ("Normal", "maximum-likelihood")]
    mixture = _entry(doc, "Mixture")
    w = mixture["params"]["weights"]
    comps = mixture["params"]["components"]
    density = sum(wi * stats.norm(c["params"]["loc"], c["params"]["scale"]).pdf(gamma_data) for wi, c in zip(w, comps))
    _check_criteria(mixture, float(np.sum(np.log(density))), 5, N)
    metalog = _entry(doc, "Metalog")
    oracle = OracleMetalog(gamma_data, 3, lower=0.0)
    assert metalog["kind"] == "semi-bounded" and metalog["params"]["lower"] == 0.0
    np.testing.assert_allclose(metalog["params"]["a"], oracle.a, rtol=1e-9, atol=1e-12)
    _check_criteria(metalog, oracle.loglik(gamma_data), 3, N)
    # the table: every item ranked, the metalog and the mixture written out under it
    result = run("summarize", "--input", path, "--fit", "normal, Gamma(rate=2), Mixture(Normal, Normal), metalog("
                 "terms=3, lower=0)")
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.split())  # the lines as rich wraps them, joined
    assert "Metalog (LS)" in text and "semi-bounded, 3 terms, by Keelin's least squares" in text
    assert "] Mixture([" in text and "best: " in text


def test_terms_option_goes_to_the_metalog_and_skips_no_family(run, tmp_path, gamma_data):
    doc = _json(run, _write(tmp_path, gamma_data), "gamma, metalog", "--terms", "2", "--no-plot")
    assert {r["family"] for r in doc["ranking"]} == {"Gamma", "Metalog"}
    metalog = _entry(doc, "Metalog")
    assert metalog["terms"] == 2
    np.testing.assert_allclose(metalog["params"]["a"], OracleMetalog(gamma_data, 2).a, rtol=1e-9)


def test_a_lone_metalog_item_is_the_metalog_fit(run, tmp_path, gamma_data):
    path = _write(tmp_path, gamma_data)
    item = _json(run, path, "metalog(terms=3, lower=0)", "--no-plot")
    options = _json(run, path, "metalog", "--terms", "3", "--lower", "0", "--no-plot")
    assert item == options
    np.testing.assert_allclose(item["fit"]["params"]["a"], OracleMetalog(gamma_data, 3, lower=0.0).a, rtol=1e-9)


def test_metalog_options_go_to_no_family(run, tmp_path, gamma_data):
    """--lower 0 with a metalog in the list is its bound (a family would read it as a target)."""
    doc = _json(run, _write(tmp_path, gamma_data), "gamma, metalog", "--lower", "0", "--terms", "3", "--no-plot")
    assert {r["family"] for r in doc["ranking"]} == {"Gamma", "Metalog"} and doc["skipped"] == []
    metalog = _entry(doc, "Metalog")
    assert metalog["kind"] == "semi-bounded" and metalog["terms"] == 3
    np.testing.assert_allclose(metalog["params"]["a"], OracleMetalog(gamma_data, 3, lower=0.0).a, rtol=1e-9)


def test_a_family_parameter_holds_where_an_item_has_it(run, tmp_path, gamma_data):
    """--rate 2 holds Gamma's rate; an item without it is skipped with the reason (the metalog too),
    as in a list of families."""
    doc = _json(run, _write(tmp_path, gamma_data), "gamma, normal, metalog", "--rate", "2", "--no-plot")
    assert [r["family"] for r in doc["ranking"]] == ["Gamma"]
    assert _entry(doc, "Gamma")["params"]["rate"] == 2.0 and _entry(doc, "Gamma")["k"] == 1
    skipped = {s["family"]: s["reason"] for s in doc["skipped"]}
    assert list(skipped) == ["Normal", "Metalog"] and "rate" in skipped["Normal"]
    assert "no parameter --rate" in skipped["Metalog"]


def test_emit_the_best_metalog(run, tmp_path, normal_data):
    path = _write(tmp_path, normal_data)
    doc = _json(run, path, "metalog, exponential", "--no-plot")
    assert doc["fit"]["family"] == "Metalog" and doc["fit"]["method"] == "least-squares"
    result = run("summarize", "--input", path, "--fit", "metalog, exponential", "--emit", "numpyro")
    assert result.exit_code == 0, result.stderr
    assert "def metalog_quantile(" in result.stdout
    assert repr(doc["fit"]["params"]["a"][0]) in result.stdout


def test_a_list_with_a_metalog_plots(run, tmp_path, gamma_data):
    result = run("summarize", "--input", _write(tmp_path, gamma_data), "--fit", "metalog, gamma")
    assert result.exit_code == 0, result.stderr
    assert "fit: Metalog(a=[" in result.stdout and "fit: dist.Gamma(" in result.stdout


@pytest.mark.slow
def test_auto_ranks_the_metalog_with_the_families(run, tmp_path, gamma_data):
    doc = _json(run, _write(tmp_path, gamma_data), "auto", "--no-plot")
    _check_order(doc)
    unbounded = _entry(doc, "Metalog", kind="unbounded")
    semi = _entry(doc, "Metalog", kind="semi-bounded")  # every datum above 0: the log metalog too
    for entry, lower in ((unbounded, None), (semi, 0.0)):
        oracle = OracleMetalog(gamma_data, entry["terms"], lower=lower)
        assert oracle.feasible()
        np.testing.assert_allclose(entry["params"]["a"], oracle.a, rtol=1e-9, atol=1e-12)
        _check_criteria(entry, oracle.loglik(gamma_data), entry["terms"], N)
        if entry["terms"] < 5:  # the default: the largest feasible of 5..2 terms
            assert not OracleMetalog(gamma_data, entry["terms"] + 1, lower=lower).feasible()
    gamma = _entry(doc, "Gamma")
    frozen = stats.gamma(gamma["params"]["concentration"], scale=1 / gamma["params"]["rate"])
    _check_criteria(gamma, float(np.sum(frozen.logpdf(gamma_data))), 2, N)


@pytest.mark.slow
def test_auto_leaves_the_metalog_out_of_whole_numbers_and_truncations(run, tmp_path, gamma_data):
    counts = np.random.default_rng(2).poisson(4.0, 200)
    doc = _json(run, _write(tmp_path, counts, "c.txt"), "auto", "--no-plot")
    assert all(r["family"] != "Metalog" for r in doc["ranking"])
    left = {s["family"]: s["reason"] for s in doc["left_out"]}
    assert "whole-number data" in left["Metalog"]
    doc = _json(run, _write(tmp_path, gamma_data[gamma_data < 5]), "auto", "--truncate", "0,5", "--no-plot")
    assert all(r["family"] != "Metalog" for r in doc["ranking"])
    assert "not truncated" in {s["family"]: s["reason"] for s in doc["left_out"]}["Metalog"]


# ---------------------------------------------------------------------------------------------
# Bad lists: one Error line naming the item, exit 2


@pytest.mark.parametrize("fit, args, needles", [
    ("metalog,gamma,notafamily", (), ("item 3 'notafamily'", "unknown family")),
    ("normal,,gamma", (), ("item 2 is empty",)),
    ("normal, gamma,", (), ("item 3 is empty",)),
    ("normal, Gamma, normal", (), ("item 3 'normal' repeats item 1 'normal'",)),
    ("Gamma(rate=2), gamma(rate=2.0)", (), ("item 2 'gamma(rate=2.0)' repeats item 1",)),
    ("metalog, Metalog", (), ("item 2 'Metalog' repeats item 1 'metalog'",)),
    ("Mixture(Normal, Gamma), Mixture(Gamma, Normal)", (), ("item 2", "repeats item 1")),
    ("normal, Gamma(rat=2)", (), ("item 2 'Gamma(rat=2)'", "unknown parameter 'rat'")),
    ("normal, Mixture(Normal)", (), ("item 2 'Mixture(Normal)'", "at least two components")),
    ("normal, metalog(terms=1)", (), ("item 2 'metalog(terms=1)'", "--terms")),
    ("normal, metalog(tails=1)", (), ("item 2 'metalog(tails=1)'", "terms=K")),
    ("normal, metalog(terms=3)", ("--terms", "4"), ("item 2", "--terms is given twice")),
    ("normal, auto", (), ("item 2", "'auto' stands alone")),
    ("normal, Gamma(rate=2", (), ("a '(' without its ')'",)),
    ("normal, dirichlet", (), ("item 2 'dirichlet'", "multivariate")),
    ("normal, gamma", ("--terms", "3"), ("--terms", "no metalog item")),
    ("normal, Gamma(rate=2)", ("--rate", "3"), ("Gamma(rate=2)", "rate")),
    ("normal, Mixture(Normal, Normal)", ("--scale", "1"), ("--PARAM VALUE",)),
    ("normal, metalog", ("--truncate", "0,5"), ("--truncate",)),
])
def test_bad_lists(run, tmp_path, fit, args, needles):
    path = _write(tmp_path, [0.5, 1.2, 1.9, 2.2, 3.1])
    assert_usage_error(run("summarize", "--input", path, "--fit", fit, *args), "--fit" if "item" in needles[0] else "",
                       *needles)


@pytest.mark.slow
def test_the_process_exits_2_for_a_bad_list_and_a_list_imports_no_jax(tmp_path):
    """The console script's own exit (cli.main's fast exit), not only CliRunner's: `priorcli ... | head`
    reports head's status, the process itself exits 2 with one Error line."""
    import subprocess
    import sys

    from conftest import packages_after

    path = _write(tmp_path, EIGHT)
    result = subprocess.run([sys.executable, "-m", "priorcli", "summarize", "--input", path, "--fit",
                             "metalog,gamma,notafamily"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "Error: --fit 'metalog,gamma,notafamily': item 3 'notafamily': unknown family 'notafamily'; see 'priorcli list'"]
    out, imported = packages_after(["summarize", "--input", path, "--fit", "metalog, Gamma(rate=2), normal",
                                    "--no-plot"], packages=["jax", "numpyro"])
    assert "Metalog (LS)" in out and imported == []
