"""ZeroInflatedPoisson(gate, rate=1): a structural zero with probability ``gate``, else a Poisson.

``gate`` is numpyro's: the probability of the structural zero (PyMC's ``psi`` is 1 - gate). It
lies in [0, 1): gate = 0 is the Poisson itself, gate = 1 would put all the mass at 0 (refused).

P(0) = gate + (1 - gate) e^-rate, P(k) = (1 - gate) Poisson(k | rate) for k >= 1. The cdf is
gate + (1 - gate) G(k) (G the Poisson cdf), quantiles the smallest k with cdf(k) >= q (a search on
that mixed cdf), mean (1 - gate) rate, variance (1 - gate) rate (1 + gate rate).

The helpers ``zi_*`` and ``hurdle_*`` here (and ``GATE``, the gate's domain) serve the other
zero-inflated and hurdle families (``zeroinflatednegativebinomial2``, ``hurdlepoisson``,
``hurdlegamma``, ``hurdlelognormal``): each is a ``gate`` and a base family's record.

The record (``RECORD``) and its scipy oracle (``SCIPY``: scipy.stats has no zero-inflated families,
so it is built by hand from scipy's poisson, ``priorcli.records.oracle.ZeroMassOracle``).

The maximum-likelihood fit: with nothing held the score equations reduce to one in the rate,
(1 - e^-r) / r = (1 - p0) / mean (p0 the share of zeros), and gate = 1 - mean / r; when that gate
would be negative (fewer zeros than a Poisson has) the maximum is on the boundary gate = 0, the
Poisson fit. With the rate held the gate is (p0 - e^-r) / (1 - e^-r) (or 0); with the gate held
the rate maximises the one-dimensional likelihood (a scan, then a bounded refinement).
"""

from __future__ import annotations

import math

from priorcli.errors import InfeasibleError
from priorcli.records.discrete import discrete_entropy
from priorcli.records.base import INF, discrete_search, inversion, np, param, record, sc
from priorcli.records.domain import GATE  # noqa: F401  (the hurdle records import it from here)
from priorcli.records.fitdata import check_counts, solve_decreasing
from priorcli.records.oracle import ZeroMassOracle
from priorcli.records.poisson import RECORD as POISSON



# ---- zero inflation: P(0) = g + (1 - g) B(0), P(k) = (1 - g) B(k) ---------------------------------


# what a maximum-entropy interval solve needs held (the record's maxent_holds): the gate, as PreliZ's
# maxent holds psi; with it free a ZeroInflatedPoisson's entropy grows without bound (gate -> the
# interval's mass, rate -> inf) for an interval from 0
HOLD_GATE = ("gate", "hold it with --gate G or give P(X = 0) with --p-zero P, as PreliZ's maxent holds psi")


def zi_logpmf(k, gate, base_logpmf):
    """log P(k): ``base_logpmf(k)`` the base's log pmf (vectorised)."""
    lp = base_logpmf(k)
    nonzero = np.log1p(-gate) + lp
    at_gate = np.log(gate)
    if isinstance(k, np.ndarray) and k.ndim == 1 and np.ndim(gate) == 0 and nonzero.shape == k.shape:
        # the mixture's logaddexp only where k = 0 (one term of an entropy sum's thousands), the same floats
        zero = k == 0
        out = nonzero.astype(np.float64, copy=True)
        out[zero] = np.logaddexp(at_gate, nonzero[zero])
        return out
    return np.where(k == 0, np.logaddexp(at_gate, nonzero), nonzero)


def zi_cdf(k, gate, base_cdf):
    return gate + (1.0 - gate) * base_cdf(k)


def zi_icdf(q, gate, base_cdf, base_icdf):
    """Smallest k with cdf(k) >= q, searched on the mixed cdf from the base's quantile."""
    inner = np.clip((q - gate) / (1.0 - gate), 0.0, 1.0)
    guess = np.where(q <= gate, 0.0, base_icdf(inner))
    return discrete_search(lambda k: zi_cdf(k, gate, base_cdf), q, guess, 0.0, INF)


