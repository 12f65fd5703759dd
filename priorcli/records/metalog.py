"""Keelin's metalog (Keelin 2016, "The Metalog Distributions", Decision Analysis 13(4)): a
distribution given by its quantile function, through any k >= 2 quantiles exactly.

The k-term metalog is M(y) = sum_j a_j g_j(y) on y in (0, 1), with L = ln(y / (1 - y)),
c = y - 1/2 and the basis g_1 = 1, g_2 = L, g_3 = c L, g_4 = c, then alternately g_j = c^((j-1)/2)
(odd j >= 5) and g_j = c^(j/2 - 1) L (even j >= 6). The quantile function is

* unbounded: Q(y) = M(y);
* semi-bounded below (``lower``, the log metalog): Q(y) = lower + exp(M(y));
* semi-bounded above (``upper``): Q(y) = upper - exp(-M(y));
* bounded (both, the logit metalog): Q(y) = lower + (upper - lower) / (1 + exp(-M(y))).

The coefficients solve the linear system Y a = z with Y[i, j] = g_j(p_i) and z_i the quantile
value x_i moved to M's scale (x, ln(x - lower), -ln(upper - x), ln((x - lower) / (upper - x))):
``numpy.linalg.solve`` for k terms through k quantiles, ``lstsq`` for fewer terms (Keelin's OLS).

Every extension is an increasing function of M, so the metalog is a distribution exactly when
M' > 0 on (0, 1) (its density 1 / Q'(F(x)) is then positive everywhere). priorcli checks
h(y) = y (1 - y) M'(y), which is finite on the closed interval [0, 1] (h(0) and h(1) are the
limits), on a fine grid in logit(y) and at both ends, each local minimum refined with scipy.

Pure Python here; numpy and scipy are imported in the functions (the records stay cheap to
import). Draws and the numpyro class are in :mod:`priorcli.dists.metalog`; programs in
:mod:`priorcli.emit.metalog`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from priorcli.errors import InfeasibleError, UsageError

__all__ = ["Metalog", "fit", "check_quantiles", "feasibility", "exponents", "code_lines", "handles"]

NAMES = ("metalog",)
#: the logit(y) grid on which h = y (1 - y) M'(y) is checked (beyond it h is its end value to ~1e-16)
GRID_T = (-40.0, 40.0, 4001)
#: a quantile reproduced worse than this (relative to its value's scale) means an ill-conditioned system
EXACT = 1e-9
MAX_TERMS = 30
#: how many of the grid's lowest local minima of h are refined
REFINED = 8
FORMULAS = (
    "M(y) = a1 + a2 L + a3 (y - 1/2) L + a4 (y - 1/2) + a5 (y - 1/2)^2 + a6 (y - 1/2)^2 L + ..., "
    "L = ln(y / (1 - y))",
    "Q(y) = M(y); lower + exp(M(y)) with --lower; upper - exp(-M(y)) with --upper; "
    "lower + (upper - lower) / (1 + exp(-M(y))) with both",
    "density f(x) = 1 / Q'(F(x)); a distribution exactly when M'(y) > 0 on (0, 1)",
)


def handles(family_name: str | None) -> bool:
    return family_name is not None and family_name.lower().replace("-", "").replace("_", "") in NAMES


def exponents(k: int) -> list[tuple[int, bool]]:
    """(n, with_L) of each basis function g_j = c^n (times L when with_L), j = 1..k."""
    out = []
    for j in range(1, k + 1):
        if j <= 4:
            out.append(((0, False), (0, True), (1, True), (1, False))[j - 1])
        else:
            out.append(((j - 1) // 2, j % 2 == 0))
    return out


def _np():
    import numpy as np

    return np


def _coordinates(t):
    """(c, L, w) = (y - 1/2, logit y, y (1 - y)) at t = logit(y), each to full precision in the tails."""
    np = _np()
    t = np.asarray(t, dtype=np.float64)
    return 0.5 * np.tanh(0.5 * t), t, np.exp(-np.logaddexp(0.0, t) - np.logaddexp(0.0, -t))


def logit(p):
    np = _np()
    p = np.asarray(p, dtype=np.float64)
    return np.log(p) - np.log1p(-p)


def basis(t, k: int):
    """Y[..., j] = g_j at t = logit(y): the matrix of Keelin's linear system."""
    np = _np()
    c, L, _ = _coordinates(t)
    return np.stack([c ** n * (L if with_l else 1.0) for n, with_l in exponents(k)], axis=-1)


