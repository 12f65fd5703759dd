"""The model language run in jax with common random numbers (``solve --model``): each ``~`` draws
``numpyro`` samples from one fixed key per statement, so the draws are smooth (reparameterised)
functions of the free hyperparameters and jax can differentiate the targets. Also the conditional
quantities of a sample site given its parents (its cdf at a value, mean, variance), which make a
target on a discrete variable smooth (Rao-Blackwellised). jax is imported inside the functions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from priorcli.errors import InfeasibleError, UsageError
from priorcli.model.jaxdists import build, draw, plan, to_draws
from priorcli.model.tree import REDUCTIONS, Binary, Call, Model, Name, Num, Unary, Vector

#: most terms of a discrete cdf summed from its probabilities
MAX_PMF_TERMS = 100_000


@dataclass(frozen=True)
class Request:
    """A conditional quantity of a sample site given its parents: ``cdf`` at ``at``, ``mean``, ``var``."""

    site: str
    kind: str
    at: float = 0.0


def _math(name: str) -> Callable:
    import jax
    import jax.numpy as jnp
    import jax.scipy.special as sp

    return {"log": jnp.log, "exp": jnp.exp, "sqrt": jnp.sqrt, "log1p": jnp.log1p, "expm1": jnp.expm1,
            "softplus": jax.nn.softplus, "sigmoid": jax.nn.sigmoid, "logit": sp.logit, "probit": sp.ndtri,
            "inv_probit": sp.ndtr, "abs": jnp.abs, "minimum": jnp.minimum, "maximum": jnp.maximum}[name]


def _binary(op: str, a, b):
    import jax.numpy as jnp

    arithmetic = {"+": jnp.add, "-": jnp.subtract, "*": jnp.multiply, "/": jnp.divide, "**": jnp.power}
    if op in arithmetic:
        return arithmetic[op](a, b)
    compare = {"<": jnp.less, "<=": jnp.less_equal, ">": jnp.greater, ">=": jnp.greater_equal, "==": jnp.equal,
               "!=": jnp.not_equal}[op]
    return jnp.where(compare(a, b), 1.0, 0.0)


def _reduce(name: str, value, args):
    import jax.numpy as jnp

    keep = value.ndim == 2
    if name == "quantile":
        return jnp.quantile(value, float(args[1].value), axis=-1, keepdims=keep)
    if name == "sd":
        return jnp.std(value, ddof=1, axis=-1, keepdims=keep)
    func = {"mean": jnp.mean, "min": jnp.min, "max": jnp.max, "sum": jnp.sum, "count": jnp.sum}[name]
    return func(value, axis=-1, keepdims=keep)


def jeval(expr, env: dict):
    """An expression in the lifted form of :func:`priorcli.model.evaluate._eval`, in jax: a number
    0-d, a per-draw number (n, 1), a vector (1, K) or (K,) when constant, (n, K) per draw."""
    import jax.numpy as jnp

    if isinstance(expr, Num):
        return jnp.float64(expr.value)
    if isinstance(expr, Name):
        value = env[expr.id]
        return value[:, None] if value.ndim == 1 else value
    if isinstance(expr, Unary):
        v = jeval(expr.operand, env)
        return -v if expr.op == "-" else v
    if isinstance(expr, Binary):
        return _binary(expr.op, jeval(expr.left, env), jeval(expr.right, env))
    if isinstance(expr, Call):
        if expr.func in REDUCTIONS:
            return _reduce(expr.func, jnp.asarray(jeval(expr.args[0], env), dtype=jnp.float64), expr.args)
        return _math(expr.func)(*(jeval(a, env) for a in expr.args))
    if isinstance(expr, Vector):
        items = [jnp.asarray(jeval(a, env), dtype=jnp.float64) for a in expr.items]
        if all(item.ndim == 0 for item in items):
            return jnp.stack(items)
        n = max(item.shape[0] for item in items if item.ndim == 2)
        return jnp.concatenate([jnp.broadcast_to(item.reshape(-1, 1), (n, 1)) for item in items], axis=1)
    raise TypeError(f"not a numeric expression: {expr!r}")


class ModelRunner:
    """``run(theta, n, key) -> (values, conditionals)`` for a parsed model whose free names are in
    its data as placeholders; built once (families resolved, constant targets solved) outside any trace."""

    def __init__(self, model: Model, free: tuple[str, ...], requests: tuple[Request, ...]):
        from priorcli.families.registry import numpyro_dist

        numpyro_dist()  # float64 before any jax array
        self.model = model
        self.free = free
        self.requests = requests
        self.data = {d.name: np.asarray(d.values, dtype=np.float64).reshape(1, -1) if d.vector
                     else np.float64(d.values[0]) for d in model.data if d.name not in free}
        self.plans = {s.name: plan(s.expr, self.data, s.line) for s in model.statements if s.is_random}
        self._weights_programs: dict = {}

    def run(self, theta: dict, n: int, key, *, cdfs: bool = True):
        values, dists = self._simulate(theta, n, key)
        return values, {r: conditional(dists[r.site], r, n, cdfs=cdfs) if r.site in dists else None
                        for r in self.requests}

    def _simulate(self, theta: dict, n: int, key):
        import jax
        import jax.numpy as jnp

        env = {k: jnp.asarray(v) for k, v in self.data.items()}
        env.update({k: jnp.asarray(v, dtype=jnp.float64) for k, v in theta.items()})
        dists = {}
        for index, s in enumerate(self.model.statements):
            if not s.is_random:
                env[s.name] = to_draws(jeval(s.expr, env), n, s.size)
                continue
            d = build(self.plans[s.name], env, n, s.size, jeval)
            dists[s.name] = d
            env[s.name] = draw(self.plans[s.name], d, jax.random.fold_in(key, index))
        return {s.name: env[s.name].reshape(n, -1) for s in self.model.statements}, dists

    def check_weights(self, theta: dict, *, sums_only: bool = False, n: int = 64, seed: int = 0) -> None:
        """UsageError unless every Mixture's weights at the free values ``theta`` (numbers) are
        non-negative and sum to 1 in each of ``n`` draws (``sums_only``: only that they sum to 1;
        the command checks so at starts, where a weight may still be negative, and fully at the
        solution: there an invalid weight is InfeasibleError, exit 1)."""
        from priorcli.stats.mixture import WEIGHT_TOLERANCE, check_weights

        if not any(p.components for p in self.plans.values()):
            return
        found = self._weights_program(n, seed)({k: np.float64(v) for k, v in theta.items()})
        at = ", ".join(f"{k}={float(v):g}" for k, v in theta.items())
        for s in self.model.statements:
            if s.name in found:
                w = np.asarray(found[s.name], dtype=np.float64)
                total = w.sum(axis=-1)
                off = np.abs(total - 1.0) > WEIGHT_TOLERANCE
                if sums_only and np.any(off):
                    raise UsageError(f"line {s.line}: Mixture weights must sum to 1 whatever the free values (e.g. "
                                     f"[w, 1 - w]); at {at} they sum to {float(total[off].flat[0]):.12g}")
                if not sums_only:
                    try:
                        check_weights(w)
                    except UsageError as exc:
                        raise InfeasibleError(f"line {s.line}: the solution {at} gives invalid weights: {exc}; the "
                                              "targets cannot be met with valid weights") from None

    def _weights_program(self, n: int, seed: int):
        """The jitted weights of every Mixture at free values given as arguments, one per (n, seed):
        the checks at the starts and at the solution share its compilation."""
        import jax

        programs = self._weights_programs
        if (n, seed) not in programs:
            def weights(values):  # traced: numpyro's own argument checks would refuse bad weights first
                dists = self._simulate(values, n, jax.random.PRNGKey(seed))[1]
                return {k: getattr(d, "base_dist", d).mixing_distribution.probs for k, d in dists.items()
                        if self.plans[k].components}

            programs[(n, seed)] = jax.jit(weights)
        return programs[(n, seed)]


def conditional(d, request: Request, n: int, *, cdfs: bool = True):
    """The site's conditional quantity per draw and element, (n, K), or None when numpyro has none
    (a vector family, a continuous cdf numpyro lacks, or ``cdfs`` False: a continuous cdf jax cannot
    differentiate in the parameters): the caller then uses the draws themselves."""
    import jax.numpy as jnp

    if d.event_shape or (not cdfs and request.kind == "cdf" and not d.is_discrete):
        return None
    try:
        if request.kind == "mean":
            out = d.mean
        elif request.kind == "var":
            out = d.variance
        elif d.is_discrete:
            out = _discrete_cdf(d, request.at)
        else:
            out = d.cdf(jnp.full(d.batch_shape, request.at, dtype=jnp.float64))
    except NotImplementedError:
        return None
    return jnp.broadcast_to(jnp.asarray(out, dtype=jnp.float64), d.batch_shape).reshape(n, -1)


def _discrete_cdf(d, at: float):
    """P(X <= at) as the sum of the probabilities from the support's lower end (smooth in the parameters)."""
    import jax.numpy as jnp

    low = getattr(d.support, "lower_bound", 0)
    low = float(np.min(np.asarray(low))) if low is not None else 0.0
    top = np.floor(at)
    if top < low:
        return jnp.zeros(d.batch_shape)
    terms = int(top - low) + 1
    if terms > MAX_PMF_TERMS:
        raise UsageError(f"a target at {at:g} on a discrete variable sums {terms} probabilities; at most "
                         f"{MAX_PMF_TERMS}")
    ks = jnp.arange(low, top + 1.0, dtype=jnp.float64).reshape((-1,) + (1,) * len(d.batch_shape))
    return jnp.sum(jnp.exp(d.log_prob(ks)), axis=0)
