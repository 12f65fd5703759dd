"""The user's own numpyro model (``sample --numpyro FILE.py:FUNCTION``): import the file (this runs
the user's code, as ``python FILE.py`` would, with the file's directory first on ``sys.path``),
then draw its prior predictive with ``numpyro.infer.Predictive`` and no observations: an observed
site (``obs=y`` with ``y`` given) is drawn from its distribution as well. Every sample and
deterministic site is returned, a site of shape (n,) as a number per draw and any other shape as a
vector of its flattened (C-order) elements, (n, K). Raises PriorError subclasses, never prints."""

from __future__ import annotations

import inspect
import os
import sys
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from priorcli.errors import PriorError, UsageError


class UserCodeError(PriorError):
    """The user's file or function raised (exit 1); the message is its error in one line."""

    exit_code = 1


@dataclass(frozen=True)
class SiteKind:
    sample: bool  # a sample site (else deterministic)
    discrete: bool
    bounded: bool  # its support is an interval or the simplex: the plot keeps a linear axis


def split_spec(spec: str) -> tuple[str, str]:
    """``FILE.py:FUNCTION`` -> (path, function); ``FILE.py`` alone names the function ``model``."""
    path, sep, function = spec.rpartition(":")
    if not sep or not function.isidentifier() or not path:
        if spec.endswith(".py"):
            return spec, "model"
        raise UsageError(f"--numpyro '{spec}': expected FILE.py:FUNCTION, e.g. --numpyro model.py:model")
    return path, function


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def load_function(spec: str) -> Callable:
    """Import FILE and return its FUNCTION (a missing file or function: exit 2; a file that raises: exit 1)."""
    import importlib.util

    path, name = split_spec(spec)
    if not os.path.isfile(path):
        raise UsageError(f"--numpyro '{spec}': no such file '{path}'")
    module_spec = importlib.util.spec_from_file_location(f"priorcli_user_{abs(hash(os.path.abspath(path)))}", path)
    if module_spec is None or module_spec.loader is None:
        raise UsageError(f"--numpyro '{spec}': '{path}' is not a Python file")
    module = importlib.util.module_from_spec(module_spec)
    folder = os.path.dirname(os.path.abspath(path))
    sys.path.insert(0, folder)
    try:
        module_spec.loader.exec_module(module)
    except (KeyboardInterrupt, MemoryError):
        raise
    except BaseException as exc:  # noqa: BLE001 - the user's code: SyntaxError, SystemExit, anything
        raise UserCodeError(f"--numpyro '{spec}': importing '{path}' raised {_one_line(exc)}") from exc
    finally:
        if sys.path and sys.path[0] == folder:
            sys.path.pop(0)
    function = getattr(module, name, None)
    if function is None:
        defined = sorted(k for k, v in vars(module).items() if inspect.isfunction(v) and not k.startswith("_"))
        raise UsageError(f"--numpyro '{spec}': '{path}' defines no '{name}' (its functions: "
                         f"{', '.join(defined) or 'none'})")
    if not callable(function):
        raise UsageError(f"--numpyro '{spec}': '{name}' is a {type(function).__name__}, not a function")
    return function


def check_arguments(function: Callable, kwargs: dict, spec: str) -> None:
    """Every --data/--arg name must be a parameter of the function (unless it takes **kwargs)."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return
    if any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()):
        return
    accepted = [k for k, p in signature.parameters.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    unknown = [k for k in kwargs if k not in accepted]
    if unknown:
        raise UsageError(f"--numpyro '{spec}': the function takes no argument '{unknown[0]}' (given by --data or "
                         f"--arg); its arguments: {', '.join(accepted) or 'none'}")


def _unobserved(function: Callable) -> Callable:
    """The model with every observed site drawn instead (its obs= value dropped)."""
    from numpyro.primitives import Messenger

    class Unobserve(Messenger):
        def process_message(self, msg):
            if msg["type"] == "sample" and msg.get("is_observed"):
                msg["is_observed"], msg["value"] = False, None

    return Unobserve(function)


def _kinds(model: Callable, kwargs: dict, seed: int) -> dict[str, SiteKind]:
    """Each site's kind, from one trace of the model (discrete or on a bounded interval, for plots)."""
    import numpyro
    from numpyro.distributions import constraints

    trace = numpyro.handlers.trace(numpyro.handlers.seed(model, rng_seed=seed)).get_trace(**kwargs)
    out = {}
    for name, site in trace.items():
        if site["type"] == "sample":
            fn = site["fn"]
            support = getattr(fn, "support", None)
            base = getattr(support, "base_constraint", support)
            bounded = base is constraints.simplex or (getattr(base, "lower_bound", None) is not None
                                                      and getattr(base, "upper_bound", None) is not None)
            out[name] = SiteKind(True, bool(getattr(fn, "is_discrete", False)), bounded)
        elif site["type"] == "deterministic":
            out[name] = SiteKind(False, False, False)
    return out


def prior_predictive(function: Callable, kwargs: dict[str, Any], n: int, seed: int,
                     spec: str) -> tuple[dict[str, np.ndarray], dict[str, SiteKind]]:
    """``Predictive(model, num_samples=n)(PRNGKey(seed), **kwargs)``, every site reduced to (n,) or
    (n, K), in the order the model defines them. The caller sets jax up first (float64)."""
    import jax
    import numpyro

    model = _unobserved(function)
    try:
        kinds = _kinds(model, kwargs, seed)
        if not any(k.sample for k in kinds.values()):
            raise UsageError(f"--numpyro '{spec}': the function has no sample sites "
                             "(numpyro.sample); it is not a numpyro model")
        draws = numpyro.infer.Predictive(model, num_samples=n)(jax.random.PRNGKey(seed), **kwargs)
    except (KeyboardInterrupt, MemoryError, PriorError):
        raise
    except Exception as exc:  # noqa: BLE001 - the user's model raised while running
        raise UserCodeError(f"--numpyro '{spec}': the model raised {_one_line(exc)}") from exc
    out = {}
    for name in kinds:
        if name in draws:
            values = np.asarray(draws[name], dtype=np.float64)
            out[name] = values.reshape(n) if values.ndim == 1 else values.reshape(n, -1)
    return out, kinds
