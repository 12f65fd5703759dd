"""Records of the discrete families: Poisson, BinomialProbs, BernoulliProbs, GeometricProbs,
NegativeBinomialProbs, NegativeBinomial2 (mean, concentration: NB2), BetaBinomial, DiscreteUniform.

Cores are vectorised (numpy ufuncs, scipy.special) and see integer values inside the support only;
``icdf`` is the smallest integer ``k`` with ``cdf(k) >= q``, found by stepping from scipy's
continuous inverse (``discrete_search``). Summaries are scalar; the mode is the smallest argmax of
the pmf, ties detected exactly on the given float values; entropies are direct sums.
"""

from __future__ import annotations

import math
from fractions import Fraction

from priorcli.errors import InfeasibleError
from priorcli.records.base import INF, discrete_entropy, discrete_search, np, param, record, sc
from priorcli.records.fitdata import bounds_check, check_counts, range_mle, require, require_counts


def _clip_unit(v: float) -> float:
    return min(max(v, 1e-6), 1.0 - 1e-6)


def _nb_total_count(m: float, s: float) -> float:
    """NB's r from mean and sd (over-dispersed: var = m + m^2 / r); a large r where var <= m."""
    excess = s * s - m
    return m * m / excess if excess > 1e-9 * m else 1e3 * max(m, 1.0)


# Poisson(rate)
def _poisson_logpmf(k, rate):
    direct = sc.xlogy(k, rate) - rate - sc.gammaln(k + 1.0)
    # Beyond k ~ 1e7 the three terms (~k log k) cancel to ~1e-16 k: Loader's saddle-point form,
    # -log(2 pi k)/2 - stirlerr(k) - k (d - log1p(d)) with d = (rate - k)/k, keeps full precision.
    big = np.asarray(k) > 1e7
    if not np.any(big):
        return direct
    kk = np.where(big, k, 1e7)
    d = (rate - kk) / kk
    stirlerr = 1.0 / (12.0 * kk) - 1.0 / (360.0 * kk**3)
    saddle = -0.5 * np.log(2.0 * np.pi * kk) - stirlerr - kk * _d_minus_log1p(d)
    return np.where(big, saddle, direct)


def _d_minus_log1p(d):
    """d - log1p(d), by its series d^2/2 - d^3/3 + ... where |d| < 0.05 (the subtraction would
    lose the digits that matter: d ~ 1e-5 leaves 5e-11 from two numbers of 1e-5)."""
    d = np.asarray(d, dtype=np.float64)
    small = np.abs(d) < 0.05
    t = np.where(small, d, 0.0)
    series = np.zeros_like(t)
    for j in range(24, 1, -1):  # Horner: sum over j >= 2 of (-1)^j d^j / j; 0.05^23 < 1e-29
        series = series * t + (1.0 if j % 2 == 0 else -1.0) / j
    series = series * t * t
    with np.errstate(all="ignore"):
        return np.where(small, series, d - np.log1p(np.where(small, 0.0, d)))


def _poisson_cdf(x, rate):
    return sc.pdtr(x, rate)


def _poisson_mode(rate):
    if rate >= 1.0 and rate == math.floor(rate):
        return rate - 1.0  # tie between rate-1 and rate
    return float(math.floor(rate))


def _poisson_entropy(rate):
    if rate == 0.0:
        return 0.0
    return discrete_entropy(lambda k: _poisson_logpmf(k, rate), 0.0, INF, rate, math.sqrt(rate))


def _poisson_mle(x):
    rate = float(np.mean(x))
    if not rate > 0.0:
        raise InfeasibleError("cannot fit Poisson: all values are 0, so the maximum-likelihood rate is 0")
    return {"rate": rate}


POISSON = record(
    "Poisson",
    (param("rate", "positive"),),  # numpyro allows rate >= 0 (GreaterThanEq(0))
    discrete=True,
    support=lambda rate: (0.0, INF),
    cdf=_poisson_cdf,
    icdf=lambda q, rate: discrete_search(lambda k: _poisson_cdf(k, rate), q, sc.pdtrik(q, rate), 0.0, INF),
    logpdf=_poisson_logpmf,
    mean=lambda rate: rate,
    variance=lambda rate: rate,
    mode=_poisson_mode,
    entropy=_poisson_entropy,
    moment_start=lambda m, s: {"rate": m} if m > 0.0 else None,
    direct={"mean": "rate"},
    fit_check=check_counts,
    mle=_poisson_mle,
)


