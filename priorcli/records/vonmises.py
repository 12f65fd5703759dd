"""VonMises(loc, concentration), an angle in radians, read on the circle cut opposite loc.

Convention (as scipy.stats.vonmises): the distribution is written on the interval
[loc - pi, loc + pi), so quantiles, the cdf, the mean (= loc), the median (= loc) and the sd
(the linear sd of the angle about loc, not the circular variance 1 - I1/I0 that numpyro's
``variance`` gives) are those of the angle unwrapped about loc. Targets are read the same way:
``--quantile 0.05=2.5 --quantile 0.95=3.5`` is an interval across pi, about a loc near 3.

The cdf is exact: a Fourier series for concentration < 50, and for larger ones the integral of the
density in s = 2 sqrt(k) sin(z/2) expanded as a sum of incomplete gamma functions (convergent, 30
terms reach float64). The sd is the Fourier series of z^2 (concentration < 50) or quadrature.

The record (``RECORD``) and its scipy oracle (``SCIPY``: ``vonmises``; scipy.stats is imported
when it is called).
"""

from __future__ import annotations

import math
import warnings

from priorcli.records.base import LOG2PI, REAL, np, param, record, sc
from priorcli.records.oracle import ScipyOracle

PI = math.pi
_SWITCH = 50.0  # concentration where the cdf changes from the Fourier series to the gamma series
_TERMS = 30


def _fourier_cdf(z, k):
    """F(z) of VonMises(0, k) on [-pi, pi]: 1/2 + z/(2 pi) + (1/pi) sum I_n(k)/I_0(k) sin(n z)/n."""
    n = np.arange(1.0, math.ceil(12.0 * math.sqrt(k) + 30.0) + 1.0)
    r = sc.ive(n, k) / sc.ive(0.0, k)
    zs = np.asarray(z, dtype=np.float64)
    terms = np.sin(np.multiply.outer(zs, n)) * (r / n)
    return 0.5 + zs / (2.0 * PI) + np.sum(terms, axis=-1) / PI


def _gamma_cdf(z, k):
    """The same for k >= 50: with s = 2 sqrt(k) sin(z/2), dz = 2 ds / sqrt(4k - s^2), and
    (1 - s^2/(4k))^(-1/2) = sum_j C(2j, j) 4^-j (s^2/(4k))^j integrated against exp(-s^2/2)."""
    j = np.arange(_TERMS, dtype=np.float64)
    log_c = sc.gammaln(2.0 * j + 1.0) - 2.0 * sc.gammaln(j + 1.0) - j * math.log(4.0)
    log_coef = log_c - j * math.log(4.0 * k) + (j - 0.5) * math.log(2.0) + sc.gammaln(j + 0.5)
    zs = np.asarray(z, dtype=np.float64)
    w2 = 0.5 * (2.0 * math.sqrt(k) * np.sin(0.5 * np.abs(zs))) ** 2
    half = np.sum(np.exp(log_coef) * sc.gammainc(j + 0.5, np.multiply.outer(w2, np.ones_like(j))), axis=-1)
    return 0.5 + np.sign(zs) * half / (2.0 * PI * float(sc.ive(0.0, k)) * math.sqrt(k))


def _centred_cdf(z, k):
    ks = np.unique(np.asarray(k, dtype=np.float64))
    if ks.size == 1:
        k = float(ks[0])
        return _fourier_cdf(z, k) if k < _SWITCH else _gamma_cdf(z, k)
    z, k = np.broadcast_arrays(np.asarray(z, dtype=np.float64), np.asarray(k, dtype=np.float64))
    out = np.empty(z.shape)
    for kv in np.unique(k):  # concentrations that vary: one series per value
        at = k == kv
        out[at] = _centred_cdf(z[at], kv)
    return out


def _cdf(x, loc, concentration):
    return _centred_cdf(np.asarray(x - loc, dtype=np.float64), concentration)


def _density0(z, k):
    return np.exp(k * (np.cos(z) - 1.0)) / (2.0 * PI * sc.ive(0.0, k))


def _icdf(q, loc, concentration):
    """Safeguarded Newton on the centred cdf for q <= 1/2 (the upper half by symmetry)."""
    q = np.asarray(q, dtype=np.float64)
    k = np.broadcast_to(np.asarray(concentration, dtype=np.float64), q.shape)
    low_half = np.minimum(q, 1.0 - q)
    lo, hi = np.full(q.shape, -PI), np.zeros(q.shape)
    z = np.clip(sc.ndtri(np.clip(low_half, 1e-300, 0.5)) / np.sqrt(k), -PI + 1e-12, 0.0)
    for _ in range(100):
        f = _centred_cdf(z, k) - low_half
        lo, hi = np.where(f < 0.0, z, lo), np.where(f < 0.0, hi, z)
        step = f / np.maximum(_density0(z, k), 1e-300)
        new = z - step
        new = np.where((new > lo) & (new < hi), new, 0.5 * (lo + hi))
        if np.all(np.abs(new - z) <= 1e-15 * np.maximum(1.0, np.abs(z))):
            z = new
            break
        z = new
    z = np.where(low_half == 0.5, 0.0, z)
    return loc + np.where(q <= 0.5, z, -z)


