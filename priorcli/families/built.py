"""A family whose record priorcli builds from the family itself rather than reads from
:mod:`priorcli.records` (a metalog's from which bounds it has, a mixture's from its components:
``priorcli.stats.metalog``, ``priorcli.stats.mixture``): built once per family object, on first
use, and univariate, so the record is its closed forms too."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from priorcli.families.registry import FamilyInfo
from priorcli.records.base import FamilyRecord


@dataclass(frozen=True)
class BuiltFamily(FamilyInfo):
    """A FamilyInfo whose ``record`` is ``build_record()``'s, cached (the dataclass is frozen, and
    ``cached_property`` writes the instance's ``__dict__``, not through ``__setattr__``)."""

    @functools.cached_property
    def record(self) -> FamilyRecord:  # type: ignore[override]
        return self.build_record()

    @property
    def closed(self) -> FamilyRecord:  # type: ignore[override]
        return self.record

    def build_record(self) -> FamilyRecord:
        raise NotImplementedError(f"{type(self).__name__} builds no record")
