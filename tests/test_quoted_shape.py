"""``--skewness`` and ``--kurtosis`` (excess) targets of a quoted solve (brief item 3): a Mixture's
exact central moments from its components' (closed forms), a truncation's and a transform's by
quadrature (priorcli.stats.moments).

Oracles: numerical integrals of (x - mean)^k times the density built from scipy.stats (a mixture's
summed pdfs, a transform's density through the change of variables), and scipy.stats' own
``stats(moments="sk")`` of truncnorm and of the components."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.integrate as si
import scipy.stats as st

from conftest import Run, assert_usage_error

pytestmark = pytest.mark.slow  # quadratures and jitted transforms: most tests take a second or more


def _shape_by_quad(pdf, lo=-np.inf, hi=np.inf, points=None):
    """(skewness, excess kurtosis) of a density by scipy's quad, independent of priorcli."""
    def moment(fn):
        if points is None or not (np.isfinite(lo) and np.isfinite(hi)):
            return si.quad(lambda x: fn(x) * pdf(x), lo, hi, epsabs=0, epsrel=1e-12, limit=400)[0]
        return si.quad(lambda x: fn(x) * pdf(x), lo, hi, epsabs=0, epsrel=1e-12, limit=400, points=points)[0]

    total = moment(lambda x: 1.0)
    mean = moment(lambda x: x) / total
    mu = [moment(lambda x, k=k: (x - mean) ** k) / total for k in (2, 3, 4)]
    return mu[1] / mu[0] ** 1.5, mu[2] / mu[0] ** 2 - 3.0


def _exact(text: str):
    from priorcli.model import quoted
    from priorcli.stats.exact import ExactDistribution

    q = quoted.parse(text)
    return ExactDistribution(q.spec({}))


def _shapes(text: str):
    from priorcli.stats.moments import shape

    ex = _exact(text)
    return shape(ex, "skewness"), shape(ex, "kurtosis")


def _softplus_inv(y: float) -> float:
    return y + math.log(-math.expm1(-y))  # log(e^y - 1) without overflow


def _mixture_pdf(weights, dists):
    return lambda x: sum(w * d.pdf(x) for w, d in zip(weights, dists))


# ----------------------------------------------------------------------------------------------
# the moments themselves, at fixed numbers


@pytest.mark.parametrize("text, weights, dists, lo", [
    ("Mixture([0.3, 0.7], [Normal(0, 1), Normal(3, 0.5)])", (0.3, 0.7), (st.norm(0, 1), st.norm(3, 0.5)), -np.inf),
    ("Mixture([0.25, 0.35, 0.4], [Gamma(2, 1), LogNormal(0, 0.5), Normal(-1, 2)])", (0.25, 0.35, 0.4),
     (st.gamma(2), st.lognorm(0.5), st.norm(-1, 2)), -np.inf),
    ("Mixture([0.6, 0.4], [StudentT(6, 0, 1), Exponential(0.5)])", (0.6, 0.4), (st.t(6), st.expon(scale=2)),
     -np.inf),
    ("Mixture([0.5, 0.5], [Triangular(0, 1, 3), Beta(2, 5)])", (0.5, 0.5), (st.triang(1 / 3, 0, 3), st.beta(2, 5)),
     0.0),
])
def test_a_mixtures_shape_equals_the_integral_of_its_density(text, weights, dists, lo):
    hi = 3.0 if lo == 0.0 else np.inf
    expected = _shape_by_quad(_mixture_pdf(weights, dists), lo, hi, points=[1.0] if lo == 0.0 else None)
    got = _shapes(text)
    assert got[0] == pytest.approx(expected[0], rel=1e-8, abs=1e-10)
    assert got[1] == pytest.approx(expected[1], rel=1e-8, abs=1e-10)


