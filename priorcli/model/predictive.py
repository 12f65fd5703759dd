"""Predictive elicitation (``solve --model`` and ``solve --numpyro``): free hyperparameters from
targets on any variable of a model.

A runner gives the draws of every variable as a function of the free values with common random
numbers (one fixed key), so each target is a smooth function of them: the cdf at a quantile's value
is the mean of the variable's conditional cdf given its parents where numpyro has one (a sample
site; a discrete one sums its probabilities), else a logistic-kernel smoothed empirical cdf
(bandwidth IQR / sqrt(N)); a discrete site's mean and sd come from its conditional mean and
variance. scipy's ``least_squares`` solves the residuals (probability scale for quantiles, medians
and masses; relative for means and sds) in unconstrained coordinates with the Jacobian by forward
mode, one jitted program for both. Every target is then checked with plain estimators on fresh draws (10x the fitting
draws, another key). Raises PriorError subclasses; never prints."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from priorcli.errors import ConvergenceError, UsageError
from priorcli.model.jaxrun import Request

#: the fresh draws are this many times the fitting draws
CHECK_FACTOR = 10
#: a target is missed beyond this many (combined) Monte Carlo standard errors
MISS_SE = 3.0
#: the most values of one targeted variable the fresh check holds (draws x elements)
MAX_CHECK_VALUES = 1 << 24


@dataclass(frozen=True)
class PTarget:
    """One target on a variable: ``quantile`` (prob=P at value=V), ``median`` (value), ``mean``,
    ``sd`` (value), ``mass`` (prob in [lower, upper])."""

    variable: str
    kind: str
    value: float | None = None
    prob: float | None = None
    lower: float | None = None
    upper: float | None = None

    @property
    def key(self) -> str:
        return f"q{self.prob!r}" if self.kind == "quantile" else self.kind

    @property
    def on_cdf(self) -> bool:
        return self.kind in ("quantile", "median", "mass")

    @property
    def level(self) -> float:
        """The probability the cdf-type residual compares with."""
        return 0.5 if self.kind == "median" else float(self.prob)

    def requested(self) -> dict:
        if self.kind == "mass":
            return {"lower": self.lower, "upper": self.upper, "mass": self.prob}
        return {self.key: self.value}


@dataclass(frozen=True)
class Site:
    """What the solver knows of a variable: a sample site or not, discrete or not."""

    sample: bool
    discrete: bool


@dataclass
class Achieved:
    target: PTarget
    value: float  # the achieved quantile / median / mass / mean / sd on the fresh draws
    mc_se: float
    probability: float | None = None  # a quantile's or median's cdf at its value
    probability_se: float | None = None
    met: bool = True

    @property
    def miss(self) -> float:
        """The miss in combined standard errors (fitting draws' noise and the fresh draws')."""
        if self.target.on_cdf and self.target.kind != "mass":
            gap, se = self.probability - self.target.level, self.probability_se
        else:
            gap, se = self.value - (self.target.prob if self.target.kind == "mass" else self.target.value), self.mc_se
        combined = se * math.sqrt(1.0 + CHECK_FACTOR)
        return abs(gap) / combined if combined > 0 else (0.0 if gap == 0 else math.inf)


@dataclass
class PredictiveResult:
    free: dict[str, float]
    fixed: dict[str, float]
    targets: tuple[PTarget, ...]
    achieved: list[Achieved]
    draws: int
    seed: int
    loss: float
    domains: dict = field(default_factory=dict)

    @property
    def met(self) -> bool:
        return all(a.met for a in self.achieved)

    @property
    def check_draws(self) -> int:
        return self.draws * CHECK_FACTOR


# run(theta: dict[str, jax scalar], n, key, *, cdfs=True) -> (values {name: (n, K)}, {Request: (n, K) | None});
# cdfs=False leaves out continuous conditional cdfs (None: the targets read the draws instead)
Runner = Callable


def requests_for(targets: tuple[PTarget, ...], sites: dict[str, Site]) -> tuple[Request, ...]:
    """The conditional quantities the targets use: a sample site's cdf at each value (discrete:
    also one below, for the mid-step quantile), a discrete site's mean and variance."""
    out: list[Request] = []
    for t in targets:
        site = sites[t.variable]
        if not site.sample:
            continue
        if t.kind in ("quantile", "median"):
            out += [Request(t.variable, "cdf", t.value)] + ([Request(t.variable, "cdf", t.value - 1)]
                                                            if site.discrete else [])
        elif t.kind == "mass":
            low = math.ceil(t.lower) - 1 if site.discrete else t.lower
            out += [Request(t.variable, "cdf", float(math.floor(t.upper)) if site.discrete else t.upper),
                    Request(t.variable, "cdf", float(low))]
        elif site.discrete:
            out += [Request(t.variable, "mean"), Request(t.variable, "var")]
    return tuple(dict.fromkeys(out))


