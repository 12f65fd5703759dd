"""The vectorised node fill of ``priorcli.stats.numeric.quad_expectation`` (issue 20 item 5): scipy's
quad asks for its Gauss-Kronrod nodes one at a time; ``numeric.Batched`` answers them from one
vectorised evaluation per pair of bisected intervals. quad is unchanged, so the results must be the
very floats a plain scalar quad gives, and those must be the closed forms / scipy's values.

Oracles: closed forms (LogNormal's moments), scipy.integrate.quad on scipy.stats densities written
in the transformed variable (the change of variables done by hand), scipy.stats.truncnorm, and a
plain scipy quad of the same integrand without priorcli's tables (bit-for-bit equality)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import scipy.integrate as si
import scipy.stats as st

from priorcli.families.registry import resolve
from priorcli.families.transforms import parse_transform
from priorcli.records.truncated import Truncation
from priorcli.stats import numeric
from priorcli.stats.exact import DistSpec, ExactDistribution


def _exact(family, params, *transforms, truncate=None):
    return ExactDistribution(DistSpec(resolve(family), params, tuple(parse_transform(t) for t in transforms), truncate))


def _plain_quad(fn, logpdf, lo, hi, split):
    """quad_expectation's integral with scipy's quad alone (no tables, no numpy batching)."""
    def integrand(x):
        density = math.exp(logpdf(x))
        return 0.0 if density == 0.0 else float(fn(x) * density)

    return sum(si.quad(integrand, a, b, epsabs=0.0, epsrel=1e-12, limit=500)[0] for a, b in ((lo, split), (split, hi)))


class _Counting(numeric.Batched):
    """A Batched that counts the scalar calls the tables did not answer."""

    __slots__ = ("misses",)

    def __init__(self, scalar, vector):
        super().__init__(scalar, vector)
        self.misses = 0

    def __call__(self, x):
        if type(x) is float and x not in self.table:
            self.misses += 1
        return super().__call__(x)


@pytest.mark.parametrize("lo, hi, split", [(-math.inf, math.inf, 0.3), (0.0, math.inf, 1.1), (-math.inf, 2.0, -0.4),
                                           (-3.0, 5.0, 1.0)])
def test_every_node_quad_asks_for_is_filled_and_the_result_is_plain_quads(lo, hi, split):
    loc, scale = 0.4, 1.3
    logpdf = lambda x: -0.5 * ((x - loc) / scale) ** 2 - math.log(scale * math.sqrt(2 * math.pi))  # noqa: E731
    density = _Counting(lambda x: float(logpdf(x)), lambda xs: [float(logpdf(x)) for x in xs])
    square = _Counting(lambda x: x * x, lambda xs: list(xs * xs))
    got = numeric.quad_expectation(lambda x: square(x) + 1.0, density, lo, hi, split, numeric.fill_all(density, square))
    want = _plain_quad(lambda x: x * x + 1.0, logpdf, lo, hi, split)
    assert got == want  # the same integrand values in the same order: the same float
    assert density.misses == 0 and square.misses == 0
    if math.isinf(lo) and math.isinf(hi):
        assert got == pytest.approx(loc * loc + scale * scale + 1.0, rel=1e-12)  # E[X^2 + 1], N(loc, scale)


def test_lognormal_moments_through_exp_are_the_closed_forms_and_plain_quads():
    mu, sigma = 0.3, 0.6
    ex = _exact("Normal", {"loc": mu, "scale": sigma}, "exp")
    mean, sd = ex.mean(), ex.sd()
    assert mean == pytest.approx(math.exp(mu + sigma ** 2 / 2), rel=1e-11)
    assert sd == pytest.approx(math.sqrt(math.expm1(sigma ** 2)) * math.exp(mu + sigma ** 2 / 2), rel=1e-10)
    assert ex._chain()[0].table, "the quadrature went through the vectorised fill"
    n = st.norm(mu, sigma)
    plain = _plain_quad(lambda x: math.exp(x), n.logpdf, -math.inf, math.inf, mu)
    assert mean == pytest.approx(plain, rel=1e-13)


def test_softplus_normal_mean_against_a_high_precision_quad_in_the_transformed_variable():
    m, s = 0.5413, 1.2292
    ex = _exact("Normal", {"loc": m, "scale": s}, "softplus")
    n = st.norm(m, s)

    def pdf_y(y):  # x = log(expm1(y)), dx/dy = 1 / (1 - exp(-y))
        return n.pdf(y + math.log(-math.expm1(-y))) / -math.expm1(-y)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        oracle = sum(si.quad(lambda y: y * pdf_y(y), a, b, epsabs=0.0, epsrel=2e-14, limit=1000)[0]
                     for a, b in ((0.0, 1.0), (1.0, math.inf)))
    assert ex.mean() == pytest.approx(oracle, rel=1e-11)
    # the third central moment (a --skewness target's) as well
    mean = ex.mean()
    mu3 = sum(si.quad(lambda y: (y - mean) ** 3 * pdf_y(y), a, b, epsabs=0.0, epsrel=1e-13, limit=1000)[0]
              for a, b in ((0.0, 1.0), (1.0, math.inf)))
    from priorcli.stats.moments import central_moments

    assert central_moments(ex, 3)[2] == pytest.approx(mu3, rel=1e-9)


def test_a_heavy_tail_whose_mean_does_not_exist_stays_unknown():
    # exp(StudentT(3)): E[exp(X)] diverges; quad's warning (IntegrationWarning) must still say so
    assert _exact("StudentT", {"df": 3.0, "loc": 0.0, "scale": 1.0}, "exp").mean() is None
    # softplus(Cauchy): the mean diverges (softplus(x) ~ x on the right)
    assert _exact("Cauchy", {"loc": 0.0, "scale": 1.0}, "softplus").mean() is None


def test_a_vector_evaluation_that_fails_falls_back_to_the_scalar_function():
    def broken(xs):
        raise FloatingPointError("no vector path")

    logpdf = st.norm(0.2, 0.7).logpdf
    density = _Counting(lambda x: float(logpdf(x)), broken)
    got = numeric.quad_expectation(lambda x: x, density, -math.inf, math.inf, 0.2, numeric.fill_all(density))
    assert not density.table and density.misses > 0
    assert got == _plain_quad(lambda x: x, lambda x: float(logpdf(x)), -math.inf, math.inf, 0.2)
    assert got == pytest.approx(0.2, rel=1e-12)


def test_a_truncated_base_under_a_transform_against_scipy_truncnorm():
    ex = _exact("Normal", {"loc": 0.5, "scale": 1.0}, "softplus", truncate=Truncation(0.0, None))
    t = st.truncnorm(-0.5, math.inf, loc=0.5, scale=1.0)
    oracle = si.quad(lambda x: np.logaddexp(x, 0.0) * t.pdf(x), 0.0, math.inf, epsabs=0.0, epsrel=1e-13)[0]
    assert ex.mean() == pytest.approx(oracle, rel=1e-10)
    var = si.quad(lambda x: (np.logaddexp(x, 0.0) - oracle) ** 2 * t.pdf(x), 0.0, math.inf, epsabs=0.0,
                  epsrel=1e-13)[0]
    assert ex.sd() == pytest.approx(math.sqrt(var), rel=1e-9)


def test_batched_answers_only_plain_floats_from_its_table():
    f = numeric.Batched(lambda x: np.asarray(x) * 2.0, lambda xs: list(xs * 3.0))  # a table that differs, to see
    f.fill([1.5, 0.0, -0.0])
    assert f(1.5) == 4.5  # from the table
    assert f(0.0) == 0.0 and f(-0.0) == 0.0  # zeros are never tabled: the scalar path tells their signs apart
    assert float(f(np.float64(1.5))) == 3.0  # not a plain float: the scalar function
    assert list(f(np.array([1.5, 2.0]))) == [3.0, 4.0]


@pytest.mark.parametrize("family, params, draw", [
    ("Normal", {"loc": 0.54, "scale": 1.23}, lambda r: r.normal(0, 5, 4000)),
    ("HalfNormal", {"scale": 0.6}, lambda r: np.abs(r.normal(0, 5, 4000))),
    ("Weibull", {"scale": 1.5, "concentration": 2.3}, lambda r: r.gamma(2.5, 1, 4000) - 0.5),
    ("Beta", {"concentration1": 2.5, "concentration0": 1.7}, lambda r: r.uniform(-0.1, 1.1, 4000)),
])
def test_a_records_zero_d_density_is_its_array_path_bit_for_bit(family, params, draw):
    """The scalar density quad calls (records.zero_d) against the expression it replaces; the
    vectorised call is not (numpy's x ** 2 is pow on a 0-d array, x * x on an array)."""
    record = resolve(family).closed
    one = record.logpdf.zero_d(**params)
    xs = draw(np.random.default_rng(7))
    with np.errstate(all="ignore"):
        want = [float(record.logpdf(np.asarray(x), **params)) for x in xs]
        got = [one(float(x)) for x in xs]
    assert all(a == b or (a != a and b != b) for a, b in zip(got, want))


def test_a_vector_that_differs_from_its_scalar_is_not_trusted():
    key = ("test", "differs")
    f = numeric.Batched(lambda x: x * 2.0, lambda xs: list(xs * 2.0 + 1e-9), key)
    f.fill([0.5, 1.5])
    assert not f.table and key in numeric._UNTRUSTED
    assert f(1.5) == 3.0
