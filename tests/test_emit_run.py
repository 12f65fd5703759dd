"""The emitted programs, run by the real frameworks: numpyro and PyMC files as scripts, Stan
programs compiled and run by PyStan (the stan-prior and the stan program compiled with the session's
other Stan programs as one program, tests/stan_registry.py: one compilation, about 10 CPU s).

Oracles: priorcli's own draws of the same model (the quantiles a program prints must lie within
Monte Carlo error of them, see emit_support), numpyro's densities for the Stan parameterisations,
and closed forms for the transforms.
"""

from __future__ import annotations

import functools
import math
import os
import re

import numpy as np
import pytest
import scipy.special as sp
import scipy.stats as st

import stan_registry
from emit_support import (
    PARAMS,
    emitted,
    exact_mismatches,
    family_line,
    parse_printed_quantiles,
    priorcli_draws,
    quantile_mismatches,
)
from priorcli.emit import frameworks
from script_runner import run_python

pytestmark = pytest.mark.slow

# hierarchical, deterministic, transformed, targets (constant and varying), discrete
RUN_MODEL = """\
theta_group ~ LogNormal(0, 1)
tau_group ~ HalfCauchy(5)
theta_part ~ LogNormal(log(theta_group), tau_group)
ratio = theta_part / theta_group
p ~ Beta(mean=0.3, count=10)
t ~ LogNormal(mode=theta_group, sigma=0.3)
x ~ softplus(Normal(0, 1))
mu ~ Normal(0, 1)
y ~ inv_probit(Normal(mu, 1))
z ~ bounds(Normal(mu, 1), 0, 10)
r ~ reciprocal(Gamma(3, 2))
w ~ lower(Normal(0, 0.5), 1)
k ~ Beta(mean=sigmoid(mu), count=20)
g ~ Gamma(mean=theta_group, sd=0.5)
c = pi * softplus(mu) - log1p(theta_group) ** 2
n ~ Poisson(theta_group * 3)
b ~ Binomial(10, p)
"""
QUANTILES = (0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975)
N_EMITTED = 10_000
N_PRIORCLI = 20_000


