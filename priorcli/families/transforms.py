"""``--transform`` names -> numpyro transforms.

Specs are parsed without jax (a ``TransformSpec`` is plain data); ``build`` turns them into numpyro
``Transform`` objects so that ``TransformedDistribution`` carries the Jacobian in ``log_prob``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from priorcli.errors import UsageError
from priorcli.families.registry import parse_number


@dataclass(frozen=True)
class TransformSpec:
    name: str  # canonical name
    args: tuple[float, ...] = ()

    def __str__(self) -> str:
        return f"{self.name}:{','.join(f'{a:g}' for a in self.args)}" if self.args else self.name

    @property
    def increasing(self) -> bool:
        if self.name == "reciprocal":
            return False
        if self.name == "affine":
            return self.args[1] > 0
        if self.name == "power":
            return self.args[0] > 0
        return True

    @property
    def needs_positive(self) -> bool:
        """Only monotone on (0, inf): x^k and 1/x."""
        return self.name in ("power", "reciprocal")

    @property
    def needs_unit(self) -> bool:
        """Only defined on (0, 1): logit and probit map it to the real line."""
        return self.name in ("logit", "probit")

    def map_interval(self, lo: float, hi: float) -> tuple[float, float]:
        """The image of the support (lo, hi): how supports move through a chain of transforms."""
        a, b = (_forward_scalar(self, lo), _forward_scalar(self, hi))
        return (a, b) if self.increasing else (b, a)


# name -> number of arguments; aliases map onto canonical names.
TRANSFORM_ARITY = {
    "exp": 0,
    "softplus": 0,
    "sigmoid": 0,
    "logit": 0,
    "probit": 0,  # Phi^-1: (0, 1) -> the real line
    "inv_probit": 0,  # Phi, the standard normal CDF: the real line -> (0, 1)
    "reciprocal": 0,
    "affine": 2,
    "lower": 1,
    "bounds": 2,
    "power": 1,
}
TRANSFORM_ALIASES = {"inv_logit": "sigmoid", "invlogit": "sigmoid", "expit": "sigmoid",
                     "phi": "inv_probit", "invprobit": "inv_probit"}
TRANSFORM_USAGE = {"affine": "affine:LOC,SCALE", "lower": "lower:L", "bounds": "bounds:L,U", "power": "power:K"}
TRANSFORM_HELP = ("exp, softplus, sigmoid (inv_logit), logit, probit (Phi^-1), inv_probit (Phi), reciprocal, "
                  "affine:LOC,SCALE, lower:L, bounds:L,U, power:K")
#: what to write instead of a transform given a base off (0, 1)
_UNIT_INSTEAD = {"logit": "sigmoid (inv_logit), which maps the real line to (0, 1)",
                 "probit": "inv_probit (alias Phi, the normal CDF), which maps the real line to (0, 1)"}


def parse_transform(text: str) -> TransformSpec:
    name, _, arg_text = text.strip().partition(":")
    name = name.strip().lower().replace("-", "_")
    name = TRANSFORM_ALIASES.get(name, name)
    if name not in TRANSFORM_ARITY:
        raise UsageError(f"unknown --transform '{text}'; valid: {TRANSFORM_HELP}")
    arity = TRANSFORM_ARITY[name]
    parts = [p for p in arg_text.split(",")] if arg_text else []
    if len(parts) != arity:
        want = TRANSFORM_USAGE.get(name, name)
        raise UsageError(f"--transform '{text}' takes {arity} argument(s): write it as {want}")
    args = tuple(parse_number(p, f"--transform {name}") for p in parts)
    return make_transform(name, args, text)


def make_transform(name: str, args: tuple[float, ...], text: str | None = None) -> TransformSpec:
    """A validated TransformSpec from a canonical name and its numeric arguments."""
    spec = TransformSpec(TRANSFORM_ALIASES.get(name, name), args)
    text = text or str(spec)
    if spec.name not in TRANSFORM_ARITY or len(args) != TRANSFORM_ARITY[spec.name]:
        raise UsageError(f"unknown transform or wrong number of arguments: '{text}'; valid: {TRANSFORM_HELP}")
    if any(not math.isfinite(a) for a in args):
        raise UsageError(f"transform '{text}' needs finite arguments")
    _check_args(spec, text)
    return spec


def _check_args(spec: TransformSpec, text: str) -> None:
    if spec.name == "affine" and spec.args[1] == 0:
        raise UsageError(f"--transform '{text}': the scale of affine must not be 0")
    if spec.name == "bounds" and not spec.args[0] < spec.args[1]:
        raise UsageError(f"--transform '{text}': bounds:L,U needs L < U")
    if spec.name == "power" and spec.args[0] == 0:
        raise UsageError(f"--transform '{text}': power:K needs K != 0")


def check_chain(specs: list[TransformSpec], support: tuple[float, float]) -> tuple[float, float]:
    """Refuse a transform applied where it is not monotone; return the final support."""
    lo, hi = support
    for spec in specs:
        if spec.needs_positive and lo < 0:
            raise UsageError(
                f"--transform {spec} needs positive values, but its input ranges over ({lo:g}, {hi:g});"
                " put exp or softplus before it"
            )
        if spec.needs_unit and not (lo >= 0 and hi <= 1):
            raise UsageError(
                f"--transform {spec} maps (0, 1) to the real line, but its input ranges over ({lo:g}, {hi:g});"
                f" did you mean {_UNIT_INSTEAD[spec.name]}?"
            )
        lo, hi = spec.map_interval(lo, hi)
    return lo, hi


def _forward_scalar(spec: TransformSpec, x: float) -> float:
    """The transform on one float, with the limits at +-inf (for mapping support endpoints)."""
    name, args = spec.name, spec.args
    if name == "exp":
        return math.exp(x) if x < 709 else math.inf
    if name == "softplus":
        return x if x > 30 else math.log1p(math.exp(x))
    if name in ("logit", "probit"):
        if x <= 0 or x >= 1:
            return -math.inf if x <= 0 else math.inf
        if name == "logit":
            return math.log(x) - math.log1p(-x)
        from scipy.special import ndtri

        return float(ndtri(x))
    if name in ("sigmoid", "inv_probit", "bounds"):
        if name == "inv_probit":
            unit = 0.5 * math.erfc(-x / math.sqrt(2))
        else:
            unit = 1.0 if x == math.inf else (0.0 if x == -math.inf else 1 / (1 + math.exp(-x)) if x > -700 else 0.0)
        return unit if name != "bounds" else args[0] + (args[1] - args[0]) * unit
    if name == "reciprocal":
        return math.inf if x == 0 else 1 / x
    if name == "affine":
        return args[0] + args[1] * x
    if name == "lower":
        return args[0] + (math.exp(x) if x < 709 else math.inf)
    if name == "power":
        if x == 0:
            return 0.0 if args[0] > 0 else math.inf
        return x ** args[0] if x != math.inf else (math.inf if args[0] > 0 else 0.0)
    raise AssertionError(name)


def _inv_probit_transform_class():
    import jax.numpy as jnp
    from jax.scipy.special import ndtr, ndtri
    from numpyro.distributions import constraints
    from numpyro.distributions.transforms import ParameterFreeTransform

    class InvProbitTransform(ParameterFreeTransform):
        """y = Phi(x), the standard normal CDF: real line -> (0, 1)."""

        domain = constraints.real
        codomain = constraints.unit_interval
        sign = 1

        def __call__(self, x):
            return ndtr(x)

        def _inverse(self, y):
            return ndtri(y)

        def log_abs_det_jacobian(self, x, y, intermediates=None):
            # d Phi / dx = phi(x), the standard normal density.
            return -0.5 * jnp.square(x) - 0.5 * jnp.log(2 * jnp.pi)

    return InvProbitTransform


def recipe(name: str, args: tuple, subtract) -> list[tuple[str, tuple]]:
    """The numpyro transforms implementing ``name``, in order, as (class name, constructor args).

    A class name ending in ``.inv`` is that transform's inverse (numpyro's ``Transform.inv``):
    logit is ``SigmoidTransform().inv``, probit ``InvProbitTransform().inv``. Shared by ``build``
    (args are floats) and the model language's ``--emit numpyro`` (args are expressions):
    ``subtract(x, y)`` is x - y in the caller's domain."""
    steps = {
        "exp": [("ExpTransform", ())],
        "softplus": [("SoftplusTransform", ())],
        "sigmoid": [("SigmoidTransform", ())],
        "logit": [("SigmoidTransform.inv", ())],
        "inv_probit": [("InvProbitTransform", ())],  # priorcli's own: see _inv_probit_transform_class
        "probit": [("InvProbitTransform.inv", ())],
        "reciprocal": [("PowerTransform", (-1.0,))],
    }
    if name in steps:
        return steps[name]
    if name == "affine":
        return [("AffineTransform", (args[0], args[1]))]
    if name == "lower":
        return [("ExpTransform", ()), ("AffineTransform", (args[0], 1.0))]
    if name == "bounds":
        return [("SigmoidTransform", ()), ("AffineTransform", (args[0], subtract(args[1], args[0])))]
    if name == "power":
        return [("PowerTransform", (args[0],))]
    raise AssertionError(name)


def build(spec: TransformSpec) -> list:
    """numpyro transforms implementing ``spec``, applied in order."""
    import operator

    from numpyro.distributions import transforms as T

    out = []
    for cls, cargs in recipe(spec.name, spec.args, operator.sub):
        base, inverse = cls.removesuffix(".inv"), cls.endswith(".inv")
        transform = _inv_probit_transform_class()() if base == "InvProbitTransform" else getattr(T, base)(*cargs)
        out.append(transform.inv if inverse else transform)
    return out


def build_chain(specs: list[TransformSpec]) -> list:
    return [t for spec in specs for t in build(spec)]
