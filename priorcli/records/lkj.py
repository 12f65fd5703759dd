"""LKJ(dimension, concentration) and LKJCholesky: the correlation-matrix priors, which no anchor
on the matrix itself solves, read through the marginal of one correlation.

For a K x K correlation matrix R ~ LKJ(K, eta) every off-diagonal r = R[i, j] has the marginal
(r + 1) / 2 ~ Beta(a, a) with a = eta - 1 + K / 2 (Lewandowski, Kurowicka and Joe 2009, section
3.2; the Stan functions reference's lkj_corr). LKJCholesky(K, eta) is the same prior on the
Cholesky factor L (R = L L^T). What priorcli knows beyond numpyro lives here: the parameters'
checks, the marginal, P(|r| < c), and the concentration that puts a mass on an interval of r or
a quantile at a value. Pure Python and scipy (imported lazily); numpyro draws live in
:mod:`priorcli.sampling.lkj`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from priorcli.errors import InfeasibleError, UsageError
from priorcli.records.base import FamilyRecord, MatrixElements, param
from priorcli.records.domain import POSITIVE, Domain

#: normalized spelling (lower case, no '-' or '_') -> numpyro class name
NAMES = {"lkj": "LKJ", "lkjcholesky": "LKJCholesky"}
#: --NAME spellings of the two parameters (numpyro's names first)
PARAM_ALIASES = {"dimension": "dimension", "k": "dimension", "concentration": "concentration", "eta": "concentration"}
#: the half-width c of the default interval |r| < c whose probability summaries report
HALF_WIDTH = 0.5
#: the JSON key of that probability, beside the Summary's own keys
P_KEY = "p_abs_r_below_0.5"
FORMULAS = (
    "every correlation r = R[i, j] (i != j): (r + 1) / 2 ~ Beta(a, a), a = concentration - 1 + dimension / 2",
    "mean 0, sd = 1 / sqrt(2 a + 1); concentration 1 is uniform over correlation matrices",
    "LKJCholesky: the same prior on the Cholesky factor L of R = L L^T",
)
#: the concentrations a solve searches between
ETA_RANGE = (1e-8, 1e8)


def family_name(name: str | None) -> str | None:
    """'LKJ' or 'LKJCholesky' for any spelling of them (lkj, LKJ-Cholesky), else None."""
    if name is None:
        return None
    return NAMES.get(name.lower().replace("-", "").replace("_", ""))


@dataclass(frozen=True)
class LKJParams:
    dimension: int
    concentration: float

    @property
    def shape(self) -> float:
        """a of the Beta(a, a) marginal of (r + 1) / 2."""
        return self.concentration - 1.0 + self.dimension / 2.0


def marginal_sd(params: LKJParams) -> float:
    """sd of one correlation: r = 2 B - 1 with B ~ Beta(a, a), var B = 1 / (4 (2 a + 1))."""
    return 1.0 / math.sqrt(2.0 * params.shape + 1.0)


def check_dimension(value: float, argument: str = "--dimension") -> int:
    if value != math.floor(value) or value < 2:
        raise UsageError(f"{argument} must be a whole number of at least 2 (a K x K correlation matrix), "
                         f"got {value:g}")
    if value > 10_000:
        raise UsageError(f"{argument} {value:g} is too large: at most 10000")
    return int(value)


def check_concentration(value: float, argument: str = "--concentration") -> float:
    if not (math.isfinite(value) and value > 0):
        raise UsageError(f"{argument} must be a positive number (eta > 0; 1 is uniform over correlation matrices), "
                         f"got {value:g}")
    return float(value)


def make_params(dimension: float, concentration: float) -> LKJParams:
    return LKJParams(check_dimension(dimension), check_concentration(concentration))


def interval_mass(dimension: int, concentration: float, lower: float, upper: float) -> float:
    """P(lower < r < upper) for one correlation r."""
    from scipy.special import betainc

    a = concentration - 1.0 + dimension / 2.0
    lo, hi = (max(-1.0, lower) + 1.0) / 2.0, (min(1.0, upper) + 1.0) / 2.0
    if hi <= lo:
        return 0.0
    # symmetric Beta(a, a): the mass between lo and hi, each end's tail computed where it is small
    return float(betainc(a, a, hi) - betainc(a, a, lo)) if lo < 0.5 else float(betainc(a, a, 1 - lo) - betainc(a, a, 1 - hi))


def cdf(dimension: int, concentration: float, value: float) -> float:
    from scipy.special import betainc

    a = concentration - 1.0 + dimension / 2.0
    return float(betainc(a, a, min(1.0, max(0.0, (value + 1.0) / 2.0))))


# ---------------------------------------------------------------------------------------------
# the concentration from a judgement on one correlation


def check_correlation(value: float, argument: str) -> float:
    if not -1.0 < value < 1.0:
        raise UsageError(f"{argument} must be a correlation strictly between -1 and 1, got {value:g}")
    return value


def solve_concentration(dimension: int, *, lower: float | None = None, upper: float | None = None,
                        mass: float | None = None, quantile: tuple[float, float] | None = None) -> float:
    """eta that puts ``mass`` on (lower, upper), or the quantile (p, v): P(r < v) = p.

    Both are monotone in eta where they can be met: the mass of an interval holding 0 grows with
    eta (the marginal concentrates at 0), and so does P(r < v) for v > 0 (falls for v < 0). Root
    found with scipy's brentq on log(eta); InfeasibleError (exit 1) when no eta in ETA_RANGE meets it."""
    import numpy as np
    from scipy.optimize import brentq

    if quantile is not None:
        p, v = quantile
        if v == 0.0:
            raise InfeasibleError(f"--quantile {p:g}={v:g}: every LKJ has median 0; a quantile at 0 fixes no eta")
        if (p - 0.5) * v <= 0:
            raise InfeasibleError(f"--quantile {p:g}={v:g}: the marginal of r is symmetric about 0, so its "
                                  f"{p:g} quantile is {'above' if p > 0.5 else 'below'} 0")
        want, achieved = p, lambda eta: cdf(dimension, eta, v)
        what = f"--quantile {p:g}={v:g}"
    else:
        if not lower < 0.0 < upper:
            raise UsageError(f"--lower {lower:g} --upper {upper:g}: the interval must hold 0 (the marginal of r is "
                             "symmetric about 0, and only such an interval's mass grows with the concentration)")
        want, achieved = mass, lambda eta: interval_mass(dimension, eta, lower, upper)
        what = f"--mass {mass:g} on ({lower:g}, {upper:g})"

    def gap(log_eta: float) -> float:
        return achieved(math.exp(log_eta)) - want

    lo, hi = (math.log(e) for e in ETA_RANGE)
    g_lo, g_hi = gap(lo), gap(hi)
    if np.sign(g_lo) == np.sign(g_hi):
        bound = achieved(ETA_RANGE[0]) if g_lo > 0 else achieved(ETA_RANGE[1])
        side = "at least" if g_lo > 0 else "at most"
        raise InfeasibleError(f"{what} cannot be met by LKJ of dimension {dimension}: every concentration gives "
                              f"{side} {bound:.6g}")
    root = brentq(gap, lo, hi, xtol=1e-14, rtol=4 * np.finfo(float).eps, maxiter=500)
    return math.exp(root)


