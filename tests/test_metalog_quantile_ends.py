"""The emitted ``metalog_quantile`` (Stan, and the Python one of the numpyro and PyMC programs) is
finite or the right infinity at u = 0 and u = 1, where L = logit(u) is infinite: a term
``a_j (u - 1/2)^n L`` with a_j = -0.0 was -0 * inf = NaN there, and two L terms of opposite signs
inf - inf (Stan's NUTS then rejected proposals: "lub_constrain: lb is 0, but must be less than -nan").

Oracle: Keelin's (2016) equations written out here term by term in numpy at interior u, and at the
ends the limits they define: M(u) -> r(-1/2) * (-inf) at 0 and r(1/2) * (+inf) at 1, r(c) the sum of
the L terms' coefficients times their powers of c; x = M, lower + e^M, upper - e^-M or
lower + (upper - lower) / (1 + e^-M), so a bounded side gives its bound and an unbounded one +-inf.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pytest

import stan_registry
from priorcli.emit.metalog import PYTHON_FUNCTION, STAN_FUNCTION

U = np.array([0.0, 1e-12, 1e-6, 0.01, 0.3, 0.5, 0.77, 0.999, 1 - 1e-12, 1.0])

# (a, lower, upper): each with a -0.0 coefficient, one on an L term where possible; the first has
# L terms of opposite signs at u = 0 (1 * -inf + 1.5 * (-1/2) * -inf was inf - inf)
CASES = [
    ((1.0, 1.0, 1.5, -0.0, -0.0), -math.inf, math.inf),
    ((0.2, 0.5, -0.0, 0.3, -0.0), 0.0, math.inf),
    ((2.0, 0.4, 0.1, -0.0, 0.0), -math.inf, 10.0),
    ((0.0, 0.8, -0.0, 0.0, 0.0), 0.0, 1.0),
    ((0.3, 1.0, 0.5, 0.2, -0.1), -2.0, 5.0),
]


def _basis(k: int):
    """Keelin's g_j: (power of (u - 1/2), times L?) for j = 1..k: 1, L, cL, c, c^2, c^2 L, c^3, c^3 L, ..."""
    fixed = [(0, False), (0, True), (1, True), (1, False)]
    return [fixed[j - 1] if j <= 4 else ((j - 1) // 2, j % 2 == 0) for j in range(1, k + 1)]


def oracle(u: float, a, lower: float, upper: float) -> float:
    c = u - 0.5
    if 0.0 < u < 1.0:
        L = math.log(u / (1.0 - u))
        m = sum(aj * c ** n * (L if with_l else 1.0) for aj, (n, with_l) in zip(a, _basis(len(a))))
    else:  # the limit: the L terms' coefficient at c = -1/2 or 1/2, times -inf or +inf
        r = sum(aj * c ** n for aj, (n, with_l) in zip(a, _basis(len(a))) if with_l)
        assert r > 0, "the cases are metalogs increasing to their ends"
        m = -math.inf if u == 0.0 else math.inf
    if math.isinf(lower) and math.isinf(upper):
        return m
    if math.isinf(upper):
        return lower + math.exp(m)
    if math.isinf(lower):
        return upper - math.exp(-m)
    return lower + (upper - lower) / (1.0 + math.exp(-m))


def _expected(a, lower, upper) -> np.ndarray:
    return np.array([oracle(float(u), a, lower, upper) for u in U])


def _assert_matches(got, a, lower, upper):
    want = _expected(a, lower, upper)
    got = np.asarray(got, dtype=np.float64)
    assert not np.any(np.isnan(got)), (a, lower, upper, got)
    ends = [0, len(U) - 1]
    assert got[ends].tolist() == want[ends].tolist(), (a, lower, upper, got[ends], want[ends])
    np.testing.assert_allclose(got[1:-1], want[1:-1], rtol=1e-11, atol=1e-14)


def _python_function(xp_name: str, module):
    """The emitted Python function, on ``module`` as the programs import it (``jnp``, ``pt``)."""
    namespace = {"math": math, xp_name: module}
    exec(PYTHON_FUNCTION.replace("XP.", f"{xp_name}."), namespace)
    return namespace["metalog_quantile"]


@pytest.mark.parametrize("a, lower, upper", CASES)
def test_python_function_on_numpy(a, lower, upper):
    f = _python_function("np", np)
    with np.errstate(divide="ignore", invalid="ignore"):
        got = f(U, list(a), lower, upper)
    _assert_matches(got, a, lower, upper)


@pytest.mark.parametrize("a, lower, upper", CASES)
def test_python_function_on_jax(a, lower, upper):
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    f = _python_function("jnp", jnp)
    _assert_matches(f(jnp.asarray(U), list(a), lower, upper), a, lower, upper)


@pytest.mark.slow
def test_python_function_on_pytensor():
    pytest.importorskip("pytensor", reason="PyMC is in the test extra")
    import pytensor.tensor as pt

    f = _python_function("pt", pt)
    u = pt.dvector("u")
    for a, lower, upper in CASES:
        _assert_matches(f(u, list(a), lower, upper).eval({u: U}), a, lower, upper)


STAN_PROGRAM = """\
functions {
%s
}
data {
  int N;
  int M;
  int K;
  vector[N] u;
  array[M] vector[K] a;
  array[M] int has_lb;
  array[M] int has_ub;
  array[M] real lb;
  array[M] real ub;
}
generated quantities {
  array[M] vector[N] x;
  for (m in 1:M) {
    real lo = has_lb[m] ? lb[m] : negative_infinity();
    real hi = has_ub[m] ? ub[m] : positive_infinity();
    for (i in 1:N) {
      x[m][i] = metalog_quantile(u[i], a[m], lo, hi);
    }
  }
}
"""


def _data() -> dict:
    return {"N": len(U), "M": len(CASES), "K": 5, "u": U.tolist(), "a": [list(a) for a, _, _ in CASES],
            "has_lb": [int(math.isfinite(lo)) for _, lo, _ in CASES],
            "has_ub": [int(math.isfinite(hi)) for *_, hi in CASES],
            "lb": [lo if math.isfinite(lo) else 0.0 for _, lo, _ in CASES],
            "ub": [hi if math.isfinite(hi) else 0.0 for *_, hi in CASES]}


# the emitted function in a program that evaluates it at every (case, u), compiled with the
# session's other Stan programs as one (stan_registry); one fixed_param draw
ENDS = stan_registry.Program(
    "ends", lambda: STAN_PROGRAM % textwrap.indent(textwrap.dedent(STAN_FUNCTION), "  ").rstrip("\n"),
    draws=1, data=_data, outputs=("x",))
STAN_PROGRAMS = (ENDS,)


@pytest.mark.slow
def test_stan_function_at_the_ends_and_inside(stan_programs):
    x = np.asarray(stan_programs(ENDS)["x"], dtype=np.float64)  # (M, N, draws): PyStan puts the draws last
    x = x.reshape(len(CASES), len(U), -1)[:, :, 0]
    for (a, lower, upper), got in zip(CASES, x):
        _assert_matches(got, a, lower, upper)