def test_a_mixtures_shape_from_scipys_component_moments():
    """The closed form against scipy.stats' component moments, raw moments summed (another route)."""
    weights, dists = (0.2, 0.5, 0.3), (st.gamma(3, scale=0.5), st.norm(1, 0.3), st.weibull_min(1.7, scale=2))
    raw = [sum(w * d.moment(k) for w, d in zip(weights, dists)) for k in (1, 2, 3, 4)]
    m, var = raw[0], raw[1] - raw[0] ** 2
    mu3 = raw[2] - 3 * m * raw[1] + 2 * m ** 3
    mu4 = raw[3] - 4 * m * raw[2] + 6 * m * m * raw[1] - 3 * m ** 4
    got = _shapes("Mixture([0.2, 0.5, 0.3], [Gamma(3, 2), Normal(1, 0.3), Weibull(2, 1.7)])")
    assert got == pytest.approx((mu3 / var ** 1.5, mu4 / var ** 2 - 3), rel=1e-9)


@pytest.mark.parametrize("text, scipy", [
    ("truncated(Normal(0.5, 1.5), low=0)", st.truncnorm(-0.5 / 1.5, np.inf, loc=0.5, scale=1.5)),
    ("truncated(Normal(-1, 0.7), low=-2, high=1.5)", st.truncnorm(-1 / 0.7, 2.5 / 0.7, loc=-1, scale=0.7)),
    ("truncated(Normal(3, 1), high=0)", st.truncnorm(-np.inf, -3.0, loc=3, scale=1)),  # far in the tail
])
def test_a_truncated_normals_shape_is_truncnorms(text, scipy):
    _, _, skew, kurt = scipy.stats(moments="mvsk")
    got = _shapes(text)
    assert got[0] == pytest.approx(float(skew), rel=1e-7, abs=1e-9)
    assert got[1] == pytest.approx(float(kurt), rel=1e-7, abs=1e-9)


def test_a_truncated_gamma_and_a_transform_by_quadrature():
    g = st.gamma(2.5)
    expected = _shape_by_quad(lambda x: g.pdf(x) / g.sf(1.0), 1.0, np.inf)
    assert _shapes("truncated(Gamma(2.5, 1), low=1)") == pytest.approx(expected, rel=1e-7)
    # softplus(Normal(0.3, 1)): y = log(1 + e^x), x = log(e^y - 1), dx/dy = e^y / (e^y - 1)
    n = st.norm(0.3, 1)
    expected = _shape_by_quad(lambda y: n.pdf(_softplus_inv(y)) / -math.expm1(-y) if y > 0 else 0.0,
                              0.0, np.inf)
    assert _shapes("softplus(Normal(0.3, 1))") == pytest.approx(expected, rel=1e-7)


def test_a_transformed_mixture_by_quadrature():
    pdf = _mixture_pdf((0.4, 0.6), (st.norm(-1, 0.5), st.norm(1, 0.8)))
    expected = _shape_by_quad(lambda y: pdf(math.log(y)) / y if y > 0 else 0.0, 0.0, np.inf)
    assert _shapes("exp(Mixture([0.4, 0.6], [Normal(-1, 0.5), Normal(1, 0.8)]))") == pytest.approx(expected,
                                                                                                   rel=1e-7)


def test_moments_that_do_not_exist_are_refused():
    from priorcli.errors import InfeasibleError
    from priorcli.stats.moments import shape

    with pytest.raises(InfeasibleError, match="component 0.*StudentT"):
        shape(_exact("Mixture([0.5, 0.5], [StudentT(2.5, 0, 1), Normal(1, 1)])"), "skewness")
    assert shape(_exact("Mixture([0.5, 0.5], [StudentT(3.5, 0, 1), Normal(1, 1)])"), "skewness") < 0  # exists
    with pytest.raises(InfeasibleError, match="StudentT"):
        shape(_exact("Mixture([0.5, 0.5], [StudentT(3.5, 0, 1), Normal(1, 1)])"), "kurtosis")
    with pytest.raises(InfeasibleError, match="open end"):
        shape(_exact("truncated(StudentT(2.5, 0, 1), low=0)"), "skewness")
    # both ends closed: every moment exists
    t = st.t(2.5)
    expected = _shape_by_quad(lambda x: t.pdf(x) / (t.cdf(4) - t.cdf(0)), 0.0, 4.0)
    assert _shapes("truncated(StudentT(2.5, 0, 1), low=0, high=4)") == pytest.approx(expected, rel=1e-7)
    with pytest.raises(InfeasibleError):
        shape(_exact("Cauchy(0, 1)"), "skewness")


