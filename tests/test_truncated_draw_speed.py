"""priorcli's own Truncated class draws by a safeguarded Newton solve of F_0(x) = F_0(a) + u (F_0(b) - F_0(a))
(priorcli.dists.truncated): the draws' truncated cdf, by scipy, matches the uniform u each came from,
to 1e-10 relative up to the floor that representing the target F_0(a) + u (F_0(b) - F_0(a)) in float64
sets (a few ulps of F_0(a) on the truncated scale, and x's own float spacing); the draws follow scipy's truncated cdf (a KS
distance within its n-derived bound); the same seed gives the same draws."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats as st

EPS = np.finfo(float).eps

# (numpyro base, its scipy twin, low, high): inner, one-sided, far-tail and heavy-tailed truncations
CASES = [
    ("Gamma", (2.0, 1.0), st.gamma(2.0), 1.0, 3.0),
    ("Gamma", (2.0, 1.0), st.gamma(2.0), 1.0, math.inf),
    ("Gamma", (0.3, 2.0), st.gamma(0.3, scale=0.5), -math.inf, 1e-3),
    ("Gamma", (5.0, 1.0), st.gamma(5.0), 25.0, math.inf),
    ("Beta", (2.0, 3.0), st.beta(2.0, 3.0), 0.2, 0.5),
    ("Beta", (0.1, 0.6), st.beta(0.1, 0.6), -math.inf, 0.5),
    ("Beta", (3.0, 0.5), st.beta(3.0, 0.5), 0.999, math.inf),
    ("StudentT", (3.0, 0.0, 1.0), st.t(3.0), 0.0, math.inf),
    ("StudentT", (3.0, 1.0, 2.0), st.t(3.0, loc=1.0, scale=2.0), -math.inf, -40.0),
    ("StudentT", (1.5, 0.0, 1.0), st.t(1.5), 50.0, 100.0),
    ("StudentT", (30.0, 0.0, 1.0), st.t(30.0), -1.0, 0.5),
    ("Weibull", (2.0, 0.7), st.weibull_min(0.7, scale=2.0), 0.5, 40.0),
    ("Pareto", (1.0, 2.0), st.pareto(2.0), 2.0, math.inf),
]
IDS = [f"{c[0]}{c[1]}[{c[3]},{c[4]}]" for c in CASES]


def _truncated(name, params, low, high):
    import numpyro.distributions as dist

    from priorcli.dists.truncated import Truncated
    from priorcli.families.registry import configured_jax

    configured_jax()
    return Truncated(getattr(dist, name)(*params), low, high)


def _truncated_cdf(ref, low, high):
    lo, hi = max(low, ref.support()[0]), min(high, ref.support()[1])
    fa, fb = ref.cdf(lo), ref.cdf(hi)
    return (lambda x: (ref.cdf(x) - fa) / (fb - fa)), fa, fb


@pytest.mark.slow
@pytest.mark.parametrize("name, params, ref, low, high", CASES, ids=IDS)
def test_solved_draws_meet_their_uniforms_against_scipy(name, params, ref, low, high):
    import jax
    import jax.numpy as jnp

    d = _truncated(name, params, low, high)
    # uniforms over the whole range, down to the smallest a draw can take and up to 1 - 1e-15
    u = np.concatenate([np.linspace(0.001, 0.999, 999), 10.0 ** -np.arange(1.0, 16.0),
                        1 - 10.0 ** -np.arange(1.0, 16.0), [np.finfo(float).tiny]])
    x = np.asarray(jax.jit(d.icdf)(jnp.asarray(u)))
    cdf, fa, fb = _truncated_cdf(ref, low, high)
    assert np.all(np.isfinite(x)) and np.all(x >= d.low) and np.all(x <= d.high)
    assert np.all(np.diff(x[:999]) > 0)  # increasing in u
    # the target fa + u (fb - fa) carries ~ ulp(fa) + ulp(u (fb - fa)), scipy's cdf a few ulps more,
    # and x itself is a float: the truncated density times a few of x's spacings
    floor = 8 * EPS * (fa + 1.0) / (fb - fa) + 2 * ref.pdf(x) * np.spacing(np.abs(x)) / (fb - fa)
    # the solver meets the cdf it solves on (numpyro's, or the module's own: CDF), whose own error it
    # cannot remove (jax's betainc near 1)
    from priorcli.dists.truncated import CDF

    solved_on = CDF.get(name, lambda b, v: b.cdf(v))
    base = np.asarray(solved_on(d.base_dist, jnp.asarray(x)))
    assert np.all(np.abs(base - ref.cdf(x)) < 1e-8), np.abs(base - ref.cdf(x)).max()
    floor = floor + np.abs(base - ref.cdf(x)) / (fb - fa)
    err = np.abs(cdf(x) - u)
    bad = err > 1e-10 * u + floor
    assert not bad.any(), list(zip(u[bad], x[bad], err[bad]))


@pytest.mark.slow
@pytest.mark.parametrize("name, params, ref, low, high", CASES[::3], ids=IDS[::3])
def test_draws_follow_scipys_truncated_cdf(name, params, ref, low, high):
    import jax

    d = _truncated(name, params, low, high)
    n = 20000
    draws = np.asarray(jax.jit(lambda k: d.sample(k, (n,)))(jax.random.PRNGKey(11)))
    cdf, _, _ = _truncated_cdf(ref, low, high)
    ks = st.kstest(draws, cdf)
    # the KS distance's 0.999 quantile is about 1.95 / sqrt(n) for a continuous cdf
    assert ks.statistic < 1.95 / math.sqrt(n), ks


@pytest.mark.parametrize("u", [1e-9, 1e-7, 1e-5])
def test_student_t_truncated_at_loc_keeps_the_digits_near_it(u):
    """numpyro's StudentT cdf is flat at 1/2 within ~1.5e-8 of loc, so Truncated(StudentT(3), 0, inf)
    once drew 1.5e-8 for u = 1e-9. Closed form: F(x) - 1/2 = f(0) x (1 + O(x^2)), so the truncated
    icdf is x = u / (2 f(0)) to ~x^2 relative; float64's 1/2 + u/2 carries ~1.1e-16 / u relative."""
    import jax.numpy as jnp

    d = _truncated("StudentT", (3.0, 0.0, 1.0), 0.0, math.inf)
    f0 = math.gamma(2.0) / (math.sqrt(3.0 * math.pi) * math.gamma(1.5))  # Gamma((df+1)/2) / (sqrt(df pi) Gamma(df/2))
    exact = u / (2 * f0)
    alone = float(d.icdf(jnp.asarray(u)))
    # in a batch (the ends evaluated once, then the draw alone) the same number
    batch = np.asarray(d.icdf(jnp.full(64, u)))
    assert abs(alone - exact) <= (4 * EPS / u + 1e-10) * exact, (alone, exact)
    np.testing.assert_array_equal(batch, alone)