def zi_mean(gate, mean):
    return (1.0 - gate) * mean


def zi_variance(gate, mean, variance):
    return (1.0 - gate) * (variance + gate * mean * mean)


def zi_mode(gate, base_mode, base_logpmf):
    """The smallest k with the largest P(k): 0, or the (unimodal) base's mode if that beats P(0)."""
    if base_mode is None:
        return None
    if base_mode == 0.0:
        return 0.0
    p0 = gate + (1.0 - gate) * math.exp(float(base_logpmf(0.0)))
    at_mode = (1.0 - gate) * math.exp(float(base_logpmf(float(base_mode))))
    return 0.0 if p0 >= at_mode else float(base_mode)


def zero_entropy(logpmf, mean, variance):
    """-sum P log P of a zero-inflated or hurdle family, summed from 0."""
    spread = math.sqrt(max(variance, 0.0)) if variance is not None else 1.0
    return discrete_entropy(logpmf, 0.0, INF, mean, max(spread, 1.0))


# ---- hurdle (discrete base): P(0) = g, P(k) = (1 - g) B(k) / (1 - B(0)) ------------------------


def hurdle_logpmf(k, gate, base_logpmf, log_positive):
    """``log_positive``: log(1 - B(0)), the base's mass above 0."""
    return np.where(k == 0, np.log(gate), np.log1p(-gate) + base_logpmf(k) - log_positive)


def hurdle_truncated_cdf(k, base_cdf, base_sf, p0, positive):
    """P(Y <= k | Y >= 1) for the base Y, from whichever side keeps its digits."""
    below = base_cdf(k)
    return np.where(k < 1, 0.0, np.where(below < 0.5, (below - p0) / positive, 1.0 - base_sf(k) / positive))


# ---- hurdle (continuous base on (0, inf)): an atom g at 0, (1 - g) f(x) above -----------------


def hurdle_logpdf(x, gate, base_logpdf):
    """log g at the atom (0), log(1 - g) + log f(x) above it, as numpyro's Hurdle* log_prob."""
    safe = np.where(x == 0, 1.0, x)
    return np.where(x == 0, np.log(gate), np.log1p(-gate) + base_logpdf(safe))


def hurdle_icdf(q, gate, base_icdf):
    inner = np.clip((q - gate) / (1.0 - gate), 0.0, 1.0)
    return np.where(q <= gate, 0.0, base_icdf(inner))


def zero_share(x) -> float:
    return float(np.mean(x == 0.0))


def require_gate_below_one(family: str, x) -> None:
    if np.all(x == 0.0):
        raise InfeasibleError(f"cannot fit {family}: all values are 0, so the maximum-likelihood gate is 1 "
                              "(all the mass at 0), outside [0, 1)")


# ---- ZeroInflatedPoisson ---------------------------------------------------------------------


def _logpmf(k, gate, rate):
    return zi_logpmf(k, gate, lambda j: POISSON.logpdf(j, rate=rate))


def _cdf(k, gate, rate):
    return zi_cdf(k, gate, lambda j: sc.pdtr(j, rate))


def _icdf(q, gate, rate):
    return zi_icdf(q, gate, lambda j: sc.pdtr(j, rate), lambda p: sc.pdtrik(p, rate))


def _mode(gate, rate):
    return zi_mode(gate, POISSON.mode(rate=rate), lambda j: POISSON.logpdf(j, rate=rate))


def _entropy(gate, rate):
    return zero_entropy(lambda k: _logpmf(k, gate, rate), zi_mean(gate, rate), zi_variance(gate, rate, rate))


def _moment_start(m, s):
    """Exact where var > mean: rate = mean + var / mean - 1, gate = (var / mean - 1) / rate."""
    if not m > 0.0:
        return None
    excess = s * s / m - 1.0
    rate = m + max(excess, 0.0)
    gate = min(max(excess / rate, 0.02), 0.9)
    return {"gate": gate, "rate": m / (1.0 - gate) if excess <= 0.0 else rate}