# BinomialProbs(probs, total_count=1)  -- note numpyro's order: probs first
def _binom_logpmf(k, probs, total_count):
    n = total_count
    return (
        sc.gammaln(n + 1.0)
        - sc.gammaln(k + 1.0)
        - sc.gammaln(n - k + 1.0)
        + sc.xlogy(k, probs)
        + sc.xlog1py(n - k, -probs)
    )


def _binom_cdf(x, probs, total_count):
    return sc.bdtr(x, np.asarray(total_count).astype(np.int64), probs)


def _binom_icdf(q, probs, total_count):
    n = total_count
    guess = sc.bdtrik(q, n, probs)
    guess = np.where(np.isnan(guess), n * probs, guess)
    k = discrete_search(lambda k: _binom_cdf(k, probs, n), q, guess, 0.0, n)
    return np.where(probs == 0.0, 0.0, np.where(probs == 1.0, n, k))


def _binom_mode(probs, total_count):
    n = total_count
    if probs == 1.0:
        return n
    m = (Fraction(n) + 1) * Fraction(probs)
    if m.denominator == 1 and m >= 1:
        return float(m - 1)  # tie between m-1 and m
    return float(math.floor(m))


def _binom_entropy(probs, total_count):
    n = total_count
    if probs in (0.0, 1.0) or n == 0.0:
        return 0.0
    return discrete_entropy(
        lambda k: _binom_logpmf(k, probs, n), 0.0, n, n * probs, math.sqrt(n * probs * (1.0 - probs))
    )


def _binomial_fit_check(family, x, fixed):
    """Counts, up to the total_count where it is held (BinomialProbs, BetaBinomial)."""
    if "total_count" in fixed:
        require_counts(family, x, fixed["total_count"])
    else:
        require_counts(family, x)


def _binom_mle(x, probs=None, total_count=None):
    if total_count is None:
        raise AssertionError("total_count is fixed before the fit")  # the fitter refuses earlier
    if probs is None:
        probs = float(np.mean(x)) / total_count if total_count > 0 else 0.0
    return {"probs": probs, "total_count": total_count}


BINOMIAL = record(
    "BinomialProbs",
    (param("probs", "unit_interval"), param("total_count", "nonnegative_integer", 1)),
    discrete=True,
    support=lambda probs, total_count: (0.0, total_count),
    cdf=_binom_cdf,
    icdf=_binom_icdf,
    logpdf=_binom_logpmf,
    mean=lambda probs, total_count: total_count * probs,
    variance=lambda probs, total_count: total_count * probs * (1.0 - probs),
    mode=_binom_mode,
    entropy=_binom_entropy,
    support_params=("total_count",),
    fit_check=_binomial_fit_check,
    mle=_binom_mle,
)


# BernoulliProbs(probs)
def _bernoulli_entropy(probs):
    return -sc.xlogy(probs, probs) - sc.xlog1py(1.0 - probs, -probs)


BERNOULLI = record(
    "BernoulliProbs",
    (param("probs", "unit_interval"),),
    discrete=True,
    support=lambda probs: (0.0, 1.0),
    cdf=lambda x, probs: 1.0 - probs + 0.0 * x,  # only reached for x == 0
    icdf=lambda q, probs: np.where(q <= 1.0 - probs, 0.0, 1.0),
    logpdf=lambda k, probs: np.where(k == 1.0, sc.xlogy(1.0, probs), sc.xlog1py(1.0, -probs)),
    mean=lambda probs: probs,
    variance=lambda probs: probs * (1.0 - probs),
    mode=lambda probs: 1.0 if probs > 0.5 else 0.0,
    entropy=_bernoulli_entropy,
    moment_start=lambda m, s: {"probs": _clip_unit(m)},
    direct={"mean": "probs"},
    fit_check=lambda family, x, fixed: require_counts(family, x, 1.0),
    mle=lambda x: {"probs": float(np.mean(x))},
)


