"""One file per family in priorcli/records (issue 20, item 2): each exports its record and its
scipy oracle, the registry lists every file once, the oracle is lazy, and each oracle agrees with
its record (so the mapping the tests read is itself checked against the closed forms)."""

from __future__ import annotations

import math
import pathlib
import subprocess
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose

from priorcli import records
from priorcli.records.oracle import ScipyOracle

RECORDS_DIR = pathlib.Path(records.__file__).parent
SHARED = {"__init__", "base", "discrete", "fitdata", "kronrod", "oracle", "shape", "starts", "truncated", "zero_d"}  # the machinery, not families
# every family file is a record (LKJ and LKJCholesky are matrix records: records/lkj.py and
# records/lkjcholesky.py, in MULTIVARIATE), except the metalog (records/metalog.py): k coefficients
# for k quantiles, not a family of named parameters; commands/metalog.py reads its maths
NOT_RECORDS: set[str] = {"metalog"}
FAMILY_FILES = sorted(p.stem for p in RECORDS_DIR.glob("*.py") if p.stem not in SHARED | NOT_RECORDS)

# parameters inside every family's constraints, away from the degenerate ends
PARAMS = {
    "Uniform": {"low": -1.0, "high": 3.0},
    "DiscreteUniform": {"low": -2.0, "high": 7.0},
    "LogUniform": {"low": 0.5, "high": 20.0},
    "Pareto": {"scale": 1.5, "alpha": 3.5},
    "Levy": {"loc": 0.5, "scale": 2.0},
    "StudentT": {"df": 4.5, "loc": 1.0, "scale": 2.0},
    "Gamma": {"concentration": 2.5, "rate": 1.5},
    "InverseGamma": {"concentration": 4.5, "rate": 2.0},
    "Weibull": {"scale": 2.0, "concentration": 1.7},
    "Beta": {"concentration1": 2.5, "concentration0": 6.0},
    "BetaProportion": {"mean": 0.3, "concentration": 8.0},
    "BinomialProbs": {"probs": 0.35, "total_count": 12.0},
    "BetaBinomial": {"concentration1": 2.0, "concentration0": 3.5, "total_count": 15.0},
    "NegativeBinomialProbs": {"total_count": 2.5, "probs": 0.6},
    "NegativeBinomial2": {"mean": 4.5, "concentration": 1.8},
    "GeometricProbs": {"probs": 0.23},
    "BernoulliProbs": {"probs": 0.3},
    "Poisson": {"rate": 3.7},
    "Chi2": {"df": 4.5},
}


def _module(stem):
    return getattr(records, stem)


def test_every_family_file_is_registered_once():
    registered = [m.__name__.rpartition(".")[2] for m in records._FAMILIES]
    assert sorted(registered) == FAMILY_FILES  # no file left out, none listed twice
    names = [m.RECORD.name for m in records._FAMILIES]
    assert len(set(names)) == len(names)
    assert set(names) == set(records.RECORDS) | set(records.MULTIVARIATE)


@pytest.mark.parametrize("stem", FAMILY_FILES)
def test_each_file_exports_its_record_and_oracle(stem):
    module = _module(stem)
    assert isinstance(module.RECORD, records.FamilyRecord)
    assert module.SCIPY is None or isinstance(module.SCIPY, ScipyOracle)
    assert records.describe(module.RECORD.name) is module.RECORD


def test_only_kumaraswamy_lacks_a_scipy_oracle():
    # and the correlation-matrix families, which scipy.stats lacks (tests/test_lkj_*.py check their
    # marginal against scipy.stats.beta and a numpy simulation)
    assert [m.RECORD.name for m in records._FAMILIES if m.SCIPY is None] == ["Kumaraswamy", "LKJ", "LKJCholesky"]
    assert records.scipy_oracle("Kumaraswamy") is None


@pytest.mark.slow
def test_the_oracles_are_lazy():
    # importing the records (and looking an oracle up) imports neither scipy.stats, numpy nor jax
    code = ("import sys, priorcli.records as r; r.scipy_oracle('Gamma'); "
            "print([m for m in ('scipy.stats', 'numpy', 'jax') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _univariate_with_oracle():
    return [name for name in records.RECORDS if records.scipy_oracle(name) is not None]


@pytest.mark.parametrize("name", _univariate_with_oracle())
def test_each_oracle_agrees_with_its_record(name):
    rec = records.RECORDS[name]
    params = PARAMS.get(name, rec.typical_params())
    d = records.scipy_oracle(name)(params)
    q = np.array([0.01, 0.1, 0.37, 0.5, 0.8, 0.99])
    x = d.ppf(q)
    assert_allclose(rec.icdf(q, **params), x, rtol=1e-8)
    assert_allclose(rec.cdf(x, **params), d.cdf(x), rtol=1e-8)
    log_density = d.logpmf(x) if rec.discrete else d.logpdf(x)
    assert_allclose(rec.logpdf(x, **params), log_density, rtol=1e-8)
    for ours, theirs in ((rec.mean(**params), d.mean()), (rec.variance(**params), d.var())):
        if ours is None:
            assert not math.isfinite(theirs)
        else:
            assert ours == pytest.approx(float(theirs), rel=1e-8)


def test_the_oracle_fills_numpyros_defaults():
    # Gamma's rate and Normal's loc and scale default as in numpyro
    assert records.scipy_oracle("Gamma")({"concentration": 2.0}).mean() == pytest.approx(2.0, rel=1e-15)
    assert records.scipy_oracle("Normal")().std() == 1.0
    assert records.scipy_oracle("Dirichlet")(concentration=[1.0, 2.0, 3.0]).mean().tolist() == pytest.approx(
        [1 / 6, 2 / 6, 3 / 6], rel=1e-15)
