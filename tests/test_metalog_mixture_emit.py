"""A Metalog as a Mixture component, and a metalog variable in a later bound, through
``sample --model ... --emit numpyro|stan|stan-prior|pymc`` (priorcli/emit/metalog.py's component
writers; the numpyro program defines priorcli's Metalog class).

Every program is RUN (numpyro and PyMC as scripts, tests/script_runner.py; PyStan through stan_registry) and its
draws' quantiles are checked against the exact cdf of an oracle written here from Keelin's
equations (the mixture's cdf w F_ml + (1 - w) Phi; y = x U of ``y ~ Uniform(0, x)`` by quadrature),
which priorcli's exact quantiles (``summarize``) are checked against first. The emitted log
densities (PyMC's compile_logp, Stan's log_prob) and their gradients in the value are compared with
the oracle's: the density is where the programs' root finding (bisection, then one Newton step)
could go wrong. Monte Carlo bands: emit_support.band (4.5 standard errors of n draws)."""

from __future__ import annotations

import json
import math
import os

import numpy as np
import pytest
import scipy.stats as st
from scipy.integrate import quad
from scipy.optimize import brentq

import stan_registry
from conftest import Run
from emit_support import band, parse_printed_quantiles
from script_runner import run_python

P, X = (0.1, 0.5, 0.9), (1.0, 2.0, 4.0)
MIXTURE = "Mixture([0.5, 0.5], [Metalog(p=[0.1,0.5,0.9], x=[1,2,4], lower=0), Normal(3, 1)])"
BOUND = "x ~ Metalog(p=[0.1,0.5,0.9], x=[1,2,4], lower=0); y ~ Uniform(0, x)"
PROBS = (0.05, 0.25, 0.5, 0.75, 0.95)
DRAWS = 10_000


def _coefficients(lower=0.0):
    p = np.asarray(P)
    L = np.log(p / (1 - p))
    return np.linalg.solve(np.column_stack([np.ones(3), L, (p - 0.5) * L]), np.log(np.asarray(X) - lower))


A = _coefficients()


def ml_quantile(u):
    """Keelin's log metalog (lower 0), 3 terms: Q(u) = exp(a1 + a2 L + a3 (u - 1/2) L)."""
    L = math.log(u / (1 - u))
    return math.exp(A[0] + A[1] * L + A[2] * (u - 0.5) * L)


def ml_cdf(x):
    if x <= 0:
        return 0.0
    return brentq(lambda u: ml_quantile(u) - x, 1e-300, 1 - 1e-16, xtol=1e-300, rtol=1e-15)


def ml_pdf(x):
    """1 / Q'(F(x)), Q' by the chain rule of Q = exp(M), M' = a2 / (u (1 - u)) + a3 (L + (u - 1/2) / (u (1 - u)))."""
    if x <= 0:
        return 0.0
    u = ml_cdf(x)
    L, w = math.log(u / (1 - u)), u * (1 - u)
    return 1.0 / (x * (A[1] / w + A[2] * (L + (u - 0.5) / w)))


def mixture_cdf(z):
    return 0.5 * ml_cdf(z) + 0.5 * st.norm.cdf(z - 3)


def mixture_logpdf(z):
    return math.log(0.5 * ml_pdf(z) + 0.5 * st.norm.pdf(z - 3))


def bound_y_cdf(v):
    """y = x U, x ~ the metalog: P(y <= v) = E min(1, v / x) over the metalog's uniform."""
    return quad(lambda u: min(1.0, v / ml_quantile(u)), 0, 1, limit=200, points=[ml_cdf(v)] if v > 0 else None)[0]


def _assert_quantiles(draws, cdf, n, widen=1.0, what=""):
    for p in PROBS:
        q = float(np.quantile(draws, p))
        assert abs(cdf(q) - p) <= widen * band(p, n), (what, p, q, cdf(q))


