"""Truncations deep in the upper tail, where F(a) rounds to 1 and F^-1(F(a) + p (F(b) - F(a)))
keeps none of the truncation's digits (issue 21, item 1): the draws (priorcli.dists.truncated's
survival hooks, ``SURVIVAL``) and the exact values (the records' sf/isf) read the survival function
there. Oracle: scipy's own survival function, isf(S(a) - p (S(a) - S(b))), computed here."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats as st

# (numpyro class, its arguments, scipy twin, low, high): each with F(low) within ~1e-12 of 1 or closer
TAILS = [
    ("Gamma", (2.0, 1.0), st.gamma(2.0), 60.0, 70.0),
    ("Gamma", (5.0, 2.0), st.gamma(5.0, scale=0.5), 30.0, math.inf),
    ("Chi2", (3.0,), st.chi2(3.0), 150.0, 170.0),
    ("StudentT", (3.0, 0.0, 1.0), st.t(3.0), 1e6, 2e6),
    ("StudentT", (30.0, 1.0, 2.0), st.t(30.0, loc=1.0, scale=2.0), 81.0, 101.0),
    ("LogNormal", (0.0, 1.0), st.lognorm(1.0), math.exp(9.0), math.exp(10.0)),
    ("Weibull", (1.0, 2.0), st.weibull_min(2.0), 7.0, 8.0),
    ("Exponential", (1.0,), st.expon(), 40.0, 50.0),
    ("HalfNormal", (1.0,), st.halfnorm(), 9.0, 10.0),
    ("HalfCauchy", (1.0,), st.halfcauchy(), 1e15, math.inf),
    ("Beta", (2.0, 30.0), st.beta(2.0, 30.0), 0.9, 0.95),
    ("InverseGamma", (3.0, 1.0), st.invgamma(3.0), 1e5, 1e6),
    ("Pareto", (1.0, 2.0), st.pareto(2.0), 1e9, 2e9),
    ("Gumbel", (0.0, 1.0), st.gumbel_r(), 35.0, 40.0),
    ("Levy", (0.0, 1.0), st.levy(), 1e30, math.inf),
]
IDS = [f"{c[0]}[{c[3]:g},{c[4]:g}]" for c in TAILS]
U = np.concatenate([np.linspace(0.001, 0.999, 41), [1e-12, 1e-6, 1 - 1e-6]])


def _truncated(name, args, low, high):
    import numpyro.distributions as dist

    from priorcli.dists.truncated import truncated
    from priorcli.families.registry import configured_jax

    configured_jax()
    return truncated(getattr(dist, name)(*args), low, high)


def _oracle(ref, low, high):
    """scipy's truncated quantile function in the upper tail: isf(S(a) - u (S(a) - S(b)))."""
    sa, sb = ref.sf(low), ref.sf(high)
    return lambda u: ref.isf(sa - u * (sa - sb)), sa, sb


@pytest.mark.slow
@pytest.mark.parametrize("name, args, ref, low, high", TAILS, ids=IDS)
def test_draws_deep_in_the_upper_tail_against_scipys_survival(name, args, ref, low, high):
    import jax
    import jax.numpy as jnp

    assert ref.cdf(low) > 1 - 1e-12  # the case this is about: F(a) all but 1
    d = _truncated(name, args, low, high)
    x = np.asarray(jax.jit(d.icdf)(jnp.asarray(U)))
    quantile, sa, sb = _oracle(ref, low, high)
    assert np.all(np.isfinite(x)) and np.all((x >= low) & (x <= high))
    # on the truncated probability scale: the draw's own u, by scipy's survival function
    u_back = (sa - ref.sf(x)) / (sa - sb)
    assert np.abs(u_back - U).max() < 1e-9 * np.maximum(U, 1e-3).max(), np.abs(u_back - U).max()
    inner = (U > 1e-3) & (U < 1 - 1e-3)
    assert x[inner] == pytest.approx(quantile(U[inner]), rel=1e-9)
    # the density and the cdf keep the mass S(a) - S(b), not F(b) - F(a) = 0
    mid = float(quantile(0.5))
    assert float(d.log_prob(jnp.asarray(mid))) == pytest.approx(ref.logpdf(mid) - math.log(sa - sb), rel=1e-9, abs=1e-9)
    assert float(d.cdf(jnp.asarray(mid))) == pytest.approx(0.5, rel=1e-9)