@pytest.mark.slow
def test_same_seed_same_draws_and_batches_solve_alone():
    import jax
    import jax.numpy as jnp

    d = _truncated("StudentT", (3.0, 0.0, 1.0), 0.0, math.inf)
    first = np.asarray(d.sample(jax.random.PRNGKey(5), (500,)))
    again = np.asarray(jax.jit(lambda k: d.sample(k, (500,)))(jax.random.PRNGKey(5)))
    np.testing.assert_array_equal(first, again)
    # a draw does not depend on the others solved with it: one by one equals all together
    u = jax.random.uniform(jax.random.PRNGKey(5), (500,), minval=np.finfo(float).tiny)
    alone = np.array([float(d.icdf(u[i])) for i in range(0, 500, 50)])
    np.testing.assert_array_equal(alone, first[::50])
    # a batch of parameters (a model's vector): each element its own truncation
    batch = _truncated("Gamma", (jnp.array([2.0, 0.5]), 1.0), jnp.array([1.0, 0.0]), jnp.array([3.0, 0.01]))
    x = np.asarray(batch.sample(jax.random.PRNGKey(2), (300,)))
    assert x.shape == (300, 2)
    for j, (k, lo, hi) in enumerate([(2.0, 1.0, 3.0), (0.5, 0.0, 0.01)]):
        cdf, _, _ = _truncated_cdf(st.gamma(k), lo, hi)
        assert st.kstest(x[:, j], cdf).statistic < 1.95 / math.sqrt(300)


@pytest.mark.slow
def test_cli_draws_are_reproducible_and_follow_scipy(run):
    first = run.json("sample", "gamma", "--concentration", "2", "--rate", "1", "--truncate", "1,3",
                     "--seed", "4", "-n", "4000", "--no-plot")
    again = run.json("sample", "gamma", "--concentration", "2", "--rate", "1", "--truncate", "1,3",
                     "--seed", "4", "-n", "4000", "--no-plot")
    assert first["mc"] == again["mc"]
    g = st.gamma(2)
    median = g.ppf(g.cdf(1) + 0.5 * (g.cdf(3) - g.cdf(1)))
    # the sample median's sd is 1 / (2 f(median) sqrt(n)); within 5 of them
    sd = 1 / (2 * g.pdf(median) / (g.cdf(3) - g.cdf(1)) * math.sqrt(4000))
    assert abs(first["mc"]["median"] - median) < 5 * sd