# ---------------------------------------------------------------------------------------------
# the prior as code


def code_lines(dimension: int, concentration: float) -> dict[str, str]:
    """The prior on a Cholesky factor, as numpyro, Stan and PyMC write it (the recommended form in
    each; PyMC's LKJCholeskyCov needs a prior on the standard deviations, sd_dist, which is the
    modeller's to choose: Exponential(1) is a placeholder)."""
    eta = f"{float(concentration):.6g}"
    return {
        "numpyro": f"dist.LKJCholesky(dimension={dimension}, concentration={eta})",
        "stan": f"lkj_corr_cholesky({eta})",
        "pymc": f'pm.LKJCholeskyCov("chol", n={dimension}, eta={eta}, sd_dist=pm.Exponential.dist(1.0))',
    }


# ---------------------------------------------------------------------------------------------
# the record: LKJ's (LKJCholesky's is in priorcli.records.lkjcholesky, from the same pieces)

#: K: numpyro takes it as a plain int (no constraint of its own); priorcli's domain, as check_dimension
DIMENSION = Domain("integer_interval", 2.0, 10_000.0, True, True, integer=True, typical=3.0,
                   text="a whole number from 2 to 10000 (the matrix is K x K)")
CONCENTRATION = Domain(POSITIVE.name, POSITIVE.low, typical=1.0,
                       text="a positive number (eta; 1 is uniform over correlation matrices)")
PARAMS = (param("dimension", DIMENSION), param("concentration", CONCENTRATION, 1.0))
OWN_ALIASES = {"eta": "concentration", "k": "dimension"}
MARGINAL_TEXT = "(r + 1) / 2 ~ Beta(a, a), a = concentration - 1 + dimension / 2"


def marginal(lower: bool):
    """The exact marginal of the elements it applies to: every one of a correlation matrix's; a
    Cholesky factor's first column (L[i,0] = R[i,0]), whose other elements are not Beta."""

    def exact(dimension, concentration=1.0):
        try:
            params = make_params(float(dimension), float(concentration))
        except (TypeError, ValueError):
            return None  # a concentration that varies across draws: no single marginal
        elements = MatrixElements("dimension", "", lower).indices(params.dimension)
        applies = tuple(n for n, (i, j) in enumerate(elements) if not lower or j == 0)
        a = params.shape
        return "Beta", {"concentration1": a, "concentration0": a}, (("affine", (-1.0, 2.0)),), applies

    return exact


def family_record(name: str, lower: bool, support: str, formulas: tuple[str, ...], example: str) -> FamilyRecord:
    return FamilyRecord(
        name=name, multivariate=True, params=PARAMS, discrete=False, support=None, cdf=None, icdf=None,
        logpdf=None, mean=None, variance=None, mode=None, median=None, entropy=None, formulas=formulas,
        example=example, matrix=MatrixElements("dimension", support, lower, marginal(lower)),
        own_aliases=OWN_ALIASES, not_auto="a correlation-matrix family",
    )


RECORD = family_record("LKJ", False, "K x K correlation matrices", FORMULAS,
                       "priorcli summarize lkj --dimension 3 --concentration 2")
#: scipy.stats has no LKJ: the tests check the marginal against scipy.stats.beta and a numpy simulation
SCIPY = None