def _zip_rate(mean: float, positive_share: float) -> float:
    """The rate with (1 - e^-r) / r = positive_share / mean (< 1): decreasing in r."""
    target = positive_share / mean
    return solve_decreasing(lambda r: -math.expm1(-r) / r - target, 1.0 / target, "ZeroInflatedPoisson rate")


def _rate_given_gate(x, gate: float) -> float:
    """The rate maximising the likelihood with the gate held: a log-spaced scan, then Brent."""
    from scipy.optimize import minimize_scalar

    n0, positives = int(np.sum(x == 0.0)), x[x > 0.0]
    total, npos = float(np.sum(positives)), positives.size
    if npos == 0:
        raise InfeasibleError("cannot fit ZeroInflatedPoisson with the gate held: all values are 0, so the "
                              "maximum-likelihood rate is 0")

    def nll(u):
        r = math.exp(u)
        zero = math.log(gate + (1.0 - gate) * math.exp(-r)) if n0 else 0.0
        return -(n0 * zero + total * u - npos * r)

    centre = math.log(total / npos)
    grid = np.linspace(centre - 12.0, centre + 2.0, 281)
    values = [nll(u) for u in grid]
    i = int(np.argmin(values))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    res = minimize_scalar(nll, bounds=(lo, hi), method="bounded", options={"xatol": 1e-13})
    return math.exp(float(res.x))


def _mle(x, gate=None, rate=None):
    require_gate_below_one("ZeroInflatedPoisson", x)
    mean, p0 = float(np.mean(x)), zero_share(x)
    if gate is None and rate is None:
        if float(np.max(x)) == 1.0 or mean <= 1.0 - p0:  # every nonzero value is 1: the rate runs to 0
            raise InfeasibleError("cannot fit ZeroInflatedPoisson: every nonzero value is 1, so the "
                                  "maximum-likelihood rate is 0")
        r = _zip_rate(mean, 1.0 - p0)
        g = 1.0 - mean / r
        if g <= 0.0:  # fewer zeros than a Poisson of that mean has: the boundary gate = 0
            return {"gate": 0.0, "rate": mean}
        return {"gate": g, "rate": r}
    if gate is None:
        e = math.exp(-rate)
        return {"gate": max((p0 - e) / -math.expm1(-rate), 0.0), "rate": rate}
    return {"gate": gate, "rate": _rate_given_gate(x, gate)}


RECORD = record(
    "ZeroInflatedPoisson",
    (param("gate", GATE), param("rate", "positive", 1.0)),
    discrete=True,
    support=lambda gate, rate: (0.0, INF),
    cdf=_cdf,
    icdf=_icdf,
    logpdf=_logpmf,
    mean=lambda gate, rate: zi_mean(gate, rate),
    variance=lambda gate, rate: zi_variance(gate, rate, rate),
    mode=_mode,
    entropy=_entropy,
    moment_start=_moment_start,
    inversions=(
        inversion({"mean", "sd"}, valid=lambda mean, sd: sd * sd > mean,
                  why=lambda mean, sd: f"sd={sd:g} needs a variance above the mean ({mean:g}): a zero-inflated "
                                       "Poisson is over-dispersed")(
            lambda xp, mean, sd: {"rate": mean + sd * sd / mean - 1.0,
                                  "gate": (sd * sd / mean - 1.0) / (mean + sd * sd / mean - 1.0)}),
        inversion({"mean"}, {"gate"})(lambda xp, mean, gate: {"rate": mean / (1.0 - gate)}),
    ),
    formulas=("P(0) = gate + (1 - gate) exp(-rate)", "mean = (1 - gate) rate",
              "variance = (1 - gate) rate (1 + gate rate)"),
    example="priorcli solve zeroinflatedpoisson --mean 3 --quantile 0.5=2",
    zero_mass=lambda gate, rate: gate + (1.0 - gate) * math.exp(-rate),
    maxent_holds=HOLD_GATE,
    fit_check=check_counts,
    mle=_mle,
)

SCIPY = ZeroMassOracle("poisson", lambda rate: {"mu": rate}, "inflated")
