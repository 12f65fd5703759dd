"""Parameter domains as data: where a parameter's values lie (like scipy's ``_ShapeInfo``).

A :class:`Domain` (a package of its own beside the family files, which are one module each) says what values a parameter takes: its ends, whether each end is included,
whether the values are whole numbers, a typical value, and how a message says it. The records
declare theirs by name (``param("scale", "positive", 1.0)`` takes :data:`POSITIVE`); the registry
builds the domains of every other family from numpyro's constraint objects
(``priorcli.families.registry.domain_of``), so that every layer asks the same object, never a
string, what a parameter may be. jax-free, and importing this imports nothing but ``math``.

The unconstrained coordinate of a domain (:meth:`Domain.unconstrained` and :meth:`Domain.constrained`:
log of the distance to a lower end, logit of the position between two ends, the value itself on the
real line) is numpyro's ``biject_to(constraint)`` written with ``math``: the solver and the record
fitter that use it run on paths that must not import jax (a closed-form solve, ``--fit`` of a family
with a record). Where numpyro is loaded anyway (the fit of a family without a record) the fitter
uses ``biject_to`` itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Domain", "MAX_WHOLE", "NAMED", "named", "REAL", "POSITIVE", "NONNEGATIVE", "UNIT_INTERVAL", "GATE",
           "OPEN_UNIT_INTERVAL", "NONNEGATIVE_INTEGER", "POSITIVE_INTEGER", "SIMPLEX", "REAL_VECTOR", "DEPENDENT"]

INF = math.inf
MAX_WHOLE = 2.0 ** 53  # every whole number up to here is a float64; beyond it they are not all


@dataclass(frozen=True)
class Domain:
    """Where one parameter's values lie. For a vector parameter (``vector`` set) ``low``/``high``
    bound each component; ``contains`` checks the components (and a simplex's sum)."""

    name: str  # numpyro's constraint as `list` and `info` show it: 'positive', 'unit_interval', 'greaterthan'
    low: float = -INF
    high: float = INF
    low_closed: bool = False
    high_closed: bool = False
    integer: bool = False  # whole numbers only (up to 2^53, where float64 counts them exactly)
    typical: float = 0.0  # a valid value: 0 on the line, an end + 1, a midpoint, the least whole number
    text: str = ""  # what a value must be, in messages: 'a positive number'
    vector: str | None = None  # None for scalars; 'simplex' | 'real' | 'ordered' for vector parameters
    dependent: bool = False  # bounds set by the other parameters (Uniform's low < high): checked there

    @property
    def bounded(self) -> bool:
        """Both ends finite."""
        return math.isfinite(self.low) and math.isfinite(self.high)

    @property
    def lower_bounded(self) -> bool:
        """A finite lower end and no upper one (the positive numbers)."""
        return math.isfinite(self.low) and not math.isfinite(self.high)

    @property
    def upper_bounded(self) -> bool:
        return math.isfinite(self.high) and not math.isfinite(self.low)

    @property
    def line(self) -> bool:
        """The whole real line (no finite end; a parameter whose bounds others set included)."""
        return not (math.isfinite(self.low) or math.isfinite(self.high))

    def includes(self, v: float) -> bool:
        """Whether one number lies in the domain (its ends as declared; an infinite end excludes nothing)."""
        above = v > self.low or (v == self.low and (self.low_closed or self.low == -INF))
        below = v < self.high or (v == self.high and (self.high_closed or self.high == INF))
        return above and below and (not self.integer or float(v).is_integer())

    def contains(self, value) -> bool | None:
        """Whether a value (a number, or a tuple for a vector parameter) lies in the domain; None
        when this domain cannot tell (an ordered vector: ask numpyro's constraint)."""
        if self.dependent or self.vector == "real":
            return True
        if self.vector == "ordered":
            return None
        values = value if isinstance(value, tuple) else (value,)
        ok = all(self.includes(v) for v in values)
        if self.vector == "simplex":
            return ok and abs(sum(values) - 1.0) < 1e-6
        return ok

    @property
    def example(self) -> str:
        """A value to type in an example command: a midpoint between two ends, 0 on the line,
        2 away from a single end (``--concentration 2``)."""
        if self.vector == "simplex":
            return "0.2,0.3,0.5"
        if self.vector is not None:
            return "2"  # one component: any real vector (logits, cutpoints) takes it
        if self.bounded or self.line:
            return f"{self.typical:g}"
        return f"{self.low + 2.0:g}" if self.lower_bounded else f"{self.high - 2.0:g}"

    # The unconstrained coordinate: numpyro's biject_to(constraint) with math (see the module docstring)

    def unconstrained(self, v: float) -> float:
        """y with constrained(y) == v: log(v - low), logit((v - low)/(high - low)), log(high - v) or v."""
        if self.bounded:
            t = (v - self.low) / (self.high - self.low)
            return math.log(t) - math.log1p(-t)
        if self.lower_bounded:
            return math.log(v - self.low)
        if self.upper_bounded:
            return math.log(self.high - v)
        return float(v)

    def constrained(self, y: float) -> float:
        if self.bounded:
            return self.low + (self.high - self.low) / (1.0 + math.exp(-y))
        if self.lower_bounded:
            return self.low + math.exp(y)
        if self.upper_bounded:
            return self.high - math.exp(y)
        return y


def _scalar(name, text, low=-INF, high=INF, low_closed=False, high_closed=False, integer=False, typical=0.0):
    return Domain(name, low, high, low_closed, high_closed, integer, typical, text)


_WHOLE = "up to 2^53 = 9007199254740992"
REAL = _scalar("real", "a real number")
POSITIVE = _scalar("positive", "a positive number", low=0.0, typical=1.0)
NONNEGATIVE = _scalar("nonnegative", "a non-negative number", low=0.0, low_closed=True, typical=1.0)
UNIT_INTERVAL = _scalar("unit_interval", "a number in [0, 1]", 0.0, 1.0, True, True, typical=0.5)
# the probabilities of a family degenerate at either end (Geometric's probs, BetaProportion's mean)
OPEN_UNIT_INTERVAL = _scalar("open_unit_interval", "a number strictly between 0 and 1", 0.0, 1.0, typical=0.5)
NONNEGATIVE_INTEGER = _scalar("nonnegative_integer", f"a non-negative integer {_WHOLE}", 0.0, MAX_WHOLE, True, True,
                              integer=True, typical=0.0)
POSITIVE_INTEGER = _scalar("positive_integer", f"a positive integer {_WHOLE}", 1.0, MAX_WHOLE, True, True,
                           integer=True, typical=1.0)
SIMPLEX = Domain("simplex", 0.0, 1.0, True, True, typical=0.5, text="non-negative numbers summing to 1",
                 vector="simplex")
REAL_VECTOR = Domain("real_vector", text="a value satisfying real_vector", vector="real")
# a zero-inflated or hurdle family's gate: numpyro's is unit_interval, but gate = 1 leaves nothing
# but the structural zero (every value 0), so priorcli refuses it
GATE = Domain("[0, 1)", 0.0, 1.0, low_closed=True, high_closed=False, typical=0.5,
              text="a probability in [0, 1) (the structural zero's; gate = 1 would put all the mass at 0)")
DEPENDENT = Domain("dependent", text="a number, within bounds set by the other parameters", dependent=True)

NAMED = {d.name: d for d in (REAL, POSITIVE, NONNEGATIVE, UNIT_INTERVAL, OPEN_UNIT_INTERVAL, NONNEGATIVE_INTEGER,
                             POSITIVE_INTEGER, SIMPLEX, REAL_VECTOR, GATE, DEPENDENT)}


def named(domain: str | Domain) -> Domain:
    """The domain itself, or the one of that name (``"positive"`` -> :data:`POSITIVE`)."""
    return domain if isinstance(domain, Domain) else NAMED[domain]