def _kernel_cdf(values, at: float):
    import jax
    import jax.numpy as jnp

    flat = values.reshape(-1)
    q75, q25 = jnp.quantile(flat, 0.75), jnp.quantile(flat, 0.25)
    h = jnp.maximum(q75 - q25, 1e-12 * (1.0 + jnp.abs(at))) / math.sqrt(flat.size)
    return jnp.mean(jax.nn.sigmoid((at - flat) / h))


def _smooth_cdf(target: PTarget, at: float, values, cond):
    c = cond.get(Request(target.variable, "cdf", at))
    return _kernel_cdf(values, at) if c is None else c.mean()


def smooth_statistic(t: PTarget, site: Site, values, cond):
    """The target's statistic on the fitting draws, smooth in the free values."""
    import jax.numpy as jnp

    v = values[t.variable]
    if t.kind in ("quantile", "median"):
        if site.discrete:
            return 0.5 * (_smooth_cdf(t, t.value, v, cond) + _smooth_cdf(t, t.value - 1, v, cond))
        return _smooth_cdf(t, t.value, v, cond)
    if t.kind == "mass":
        if site.discrete:
            return _smooth_cdf(t, float(math.floor(t.upper)), v, cond) - \
                _smooth_cdf(t, float(math.ceil(t.lower) - 1), v, cond)
        return _smooth_cdf(t, t.upper, v, cond) - _smooth_cdf(t, t.lower, v, cond)
    mean, var = cond.get(Request(t.variable, "mean")), cond.get(Request(t.variable, "var"))
    if site.discrete and mean is not None and var is not None:
        return jnp.mean(mean) if t.kind == "mean" else jnp.sqrt(jnp.mean(var) + jnp.var(mean))
    return jnp.mean(v) if t.kind == "mean" else jnp.std(v, ddof=1)


def _scales(targets: tuple[PTarget, ...]) -> list[float]:
    """Residual divisors: 1 for probabilities; |value| for a mean or sd (a mean of 0: the sd target
    of the same variable, else 1)."""
    out = []
    for t in targets:
        if t.on_cdf:
            out.append(1.0)
        elif t.value != 0:
            out.append(abs(t.value))
        else:
            sds = [u.value for u in targets if u.variable == t.variable and u.kind == "sd"]
            out.append(abs(sds[0]) if sds else 1.0)
    return out


def _residual_function(runner: Runner, free: dict, targets, sites, n: int, key, cdfs: bool = True):
    import jax.numpy as jnp

    names = tuple(free)
    scales = jnp.asarray(_scales(targets))
    goals = jnp.asarray([t.level if t.kind in ("quantile", "median") else (t.prob if t.kind == "mass" else t.value)
                         for t in targets])

    def residuals(y):
        theta = {name: free[name].to_jax(y[i]) for i, name in enumerate(names)}
        values, cond = runner(theta, n, key, cdfs=cdfs)
        stats = jnp.stack([smooth_statistic(t, sites[t.variable], values, cond) for t in targets])
        r = (stats - goals) / scales
        return jnp.where(jnp.isfinite(r), r, 10.0)

    return residuals


