"""The entropy sums' cheaper pieces give scipy's and numpy's floats bit for bit (so that a
maximum-entropy search takes the same path and reports the same bytes): log k! from a table,
k log p with log p taken once, the zero-inflated mixture's logaddexp at k = 0 only, the grid union."""

import numpy as np
import pytest
import scipy.special as sc

from priorcli.records.discrete import _union, log_factorial, xlogy_scalar
from priorcli.records.negativebinomial import nb_logpmf
from priorcli.records.poisson import _poisson_logpmf
from priorcli.records.zeroinflatedpoisson import zi_logpmf


def _same(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and np.array_equal(a.view(np.int64), b.view(np.int64))


KS = [np.arange(0.0, 20000.0), np.arange(17.0, 3000.0), np.arange(0.0, 70000.0) + 0.5,
      np.geomspace(0.5, 1e9, 1001), np.array([0.0, 3.0, 0.0, 2.0] * 20), np.arange(5.0, 9.0),
      np.arange(-3.0, 100.0), np.array([np.nan, 0.0, np.inf] * 30), 4.0]


@pytest.mark.parametrize("k", KS, ids=range(len(KS)))
def test_log_factorial_and_xlogy_are_scipys(k):
    assert _same(log_factorial(k), sc.gammaln(np.asarray(k) + 1.0) if np.ndim(k) else sc.gammaln(k + 1.0))
    for p in (0.3, 1.0 - 1e-12, 1e-300, 1.0, 7.5, 1e300, 0.0, np.nan, -1.0, np.array([0.2])):
        with np.errstate(all="ignore"):
            assert _same(xlogy_scalar(k, p), sc.xlogy(k, p))


@pytest.mark.parametrize("k", KS[:5], ids=range(5))
def test_logpmfs_are_the_formulas(k):
    with np.errstate(all="ignore"):
        for r, p in ((0.011, 1.0 - 1e-12), (2.0, 0.4), (300.0, 0.9)):
            nb = sc.gammaln(k + r) - sc.gammaln(r) - sc.gammaln(k + 1.0) + r * np.log1p(-p) + sc.xlogy(k, p)
            for q in (p, p * 0.5, p):  # the second and third with r's terms remembered
                nb_q = sc.gammaln(k + r) - sc.gammaln(r) - sc.gammaln(k + 1.0) + r * np.log1p(-q) + sc.xlogy(k, q)
                assert _same(nb_logpmf(k, r, q), nb_q)
            for gate in (0.0, 0.3, 1.0):
                nonzero = np.log1p(-gate) + nb
                assert _same(zi_logpmf(k, gate, lambda j: nb_logpmf(j, r, p)),
                             np.where(k == 0, np.logaddexp(np.log(gate), nonzero), nonzero))
        for rate in (0.5, 3.0, 2e4) if np.max(k) <= 1e7 else ():  # beyond, the saddle-point form
            assert _same(_poisson_logpmf(k, rate), sc.xlogy(k, rate) - rate - sc.gammaln(k + 1.0))


def test_union_is_numpys():
    for a, end in ((19999.5, 6e14), (0.5, 40000.0), (10.0, 10.0)):
        x, y = np.geomspace(a, end, 4001), np.linspace(a, end, 8001)
        assert _same(_union(x, y), np.union1d(x, y))
    with np.errstate(all="ignore"):
        x, y = np.geomspace(1.0, np.inf, 11), np.linspace(1.0, np.inf, 11)
    assert np.array_equal(_union(x, y), np.union1d(x, y), equal_nan=True)
