"""The state of ``priorcli explore``, without Textual: fields, stepping, validation, solving.

The app is a thin view over :class:`ExploreState`: every key press calls one method here and then
redraws from :meth:`ExploreState.view`. Values go through the same functions the commands use:
typed parameters and targets through the one registry-driven parser
(:func:`priorcli.families.registry.parse_family_args`), targets through :func:`priorcli.solving.solve`, the
table through :class:`priorcli.stats.exact.ExactDistribution` (what ``priorcli summarize`` prints).
Invalid input never raises out of here: it is kept as typed, marked invalid, and explained in
``message``; the last valid distribution stays on screen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from priorcli.render import output as render
from priorcli.errors import PriorError, UsageError
from priorcli.families.registry import FamilyInfo, check_dependent, complete_params, parse_family_args, resolve, resolve_fast
from priorcli.stats.exact import DEFAULT_QUANTILES, DistSpec, ExactDistribution, Summary
from priorcli.records.domain import POSITIVE, REAL, UNIT_INTERVAL, Domain, named

PARAMS, TARGETS = "params", "targets"
# Target fields in the order shown; "quantiles" holds P=V pairs separated by commas.
# "count" only for the families whose help lists it (familyhelp.targets_of: Beta, BetaProportion).
TARGET_FIELDS = ("mode", "median", "mean", "sd", "quantiles", "lower", "upper", "mass", "count")
STEP_FACTOR = 1.1  # positive values: one step multiplies or divides by this
REAL_STEP = 0.1  # real values: one step adds this many of the family's scale (see _real_step)
LOGIT_STEP = 0.2  # unit-interval values: one step on the logit scale
FREE = "free"  # the pseudo-field that moves along an underdetermined family
TRUNCATE = "truncate"  # the truncation LO,HI (either end may be empty), in both modes; continuous families
EDIT_CHARS = set("0123456789.eE-+=,; ")


@dataclass
class View:
    """What the screen shows after a change (full precision; the app formats with render.fmt)."""

    title: str
    summary: Summary | None
    curve: tuple[list[float], list[float]] | None  # x, density (per log10 unit on a log axis)
    log_x: bool
    discrete: bool
    solved: list[tuple[str, str, str]] = field(default_factory=list)  # target, requested, achieved
    loss: float | None = None
    mass_shown: float | None = None  # a lower bound of the mass inside the plotted range


class ExploreState:
    """One family, its parameters, the typed targets and where the cursor is."""

    def __init__(self, family: FamilyInfo, params: dict[str, Any] | None = None,
                 targets: dict[str, str] | None = None, quantiles=DEFAULT_QUANTILES, truncate: str | None = None):
        if family.multivariate:
            raise UsageError(f"explore shows univariate families; {family.name} is multivariate")
        self.quantiles = tuple(quantiles)
        self.mode = TARGETS if targets else PARAMS
        self.focus = 0
        self.editing: str | None = None  # the edit buffer while the user types a value
        self.message = ""
        self.target_text: dict[str, str] = {name: "" for name in TARGET_FIELDS}
        self.target_text.update(targets or {})
        self.target_error: dict[str, str] = {}
        self.solution = None  # the last Solution or Underdetermined of the targets
        self.free_name: str | None = None
        self.free_value: float | None = None
        self.current = None  # the member of an underdetermined family now shown
        self.truncation = None  # a records.truncated.Truncation held while stepping and solving
        self.truncate_text, self.truncate_error = "", None
        self._set_family(family, params or {})
        if truncate:  # from the command line: a bad one is a usage error before the screen opens
            self.truncation = _truncation(family, truncate)
            self.truncate_text = truncate
            self._exact = ExactDistribution(self._spec(self.params))
        if targets:
            self.solve_targets()

    # ---- family and parameters ---------------------------------------------------------------

    def _set_family(self, family: FamilyInfo, params: dict[str, Any]) -> None:
        from priorcli.families.help import targets_of

        self.family = family
        kinds = targets_of(family)
        self.target_fields = tuple(n for n in TARGET_FIELDS if n == "quantiles" or n in kinds)
        self.params = _complete(family, params)
        self.param_text = {name: render.fmt(value) for name, value in self.params.items()}
        self.param_error: dict[str, str] = {}
        self._exact = ExactDistribution(self._spec(self.params))

    def _spec(self, params: dict) -> DistSpec:
        """The distribution shown: the family at ``params``, truncated when a truncation is held."""
        return DistSpec(self.family, dict(params), (), self.truncation)

    def fields(self) -> list[str]:
        truncate = [] if self.family.discrete else [TRUNCATE]
        if self.mode == PARAMS:
            return list(self.family.param_names) + truncate
        return ([FREE] if self.free_name else []) + list(self.target_fields) + truncate

    @property
    def focused(self) -> str:
        names = self.fields()
        return names[min(self.focus, len(names) - 1)]

    def move_focus(self, delta: int) -> None:
        self.commit_edit()
        self.focus = (self.focus + delta) % len(self.fields())

    def toggle_mode(self) -> None:
        self.commit_edit()
        self.mode = TARGETS if self.mode == PARAMS else PARAMS
        self.focus = 0
        self.message = ""

    def set_param(self, name: str, text: str) -> bool:
        """Set a parameter from text through the registry's parser; False (and the field marked
        invalid, the distribution unchanged) when the value is refused."""
        self.param_text[name] = text
        try:
            parsed = parse_family_args(self.family, [(name, text)]).params
            params = {**self.params, **parsed}
            check_dependent(self.family, params)
            exact = ExactDistribution(self._spec(params))
        except PriorError as exc:
            self.param_error[name] = str(exc)
            self.message = str(exc)
            return False
        self.param_error.pop(name, None)
        self.params, self._exact, self.message = params, exact, ""
        return True

    def set_family(self, name: str) -> None:
        """Switch family; typed targets carry over and are solved for in the new family (when they
        cannot be met there, the new family starts from typical parameters and says why)."""
        self.commit_edit()
        try:
            family = resolve_fast(name) or resolve(name)
            if family.multivariate:
                raise UsageError(f"explore shows univariate families; {family.name} is multivariate")
        except PriorError as exc:
            self.message = str(exc)
            return
        kept = self.truncation
        if kept is not None:
            try:
                _truncation(family, kept.text())
                ExactDistribution(DistSpec(family, _complete(family, {}), (), kept))
            except PriorError:
                kept = None
        dropped_truncation = self.truncation is not None and kept is None
        self.truncation = kept
        if dropped_truncation:
            self.truncate_text, self.truncate_error = "", None
        self._set_family(family, {})
        self.focus = 0
        self.free_name = self.free_value = self.current = None
        self.solution = None
        self.message = ""
        dropped = [n for n in TARGET_FIELDS if n not in self.target_fields and self.target_text[n].strip()]
        for name in dropped:  # a target the new family does not take (--count outside Beta)
            self.target_text[name] = ""
        if dropped:
            self.message = f"{family.name} takes no {', '.join(dropped)}: cleared"
        if dropped_truncation:
            self.message = f"{family.name} cannot take the truncation: cleared"
        if self.has_targets():
            self.solve_targets()

    # ---- stepping ----------------------------------------------------------------------------

    def step(self, direction: int) -> None:
        """Right/+ (direction 1) or Left/- (-1) on the focused field."""
        self.commit_edit()
        name = self.focused
        if name == TRUNCATE:
            self.message = "type the truncation LO,HI ('=' first for a negative or an empty low end: =,5)"
        elif self.mode == PARAMS:
            domain, old = self.family.param(name).domain, self.params[name]
            new = step_value(old, domain, direction, self._real_step(name))
            self.set_param(name, repr(round_step(old, new, domain)))
        elif name == FREE:
            domain, old = self.family.param(self.free_name).domain, self.free_value
            self.free_value = round_step(old, step_value(old, domain, direction, self._real_step(self.free_name)), domain)
            self._solve_along_free()
        elif name in ("quantiles",) or not self.target_text[name].strip():
            self.message = f"type a value for {name} (stepping needs a single number)"
        else:
            try:
                value = float(self.target_text[name])
            except ValueError:
                self.message = f"{name}: '{self.target_text[name]}' is not a number"
                return
            domain = UNIT_INTERVAL if name == "mass" else POSITIVE if name in ("sd", "count") or value > 0 else REAL
            new = step_value(value, domain, direction, 0.1 * max(abs(value), 1.0))
            self.set_target(name, repr(round_step(value, new, domain)))

    def _real_step(self, name: str) -> float:
        """Additive step of a real parameter: a tenth of the family's scale (or of the width of a
        Uniform), so one step moves the distribution by a similar fraction of its spread."""
        p = self.params
        if "scale" in p and name != "scale":
            return REAL_STEP * float(p["scale"])
        if "low" in p and "high" in p:
            return REAL_STEP * float(p["high"] - p["low"])
        return REAL_STEP * max(abs(float(p.get(name, 0.0))), 1.0)

    # ---- typing ------------------------------------------------------------------------------

    def type_char(self, char: str) -> None:
        """A printable key: digits and '.' start an edit of the focused field, '=' starts an empty
        one (to type a negative number); inside an edit every number character is kept."""
        if self.editing is None:
            if char == "=":
                self.editing = ""
                return
            if char not in "0123456789.":
                return
            self.editing = ""
        if char in EDIT_CHARS:
            self.editing += char

    def backspace(self) -> None:
        if self.editing is not None:
            self.editing = self.editing[:-1]
        elif self.focused == TRUNCATE:
            self.set_truncate("")  # Backspace on the truncation removes it
        elif self.mode == TARGETS and self.focused in self.target_text:
            self.set_target(self.focused, "")  # Backspace on a target clears it

    def cancel_edit(self) -> bool:
        """Esc while typing drops the edit; True when there was one."""
        if self.editing is None:
            return False
        self.editing = None
        return True

    def commit_edit(self) -> None:
        if self.editing is None:
            return
        text, self.editing = self.editing.strip(), None
        if self.focused == TRUNCATE:
            self.set_truncate(text)
        elif self.mode == PARAMS:
            self.set_param(self.focused, text)
        elif self.focused == FREE:
            self._set_free(text)
        else:
            self.set_target(self.focused, text)

    # ---- targets -----------------------------------------------------------------------------

    def has_targets(self) -> bool:
        return any(text.strip() for text in self.target_text.values())

    def set_target(self, name: str, text: str) -> None:
        self.target_text[name] = text
        self.solve_targets()

    def _target_pairs(self) -> list[tuple[str, str]]:
        pairs = []
        for name in self.target_fields:
            text = self.target_text[name].strip()
            if not text:
                continue
            if name == "quantiles":
                pairs += [("quantile", part.strip()) for part in text.replace(";", ",").split(",") if part.strip()]
            else:
                pairs.append((name, text))
        return pairs

    def solve_targets(self) -> None:
        """Solve the typed targets with priorcli's solver. Each field is checked on its own first
        (so the invalid one is marked), then all together."""
        focused = self.focused
        try:
            self._solve_targets()
        finally:  # the free-parameter row may have come or gone: keep the cursor on its field
            names = self.fields()
            self.focus = names.index(focused) if focused in names else 0

    def _solve_targets(self) -> None:
        from priorcli.solving import Underdetermined, solve

        self.target_error = {}
        for name in self.target_fields:
            text = self.target_text[name].strip()
            if not text:
                continue
            pairs = [("quantile", p.strip()) for p in text.replace(";", ",").split(",")] if name == "quantiles" \
                else [(name, text)]
            try:
                parse_family_args(self.family, pairs)
            except PriorError as exc:
                self.target_error[name] = str(exc)
        if self.target_error:
            self.message = next(iter(self.target_error.values()))
            return
        self.free_name = self.free_value = self.current = None
        if not self.has_targets():
            self.solution, self.message = None, ""
            return
        try:
            targets = parse_family_args(self.family, self._target_pairs()).targets
            result = solve(self.family.name, targets, {}, self._record())
        except PriorError as exc:
            self.solution, self.message = None, str(exc)
            # Mark the fields the message names (solve names the offending targets).
            for name in self.target_fields:
                key = "q0." if name == "quantiles" else f"{name}="
                if key in self.message:
                    self.target_error[name] = self.message
            return
        self.solution = result = self._held(result)
        if isinstance(result, Underdetermined):
            self.free_name = result.free
            middle = result.solutions[len(result.solutions) // 2]["params"]
            self.free_value = float(middle[result.free])
            self._solve_along_free()
        else:
            self._take(result)

    def _take(self, result) -> None:
        try:
            exact = ExactDistribution(self._spec(_complete(self.family, result.params)))
        except PriorError as exc:
            self.message = str(exc)
            return
        self.params, self._exact = dict(exact.spec.params), exact
        self.param_text = {name: render.fmt(value) for name, value in self.params.items()}
        self.param_error = {}
        self.message = ""

    def _set_free(self, text: str) -> None:
        try:
            value = parse_family_args(self.family, [(self.free_name, text)]).params[self.free_name]
        except PriorError as exc:
            self.message = str(exc)
            return
        self.free_value = value
        self._solve_along_free()

    def _solve_along_free(self) -> None:
        """One member of the underdetermined family: the targets with the free parameter held."""
        from priorcli.solving import Solution, solve

        try:
            targets = parse_family_args(self.family, self._target_pairs()).targets
            result = solve(self.family.name, targets, {self.free_name: self.free_value}, self._record())
        except PriorError as exc:
            self.message = f"{self.free_name}={render.fmt(self.free_value)}: {exc}"
            return
        if isinstance(result, Solution):
            self.current = result = self._held(result)
            self._take(result)
            self.message = f"{self.free_name}* is free (Up to it, Left/Right move): {self.solution.relation}"

    # ---- what to show ------------------------------------------------------------------------

    def summary(self) -> Summary:
        """The exact summary ``priorcli summarize`` prints for the current parameters."""
        return self._exact.summary(self.quantiles)

    def curve(self, mode: float | None = None):
        """(x, density) over the plot range (pmf points for a discrete family), whether the axis
        is logarithmic (the density is then per unit log10(x), as ``sample`` draws it), and the
        mass the range shows (a lower bound)."""
        import numpy as np

        shown = plot_range(self._exact, mode)
        if shown is None:
            return None, False, None
        lo, hi, log_x, mass = shown
        if self.family.discrete:
            grid = np.arange(math.floor(lo), math.ceil(hi) + 1, dtype=np.float64)
        else:
            grid = np.geomspace(lo, hi, 200) if log_x else np.linspace(lo, hi, 200)
        with np.errstate(all="ignore"):
            density = np.exp(self._exact.log_density(grid))
        if log_x:
            density = density * grid * math.log(10)
        keep = np.isfinite(density)
        return (grid[keep].tolist(), density[keep].tolist()), log_x, mass

    def view(self) -> View:
        """Everything the screen needs after a change: the update function the benchmark times."""
        try:
            summary = self.summary()
            curve, log_x, mass = self.curve(summary.mode)
        except PriorError as exc:
            self.message = str(exc)
            summary, curve, log_x, mass = None, None, False, None
        solved, loss = self._solved_rows()
        return View(self.label(), summary, curve, log_x, self.family.discrete, solved, loss, mass)

    def label(self) -> str:
        return self._spec(self.params).label()

    def _solved_rows(self) -> tuple[list[tuple[str, str, str]], float | None]:
        from priorcli.solving import Solution

        result = self.current if self.free_name else self.solution
        if self.mode != TARGETS or not isinstance(result, Solution):
            return [], None
        rows = [(k, render.fmt(v), render.fmt(result.achieved.get(k))) for k, v in result.targets.items()]
        return rows, solution_loss(result)

    def lines(self) -> dict[str, str]:
        return code_lines(self.family.name, self.params, self.truncation)

    def document(self) -> dict:
        """The chosen distribution as the JSON document ``priorcli solve --format json`` prints."""
        from priorcli.emit.lines import solved
        from priorcli.solving import Solution

        result = (self.current if self.free_name else self.solution) if self.mode == TARGETS \
            else None
        if isinstance(result, Solution):
            return render.solution_json(solved(result))
        lines = code_lines(self.family.name, self.params, self.truncation)
        return {
            "family": self.family.name,
            "params": render.params_json(self.params),
            "targets": {},
            "achieved": {},
            "numpyro": lines["numpyro"],
            "stan": lines.get("stan"),
            "pymc": lines.get("pymc"),
            **({} if self.truncation is None else {"truncate": self.truncation.as_json()}),
            "notes": [],
        }

    # ---- the truncation ----------------------------------------------------------------------

    def set_truncate(self, text: str) -> bool:
        """Hold a truncation LO,HI ('' removes it): the distribution shown is truncated, targets are
        solved with it held (as ``solve FAMILY --truncate``). A refused one stays in its field
        marked invalid, the distribution unchanged."""
        self.truncate_text = text
        try:
            truncation = _truncation(self.family, text) if text.strip() else None
            exact = ExactDistribution(DistSpec(self.family, dict(self.params), (), truncation))
            exact.summary(self.quantiles)  # a truncation keeping no mass is refused here
        except PriorError as exc:
            self.truncate_error = self.message = str(exc)
            return False
        self.truncation, self._exact, self.truncate_error, self.message = truncation, exact, None, ""
        if self.mode == TARGETS and self.has_targets():
            self.solve_targets()
        return True

    def _record(self):
        """The record the solver uses: the family's truncated one while a truncation is held."""
        from priorcli.api import truncated_record_of

        return truncated_record_of(self.family, self.truncation)

    def _held(self, result):
        """A solution carrying the truncation it was solved under (its code lines are truncated)."""
        from dataclasses import replace

        from priorcli.solving import Solution

        return replace(result, truncate=self.truncation) if self.truncation is not None and \
            isinstance(result, Solution) else result