@pytest.mark.slow
def test_survival_hooks_against_scipy_at_moderate_points():
    """Each SURVIVAL entry is 1 - F_0 of its numpyro class (the names and arguments as numpyro's),
    checked against scipy's sf where both tails are well inside float64."""
    import jax.numpy as jnp
    import numpyro.distributions as dist

    from priorcli.dists.truncated import ISF, SURVIVAL, _hook
    from priorcli.families.registry import configured_jax

    configured_jax()
    refs = {
        "Normal": (dist.Normal(1.0, 2.0), st.norm(1.0, 2.0)),
        "StudentT": (dist.StudentT(4.0, 1.0, 2.0), st.t(4.0, 1.0, 2.0)),
        "Cauchy": (dist.Cauchy(1.0, 2.0), st.cauchy(1.0, 2.0)),
        "Logistic": (dist.Logistic(1.0, 2.0), st.logistic(1.0, 2.0)),
        "Laplace": (dist.Laplace(1.0, 2.0), st.laplace(1.0, 2.0)),
        "Gamma": (dist.Gamma(2.5, 1.5), st.gamma(2.5, scale=1 / 1.5)),
        "InverseGamma": (dist.InverseGamma(2.5, 1.5), st.invgamma(2.5, scale=1.5)),
        "Beta": (dist.Beta(2.0, 3.0), st.beta(2.0, 3.0)),
        "LogNormal": (dist.LogNormal(0.5, 0.8), st.lognorm(0.8, scale=math.exp(0.5))),
        "Weibull": (dist.Weibull(2.0, 1.5), st.weibull_min(1.5, scale=2.0)),
        "Exponential": (dist.Exponential(1.5), st.expon(scale=1 / 1.5)),
        "HalfNormal": (dist.HalfNormal(2.0), st.halfnorm(scale=2.0)),
        "HalfCauchy": (dist.HalfCauchy(2.0), st.halfcauchy(scale=2.0)),
        "Pareto": (dist.Pareto(1.5, 2.5), st.pareto(2.5, scale=1.5)),
        "Gumbel": (dist.Gumbel(1.0, 2.0), st.gumbel_r(1.0, 2.0)),
        "Levy": (dist.Levy(1.0, 2.0), st.levy(1.0, 2.0)),
        "Kumaraswamy": (dist.Kumaraswamy(2.0, 3.0), st.kumaraswamy if hasattr(st, "kumaraswamy") else None),
    }
    assert set(SURVIVAL) <= set(refs) and set(ISF) <= set(SURVIVAL)
    for name, (d, ref) in refs.items():
        lo, hi = d.support.lower_bound if hasattr(d.support, "lower_bound") else -np.inf, \
            d.support.upper_bound if hasattr(d.support, "upper_bound") else np.inf
        xs = np.array([0.2, 0.5, 0.8]) if np.isfinite(hi) else np.array([1.7, 2.5, 6.0, 30.0])
        xs = xs[xs > lo]
        got = np.asarray(_hook(SURVIVAL, d)(jnp.asarray(xs)))
        if ref is None:  # Kumaraswamy(a, b): S(x) = (1 - x^a)^b
            want = (1 - xs**2.0) ** 3.0
        else:
            want = ref.sf(xs)
        assert got == pytest.approx(want, rel=1e-12), name
        if name in ISF:  # its inverse: S_0^-1(S_0(x)) = x, and at tail probabilities scipy's isf
            back = np.asarray(_hook(ISF, d)(jnp.asarray(want[want <= 0.5])))
            assert back == pytest.approx(xs[want <= 0.5], rel=1e-10), name
            if ref is not None:
                qs = np.array([1e-3, 1e-10, 1e-100])
                assert np.asarray(_hook(ISF, d)(jnp.asarray(qs))) == pytest.approx(ref.isf(qs), rel=1e-9), name


