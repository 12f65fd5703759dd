"""HurdleNegativeBinomial2(gate, mean, concentration): 0 with probability ``gate``, else a
zero-truncated NegativeBinomial2(mean, concentration) (the NB2's variance mean + mean^2 / concentration).

numpyro has it as a factory function (``dist.HurdleNegativeBinomial2(gate, mean, concentration)``),
which discovery skips; priorcli's class (``priorcli.dists.zeroinflated``) is the same distribution
with the factory's parameter order. P(0) = gate, P(k) = (1 - gate) NB2(k) / (1 - NB2(0)) for k >= 1,
NB2(0) = (concentration / (concentration + mean))^concentration. As for ZeroInflatedNegativeBinomial2
the parameter ``mean`` is the NB2's: the family's mean is (1 - gate) mean / (1 - NB2(0)), a target
spelled ``--overall-mean`` (``own_targets``; ``--overall-sd`` or ``--sd`` its sd). PyMC's
``HurdleNegativeBinomial`` has ``psi`` = 1 - gate, ``mu`` = mean, ``alpha`` = concentration.

The record (``RECORD``) and its scipy oracle (``SCIPY``: built by hand from scipy's
nbinom(n=concentration, p=concentration / (concentration + mean)), truncated at 0). The
maximum-likelihood fit is separable (gate = the share of zeros; the NB2's two parameters maximise the
zero-truncated likelihood of the positive values), found numerically from a moment start.
"""

from __future__ import annotations

import math

from priorcli.records.base import INF, discrete_search, np, param, record, sc
from priorcli.records.fitdata import require_counts
from priorcli.records.negativebinomial import nb_cdf, nb_logpmf, nb_mode, nb_total_count
from priorcli.records.oracle import ZeroMassOracle
from priorcli.records.zeroinflatedpoisson import (
    GATE, HOLD_GATE, hurdle_logpmf, hurdle_truncated_cdf, require_gate_below_one, zero_entropy, zero_share,
)


def _probs(mean, concentration):
    """(NB2 success probability, failure probability) as numpyro's NegativeBinomial2 reads them."""
    return mean / (mean + concentration), concentration / (mean + concentration)


def _log_p0(mean, concentration):
    """log NB2(0) = concentration log(concentration / (concentration + mean)), without cancellation."""
    return -concentration * np.log1p(np.asarray(mean, dtype=float) / concentration)


def _positive(mean, concentration):
    """P(NB2 > 0) = 1 - NB2(0)."""
    return -np.expm1(_log_p0(mean, concentration))


def _cdf(k, gate, mean, concentration):
    probs, failure = _probs(mean, concentration)
    truncated = hurdle_truncated_cdf(
        k, lambda j: nb_cdf(j, concentration, probs, failure),
        lambda j: sc.betainc(np.maximum(np.floor(j), 0.0) + 1.0, concentration, probs),  # P(NB2 > j)
        np.exp(_log_p0(mean, concentration)), _positive(mean, concentration))
    return gate + (1.0 - gate) * truncated


def _icdf(q, gate, mean, concentration):
    _, failure = _probs(mean, concentration)
    inner = np.exp(_log_p0(mean, concentration)) + _positive(mean, concentration) * np.clip(
        (q - gate) / (1.0 - gate), 0.0, 1.0)
    raw = sc.nbdtrik(np.minimum(inner, 1.0), concentration, failure)
    guess = np.where(q <= gate, 0.0, np.maximum(np.where(np.isfinite(raw), raw, mean), 1.0))
    return discrete_search(lambda k: _cdf(k, gate, mean, concentration), q, guess, 0.0, INF)


def _logpmf(k, gate, mean, concentration):
    probs, _ = _probs(mean, concentration)
    return hurdle_logpmf(k, gate, lambda j: nb_logpmf(j, concentration, probs),
                         np.log(_positive(mean, concentration)))


def _mean(gate, mean, concentration):
    return (1.0 - gate) * mean / float(_positive(mean, concentration))


def _variance(gate, mean, concentration):
    second = (1.0 - gate) * (mean + mean * mean * (1.0 + 1.0 / concentration)) / float(_positive(mean, concentration))
    return second - _mean(gate, mean, concentration) ** 2


def _mode(gate, mean, concentration):
    """0, or the zero-truncated NB2's mode (the NB2's, or 1 when that is 0) when it beats the gate."""
    probs, _ = _probs(mean, concentration)
    top = max(1.0, nb_mode(concentration, probs))
    at_top = (1.0 - gate) * math.exp(float(_logpmf(top, gate, mean, concentration)) - math.log1p(-gate))
    return 0.0 if gate >= at_top else top


def _entropy(gate, mean, concentration):
    return zero_entropy(lambda k: _logpmf(k, gate, mean, concentration), _mean(gate, mean, concentration),
                        _variance(gate, mean, concentration))


def _moment_start(m, s):
    """A gate of 0.2, then the NB2 with the mean and variance that leaves (ignoring the truncation)."""
    if not m > 0.0:
        return None
    gate = 0.2
    mu = m / (1.0 - gate)
    variance = s * s / (1.0 - gate) - gate * mu * mu
    concentration = nb_total_count(mu, math.sqrt(variance)) if variance > mu else 10.0
    return {"gate": gate, "mean": mu, "concentration": max(concentration, 0.1)}


def _fit_check(family, x, fixed):
    require_counts(family, x)
    if "gate" not in fixed:
        require_gate_below_one(family, x)


def _fit_start(x):
    positives = x[x > 0.0]
    m = float(np.mean(positives)) if positives.size else 1.0
    s = float(np.std(positives)) if positives.size > 1 else 1.0
    return {"gate": min(max(zero_share(x), 0.02), 0.98), "mean": max(m - 0.5, 0.1),
            "concentration": max(nb_total_count(m, s), 0.1) if s * s > m else 10.0}


RECORD = record(
    "HurdleNegativeBinomial2",
    (param("gate", GATE), param("mean", "positive"), param("concentration", "positive")),
    discrete=True,
    support=lambda gate, mean, concentration: (0.0, INF),
    cdf=_cdf,
    icdf=_icdf,
    logpdf=_logpmf,
    mean=_mean,
    variance=_variance,
    mode=_mode,
    entropy=_entropy,
    moment_start=_moment_start,
    own_targets={"overall_mean": "mean", "overall_sd": "sd"},
    formulas=("P(0) = gate",
              "P(k) = (1 - gate) NB2(k | mean, concentration) / (1 - NB2(0)), k >= 1",
              "NB2(0) = (concentration / (concentration + mean))^concentration",
              "mean of the family = (1 - gate) mean / (1 - NB2(0))"),
    example="priorcli summarize hurdlenegativebinomial2 --gate 0.3 --mean 3 --concentration 2",
    zero_mass=lambda gate, mean, concentration: gate,
    direct={"p_zero": "gate"},
    maxent_holds=HOLD_GATE,
    fit_check=_fit_check,
    fit_start=_fit_start,
)

SCIPY = ZeroMassOracle("nbinom", lambda mean, concentration: {"n": concentration,
                                                             "p": concentration / (concentration + mean)},
                       "hurdle")