def slope_basis(t, k: int):
    """y (1 - y) g_j'(y) at t = logit(y): finite on [0, 1] (dL/dy = 1 / (y (1 - y)))."""
    np = _np()
    c, L, w = _coordinates(t)
    columns = []
    for n, with_l in exponents(k):
        power = n * c ** (n - 1) * w if n else np.zeros_like(c)
        columns.append(power * L + c ** n if with_l else power)
    return np.stack(columns, axis=-1)


def _end_slopes(a) -> tuple[float, float]:
    """h(0) and h(1): the limits of y (1 - y) M'(y) at the ends, sum of a_j c^n over the L terms."""
    k = len(a)
    low = sum(a_j * (-0.5) ** n for a_j, (n, with_l) in zip(a, exponents(k)) if with_l)
    high = sum(a_j * 0.5 ** n for a_j, (n, with_l) in zip(a, exponents(k)) if with_l)
    return float(low), float(high)


@dataclass(frozen=True)
class Metalog:
    """A metalog: its coefficients a_1..a_k and bounds (-inf / inf where there is none)."""

    a: tuple[float, ...]
    lower: float = -math.inf
    upper: float = math.inf

    @property
    def k(self) -> int:
        return len(self.a)

    @property
    def kind(self) -> str:
        low, high = math.isfinite(self.lower), math.isfinite(self.upper)
        return {(False, False): "unbounded", (True, False): "semi-bounded", (False, True): "semi-bounded",
                (True, True): "bounded"}[(low, high)]

    @property
    def support(self) -> tuple[float, float]:
        return self.lower, self.upper

    def label(self, digits=None) -> str:
        fmt = digits or (lambda v: f"{v:g}")
        bounds = "".join(f", {n}={fmt(v)}" for n, v in (("lower", self.lower), ("upper", self.upper))
                         if math.isfinite(v))
        return f"Metalog(a=[{', '.join(fmt(v) for v in self.a)}]{bounds})"

    # --- on M's scale, at t = logit(y)

    def m_at(self, t):
        return basis(t, self.k) @ _np().asarray(self.a, dtype=float)

    def h_at(self, t):
        """y (1 - y) M'(y): positive on [0, 1] exactly when the metalog is feasible."""
        return slope_basis(t, self.k) @ _np().asarray(self.a, dtype=float)

    def from_m(self, m):
        """x = Q from M's value (the bounds' extension)."""
        np = _np()
        m = np.asarray(m, dtype=np.float64)
        lo, hi = self.lower, self.upper
        with np.errstate(over="ignore"):
            if self.kind == "unbounded":
                return m
            if not math.isfinite(hi):
                return lo + np.exp(m)
            if not math.isfinite(lo):
                return hi - np.exp(-m)
            return lo + (hi - lo) * np.exp(-np.logaddexp(0.0, -m))

    def to_m(self, x):
        """M's value of a quantile value x (inside the support)."""
        np = _np()
        x = np.asarray(x, dtype=np.float64)
        lo, hi = self.lower, self.upper
        if self.kind == "unbounded":
            return x
        if not math.isfinite(hi):
            return np.log(x - lo)
        if not math.isfinite(lo):
            return -np.log(hi - x)
        return np.log(x - lo) - np.log(hi - x)

    def quantile_t(self, t):
        return self.from_m(self.m_at(t))

    def log_density_t(self, t):
        """log f(Q(y)) = -log Q'(y) at t = logit(y): log w - log h - log dx/dM."""
        np = _np()
        _, _, w = _coordinates(t)
        m = self.m_at(t)
        with np.errstate(divide="ignore", invalid="ignore"):
            base = np.log(w) - np.log(self.h_at(t))
            if self.kind == "unbounded":
                return base
            if not math.isfinite(self.upper):
                return base - m
            if not math.isfinite(self.lower):
                return base + m
            # dx/dM = (upper - lower) s (1 - s), s = 1 / (1 + exp(-M))
            return base - math.log(self.upper - self.lower) + np.logaddexp(0.0, m) + np.logaddexp(0.0, -m)

    # --- the distribution's functions

    def quantile(self, p):
        """Q(p), exact (vectorised); p = 0 and 1 give the support's ends."""
        np = _np()
        p = np.asarray(p, dtype=np.float64)
        with np.errstate(divide="ignore"):
            out = self.quantile_t(logit(p))
        out = np.where(p <= 0.0, self.lower, np.where(p >= 1.0, self.upper, out))
        return float(out) if out.ndim == 0 else out

    def cdf_t(self, x: float) -> float:
        """logit F(x), by scipy's brentq on t (Q is increasing in t); +-inf outside the support."""
        from scipy.optimize import brentq

        if x <= self.lower:
            return -math.inf
        if x >= self.upper:
            return math.inf
        z = float(self.to_m(x))

        def gap(t: float) -> float:
            return float(self.m_at(t)) - z

        lo, hi = -40.0, 40.0
        while gap(lo) > 0.0:
            if lo <= -740.0:
                return -math.inf
            lo = max(2.0 * lo, -745.0)
        while gap(hi) < 0.0:
            if hi >= 740.0:
                return math.inf
            hi = min(2.0 * hi, 745.0)
        return float(brentq(gap, lo, hi, xtol=1e-300, rtol=8.9e-16, maxiter=400))

    def cdf(self, x):
        """F(x) (vectorised over x by a loop of root finds)."""
        np = _np()
        xs = np.asarray(x, dtype=np.float64)
        out = np.array([_expit(self.cdf_t(float(v))) for v in xs.ravel()]).reshape(xs.shape)
        return float(out) if out.ndim == 0 else out

    def log_density(self, x):
        """log f(x) = -log Q'(F(x)) (vectorised); -inf outside the support."""
        np = _np()
        xs = np.asarray(x, dtype=np.float64)
        ts = np.array([self.cdf_t(float(v)) for v in xs.ravel()])
        out = np.full(ts.shape, -np.inf)
        inside = np.isfinite(ts)
        if inside.any():
            out[inside] = self.log_density_t(ts[inside])
        out = out.reshape(xs.shape)
        return float(out) if out.ndim == 0 else out

    def density(self, x):
        np = _np()
        return np.exp(self.log_density(x))

    def tail_exponents(self) -> tuple[float, float]:
        """(h(0), h(1)): an exp-extended end of the support is a power-law tail, 1 - F ~ x^(-1/h(1))
        above (a lower-bounded metalog) and F ~ |x|^(-1/h(0)) below (upper-bounded)."""
        return _end_slopes(self.a)

    def moment_exists(self, r: int) -> bool:
        """E|X|^r finite: always unless an exp-extended end's tail is too heavy (h r >= 1)."""
        low, high = self.tail_exponents()
        if self.kind == "semi-bounded" and not math.isfinite(self.upper):
            return high * r < 1.0
        if self.kind == "semi-bounded":
            return low * r < 1.0
        return True

    def mean(self) -> float | None:
        """Closed form a1 + a3 / 2 for an unbounded metalog of k <= 4 terms (E[L] = 0,
        E[(y - 1/2) L] = 1/2, E[y - 1/2] = 0); the integral of Q over (0, 1) otherwise (scipy's quad)."""
        if not self.moment_exists(1):
            return None
        if self.kind == "unbounded" and self.k <= 4:
            return float(self.a[0] + (self.a[2] / 2.0 if self.k >= 3 else 0.0))
        return _expect(self, lambda x: x, self._spread() + abs(float(self.quantile_t(0.0))))

    def sd(self) -> float | None:
        if not self.moment_exists(2):
            return None
        mean = self.mean()
        variance = None if mean is None else _expect(self, lambda x: (x - mean) ** 2, self._spread() ** 2)
        return None if variance is None else math.sqrt(variance)

    def _spread(self) -> float:
        """Q(3/4) - Q(1/4): the scale of the quadratures' error."""
        t = math.log(3.0)
        return float(self.quantile_t(t) - self.quantile_t(-t))

    def mode(self) -> float | None:
        """argmax of the density: the y minimising Q'(y), on the logit grid then refined (scipy);
        a bound where the density rises towards it to the grid's end."""
        from scipy.optimize import minimize_scalar

        np = _np()
        t = np.linspace(*GRID_T)
        values = self.log_density_t(t)
        i = int(np.nanargmax(np.where(np.isfinite(values), values, -np.inf)))
        if i in (0, len(t) - 1):
            end = self.lower if i == 0 else self.upper
            return float(end) if math.isfinite(end) else None
        best = minimize_scalar(lambda s: -float(self.log_density_t(s)), bounds=(t[i - 1], t[i + 1]),
                               method="bounded", options={"xatol": 1e-12})
        s = float(best.x) if best.success and -best.fun >= values[i] else float(t[i])
        return float(self.quantile_t(s))