# ----------------------------------------------------------------------------------------------
# solves, through the command line

W = "Mixture([w, 1 - w], [Normal(0, 1), Normal(3, 0.5)])"


def test_solve_a_mixture_weight_from_its_skewness():
    doc = Run().json("solve", W, "--skewness", "0.5")
    w = doc["free"]["w"]
    skew, _ = _shape_by_quad(_mixture_pdf((w, 1 - w), (st.norm(0, 1), st.norm(3, 0.5))))
    assert skew == pytest.approx(0.5, rel=1e-7)
    assert doc["method"] == "root" and doc["achieved"]["skewness"] == pytest.approx(0.5, rel=1e-9)


def test_solve_two_names_from_a_mean_and_a_kurtosis():
    text = "Mixture([0.5, 0.5], [Normal(0, 1), Normal(m, s)])"
    doc = Run().json("solve", text, "--mean", "1", "--kurtosis", "0.5")
    m, s = doc["free"]["m"], doc["free"]["s"]
    assert 0.5 * m == pytest.approx(1.0, rel=1e-7)
    _, kurt = _shape_by_quad(_mixture_pdf((0.5, 0.5), (st.norm(0, 1), st.norm(m, s))))
    assert kurt == pytest.approx(0.5, rel=1e-6)


def test_solve_a_truncated_normal_from_its_skewness():
    doc = Run().json("solve", "truncated(Normal(m, 1), low=0)", "--skewness", "0.8")
    m = doc["free"]["m"]
    assert float(st.truncnorm(-m, np.inf, loc=m).stats(moments="s")) == pytest.approx(0.8, rel=1e-7)
    assert doc["truncate"] == [0.0, None]


def test_solve_a_transform_from_skewness_and_median():
    doc = Run().json("solve", "softplus(Normal(m, s))", "--median", "1", "--skewness", "1")
    m, s = doc["free"]["m"], doc["free"]["s"]
    assert math.log1p(math.exp(m)) == pytest.approx(1.0, rel=1e-9)  # the median of a monotone transform
    n = st.norm(m, s)
    skew, _ = _shape_by_quad(lambda y: n.pdf(_softplus_inv(y)) / -math.expm1(-y) if y > 0 else 0.0,
                             0.0, np.inf)
    assert skew == pytest.approx(1.0, rel=1e-6)


@pytest.mark.parametrize("args, code, needles", [
    (("Mixture([0.5, 0.5], [StudentT(2.5, 0, 1), Normal(m, 1)])", "--skewness", "0.5"), 1,
     ("--skewness", "StudentT", "component 0", "does not exist")),
    (("Mixture([0.5, 0.5], [StudentT(3.5, 0, 1), Normal(m, 1)])", "--kurtosis", "1"), 1, ("--kurtosis", "StudentT")),
    (("truncated(Cauchy(m, 1), low=0)", "--skewness", "1"), 1, ("--skewness", "open end", "does not exist")),
    ((W, "--kurtosis", "-2.5"), 2, ("kurtosis=-2.5", "above -2")),
    (("Mixture([0.5, 0.5], [Normal(0, 1), Normal(m, s)])", "--skewness", "2", "--kurtosis", "1"), 1,
     ("skewness^2 - 2",)),
    ((W, "--skewness", "abc"), 2, ("--skewness",)),
    ((W, "--skewness", "9"), 1, ("w",)),  # beyond what any weight gives: the edge of w's domain
])
def test_bad_shape_targets_are_one_error_line(args, code, needles):
    assert_usage_error(Run()("solve", *args), *needles, code=code)
