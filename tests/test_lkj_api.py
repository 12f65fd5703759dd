"""LKJ and LKJCholesky through the Python API, ``priorcli list`` and ``priorcli info`` (issue 21,
item 6). Oracles: scipy.stats.beta for the marginal (r + 1) / 2 ~ Beta(a, a), a = eta - 1 + K / 2,
and scipy's brentq-free check of the solved concentration (the mass recomputed with scipy.stats)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats as st

import priorcli
from conftest import assert_usage_error
from emit_support import exact_mismatches
from priorcli.errors import UsageError


def marginal(k, eta):
    a = eta - 1 + k / 2
    return st.beta(a, a, loc=-1, scale=2)


def test_summarize_is_the_exact_marginal():
    s = priorcli.summarize("lkj", dimension=3, concentration=2)
    d = marginal(3, 2.0)
    assert s.method == "exact" and s.mean == 0.0 and s.median == 0.0
    assert s.sd == pytest.approx(d.std(), rel=1e-12)
    for p, q in s.quantiles.items():
        assert q == pytest.approx(d.ppf(p), rel=1e-8, abs=1e-12)
    # aliases and the Cholesky form: the same marginal
    assert priorcli.summarize("LKJCholesky", k=3, eta=2).quantiles == s.quantiles


@pytest.mark.parametrize("k, lower, upper, mass", [(3, -0.5, 0.5, 0.9), (5, -0.3, 0.2, 0.6), (2, -0.9, 0.9, 0.95)])
def test_solve_meets_the_mass_by_scipys_beta(k, lower, upper, mass):
    r = priorcli.solve("lkj", dimension=k, lower=lower, upper=upper, mass=mass)
    eta = r.params["concentration"]
    d = marginal(k, eta)
    assert d.cdf(upper) - d.cdf(lower) == pytest.approx(mass, abs=1e-10)
    assert r.achieved["mass"] == pytest.approx(mass, abs=1e-10)
    assert r.numpyro_code == f"dist.LKJCholesky(dimension={k}, concentration={eta:.6g})"
    assert r.stan_code == f"lkj_corr_cholesky({eta:.6g})"


def test_solve_from_a_quantile_and_the_numpyro_distribution():
    r = priorcli.solve("lkj", dimension=3, quantile=(0.95, 0.5))
    assert marginal(3, r.concentration).ppf(0.95) == pytest.approx(0.5, rel=1e-10)
    assert priorcli.solve("lkj", dimension=3, quantile="0.95=0.5").concentration == pytest.approx(r.concentration)
    d = r.to_numpyro()
    assert type(d).__name__ == "LKJ" and d.dimension == 3


@pytest.mark.slow
def test_sample_draws_correlations_with_the_marginal():
    n = 20_000
    s = priorcli.sample("lkjcholesky", dimension=4, concentration=2, n=n, seed=3)
    assert s.draws.shape == (n, 6) and s.params == {"dimension": 4, "concentration": 2.0}
    for i in range(6):
        assert exact_mismatches(s.draws[:, i], marginal(4, 2.0).cdf) == [], i
    assert s.summary[0].n == n and s.exact[0].method == "exact"
    again = priorcli.sample("lkjcholesky", dimension=4, concentration=2, n=n, seed=3)
    np.testing.assert_array_equal(again.draws, s.draws)


@pytest.mark.parametrize("call, kwargs, needle", [
    ("summarize", {"dimension": 1}, "dimension"),
    ("summarize", {"dimension": 2.5}, "dimension"),
    ("summarize", {"dimension": 3, "concentration": 0}, "concentration"),
    ("summarize", {"dimension": 3, "eta": -1.0}, "eta must be"),  # named as the caller spelled it
    ("summarize", {"concentration": 2}, "dimension=K"),
    ("summarize", {"dimension": 3, "loc": 1}, "unknown parameter"),
    ("solve", {"dimension": 1, "lower": -0.5, "upper": 0.5, "mass": 0.9}, "dimension"),
    ("solve", {"dimension": 3, "lower": -0.5, "upper": 0.5}, "mass"),
    ("sample", {"dimension": 3, "concentration": -2}, "concentration"),
])
def test_api_errors(call, kwargs, needle):
    with pytest.raises(UsageError, match=needle):
        getattr(priorcli, call)("lkj", **kwargs)


# ---------------------------------------------------------------------------------------------
# list and info


def test_list_shows_both(run):
    rows = {f["family"]: f for f in run.json("list")}
    for name in ("LKJ", "LKJCholesky"):
        assert [p["name"] for p in rows[name]["params"]] == ["dimension", "concentration"]
        assert rows[name]["params"][1]["default"] == 1.0 and rows[name]["params"][0]["default"] is None
    assert rows["LKJ"]["support"] == "K x K correlation matrices"
    assert "LKJCholesky" in run("list").stdout


@pytest.mark.parametrize("name", ["lkj", "lkjcholesky", "LKJ-Cholesky"])
def test_info(run, name):
    doc = run.json("info", name)
    assert doc["family"] in ("LKJ", "LKJCholesky")
    assert [(p["name"], p["aliases"]) for p in doc["params"]] == [("dimension", ["k"]), ("concentration", ["eta"])]
    assert any("Beta(a, a), a = concentration - 1 + dimension / 2" in f for f in doc["closed_forms"])
    assert doc["example"].startswith("priorcli ") and "--dimension" in doc["example"]
    text = run("info", name).stdout
    assert "support: K x K" in text and "example:" in text


@pytest.mark.slow
def test_warm_list_and_info_import_no_jax(private_cache):
    from conftest import packages_after

    commands = (["list"], ["info", "lkj"], ["info", "lkjcholesky"])
    cold, imported = packages_after(*commands, packages=["numpyro", "jax"])
    assert "numpyro" in imported  # the control: the first run discovered the registry
    warm, imported = packages_after(*commands, packages=["numpyro", "jax"])
    assert imported == [], imported
    assert warm == cold and "LKJCholesky" in warm and "support: K x K correlation matrices" in warm


@pytest.mark.parametrize("args, needle", [
    (["summarize", "lkj", "--dimension", "1"], "--dimension"),
    (["summarize", "lkj", "--dimension", "2.5"], "--dimension"),
    (["summarize", "lkj", "--dimension", "3", "--eta", "0"], "--eta must be"),  # named as typed
    (["solve", "lkj", "--dimension", "3", "--concentration", "-1", "--mass", "0.9"], "--concentration"),
])
def test_cli_errors(run, args, needle):
    assert_usage_error(run(*args), needle)


def test_the_marginal_sd_closed_form():
    for k, eta in ((2, 0.5), (3, 1.0), (10, 7.5)):
        a = eta - 1 + k / 2
        assert priorcli.summarize("lkj", dimension=k, eta=eta).sd == pytest.approx(1 / math.sqrt(2 * a + 1), rel=1e-14)