# ---------------------------------------------------------------------------------------------
# Functions shared with the roulette and the benchmarks


def step_value(value: float, domain: Domain | str, direction: int, real_step: float) -> float:
    """One step of a value in ``domain`` (a Domain or its name): by one for integers, multiplicative
    above 0, on the logit scale inside (0, 1), additive (``real_step``) otherwise."""
    domain = named(domain)
    if domain.integer:
        return float(max(value + direction, domain.low))
    if domain.lower_bounded and domain.low == 0.0:
        if value <= 0.0:
            return 0.1 if direction > 0 else 0.0
        return value * STEP_FACTOR ** direction
    if domain.bounded and (domain.low, domain.high) == (0.0, 1.0):
        v = min(max(value, 1e-12), 1 - 1e-12)
        logit = math.log(v / (1 - v)) + LOGIT_STEP * direction
        return 1.0 / (1.0 + math.exp(-logit))
    return value + direction * real_step


STEP_DIGITS = 6  # stepped values are rounded to this many significant digits


def round_step(old: float, new: float, domain: Domain | str) -> float:
    """A stepped value rounded to 6 significant digits (0.3, not 0.30000000000000004), or to as few
    more as keep it a step away from ``old`` in the same direction and inside its constraint."""
    if not math.isfinite(new) or new == old:
        return new
    for digits in range(STEP_DIGITS, 18):
        rounded = float(f"{new:.{digits}g}")
        if (rounded - old) * (new - old) > 0 and _inside(rounded, named(domain)):
            return rounded
    return new