def _names(spec):
    return [line.split()[0] for line in spec.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def priorcli_run_draws():
    return priorcli_draws(RUN_MODEL, _names(RUN_MODEL), N_PRIORCLI, seed=11)


def _run_script(code: str, tmp_path, name: str, fresh: bool = False) -> str:
    path = tmp_path / f"{name}.py"
    path.write_text(code, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_", "PRIORCLI_"))}
    done = run_python(str(path), cwd=tmp_path, env=env, timeout=600, fresh=fresh)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.parametrize("target", ["numpyro", "pymc"])
def test_python_programs_run_and_print_priorclis_quantiles(target, tmp_path, priorcli_run_draws):
    quantiles = ",".join(repr(q) for q in QUANTILES)
    code = emitted(RUN_MODEL, target, "-n", N_EMITTED, "--seed", 5, "--quantiles", quantiles)
    printed = parse_printed_quantiles(_run_script(code, tmp_path, f"prior_{target}"))
    assert list(printed) == _names(RUN_MODEL)
    for name, values in printed.items():
        assert tuple(values) == QUANTILES, name
        assert quantile_mismatches(values, priorcli_run_draws[name], N_EMITTED) == [], (target, name)


def test_the_quantile_check_catches_a_wrong_program(tmp_path, priorcli_run_draws):
    """The same check fails for a program that puts exp where softplus belongs. The program is
    RUN_MODEL's line for x alone (x depends on no other name there, so its law is the same), to
    run one site rather than the whole model again."""
    line = next(ln for ln in RUN_MODEL.splitlines() if ln.startswith("x ~ "))
    assert "softplus(Normal(" in line
    code = emitted(line, "numpyro", "-n", N_EMITTED, "--quantiles", "0.25,0.5,0.75")
    wrong = code.replace("dist.transforms.SoftplusTransform()", "dist.transforms.ExpTransform()")
    assert wrong != code
    right = parse_printed_quantiles(_run_script(code, tmp_path, "right"))
    assert quantile_mismatches(right["x"], priorcli_run_draws["x"], N_EMITTED) == []
    printed = parse_printed_quantiles(_run_script(wrong, tmp_path, "wrong"))
    assert quantile_mismatches(printed["x"], priorcli_run_draws["x"], N_EMITTED) != []


# ----------------------------------------------------------------------------------------------
# Stan, through PyStan


STAN_FAMILIES = [f for f, e in frameworks.FAMILIES.items() if e.stan is not None and f != "Dirichlet"]


PRIOR_SPEC = RUN_MODEL + "\n".join(family_line(f) for f in STAN_FAMILIES) + "\n"
N_POINTS = 12


@functools.cache
def _stan_density() -> str:
    return emitted(_density_spec(), "stan")


@functools.cache
def _stan_prior() -> str:
    return emitted(PRIOR_SPEC, "stan-prior")


def _points() -> dict:
    params = _declared(re.search(r"^parameters \{(.*?)^\}", _stan_density(), re.S | re.M).group(1))
    return {"points": np.random.default_rng(0).normal(0, 1.5, size=(N_POINTS, len(params)))}


# The stan-prior program of PRIOR_SPEC and the stan program of _density_spec(), compiled with the
# session's other Stan programs as one (stan_registry): the prior's draws under fixed_param; the stan
# program's log density and constrained values (its parameters and transformed parameters) at
# N_POINTS random unconstrained points.
PRIOR = stan_registry.Program("prior", _stan_prior, draws=N_EMITTED)
DENSITY = stan_registry.Program(
    "density", _stan_density, inputs=_points,
    driver="out['lp'] = np.array([model.log_prob(list(u), adjust_transform=False) for u in inputs['points']])\n"
           "out['values'] = np.array([model.constrain_pars(list(u), include_tparams=True, include_gqs=False)\n"
           "                          for u in inputs['points']])")
STAN_PROGRAMS = (PRIOR, DENSITY)


@pytest.fixture(scope="module")
def stan_run(stan_programs):
    code = _stan_density()
    params = _declared(re.search(r"^parameters \{(.*?)^\}", code, re.S | re.M).group(1))
    tparams = _declared(re.search(r"^transformed parameters \{(.*?)^\}", code, re.S | re.M).group(1))
    draws = {name: stan_programs(PRIOR)[name].ravel() for name in _names(PRIOR_SPEC)}
    return {"params": params, "tparams": tparams, **draws, **stan_programs(DENSITY)}


def test_stan_prior_program_runs_with_fixed_param(stan_run):
    """One stan-prior program: the hierarchical model with deterministic and transformed variables,
    and one variable per family of the Stan table (their _rng, half and integer arguments)."""
    spec = PRIOR_SPEC
    names = _names(spec)
    fit = stan_run
    ours = priorcli_draws(spec, names, N_PRIORCLI, seed=11)
    for name in names:
        draws = np.asarray(fit[name], dtype=np.float64).ravel()
        assert draws.shape == (N_EMITTED,), name
        printed = dict(zip(QUANTILES, np.quantile(draws, QUANTILES)))
        assert quantile_mismatches(printed, ours[name], N_EMITTED) == [], name
    # closed forms as anchors: r = 1/Gamma(3, rate 2) is InverseGamma(3, scale 2), x = softplus(N(0, 1))
    r = np.asarray(fit["r"]).ravel()
    assert exact_mismatches(r, st.invgamma(3, scale=2).cdf) == []
    x = np.asarray(fit["x"]).ravel()
    assert exact_mismatches(x, lambda v: st.norm.cdf(np.log(np.expm1(v)))) == []
    np.testing.assert_allclose(np.asarray(fit["ratio"]).ravel(),
                               np.asarray(fit["theta_part"]).ravel() / np.asarray(fit["theta_group"]).ravel(),
                               rtol=1e-12)


DENSITY_MODEL = """\
theta_group ~ LogNormal(0, 1)
tau_group ~ HalfCauchy(5)
theta_part ~ LogNormal(log(theta_group), tau_group)
ratio = theta_part / theta_group
p ~ Beta(mean=0.3, count=10)
t ~ LogNormal(mode=theta_group, sigma=0.3)
x ~ softplus(Normal(0, 1))
z ~ bounds(Normal(theta_group, 1), 0, 10)
r ~ reciprocal(Gamma(3, 2))
y ~ inv_probit(Normal(0, 1))
u ~ Uniform(0, ratio)
"""


def _is_discrete(family: str) -> bool:
    from priorcli.families.registry import resolve

    return resolve(family).discrete


def _has_atom(family: str) -> bool:
    from priorcli import records

    record = records.get(family)
    return record is not None and record.atom


def _density_spec() -> str:
    """DENSITY_MODEL and the continuous families of the Stan table (a point mass, HurdleGamma, cannot
    be a Stan parameter: its _rng is run by the stan-prior test)."""
    return DENSITY_MODEL + "\n".join(family_line(f) for f in STAN_FAMILIES
                                      if not _is_discrete(f) and not _has_atom(f)) + "\n"


def _declared(block: str) -> list[str]:
    return re.findall(r"^\s*real(?:<[^>]*>)? (\w+)", block, re.M)


def _oracle_log_density(v: dict) -> float:
    """The model block's density by hand (scipy), at constrained values ``v`` (raws included)."""
    from priorcli.families.registry import numpyro_dist, resolve

    dist = numpyro_dist()
    lp = st.lognorm.logpdf(v["theta_group"], 1.0)
    lp += st.halfcauchy.logpdf(v["tau_group"], scale=5)
    lp += st.lognorm.logpdf(v["theta_part"], v["tau_group"], scale=v["theta_group"])
    lp += st.beta.logpdf(v["p"], 3, 7)
    lp += st.lognorm.logpdf(v["t"], 0.3, scale=v["theta_group"] * math.exp(0.09))
    lp += st.norm.logpdf(v["x_raw"]) + st.norm.logpdf(v["z_raw"], v["theta_group"], 1)
    lp += st.gamma.logpdf(v["r_raw"], 3, scale=0.5) + st.norm.logpdf(v["y_raw"])
    lp += st.uniform.logpdf(v["u"], 0, v["theta_part"] / v["theta_group"])
    for family in STAN_FAMILIES:
        name = f"f_{family.lower()}"
        if name in v:
            cls = getattr(dist, family, None) or resolve(family).factory  # priorcli's own class (Triangular)
            lp += float(cls(**PARAMS[family]).log_prob(v[name]))
    return float(lp)


def test_stan_program_densities_and_transforms(stan_run):
    """One `stan` program: at random unconstrained points, Stan's log density (model block, no
    Jacobian of the constraints) differs between points exactly as the densities numpyro and scipy
    give; the transformed parameters are the transforms of their raw parameters."""
    ran, params, tparams = stan_run, stan_run["params"], stan_run["tparams"]
    assert ran["values"].shape == (N_POINTS, len(params) + len(tparams))
    lps, oracle = ran["lp"], []
    for row in ran["values"]:
        values = dict(zip(params + tparams, row))
        oracle.append(_oracle_log_density(values))
        np.testing.assert_allclose(values["ratio"], values["theta_part"] / values["theta_group"], rtol=1e-12)
        np.testing.assert_allclose(values["x"], np.logaddexp(0, values["x_raw"]), rtol=1e-12)
        np.testing.assert_allclose(values["z"], 10 * sp.expit(values["z_raw"]), rtol=1e-12)
        np.testing.assert_allclose(values["r"], 1 / values["r_raw"], rtol=1e-12)
        np.testing.assert_allclose(values["y"], sp.ndtr(values["y_raw"]), rtol=1e-12)
        assert 0 < values["u"] < values["ratio"]
    # `~` drops constant terms: compare differences from the first point
    np.testing.assert_allclose(lps - lps[0], np.array(oracle) - oracle[0], rtol=1e-8, atol=1e-8)