# ---------------------------------------------------------------------------------------------
# Bases whose numpyro cdf/icdf lose the lower tail (Cauchy, Laplace): solved on priorcli's cdf

BOTH_TAILS = [
    ("Cauchy", (0.0, 1.0), st.cauchy(), 1e17, 2e17),
    ("Cauchy", (0.0, 1.0), st.cauchy(), -2e17, -1e17),
    ("Laplace", (1.0, 2.0), st.laplace(1.0, 2.0), 80.0, 100.0),
    ("Laplace", (1.0, 2.0), st.laplace(1.0, 2.0), -100.0, -80.0),
    ("Logistic", (0.0, 1.0), st.logistic(), 40.0, 50.0),  # numpyro's own class keeps these
    ("Normal", (0.0, 1.0), st.norm(), -12.0, -10.0),
]


@pytest.mark.slow
@pytest.mark.parametrize("name, args, ref, low, high", BOTH_TAILS, ids=[f"{c[0]}[{c[3]:g},{c[4]:g}]" for c in BOTH_TAILS])
def test_draws_in_either_far_tail_of_a_symmetric_base(name, args, ref, low, high):
    import jax
    import jax.numpy as jnp

    d = _truncated(name, args, low, high)
    x = np.asarray(jax.jit(d.icdf)(jnp.asarray(U)))
    assert np.all(np.isfinite(x)) and np.all((x >= low) & (x <= high))
    if low > 0:
        sa, sb = ref.sf(low), ref.sf(high)
        want = ref.isf(sa - U * (sa - sb))
    else:
        fa, fb = ref.cdf(low), ref.cdf(high)
        want = ref.ppf(fa + U * (fb - fa))
    assert x == pytest.approx(want, rel=1e-9)


# ---------------------------------------------------------------------------------------------
# Finite draws at the largest uniform (issue: Pareto's icdf path gave +inf at u = 1 - 2^-52)


@pytest.mark.slow
@pytest.mark.parametrize("low", [1.1, 1.5, 1.9, 2.0, 5.0])
def test_truncated_pareto_is_finite_at_the_largest_uniform(low):
    import jax.numpy as jnp

    d = _truncated("Pareto", (1.0, 2.0), low, math.inf)
    u = np.array([1 - 2.0**-52, 1 - 2.0**-53, 0.5])
    x = np.asarray(d.icdf(jnp.asarray(u)))
    assert np.all(np.isfinite(x)), x
    ref = st.pareto(2.0)
    # the top quantile, by the survival function: S(x) = S(low) (1 - u), exact where the draws read
    # S (F(low) > 1/2), else within the rounding of F(low) + u (1 - F(low)) near 1 (an ulp, 2^-53)
    top = ref.isf(ref.sf(low) * 2.0**-52)
    if ref.cdf(low) > 0.5:
        assert x[0] == pytest.approx(top, rel=1e-9)
    else:
        assert ref.isf(2.0**-51) <= x[0] <= ref.isf(2.0**-54)
    assert x[2] == pytest.approx(ref.isf(ref.sf(low) * 0.5), rel=1e-12)


@pytest.mark.slow
def test_a_draw_past_float64s_range_is_the_largest_float():
    import jax.numpy as jnp

    d = _truncated("Pareto", (1.0, 0.01), 2.0, math.inf)  # its 1 - 1e-15 quantile is ~1e1500
    x = np.asarray(d.icdf(jnp.asarray([1 - 2.0**-52, 0.5])))
    assert np.all(np.isfinite(x)) and x[0] == np.finfo(float).max
    assert x[1] == pytest.approx(st.pareto(0.01).isf(st.pareto(0.01).sf(2.0) * 0.5), rel=1e-9)


# ---------------------------------------------------------------------------------------------
# End to end through the command line, against the exact values and scipy