def _expit(t: float) -> float:
    if t == math.inf:
        return 1.0
    if t == -math.inf:
        return 0.0
    return 1.0 / (1.0 + math.exp(-t)) if t >= 0 else math.exp(t) / (1.0 + math.exp(t))


def _expect(metalog: Metalog, fn, scale: float) -> float | None:
    """E[fn(X)] = integral of fn(Q(y)) over y in (0, 1), as fn(Q(expit t)) y (1 - y) dt over the
    line, split at 0 (scipy's quad); None when quad's error estimate exceeds 1e-8 (|E| + scale)."""
    import warnings

    from scipy.integrate import quad

    np = _np()

    def integrand(t: float) -> float:
        _, _, w = _coordinates(t)
        with np.errstate(all="ignore"):
            value = float(fn(np.float64(metalog.quantile_t(t))) * w)
        # far out in a tail with a finite moment the integrand is 0; inf * 0 there is rounding's
        return value if math.isfinite(value) else 0.0

    total, error = 0.0, 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the estimated error is judged below
        for lo, hi in ((-np.inf, 0.0), (0.0, np.inf)):
            value, err = quad(integrand, lo, hi, epsabs=0.0, epsrel=1e-12, limit=400)
            total, error = total + value, error + err
    if not math.isfinite(total) or error > 1e-8 * (abs(total) + scale):
        return None
    return float(total)


