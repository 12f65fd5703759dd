"""`--emit stan-prior`'s truncated draws and hurdle rngs finish whatever mass they have to find
(priorcli/emit/truncated_stan.py, zero_stan.py): once a `while` rejection loop, which never ended
for truncated(Normal(0, 1), low=6, high=7) (mass 1e-9) or a hurdle Poisson of rate 1e-8. One
PyStan compilation runs them all; the draws are checked against scipy."""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
import scipy.stats as st

import stan_registry
from emit_support import assert_stanc_accepts, band, emitted, exact_mismatches, stan_blocks

MODEL = """\
a ~ truncated(Normal(0, 1), low=6, high=7)
a9 ~ truncated(Normal(0, 1), low=9, high=10)
an ~ truncated(Normal(1, 2), high=-12)
gm ~ truncated(Gamma(2, 1), low=3, high=8)
gt ~ truncated(Gamma(2, 1), low=30)
ln ~ truncated(LogNormal(0, 1), high=0.01)
hn ~ truncated(HalfNormal(2), low=7)
h ~ HurdlePoisson(0.3, 3)
hb ~ HurdleNegativeBinomial2(0.3, 2, 1.5)
"""


def _truncated(dist, lo, hi):
    flo, fhi = dist.cdf(lo), dist.cdf(hi)
    slo, shi = dist.sf(lo), dist.sf(hi)
    if flo > 0.5:  # the upper tail: by the survival function
        return lambda x: (slo - dist.sf(np.clip(x, lo, hi))) / (slo - shi)
    return lambda x: (dist.cdf(np.clip(x, lo, hi)) - flo) / (fhi - flo)


CONTINUOUS = {
    "a": st.truncnorm(6, 7).cdf,
    "a9": st.truncnorm(9, 10).cdf,
    "an": st.truncnorm(-np.inf, (-12 - 1) / 2, loc=1, scale=2).cdf,
    "gm": _truncated(st.gamma(2), 3, 8),
    "gt": _truncated(st.gamma(2), 30, np.inf),
    "ln": _truncated(st.lognorm(1), 0, 0.01),
    "hn": st.truncnorm(3.5, np.inf, scale=2).cdf,
}
# zero-truncated counts, drawn by the hurdle rngs with gate 0: (Stan call, scipy pmf)
COUNTS = {
    "zp_tiny": ("hurdle_poisson_rng(0, 1e-8)", st.poisson(1e-8).pmf),
    "zp3": ("hurdle_poisson_rng(0, 3)", st.poisson(3).pmf),
    "zp_half": ("hurdle_poisson_rng(0, 0.5)", st.poisson(0.5).pmf),
    "znb_small": ("hurdle_neg_binomial_2_rng(0, 0.05, 2)", st.nbinom(2, 2 / 2.05).pmf),
    "znb": ("hurdle_neg_binomial_2_rng(0, 4, 1.5)", st.nbinom(1.5, 1.5 / 5.5).pmf),
}
N = 4000


@functools.cache
def _emitted_model() -> str:
    return emitted(MODEL, "stan-prior")


def _program(code: str) -> str:
    blocks = stan_blocks(code)
    extra = "".join(f"  int {name} = {call};\n" for name, (call, _) in COUNTS.items())
    return (f"functions {{\n{blocks['functions']}}}\n"
            f"generated quantities {{\n{blocks['generated quantities']}{extra}}}\n")


@pytest.mark.slow
def test_truncated_draws_are_functions_not_loops():
    code = _emitted_model()
    assert "while (a <" not in code and "real a = normal_truncated_rng(6, 7, 0, 1);" in code
    assert "real gt = gamma_truncated_rng(30, positive_infinity(), 2, 1);" in code
    assert "real hn = normal_truncated_rng(7, positive_infinity(), 0, 2);" in code  # the half family's base
    assert "while (y == 0)" not in code
    # untruncated draws are as they were
    assert "real x = normal_rng(0, 1);" in emitted("x ~ Normal(0, 1)", "stan-prior")


def test_a_family_without_a_stan_cdf_is_rejection_with_an_end(tmp_path):
    code = emitted("t ~ truncated(Triangular(0, 0.5, 1), low=0.9)", "stan-prior")
    assert "real t = triangular_truncated_rng(0.9, 1, 0, 0.5, 1);" in code
    assert "for (i in 1:1000000)" in code and 'reject("triangular_truncated_rng: no draw inside [' in code
    assert_stanc_accepts(code, tmp_path, "triangular")


# compiled with the session's other Stan programs as one (stan_registry), drawn under fixed_param
# (the registry's seed: the bands are of N draws and the KS test's level is fixed, whatever the seed)
PROGRAM = stan_registry.Program("program", lambda: _program(_emitted_model()), draws=N,
                                outputs=(*CONTINUOUS, "h", "hb", *COUNTS))
STAN_PROGRAMS = (PROGRAM,)


@pytest.mark.slow
def test_draws_match_scipy(tmp_path, stan_programs):
    code = _emitted_model()
    assert_stanc_accepts(code, tmp_path, "emitted")
    assert_stanc_accepts(_program(code), tmp_path, "program")
    out = {k: v.ravel() for k, v in stan_programs(PROGRAM).items()}
    for name, cdf in CONTINUOUS.items():
        assert exact_mismatches(out[name], cdf) == [], name
        assert st.kstest(out[name], cdf).pvalue > 1e-6, name  # one test in a million fails by chance
    for name, (_, pmf) in COUNTS.items():
        _check_counts(out[name], lambda k, pmf=pmf: 0.0 if k == 0 else pmf(k) / (1 - pmf(0)), name)
    _check_counts(out["h"], lambda k: 0.3 if k == 0 else 0.7 * st.poisson(3).pmf(k) / st.poisson(3).sf(0), "h")
    nb = st.nbinom(1.5, 1.5 / 3.5)
    _check_counts(out["hb"], lambda k: 0.3 if k == 0 else 0.7 * nb.pmf(k) / nb.sf(0), "hb")


def _check_counts(draws: np.ndarray, pmf, name: str) -> None:
    """Each count's frequency within Monte Carlo error (4.5 sd) of its probability; the tail past
    the counts shown is one cell."""
    n = len(draws)
    assert draws.min() >= 0 and np.all(draws == np.round(draws)), name
    shown = 0.0
    for k in range(0, 12):
        p = float(pmf(k))
        shown += p
        assert abs(np.mean(draws == k) - p) <= band(p, n) if 0 < p < 1 else np.mean(draws == k) == p, (name, k, p)
    rest = max(1.0 - shown, 0.0)
    assert abs(np.mean(draws >= 12) - rest) <= band(rest, n) if rest > 0 else True, (name, rest)
    assert not math.isnan(float(draws.mean()))
