"""Mixtures in the emitted programs, run by the real frameworks (as tests/test_emit_run.py runs the
others): the numpyro and PyMC files print quantiles within Monte Carlo error of priorcli's own
draws; the stan-prior program's draws likewise; the stan program's log density (log_mix) equals
the mixture's exact log density from scipy.stats at points across the support."""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
import scipy.stats as st

import stan_registry
from emit_support import emitted, parse_printed_quantiles, priorcli_draws, quantile_mismatches
from test_emit_run import _run_script

pytestmark = pytest.mark.slow

MODEL = """\
x ~ Mixture([0.3, 0.7], [Normal(0, 1), Normal(3, 0.5)])
y ~ Mixture([0.4, 0.6], [Normal(-1, 0.7), Gamma(3, 2)])
z ~ softplus(Mixture([0.5, 0.5], [HalfNormal(1), Uniform(1, 3)]))
"""
DISCRETE = "k ~ Mixture([0.35, 0.65], [Poisson(2), Poisson(9)])\n"
N_EMITTED = 10_000
N_PRIORCLI = 20_000


def _names(spec):
    return [line.split()[0] for line in spec.splitlines() if line.strip()]


@pytest.mark.parametrize("target", ["numpyro", "pymc"])
def test_python_programs_print_priorclis_quantiles(target, tmp_path):
    spec = MODEL + DISCRETE
    code = emitted(spec, target, "-n", N_EMITTED, "--seed", 5)
    assert ("dist.MixtureGeneral(dist.Categorical(probs=" in code) if target == "numpyro" else ("pm.Mixture(" in code)
    printed = parse_printed_quantiles(_run_script(code, tmp_path, f"mix_{target}"))
    ours = priorcli_draws(spec, _names(spec), N_PRIORCLI, seed=11)
    assert list(printed) == _names(spec)
    for name, values in printed.items():
        assert quantile_mismatches(values, ours[name], N_EMITTED) == [], (target, name, values)


def test_numpyro_program_draws_exactly_as_priorcli(tmp_path):
    """The numpyro program's sites are priorcli's: the same seed gives the same first variable."""
    spec = "x ~ Mixture([0.3, 0.7], [Normal(0, 1), Gamma(2, 1)])\n"
    code = emitted(spec, "numpyro")
    code = code.replace("print_quantiles({", "np.save('x.npy', np.asarray(prior['x'])); print_quantiles({")
    _run_script(code, tmp_path, "same_draws")
    theirs = np.load(tmp_path / "x.npy")
    assert theirs.shape == (10000,)
    ours = priorcli_draws(spec, ["x"], 10000, seed=0)["x"]
    # Predictive splits the key once more than sample does, so compare distributions, not bytes
    assert quantile_mismatches({p: float(np.quantile(theirs, p)) for p in (0.1, 0.5, 0.9)}, ours, 10000) == []


_emitted = functools.cache(emitted)
POINTS = np.array([[-0.5, -1.2, 0.4], [2.9, 0.8, 1.5], [0.1, 2.5, 2.9], [4.0, -0.3, 0.05]])
# The stan-prior program (of MODEL and DISCRETE) and the stan one (of MODEL), compiled with the
# session's other Stan programs as one (stan_registry): the prior's draws under fixed_param, and the
# stan program's log density at POINTS (its model block alone: the others' are off).
PRIOR = stan_registry.Program("prior", functools.partial(_emitted, MODEL + DISCRETE, "stan-prior"), draws=N_EMITTED)
DENSITY = stan_registry.Program(
    "density", functools.partial(_emitted, MODEL, "stan"), inputs=lambda: {"points": POINTS},
    driver="out['lp'] = np.array([model.log_prob([p[0], p[1], np.log(p[2])], adjust_transform=False) "
           "for p in inputs['points']])")  # z_raw is declared <lower=0>: log of it
STAN_PROGRAMS = (PRIOR, DENSITY)


@pytest.fixture(scope="module")
def stan_ran(stan_programs):
    prior, code = _emitted(MODEL + DISCRETE, "stan-prior"), _emitted(MODEL, "stan")
    return {"prior": prior, "stan": code, **{n: v.ravel() for n, v in stan_programs(PRIOR).items()},
            **stan_programs(DENSITY)}


def test_stan_prior_program_draws_priorclis_mixture(stan_ran):
    spec = MODEL + DISCRETE
    names = _names(spec)
    assert "categorical_rng([0.3, 0.7]')" in stan_ran["prior"]
    ours = priorcli_draws(spec, names, N_PRIORCLI, seed=11)
    for name in names:
        draws = np.asarray(stan_ran[name], dtype=np.float64).ravel()
        assert draws.shape == (N_EMITTED,), name
        quantiles = {p: float(np.quantile(draws, p)) for p in (0.05, 0.25, 0.5, 0.75, 0.95)}
        assert quantile_mismatches(quantiles, ours[name], N_EMITTED) == [], (name, quantiles)


def _mixture_logpdf(x, y, z_raw):
    lx = math.log(0.3 * st.norm.pdf(x, 0, 1) + 0.7 * st.norm.pdf(x, 3, 0.5))
    ly = math.log(0.4 * st.norm.pdf(y, -1, 0.7) + 0.6 * st.gamma.pdf(y, 3, scale=0.5))
    lz = math.log(0.5 * st.halfnorm.pdf(z_raw) + 0.5 * st.uniform.pdf(z_raw, 1, 2))
    return lx + ly + lz


def test_stan_program_log_mix_density(stan_ran):
    code = stan_ran["stan"]
    assert "target += log_mix([0.3, 0.7]', [normal_lpdf(x | 0, 1), normal_lpdf(x | 3, 0.5)]');" in code
    expected = [_mixture_logpdf(*p) for p in POINTS]
    # Stan's `target +=` keeps every constant, so the density is the mixture's exactly
    assert np.allclose(stan_ran["lp"], expected, rtol=1e-9, atol=1e-9), (stan_ran["lp"], expected)