# GeometricProbs(probs): number of failures before the first success, support {0, 1, ...}
def _geom_cdf(x, probs):
    return np.where(probs < 1.0, -np.expm1((x + 1.0) * np.log1p(-probs)), 1.0)


def _geom_icdf(q, probs):
    guess = np.log1p(-q) / np.log1p(-probs) - 1.0
    k = discrete_search(lambda k: _geom_cdf(k, probs), q, np.where(probs >= 1.0, 0.0, guess), 0.0, INF)
    return np.where(probs >= 1.0, 0.0, k)


def _geom_entropy(probs):
    return (-sc.xlog1py(1.0 - probs, -probs) - sc.xlogy(probs, probs)) / probs


GEOMETRIC = record(
    "GeometricProbs",
    (param("probs", "open_unit_interval"),),
    discrete=True,
    support=lambda probs: (0.0, INF),
    cdf=_geom_cdf,
    icdf=_geom_icdf,
    logpdf=lambda k, probs: np.log(probs) + sc.xlog1py(k, -probs),
    mean=lambda probs: (1.0 - probs) / probs,
    variance=lambda probs: (1.0 - probs) / (probs * probs),
    mode=lambda probs: 0.0,
    entropy=_geom_entropy,
    moment_start=lambda m, s: {"probs": _clip_unit(1.0 / (1.0 + m))} if m >= 0.0 else None,
    fit_check=check_counts,
    mle=lambda x: {"probs": 1.0 / (1.0 + float(np.mean(x)))},
)


# NegativeBinomialProbs(total_count, probs) = GammaPoisson(total_count, rate=1/probs - 1).
# pmf(k) = C(k + r - 1, k) (1 - p)^r p^k: `probs` is the probability of the event being
# *counted*; this is scipy.stats.nbinom(n=total_count, p=1 - probs).
def _nb_logpmf(k, total_count, probs):
    r = total_count
    return sc.gammaln(k + r) - sc.gammaln(r) - sc.gammaln(k + 1.0) + r * np.log1p(-probs) + sc.xlogy(k, probs)


def _nb_cdf(x, total_count, probs, failure=None):
    """``failure``: 1 - probs when the caller has it more exactly (NB2 with a large mean)."""
    return sc.betainc(total_count, x + 1.0, 1.0 - probs if failure is None else failure)


def _nb_icdf(q, total_count, probs, failure=None):
    failure = 1.0 - probs if failure is None else failure
    guess = sc.nbdtrik(q, total_count, failure)
    guess = np.where(np.isnan(guess), total_count * probs / failure, guess)
    degenerate = (probs == 0.0) | (probs >= 1.0)
    k = discrete_search(lambda k: _nb_cdf(k, total_count, probs, failure), np.where(degenerate, 0.0, q),
                        np.where(degenerate, 0.0, guess), 0.0, INF)
    return np.where(probs == 0.0, 0.0, np.where(probs >= 1.0, INF, k))


def _nb_mode(total_count, probs):
    if probs >= 1.0:
        return None
    if total_count <= 1.0:
        return 0.0
    p = Fraction(probs)
    m = (Fraction(total_count) - 1) * p / (1 - p)
    if m.denominator == 1 and m >= 1:
        return float(m - 1)  # tie between m-1 and m
    return float(math.floor(m))


def _nb_entropy(total_count, probs):
    if probs == 0.0:
        return 0.0
    mean = total_count * probs / (1.0 - probs)
    sd = math.sqrt(mean) / math.sqrt(1.0 - probs)
    return discrete_entropy(lambda k: _nb_logpmf(k, total_count, probs), 0.0, INF, mean, sd)


def _nb_fit_check(family, x, fixed):
    require_counts(family, x)
    if not fixed:
        mean, var = float(np.mean(x)), float(np.var(x))
        if not var > mean:
            raise InfeasibleError(
                f"cannot fit {family}: the data are not over-dispersed (variance {var:.6g} <= mean {mean:.6g}), "
                "so the maximum-likelihood total_count is infinite; fit poisson instead"
            )


