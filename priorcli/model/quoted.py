"""A quoted distribution with free names (``"Mixture([w, 1 - w], [Normal(0, 1), Normal(3, 0.5)])"``,
``"truncated(Gamma(a, 1), low=1)"``) for ``priorcli solve``: the names it uses but never gets
(found as ``solve --model`` finds a model's, :mod:`priorcli.model.free`), each one's domain from
the parameters it fills (a scale is positive, a Mixture weight in (0, 1)), the DistSpec at given
values, and that text with the solved numbers in place (for ``--emit`` and the code lines).

The text is read as the one statement ``x ~ TEXT`` of a model whose free names are placeholders
(numbers given from outside); the solve itself is :func:`priorcli.solving.quoted.solve_free`'s,
on the distribution's exact values. Raises PriorError subclasses; never prints."""

from __future__ import annotations

from dataclasses import dataclass

from priorcli.errors import UsageError
from priorcli.families.targets import Targets
from priorcli.model import free
from priorcli.model.tree import DistExpr, Model

#: the variable the quoted distribution is drawn as (emitted programs call it x, as solve's do)
VARIABLE = "x"


@dataclass(frozen=True)
class Quoted:
    text: str  # as given, stripped
    names: tuple[str, ...]  # the free names, in order of first use
    domains: dict  # name -> priorcli.model.free.FreeDomain
    model: Model  # ``x ~ TEXT`` with the free names as placeholders

    @property
    def variable(self) -> str:
        return self.model.statements[0].name

    def filled(self, values: dict[str, float]) -> Model:
        """The model with the numbers in place of the free names."""
        return free.substitute(self.model, values)

    def dist_expr(self, values: dict[str, float]) -> DistExpr:
        return self.filled(values).statements[0].expr

    def spec(self, values: dict[str, float]):
        """The DistSpec at ``values`` (a UsageError where they make no distribution, such as weights
        that do not sum to 1)."""
        from priorcli.model import parse as lang
        from priorcli.model.numpyro import dist_spec

        dexpr = self.dist_expr(values)
        args, kwargs, transforms = lang.evaluate_distribution(dexpr)
        return dist_spec(dexpr.family, args, kwargs, transforms)


def parse(text: str) -> Quoted:
    """The quoted distribution ``text`` with its free names and their domains (UsageError for text
    that is not one distribution, naming what the parser found)."""
    from priorcli.model import parse as lang
    from priorcli.model.numpyro import is_family

    src = text.strip()
    if "\n" in src or "\r" in src or ";" in src:
        raise UsageError(f"a quoted distribution is one expression on one line: '{src[:60]}'")
    variable = VARIABLE
    names = free.free_names(f"{variable} ~ {src}")
    while variable in names:
        variable += "_"
    names = free.free_names(f"{variable} ~ {src}")
    try:
        model = lang.parse_model(f"{variable} ~ {src}", is_family, data=free.as_data(names))
    except UsageError as exc:
        raise UsageError(_unprefixed(str(exc), variable, src)) from None
    if len(model.statements) != 1 or not isinstance(model.statements[0].expr, DistExpr):
        raise UsageError(f"expected one distribution such as 'Normal(m, s)': '{src[:60]}'")
    try:
        domains = free.domains(model, names)
    except UsageError as exc:
        raise UsageError(_unprefixed(str(exc), variable, src)) from None
    return Quoted(src, names, domains, model)


def _unprefixed(message: str, variable: str, src: str) -> str:
    """A model message about line 1 of ``x ~ TEXT`` as a message about the quoted text."""
    import re

    message = message.removeprefix("line 1: ").replace("on line 1 ", "").replace(" on line 1", "")
    message = re.sub(r"fix it with --set (\w+)=VALUE", r"write a number in place of \1", message)
    message = message.replace("or --set one", "or write a number for one")
    return message.replace(f"'{variable} ~ {src}'", f"'{src}'")


def solve(text: str, targets: Targets):
    """The free names of ``text`` meeting ``targets`` (priorcli.solving.quoted.QuotedSolution)."""
    from priorcli.solving.quoted import FreeName, solve_free

    quoted = parse(text)
    names = [FreeName(n, d.low, d.high, d.text) for n, d in quoted.domains.items()]
    return quoted, solve_free(quoted.text, names, quoted.spec, targets)