@pytest.mark.slow
@pytest.mark.parametrize("argv, ref, low, high", [
    (["sample", "truncated(Gamma(2, 1), low=60, high=70)"], st.gamma(2.0), 60.0, 70.0),
    (["sample", "gamma", "--concentration", "2", "--rate", "1", "--truncate", "60,70"], st.gamma(2.0), 60.0, 70.0),
    (["sample", "studentt", "--df", "3", "--truncate", "1e6,2e6"], st.t(3.0), 1e6, 2e6),
    (["sample", "lognormal", "--loc", "0", "--scale", "1", "--truncate", "8103.083927575384,"], st.lognorm(1.0),
     8103.083927575384, math.inf),
])
def test_cli_draws_deep_in_the_upper_tail_match_the_exact_values(run, argv, ref, low, high):
    n = 4000
    doc = run.json(*argv, "-n", str(n), "--seed", "3", "--no-plot")
    raw = run(*argv, "-n", str(n), "--seed", "3", "--format", "raw")
    assert raw.exit_code == 0, raw.stderr
    x = np.asarray([float(v) for v in raw.stdout.split()])
    sa, sb = ref.sf(low), ref.sf(high)
    exact, mc = doc["exact"], doc["mc"]
    assert exact["median"] == pytest.approx(ref.isf(sa - 0.5 * (sa - sb)), rel=1e-10)
    # the Monte Carlo median within 5 of its standard errors, sqrt(p (1 - p) / n) / density
    median = exact["median"]
    se = math.sqrt(0.25 / n) / (math.exp(ref.logpdf(median)) / (sa - sb))
    assert abs(mc["median"] - median) < 5 * se, (mc["median"], median, se)
    assert x.size == n and np.all(np.isfinite(x)) and np.all((x >= low) & (x <= high))


@pytest.mark.slow
def test_kumaraswamy_truncated_draws(run):
    doc = run.json("sample", "kumaraswamy", "--concentration1", "2", "--concentration0", "3", "--truncate",
                   "0.999,0.9999", "-n", "4000", "--no-plot")
    a, b, lo, hi = 2.0, 3.0, 0.999, 0.9999
    S = lambda x: (1 - x**a) ** b  # noqa: E731
    t = S(lo) - 0.5 * (S(lo) - S(hi))
    median = (1 - t ** (1 / b)) ** (1 / a)
    assert doc["exact"]["median"] == pytest.approx(median, rel=1e-10)
    density = a * b * median ** (a - 1) * (1 - median**a) ** (b - 1) / (S(lo) - S(hi))
    assert abs(doc["mc"]["median"] - median) < 5 * math.sqrt(0.25 / 4000) / density


@pytest.mark.slow
@pytest.mark.parametrize("ends", ["0,5", "1,"])
def test_truncated_hurdle_draws_against_the_exact_summary(run, ends):
    n = 20000
    doc = run.json("sample", "hurdlegamma", "--gate", "0.2", "--concentration", "2", "--rate", "1",
                   "--truncate", ends, "-n", str(n), "--seed", "5", "--no-plot")
    exact, mc = doc["exact"], doc["mc"]
    # the sample mean within 5 standard errors (sd / sqrt(n)) of the exact mean
    assert abs(mc["mean"] - exact["mean"]) < 5 * exact["sd"] / math.sqrt(n)
    assert mc["sd"] == pytest.approx(exact["sd"], rel=0.05)
    if ends == "1,":
        assert mc["quantiles"]["0.025"] >= 1.0


@pytest.mark.slow
@pytest.mark.parametrize("argv", [
    ["sample", "vonmises", "--loc", "0", "--concentration", "2", "--truncate", "0,1", "-n", "100"],
    ["sample", "truncated(VonMises(0, 2), low=0, high=1)", "-n", "100"],
    ["sample", "--model", "x ~ truncated(VonMises(0, 2), low=0, high=1)", "-n", "100"],
])
def test_a_base_without_a_cdf_is_one_usage_error(run, argv):
    from conftest import assert_usage_error

    assert_usage_error(run(*argv, "--no-plot"), "VonMises", "no cdf")
