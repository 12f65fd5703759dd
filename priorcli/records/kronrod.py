"""QUADPACK's first step, vectorised: the 21-point Gauss-Kronrod rule (``dqk21``) and the test
with which ``dqagse`` (scipy's ``quad`` on a finite interval) accepts it without bisecting.

:func:`first_step` evaluates the integrand once on all the nodes of several intervals (one call on
an array, not 21 Python calls per interval) and returns, per interval, the value ``quad`` would
return when it stops at its first step, or None where it would go on (bisect) or the values are
not finite: the caller then calls ``quad`` itself, so the answers are ``quad``'s (to the rounding
of the sums' order) at a fraction of the cost.
"""

from __future__ import annotations

import numpy as np

__all__ = ["first_step", "nodes"]

# dqk21's abscissae (xgk) and weights (wgk: Kronrod, wg: the 10-point Gauss rule on xgk[1::2])
_XGK = np.array([
    0.995657163025808080735527280689003, 0.973906528517171720077964012084452,
    0.930157491355708226001207180059508, 0.865063366688984510732096688423493,
    0.780817726586416897063717578345042, 0.679409568299024406234327365114874,
    0.562757134668604683339000099272694, 0.433395394129247190799265943165784,
    0.294392862701460198131126603103866, 0.148874338981631210884826001129720,
    0.0])
_WGK = np.array([
    0.011694638867371874278064396062192, 0.032558162307964727478818972459390,
    0.054755896574351996031381300244580, 0.075039674810919952767043140916190,
    0.093125454583697605535065465083366, 0.109387158802297641899210590325805,
    0.123491976262065851077208643474262, 0.134709217311473325928054001771707,
    0.142775938577060080797094273138717, 0.147739104901338491374841515972068,
    0.149445554002916905664936468389821])
_WG = np.array([
    0.066671344308688137593568809893332, 0.149451349150580593145776339657697,
    0.219086362515982043995534934228163, 0.269266719309996355091226921569469,
    0.295524224714752870173892994651338])
# the 21 nodes on [-1, 1]: the 10 left of the centre, the centre, the 10 right of it
_T = np.concatenate([-_XGK[:10], [0.0], _XGK[9::-1]])
_W = np.concatenate([_WGK[:10], [_WGK[10]], _WGK[9::-1]])
_G = np.zeros(21)
_G[1:10:2] = _WG
_G[11:21:2] = _WG[::-1]
_EPMACH = np.finfo(float).eps
_UFLOW = np.finfo(float).tiny


def nodes(pieces) -> np.ndarray:
    """The 21 Kronrod nodes of each (lo, hi) piece, one row per piece."""
    lo, hi = np.asarray(pieces, dtype=np.float64).T
    return 0.5 * (lo + hi)[:, None] + 0.5 * (hi - lo)[:, None] * _T[None, :]


def _rule(f: np.ndarray, half: np.ndarray):
    """dqk21 on each row of integrand values: (result, abserr, resabs, resasc)."""
    resk = f @ _W
    resg = f @ _G
    resabs = np.abs(f) @ _W
    reskh = 0.5 * resk
    resasc = np.abs(f - reskh[:, None]) @ _W
    result = resk * half
    resabs, resasc = resabs * np.abs(half), resasc * np.abs(half)
    abserr = np.abs((resk - resg) * half)
    with np.errstate(all="ignore"):
        scaled = np.where((resasc != 0.0) & (abserr != 0.0),
                          resasc * np.minimum(1.0, (200.0 * abserr / np.where(resasc == 0.0, 1.0, resasc)) ** 1.5),
                          abserr)
    abserr = np.where(resabs > _UFLOW / (50.0 * _EPMACH), np.maximum(50.0 * _EPMACH * resabs, scaled), scaled)
    return result, abserr, resabs, resasc


def first_step(values: np.ndarray, pieces):
    """Per piece (rows of ``values``: the integrand at :func:`nodes`), a function of (epsabs,
    epsrel) giving dqagse's answer when it stops after its first Kronrod step, else None."""
    values = np.asarray(values, dtype=np.float64)
    lo, hi = np.asarray(pieces, dtype=np.float64).T
    finite = np.all(np.isfinite(values), axis=1)
    result, abserr, _, resasc = _rule(np.where(np.isfinite(values), values, 0.0), 0.5 * (hi - lo))

    def at(i: int):
        def accept(epsabs: float, epsrel: float) -> float | None:
            if not finite[i]:
                return None
            errbnd = max(epsabs, epsrel * abs(float(result[i])))
            ok = (abserr[i] <= errbnd and abserr[i] != resasc[i]) or abserr[i] == 0.0
            return float(result[i]) if ok else None
        return accept

    return [at(i) for i in range(len(result))]