# ---------------------------------------------------------------------------------------------
# fitting: the quantiles, the linear system, the feasibility check


def _qtext(p: float, x: float) -> str:
    return f"{p:g}={x:g}"


def check_quantiles(quantiles, lower: float = -math.inf, upper: float = math.inf) -> list[tuple[float, float]]:
    """The (P, V) pairs sorted by P, checked: UsageError (exit 2) for fewer than 2, a repeated P,
    a value that is not a number or outside (lower, upper), lower >= upper; InfeasibleError
    (exit 1) for values that do not increase with P (no distribution has them)."""
    if math.isnan(lower) or math.isnan(upper) or lower == math.inf or upper == -math.inf:
        raise UsageError("--lower/--upper must be numbers (leave one out for a semi-bounded metalog)")
    if not lower < upper:
        raise UsageError(f"--lower {lower:g} must be below --upper {upper:g}")
    pairs = sorted((float(p), float(x)) for p, x in quantiles)
    if len(pairs) < 2:
        raise UsageError("a metalog needs at least 2 quantiles (--quantile P=V, repeated): k quantiles give k terms")
    if len(pairs) > MAX_TERMS:
        raise UsageError(f"at most {MAX_TERMS} quantiles: the metalog's linear system is ill-conditioned beyond")
    for p, x in pairs:
        if not 0.0 < p < 1.0:
            raise UsageError(f"--quantile {p:g}: P must be a probability strictly between 0 and 1")
        if not math.isfinite(x):
            raise UsageError(f"--quantile {p:g}={x}: the value must be a finite number")
        if not lower < x < upper:
            raise UsageError(f"--quantile {_qtext(p, x)} is outside the metalog's support "
                             f"({lower:g}, {upper:g}) set by --lower/--upper")
    for (p0, x0), (p1, x1) in zip(pairs, pairs[1:]):
        if p0 == p1:
            raise UsageError(f"--quantile {p0:g} is given twice ({_qtext(p0, x0)} and {_qtext(p1, x1)})")
        if not x0 < x1:
            raise InfeasibleError(f"--quantile {_qtext(p0, x0)} and --quantile {_qtext(p1, x1)}: quantile values "
                                  "must increase with P (no distribution has these)")
    return pairs