def _inside(value: float, domain: Domain) -> bool:
    """Inside the domain, and strictly inside (0, 1) for probabilities (a stepped value never
    lands on a degenerate end)."""
    if domain.bounded and (domain.low, domain.high) == (0.0, 1.0):
        return 0.0 < value < 1.0
    return domain.includes(value) if not domain.integer else True


def plot_range(exact: ExactDistribution, mode: float | None = None) -> tuple[float, float, bool, float] | None:
    """(lo, hi, log axis, mass shown at least) of the plot, by ``sample``'s rule
    (:func:`priorcli.plot.range.choose_range`) on the exact quantile function; a family without a
    vectorised one shows its central 99% (on a log axis when that spans over three decades)."""
    from priorcli.plot import range as plotrange

    quantile = exact.quantile_function()
    discrete = exact.spec.family.discrete
    if quantile is not None:
        r = plotrange.choose_range(quantile, exact.support, discrete=discrete, mode=mode)
        return r.lo, r.hi, r.log, r.mass
    lo, hi = exact.quantile(0.005), exact.quantile(0.995)
    if lo is None or hi is None:
        return None
    if not hi > lo:
        lo, hi = lo - 0.5, hi + 0.5
    bounded = all(math.isfinite(v) for v in exact.support)  # bounded support: linear, as in sample
    log = lo > 0 and hi / lo > 10**plotrange.LOG_DECADES and not discrete and not bounded
    return lo, hi, log, 0.99