def solve(runner: Runner, free: dict, targets: tuple[PTarget, ...], sites: dict[str, Site], *, n: int, seed: int,
          fixed: dict[str, float] | None = None, starts: dict[str, float] | None = None) -> PredictiveResult:
    """Solve the free values (``free``: name -> FreeDomain) for the targets; check on fresh draws."""
    import jax
    from scipy.optimize import least_squares

    key = jax.random.PRNGKey(seed)
    names = tuple(free)
    y0 = np.array([free[k].unconstrained(starts[k]) if starts and k in starts else free[k].unconstrained(free[k].typical)
                   for k in names])
    program = _compiled(runner, free, targets, sites, n, key, y0)
    best, failure = None, None
    for shift in (0.0, -1.5, 1.5, -3.0, 3.0):
        start = y0 + shift
        try:
            fit = least_squares(program.fun, start, jac=program.jac, method="lm", xtol=1e-12, ftol=1e-12,
                                gtol=1e-12, max_nfev=400)
        except ValueError as exc:  # least_squares refuses a start (residuals not finite there): try the next
            failure = exc
            continue
        if np.all(np.isfinite(fit.x)) and (best is None or fit.cost < best.cost):
            best = fit
        if best is not None and 2 * best.cost < 1e-14 * len(targets):
            break
    if best is None:
        raise ConvergenceError("the predictive solve did not converge from any start (the targets are not finite "
                               f"near the starts; check the model){f': {failure}' if failure else ''}")
    values = {name: float(free[name].to_jax(best.x[i])) for i, name in enumerate(names)}
    if not all(math.isfinite(v) for v in values.values()):
        raise ConvergenceError(f"the predictive solve ran off to {values}: the targets cannot be met")
    achieved = check(runner, values, targets, sites, n=n, seed=seed)
    return PredictiveResult(values, dict(fixed or {}), targets, achieved, n, seed, float(2 * best.cost), dict(free))


def _compiled(runner: Runner, free: dict, targets, sites, n: int, key, y0):
    """The residuals and their Jacobian as one jitted program (forward mode: the residuals are its
    primal, so one compilation serves both, and the Jacobian at a point the optimiser just evaluated
    is not recomputed). jax has no derivative of some cdfs in their parameters (Betainc in a and b:
    Beta, StudentT): then the targets on those variables read their draws' smoothed cdf, whose
    draws are differentiable, instead of the conditional cdf."""
    import jax

    for cdfs in (True, False):
        # the residuals traced on their own first (as jax.jacfwd of a jitted function does): a missing
        # derivative is then jax's error on the traced program, not one raised inside a user's model
        both = jax.jit(_with_jacobian(jax.jit(_residual_function(runner, free, targets, sites, n, key, cdfs))))
        try:
            both = both.lower(y0).compile()  # traced here: a missing derivative is raised now, not in the optimiser
        except (ValueError, NotImplementedError) as exc:
            if not cdfs:
                raise ConvergenceError(f"the predictive solve cannot differentiate the model: {exc}") from None
            continue
        return _Memo(both)
    raise AssertionError("unreachable")


def _with_jacobian(residuals):
    """y -> (residuals(y), their Jacobian), columns by forward mode as ``jax.jacfwd`` builds them."""
    import jax
    import jax.numpy as jnp

    def both(y):
        basis = jnp.eye(y.size, dtype=y.dtype)
        r, columns = jax.vmap(lambda v: jax.jvp(residuals, (y,), (v,)), out_axes=(None, -1))(basis)
        return r, columns

    return both


class _Memo:
    """``fun(y)`` and ``jac(y)`` for the optimiser from the one program, the last point's answer kept."""

    def __init__(self, program):
        self.program = program
        self.at: bytes | None = None
        self.answer = None

    def _at(self, y) -> tuple:
        y = np.asarray(y, dtype=np.float64)
        if self.at != y.tobytes():
            r, jac = self.program(y)
            self.answer = (np.asarray(r, dtype=np.float64), np.asarray(jac, dtype=np.float64))
            self.at = y.tobytes()
        return self.answer

    def fun(self, y) -> np.ndarray:
        return self._at(y)[0].copy()

    def jac(self, y) -> np.ndarray:
        return self._at(y)[1].copy()


