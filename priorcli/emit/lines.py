"""One distribution with numeric parameters as a line of numpyro, Stan or PyMC code: the lines
``solve`` prints, and :class:`Solved`, a solver's :class:`~priorcli.solving.Solution` whose code
lines are built from its numbers when asked for (the solver returns numbers only).

Read from the same table as the model emitters (``frameworks``). Kept free of numpy and jax: a
closed-form LogNormal ``solve`` prints these lines without importing either (a table argument that
is an expression, such as AsymmetricLaplace's ``1 / scale``, is evaluated with the model language,
which imports numpy, only for the families that need it).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Callable

from priorcli.emit import frameworks
from priorcli.solving.result import Solution, format_number

__all__ = ["Solved", "solved", "numpyro_line", "stan_line", "stan_notes", "pymc_line"]

Number = Callable[[float], str]

HALF_NOTE = "Stan: declare the parameter with <lower=0> to get the half distribution"
WRAP_NOTE = ("Stan: declare the parameter with <lower=-pi(), upper=pi()> as numpyro's; von_mises_rng draws on "
             "[loc - pi, loc + pi]: x - 2 * pi() * floor((x + pi()) / (2 * pi())) wraps a draw onto numpyro's [-pi, pi)")


def _value(text: str, params: dict, number: Number) -> str:
    if text in params:
        value = params[text]
        if isinstance(value, (tuple, list)):
            return "[" + ", ".join(number(v) for v in value) + "]"
        return number(value)
    try:
        float(text)
        return text  # a literal of the table, as written: cauchy(0, 5.0)
    except ValueError:
        pass
    from priorcli.model import parse as lang

    expr = lang.parse_expression(text, frozenset(params))
    return number(float(lang.evaluate(expr, {k: float(v) for k, v in params.items()})))


def numpyro_line(family: str, params: dict, number: Number = format_number) -> str:
    """``dist.LogNormal(loc=0.25, scale=0.5)``; a vector as ``jnp.array([...])`` (Dirichlet's)."""

    def value(v) -> str:
        if isinstance(v, (tuple, list)):
            return f"jnp.array([{', '.join(number(x) for x in v)}])"
        return number(v)

    args = ", ".join(f"{k}={value(v)}" for k, v in params.items())
    return f"dist.{family}({args})"


def stan_notes(family: str) -> tuple[str, ...]:
    """What the Stan line needs beside it: a half distribution's ``<lower=0>`` declaration."""
    entry = frameworks.stan(family)
    if entry is None:
        return ()
    return (HALF_NOTE,) * entry.half + (WRAP_NOTE,) * entry.wrap


def stan_line(family: str, params: dict, number: Number = format_number) -> tuple[str | None, tuple[str, ...]]:
    """(``lognormal(0.25, 0.5)``, notes), or (None, ()) when Stan has no such family."""
    entry = frameworks.stan(family)
    if entry is None:
        return None, ()
    args = []
    for i, text in enumerate(entry.args):
        value = _value(text, params, number)
        if isinstance(params.get(text), (tuple, list)):
            value += "'"  # a vector: Stan's [a, b]' literal
        elif i in entry.ints:
            value = str(int(float(value)))
        args.append(value)
    return f"{entry.name}({', '.join(args)})", stan_notes(family)


def pymc_line(family: str, params: dict, number: Number = format_number, name: str = "x") -> str | None:
    """``pm.LogNormal("x", mu=0.25, sigma=0.5)``, or None when PyMC has no such family."""
    entry = frameworks.pymc(family)
    if entry is None:
        return None
    args = ", ".join(f"{k}={_value(t, params, number)}" for k, t in entry.kwargs)
    return f'pm.{entry.name}("{name}", {args})'


# numpyro's TruncatedDistribution takes and samples these (StudentT it takes, but its icdf needs
# tensorflow-probability); the other families truncate through priorcli's own class.
NUMPYRO_TRUNCATABLE = ("Normal", "Cauchy", "Laplace", "Logistic", "SoftLaplace")
OWN_TRUNCATED_NOTE = ("numpyro: Truncated is priorcli's own numpyro class (from priorcli.dists import Truncated; "
                      "numpyro's TruncatedDistribution does not take {family})")


def _ends(truncate, number: Number) -> list[tuple[str, str]]:
    return [(name, number(v)) for name, v in (("low", truncate.low), ("high", truncate.high)) if v is not None]


def truncated_numpyro_line(family: str, params: dict, truncate, number: Number = format_number) -> str:
    """``dist.TruncatedNormal(loc=0, scale=1, low=1)``, ``dist.TruncatedDistribution(dist.Cauchy(...),
    low=1)``, or priorcli's own ``Truncated(dist.Gamma(...), low=1)`` where numpyro's takes no such base."""
    ends = ", ".join(f"{k}={v}" for k, v in _ends(truncate, number))
    if family == "Normal":
        return numpyro_line(family, params, number).replace("dist.Normal(", "dist.TruncatedNormal(")[:-1] + f", {ends})"
    wrapper = "dist.TruncatedDistribution" if family in NUMPYRO_TRUNCATABLE else "Truncated"
    return f"{wrapper}({numpyro_line(family, params, number)}, {ends})"


def truncated_stan_line(family: str, params: dict, truncate, number: Number = format_number) -> str | None:
    """``gamma(2, 1) T[1, ]``: Stan's truncation (a half family's lower end is 0)."""
    line, _ = stan_line(family, params, number)
    if line is None:
        return None
    half = frameworks.stan(family).half
    low = number(truncate.low) if truncate.low is not None else ("0" if half else "")
    high = "" if truncate.high is None else number(truncate.high)
    return f"{line} T[{low}, {high}]"


def truncated_pymc_line(family: str, params: dict, truncate, number: Number = format_number, name: str = "x") -> str | None:
    """``pm.Truncated("x", pm.Gamma.dist(alpha=2, beta=1), lower=1)``."""
    entry = frameworks.pymc(family)
    if entry is None:
        return None
    args = ", ".join(f"{k}={_value(t, params, number)}" for k, t in entry.kwargs)
    ends = "".join(f", {'lower' if k == 'low' else 'upper'}={v}" for k, v in _ends(truncate, number))
    return f'pm.Truncated("{name}", pm.{entry.name}.dist({args}){ends})'


@dataclass(frozen=True)
class Solved(Solution):
    """A Solution with its code lines (6 significant digits; ``params`` keep full precision),
    each built from ``family`` and ``params`` when read. ``notes`` are the solver's, then the
    Stan line's (a half distribution's ``<lower=0>``)."""

    @property
    def numpyro_code(self) -> str:
        if self.truncate is not None:
            return truncated_numpyro_line(self.family, self.params, self.truncate)
        return numpyro_line(self.family, self.params)

    @property
    def stan_code(self) -> str | None:
        """None where Stan has no such family."""
        if self.truncate is not None:
            return truncated_stan_line(self.family, self.params, self.truncate)
        return stan_line(self.family, self.params)[0]

    @property
    def pymc_code(self) -> str | None:
        """None where PyMC has no such family."""
        if self.truncate is not None:
            return truncated_pymc_line(self.family, self.params, self.truncate)
        return pymc_line(self.family, self.params)


def solved(solution):
    """The solver's Solution as a Solved (an Underdetermined, or a Solved, as it is)."""
    if not isinstance(solution, Solution) or isinstance(solution, Solved):
        return solution
    values = {f.name: getattr(solution, f.name) for f in fields(solution)}
    values["notes"] = tuple(solution.notes) + stan_notes(solution.family)
    if solution.truncate is not None and solution.family not in NUMPYRO_TRUNCATABLE:
        values["notes"] += (OWN_TRUNCATED_NOTE.format(family=solution.family),)
    return Solved(**values)
