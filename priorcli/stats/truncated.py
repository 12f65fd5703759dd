"""The exact functions of a truncated family (``DistSpec.truncate``), as
:class:`priorcli.stats.exact.ExactDistribution` reads its base: the untruncated base's cdf, quantile
function and density (its record's closed forms, numpyro's, or numerics) conditioned on
[low, high], with the math of :mod:`priorcli.records.truncated` (quantiles F^-1(F(a) + p Z), mean
and sd by quadrature, the mode clipped or found numerically). Never prints.
"""

from __future__ import annotations

import math
from typing import Callable

from priorcli.records import truncated as forms
from priorcli.records.truncated import Truncation


class TruncatedBase:
    """Scalar functions of a truncated untransformed family, over the untruncated ``inner`` (an
    ``exact._Base``); ``make_dist`` builds its numpyro distribution when asked for."""

    atom_mass = None

    def __init__(self, inner, truncation: Truncation, make_dist: Callable):
        self.inner = inner
        self.family = inner.family
        self.params = inner.params
        self.truncation = truncation
        self.closed = None
        self.circular = False
        self._make_dist = make_dist
        self._dist = None
        self._density = None
        self.forms = forms.Base(
            support=inner.support(), cdf=inner.cdf, icdf=inner.icdf, logpdf=inner.logpdf,
            mode=self._inner_mode, mean=inner.mean, variance=inner.variance, atom=inner.atom, **self._tail(inner),
        )
        self.bounds = forms.bounds(self.forms, truncation, f"{self.family.name}({self._shown_params()})")

    @staticmethod
    def _tail(inner) -> dict:
        """What the record adds, as the solver's truncated record reads it (records.truncated.record_base):
        its survival function and inverse (the upper tail's precision) and its closed-form partial
        moments (``moment_shift``), where it has them."""
        closed, p = inner.closed, {k: v for k, v in inner.params.items()}
        if closed is None:
            return {}
        record = forms.record_base(closed, p)
        out = {} if record.sf is None or record.isf is None else {"sf": record.sf, "isf": record.isf}
        return {**out, "partial": record.partial}

    def _shown_params(self) -> str:
        return ", ".join(f"{k}={v:g}" for k, v in self.params.items() if not isinstance(v, tuple))

    def _inner_mode(self) -> float | None:
        """The base's mode where it is known in closed form (else the truncated density's is searched)."""
        return self.inner.mode()

    @property
    def dist(self):
        if self._dist is None:
            self._dist = self._make_dist()
        return self._dist

    def support(self) -> tuple[float, float]:
        return self.bounds.a, self.bounds.b

    def atom(self):
        return None

    def cdf(self, x: float) -> float | None:
        return forms.cdf(self.forms, self.bounds, float(x))

    def icdf(self, q: float) -> float | None:
        value = forms.icdf(self.forms, self.bounds, float(q))
        return None if math.isnan(value) else value

    def vector_icdf(self):
        return lambda q: forms.icdf(self.forms, self.bounds, q)

    def has_icdf(self) -> bool:
        return self.inner.has_icdf()

    def logpdf(self, x):
        return forms.logpdf(self.forms, self.bounds, x)

    def mean(self) -> float | None:
        return forms.mean(self.forms, self.bounds)

    def variance(self) -> float | None:
        return forms.variance(self.forms, self.bounds)

    def expect(self, fn: Callable, batched: tuple = ()) -> float | None:
        """E[fn(X)] by records.truncated's quadrature; ``batched``: the numeric.Batched functions
        inside ``fn``, filled with the density's (the same values, fewer calls)."""
        from priorcli.stats import numeric

        if self._density is None:
            inner = self.inner
            self._density = numeric.Batched(inner.scalar_logpdf(), lambda xs: inner.logpdf(xs).tolist(),
                                            ("logpdf", inner.family.name))
        fill = numeric.fill_all(self._density, *batched)
        return forms.expect(self.forms, self.bounds, fn, self._density,
                            lambda integrand, lo, hi: numeric.prefetching(integrand, fill, lo, hi))

    def mode(self) -> float | None:
        return forms.mode(self.forms, self.bounds)

    def mode_is_final(self) -> bool:
        return True  # clipped, or searched on the truncated density already
