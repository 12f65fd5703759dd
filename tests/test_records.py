"""The family records (priorcli.records) on arrays, against scipy.stats.

tests/test_formulas.py checks every record's scalar functions against scipy.stats and numpyro;
here the same table checks the vectorised paths: cdf/icdf/logpdf on arrays (with points outside
the support, the support's ends and NaN), broadcasting over parameter arrays, agreement of the
scalar and array paths, and the closed-form inversions (targets -> parameters) on floats and
arrays, with the targets taken from scipy.stats.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import math
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import scipy.stats as st
from numpy.testing import assert_allclose
from scipy import optimize

from priorcli import records
from priorcli.records import RECORDS
from test_formulas import ALL, KumaraswamyOracle, _id

RTOL = 1e-8
ATOL = 1e-14
QS = np.array([0.001, 0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975, 0.999])


def _support(d):
    """scipy's support; the hand-written Kumaraswamy oracle lives on (0, 1)."""
    return (0.0, 1.0) if isinstance(d, KumaraswamyOracle) else d.support()


def _points(rec, d):
    """Points across the body and tails, outside the support, at its ends, and NaN."""
    xs = list(d.ppf([0.001, 0.1, 0.3, 0.5, 0.7, 0.9, 0.999]))
    lo, hi = (float(v) for v in _support(d))
    if rec.discrete:
        lo = max(lo, -1e9)  # scipy's randint/binom supports are finite; others start at 0
        xs = sorted(set(xs)) + [xs[3] + 0.5]
    for edge in (lo, hi):
        if math.isfinite(edge):
            xs += [edge - 1.0, edge + 1.0] if not rec.discrete else [edge - 1.0, edge + 1.0, edge]
    return np.array(xs, dtype=np.float64)


@pytest.mark.parametrize("case", ALL, ids=_id)
def test_cdf_logpdf_on_arrays_match_scipy(case):
    fam, params, oracle = case
    rec, d = RECORDS[fam], oracle()
    xs = _points(rec, d)
    cdf = rec.cdf(xs, **params)
    assert isinstance(cdf, np.ndarray) and cdf.dtype == np.float64 and cdf.shape == xs.shape
    assert_allclose(cdf, d.cdf(xs), rtol=RTOL, atol=ATOL)
    logpdf = rec.logpdf(xs, **params)
    assert logpdf.dtype == np.float64 and logpdf.shape == xs.shape
    if rec.discrete:
        expected = d.logpmf(xs)
    else:
        expected = d.logpdf(xs)
        # at a support end the density's limit is a convention; compare inside and outside only
        lo, hi = _support(d)
        keep = (xs != lo) & (xs != hi)
        logpdf, expected = logpdf[keep], expected[keep]
    finite = np.isfinite(expected)
    assert_allclose(logpdf[finite], expected[finite], rtol=RTOL, atol=ATOL)
    assert np.all(logpdf[~finite] == expected[~finite])
    nan = np.array([math.nan])
    assert np.isnan(rec.cdf(nan, **params)).all() and np.isnan(rec.logpdf(nan, **params)).all()


@pytest.mark.parametrize("case", ALL, ids=_id)
def test_icdf_on_arrays_matches_scipy(case):
    fam, params, oracle = case
    rec, d = RECORDS[fam], oracle()
    got = rec.icdf(QS, **params)
    assert isinstance(got, np.ndarray) and got.dtype == np.float64
    assert_allclose(got, d.ppf(QS), rtol=RTOL, atol=ATOL)
    lo, hi = rec.support(**params)
    ends = rec.icdf(np.array([0.0, 1.0, -0.1, 1.5, math.nan]), **params)
    assert ends[0] == lo and ends[1] == hi and np.isnan(ends[2:]).all()


@pytest.mark.parametrize("case", ALL, ids=_id)
def test_scalar_and_array_paths_agree(case):
    fam, params, oracle = case
    rec, d = RECORDS[fam], oracle()
    xs = _points(rec, d)
    for fn, points in ((rec.cdf, xs), (rec.logpdf, xs), (rec.icdf, np.concatenate([QS, [0.0, 1.0]]))):
        scalar = np.array([fn(float(x), **params) for x in points])
        assert all(type(fn(float(x), **params)) is float for x in points[:3])
        assert_allclose(fn(points, **params), scalar, rtol=1e-14, atol=0)


