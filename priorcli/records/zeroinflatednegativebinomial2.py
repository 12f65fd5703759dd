"""ZeroInflatedNegativeBinomial2(mean, concentration, gate): a structural zero with probability
``gate``, else a NegativeBinomial2(mean, concentration) (var = mean + mean^2 / concentration).

numpyro has it as a factory function (``dist.ZeroInflatedNegativeBinomial2(mean, concentration,
gate=...)``), which discovery skips; priorcli's class (``priorcli.dists.zeroinflated``) is the same
distribution with the factory's parameter order. ``gate`` is in [0, 1) as ZeroInflatedPoisson's
(``priorcli.records.zeroinflatedpoisson``, whose zero-inflation helpers this uses). Note that the
parameter ``mean`` is the NB2's: the family's mean is (1 - gate) * mean. So ``--mean`` is that
parameter, and the family's own mean and sd are the targets ``--overall-mean`` and ``--overall-sd``
(``own_targets``; ``--sd`` is the overall sd too, no parameter hiding it), with closed forms
(``INVERSIONS``): with the gate held, mean = M / (1 - gate) and 1 / concentration =
(V / M - 1) / mean - gate; with the concentration held, gate = (A - M / concentration) / (A + M),
A = V / M - 1 (M, V the overall mean and variance).

The record (``RECORD``) and its scipy oracle (``SCIPY``: built by hand from scipy's
nbinom(n=concentration, p=concentration / (concentration + mean))). The maximum-likelihood fit
maximises the likelihood numerically (BFGS in log/logit coordinates) from a moment start.
"""

from __future__ import annotations

import math

from priorcli.records.base import INF, inversion, np, param, record, sc
from priorcli.records.fitdata import require_counts
from priorcli.records.negativebinomial import nb_cdf, nb_logpmf, nb_total_count
from priorcli.records.negativebinomial2 import RECORD as NB2
from priorcli.records.oracle import ZeroMassOracle
from priorcli.records.zeroinflatedpoisson import (
    GATE, HOLD_GATE, require_gate_below_one, zero_entropy, zero_share, zi_cdf, zi_icdf, zi_logpmf, zi_mean, zi_mode, zi_variance,
)


def _base(mean, concentration):
    """(the NB2's cdf, log pmf, icdf guess) as functions of k."""
    probs, failure = mean / (mean + concentration), concentration / (mean + concentration)
    return (lambda k: nb_cdf(k, concentration, probs, failure),
            lambda k: nb_logpmf(k, concentration, probs),
            lambda q: sc.nbdtrik(q, concentration, failure))


def _cdf(k, mean, concentration, gate):
    return zi_cdf(k, gate, _base(mean, concentration)[0])


def _icdf(q, mean, concentration, gate):
    cdf, _, guess = _base(mean, concentration)
    return zi_icdf(q, gate, cdf, lambda p: np.where(np.isnan(guess(p)), mean, guess(p)))


def _logpmf(k, mean, concentration, gate):
    return zi_logpmf(k, gate, _base(mean, concentration)[1])


def _variance(mean, concentration, gate):
    return zi_variance(gate, mean, mean + mean * mean / concentration)


def _mode(mean, concentration, gate):
    return zi_mode(gate, NB2.mode(mean=mean, concentration=concentration), _base(mean, concentration)[1])


def _entropy(mean, concentration, gate):
    return zero_entropy(lambda k: _logpmf(k, mean, concentration, gate), zi_mean(gate, mean),
                        _variance(mean, concentration, gate))


def _moment_start(m, s):
    """A gate of 0.2, then the NB2 matching the mean and variance that leaves."""
    if not m > 0.0:
        return None
    gate = 0.2
    mu = m / (1.0 - gate)
    excess = (s * s / (1.0 - gate) - mu) / (mu * mu) - gate  # 1 / concentration
    return {"mean": mu, "concentration": 1.0 / excess if excess > 1e-3 else 10.0, "gate": gate}


