"""LKJ's and LKJCholesky's keywords, read once for the command line (``--dimension 3``) and the
Python API (``dimension=3``): aliases, repeats, numbers and the checks, each message naming the
argument as the caller spelled it (``flag``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

from priorcli.errors import UsageError
from priorcli.families.registry import number
from priorcli.records import lkj

TARGETS = ("lower", "upper", "mass", "quantile")


@dataclass(frozen=True)
class LKJArgs:
    dimension: int
    concentration: float | None  # None: not given (the caller applies numpyro's default 1, or solves it)
    targets: dict[str, Any]  # solve's lower/upper/mass as numbers, quantile as given


def read(family: str, pairs: Iterable[tuple[str, Any]], flag: Callable[[str], str], targets: bool,
         assign: str = " ") -> LKJArgs:
    """``assign`` joins a name to its value in a hint: ``--dimension K`` or ``dimension=K``."""
    values: dict[str, Any] = {}
    spelled: dict[str, str] = {}
    for name, value in pairs:
        key = lkj.PARAM_ALIASES.get(name.lower(), name if targets and name in TARGETS else None)
        if key is None:
            valid = f"{flag('dimension')}, {flag('concentration')} ({flag('eta')})"
            valid += "".join(f", {flag(t)}" for t in TARGETS) if targets else ""
            raise UsageError(f"unknown parameter {flag(name)} for {family}; valid: {valid}")
        if key in values:
            raise UsageError(f"{flag(name)} is given twice (as {flag(spelled[key])})")
        spelled[key] = name
        values[key] = value if key == "quantile" else number(value, flag(name))
    if "dimension" not in values:
        raise UsageError(f"{family} needs {flag('dimension')}{assign}K (the size of the K x K correlation matrix); "
                         "numpyro has no default")
    dimension = lkj.check_dimension(values.pop("dimension"), flag(spelled["dimension"]))
    concentration = values.pop("concentration", None)
    if concentration is not None:
        concentration = lkj.check_concentration(concentration, flag(spelled["concentration"]))
    return LKJArgs(dimension, concentration, values)
