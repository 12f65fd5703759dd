"""Pooling the experts' fitted distributions (``priorcli elicit``).

* Linear pool: the mixture sum_i w_i f_i (exact: its cdf is sum_i w_i F_i, its mean and variance
  the mixture's; a quantile by root finding between the components' quantiles, where it must lie).
* Logarithmic pool: prod_i f_i^w_i normalised, on the components' common support, by quadrature
  (scipy's ``quad``), its cdf by quadrature too and a quantile by root finding.
* ``combine``: one family fitted to the linear pool, as PreliZ's ``combine`` does (maximum
  likelihood on a weighted sample of the pool, families ranked by AIC: ``summarize --fit``'s
  ranking). The sample is deterministic: n_i = round(n w_i) points of component i at its
  quantiles (k + 0.5) / n_i, not random draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from priorcli import records
from priorcli.errors import InfeasibleError

COMBINE_SIZE = 10_000  # PreliZ combine's sample_size


@dataclass(frozen=True)
class Component:
    family: str
    params: dict

    @property
    def record(self):
        return records.get(self.family)

    def cdf(self, x):
        return np.asarray(self.record.cdf(np.asarray(x, dtype=np.float64), **self.params), dtype=np.float64)

    def icdf(self, p):
        return np.asarray(self.record.icdf(np.asarray(p, dtype=np.float64), **self.params), dtype=np.float64)

    def logpdf(self, x):
        return np.asarray(self.record.logpdf(np.asarray(x, dtype=np.float64), **self.params), dtype=np.float64)

    def logpdf_at(self):
        """``float(self.logpdf(x))`` as a function of one float, the parameters bound once (the
        record's ``logpdf.zero_d``: the same float bit for bit, for quadrature's many scalar calls)."""
        zero_d = getattr(self.record.logpdf, "zero_d", None)
        return zero_d(**self.params) if zero_d is not None else (lambda x: float(self.logpdf(x)))

    def support(self) -> tuple[float, float]:
        lo, hi = self.record.support(**self.params)
        return float(lo), float(hi)


@dataclass(frozen=True)
class Pooled:
    """A pool's summary at full precision (None where undefined)."""

    kind: str  # "linear" or "log"
    weights: tuple[float, ...]
    mean: float | None
    sd: float | None
    quantiles: dict[float, float]
    normaliser: float | None = None  # the log pool's integral of prod f_i^w_i


def normalised(weights) -> tuple[float, ...]:
    total = float(sum(weights))
    return tuple(float(w) / total for w in weights)


def _bracket_root(f, lo: float, hi: float, support: tuple[float, float]) -> float:
    """A root of the increasing ``f`` from a starting bracket [lo, hi], widened until it holds one."""
    from scipy.optimize import brentq

    f = _remembered(f)  # the bracket's ends are asked again (and by brentq): each value computed once
    width = max(hi - lo, 1e-8 * max(abs(lo), abs(hi), 1.0))
    for _ in range(200):
        if f(lo) <= 0 <= f(hi):
            return float(brentq(f, lo, hi, xtol=1e-14, rtol=4 * np.finfo(float).eps, maxiter=500))
        if f(lo) > 0:
            lo = max(lo - width, support[0]) if math.isfinite(support[0]) else lo - width
        if f(hi) < 0:
            hi = min(hi + width, support[1]) if math.isfinite(support[1]) else hi + width
        width *= 2
    raise InfeasibleError("a pooled quantile could not be bracketed")


def _remembered(f):
    """``f`` with its values kept by argument (the same floats: a lookup instead of a recomputation)."""
    seen = {}

    def g(x):
        key = float(x)
        if key not in seen:
            seen[key] = f(x)
        return seen[key]

    return g


def linear_pool(components: list[Component], weights, probs) -> Pooled:
    w = normalised(weights)
    support = (min(c.support()[0] for c in components), max(c.support()[1] for c in components))

    def cdf(x: float) -> float:
        return float(sum(wi * c.cdf(x) for wi, c in zip(w, components)))

    quantiles = {}
    for p in probs:
        each = [float(c.icdf(p)) for c, wi in zip(components, w) if wi > 0]
        quantiles[p] = _bracket_root(lambda x: cdf(x) - p, min(each), max(each), support)
    means = [_moment(c, "mean") for c in components]
    variances = [_moment(c, "variance") for c in components]
    mean = sd = None
    if all(m is not None for m, wi in zip(means, w) if wi > 0):
        mean = sum(wi * m for wi, m in zip(w, means) if wi > 0)
        if all(v is not None for v, wi in zip(variances, w) if wi > 0):
            second = sum(wi * (v + m * m) for wi, m, v in zip(w, means, variances) if wi > 0)
            sd = math.sqrt(max(second - mean * mean, 0.0))
    return Pooled("linear", w, mean, sd, quantiles)