def solve_coefficients(pairs, lower: float, upper: float, terms: int | None = None) -> Metalog:
    """The linear system of Keelin 2016 (section 4): solve for k terms through k quantiles, least
    squares (``lstsq``) for fewer terms. InfeasibleError for a singular or ill-conditioned system."""
    np = _np()
    k = len(pairs) if terms is None else terms
    if not 2 <= k <= len(pairs):
        raise UsageError(f"--terms {k}: between 2 and the number of quantiles ({len(pairs)})")
    shape = Metalog((0.0,) * k, lower, upper)
    t = logit([p for p, _ in pairs])
    Y, z = basis(t, k), shape.to_m([x for _, x in pairs])
    try:
        a = np.linalg.solve(Y, z) if k == len(pairs) else np.linalg.lstsq(Y, z, rcond=None)[0]
    except np.linalg.LinAlgError:
        raise InfeasibleError(f"the metalog's linear system through {_list(pairs)} is singular") from None
    metalog = Metalog(tuple(float(v) for v in a), lower, upper)
    if k == len(pairs):
        achieved = metalog.m_at(t)
        scale = np.maximum(1.0, np.abs(z))
        if not np.all(np.abs(achieved - z) <= EXACT * scale * k):
            raise InfeasibleError(f"the metalog's linear system through {_list(pairs)} is too ill-conditioned to "
                                  "meet the quantiles exactly; give fewer or better spread quantiles")
    return metalog


def _list(pairs) -> str:
    return ", ".join(_qtext(p, x) for p, x in pairs)


def feasibility(metalog: Metalog) -> tuple[float, float]:
    """(min h, where): the smallest y (1 - y) M'(y) over [0, 1] and the y where it is, from a grid
    in logit(y), the two ends, and each local minimum refined by scipy's bounded minimiser. The
    metalog is a distribution exactly when min h > 0 (checked relative to the coefficients' size)."""
    from scipy.optimize import minimize_scalar

    np = _np()
    t = np.linspace(*GRID_T)
    h = metalog.h_at(t)
    candidates = [(float(v), _expit(float(s))) for v, s in zip(h[[0, -1]], t[[0, -1]])]
    low, high = _end_slopes(metalog.a)
    candidates += [(low, 0.0), (high, 1.0)]
    # strict on the left, so a plateau (h constant to rounding, as in the tails) is one minimum;
    # the few lowest are refined (the others lie above them by a grid step's worth of h at least)
    inner = np.flatnonzero((h[1:-1] < h[:-2]) & (h[1:-1] <= h[2:])) + 1
    for i in inner[np.argsort(h[inner])][:REFINED]:
        best = minimize_scalar(lambda s: float(metalog.h_at(s)), bounds=(t[i - 1], t[i + 1]), method="bounded",
                               options={"xatol": 1e-12})
        s = float(best.x) if float(best.fun) <= h[i] else float(t[i])
        candidates.append((min(float(best.fun), float(h[i])), _expit(s)))
    return min(candidates)


def is_feasible(metalog: Metalog) -> bool:
    h_min, _ = feasibility(metalog)
    return h_min > 1e-12 * max(abs(a) for a in metalog.a)