def _nb_fit_start(x):
    mean, var = float(np.mean(x)), float(np.var(x))
    r = mean * mean / (var - mean) if var > mean else 1.0
    r = r if r > 0 else 1.0
    return {"total_count": r, "probs": min(max(mean / (r + mean), 1e-6), 1.0 - 1e-6)}


NEGATIVE_BINOMIAL = record(
    "NegativeBinomialProbs",
    (param("total_count", "positive"), param("probs", "open_unit_interval")),
    discrete=True,
    support=lambda total_count, probs: (0.0, INF),
    cdf=_nb_cdf,
    icdf=_nb_icdf,
    logpdf=_nb_logpmf,
    mean=lambda total_count, probs: total_count * probs / (1.0 - probs) if probs < 1.0 else None,
    variance=lambda total_count, probs: total_count * probs / (1.0 - probs) ** 2 if probs < 1.0 else None,
    mode=_nb_mode,
    entropy=_nb_entropy,
    moment_start=lambda m, s: _nb_probs_start(m, s),
    fit_check=_nb_fit_check,
    fit_start=_nb_fit_start,
)


def _nb_probs_start(m: float, s: float) -> dict | None:
    if not m > 0.0:
        return None
    r = _nb_total_count(m, s)
    return {"total_count": r, "probs": _clip_unit(m / (m + r))}


# NegativeBinomial2(mean, concentration) = GammaPoisson(concentration, rate=concentration/mean):
# NB2 as regression users know it, var = mean + mean^2 / concentration; scipy's
# nbinom(n=concentration, p=concentration / (concentration + mean)).
def _nb2_probs(mean, concentration):
    return mean / (mean + concentration)


NEGATIVE_BINOMIAL_2 = record(
    "NegativeBinomial2",
    (param("mean", "positive"), param("concentration", "positive")),
    discrete=True,
    support=lambda mean, concentration: (0.0, INF),
    cdf=lambda x, mean, concentration: _nb_cdf(x, concentration, _nb2_probs(mean, concentration),
                                               concentration / (mean + concentration)),
    icdf=lambda q, mean, concentration: _nb_icdf(q, concentration, _nb2_probs(mean, concentration),
                                                 concentration / (mean + concentration)),
    logpdf=lambda k, mean, concentration: _nb_logpmf(k, concentration, _nb2_probs(mean, concentration)),
    mean=lambda mean, concentration: mean,
    variance=lambda mean, concentration: mean + mean * mean / concentration,
    mode=lambda mean, concentration: _nb_mode(concentration, _nb2_probs(mean, concentration)),
    entropy=lambda mean, concentration: _nb_entropy(concentration, _nb2_probs(mean, concentration)),
    moment_start=lambda m, s: {"mean": m, "concentration": _nb_total_count(m, s)} if m > 0.0 else None,
    direct={"mean": "mean"},
    formulas=("mean = mean", "variance = mean + mean^2 / concentration"),
    example="priorcli solve negativebinomial2 --mean 4 --sd 3",
    fit_check=_nb_fit_check,
    fit_start=lambda x: {"mean": max(float(np.mean(x)), 1e-6), "concentration": _nb_fit_start(x)["total_count"]},
)


# BetaBinomial(concentration1, concentration0, total_count=1): Binomial(n, p) with p ~ Beta(a, b);
# the cdf is the running sum of the pmf (no closed form), over 0..max total_count.
def _betabinom_logpmf(k, concentration1, concentration0, total_count):
    a, b, n = concentration1, concentration0, total_count
    return (sc.gammaln(n + 1.0) - sc.gammaln(k + 1.0) - sc.gammaln(n - k + 1.0)
            + sc.betaln(k + a, n - k + b) - sc.betaln(a, b))


def _betabinom_cdf(x, concentration1, concentration0, total_count):
    x, a, b, n = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in
                                       (x, concentration1, concentration0, total_count)))
    top = int(np.max(np.minimum(x, n))) if x.size else 0
    ks = np.arange(top + 1.0).reshape((-1,) + (1,) * x.ndim)
    pmf = np.exp(np.where(ks <= n, _betabinom_logpmf(np.minimum(ks, n), a, b, n), -INF))
    running = np.cumsum(pmf, axis=0)
    at = np.clip(np.minimum(x, n), 0, top).astype(np.int64)
    return np.minimum(np.take_along_axis(running, at[None, ...], axis=0)[0], 1.0)


