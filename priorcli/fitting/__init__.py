"""Maximum-likelihood fits of a family to draws: ``priorcli summarize --input PATH --fit FAMILY``.

``FAMILY`` is any family name priorcli accepts, optionally with parameters held fixed, in the
numpyro call style: ``gamma``, ``Gamma(rate=2)``, ``binomial(total_count=10)``. Integer-valued
parameters (a Binomial's ``total_count``) are never estimated: give them this way.

* Families with a record (``priorcli.records``, no jax; its vectorised ``logpdf`` is the likelihood): closed-form MLEs where they exist (Normal,
  LogNormal, Exponential, HalfNormal, Laplace, Pareto, Uniform, LogUniform, Poisson, Bernoulli,
  Geometric, Binomial with its total_count given, DiscreteUniform), one-dimensional root finding
  where the score equation has one unknown (Gamma, InverseGamma, Chi2), and otherwise numerical
  maximisation of a vectorised numpy log-likelihood.
* Every other numpyro family: the same maximisation, with the log-likelihood from numpyro's
  ``log_prob`` (through ``priorcli.stats.exact.build_distribution``) and its gradient from jax.

Numerical maximisation works in unconstrained coordinates (log for positive parameters, logit for
probabilities, a scaled shift for real ones) from a moment-matching or robust start, with scipy's
BFGS, falling back to Nelder-Mead, and the answer is only returned once the gradient of the mean
log-likelihood is checked to vanish at it (or, for densities with kinks such as the asymmetric
Laplace, once no small step along any coordinate improves it): a failure is a
``ConvergenceError``, never a silent answer. Data outside the family's support are an
``InfeasibleError`` naming the value; so are data for which the likelihood has no maximum inside
the parameter space (all values equal; a negative binomial without over-dispersion; a Student-t
whose df runs off to infinity on light-tailed data), detected before or after the optimisation.

Here: the entry point and the ``FAMILY(param=value)`` spec. What each family with a record knows
(support checks, closed forms, starts) is in its record's fit fields; :mod:`.closed` uses them,
every other numpyro family is in :mod:`.generic`, the optimiser in :mod:`.optimize`, the checks
that need the registry in :mod:`.checks`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from priorcli.errors import ConvergenceError, InputError, UsageError
from priorcli.families.registry import FamilyInfo, check_param, parse_number, resolve, resolve_fast
from priorcli.fitting.closed import fit_record
from priorcli.fitting.generic import _fit_numpyro

__all__ = ["Fit", "fit_family"]


@dataclass(frozen=True)
class Fit:
    family: str  # numpyro class name
    params: dict[str, float]  # maximum-likelihood estimates (and fixed values), native names
    log_likelihood: float
    numpyro: str  # "dist.Gamma(concentration=2.01, rate=0.98)" (the base's, also when truncated)
    truncate: object = None  # the truncation held (records.truncated.Truncation), or None


def fit_family(family_name: str, values: np.ndarray, fixed: dict | None = None, truncate=None) -> Fit:
    """Fit ``family_name`` (e.g. ``"gamma"`` or ``"Gamma(rate=2)"``) to ``values`` by maximum likelihood;
    ``fixed``: native parameters held (already checked by the registry parser); ``truncate`` (a
    records.truncated.Truncation): the family truncated there (:mod:`priorcli.fitting.truncated`)."""
    name, fixed_text = _split_spec(family_name)
    family = resolve_fast(name) or resolve(name)
    if family.multivariate:
        raise UsageError(f"--fit {family_name}: {family.name} is multivariate; fitting needs a univariate family")
    fixed = {**_parse_fixed(family, fixed_text, family_name), **(fixed or {})}
    if fixed and len(fixed) == len(family.params):
        raise UsageError(f"--fit {family_name} with every parameter of {family.name} held: leave at least one free")
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1:
        x = x.ravel()
    if x.size == 0:
        raise InputError("no values to fit")
    if not np.all(np.isfinite(x)):
        raise InputError("values to fit must be finite")
    record = family.closed
    if truncate is not None:
        from priorcli.fitting.truncated import fit_truncated

        if family.discrete or family.multivariate:
            raise UsageError(f"--truncate applies to continuous univariate families; {family.name} is not one")
        params, log_likelihood = fit_truncated(family, x, fixed, truncate)
    elif record is not None and record.fits:
        params = fit_record(family, record, x, fixed)
        read = record.reading(x, **params) if record.reading is not None else x  # VonMises: about loc
        log_likelihood = float(np.sum(record.logpdf(read, **params)))
    else:
        params, log_likelihood = _fit_numpyro(family, x, fixed)
    if not math.isfinite(log_likelihood):
        raise ConvergenceError(f"the {family.name} fit has a non-finite log-likelihood ({log_likelihood})")
    ordered = {p: float(params[p]) for p in family.param_names}
    args = ", ".join(f"{k}={v:.6g}" for k, v in ordered.items())
    return Fit(family=family.name, params=ordered, log_likelihood=log_likelihood,
               numpyro=f"dist.{family.name}({args})", truncate=truncate)


# ---------------------------------------------------------------------------------------------
# The FAMILY[(name=value, ...)] spec


_SPEC = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_\-]*)\s*(?:\((.*)\))?\s*$", re.S)


def _split_spec(text: str) -> tuple[str, str]:
    match = _SPEC.match(text)
    if match is None:
        raise UsageError(
            f"--fit '{text}' is not a family name or NAME(param=value, ...), e.g. 'gamma' or 'Gamma(rate=2)'"
        )
    return match.group(1), (match.group(2) or "").strip()


def _parse_fixed(family: FamilyInfo, text: str, spec: str) -> dict[str, float]:
    fixed: dict[str, float] = {}
    if not text:
        return fixed
    aliases = family.aliases()
    for part in text.split(","):
        if "=" not in part:
            raise UsageError(
                f"--fit '{spec}': '{part.strip()}' must be NAME=VALUE (parameters of {family.name}: "
                f"{', '.join(family.param_names)})"
            )
        key, value_text = (s.strip() for s in part.split("=", 1))
        native = key if key in family.param_names else aliases.get(key)
        if native is None:
            raise UsageError(
                f"--fit '{spec}': unknown parameter '{key}' for {family.name} "
                f"(parameters: {', '.join(family.param_names)})"
            )
        if native in fixed:
            raise UsageError(f"--fit '{spec}': {family.name}'s '{native}' is given twice")
        param = family.param(native)
        if param.event_dim:
            raise UsageError(f"--fit '{spec}': vector parameter '{native}' cannot be fitted")
        value = parse_number(value_text, f"--fit {native}")
        check_param(param, value, f"--fit {native}")
        fixed[native] = value
    if len(fixed) == len(family.params):
        raise UsageError(f"--fit '{spec}' fixes every parameter of {family.name}; leave at least one free")
    return fixed
