"""Skewness and excess kurtosis of any exact distribution (the ``--skewness``/``--kurtosis`` targets
of a quoted solve, ``priorcli solve "Mixture(...)" --skewness 0.5``), from its central moments:

* a family: its record's closed forms (``records/shape.py``: mu3 = g1 var^1.5, mu4 = (g2 + 3) var^2);
  a continuous family without them on a finite support (Triangular, LogUniform) by quadrature;
* a Mixture: exactly from its components' moments (each as above), about the mixture's mean M with
  d_i = m_i - M: mu2 = sum w_i (v_i + d_i^2), mu3 = sum w_i (mu3_i + 3 d_i v_i + d_i^3), mu4 =
  sum w_i (mu4_i + 4 d_i mu3_i + 6 d_i^2 v_i + d_i^4);
* a truncation or a transform: E[(Y - mean)^k] by the distribution's own quadrature (as its sd);
  a truncation with an open end keeps its base's undefined moment there (a StudentT(2)'s tail).

A moment that does not exist, or that nothing here can compute, is an InfeasibleError naming the
part and the reason (exit 1, as ``solve cauchy --skewness 1``). Never prints."""

from __future__ import annotations

import math

from priorcli.errors import InfeasibleError

__all__ = ["shape", "central_moments"]

_ORDER = {"skewness": 3, "kurtosis": 4}
_WHAT = {3: "third moment (skewness)", 4: "fourth moment (kurtosis)"}


def shape(exact, kind: str) -> float:
    """The skewness or the excess kurtosis of an ``ExactDistribution``."""
    order = _ORDER[kind]
    _, mu2, mu3, mu4 = central_moments(exact, order)
    if not mu2 > 0.0:
        raise InfeasibleError(f"{exact.spec.label()} has no spread here (variance {mu2:.6g}), so no {kind}")
    value = mu3 / mu2 ** 1.5 if order == 3 else mu4 / (mu2 * mu2) - 3.0
    if not math.isfinite(value):
        raise InfeasibleError(f"the {kind} of {exact.spec.label()} is not finite here")
    return float(value)


def central_moments(exact, order: int) -> tuple[float, float, float, float | None]:
    """(mean, mu2, mu3, mu4) of an ExactDistribution up to ``order`` (3 or 4; mu4 None for 3)."""
    spec = exact.spec
    if spec.transforms or spec.truncate is not None:
        return _by_quadrature(exact, order)
    components = getattr(spec.family, "components", None)
    if components is not None:
        return _mixture(exact, components(spec.params), order)
    return _family(exact, order)


def _missing(exact, order: int, why: str) -> InfeasibleError:
    return InfeasibleError(f"{exact.spec.label()} has no {_WHAT[order]}: {why}")


def _mean_var(exact, order: int) -> tuple[float, float]:
    mean, sd = exact.mean(), exact.sd()
    if mean is None or sd is None:
        raise _missing(exact, order, "its mean or variance does not exist")
    return float(mean), float(sd) ** 2


def _family(exact, order: int):
    record = exact.base.closed
    fields = [getattr(record, k, None) for k in ("skewness", "kurtosis")[: order - 2]]
    if record is not None and all(f is not None for f in fields):
        mean, var = _mean_var(exact, order)
        values = [f(**exact.spec.params) for f in fields]
        if any(v is None or not math.isfinite(v) for v in values):
            raise _missing(exact, order, "it does not exist for these parameters")
        mu3 = float(values[0]) * var ** 1.5
        mu4 = (float(values[1]) + 3.0) * var * var if order == 4 else None
        return mean, var, mu3, mu4
    lo, hi = exact.base.support()
    if exact.spec.family.discrete or not (math.isfinite(lo) and math.isfinite(hi)):
        raise _missing(exact, order, f"{exact.spec.family.name} has no closed form for it here")
    return _by_quadrature(exact, order)


def _mixture(exact, parts, order: int):
    import numpy as np

    weights = [float(w) for w in np.asarray(exact.spec.family.weights(exact.spec.params), dtype=np.float64)]
    from priorcli.stats.exact import ExactDistribution

    moments = []
    for i, (w, part) in enumerate(zip(weights, parts)):
        if w <= 0.0:
            continue
        try:
            moments.append((w, central_moments(ExactDistribution(part), order)))
        except InfeasibleError as exc:
            raise InfeasibleError(f"component {i} of the Mixture: {exc}") from None
    mean = sum(w * m[0] for w, m in moments)
    mu2 = mu3 = mu4 = 0.0
    for w, (m, v, c3, c4) in moments:
        d = m - mean
        mu2 += w * (v + d * d)
        mu3 += w * (c3 + 3.0 * d * v + d ** 3)
        if order == 4:
            mu4 += w * (c4 + 4.0 * d * c3 + 6.0 * d * d * v + d ** 4)
    return mean, mu2, mu3, (mu4 if order == 4 else None)


def _open_end_refusal(exact, order: int) -> None:
    """A truncation open at an end of its base's support keeps the base's moment there: where the
    base's own moment does not exist (its record says so), neither does the truncation's; where the
    record has no closed form, the quadrature decides (a divergent integral is reported unknown)."""
    base = exact.base
    inner = getattr(base, "inner", None)
    if inner is None:
        return
    a, b = base.support()
    if math.isfinite(a) and math.isfinite(b):
        return
    record = inner.closed
    fields = [getattr(record, k, None) for k in ("skewness", "kurtosis")[: order - 2]]
    known = record is not None and all(f is not None for f in fields)
    if inner.mean() is None or inner.variance() is None or (known and any(f(**inner.params) is None for f in fields)):
        raise _missing(exact, order, f"its open end keeps the tail of {inner.family.name}, whose moment "
                                     "does not exist there")


def _by_quadrature(exact, order: int):
    _open_end_refusal(exact, order)
    mean, var = _mean_var(exact, order)
    forward = exact._chain()[0] if exact.spec.transforms else (lambda x: x)
    out = []
    for k in range(3, order + 1):
        value = exact._expect(lambda x, k=k: (forward(x) - mean) ** k)
        if value is None or not math.isfinite(value):
            raise _missing(exact, order, "its integral does not converge (the moment may not exist)")
        out.append(float(value))
    return mean, var, out[0], (out[1] if order == 4 else None)