def _families_with_two_settings():
    by = {}
    for fam, params, oracle in ALL:
        by.setdefault(fam, []).append((params, oracle))
    return [(fam, cases[:2]) for fam, cases in by.items() if len(cases) >= 2]


@pytest.mark.parametrize("fam, cases", _families_with_two_settings(), ids=lambda v: v if isinstance(v, str) else "")
def test_broadcasts_over_parameter_arrays(fam, cases):
    rec = RECORDS[fam]
    (p1, o1), (p2, o2) = cases
    stacked = {k: np.array([[p1[k]], [p2[k]]], dtype=np.float64) for k in p1}
    d1, d2 = o1(), o2()
    # one row of points per setting, each inside its own support
    x1, x2 = d1.ppf(QS), d2.ppf(QS)
    xs = np.stack([x1, x2])
    got = rec.cdf(xs, **stacked)
    assert got.shape == (2, QS.size)
    assert_allclose(got[0], d1.cdf(x1), rtol=RTOL, atol=ATOL)
    assert_allclose(got[1], d2.cdf(x2), rtol=RTOL, atol=ATOL)
    q = rec.icdf(np.broadcast_to(QS, (2, QS.size)), **stacked)
    assert_allclose(q[0], d1.ppf(QS), rtol=RTOL, atol=ATOL)
    assert_allclose(q[1], d2.ppf(QS), rtol=RTOL, atol=ATOL)
    lp = rec.logpdf(xs, **stacked)
    f1, f2 = (d.logpmf if rec.discrete else d.logpdf for d in (d1, d2))
    assert_allclose(lp[0], f1(x1), rtol=RTOL, atol=ATOL)
    assert_allclose(lp[1], f2(x2), rtol=RTOL, atol=ATOL)


def test_every_record_is_complete():
    assert {fam for fam, _, _ in ALL} == set(RECORDS)
    for name, rec in RECORDS.items():
        assert rec.name == name and records.get(name) is rec
        for attr in ("support", "cdf", "icdf", "logpdf", "mean", "variance", "mode", "median", "entropy"):
            assert callable(getattr(rec, attr)), (name, attr)
        assert rec.aliases() == records.aliases_for(rec.param_names)