def _betabinom_icdf(q, concentration1, concentration0, total_count):
    a, b, n = concentration1, concentration0, total_count
    return discrete_search(lambda k: _betabinom_cdf(k, a, b, n), q, n * a / (a + b), 0.0, n)


def _betabinom_scan(concentration1, concentration0, total_count):
    k = np.arange(total_count + 1.0)
    with np.errstate(all="ignore"):
        return k, _betabinom_logpmf(k, concentration1, concentration0, total_count)


def _betabinom_mode(concentration1, concentration0, total_count):
    k, lp = _betabinom_scan(concentration1, concentration0, total_count)
    best = np.flatnonzero(lp == np.max(lp))
    return float(k[best[0]]) if concentration1 > 0.0 else None


def _betabinom_entropy(concentration1, concentration0, total_count):
    _, lp = _betabinom_scan(concentration1, concentration0, total_count)
    p = np.exp(lp)
    return float(-np.sum(np.where(p > 0.0, p * lp, 0.0)))


def _betabinom_variance(concentration1, concentration0, total_count):
    a, b, n = concentration1, concentration0, total_count
    return n * a * b * (a + b + n) / ((a + b) ** 2 * (a + b + 1.0))


def _betabinom_fit_start(x):
    # moments with n = max(x) (the held total_count is not known here): a rough start suffices
    n = max(float(np.max(x)), 1.0)
    m = min(max(float(np.mean(x)) / n, 0.05), 0.95)
    return {"concentration1": 2.0 * m, "concentration0": 2.0 * (1.0 - m), "total_count": n}


BETA_BINOMIAL = record(
    "BetaBinomial",
    (param("concentration1", "positive"), param("concentration0", "positive"),
     param("total_count", "nonnegative_integer", 1)),
    discrete=True,
    support=lambda concentration1, concentration0, total_count: (0.0, total_count),
    cdf=_betabinom_cdf,
    icdf=_betabinom_icdf,
    logpdf=_betabinom_logpmf,
    mean=lambda concentration1, concentration0, total_count: (
        total_count * concentration1 / (concentration1 + concentration0)),
    variance=_betabinom_variance,
    mode=_betabinom_mode,
    entropy=_betabinom_entropy,
    formulas=("mean = total_count * concentration1 / (concentration1 + concentration0)",),
    example="priorcli solve betabinomial --total-count 10 --mean 3 --sd 2",
    support_params=("total_count",),
    fit_check=_binomial_fit_check,
    fit_start=_betabinom_fit_start,
)


# DiscreteUniform(low=0, high=1): integers low..high inclusive
def _du_cdf(x, low, high):
    return (x - low + 1.0) / (high - low + 1.0)


def _du_fit_check(family, x, fixed):
    require(family, x, x == np.floor(x), "the integers")
    bounds_check(-math.inf)(family, x, fixed)


DISCRETE_UNIFORM = record(
    "DiscreteUniform",
    (param("low", "dependent", 0), param("high", "dependent", 1)),
    discrete=True,
    support=lambda low, high: (low, high),
    cdf=_du_cdf,
    icdf=lambda q, low, high: discrete_search(
        lambda k: _du_cdf(k, low, high), q, low - 1.0 + np.ceil(q * (high - low + 1.0)), low, high
    ),
    logpdf=lambda k, low, high: 0.0 * k - np.log(high - low + 1.0),
    mean=lambda low, high: 0.5 * (low + high),
    variance=lambda low, high: ((high - low + 1.0) ** 2 - 1.0) / 12.0,
    mode=lambda low, high: low,  # all tied: the smallest
    entropy=lambda low, high: math.log(high - low + 1.0),
    support_params=("low", "high"),
    moving_support=(-INF, INF),
    fit_check=_du_fit_check,
    mle=range_mle("DiscreteUniform", extra=1.0),
)

RECORDS = (POISSON, BINOMIAL, BERNOULLI, GEOMETRIC, NEGATIVE_BINOMIAL, NEGATIVE_BINOMIAL_2, BETA_BINOMIAL,
           DISCRETE_UNIFORM)