def _moment(c: Component, name: str) -> float | None:
    fn = getattr(c.record, name)
    try:
        value = None if fn is None else fn(**c.params)
    except (ValueError, ArithmeticError):
        return None
    return float(value) if value is not None and math.isfinite(value) else None


def log_pool(components: list[Component], weights, probs) -> Pooled:
    """prod_i f_i^w_i / Z on the common support, by quadrature."""
    from scipy.integrate import quad

    w = normalised(weights)
    lo = max(c.support()[0] for c in components)
    hi = min(c.support()[1] for c in components)
    if not lo < hi:
        raise InfeasibleError("the logarithmic pool is empty: the experts' fitted supports do not overlap")
    body = [float(c.icdf(p)) for c in components for p in (0.001, 0.5, 0.999)]
    a, b = max(min(body), lo), min(max(body), hi)
    centre = min(max(float(np.median(body)), a), b)

    terms = [(wi, c.logpdf_at()) for wi, c in zip(w, components) if wi > 0]

    def log_density(x: float) -> float:
        return float(sum(wi * logpdf(x) for wi, logpdf in terms))

    peak = max(log_density(x) for x in np.linspace(a, b, 401)[1:-1]) if b > a else log_density(centre)

    def density(x: float) -> float:
        value = math.exp(log_density(x) - peak)
        return value if math.isfinite(value) else 0.0

    pieces = {}  # (fn, s, t) -> quad's value: the cdf's pieces between fixed cuts are the same every call

    def piece(fn, s: float, t: float) -> float:
        key = (fn, s, t)
        if key not in pieces:
            pieces[key] = quad(fn, s, t, limit=200, epsabs=0.0, epsrel=1e-11)[0]
        return pieces[key]

    def integral(fn, start: float, stop: float) -> float:
        """∫ fn over [start, stop], split at the body's ends (quad's infinite ranges need help)."""
        cuts = [start] + [x for x in (a, centre, b) if start < x < stop] + [stop]
        return sum(piece(fn, s, t) for s, t in zip(cuts, cuts[1:]))

    z = integral(density, lo, hi)
    if not z > 0 or not math.isfinite(z):
        raise InfeasibleError("the logarithmic pool could not be normalised")
    mean = integral(lambda x: x * density(x), lo, hi) / z
    second = integral(lambda x: (x - mean) ** 2 * density(x), lo, hi) / z

    def cdf(x: float) -> float:
        return integral(density, lo, x) / z if x > lo else 0.0

    quantiles = {p: _bracket_root(lambda x, p=p: cdf(x) - p, a, b, (lo, hi)) for p in probs}
    return Pooled("log", w, mean, math.sqrt(second), quantiles, z * math.exp(peak))


def log_pool_logpdf(components: list[Component], pooled: Pooled, x) -> np.ndarray:
    """The log pool's log density at ``x`` (for plots and tests)."""
    x = np.asarray(x, dtype=np.float64)
    total = sum(wi * c.logpdf(x) for wi, c in zip(pooled.weights, components) if wi > 0)
    return total - math.log(pooled.normaliser)


def pool_sample(components: list[Component], weights, size: int = COMBINE_SIZE) -> np.ndarray:
    """The linear pool's weighted sample for ``combine``: n_i = round(size w_i) stratified quantiles."""
    parts = []
    for c, wi in zip(components, normalised(weights)):
        n = int(round(size * wi))
        if n:
            parts.append(c.icdf((np.arange(n) + 0.5) / n))
    return np.concatenate(parts)


def combine(components: list[Component], weights, spec: str):
    """PreliZ's ``combine``: the families of ``spec`` fitted to the pool's sample, ranked by AIC
    (:func:`priorcli.ranking.rank_fits`)."""
    from priorcli.ranking import rank_fits

    return rank_fits(spec, pool_sample(components, weights), [])
