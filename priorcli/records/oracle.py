"""A family's scipy oracle: the scipy.stats distribution and the translation of numpyro's parameters
into its arguments. Each record file declares one (``SCIPY``) next to its record; the tests check
the records, the solver and the fitter against it (``priorcli.records.scipy_oracle``). priorcli's
own code never calls it, and scipy.stats is imported only when it is called."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

__all__ = ["ScipyOracle"]


@dataclass(frozen=True)
class ScipyOracle:
    """``scipy.stats.<name>(**translate(**params))``, a frozen scipy distribution."""

    name: str  # the scipy.stats distribution, e.g. "lognorm"
    translate: Callable  # numpyro's parameters (keywords) -> scipy's keyword arguments

    def __call__(self, params: dict | None = None, /, **kwargs):
        stats = importlib.import_module("scipy.stats")
        return getattr(stats, self.name)(**self.translate(**{**(params or {}), **kwargs}))


@dataclass(frozen=True)
class ZeroMassOracle(ScipyOracle):
    """A zero-inflated or hurdle family built by hand from its scipy.stats base, which scipy lacks:
    ``translate`` maps the native parameters to the base's scipy arguments, the ``gate`` parameter
    is the structural zero's probability. ``kind``: ``"inflated"`` (P(0) = g + (1 - g) B(0)),
    ``"hurdle"`` (P(0) = g, the positive part the base given > 0: truncated for a discrete base).
    The frozen object has scipy's ``cdf``, ``ppf`` (the mixed cdf searched), ``logpmf``/``logpdf``
    (log g at the atom of a continuous hurdle, as numpyro), ``mean``, ``var`` and ``std`` (summed
    over the pmf, or integrated by scipy for a continuous base)."""

    kind: str = "inflated"

    def __call__(self, params: dict | None = None, /, **kwargs):
        stats = importlib.import_module("scipy.stats")
        p = {**(params or {}), **kwargs}
        gate = float(p.pop("gate"))
        return _ZeroMassFrozen(getattr(stats, self.name)(**self.translate(**p)), gate, self.kind)


class _ZeroMassFrozen:
    def __init__(self, base, gate: float, kind: str):
        import numpy as np

        self.np, self.base, self.gate, self.kind = np, base, gate, kind
        self.discrete = hasattr(base.dist, "pmf")

    def _positive(self):
        """P(base > 0), the hurdle's truncation (1 for a continuous base)."""
        return float(self.base.sf(0)) if self.discrete else 1.0

    def cdf(self, x):
        np, g = self.np, self.gate
        x = np.asarray(x, dtype=float)
        if self.kind == "inflated":
            inner = self.base.cdf(x)
        else:
            inner = (self.base.cdf(x) - (1.0 - self._positive())) / self._positive()
        return np.where(x < 0, 0.0, g + (1.0 - g) * np.where(x < 0, 0.0, inner))

    def ppf(self, q):
        np, g = self.np, self.gate
        q = np.asarray(q, dtype=float)
        inner = np.clip((q - g) / (1.0 - g), 0.0, 1.0)
        if self.kind == "hurdle" and self.discrete:
            inner = (1.0 - self._positive()) + self._positive() * inner
        x = np.where(q <= g, 0.0, self.base.ppf(inner))
        if self.discrete:  # the smallest k with cdf(k) >= q, whatever the rounding of inner
            x = np.where(self.cdf(x - 1) >= q, x - 1, np.where(self.cdf(x) >= q, x, x + 1))
            x = np.maximum(x, 0.0)
        return x

    def _log_density(self, x):
        np, g = self.np, self.gate
        x = np.asarray(x, dtype=float)
        with np.errstate(divide="ignore"):
            base = self.base.logpmf(x) if self.discrete else self.base.logpdf(np.where(x == 0, 1.0, x))
            if self.kind == "inflated":
                nonzero = np.log1p(-g) + base
                return np.where(x == 0, np.log(g + (1.0 - g) * self.base.pmf(0)), nonzero)
            return np.where(x == 0, np.log(g), np.log1p(-g) + base - np.log(self._positive()))

    logpmf = logpdf = _log_density

    def _moment(self, power: int) -> float:
        np = self.np
        if self.discrete:
            k = np.arange(0.0, float(self.base.ppf(1 - 1e-16)) + 50.0)
            return float(np.sum(k**power * np.exp(self._log_density(k))))
        return (1.0 - self.gate) * float(self.base.expect(lambda x: x**power))

    def mean(self) -> float:
        return self._moment(1)

    def support(self):
        return 0.0, float(self.base.support()[1])

    def pmf(self, x):
        return self.np.exp(self._log_density(x))

    def median(self) -> float:
        return float(self.ppf(0.5))

    def entropy(self) -> float:
        """-sum P log P over the pmf; nan for a point mass beside a density (neither kind has it)."""
        np = self.np
        if not self.discrete:
            return float("nan")
        k = np.arange(0.0, float(self.base.ppf(1 - 1e-16)) + 50.0)
        lp = self._log_density(k)
        return float(-np.sum(np.where(np.isfinite(lp), np.exp(lp) * lp, 0.0)))

    def var(self) -> float:
        return self._moment(2) - self.mean() ** 2

    def std(self) -> float:
        return self.var() ** 0.5
