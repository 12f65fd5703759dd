"""``record.logpdf.at(**params)``: the log density with its parameters bound once, which the
truncated quadrature (priorcli.records.truncated.record_base) calls point by point. It must give
exactly logpdf(x, **params)'s values, by the same core, on floats (the scalar path: outside the
support -inf, NaN for NaN, a discrete family's non-integers -inf) and arrays, for every family in
the registry; and those values are the family's scipy oracle's (priorcli.records.oracle)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from priorcli import records
from priorcli.records import truncated as T

from test_family_files import PARAMS
from test_formulas import KumaraswamyOracle

QUANTILES = (1e-9, 1e-4, 0.01, 0.1, 0.25, 0.37, 0.5, 0.63, 0.8, 0.95, 0.999, 1.0 - 1e-9)


def _params(rec) -> dict:
    return dict(PARAMS.get(rec.name, rec.typical_params()))


def _oracle(rec, params):
    if rec.name == "Kumaraswamy":
        return KumaraswamyOracle(params["concentration1"], params["concentration0"])
    return records.scipy_oracle(rec.name)(params)


def _grid(rec, params) -> list[float]:
    """Quantiles inside the support, its ends, points beyond them, and the awkward floats."""
    lo, hi = rec.support(**params)
    atom = rec.zero_mass(**params) if rec.atom else 0.0  # a hurdle's quantiles below its gate are 0
    inside = [float(rec.icdf(atom + (1.0 - atom) * q, **params)) for q in QUANTILES]
    ends = [lo, hi, lo - 1.0, hi + 1.0, lo - 0.5, hi + 0.5]
    return sorted({v for v in inside + ends if not math.isnan(v)}) + [-math.inf, math.inf, math.nan]


def _same(a, b) -> bool:
    if isinstance(a, type) or isinstance(b, type):
        return a is b
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b


def _value(fn, x):
    """fn(x), or the class of what it raised (a discrete family's logpdf at an infinite point in
    its support raises math.floor's OverflowError, InverseGamma's at the float 0 ZeroDivisionError:
    the bound density must do the same)."""
    try:
        return fn(x)
    except ArithmeticError as e:
        return type(e)


UNIVARIATE = sorted(records.RECORDS)


@pytest.mark.parametrize("name", UNIVARIATE)
def test_the_bound_density_gives_logpdfs_values(name):
    rec = records.RECORDS[name]
    params = _params(rec)
    bound = rec.logpdf.at(**params)
    xs = _grid(rec, params)
    with np.errstate(all="ignore"):  # the bound density's caller's, as the quadrature holds it
        for x in xs:
            ours, theirs = _value(bound, x), _value(lambda v: rec.logpdf(v, **params), x)
            assert type(ours) in (float, type(theirs)) and _same(ours, theirs), (x, ours, theirs)
            if math.isfinite(x) and x == math.floor(x) and abs(x) < 1e15:
                assert _same(_value(bound, int(x)), _value(lambda v: rec.logpdf(v, **params), int(x))), x
            assert _same(_value(bound, np.float64(x)), theirs), x
        array = np.asarray(xs)
        assert np.array_equal(bound(array), rec.logpdf(array, **params), equal_nan=True)


@pytest.mark.parametrize("name", UNIVARIATE)
def test_the_bound_density_is_the_oracles(name):
    rec = records.RECORDS[name]
    params = _params(rec)
    d = _oracle(rec, params)
    bound = rec.logpdf.at(**params)
    lo, hi = rec.support(**params)
    if rec.discrete:
        xs = np.arange(lo, min(hi, float(rec.icdf(0.999, **params))) + 1.0)
    else:
        xs = np.asarray([x for x in _grid(rec, params) if lo < x < hi])  # the ends: conventions differ
    assert xs.size >= 2 if rec.discrete else xs.size >= 10
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        expected = d.logpmf(xs) if rec.discrete else d.logpdf(xs)
        ours = np.asarray([bound(float(x)) for x in xs])
    finite = np.isfinite(expected)
    assert np.array_equal(np.isfinite(ours), finite), (xs, ours, expected)
    np.testing.assert_allclose(ours[finite], expected[finite], rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("name", ["Normal", "Pareto", "Gamma", "Uniform"])
def test_the_bound_density_keeps_the_parameters_checks(name):
    rec = records.RECORDS[name]
    with pytest.raises(TypeError, match="unknown parameter"):
        rec.logpdf.at(nonsense=1.0)
    params = _params(rec)
    # array parameters bind too (the array path, as logpdf broadcasts them)
    first = rec.param_names[0]
    varying = {**params, first: np.asarray([params[first], params[first] * 1.5 + 0.5])}
    x = float(rec.icdf(0.5, **params))
    assert np.array_equal(rec.logpdf.at(**varying)(x), rec.logpdf(x, **varying))


def test_the_truncated_quadrature_reads_the_bound_density():
    F = records.RECORDS["Pareto"]
    params = {"scale": 1.0, "alpha": 1.3}
    base = T.record_base(F, params)
    assert base.logpdf.__qualname__.endswith("at.<locals>.bound")
    k = T.bounds(base, T.Truncation(None, 50.0), "Pareto")
    d = records.scipy_oracle("Pareto")(params)
    mass = d.cdf(50.0) - d.cdf(1.0)
    oracle_mean = d.expect(lambda x: x, lb=1.0, ub=50.0, epsrel=1e-12, limit=500) / mass
    assert T.mean(base, k) == pytest.approx(oracle_mean, rel=1e-9)
