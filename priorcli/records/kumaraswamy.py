"""Kumaraswamy(concentration1=a, concentration0=b): density a b x^(a-1) (1 - x^a)^(b-1).

scipy.stats has no Kumaraswamy, so there is no scipy oracle (``SCIPY = None``): the tests
derive one from the closed-form cdf.

The record (``RECORD``) and its scipy oracle (``SCIPY``: the scipy.stats distribution and the
parameter translation the tests check against; scipy.stats is imported when it is called).
"""

from __future__ import annotations

import math

from priorcli.records.base import EULER, LOG2, UNIT, np, param, record, sc
from priorcli.records import shape
from priorcli.records.fitdata import check_open_unit
from priorcli.records.starts import unit_start


# Kumaraswamy(concentration1=a, concentration0=b): density a b x^(a-1) (1 - x^a)^(b-1)
def _kuma_logpdf(x, concentration1, concentration0):
    a, b = concentration1, concentration0
    return np.log(a) + np.log(b) + sc.xlogy(a - 1.0, x) + sc.xlog1py(b - 1.0, -(x**a))


def _kuma_moment(n, a, b):
    return b * math.exp(sc.betaln(1.0 + n / a, b))


def _kuma_mode(concentration1, concentration0):
    a, b = concentration1, concentration0
    if a >= 1.0 and b >= 1.0 and not (a == 1.0 and b == 1.0):
        return ((a - 1.0) / (a * b - 1.0)) ** (1.0 / a)
    return None


def _kuma_entropy(concentration1, concentration0):
    a, b = concentration1, concentration0
    harmonic_b = sc.digamma(b + 1.0) + EULER
    return (1.0 - 1.0 / b) + (1.0 - 1.0 / a) * harmonic_b - math.log(a * b)


def _kuma_fit_start(x):
    # a = 1 is Beta(1, b); the profile MLE of b given a is -1 / mean(log(1 - x^a)).
    return {"concentration1": 1.0, "concentration0": -1.0 / float(np.mean(np.log1p(-x)))}


RECORD = record(
    "Kumaraswamy",
    (param("concentration1", "positive"), param("concentration0", "positive")),
    support=UNIT,
    cdf=lambda x, concentration1, concentration0: -np.expm1(concentration0 * np.log1p(-(x**concentration1))),
    icdf=lambda q, concentration1, concentration0: (-np.expm1(np.log1p(-q) / concentration0)) ** (1.0 / concentration1),
    sf=lambda x, concentration1, concentration0: np.exp(concentration0 * np.log(-np.expm1(concentration1 * np.log(x)))),
    isf=lambda q, concentration1, concentration0: np.exp(np.log1p(-np.exp(np.log(q) / concentration0)) / concentration1),
    logpdf=_kuma_logpdf,
    mean=lambda concentration1, concentration0: _kuma_moment(1, concentration1, concentration0),
    variance=lambda concentration1, concentration0: (
        _kuma_moment(2, concentration1, concentration0) - _kuma_moment(1, concentration1, concentration0) ** 2
    ),
    mode=_kuma_mode,
    median=lambda concentration1, concentration0: (-math.expm1(-LOG2 / concentration0)) ** (1.0 / concentration1),
    entropy=_kuma_entropy,
    **shape.pair(lambda concentration1, concentration0: shape.kumaraswamy(concentration1, concentration0)),
    moment_start=unit_start(lambda m, nu: {"concentration1": max(m * nu, 0.1),
                                           "concentration0": max((1.0 - m) * nu, 0.1)}),
    fit_check=check_open_unit,
    fit_start=_kuma_fit_start,
)

SCIPY = None
