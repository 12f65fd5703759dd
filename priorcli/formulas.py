"""Former home of the closed forms; they now live in the family records (``priorcli.records``).

Kept as an alias while the solver still imports it: ``FORMULAS`` is ``priorcli.records.RECORDS``.
"""

from __future__ import annotations

from priorcli.records import RECORDS as FORMULAS
from priorcli.records import FamilyRecord as Formulas
from priorcli.records import ParamSpec, get

__all__ = ["ParamSpec", "Formulas", "FORMULAS", "get"]
