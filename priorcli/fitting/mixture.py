"""Maximum likelihood of a finite mixture: ``summarize --input FILE --fit "Mixture(Normal, Normal)"``.

Syntax: ``Mixture(F, G, ...)``, two or more component families as ``--fit`` names them (``Normal``,
``Gamma(rate=2)`` with a parameter held); the parentheses mark a mixture, so it can stand in a
comma list beside single families (``--fit "Normal, Gamma, Mixture(Normal, Normal)"``: commas
inside the parentheses do not split the list). The components are families with a record
(their vectorised ``logpdf`` is the likelihood; no jax), all continuous or all discrete, each with a
support that does not move with a free parameter.

Method: the mean log-likelihood ``mean_i log sum_k w_k f_k(x_i | theta_k)`` is maximised over the
weights in softmax coordinates (K - 1 logits, the last held at 0) and each component's free
parameters in the fitter's unconstrained coordinates (:func:`priorcli.fitting.optimize._coord_for`:
log above 0, logit between two ends, a scaled shift on the line), by
:func:`priorcli.fitting.optimize._search` (BFGS, a Nelder-Mead polish, BFGS again) with its
gradient test of a maximum. The gradient is analytic in the logits (mean responsibility minus
weight) and a central difference of each component's own log density in its coordinates, weighted
by the responsibilities. Equal data values are counted once with their multiplicity.

Starts (every one is run, the best proper maximum wins): groupings of the sorted data (equal-count
quantile splits, one-dimensional k-means from the quantile centres, inner and outer shells about
the median for scale mixtures, and for two components 1/4-3/4 splits), each group fitted by the
component's own maximum-likelihood fit (:func:`priorcli.fitting.fit_family`); for components of
different families every assignment of groups to them.

A start's answer is *degenerate* when a component carries less than one data point's weight
(w_k n < 1), collapses onto one value (its responsibility-weighted spread below 1e-6 of the data's:
the likelihood is unbounded there) or has a coordinate running off to a boundary of its parameter
space. The best non-degenerate maximum is returned (with a note when a degenerate start had a
larger likelihood); when every start is degenerate that is an ``InfeasibleError`` naming why, and
when none converged a ``ConvergenceError`` (both exit 1).

Label order: components of the same family are sorted by their means (medians where a mean is
undefined), and components of different families keep the order they were named in, so the same
data always print the same fit.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field

import numpy as np

from priorcli.errors import ConvergenceError, InfeasibleError, InputError, PriorError, UsageError
from priorcli.families.registry import FamilyInfo, resolve, resolve_fast
from priorcli.fitting.lists import split_fit_list
from priorcli.fitting.optimize import _RUNAWAY, _Objective, _coord_for, _search
from priorcli.records.fitdata import outside, robust_spread

__all__ = ["MixtureFit", "is_mixture_spec", "split_fit_list", "parse_mixture", "fit_mixture", "mixture_ks"]

EXAMPLE = "Mixture(Normal, Normal)"
MAX_COMPONENTS = 6
COLLAPSE = 1e-6  # a component whose responsibility-weighted spread is below this share of the data's
_STEP = 1e-6  # central-difference step of a component's log density, in its unconstrained coordinate


def is_mixture_spec(text: str) -> bool:
    return re.match(r"^\s*mixture\s*\(", text, re.I) is not None


@dataclass(frozen=True)
class Component:
    family: FamilyInfo
    fixed: dict
    text: str

    @property
    def record(self):
        return self.family.closed

    @property
    def free(self) -> tuple:
        return tuple(p for p in self.family.params if p.name not in self.fixed)


@dataclass(frozen=True)
class MixtureFit:
    """A fitted mixture: ``spec`` is its DistSpec (priorcli.stats.mixture, exact values and draws),
    ``params`` its flat parameters (``weights``, ``c{i}.{Family}.{name}``)."""

    spec: object
    weights: tuple[float, ...]
    components: tuple[tuple[str, dict], ...]  # (family, every parameter by native name)
    log_likelihood: float
    free: int  # estimated parameters: K - 1 weights and the components' free ones
    n: int
    text: str  # the --fit spec as given
    starts: int  # starts tried
    proper: int  # starts that reached a proper (non-degenerate) maximum
    notes: tuple[str, ...] = ()
    numpyro: str = ""  # a label; the commands put the numpyro line here
    family: str = "Mixture"
    truncate: object = None

    @property
    def params(self) -> dict:
        return self.spec.params

    @property
    def aic(self) -> float:
        return 2.0 * self.free - 2.0 * self.log_likelihood

    @property
    def bic(self) -> float:
        return self.free * math.log(self.n) - 2.0 * self.log_likelihood


# ---------------------------------------------------------------------------------------------
# The spec


def parse_mixture(text: str) -> tuple[Component, ...]:
    """The components of ``Mixture(F, G, ...)``; one UsageError line naming what is wrong."""
    from priorcli.fitting import _parse_fixed, _split_spec
    from priorcli.stats.mixture import is_mixture

    match = re.match(r"^\s*mixture\s*\((.*)\)\s*$", text, re.I | re.S)
    if match is None:
        raise UsageError(f"--fit '{text}': a mixture is Mixture(F, G, ...) with the component families inside, "
                         f"e.g. '{EXAMPLE}'")
    parts = split_fit_list(match.group(1))
    if any(p.startswith("[") for p in parts):
        raise UsageError(f"--fit '{text}': the weights are fitted, not given; name only the components, "
                         f"e.g. '{EXAMPLE}'")
    if any(not p for p in parts):
        raise UsageError(f"--fit '{text}': an empty component; name each family, e.g. '{EXAMPLE}'")
    if len(parts) < 2:
        raise UsageError(f"--fit '{text}': a mixture needs at least two components, e.g. '{EXAMPLE}' "
                         f"(for one family, --fit {parts[0]})")
    if len(parts) > MAX_COMPONENTS:
        raise UsageError(f"--fit '{text}': {len(parts)} components; priorcli fits at most {MAX_COMPONENTS}")
    out = []
    for i, part in enumerate(parts):
        try:
            name, fixed_text = _split_spec(part)
            if is_mixture(name):
                raise UsageError("a component cannot be a Mixture itself (list all components in one)")
            family = resolve_fast(name) or resolve(name)
            fixed = _parse_fixed(family, fixed_text, part)
        except UsageError as exc:
            raise UsageError(f"--fit '{text}': component {i} '{part}': {exc}") from None
        _check_component(family, fixed, f"--fit '{text}': component {i} ({family.name})")
        out.append(Component(family, fixed, part))
    if len({c.family.discrete for c in out}) > 1:
        which = ", ".join(f"{c.family.name} ({'discrete' if c.family.discrete else 'continuous'})" for c in out)
        raise UsageError(f"--fit '{text}': a mixture's components are all continuous or all discrete, not both: {which}")
    return tuple(out)


def _check_component(family: FamilyInfo, fixed: dict, where: str) -> None:
    record = family.closed
    if family.multivariate:
        raise UsageError(f"{where} is multivariate; components are univariate")
    if record is None or not record.fits:
        raise UsageError(f"{where}: priorcli fits mixtures of the families it has a record of (see priorcli list)")
    if record.atom or record.reading is not None:
        why = "has a point mass beside its density" if record.atom else "is circular"
        raise UsageError(f"{where} {why}; a mixture fit takes plain densities")
    for p in family.params:
        if p.name in fixed:
            continue
        if p.domain.integer:
            raise UsageError(f"{where}: '{p.name}' is an integer parameter and is not estimated; give it, "
                             f"e.g. 'Mixture({family.name}({p.name}=10), ...)'")
        if p.event_dim or p.domain.vector is not None:
            raise UsageError(f"{where}: vector parameter '{p.name}' cannot be fitted")
        if p.name in record.support_params or p.domain.dependent:
            raise UsageError(f"{where}: its support moves with '{p.name}'; a mixture fit needs components whose "
                             f"support is fixed (hold it: {family.name}({p.name}=VALUE))")
        if not (p.domain.line or p.domain.bounded or (p.domain.lower_bounded and p.domain.low == 0.0)):
            raise UsageError(f"{where}: cannot estimate '{p.name}' (constraint {p.domain.name}); hold it")


# ---------------------------------------------------------------------------------------------
# The likelihood in unconstrained coordinates


class _Likelihood:
    """The mean negative log-likelihood of one start's coordinates (0 at the start), its gradient,
    and the responsibilities; the data as distinct values ``x`` with multiplicities ``c``."""

    def __init__(self, comps, x, c, start_weights, start_params, spread):
        self.comps, self.x, self.c, self.n = comps, x, c, float(np.sum(c))
        K = len(comps)
        w0 = np.maximum(np.asarray(start_weights, dtype=np.float64), 1e-12)
        self.a0 = np.log(w0) - math.log(w0[-1])
        self.coords = [{p.name: _coord_for(p.domain, start_params[k][p.name], spread) for p in comp.free}
                       for k, comp in enumerate(comps)]
        sizes = [len(cs) for cs in self.coords]
        self.slices, at = [], K - 1
        for s in sizes:
            self.slices.append(slice(at, at + s))
            at += s
        self.size = at
        self._cache = (None, None)

    def unpack(self, u):
        K = len(self.comps)
        a = self.a0 + np.concatenate([u[:K - 1], [0.0]])
        logw = a - np.logaddexp.reduce(a)
        params = []
        for comp, coords, sl in zip(self.comps, self.coords, self.slices):
            values = {name: float(coord.value(float(ui))) for (name, coord), ui in zip(coords.items(), u[sl])}
            params.append({**values, **comp.fixed})
        return logw, params

    def _logpdf(self, k: int, params: dict) -> np.ndarray:
        with np.errstate(all="ignore"):
            out = np.asarray(self.comps[k].record.logpdf(self.x, **params), dtype=np.float64)
        return np.where(np.isnan(out), -np.inf, np.broadcast_to(out, self.x.shape))

    def terms(self, u):
        """(log w_k + log f_k(x_i), log of the mixture density at each x_i), cached for the gradient."""
        key = np.asarray(u, dtype=np.float64).tobytes()
        if self._cache[0] == key:
            return self._cache[1]
        logw, params = self.unpack(np.asarray(u, dtype=np.float64))
        L = np.stack([logw[k] + self._logpdf(k, params[k]) for k in range(len(self.comps))])
        with np.errstate(all="ignore"):
            ll = np.logaddexp.reduce(L, axis=0)
        self._cache = (key, (L, ll, logw, params))
        return self._cache[1]

    def __call__(self, u) -> float:
        _, ll, _, _ = self.terms(u)
        return -float(np.sum(self.c * ll)) / self.n

    def responsibilities(self, u) -> np.ndarray:
        L, ll, _, _ = self.terms(u)
        with np.errstate(all="ignore"):
            r = np.exp(L - ll)
        return np.where(np.isfinite(r), r, 0.0)

    def gradient(self, u) -> np.ndarray:
        u = np.asarray(u, dtype=np.float64)
        _, _, logw, params = self.terms(u)
        r = self.responsibilities(u)
        K = len(self.comps)
        g = np.zeros(self.size)
        g[:K - 1] = -(np.sum(self.c * r[:K - 1], axis=1) / self.n - np.exp(logw[:K - 1]))
        for k, (coords, sl) in enumerate(zip(self.coords, self.slices)):
            for j, (name, coord) in enumerate(coords.items()):
                ui = float(u[sl][j])
                up = self._logpdf(k, {**params[k], name: float(coord.value(ui + _STEP))})
                down = self._logpdf(k, {**params[k], name: float(coord.value(ui - _STEP))})
                with np.errstate(all="ignore"):
                    term = np.where(r[k] > 0.0, r[k] * (up - down) / (2.0 * _STEP), 0.0)
                g[sl.start + j] = -float(np.sum(self.c * term)) / self.n
        return g


# ---------------------------------------------------------------------------------------------
# Starts


def _groupings(xs: np.ndarray, K: int) -> list[np.ndarray]:
    """Labels 0..K-1 for the sorted data ``xs``: several plausible splits into K groups."""
    n = xs.size
    ranks = np.arange(n)
    out = [np.minimum(ranks * K // n, K - 1)]  # equal-count quantile split
    centres = np.quantile(xs, (np.arange(K) + 0.5) / K)
    labels = out[0]
    for _ in range(50):  # one-dimensional k-means (Lloyd), from the quantile centres
        new = np.argmin(np.abs(xs[:, None] - centres[None, :]), axis=1)
        centres = np.array([xs[new == k].mean() if np.any(new == k) else centres[k] for k in range(K)])
        if np.array_equal(new, labels):
            break
        labels = new
    out.append(labels)
    distance = np.abs(xs - np.median(xs))  # shells about the median: scale mixtures
    order = np.argsort(distance, kind="stable")
    shells = np.empty(n, dtype=int)
    shells[order] = np.minimum(np.arange(n) * K // n, K - 1)
    out.append(shells)
    if K == 2:
        for share in (0.25, 0.75):
            out.append((ranks >= int(share * n)).astype(int))
    unique = []
    for labels in out:
        if len(set(labels.tolist())) == K and not any(np.array_equal(labels, u) for u in unique):
            unique.append(labels)
    return unique


def _group_fit(comp: Component, values: np.ndarray) -> dict | None:
    """The component's own maximum-likelihood fit to one group (its record's start otherwise)."""
    from priorcli.fitting import fit_family

    with np.errstate(all="ignore"):
        try:
            return dict(fit_family(comp.family.name, values, fixed=dict(comp.fixed)).params)
        except PriorError:
            pass
        record = comp.record
        if record.fit_start is None:
            return None
        try:
            start = {**record.fit_start(values), **comp.fixed}
            ok = np.isfinite(record.logpdf(values, **start))
        except (ArithmeticError, ValueError, TypeError, PriorError):
            return None
    return start if bool(np.any(ok)) else None


def _starts(comps, xs: np.ndarray) -> list[tuple[np.ndarray, list[dict]]]:
    K = len(comps)
    same = len({c.text for c in comps}) == 1
    starts = []
    for labels in _groupings(xs, K):
        groups = [xs[labels == g] for g in range(K)]
        orders = [tuple(range(K))] if same else list(itertools.permutations(range(K)))
        for order in orders[:24]:
            params = [_group_fit(comps[k], groups[g]) for k, g in enumerate(order)]
            if any(p is None for p in params):
                continue
            weights = np.array([groups[g].size for g in order], dtype=np.float64) / xs.size
            starts.append((weights, params))
    return starts


# ---------------------------------------------------------------------------------------------
# The fit


@dataclass
class _Outcome:
    f: float
    weights: np.ndarray
    params: list
    converged: bool
    degenerate: str | None
    gradient: float = math.nan
    message: str = field(default="")


def fit_mixture(text: str, values) -> MixtureFit:
    """The maximum-likelihood mixture ``text`` (``"Mixture(Normal, Normal)"``) of ``values``."""
    comps = parse_mixture(text)
    x = np.asarray(values, dtype=np.float64).ravel()
    if x.size == 0:
        raise InputError("no values to fit")
    if not np.all(np.isfinite(x)):
        raise InputError("values to fit must be finite")
    _check_support(comps, x, text)
    free = len(comps) - 1 + sum(len(c.free) for c in comps)
    xs = np.sort(x)
    distinct, counts = np.unique(xs, return_counts=True)
    if distinct.size <= free:
        raise InfeasibleError(f"cannot fit {text}: too few data points ({x.size} value(s), {distinct.size} distinct) "
                              f"for its {free} free parameters; a mixture needs more distinct values than that")
    spread = robust_spread(xs)
    starts = _starts(comps, xs)
    if not starts:
        raise InfeasibleError(f"cannot fit {text}: no split of the data gave every component a starting fit "
                              "(each component's own fit to a share of the data failed)")
    outcomes = [_run(comps, distinct, counts, w, p, spread) for w, p in starts]
    return _choose(text, comps, outcomes, distinct, counts, free, x.size)


def _check_support(comps, x: np.ndarray, text: str) -> None:
    inside = np.zeros(x.size, dtype=bool)
    ends = []
    for c in comps:
        lo, hi = c.record.support_given(c.fixed)
        ends.append((lo, hi))
        ok = (x > lo) & (x < hi)
        if c.family.discrete:
            ok &= x == np.floor(x)
        for end in {lo, hi} & set(x.tolist()):  # an end of the support: in it if the record's check says so
            ok |= (x == end) & _takes(c, end)
        inside |= ok
    if not inside.all():
        lo, hi = min(e[0] for e in ends), max(e[1] for e in ends)
        raise outside(text, f"(the union of the components' supports, within [{lo:g}, {hi:g}])",
                      x[int(np.argmin(inside))])


def _takes(comp: Component, value: float) -> bool:
    """Whether the component's support holds ``value`` (an end of it: LogNormal's 0 is not in it,
    Poisson's is), as its record's fit check of the data says."""
    if comp.record.fit_check is None:
        return True
    try:
        comp.record.fit_check(comp.family.name, np.array([value]), dict(comp.fixed))
    except PriorError:
        return False
    return True


def _run(comps, x, c, weights, params, spread) -> _Outcome:
    lik = _Likelihood(comps, x, c, weights, params, spread)
    obj = _Objective(lik, lik.size, lik.gradient)
    if not math.isfinite(obj.f0):
        return _Outcome(math.inf, weights, params, False, None, message="not finite at the start")
    u, f, ok, message = _maximise(obj, lik, comps, spread)
    logw, fitted = lik.unpack(u)
    w = np.exp(logw)
    g = obj.gradient(u)
    largest = float(np.max(np.abs(g))) if np.all(np.isfinite(g)) else math.inf
    reason = _degenerate(comps, lik, u, w, fitted, spread) if math.isfinite(f) else None
    return _Outcome(f, w, fitted, bool(ok), reason, largest, str(message).strip())


def _maximise(obj: _Objective, lik: _Likelihood, comps, spread):
    """BFGS first; an answer already degenerate there is not polished further (a collapsing
    component would take the Nelder-Mead polish its whole budget); otherwise optimize._search."""
    import warnings

    from scipy.optimize import minimize

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        first = minimize(obj, np.zeros(lik.size), method="BFGS", jac=obj.gradient,
                         options={"gtol": 1e-10, "maxiter": 5000})
    u, f = np.asarray(first.x, dtype=np.float64), float(first.fun)
    if math.isfinite(f) and obj.converged(u, f):
        return u, f, True, first.message
    logw, params = lik.unpack(u)
    if math.isfinite(f) and _degenerate(comps, lik, u, np.exp(logw), params, spread) is not None:
        return u, f, False, first.message
    return _search(obj, lik.size)


def _degenerate(comps, lik: _Likelihood, u, w, params, spread) -> str | None:
    """Why this answer is a degenerate maximum (a component without weight, collapsed onto one
    value, or running off to a boundary), or None."""
    r = lik.responsibilities(u)
    for k, comp in enumerate(comps):
        name = f"component {k} ({comp.family.name})"
        if w[k] * lik.n < 1.0:
            return (f"{name} has weight {w[k]:.3g}, less than one of the {int(lik.n)} data points: the data show "
                    "no component there; fit fewer components")
        mass = float(np.sum(lik.c * r[k]))
        centre = float(np.sum(lik.c * r[k] * lik.x)) / mass
        sd = math.sqrt(max(float(np.sum(lik.c * r[k] * (lik.x - centre) ** 2)) / mass, 0.0))
        if not comp.family.discrete and sd <= COLLAPSE * spread:
            return (f"{name} collapses onto {centre:.6g} (its share of the data has spread {sd:.3g}): the "
                    "likelihood grows without bound there, a degenerate maximum")
        for (pname, coord), ui in zip(lik.coords[k].items(), u[lik.slices[k]]):
            if abs(float(ui)) > _RUNAWAY:
                where = ("0" if ui < 0 else "infinity") if coord.kind == "log" else \
                    ("an end of its range" if coord.kind in ("logit", "interval") else
                     ("-infinity" if ui < 0 else "infinity"))
                return (f"{name}'s {pname} runs off to {where} (stopped at {params[k][pname]:.6g}): the data fit a "
                        f"limiting case of {comp.family.name}, a degenerate maximum")
    return None


def _choose(text, comps, outcomes, x, c, free, n) -> MixtureFit:
    proper = [o for o in outcomes if o.converged and o.degenerate is None]
    degenerate = [o for o in outcomes if o.degenerate is not None and math.isfinite(o.f)]
    if not proper:
        if degenerate:
            best = min(degenerate, key=lambda o: o.f)
            raise InfeasibleError(f"cannot fit {text}: a degenerate fit from every start that got anywhere "
                                  f"({len(degenerate)} of {len(outcomes)}); the best: {best.degenerate}")
        tried = [o for o in outcomes if math.isfinite(o.gradient)]
        largest = min((o.gradient for o in tried), default=math.inf)
        raise ConvergenceError(f"the maximum-likelihood fit of {text} did not converge from any of its "
                               f"{len(outcomes)} starts (smallest largest-gradient {largest:.3g}); the mixture "
                               "may not suit these data")
    best = min(proper, key=lambda o: o.f)
    notes = []
    higher = [o for o in degenerate if o.f < best.f]
    if higher:
        notes.append(f"{len(higher)} of {len(outcomes)} starts ran into a degenerate maximum with a larger "
                     f"likelihood ({min(higher, key=lambda o: o.f).degenerate}); the best proper maximum is reported")
    weights, components = _label_order(comps, best.weights, best.params)
    notes += _coinciding(comps, components)
    return _result(text, comps, weights, components, x, c, free, n, len(outcomes), len(proper), tuple(notes))


def _coinciding(comps, params) -> list[str]:
    """A note for two components of one family whose parameters agree within 1e-3 (relative): the
    data show no mixture of them, and the single family fits as well with fewer parameters."""
    notes = []
    for i, j in itertools.combinations(range(len(comps)), 2):
        if comps[i].family.name != comps[j].family.name:
            continue
        a, b = params[i], params[j]
        if all(abs(a[k] - b[k]) <= 1e-3 * max(abs(a[k]), abs(b[k]), 1e-300) for k in a):
            notes.append(f"components {i} and {j} ({comps[i].family.name}) coincide: the data show no mixture of "
                         f"them; compare with --fit '{comps[i].family.name}, Mixture(...)' (AIC, BIC)")
    return notes


def _label_order(comps, weights, params):
    """Components of one family sorted by mean (median where the mean is undefined); the families
    keep their places."""
    def centre(k):
        record, p = comps[k].record, params[k]
        m = record.mean(**p) if record.mean is not None else None
        if m is None or not math.isfinite(m):
            m = float(record.icdf(0.5, **p))
        return (m, tuple(sorted(p.items())))

    order = list(range(len(comps)))
    for text in {c.text for c in comps}:
        places = [k for k, cmp in enumerate(comps) if cmp.text == text]
        for place, k in zip(places, sorted(places, key=centre)):
            order[place] = k
    return [float(weights[k]) for k in order], [params[k] for k in order]


def _result(text, comps, weights, params, x, c, free, n, starts, proper, notes) -> MixtureFit:
    from priorcli.stats.exact import DistSpec
    from priorcli.stats.mixture import mixture_spec

    total = sum(weights)
    weights = [w / total for w in weights]
    full = [{p.name: float(ps[p.name]) for p in comp.family.params} for comp, ps in zip(comps, params)]
    spec = mixture_spec(weights, [DistSpec(comp.family, p) for comp, p in zip(comps, full)])
    with np.errstate(all="ignore"):
        terms = np.stack([math.log(w) + np.asarray(comp.record.logpdf(x, **p), dtype=np.float64)
                          for w, comp, p in zip(weights, comps, full)])
        log_likelihood = float(np.sum(c * np.logaddexp.reduce(terms, axis=0)))
    if not math.isfinite(log_likelihood):
        raise ConvergenceError(f"the fit of {text} has a non-finite log-likelihood ({log_likelihood})")
    return MixtureFit(spec, tuple(weights), tuple((comp.family.name, p) for comp, p in zip(comps, full)),
                      log_likelihood, free, n, text, starts, proper, notes,
                      numpyro=spec.family.describe(spec.params))


def mixture_ks(fit: MixtureFit, values) -> tuple[float, float]:
    """The Kolmogorov-Smirnov statistic and p-value of the data against the fitted mixture's cdf
    (the weighted sum of the components' record cdfs); discrete: max_k |ECDF(k) - F(k)| over the
    whole numbers and no p-value, as for a single discrete family."""
    from priorcli import records
    from scipy import stats as st

    x = np.asarray(values, dtype=np.float64).ravel()

    def cdf(v):
        return sum(w * np.asarray(records.get(f).cdf(v, **p), dtype=np.float64)
                   for w, (f, p) in zip(fit.weights, fit.components))

    if fit.spec.family.discrete:
        ks = np.arange(np.min(x), np.max(x) + 1.0)
        ecdf = np.searchsorted(np.sort(x), ks, side="right") / x.size
        return float(np.max(np.abs(ecdf - cdf(ks)))), math.nan
    result = st.kstest(x, cdf)
    return float(result.statistic), float(result.pvalue)
