"""``priorcli solve "QUOTED DISTRIBUTION" TARGETS`` (issue 21 item 2, mixtures through solve): the
undefined names of a quoted distribution solved exactly from the targets.

Oracles: a numerical mixture built from scipy.stats components (summed cdfs, brentq quantiles,
quad moments), scipy.stats.truncnorm / gamma / expon for truncations, and answers derived on paper
(a weight from a mean, the memoryless exponential, a symmetric mixture's sd and mode)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.integrate as si
import scipy.optimize as so
import scipy.stats as st

from conftest import Run, assert_usage_error
from script_runner import run_python

pytestmark = pytest.mark.slow  # each solve compiles its coordinate map and runs several starts (1-4 s)

M2 = "Mixture([0.3, 0.7], [Normal(0, 1), Normal(m, s)])"
W = "Mixture([w, 1 - w], [Normal(0, 1), Normal(3, 0.5)])"


class Mix:
    """A mixture of frozen scipy.stats distributions, without priorcli."""

    def __init__(self, weights, dists):
        self.w, self.d = np.asarray(weights, float), dists

    def cdf(self, x):
        return float(sum(w * d.cdf(x) for w, d in zip(self.w, self.d)))

    def ppf(self, p):
        return so.brentq(lambda x: self.cdf(x) - p, -1e3, 1e3, xtol=1e-14, rtol=1e-15)

    def mean(self):
        return float(sum(w * d.mean() for w, d in zip(self.w, self.d)))

    def sd(self):
        m = self.mean()
        return math.sqrt(sum(w * (d.var() + (d.mean() - m) ** 2) for w, d in zip(self.w, self.d)))

    def pdf(self, x):
        return float(sum(w * d.pdf(x) for w, d in zip(self.w, self.d)))


def solved(*args):
    return Run().json("solve", *args)


def test_two_quantiles_of_a_mixture_component_against_scipy():
    doc = solved(M2, "--quantile", "0.5=2", "--quantile", "0.9=4")
    m, s = doc["free"]["m"], doc["free"]["s"]
    oracle = Mix([0.3, 0.7], [st.norm(0, 1), st.norm(m, s)])
    assert oracle.cdf(2.0) == pytest.approx(0.5, abs=1e-9)
    assert oracle.cdf(4.0) == pytest.approx(0.9, abs=1e-9)
    assert doc["family"] == "Mixture" and doc["method"] == "root" and doc["loss"] is None
    assert doc["params"]["weights"] == [0.3, 0.7]
    assert doc["params"]["components"][1] == {"family": "Normal", "params": {"loc": m, "scale": s}}
    assert doc["achieved"]["q0.5"] == pytest.approx(2.0, rel=1e-8)
    assert doc["achieved"]["q0.9"] == pytest.approx(4.0, rel=1e-8)
    assert doc["domains"] == {"m": "a real number", "s": "positive"}
    assert "log_mix([0.3, 0.7]'" in doc["stan"] and doc["pymc"].startswith('pm.Mixture("x", w=[0.3, 0.7]')


def test_weight_from_a_mean_known_answer():
    doc = solved(W, "--mean", "1.5")  # (1 - w) * 3 = 1.5
    assert doc["free"]["w"] == pytest.approx(0.5, abs=1e-10)
    assert doc["params"]["weights"] == pytest.approx([0.5, 0.5], abs=1e-10)
    assert doc["achieved"]["mean"] == pytest.approx(1.5, rel=1e-10)
    assert doc["domains"] == {"w": "in (0, 1)"}


def test_weight_of_a_discrete_mixture_known_answer():
    doc = solved("Mixture([w, 1 - w], [Poisson(2), Poisson(9)])", "--mean", "5")  # 2w + 9(1 - w) = 5
    assert doc["free"]["w"] == pytest.approx(4 / 7, abs=1e-10)


def test_interval_mass_fixes_a_weight_closed_form():
    doc = solved(W, "--lower", "-1", "--upper", "1", "--mass", "0.5")
    a = st.norm(0, 1).cdf(1) - st.norm(0, 1).cdf(-1)
    b = st.norm(3, 0.5).cdf(1) - st.norm(3, 0.5).cdf(-1)
    assert doc["free"]["w"] == pytest.approx((0.5 - b) / (a - b), abs=1e-9)
    assert doc["achieved"]["mass"] == pytest.approx(0.5, abs=1e-9)


def test_symmetric_mixture_sd_has_two_roots_reported():
    # variance of 0.5 N(-d, 1) + 0.5 N(d, 1) is 1 + d^2: d = +-sqrt(3), the same distribution twice
    doc = solved("Mixture([0.5, 0.5], [Normal(-d, 1), Normal(d, 1)])", "--sd", "2")
    assert abs(doc["free"]["d"]) == pytest.approx(math.sqrt(3), rel=1e-9)
    assert [abs(a["free"]["d"]) for a in doc["alternatives"]] == pytest.approx([math.sqrt(3)], rel=1e-9)
    assert doc["free"]["d"] * doc["alternatives"][0]["free"]["d"] < 0
    assert any("2 solutions" in n for n in doc["notes"])


def test_mode_of_a_symmetric_mixture_finds_both_roots():
    # equal weights and unit sds: for m < 2 one mode, at m / 2 (m = 1.5 on paper); for m a little
    # above 2 two equal modes, one of them at 0.75 as well (m ~ 2.023): both meet --mode 0.75
    doc = solved("Mixture([0.5, 0.5], [Normal(0, 1), Normal(m, 1)])", "--mode", "0.75")
    roots = [doc["free"]["m"]] + [a["free"]["m"] for a in doc["alternatives"]]
    assert any(r == pytest.approx(1.5, rel=1e-6) for r in roots), roots
    grid = np.linspace(-3, 5, 80001)
    for m in roots:  # the oracle's density is highest at 0.75 (up to a tie between equal modes)
        oracle = Mix([0.5, 0.5], [st.norm(0, 1), st.norm(m, 1)])
        peak = float(np.max(sum(w * d.pdf(grid) for w, d in zip(oracle.w, oracle.d))))  # oracle.pdf on the grid at once
        assert oracle.pdf(0.75) >= peak - 1e-12


def test_mean_and_sd_of_two_free_components_against_scipy():
    doc = solved("Mixture([0.4, 0.6], [Normal(a, 1), Normal(3, s)])", "--mean", "2", "--sd", "1.5")
    a, s = doc["free"]["a"], doc["free"]["s"]
    oracle = Mix([0.4, 0.6], [st.norm(a, 1), st.norm(3, s)])
    assert oracle.mean() == pytest.approx(2.0, rel=1e-9)  # 0.4 a + 1.8 = 2: a = 0.5 on paper
    assert a == pytest.approx(0.5, rel=1e-9)
    assert oracle.sd() == pytest.approx(1.5, rel=1e-9)


def test_truncated_gamma_mean_against_scipy():
    doc = solved("truncated(Gamma(a, 1), low=1)", "--mean", "3")
    a = doc["free"]["a"]
    g = st.gamma(a)
    mean = si.quad(lambda x: x * g.pdf(x), 1, np.inf)[0] / g.sf(1)
    assert mean == pytest.approx(3.0, rel=1e-9)
    assert doc["family"] == "Gamma" and doc["truncate"] == [1.0, None]
    assert doc["params"] == {"concentration": a, "rate": 1.0}
    assert doc["stan"].endswith("T[1.0, ]") and doc["pymc"].startswith('pm.Truncated("x", pm.Gamma.dist(')


def test_truncated_exponential_memoryless_known_answer():
    doc = solved("truncated(Exponential(r), low=2)", "--mean", "5")  # 2 + 1 / r = 5
    assert doc["free"]["r"] == pytest.approx(1 / 3, rel=1e-9)


def test_truncated_normal_quantiles_against_truncnorm():
    doc = solved("truncated(Normal(m, s), low=0)", "--quantile", "0.5=1", "--quantile", "0.9=2")
    m, s = doc["free"]["m"], doc["free"]["s"]
    tn = st.truncnorm((0 - m) / s, np.inf, loc=m, scale=s)
    assert tn.ppf(0.5) == pytest.approx(1.0, rel=1e-8)
    assert tn.ppf(0.9) == pytest.approx(2.0, rel=1e-8)


def test_transformed_distribution_known_answer():
    doc = solved("softplus(Normal(m, 1))", "--median", "2")  # softplus(m) = 2
    assert doc["free"]["m"] == pytest.approx(math.log(math.expm1(2.0)), rel=1e-9)
    assert doc["transforms"] == ["softplus"] and doc["stan"] is None and doc["pymc"] is None
    assert "TransformedDistribution" in doc["numpyro"]


def test_more_targets_than_names_is_least_squares_with_residuals():
    doc = solved(M2, "--quantile", "0.25=0.5", "--quantile", "0.5=2", "--quantile", "0.9=4")
    assert doc["method"] == "least-squares"
    m, s = doc["free"]["m"], doc["free"]["s"]

    def residuals(m, s):
        oracle = Mix([0.3, 0.7], [st.norm(0, 1), st.norm(m, s)])
        return np.array([oracle.cdf(0.5) - 0.25, oracle.cdf(2.0) - 0.5, oracle.cdf(4.0) - 0.9])

    r = residuals(m, s)
    assert [doc["residuals"][k] for k in ("q0.25", "q0.5", "q0.9")] == pytest.approx(list(r), abs=1e-9)
    assert doc["loss"] == pytest.approx(float(r @ r), rel=1e-6)
    assert doc["loss"] > 1e-6  # the three cannot all hold
    for dm, ds in ((1e-3, 0), (-1e-3, 0), (0, 1e-3), (0, -1e-3)):  # a minimum, by the oracle
        assert float(residuals(m + dm, s + ds) @ residuals(m + dm, s + ds)) > doc["loss"]
    table = Run()("solve", M2, "--quantile", "0.25=0.5", "--quantile", "0.5=2", "--quantile", "0.9=4")
    assert "least-squares" in table.stdout and "residual" in table.stdout


def test_table_plot_and_api():
    import priorcli

    result = Run()("solve", W, "--mean", "1.5", "--plot")
    assert result.exit_code == 0, result.stderr
    assert "free name" in result.stdout and "numpyro: dist.MixtureGeneral" in result.stdout
    assert "exact density" in result.stdout
    solution = priorcli.solve(W, mean=1.5)
    assert solution.free["w"] == pytest.approx(0.5, abs=1e-10)
    assert float(solution.to_numpyro().mean) == pytest.approx(1.5, rel=1e-9)


def test_code_line_is_the_solved_distribution():
    import jax.numpy as jnp
    import numpyro.distributions as dist

    doc = solved(W, "--mean", "1.5")
    line = eval(doc["numpyro"], {"dist": dist, "jnp": jnp})  # noqa: S307 - our own output
    assert float(line.mean) == pytest.approx(1.5, rel=1e-5)


def test_emit_programs_carry_the_solved_numbers():
    numpyro = Run()("solve", W, "--mean", "1.5", "--emit", "numpyro")
    assert numpyro.exit_code == 0, numpyro.stderr
    import re

    # 1 - w is written as its value (tests/test_solved_text.py)
    weight = re.search(r"probs=jnp\.array\(\[([-0-9.e]+), ([-0-9.e]+)\]\)", numpyro.stdout)
    assert weight is not None and float(weight.group(2)) == 1.0 - float(weight.group(1))
    assert float(weight.group(1)) == pytest.approx(0.5, abs=1e-10)
    compile(numpyro.stdout, "emitted.py", "exec")
    stan = Run()("solve", M2, "--quantile", "0.5=2", "--quantile", "0.9=4", "--emit", "stan")
    assert stan.exit_code == 0 and "log_mix" in stan.stdout
    pymc = Run()("solve", "truncated(Gamma(a, 1), low=1)", "--mean", "3", "--emit", "pymc")
    assert pymc.exit_code == 0 and "pm.Truncated" in pymc.stdout


def test_emitted_numpyro_program_runs(tmp_path):
    import os

    program = Run()("solve", W, "--mean", "1.5", "--emit", "numpyro").stdout
    path = tmp_path / "prior.py"
    path.write_text(program)
    out = run_python(str(path), cwd=os.getcwd(), timeout=300)
    assert out.returncode == 0, out.stderr
    assert "0.5" in out.stdout


@pytest.mark.parametrize("args, code, needles", [
    ((M2, "--mean", "2"), 2, ("2 free names (m, s)", "only 1 target")),
    (("Normal(0, 1)", "--mean", "1"), 2, ("no free names",)),
    ((M2, "--loc", "1", "--mean", "2", "--sd", "1"), 2, ("--loc", "inside it")),
    ((M2, "--quantile", "0.5=2", "--quantile", "0.9=4", "--truncate", "0,"), 2, ("--truncate",)),
    (("Foo(m)", "--mean", "1"), 2, ("unknown family 'Foo'",)),
    (("truncated(Normal(0, 1), low=L)", "--mean", "1"), 2, ("constant number",)),
    (("Binomial(n, 0.5)", "--mean", "3"), 2, ("'n'", "whole number", "write a number in place of n")),
    (("truncated(Gamma(a, 1), low=1)", "--median", "0.5"), 2, ("median=0.5", "outside the support")),
    ((W, "--p-zero", "0.1"), 2, ("--p-zero",)),  # --skewness is a target now (tests/test_quoted_shape.py)
    ((W, "--quantile", "1.5=2"), 2, ("--quantile",)),
    (("Normal(m, 1); y ~ Normal(0, 1)", "--mean", "1"), 2, ("one expression",)),
    (("Mixture([w, 1 - w], [Normal(0, 1), Normal(0, 1)])", "--mean", "0"), 2, ("free", "w")),
    (("LogNormal(mode=m, sigma=0.5)", "--mean", "1"), 2, ("mode=", "free m")),
    ((W,), 2, ("at least one target",)),
    ((W, "--mean", "5"), 1, ("edge", "w")),  # a mean above both components' cannot be met
    (("Mixture([w, 0.5], [Normal(0, 1), Normal(3, 0.5)])", "--mean", "1"), 1, ("does not meet", "mean=1.5")),
    ((M2, "--quantile", "0.5=2", "--quantile", "0.4=3"), 1, ("quantiles must increase",)),
])
def test_bad_input_is_one_error_line(args, code, needles):
    assert_usage_error(Run()("solve", *args), *needles, code=code)


def test_summarize_keeps_a_quoted_truncation():
    doc = Run().json("summarize", "truncated(Gamma(2, 1), low=1)")
    g = st.gamma(2)
    assert doc["truncate"] == [1.0, None]
    assert doc["summary"]["mean"] == pytest.approx(si.quad(lambda x: x * g.pdf(x), 1, np.inf)[0] / g.sf(1), rel=1e-9)


def test_a_truncated_mixture_component_is_refused():
    result = Run()("summarize", "Mixture([0.5, 0.5], [truncated(Normal(0, 1), low=0), Normal(3, 1)])")
    assert_usage_error(result, "component 0", "truncated")


def test_model_domains_read_mixture_weights():
    from priorcli.model import free, parse as lang
    from priorcli.model.numpyro import is_family

    text = "x ~ Mixture([w, 1 - w], [Normal(m, s), Gamma(2, r)])"
    names = free.free_names(text)
    model = lang.parse_model(text, is_family, data=free.as_data(names))
    domains = free.domains(model, names)
    assert (domains["w"].low, domains["w"].high) == (0.0, 1.0)
    assert (domains["s"].low, domains["r"].low, domains["m"].low) == (0.0, 0.0, -math.inf)