def check(runner: Runner, values: dict[str, float], targets, sites, *, n: int, seed: int) -> list[Achieved]:
    """Every target with plain estimators on CHECK_FACTOR * n fresh draws (keys folded from the seed)."""
    import jax
    import jax.numpy as jnp

    base = jax.random.fold_in(jax.random.PRNGKey(seed), 1)
    theta = {k: jnp.float64(v) for k, v in values.items()}
    wanted = sorted({t.variable for t in targets})
    chunks: dict[str, list] = {k: [] for k in wanted}
    run = jax.jit(lambda key: {k: runner(theta, n, key)[0][k] for k in wanted})
    for i in range(CHECK_FACTOR):
        out = run(jax.random.fold_in(base, i))
        size = max(int(np.shape(out[k])[-1]) if np.ndim(out[k]) > 1 else 1 for k in wanted)
        if i == 0 and CHECK_FACTOR * n * size > MAX_CHECK_VALUES:
            raise UsageError(f"checking the targets on {CHECK_FACTOR} x {n} fresh draws of {size} elements is more "
                             f"than {MAX_CHECK_VALUES} values; use -n {max(2, MAX_CHECK_VALUES // (CHECK_FACTOR * size))}"
                             " or fewer")
        for k in wanted:
            chunks[k].append(np.asarray(out[k], dtype=np.float64))
    draws = {k: np.concatenate(v) for k, v in chunks.items()}
    achieved = [plain_statistic(t, sites[t.variable], draws[t.variable]) for t in targets]
    for a in achieved:
        a.met = a.miss <= MISS_SE
    return achieved


def _per_draw(values: np.ndarray) -> tuple[float, float]:
    """The mean of per-draw numbers and its standard error."""
    return float(values.mean()), float(values.std(ddof=1) / math.sqrt(values.size))


def _batched(values: np.ndarray, stat: Callable, batches: int = 20) -> tuple[float, float]:
    """The statistic of all the draws and its standard error from ``batches`` batches of draws."""
    parts = [stat(b.reshape(-1)) for b in np.array_split(values, batches)]
    return float(stat(values.reshape(-1))), float(np.std(parts, ddof=1) / math.sqrt(batches))


def plain_statistic(t: PTarget, site: Site, v: np.ndarray) -> Achieved:
    """The achieved value on fresh draws (n, K) with its Monte Carlo standard error (per-draw means
    for probabilities and means, batches of draws for quantiles and sds)."""
    if t.kind in ("quantile", "median"):
        below = (v < t.value).mean(axis=1) if site.discrete else None
        at_most = (v <= t.value).mean(axis=1)
        prob, prob_se = _per_draw(at_most if below is None else 0.5 * (below + at_most))
        q, q_se = _batched(v, lambda x: np.quantile(x, t.level))
        return Achieved(t, q, q_se, prob, prob_se)
    if t.kind == "mass":
        mass, se = _per_draw(((v >= t.lower) & (v <= t.upper)).mean(axis=1))
        return Achieved(t, mass, se)
    if t.kind == "mean":
        return Achieved(t, *_per_draw(v.mean(axis=1)))
    return Achieved(t, *_batched(v, lambda x: np.std(x, ddof=1)))


def check_counts(free: tuple[str, ...], targets: tuple[PTarget, ...], how_to_fix: str) -> None:
    """At least as many targets as free names (else a usage error naming them)."""
    if not free:
        raise UsageError("there are no free hyperparameters to solve (every name is defined, given as --data or "
                         "fixed with --set)")
    if not targets:
        raise UsageError(f"no targets for the free {', '.join(free)}: give e.g. --quantile VAR:0.05=V, "
                         "--median VAR:V, --mean VAR:V, --sd VAR:V or --lower VAR:L --upper VAR:U --mass VAR:P")
    if len(free) > len(targets):
        raise UsageError(f"{len(free)} free hyperparameters ({', '.join(free)}) but {len(targets)} target"
                         f"{'s' if len(targets) != 1 else ''}: add targets, or {how_to_fix}")
