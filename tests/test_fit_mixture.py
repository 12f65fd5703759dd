"""summarize --input FILE --fit "Mixture(F, G, ...)" (issue 21 item 2, mixtures through --fit):
maximum likelihood of a finite mixture, checked against an independent numpy EM (normal and
Poisson components), recovery of known parameters from a large seeded sample within 5 standard
errors derived from n, the log-likelihood and exact summary recomputed with scipy.stats, the ranking
beside single families (AIC, BIC), and bad input as one Error line."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats as st
from scipy.optimize import brentq

from conftest import assert_usage_error
from priorcli.errors import ConvergenceError, InfeasibleError, UsageError
from priorcli.fitting import mixture as mixfit


def _write(tmp_path, name, x, fmt="%.17g"):
    path = tmp_path / name
    np.savetxt(path, x, fmt=fmt)
    return str(path)


# ---------------------------------------------------------------------------------------------
# Independent oracles: EM written here with numpy and scipy.stats only


def _em_normal(x, w, mu, sd, iterations=20000, tol=1e-13):
    w, mu, sd = (np.array(v, dtype=float) for v in (w, mu, sd))
    last = -np.inf
    for _ in range(iterations):
        dens = w[:, None] * st.norm.pdf(x[None, :], mu[:, None], sd[:, None])
        total = dens.sum(axis=0)
        ll = float(np.sum(np.log(total)))
        r = dens / total
        nk = r.sum(axis=1)
        w = nk / x.size
        mu = (r * x).sum(axis=1) / nk
        sd = np.sqrt((r * (x - mu[:, None]) ** 2).sum(axis=1) / nk)
        if ll - last < tol * abs(ll):
            break
        last = ll
    return w, mu, sd, ll


def _em_poisson(x, w, rate, iterations=20000, tol=1e-13):
    w, rate = np.array(w, dtype=float), np.array(rate, dtype=float)
    last = -np.inf
    for _ in range(iterations):
        dens = w[:, None] * st.poisson.pmf(x[None, :], rate[:, None])
        total = dens.sum(axis=0)
        ll = float(np.sum(np.log(total)))
        r = dens / total
        nk = r.sum(axis=1)
        w, rate = nk / x.size, (r * x).sum(axis=1) / nk
        if ll - last < tol * abs(ll):
            break
        last = ll
    return w, rate, ll


@pytest.fixture(scope="module")
def overlapping():
    """Two overlapping normal components: EM and the direct maximisation must meet."""
    rng = np.random.default_rng(20261203)
    return np.concatenate([rng.normal(0.0, 1.0, 240), rng.normal(2.5, 0.8, 360)])


@pytest.mark.slow
def test_normal_mixture_matches_independent_em(overlapping):
    fit = mixfit.fit_mixture("Mixture(Normal, Normal)", overlapping)
    w, mu, sd, ll = _em_normal(overlapping, [0.5, 0.5], [-0.5, 3.0], [1.0, 1.0])
    order = np.argsort(mu)
    assert fit.log_likelihood == pytest.approx(ll, rel=1e-9)
    assert fit.weights == pytest.approx(list(w[order]), abs=2e-5)
    for (family, params), m, s in zip(fit.components, mu[order], sd[order]):
        assert family == "Normal"
        assert params["loc"] == pytest.approx(m, abs=2e-5)
        assert params["scale"] == pytest.approx(s, abs=2e-5)
    # the reported log-likelihood is scipy's at the reported parameters
    dens = sum(wk * st.norm.pdf(overlapping, p["loc"], p["scale"]) for wk, (_, p) in zip(fit.weights, fit.components))
    assert fit.log_likelihood == pytest.approx(float(np.sum(np.log(dens))), rel=1e-12)
    assert fit.free == 5 and fit.n == overlapping.size
    assert fit.aic == pytest.approx(10 - 2 * ll, rel=1e-9)
    assert fit.bic == pytest.approx(5 * math.log(overlapping.size) - 2 * ll, rel=1e-9)


def test_poisson_mixture_matches_independent_em():
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.poisson(2.0, 350), rng.poisson(6.0, 450)]).astype(float)
    fit = mixfit.fit_mixture("Mixture(Poisson, Poisson)", x)
    w, rate, ll = _em_poisson(x, [0.5, 0.5], [1.0, 8.0])
    order = np.argsort(rate)
    assert fit.log_likelihood == pytest.approx(ll, rel=1e-9)
    assert fit.weights == pytest.approx(list(w[order]), abs=1e-4)
    assert [p["rate"] for _, p in fit.components] == pytest.approx(list(rate[order]), rel=1e-4)
    assert fit.spec.family.discrete


# ---------------------------------------------------------------------------------------------
# Recovery of a known mixture from a large seeded sample, within 5 standard errors


N = 20_000


def test_large_sample_recovers_a_normal_mixture():
    w1, (m1, s1), (m2, s2) = 0.3, (0.0, 1.0), (6.0, 0.5)  # separated: the standard errors below hold
    rng = np.random.default_rng(11)
    pick = rng.uniform(size=N) < w1
    x = np.where(pick, rng.normal(m1, s1, N), rng.normal(m2, s2, N))
    fit = mixfit.fit_mixture("Mixture(Normal, Normal)", x)
    (_, a), (_, b) = fit.components
    se_w = math.sqrt(w1 * (1 - w1) / N)
    assert abs(fit.weights[0] - w1) < 5 * se_w
    for p, (m, s), share in ((a, (m1, s1), w1), (b, (m2, s2), 1 - w1)):
        count = N * share
        assert abs(p["loc"] - m) < 5 * s / math.sqrt(count)
        assert abs(p["scale"] - s) < 5 * s / math.sqrt(2 * count)


@pytest.mark.slow
def test_large_sample_recovers_a_normal_gamma_mixture():
    rng = np.random.default_rng(5)
    pick = rng.uniform(size=N) < 0.4
    x = np.where(pick, rng.normal(-4.0, 1.0, N), rng.gamma(9.0, 1.0 / 1.5, N))  # Gamma mean 6, sd 2
    fit = mixfit.fit_mixture("Mixture(Normal, Gamma)", x)
    (f0, normal), (f1, gamma) = fit.components
    assert (f0, f1) == ("Normal", "Gamma")  # different families keep the order they were named in
    assert abs(fit.weights[0] - 0.4) < 5 * math.sqrt(0.24 / N)
    assert abs(normal["loc"] + 4.0) < 5 / math.sqrt(0.4 * N)
    # the Gamma's mean is estimated as well as a sample mean of its share
    assert abs(gamma["concentration"] / gamma["rate"] - 6.0) < 5 * 2.0 / math.sqrt(0.6 * N)


def test_large_sample_recovers_a_poisson_mixture():
    rng = np.random.default_rng(3)
    pick = rng.uniform(size=N) < 0.35
    x = np.where(pick, rng.poisson(2.0, N), rng.poisson(15.0, N)).astype(float)
    fit = mixfit.fit_mixture("Mixture(Poisson, Poisson)", x)
    assert abs(fit.weights[0] - 0.35) < 5 * math.sqrt(0.35 * 0.65 / N)
    for (_, p), rate, share in zip(fit.components, (2.0, 15.0), (0.35, 0.65)):
        assert abs(p["rate"] - rate) < 5 * math.sqrt(rate / (share * N))


def test_label_order_is_by_mean_and_independent_of_the_data_order(overlapping):
    fit = mixfit.fit_mixture("Mixture(Normal, Normal)", overlapping)
    again = mixfit.fit_mixture("mixture(normal, normal)", np.random.default_rng(1).permutation(overlapping))
    assert fit.components[0][1]["loc"] < fit.components[1][1]["loc"]
    assert again.weights == pytest.approx(fit.weights, abs=1e-7)
    for (_, p), (_, q) in zip(fit.components, again.components):
        assert p == pytest.approx(q, abs=1e-6)


# ---------------------------------------------------------------------------------------------
# Through the command line


def test_cli_json_document_and_its_exact_summary(run, tmp_path, overlapping):
    doc = run.json("summarize", "--input", _write(tmp_path, "d.txt", overlapping), "--fit",
                   "Mixture(Normal, Normal)", "--format", "json", "--no-plot")
    fit = doc["fit"]
    assert fit["family"] == "Mixture"
    weights = fit["params"]["weights"]
    comps = fit["params"]["components"]
    assert [c["family"] for c in comps] == ["Normal", "Normal"]
    assert sum(weights) == pytest.approx(1.0, abs=1e-12)
    dens = sum(w * st.norm.pdf(overlapping, c["params"]["loc"], c["params"]["scale"]) for w, c in zip(weights, comps))
    assert fit["log_likelihood"] == pytest.approx(float(np.sum(np.log(dens))), rel=1e-12)
    assert fit["k"] == 5 and fit["n"] == overlapping.size
    assert fit["aic"] == pytest.approx(10 - 2 * fit["log_likelihood"], rel=1e-12)
    assert fit["bic"] == pytest.approx(5 * math.log(overlapping.size) - 2 * fit["log_likelihood"], rel=1e-12)
    assert fit["numpyro"].startswith("dist.MixtureGeneral(dist.Categorical(probs=jnp.array([")
    assert fit["stan"].startswith("target += log_mix(") and fit["pymc"].startswith('pm.Mixture("x", w=')

    def cdf(v):
        return sum(w * st.norm.cdf(v, c["params"]["loc"], c["params"]["scale"]) for w, c in zip(weights, comps))

    exact = fit["exact"]
    assert exact["method"] == "exact"
    mean = sum(w * c["params"]["loc"] for w, c in zip(weights, comps))
    assert exact["mean"] == pytest.approx(mean, rel=1e-12)
    for p, v in exact["quantiles"].items():
        assert v == pytest.approx(brentq(lambda t: cdf(t) - float(p), -50, 50, xtol=1e-14), abs=1e-8)
    assert doc["summary"]["n"] == overlapping.size  # the draws' own summary stays beside it


def test_cli_table_shows_fit_exact_summary_and_three_code_lines(run, tmp_path, overlapping):
    result = run("summarize", "--input", _write(tmp_path, "d.txt", overlapping), "--fit",
                 "Mixture(Normal, Normal)", "--no-plot")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "maximum-likelihood fit: Mixture([" in out and "BIC" in out and "exact" in out
    assert "numpyro: dist.MixtureGeneral(" in out and "Stan:    target += log_mix(" in out
    assert 'PyMC:    pm.Mixture("x"' in out


def test_cli_ranks_a_mixture_beside_single_families(run, tmp_path, overlapping):
    doc = run.json("summarize", "--input", _write(tmp_path, "d.txt", overlapping), "--fit",
                   "normal, Mixture(Normal, Normal), gamma", "--format", "json", "--no-plot")
    ranking = doc["ranking"]
    assert [r["aic"] for r in ranking] == sorted(r["aic"] for r in ranking)
    families = [r["family"] for r in ranking]
    assert families[0] == "Mixture" and "Normal" in families
    n = overlapping.size
    for r in ranking:
        assert r["aic"] == pytest.approx(2 * r["k"] - 2 * r["log_likelihood"], rel=1e-12)
        assert r["bic"] == pytest.approx(r["k"] * math.log(n) - 2 * r["log_likelihood"], rel=1e-12)
    normal = next(r for r in ranking if r["family"] == "Normal")
    assert normal["log_likelihood"] == pytest.approx(float(np.sum(st.norm.logpdf(overlapping, *st.norm.fit(overlapping)))),
                                                     rel=1e-10)
    assert [s["family"] for s in doc["skipped"]] == ["Gamma"]  # negative data: skipped with the reason
    assert doc["fit"]["family"] == "Mixture"


def test_cli_discrete_counts(run, tmp_path):
    rng = np.random.default_rng(9)
    x = np.concatenate([rng.poisson(2.0, 400), rng.poisson(9.0, 600)])
    path = _write(tmp_path, "counts.txt", x, fmt="%d")
    result = run("summarize", "--input", path, "--fit", "Mixture(Poisson, Poisson)", "--no-plot")
    assert result.exit_code == 0, result.stderr
    assert "dist.Poisson(rate=" in result.stdout and "Stan:    target += log_mix([" in result.stdout
    assert "poisson_lpmf(x | " in result.stdout
    doc = run.json("summarize", "--input", path, "--fit", "Mixture(Poisson, Poisson)", "--format", "json")
    w, rate, ll = _em_poisson(x.astype(float), [0.5, 0.5], [1.0, 10.0])
    assert doc["fit"]["log_likelihood"] == pytest.approx(ll, rel=1e-9)
    # a discrete mixture's exact quantiles are whole numbers where the mixed pmf's cdf first reaches p
    for p, v in doc["fit"]["exact"]["quantiles"].items():
        cdf = lambda k: sum(wk * st.poisson.cdf(k, c["params"]["rate"])  # noqa: E731
                            for wk, c in zip(doc["fit"]["params"]["weights"], doc["fit"]["params"]["components"]))
        assert v == int(v) and cdf(v) >= float(p) > cdf(v - 1)


@pytest.mark.slow
def test_cli_emit_writes_the_fitted_mixture(run, tmp_path, overlapping):
    path = _write(tmp_path, "d.txt", overlapping)
    doc = run.json("summarize", "--input", path, "--fit", "Mixture(Normal, Normal)", "--format", "json")
    result = run("summarize", "--input", path, "--fit", "Mixture(Normal, Normal)", "--emit", "stan")
    assert result.exit_code == 0, result.stderr
    code = result.stdout
    assert "target += log_mix(" in code and "maximum" not in code  # the program only
    for c in doc["fit"]["params"]["components"]:
        assert repr(c["params"]["loc"]) in code  # full precision
    result = run("summarize", "--input", path, "--fit", "normal", "--emit", "numpyro")
    assert result.exit_code == 0 and 'numpyro.sample("x", dist.Normal(' in result.stdout


@pytest.mark.slow
def test_emitted_numpyro_program_draws_the_fitted_mixture(run, tmp_path, overlapping):
    from emit_support import parse_printed_quantiles
    from test_emit_run import _run_script

    path = _write(tmp_path, "d.txt", overlapping)
    doc = run.json("summarize", "--input", path, "--fit", "Mixture(Normal, Normal)", "--format", "json")
    code = run("summarize", "--input", path, "--fit", "Mixture(Normal, Normal)", "--emit", "numpyro").stdout
    printed = parse_printed_quantiles(_run_script(code, tmp_path, "fitted_mixture"))["x"]
    weights = doc["fit"]["params"]["weights"]
    comps = [c["params"] for c in doc["fit"]["params"]["components"]]
    draws = 10_000  # the emitted program's

    def density(v):
        return sum(w * st.norm.pdf(v, c["loc"], c["scale"]) for w, c in zip(weights, comps))

    exact = {float(p): v for p, v in doc["fit"]["exact"]["quantiles"].items()}
    assert set(printed) == set(exact)
    for p, v in exact.items():  # 5 standard errors of a sample quantile, sqrt(p (1 - p) / n) / f(q)
        assert abs(printed[p] - v) < 5 * math.sqrt(p * (1 - p) / draws) / density(v), (p, printed[p], v)


# ---------------------------------------------------------------------------------------------
# Bad input, degenerate fits, non-convergence


@pytest.mark.parametrize("spec, needle", [
    ("Mixture(Normal)", "at least two components"),
    ("Mixture(Normal, Nrmal)", "unknown family"),
    ("Mixture(Normal, Poisson)", "all continuous or all discrete"),
    ("Mixture([0.3, 0.7], [Normal, Normal])", "weights are fitted"),
    ("Mixture(Normal, Uniform)", "support moves"),
    ("Mixture(Normal, Mixture(Normal, Normal))", "cannot be a Mixture"),
    ("Mixture(Normal, Normal", "without its ')'"),
])
def test_bad_specs_are_usage_errors(run, tmp_path, overlapping, spec, needle):
    result = run("summarize", "--input", _write(tmp_path, "d.txt", overlapping), "--fit", spec, "--no-plot")
    assert_usage_error(result, needle)


def test_too_few_data_points_cannot_be_met(run, tmp_path):
    result = run("summarize", "--input", _write(tmp_path, "d.txt", [0.5, 1.5, 2.5, 4.0]), "--fit",
                 "Mixture(Normal, Normal)", "--no-plot")
    assert_usage_error(result, "too few data points", "5 free parameters", code=1)


def test_data_outside_every_component_cannot_be_met(run, tmp_path, overlapping):
    result = run("summarize", "--input", _write(tmp_path, "d.txt", overlapping), "--fit",
                 "Mixture(Gamma, LogNormal)", "--no-plot")
    assert_usage_error(result, "outside", code=1)


def test_other_options_with_a_mixture_are_usage_errors(run, tmp_path, overlapping):
    path = _write(tmp_path, "d.txt", overlapping)
    assert_usage_error(run("summarize", "--input", path, "--fit", "Mixture(Normal, Normal)", "--truncate", "0,"),
                       "--truncate")
    assert_usage_error(run("summarize", "--input", path, "--fit", "Mixture(Normal, Normal)", "--loc", "1"),
                       "--PARAM")
    assert_usage_error(run("summarize", "--input", path, "--emit", "stan"), "--emit")
    assert_usage_error(run("summarize", "--input", path, "--fit", "Mixture(Normal, Normal)", "--emit", "jags"),
                       "--emit")


@pytest.mark.slow
def test_a_component_collapsing_onto_one_value_is_reported(run, tmp_path):
    rng = np.random.default_rng(4)
    x = np.concatenate([rng.normal(0.0, 1.0, 200), np.full(40, 5.0)])  # a point mass at 5
    result = run("summarize", "--input", _write(tmp_path, "d.txt", x), "--fit", "Mixture(Normal, Normal)",
                 "--no-plot")
    assert_usage_error(result, "degenerate", "collapses onto 5", code=1)


def test_a_component_without_weight_is_degenerate():
    comps = mixfit.parse_mixture("Mixture(Normal, Normal)")
    x = np.linspace(-2.0, 2.0, 101)
    lik = mixfit._Likelihood(comps, x, np.ones_like(x), [0.999, 0.001], [{"loc": 0.0, "scale": 1.0}] * 2, 1.0)
    u = np.zeros(lik.size)
    u[0] = 5.0  # the second weight far below one data point's share
    logw, params = lik.unpack(u)
    reason = mixfit._degenerate(comps, lik, u, np.exp(logw), params, 1.0)
    assert reason is not None and "weight" in reason and "fewer components" in reason


def test_no_convergence_is_an_error_naming_it(monkeypatch, overlapping):
    real = mixfit._maximise

    def never(*args):  # every start stops short of a maximum (its gradient test fails)
        u, f, _, message = real(*args)
        return u, f, False, message

    monkeypatch.setattr(mixfit, "_maximise", never)
    with pytest.raises(ConvergenceError, match="did not converge"):
        mixfit.fit_mixture("Mixture(Normal, Normal)", overlapping)


def test_library_errors_are_prior_errors():
    with pytest.raises(UsageError):
        mixfit.parse_mixture("Mixture(Normal)")
    with pytest.raises(InfeasibleError):
        mixfit.fit_mixture("Mixture(Poisson, Poisson)", [0.0, 1.0, 1.0, 2.0])
    # an end of the supports that no component holds (LogNormal's and Gamma's densities vanish at 0)
    x = np.r_[0.0, np.random.default_rng(0).gamma(2.0, 1.0, 100)]
    with pytest.raises(InfeasibleError, match="contain 0.0, outside"):
        mixfit.fit_mixture("Mixture(LogNormal, Gamma)", x)


def test_split_fit_list_keeps_mixtures_whole():
    assert mixfit.split_fit_list("normal, Mixture(Normal, Gamma(rate=2)), gamma") == [
        "normal", "Mixture(Normal, Gamma(rate=2))", "gamma"]
    fit = mixfit.parse_mixture("Mixture(Normal, Gamma(rate=2))")
    assert fit[1].fixed == {"rate": 2.0} and [p.name for p in fit[1].free] == ["concentration"]


def test_the_plot_overlays_the_fitted_mixture_pmf():
    from priorcli.plot import charts
    from priorcli.plot.range import PlotRange

    rng = np.random.default_rng(9)
    x = np.concatenate([rng.poisson(2.0, 400), rng.poisson(9.0, 600)]).astype(float)
    fit = mixfit.fit_mixture("Mixture(Poisson, Poisson)", x)
    (curve,) = charts.fit_curves([fit], PlotRange(0.0, 20.0, False, True, 1.0, 0.2, "range"))
    ks = np.asarray(curve.curve_x, dtype=float)
    pmf = sum(w * st.poisson.pmf(ks, p["rate"]) for w, (_, p) in zip(fit.weights, fit.components))
    assert ks.tolist() == list(range(21))
    assert np.asarray(curve.curve_y, dtype=float) == pytest.approx(pmf, rel=1e-10)


def test_a_degenerate_start_with_a_larger_likelihood_is_noted_not_chosen(overlapping):
    comps = mixfit.parse_mixture("Mixture(Normal, Normal)")
    x, c = np.unique(overlapping, return_counts=True)
    proper = mixfit._Outcome(1.7, np.array([0.4, 0.6]), [{"loc": 0.0, "scale": 1.0}, {"loc": 2.5, "scale": 0.8}],
                             True, None)
    collapsed = mixfit._Outcome(-3.0, np.array([0.99, 0.01]), [{"loc": 1.0, "scale": 1.5}, {"loc": 0.3, "scale": 1e-9}],
                                False, "component 1 (Normal) collapses onto 0.3")
    fit = mixfit._choose("Mixture(Normal, Normal)", comps, [proper, collapsed], x, c, 5, overlapping.size)
    assert fit.weights == pytest.approx([0.4, 0.6]) and fit.proper == 1 and fit.starts == 2
    (note,) = fit.notes
    assert "degenerate" in note and "collapses onto 0.3" in note and "best proper maximum" in note
    with pytest.raises(InfeasibleError, match="collapses onto 0.3"):
        mixfit._choose("Mixture(Normal, Normal)", comps, [collapsed], x, c, 5, overlapping.size)


@pytest.mark.slow
def test_the_stan_lines_are_accepted_by_stanc(tmp_path):
    from emit_support import assert_stanc_accepts
    from priorcli.emit.mixture_lines import code_lines

    _, continuous, _ = code_lines([0.3, 0.7], [("Normal", {"loc": 0.0, "scale": 1.0}),
                                               ("Gamma", {"concentration": 2.0, "rate": 0.5})])
    assert_stanc_accepts(f"parameters {{\n  real x;\n}}\nmodel {{\n  {continuous}\n}}\n", tmp_path, "cont")
    _, discrete, _ = code_lines([0.4, 0.6], [("Poisson", {"rate": 2.0}), ("Poisson", {"rate": 9.0})])
    assert_stanc_accepts(f"data {{\n  int x;\n}}\nmodel {{\n  {discrete}\n}}\n", tmp_path, "disc")


def test_coinciding_components_are_noted():
    x = np.random.default_rng(0).poisson(3.0, 100).astype(float)  # one Poisson: the two components meet
    fit = mixfit.fit_mixture("Mixture(Poisson, Poisson)", x)
    (_, a), (_, b) = fit.components
    assert a["rate"] == pytest.approx(b["rate"], rel=1e-3)
    assert a["rate"] == pytest.approx(float(np.mean(x)), rel=1e-6)  # at the single Poisson's MLE
    assert any("coincide" in n for n in fit.notes)