def fit(quantiles, lower: float = -math.inf, upper: float = math.inf, terms: int | None = None) -> Metalog:
    """The metalog through the quantiles ``[(P, V), ...]`` (k terms; ``terms`` fewer by least squares),
    checked feasible: InfeasibleError naming the quantiles around where its density would be negative."""
    pairs = check_quantiles(quantiles, lower, upper)
    metalog = solve_coefficients(pairs, lower, upper, terms)
    if not is_feasible(metalog):
        raise InfeasibleError(infeasible_message(metalog, pairs, terms))
    return metalog


def infeasible_message(metalog: Metalog, pairs, terms: int | None = None) -> str:
    """Which quantiles: the two around the y where Q decreases (or the outermost one, when it is
    beyond them), and each quantile without which the rest give a feasible metalog."""
    _, y = feasibility(metalog)
    where = f"near P={_ptext(y)}" if 0.0 < y < 1.0 else ("at the lower end (P -> 0)" if y == 0.0 else
                                                      "at the upper end (P -> 1)")
    below = [q for q in pairs if q[0] <= y]
    above = [q for q in pairs if q[0] > y]
    if below and above:
        around = f"between --quantile {_qtext(*below[-1])} and --quantile {_qtext(*above[0])}"
    elif above:
        around = f"below --quantile {_qtext(*above[0])}"
    else:
        around = f"above --quantile {_qtext(*below[-1])}"
    drop = []
    if len(pairs) > 2 and terms is None:
        for i, q in enumerate(pairs):
            rest = pairs[:i] + pairs[i + 1:]
            try:
                if is_feasible(solve_coefficients(rest, metalog.lower, metalog.upper)):
                    drop.append(q)
            except InfeasibleError:
                continue
    hint = (f"; without {' or '.join('--quantile ' + _qtext(*q) for q in drop)} the other quantiles give one"
            if drop and len(drop) < len(pairs) else "")
    fixes = ["move these quantiles"] + (["give fewer terms (--terms)"] if metalog.k > 2 else [])
    fixes += [] if metalog.kind == "bounded" else ["bound it (--lower/--upper)"]
    return (f"no {metalog.kind} metalog of {metalog.k} terms passes through --quantile "
            f"{' --quantile '.join(_qtext(*q) for q in pairs)}: its quantile function would decrease "
            f"(a negative density) {where}, {around}{hint}; " + " or ".join([", ".join(fixes[:-1]), fixes[-1]][
                len(fixes) == 1:]))


def _ptext(y: float) -> str:
    """A probability near an end with its distance to it: 0.0832, 1-2.3e-05."""
    return f"{y:.3g}" if y <= 0.999 else f"1-{1.0 - y:.2g}"


# ---------------------------------------------------------------------------------------------
# the prior as code


def _vector(a, number) -> str:
    return ", ".join(number(v) for v in a)


def code_lines(metalog: Metalog, number=lambda v: f"{v:.6g}") -> dict[str, str]:
    """One line each: x as Keelin's quantile function of a uniform u, through the function
    ``metalog_quantile`` that each ``--emit`` program defines (numpyro and PyMC in Python, Stan in
    its ``functions`` block)."""
    a = _vector(metalog.a, number)
    bounds = "".join(f", {n}={number(v)}" for n, v in (("lower", metalog.lower), ("upper", metalog.upper))
                     if math.isfinite(v))
    stan_lo = number(metalog.lower) if math.isfinite(metalog.lower) else "negative_infinity()"
    stan_hi = number(metalog.upper) if math.isfinite(metalog.upper) else "positive_infinity()"
    return {
        "numpyro": f'numpyro.deterministic("x", metalog_quantile(numpyro.sample("u", dist.Uniform(0, 1)), '
                   f'[{a}]{bounds}))',
        "stan": f"metalog_quantile(u, [{a}]', {stan_lo}, {stan_hi})",
        "pymc": f'pm.Deterministic("x", metalog_quantile(pm.Uniform("u", 0, 1), [{a}]{bounds}))',
    }
