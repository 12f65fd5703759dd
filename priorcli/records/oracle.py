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
