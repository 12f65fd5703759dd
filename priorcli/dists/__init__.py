"""priorcli's own numpyro ``Distribution`` classes, for the families numpyro lacks (Triangular,
``triangular.py``) or has only as a factory function (ZeroInflatedNegativeBinomial2, HurdleNegativeBinomial2, ``zeroinflated.py``),
or draws in unbounded time (HurdlePoisson, a subclass of numpyro's; ``zeroinflated.py``). May import :mod:`priorcli.errors` and numpyro/jax; importing this package
itself imports neither: the classes load when first asked for (``classes()``, or an attribute
such as ``priorcli.dists.Triangular``), which only code that already uses numpyro does.

Adding a class: its module here and its line in ``_CLASSES``; the family registry
(``priorcli.families.registry``) discovers it beside numpyro's own classes.
"""

from __future__ import annotations

import importlib

__all__ = ["classes", "HurdleNegativeBinomial2", "HurdlePoisson", "Triangular", "Truncated", "truncated", "ZeroInflatedNegativeBinomial2"]

# class name -> the module that defines it
_CLASSES = {
    "Triangular": "priorcli.dists.triangular",
    "ZeroInflatedNegativeBinomial2": "priorcli.dists.zeroinflated",
    "HurdleNegativeBinomial2": "priorcli.dists.zeroinflated",
    "HurdlePoisson": "priorcli.dists.zeroinflated",  # numpyro's, its draws bounded in time
}


def classes() -> dict:
    """Every class here, by name (imports jax and numpyro)."""
    return {name: getattr(importlib.import_module(module), name) for name, module in _CLASSES.items()}


# not families of their own: a truncation of any continuous family (``truncated.py``)
_HELPERS = {
    "Truncated": "priorcli.dists.truncated",
    "truncated": "priorcli.dists.truncated",
}


def __getattr__(name: str):
    if name in _CLASSES:
        return getattr(importlib.import_module(_CLASSES[name]), name)
    if name in _HELPERS:
        return getattr(importlib.import_module(_HELPERS[name]), name)
    raise AttributeError(f"module 'priorcli.dists' has no attribute {name!r}")
