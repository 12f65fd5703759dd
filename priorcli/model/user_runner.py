"""The user's numpyro model as a runner for the predictive solve (``solve --numpyro FILE.py:FUNCTION
--free a,b``): the keyword arguments named by ``--free`` are the unknowns; each of the n draws runs
the model under ``numpyro.handlers.seed`` with one of n keys split from a fixed key (common random
numbers) and the draws are vmapped, as ``Predictive`` does. A free argument passed straight to a
distribution's parameter takes that parameter's constraint (found by one trace with distinct
placeholder values). Raises PriorError subclasses (the user's code raising: UserCodeError, exit 1)."""

from __future__ import annotations

import inspect
import math
from typing import Callable

import numpy as np

from priorcli.errors import PriorError, UsageError
from priorcli.model.free import FreeDomain
from priorcli.model.jaxrun import Request, conditional
from priorcli.model.predictive import Site
from priorcli.model.user import UserCodeError, _one_line, _unobserved


def _placeholder(i: int) -> float:
    return 0.4142135623730951 + 0.0173205080756888 * i


def check_free(function: Callable, names: tuple[str, ...], spec: str) -> dict[str, float]:
    """Each --free name must be an argument of the function; returns the numeric defaults it has."""
    try:
        params = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return {}
    varkw = any(p.kind is p.VAR_KEYWORD for p in params.values())
    accepted = [k for k, p in params.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    for name in names:
        if name not in accepted and not varkw:
            raise UsageError(f"--free '{name}': the function of --numpyro '{spec}' takes no argument '{name}'; its "
                             f"arguments: {', '.join(accepted) or 'none'}")
    return {k: float(p.default) for k, p in params.items() if k in names and isinstance(p.default, (int, float))
            and not isinstance(p.default, bool) and math.isfinite(p.default)}


class UserRunner:
    def __init__(self, function: Callable, kwargs: dict, free: tuple[str, ...], spec: str):
        self.model = _unobserved(function)
        self.kwargs = kwargs
        self.free = free
        self.spec = spec
        self.requests: tuple[Request, ...] = ()
        self.sites, self.domains = self._inspect()

    def _call(self, what: Callable):
        try:
            return what()
        except (KeyboardInterrupt, MemoryError, PriorError):
            raise
        except Exception as exc:  # noqa: BLE001 - the user's model raised while running
            raise UserCodeError(f"--numpyro '{self.spec}': the model raised {_one_line(exc)}") from exc

    def _inspect(self) -> tuple[dict[str, Site], dict[str, FreeDomain]]:
        """One trace with distinct placeholders for the free arguments: the sites, and each free
        argument's constraint where it is a distribution's parameter as it is."""
        import numpyro

        from priorcli.families.registry import domain_of

        marks = {name: _placeholder(i) for i, name in enumerate(self.free)}
        trace = self._call(lambda: numpyro.handlers.trace(numpyro.handlers.seed(self.model, rng_seed=0)).get_trace(
            **self.kwargs, **marks))
        sites: dict[str, Site] = {}
        domains = {name: FreeDomain(name) for name in self.free}
        for site_name, site in trace.items():
            if site["type"] == "deterministic":
                sites[site_name] = Site(False, False)
            if site["type"] != "sample":
                continue
            fn = site["fn"]
            sites[site_name] = Site(True, bool(getattr(fn, "is_discrete", False)))
            for pname, constraint in getattr(fn, "arg_constraints", {}).items():
                value = getattr(fn, pname, None)
                for name, mark in marks.items():
                    if value is not None and np.size(value) and np.all(np.asarray(value) == mark):
                        domains[name] = _narrow(domains[name], domain_of(constraint),
                                                f"{type(fn).__name__}'s {pname} at site '{site_name}'")
        if not any(s.sample for s in sites.values()):
            raise UsageError(f"--numpyro '{self.spec}': the function has no sample sites (numpyro.sample); it is not a "
                             "numpyro model")
        return sites, domains

    def run(self, theta: dict, n: int, key, *, cdfs: bool = True):
        import jax
        import jax.numpy as jnp
        import numpyro

        requests = self.requests
        names = [k for k in self.sites]

        def one(k):
            trace = numpyro.handlers.trace(numpyro.handlers.seed(self.model, rng_seed=k)).get_trace(
                **self.kwargs, **theta)
            values = {name: jnp.asarray(trace[name]["value"], dtype=jnp.float64).reshape(-1) for name in names}
            cond = [conditional(trace[r.site]["fn"], r, 1, cdfs=cdfs) for r in requests]
            return values, [None if c is None else c.reshape(-1) for c in cond]  # a list: pytree keys must sort

        values, cond = self._call(lambda: jax.vmap(one)(jax.random.split(key, n)))
        return values, dict(zip(requests, cond))


def _narrow(old: FreeDomain, domain, use: str) -> FreeDomain:
    if domain.integer:
        raise UsageError(f"'{old.name}' is {use}, a whole number: priorcli solves continuous hyperparameters; pass "
                         f"it with --arg {old.name}=VALUE instead of --free")
    if domain.vector is not None or domain.dependent:
        return old
    new = FreeDomain(old.name, max(old.low, domain.low), min(old.high, domain.high), old.uses + (use,))
    if not new.low < new.high:
        raise UsageError(f"'{old.name}' is used in incompatible places: {' and '.join(new.uses)}; no value satisfies "
                         "both")
    return new