@pytest.mark.slow
def test_importing_records_loads_neither_numpy_nor_scipy():
    code = (
        "import sys, priorcli.records as r; r.RECORDS['LogNormal'].inversion({'mode'}, {'scale'})(mode=1.0, scale=0.5); "
        "print(','.join(m for m in sys.modules if m.split('.')[0] in ('jax', 'numpyro', 'numpy', 'scipy')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# ---------------------------------------------------------------------------------------------
# Inversions: targets from scipy.stats, back to the parameters


def _oracle_mode(d, lo, hi):
    """The mode by maximising scipy's density (bounded search inside the central 99.8%)."""
    a, b = d.ppf(0.0001), d.ppf(0.9999)
    res = optimize.minimize_scalar(lambda x: -d.logpdf(x), bounds=(a, b), method="bounded",
                                   options={"xatol": 1e-12 * max(1.0, abs(b))})
    return float(res.x)


def _oracle_targets(d) -> dict:
    return {"mean": float(d.mean()), "sd": float(d.std()), "median": float(d.median()),
            "mode": _oracle_mode(d, *d.support())}


INVERSION_CASES = [
    # (family, params, oracle, targets, fixed)
    ("LogNormal", dict(loc=1.3, scale=0.4), st.lognorm(s=0.4, scale=math.exp(1.3)), ("mode",), ("scale",)),
    ("LogNormal", dict(loc=1.3, scale=0.4), st.lognorm(s=0.4, scale=math.exp(1.3)), ("median",), ("scale",)),
    ("LogNormal", dict(loc=1.3, scale=0.4), st.lognorm(s=0.4, scale=math.exp(1.3)), ("mean",), ("scale",)),
    ("LogNormal", dict(loc=-0.5, scale=1.7), st.lognorm(s=1.7, scale=math.exp(-0.5)), ("sd",), ("scale",)),
    ("LogNormal", dict(loc=0.2, scale=0.8), st.lognorm(s=0.8, scale=math.exp(0.2)), ("mean", "sd"), ()),
    ("LogNormal", dict(loc=0.2, scale=0.8), st.lognorm(s=0.8, scale=math.exp(0.2)), ("mode", "median"), ()),
    ("LogNormal", dict(loc=0.2, scale=0.8), st.lognorm(s=0.8, scale=math.exp(0.2)), ("median", "mean"), ()),
    ("LogNormal", dict(loc=0.2, scale=0.8), st.lognorm(s=0.8, scale=math.exp(0.2)), ("mode", "mean"), ()),
    ("Gamma", dict(concentration=2.5, rate=3.0), st.gamma(2.5, scale=1 / 3.0), ("mean", "sd"), ()),
    ("InverseGamma", dict(concentration=3.0, rate=2.0), st.invgamma(3.0, scale=2.0), ("mean", "sd"), ()),
    ("Beta", dict(concentration1=2.0, concentration0=5.0), st.beta(2.0, 5.0), ("mean", "sd"), ()),
    ("BetaProportion", dict(mean=0.3, concentration=8.0), st.beta(2.4, 5.6), ("mean", "sd"), ()),
]


@pytest.mark.parametrize("fam, params, d, targets, fixed", INVERSION_CASES,
                         ids=[f"{c[0]}-{'+'.join(c[3])}" for c in INVERSION_CASES])
def test_inversions_recover_the_parameters(fam, params, d, targets, fixed):
    rec = RECORDS[fam]
    inv = rec.inversion(targets, fixed)
    assert inv is not None
    oracle = _oracle_targets(d)
    values = {t: oracle[t] for t in targets} | {f: params[f] for f in fixed}
    rtol = 1e-6 if "mode" in targets else 1e-9  # the oracle's mode is a numerical maximum
    assert inv.holds(**values)
    got = inv(**values)
    assert set(got) | set(fixed) == set(rec.param_names)
    for k, v in got.items():
        assert type(v) is float
        assert_allclose(v, params[k], rtol=rtol, atol=1e-9)
    # arrays in, arrays out, element by element the same
    arrays = {k: np.array([v, v * 1.0]) for k, v in values.items()}
    for k, v in inv(**arrays).items():
        assert isinstance(v, np.ndarray) and v.shape == (2,)
        assert_allclose(v, got[k], rtol=1e-14)


def test_beta_mean_count_is_the_stan_guide_parameterisation():
    inv = RECORDS["Beta"].inversion({"mean", "count"})
    got = inv(mean=0.3, count=10.0)
    assert_allclose([got["concentration1"], got["concentration0"]], [3.0, 7.0], rtol=1e-15)
    d = st.beta(got["concentration1"], got["concentration0"])
    assert_allclose(d.mean(), 0.3, rtol=1e-14)
    assert RECORDS["BetaProportion"].inversion({"mean", "count"})(mean=0.3, count=10.0) == {
        "mean": 0.3, "concentration": 10.0}


def test_infeasible_inversions_say_why():
    inv = RECORDS["Beta"].inversion({"mean", "sd"})
    assert not inv.holds(mean=0.5, sd=0.5)
    assert "too large" in inv.why(mean=0.5, sd=0.5)
    ln = RECORDS["LogNormal"].inversion({"mode", "mean"})
    assert not ln.holds(mode=2.0, mean=1.0) and ln.holds(mode=1.0, mean=2.0)
    assert ln.holds(mode=np.array([1.0, 2.0]), mean=np.array([2.0, 1.0])).tolist() == [True, False]
    assert RECORDS["Gamma"].inversion({"mean", "sd"}).holds(mean=np.ones(3), sd=1.0).tolist() == [True] * 3


# ---------------------------------------------------------------------------------------------
# One place per family: the records are the only home of densities and inversions


PACKAGE = pathlib.Path(records.__file__).resolve().parent.parent


_FAMILY_WORDS = {r.name.lower().removesuffix("probs") for r in RECORDS.values()} | {
    "t", "invgamma", "binom", "binomial", "nb", "geom", "geometric", "kuma", "betaprop", "bernoulli", "betabinom",
    "du", "levy", "loguniform", "halfnormal", "halfcauchy", "chi2"}
_DENSITY_WORDS = ("logpdf", "logpmf", "pdf", "pmf", "cdf", "icdf")
_FIT_WORDS = ("mle", "start", "check", "coords", "shape")  # _gamma_mle, _levy_start, _gamma_shape, ...


def _family_functions(tree: ast.Module, suffixes) -> list[str]:
    """Functions named FAMILY_..._SUFFIX: '_gamma_logpdf', '_normal_mle', '_levy_start'."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            parts = node.name.strip("_").split("_")
            if len(parts) > 1 and parts[0] in _FAMILY_WORDS and parts[-1] in suffixes:
                found.append(f"{node.lineno} {node.name}")
    return found


def _family_tables(tree: ast.Module) -> list[str]:
    """Dicts keyed by two or more family names whose values hold functions (lambdas, or functions
    of the module): per-family behaviour kept in a table, like the fitter's old
    {"Normal": _Closed(_no_check, _loc_scale_start, _normal_mle), ...}. Tables of plain data (the
    Stan/PyMC names of emit/frameworks.py) are not behaviour."""
    functions = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Dict):
            continue
        keys = [k.value for k in node.keys if isinstance(k, ast.Constant) and k.value in RECORDS]
        inside = [n for v in node.values for n in ast.walk(v)]
        called = {id(n.func) for n in inside if isinstance(n, ast.Call)}  # helpers building data: fine
        holds_code = any(isinstance(n, ast.Lambda) or (isinstance(n, ast.Name) and n.id in functions
                                                       and id(n) not in called) for n in inside)
        if len(keys) >= 2 and holds_code:
            found.append(f"{node.lineno} {{{', '.join(map(repr, keys[:3]))}, ...}}")
    return found


def _outside_the_records():
    for path in sorted(PACKAGE.rglob("*.py")):
        if "records" not in path.relative_to(PACKAGE).parts:
            yield path, ast.parse(path.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_no_module_outside_the_records_defines_a_family_density():
    """No '_gamma_logpdf' and the like anywhere but priorcli/records (names parsed, not grepped)."""
    offenders = [f"{path.name}:{f}" for path, tree in _outside_the_records()
                 for f in _family_functions(tree, _DENSITY_WORDS)]
    assert offenders == []


@pytest.mark.slow
def test_no_module_outside_the_records_keeps_per_family_fit_knowledge():
    """Support checks, starting values and closed-form MLEs are record fields: no '_gamma_mle' or
    '_levy_start' elsewhere, and no table of per-family functions keyed by family name."""
    offenders = [f"{path.name}:{f}" for path, tree in _outside_the_records()
                 for f in _family_functions(tree, _FIT_WORDS)
                 + ([] if path.relative_to(PACKAGE).as_posix() in STANDALONE_JAX else _family_tables(tree))]
    assert offenders == []


# priorcli's own numpyro classes whose source --emit numpyro writes into the program, so they read no
# record: their jax survival/inverse/cdf functions by numpyro class (the upper tail of a truncation)
# are the numpyro side of the family, as numpyro's own methods are, not the records' scipy knowledge
STANDALONE_JAX = {"dists/truncated.py"}


def test_the_fit_knowledge_check_can_fail():
    old = ast.parse(
        "def _normal_mle(x):\n    return {}\n"
        "def _levy_start(x):\n    return {}\n"
        "def _gamma_shape(family, y):\n    return 1.0\n"
        "def _no_check(family, x, fixed):\n    pass\n"
        "_CLOSED = {'Normal': _Closed(_no_check, None, _normal_mle),\n"
        "           'Chi2': _Closed(_no_check, lambda x: {'df': 1.0})}\n"
    )
    assert [f.split()[1] for f in _family_functions(old, _FIT_WORDS)] == ["_normal_mle", "_levy_start", "_gamma_shape"]
    assert len(_family_tables(old)) == 1
    data = ast.parse("def _pymc(name):\n    return name\n"
                     "FAMILIES = {'Normal': Counterparts(Stan('normal'), _pymc('Normal')), 'Gamma': Counterparts()}")
    assert _family_tables(data) == []


def test_every_record_is_fitted_through_its_record():
    # the fitter's closed forms and starts are the records': none falls back to numpyro and jax
    assert [name for name, rec in RECORDS.items() if not rec.fits] == []


def _counting(monkeypatch, name: str, **fields):
    """Replace RECORDS[name] by a copy whose given fields count their calls."""
    calls = []

    def counted(fn):
        def wrapper(*args, **kwargs):
            calls.append(fn)
            return fn(*args, **kwargs)

        return wrapper

    rec = RECORDS[name]
    changed = {k: counted(getattr(rec, k)) if v is None else v(counted) for k, v in fields.items()}
    monkeypatch.setitem(RECORDS, name, dataclasses.replace(rec, **changed))
    return calls


@pytest.mark.parametrize("spec", ["gamma", "Gamma(rate=2)", "beta", "poisson", "studentt"])
def test_the_fitter_uses_the_record_logpdf(monkeypatch, spec):
    from priorcli.fitting import fit_family

    name = {"gamma": "Gamma", "Gamma(rate=2)": "Gamma", "beta": "Beta", "poisson": "Poisson", "studentt": "StudentT"}[spec]
    calls = _counting(monkeypatch, name, logpdf=None)
    data = {"Beta": st.beta(2, 5), "Poisson": st.poisson(3.0), "StudentT": st.t(4.0)}.get(name, st.gamma(2.0))
    fit = fit_family(spec, data.rvs(500, random_state=3).astype(float))
    assert calls, "fitting did not evaluate the record's logpdf"
    assert math.isfinite(fit.log_likelihood)


@pytest.mark.parametrize("spec, name, field", [
    ("normal", "Normal", "mle"),
    ("Gamma(rate=2)", "Gamma", "fit_start"),
    ("pareto", "Pareto", "fit_check"),
    ("levy", "Levy", "fit_coords"),
    ("uniform", "Uniform", "mle"),
])
def test_the_fitter_uses_the_record_fit_fields(monkeypatch, spec, name, field):
    from priorcli.fitting import fit_family

    calls = _counting(monkeypatch, name, **{field: None})
    data = {"Normal": st.norm(1.0, 2.0), "Pareto": st.pareto(3.0, scale=1.5), "Levy": st.levy(0.5, 0.3),
            "Uniform": st.uniform(-1.0, 4.0)}.get(name, st.gamma(2.0))
    fit = fit_family(spec, data.rvs(300, random_state=5).astype(float))
    assert calls, f"fitting did not use the record's {field}"
    assert math.isfinite(fit.log_likelihood)


def test_the_fitter_uses_the_record_mle_via(monkeypatch):
    from priorcli.fitting import fit_family

    calls = _counting(monkeypatch, "BetaProportion",
                      mle_via=lambda counted: ("Beta", counted(RECORDS["BetaProportion"].mle_via[1])))
    x = st.beta(2.0, 5.0).rvs(300, random_state=5)
    fit = fit_family("betaproportion", x)
    beta = fit_family("beta", x)
    assert len(calls) == 1
    a, b = beta.params["concentration1"], beta.params["concentration0"]
    assert fit.params == {"mean": a / (a + b), "concentration": a + b}


def test_the_model_sampler_uses_the_record_inversions(monkeypatch):
    from priorcli.model.numpyro import dist_spec

    def counting_inversions(counted):
        return tuple(dataclasses.replace(inv, formula=counted(inv.formula)) for inv in RECORDS["Beta"].inversions)

    calls = _counting(monkeypatch, "Beta", inversions=counting_inversions)
    mean = np.array([0.2, 0.5, 0.7])
    spec = dist_spec("Beta", (), {"mean": mean, "count": 10.0}, (), per_draw=True)  # a mean per draw
    assert len(calls) == 1
    assert_allclose(spec.params["concentration1"], 10.0 * mean, rtol=1e-15)
    assert_allclose(spec.params["concentration0"], 10.0 * (1 - mean), rtol=1e-15)


# ---------------------------------------------------------------------------------------------
# The LogNormal target algebra (two targets -> loc, scale), targets from scipy.stats


LN_PAIRS = [("mode", "sd"), ("median", "sd"), ("mean", "sd"), ("quantile", "sd"), ("mode", "quantile"),
            ("quantile", "mean"), ("quantile", "quantile2"), ("mode", "median"), ("median", "mean")]


@pytest.mark.parametrize("mu, s", [(0.3, 0.5), (-1.2, 1.4), (2.0, 0.05)])
@pytest.mark.parametrize("pair", LN_PAIRS, ids="+".join)
def test_lognormal_algebra_recovers_the_parameters(pair, mu, s):
    from priorcli.records import lognormal as ln

    d = st.lognorm(s=s, scale=math.exp(mu))
    truth = {"mode": math.exp(mu - s * s), "median": float(d.median()), "mean": float(d.mean()), "sd": float(d.std())}
    terms = []
    for kind in pair:
        if kind.startswith("quantile"):
            p = 0.9 if kind == "quantile" else 0.2
            terms.append(ln.term("quantile", float(d.ppf(p)), kind, p=p))
        else:
            terms.append(ln.term(kind, truth[kind], kind))
    found = ln.candidates(terms, {})
    assert any(abs(m - mu) <= 1e-8 * max(1, abs(mu)) and abs(v - s) <= 1e-8 * s for m, v in found), found
    for m, v in found:  # every candidate meets both targets
        for t, kind in zip(terms, pair):
            want = d.ppf(t.p) if t.kind == "quantile" else truth[kind]
            assert_allclose(ln.value_at(t.kind, m, v, p=t.p), want, rtol=1e-8)


def test_lognormal_algebra_says_why_targets_cannot_hold():
    from priorcli.errors import InfeasibleError
    from priorcli.records import lognormal as ln

    with pytest.raises(InfeasibleError, match="mode < median < mean"):
        ln.candidates([ln.term("mode", 2.0, "mode=2"), ln.term("mean", 1.0, "mean=1")], {})
    with pytest.raises(InfeasibleError, match="exceed its mode"):
        ln.candidates([ln.term("mode", 2.0, "mode=2"), ln.term("quantile", 1.0, "q", p=0.9)], {})
    one = ln.candidates([ln.term("median", 2.0, "median=2")], {})
    assert isinstance(one, ln.Term) and one.kind == "median"


@pytest.mark.parametrize("fam", ["Normal", "LogNormal", "Gamma", "InverseGamma", "Uniform", "Beta", "BetaProportion"])
def test_moment_starts_are_exact_where_a_closed_form_exists(fam):
    m, s = (0.3, 0.1) if fam.startswith("Beta") else (2.0, 0.7)
    d = records.scipy_oracle(fam)(RECORDS[fam].moment_start(m, s))
    assert_allclose([d.mean(), d.std()], [m, s], rtol=1e-12)


def test_dirichlet_record_mean_count():
    dirichlet = records.describe("Dirichlet")
    assert records.get("Dirichlet") is None and dirichlet is records.MULTIVARIATE["Dirichlet"]
    got = dirichlet.inversion({"mean", "count"})(mean=(0.2, 0.3, 0.5), count=10.0)["concentration"]
    assert_allclose(got, [2.0, 3.0, 5.0], rtol=1e-15)
    # scipy's Dirichlet mean of those concentrations is the requested mean
    assert_allclose(st.dirichlet(got).mean(), [0.2, 0.3, 0.5], rtol=1e-14)


@pytest.mark.slow
def test_info_text_comes_from_the_records(run):
    for name, record in list(RECORDS.items()) + list(records.MULTIVARIATE.items()):
        if record.formulas:
            out = run("info", name, "--format", "json")
            assert out.exit_code == 0, out.stderr
            doc = json.loads(out.stdout)
            assert doc["closed_forms"] == list(record.formulas)
            if record.example:
                assert doc["example"] == record.example


@pytest.mark.parametrize("df", [0.5, 3.0, 99.0, 100.0, 1e4, 1e8, 1e12, 1e16])
def test_student_t_entropy_stays_accurate_for_large_df(df):
    """The digamma/betaln form cancels at large df; the record must still match scipy (whose
    large-df branch is the 1/df series about the normal's entropy)."""
    from scipy import stats

    got = records.get("StudentT").entropy(df=df, loc=1.0, scale=2.5)
    assert got == pytest.approx(stats.t(df, loc=1.0, scale=2.5).entropy(), rel=1e-12, abs=1e-12)