def solution_loss(result) -> float:
    """The loss shown beside a solution: the solver's own when it reports one (least squares),
    else the sum of squared relative residuals of the targets (0 for an exact solution)."""
    loss = getattr(result, "loss", None)
    if loss is not None:
        return float(loss)
    total = 0.0
    for name, want in result.targets.items():
        got = result.achieved.get(name)
        if got is None or isinstance(want, (tuple, list)):
            continue
        total += ((got - want) / (abs(want) if want else 1.0)) ** 2
    return total


def code_lines(family: str, params: dict, truncate=None) -> dict[str, str]:
    """The numpyro and Stan lines ``priorcli solve`` prints, and the PyMC line where PyMC has the
    family (truncated lines under a truncation)."""
    from priorcli.emit.lines import (numpyro_line, pymc_line, stan_line, truncated_numpyro_line,
                                     truncated_pymc_line, truncated_stan_line)

    if truncate is not None:
        lines = {"numpyro": truncated_numpyro_line(family, params, truncate)}
        for name, line in (("stan", truncated_stan_line(family, params, truncate)),
                           ("pymc", truncated_pymc_line(family, params, truncate))):
            if line:
                lines[name] = line
        return lines
    lines = {"numpyro": numpyro_line(family, params)}
    stan = stan_line(family, params)[0]
    if stan:
        lines["stan"] = stan
    pymc = pymc_line(family, params)
    if pymc:
        lines["pymc"] = pymc
    return lines


def _truncation(family: FamilyInfo, text: str):
    """``LO,HI`` as a Truncation of a continuous univariate family (UsageError otherwise)."""
    from priorcli.records.truncated import check_truncatable, parse_truncation

    check_truncatable(family.name, family.discrete, family.multivariate, "truncate")
    return parse_truncation(text, "truncate")


def _complete(family: FamilyInfo, params: dict[str, Any]) -> dict[str, Any]:
    """Every parameter: as given, else numpyro's default, else a typical valid value."""
    typical = {p.name: p.domain.typical for p in family.params
               if p.name not in params and p.default is None}
    return complete_params(family, {**params, **typical})