def _emit(run, spec, target):
    result = run("sample", "--model", spec, "--emit", target)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _python(code, tmp_path, name, timeout=1800, fresh=False):
    (tmp_path / f"{name}.py").write_text(code, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_", "PRIORCLI_"))}
    done = run_python(f"{name}.py", cwd=tmp_path, env=env, timeout=timeout, fresh=fresh)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_priorcli_exact_quantiles_of_the_mixture_are_the_oracles(run):
    doc = json.loads(run("summarize", MIXTURE, "--format", "json", "--quantiles", ",".join(map(str, PROBS))).stdout)
    for p in PROBS:
        q = doc["summary"]["quantiles"][repr(p)]
        assert abs(mixture_cdf(q) - p) < 1e-9, (p, q)


@pytest.mark.slow
def test_numpyro_program_runs_and_draws_the_mixture(run, tmp_path):
    code = _emit(run, f"z ~ {MIXTURE}", "numpyro")
    assert "class Metalog(Distribution)" in code and "import priorcli" not in code
    printed = parse_printed_quantiles(_python(code, tmp_path, "mixture_numpyro"))
    for p, q in printed["z"].items():
        assert abs(mixture_cdf(q) - p) <= band(p, DRAWS), (p, q)


@pytest.mark.slow
def test_pymc_program_draws_the_mixture_and_its_density_is_the_oracles(run, tmp_path):
    pytest.importorskip("pymc")
    code = _emit(run, f"z ~ {MIXTURE}", "pymc")
    printed = parse_printed_quantiles(_python(code, tmp_path, "mixture_pymc"))
    for p, q in printed["z"].items():
        assert abs(mixture_cdf(q) - p) <= band(p, DRAWS), (p, q)
    points = [0.3, 1.0, 2.2, 4.0, 7.5, -1.0]
    script = code.split('if __name__ == "__main__":')[0] + (
        "import json\n"
        "logp = model.compile_logp(jacobian=False)\n"
        "dlogp = model.compile_dlogp(jacobian=False)\n"
        f"print(json.dumps([[float(logp({{'z': v}})), float(dlogp({{'z': v}})[0])] for v in {points!r}]))\n")
    out = json.loads(_python(script, tmp_path, "mixture_pymc_logp").strip().splitlines()[-1])
    for z, (lp, grad) in zip(points, out):
        assert lp == pytest.approx(mixture_logpdf(z), rel=1e-9, abs=1e-9), z
        h = 1e-5
        assert grad == pytest.approx((mixture_logpdf(z + h) - mixture_logpdf(z - h)) / (2 * h), rel=1e-5, abs=1e-6), z


BOTH = f"{BOUND}; z ~ {MIXTURE}"
N_STAN = 4000
POINTS = [0.3, 1.0, 2.2, 4.0, 7.5, -1.0]
# both programs compiled with the session's other Stan programs as one (stan_registry): the
# stan-prior program drawn by fixed_param, the stan program sampled by NUTS; the driver takes the
# stan program's log density (without the Jacobian) and its gradient in z at z = POINTS, relative
# to z = 0 (x_u = 0.4, y = 0.5)
PRIOR = stan_registry.Program("prior", lambda: _emit(Run(), BOTH, "stan-prior"), draws=N_STAN, outputs=("x", "y", "z"))
POSTERIOR = stan_registry.Program(
    "stan", lambda: _emit(Run(), BOTH, "stan"), nuts=N_STAN, seed=3, outputs=("x", "y", "z"),
    inputs=lambda: {"points": POINTS},
    driver="base = model.unconstrain_pars({'x_u': 0.4, 'y': 0.5, 'z': 0.0})\n"
           "rows = []\n"
           "for v in inputs['points']:\n"
           "    u = model.unconstrain_pars({'x_u': 0.4, 'y': 0.5, 'z': v})\n"
           "    rows.append([model.log_prob(u, adjust_transform=False) - model.log_prob(base, adjust_transform=False),\n"
           "                 model.grad_log_prob(u)[-1]])\n"  # z is last and unconstrained: no Jacobian in its gradient
           "out['logp'] = np.array(rows)\n")
STAN_PROGRAMS = (PRIOR, POSTERIOR)


def _assert_draws(x, y, z, n, widen, target):
    assert x.shape == (n,) and np.all(y < x) and np.all(y > 0)
    _assert_quantiles(x, ml_cdf, n, widen, (target, "x"))
    _assert_quantiles(y, bound_y_cdf, n, widen, (target, "y"))
    _assert_quantiles(z, mixture_cdf, n, widen, (target, "z"))


@pytest.mark.slow
def test_pystan_runs_the_mixture_component_and_the_metalog_bound(run, stan_programs):
    """One model with both: x ~ the metalog, y ~ Uniform(0, x) (its bound the metalog, written on
    x_u in the parameters block), z ~ the mixture with a metalog component. The stan-prior program
    draws under fixed_param, the stan program under NUTS (both stan_registry's)."""
    pytest.importorskip("stan", reason="PyStan is in the test extra")
    n = N_STAN
    prior = stan_programs(PRIOR)
    _assert_draws(*(prior[k].ravel() for k in ("x", "y", "z")), n, 1.0, "stan-prior")
    assert "upper=metalog_quantile(x_u," in _emit(run, BOTH, "stan")  # the bound on the parameter, not on x
    posterior = stan_programs(POSTERIOR)
    x, y, z = (posterior[k].ravel() for k in ("x", "y", "z"))
    _assert_draws(x, y, z, n, 2.0, "stan")  # NUTS draws are correlated (mildly, for these): a wider band
    for v, (diff, grad) in zip(POINTS, posterior["logp"]):
        assert diff == pytest.approx(mixture_logpdf(v) - mixture_logpdf(0.0), rel=1e-8, abs=1e-8), v
        h = 1e-5
        fd = (mixture_logpdf(v + h) - mixture_logpdf(v - h)) / (2 * h)
        assert grad == pytest.approx(fd, rel=1e-5, abs=1e-6), v


@pytest.mark.slow
def test_numpyro_and_pymc_draw_the_metalog_bound(run, tmp_path):
    for target in ("numpyro", "pymc"):
        printed = parse_printed_quantiles(_python(_emit(run, BOUND, target), tmp_path, f"bound_{target}"))
        for p, q in printed["y"].items():
            assert abs(bound_y_cdf(q) - p) <= band(p, DRAWS), (target, p, q)
