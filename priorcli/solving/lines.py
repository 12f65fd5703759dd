"""A solved distribution as code lines: numpyro's ``dist.Family(...)``, and Stan's and PyMC's
spelling of it from the framework table the model emitters read (:mod:`priorcli.emit.lines`)."""

from __future__ import annotations

from priorcli.emit.lines import pymc_line, stan_line
from priorcli.solving.result import format_number

__all__ = ["code_lines", "numpyro_line", "pymc_code"]


def numpyro_line(family: str, params: dict) -> str:
    """``dist.LogNormal(loc=0.25, scale=0.5)``; a vector as ``jnp.array([...])`` (Dirichlet's)."""
    args = ", ".join(f"{k}={_value(v)}" for k, v in params.items())
    return f"dist.{family}({args})"


def _value(v) -> str:
    if isinstance(v, (tuple, list)):
        return f"jnp.array([{', '.join(format_number(x) for x in v)}])"
    return format_number(v)


def code_lines(family: str, params: dict) -> tuple[str, str | None, tuple[str, ...]]:
    """(numpyro line, Stan line or None, notes about the Stan line)."""
    stan, notes = stan_line(family, params, format_number)
    return numpyro_line(family, params), stan, notes


def pymc_code(family: str, params: dict) -> str | None:
    """``pm.LogNormal("x", mu=0.25, sigma=0.5)``, or None when PyMC has no such family."""
    return pymc_line(family, params, format_number)