def _variance(loc, concentration):
    k = concentration
    if k < _SWITCH:  # z^2 = pi^2/3 + 4 sum (-1)^n cos(n z) / n^2, E cos(n z) = I_n / I_0
        n = np.arange(1.0, math.ceil(12.0 * math.sqrt(k) + 30.0) + 1.0)
        r = sc.ive(n, k) / sc.ive(0.0, k)
        return PI * PI / 3.0 + 4.0 * float(np.sum((-1.0) ** n * r / (n * n)))
    from scipy.integrate import quad

    edge = min(PI, 40.0 / math.sqrt(k))
    g = lambda z: z * z * math.exp(k * (math.cos(z) - 1.0))  # noqa: E731
    with warnings.catch_warnings():  # quad's roundoff notice at the last digits: not the user's concern
        warnings.simplefilter("ignore")
        total = sum(quad(g, a, b, epsabs=0.0, epsrel=1e-13, limit=200)[0] for a, b in ((0.0, edge), (edge, PI)) if b > a)
    return 2.0 * total / (2.0 * PI * float(sc.ive(0.0, k)))


def _entropy(loc, concentration):
    k = concentration
    i0, i1 = float(sc.ive(0.0, k)), float(sc.ive(1.0, k))
    return LOG2PI + math.log(i0) + k * (1.0 - i1 / i0)


def _unwrapped(x, loc, concentration):
    """numpyro's draws (wrapped onto [-pi, pi]) on [loc - pi, loc + pi)."""
    return loc + np.mod(np.asarray(x, dtype=np.float64) - loc + PI, 2.0 * PI) - PI


def _mle(x, loc=None, concentration=None):
    """The circular maximum-likelihood fit (angles are points of the circle, whatever turn they are
    written on): loc the circular mean atan2(mean sin x, mean cos x), concentration the k with
    I1(k)/I0(k) = mean cos(x - loc). The fitter reads the data about loc (``reading``)."""
    from priorcli.errors import InfeasibleError
    from priorcli.records.fitdata import solve_decreasing

    if loc is None:
        loc = math.atan2(float(np.mean(np.sin(x))), float(np.mean(np.cos(x))))
    if concentration is None:
        r = float(np.mean(np.cos(x - loc)))
        if not 0.0 < r < 1.0:
            raise InfeasibleError(f"cannot fit VonMises: the mean resultant length {r:.6g} about loc = {loc:.6g} "
                                  "is not inside (0, 1), so the concentration is not finite and positive")
        concentration = solve_decreasing(lambda k: r - float(sc.ive(1.0, k) / sc.ive(0.0, k)),
                                         max(1.0 / (2.0 * (1.0 - r)), 1e-3), "VonMises concentration")
    return {"loc": float(loc), "concentration": float(concentration)}


def _start(m, s):
    return {"loc": m, "concentration": 1.0 / (s * s) if s < 1.0 else 0.5}


RECORD = record(
    "VonMises",
    (param("loc", REAL), param("concentration", "positive")),
    support=lambda loc, concentration: (loc - PI, loc + PI),
    cdf=_cdf,
    icdf=_icdf,
    logpdf=lambda x, loc, concentration: concentration * (np.cos(x - loc) - 1.0)
    - np.log(2.0 * PI * sc.ive(0.0, concentration)),
    mean=lambda loc, concentration: loc,
    variance=_variance,
    mode=lambda loc, concentration: loc,
    median=lambda loc, concentration: loc,
    entropy=_entropy,
    skewness=lambda loc, concentration: 0.0,
    reading=_unwrapped,
    not_auto="an angle, read on one turn of the circle (named in --family it ranks as any other)",
    mle=_mle,
    support_params=("loc",),
    moving_support=(-math.inf, math.inf),
    moment_start=_start,
    formulas=("density = exp(concentration * cos(x - loc)) / (2 pi I0(concentration))",
              "read on [loc - pi, loc + pi): mean = median = mode = loc",
              "sd: of the angle about loc (scipy's vonmises.std), not the circular 1 - I1/I0"),
    example="priorcli solve vonmises --quantile 0.05=2.5 --quantile 0.95=3.5",
)

SCIPY = ScipyOracle("vonmises", lambda loc, concentration: {"kappa": concentration, "loc": loc})
