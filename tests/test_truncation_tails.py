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

    from priorcli.dists.truncated import SURVIVAL, _hook
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
    assert set(SURVIVAL) <= set(refs)
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