def _excess(mean, sd):
    """A = V / M - 1: the overall variance's excess over a Poisson's."""
    return sd * sd / mean - 1.0


def _inverse_concentration(mean, sd, gate):
    """1 / concentration from the overall mean and sd with the gate held (the NB2's mean is M / (1 - gate))."""
    return _excess(mean, sd) * (1.0 - gate) / mean - gate


INVERSIONS = (
    inversion({"mean"}, {"gate", "concentration"})(lambda xp, mean, gate, concentration: {"mean": mean / (1.0 - gate)}),
    inversion({"mean", "sd"}, {"gate"}, valid=lambda mean, sd, gate: _inverse_concentration(mean, sd, gate) > 0.0,
              why=lambda mean, sd, gate: f"mean={mean:g} and sd={sd:g} with gate={gate:g} need a variance above "
                                         f"{mean + gate * mean * mean / (1.0 - gate):g} (the variance with no NB2 "
                                         "over-dispersion, concentration = inf)")(
        lambda xp, mean, sd, gate: {"mean": mean / (1.0 - gate),
                                    "concentration": 1.0 / _inverse_concentration(mean, sd, gate)}),
    inversion({"mean", "sd"}, {"concentration"},
              valid=lambda mean, sd, concentration: _excess(mean, sd) >= mean / concentration,
              why=lambda mean, sd, concentration: f"mean={mean:g} and sd={sd:g} with concentration={concentration:g} "
                                                  f"need a variance of at least {mean + mean * mean / concentration:g} "
                                                  "(the NB2's own, gate = 0)")(
        lambda xp, mean, sd, concentration: _gate_and_mean(mean, sd, concentration)),
)


def _gate_and_mean(mean, sd, concentration):
    a = _excess(mean, sd)
    gate = (a - mean / concentration) / (a + mean)
    return {"mean": mean / (1.0 - gate), "gate": gate}


def _fit_check(family, x, fixed):
    require_counts(family, x)
    if "gate" not in fixed:
        require_gate_below_one(family, x)


def _fit_start(x):
    m, s = float(np.mean(x)), float(np.std(x))
    start = _moment_start(max(m, 1e-3), max(s, 1e-3))
    nb0 = math.exp(float(_base(start["mean"], start["concentration"])[1](0.0)))
    start["gate"] = min(max((zero_share(x) - nb0) / (1.0 - nb0), 0.05), 0.9)
    start["mean"] = max(m, 1e-3) / (1.0 - start["gate"])
    start["concentration"] = max(nb_total_count(start["mean"], max(s, 1e-3)), 0.1) if s * s > m else 10.0
    return start


RECORD = record(
    "ZeroInflatedNegativeBinomial2",
    (param("mean", "positive"), param("concentration", "positive"), param("gate", GATE)),
    discrete=True,
    support=lambda mean, concentration, gate: (0.0, INF),
    cdf=_cdf,
    icdf=_icdf,
    logpdf=_logpmf,
    mean=lambda mean, concentration, gate: zi_mean(gate, mean),
    variance=_variance,
    mode=_mode,
    entropy=_entropy,
    moment_start=_moment_start,
    inversions=INVERSIONS,
    own_targets={"overall_mean": "mean", "overall_sd": "sd"},
    formulas=("P(0) = gate + (1 - gate) (concentration / (concentration + mean))^concentration",
              "mean of the family = (1 - gate) mean",
              "variance = (1 - gate) mean (1 + mean (gate + 1 / concentration))"),
    example="priorcli solve zeroinflatednegativebinomial2 --gate 0.3 --overall-mean 2 --sd 3",
    zero_mass=lambda mean, concentration, gate: gate + (1.0 - gate) * math.exp(
        concentration * (math.log(concentration) - math.log(concentration + mean))),
    maxent_holds=HOLD_GATE,
    fit_check=_fit_check,
    fit_start=_fit_start,
)

SCIPY = ZeroMassOracle("nbinom", lambda mean, concentration: {"n": concentration,
                                                             "p": concentration / (concentration + mean)},
                       "inflated")
