"""NegativeBinomialProbs(total_count, probs) = GammaPoisson(total_count, rate=1/probs - 1); its
cores serve NegativeBinomial2 too.

The record (``RECORD``) and its scipy oracle (``SCIPY``: the scipy.stats distribution and the
parameter translation the tests check against; scipy.stats is imported when it is called).
"""

from __future__ import annotations

import math
from fractions import Fraction

from priorcli.errors import InfeasibleError
from priorcli.records.base import INF, discrete_entropy, discrete_search, np, param, record, sc
from priorcli.records.discrete import integer_run, log_factorial, xlogy_scalar
from priorcli.records import shape
from priorcli.records.fitdata import require_counts
from priorcli.records.oracle import ScipyOracle
from priorcli.records.starts import clip_unit


def nb_total_count(m: float, s: float) -> float:
    """NB's r from mean and sd (over-dispersed: var = m + m^2 / r); a large r where var <= m."""
    excess = s * s - m
    return m * m / excess if excess > 1e-9 * m else 1e3 * max(m, 1.0)

# NegativeBinomialProbs(total_count, probs) = GammaPoisson(total_count, rate=1/probs - 1).
# pmf(k) = C(k + r - 1, k) (1 - p)^r p^k: `probs` is the probability of the event being
# *counted*; this is scipy.stats.nbinom(n=total_count, p=1 - probs).
def nb_logpmf(k, total_count, probs):
    r = total_count
    # log k! and k log p as scipy's gammaln and xlogy, the same floats, cheaper on the entropy sums' aranges
    return _log_choose(k, r) + r * np.log1p(-probs) + xlogy_scalar(k, probs)


_CHOSEN: dict = {}  # (r's bits, first, end) -> the terms below on that arange: the last few


def _log_choose(k, r):
    """gammaln(k + r) - gammaln(r) - gammaln(k + 1), the same floats; remembered on the entropy sums'
    aranges for a scalar r, which a search's steps in the mean alone (half its central differences)
    leave unchanged."""
    run = integer_run(k) if np.ndim(r) == 0 else None
    if run is None or run[1] - run[0] > 1 << 16:  # kept: at most 8 x 0.5 MB
        return sc.gammaln(k + r) - sc.gammaln(r) - log_factorial(k)
    key = (float(r).hex(), type(r)) + run
    out = _CHOSEN.get(key)
    if out is None:
        out = sc.gammaln(k + r) - sc.gammaln(r) - log_factorial(k, run)
        if len(_CHOSEN) >= 8:
            _CHOSEN.pop(next(iter(_CHOSEN)))
        _CHOSEN[key] = out
    return out


def nb_cdf(x, total_count, probs, failure=None):
    """``failure``: 1 - probs when the caller has it more exactly (NB2 with a large mean)."""
    return sc.betainc(total_count, x + 1.0, 1.0 - probs if failure is None else failure)


def nb_icdf(q, total_count, probs, failure=None):
    failure = 1.0 - probs if failure is None else failure
    guess = sc.nbdtrik(q, total_count, failure)
    guess = np.where(np.isnan(guess), total_count * probs / failure, guess)
    degenerate = (probs == 0.0) | (probs >= 1.0)
    k = discrete_search(lambda k: nb_cdf(k, total_count, probs, failure), np.where(degenerate, 0.0, q),
                        np.where(degenerate, 0.0, guess), 0.0, INF)
    return np.where(probs == 0.0, 0.0, np.where(probs >= 1.0, INF, k))


def nb_mode(total_count, probs):
    if probs >= 1.0:
        return None
    if total_count <= 1.0:
        return 0.0
    p = Fraction(probs)
    m = (Fraction(total_count) - 1) * p / (1 - p)
    if m.denominator == 1 and m >= 1:
        return float(m - 1)  # tie between m-1 and m
    return float(math.floor(m))


def nb_entropy(total_count, probs):
    if probs == 0.0:
        return 0.0
    mean = total_count * probs / (1.0 - probs)
    sd = math.sqrt(mean) / math.sqrt(1.0 - probs)
    return discrete_entropy(lambda k: nb_logpmf(k, total_count, probs), 0.0, INF, mean, sd)


def nb_fit_check(family, x, fixed):
    require_counts(family, x)
    if not fixed:
        mean, var = float(np.mean(x)), float(np.var(x))
        if not var > mean:
            raise InfeasibleError(
                f"cannot fit {family}: the data are not over-dispersed (variance {var:.6g} <= mean {mean:.6g}), "
                "so the maximum-likelihood total_count is infinite; fit poisson instead"
            )


def nb_fit_start(x):
    mean, var = float(np.mean(x)), float(np.var(x))
    r = mean * mean / (var - mean) if var > mean else 1.0
    r = r if r > 0 else 1.0
    return {"total_count": r, "probs": min(max(mean / (r + mean), 1e-6), 1.0 - 1e-6)}


RECORD = record(
    "NegativeBinomialProbs",
    (param("total_count", "positive"), param("probs", "open_unit_interval")),
    discrete=True,
    support=lambda total_count, probs: (0.0, INF),
    cdf=nb_cdf,
    icdf=nb_icdf,
    logpdf=nb_logpmf,
    mean=lambda total_count, probs: total_count * probs / (1.0 - probs) if probs < 1.0 else None,
    variance=lambda total_count, probs: total_count * probs / (1.0 - probs) ** 2 if probs < 1.0 else None,
    mode=nb_mode,
    entropy=nb_entropy,
    **shape.pair(lambda total_count, probs: shape.negbinomial(total_count, 1.0 - probs)),
    moment_start=lambda m, s: _nb_probs_start(m, s),
    fit_check=nb_fit_check,
    fit_start=nb_fit_start,
    not_auto="NegativeBinomial2 in (total_count, probs)",
)


def _nb_probs_start(m: float, s: float) -> dict | None:
    if not m > 0.0:
        return None
    r = nb_total_count(m, s)
    return {"total_count": r, "probs": clip_unit(m / (m + r))}

SCIPY = ScipyOracle("nbinom", lambda total_count, probs: {"n": total_count, "p": 1.0 - probs})
