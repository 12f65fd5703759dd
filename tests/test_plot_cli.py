"""Plots as a user sees them at 100 columns (tests/conftest.py): the axis limits, the note of the
draws not shown and the log switch, checked against scipy and against the draws themselves
(the same seed's --format raw)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from scipy import stats as st

from conftest import assert_usage_error

N = 10000
FORUM = """\
theta_group ~ LogNormal(0, 1)
tau_group ~ HalfCauchy(5)
theta_part ~ LogNormal(log(theta_group), tau_group)
"""
NOTE = re.compile(r"^(?:\[(?P<which>\d+)\] )?(?:(?P<below>[\d.]+)% of draws below (?P<lo>\S+))?"
                  r"(?: and )?(?:(?P<above>[\d.]+)% (?:of draws )?beyond (?P<hi>\S+))? not shown$")


def axis_ends(stdout: str, chart: int = 0) -> tuple[float, float]:
    """The first and last x tick labels (the plot's range), from the line under the axis."""
    lines = stdout.splitlines()
    bottoms = [i for i, line in enumerate(lines) if line.lstrip().startswith("└")]
    labels = lines[bottoms[chart] + 1].split()
    return float(labels[0]), float(labels[-1])


def notes(stdout: str) -> list[re.Match]:
    found = [NOTE.match(line) for line in stdout.splitlines() if line.endswith("not shown")]
    assert all(found), stdout
    return found


def raw_draws(run, *argv) -> np.ndarray:
    result = run(*argv, "--format", "raw")
    assert result.exit_code == 0, result.stderr
    return np.loadtxt(result.stdout.splitlines())


def assert_percent(text: str | None, fraction: float) -> None:
    """A note's percentage (two significant digits) is the share of draws it names."""
    if fraction == 0:
        assert text is None
        return
    assert text is not None
    assert float(text) == pytest.approx(100 * fraction, rel=0.05)


def test_halfcauchy_goes_on_a_log_axis(run):
    argv = ["sample", "halfcauchy", "--scale", "5"]
    result = run(*argv)
    assert result.exit_code == 0, result.stderr
    assert "x (log scale)" in result.stdout  # the log switch: central 99% spans 4.2 decades
    lo, hi = axis_ends(result.stdout)
    d = st.halfcauchy(scale=5)
    assert d.cdf(hi) - d.cdf(lo) >= 0.9
    q25, q75 = d.ppf([0.25, 0.75])
    assert math.log10(q75 / q25) / math.log10(hi / lo) == pytest.approx(0.15, rel=0.01)  # 3-digit labels
    x = raw_draws(run, *argv)
    (note,) = notes(result.stdout)
    assert float(note["lo"]) == lo and float(note["hi"]) == hi
    assert_percent(note["below"], np.mean(x < lo))
    assert_percent(note["above"], np.mean(x > hi))


def test_halfcauchy_linear_starts_at_zero(run):
    argv = ["sample", "halfcauchy", "--scale", "5", "--linear"]
    result = run(*argv)
    assert result.exit_code == 0, result.stderr
    assert "log scale" not in result.stdout
    # IQR = 10 (5 tan(3pi/8) - 5 tan(pi/8)), so the widest axis is 10 / 0.15 = 66.67, from the
    # support's end; printed with 3 digits without widening it: 66.6.
    assert axis_ends(result.stdout) == (0.0, 66.6)
    (note,) = notes(result.stdout)
    assert note["below"] is None and note["hi"] == "66.6"
    x = raw_draws(run, *argv)
    hidden = np.mean(x > 66.6)
    assert_percent(note["above"], hidden)
    tail = st.halfcauchy(scale=5).sf(66.6)
    assert hidden == pytest.approx(tail, abs=5 * math.sqrt(tail * (1 - tail) / N))


def test_studentt_1_shows_its_body(run):
    argv = ["sample", "studentt", "--df", "1"]
    result = run(*argv)
    assert result.exit_code == 0, result.stderr
    assert "log scale" not in result.stdout
    # IQR 2: +-(2 / 0.15) / 2 = 6.667 around the median, printed with 3 digits inside it
    assert axis_ends(result.stdout) == (-6.66, 6.66)
    (note,) = notes(result.stdout)
    x = raw_draws(run, *argv)
    assert_percent(note["below"], np.mean(x < -6.66))
    assert_percent(note["above"], np.mean(x > 6.66))
    assert st.t(1).cdf(6.66) - st.t(1).cdf(-6.66) >= 0.9


def test_lognormal_0_3(run):
    result = run("sample", "lognormal", "--mu", "0", "--sigma", "3")
    assert result.exit_code == 0, result.stderr
    assert "x (log scale)" in result.stdout
    lo, hi = axis_ends(result.stdout)
    d = st.lognorm(3)
    assert lo <= math.exp(-9) <= hi  # the mode
    assert d.cdf(hi) - d.cdf(lo) >= 0.9
    linear = run("sample", "lognormal", "--mu", "0", "--sigma", "3", "--linear")
    lo, hi = axis_ends(linear.stdout)
    assert lo == 0 and d.cdf(hi) >= 0.9 and "log scale" not in linear.stdout


def test_seed_hierarchical_model(run):
    argv = ["sample", "--model", FORUM]
    result = run(*argv)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line for line in lines if line in ("theta_group", "tau_group", "theta_part")] == \
        ["theta_group", "tau_group", "theta_part"]  # one chart per variable, in model order
    assert result.stdout.count("x (log scale)") == 2  # tau_group and theta_part; theta_group is 2.5 decades
    x = raw_draws(run, *argv, "--show", "theta_part")
    lo, hi = axis_ends(result.stdout, chart=2)
    assert 1e-12 < lo and hi < 1e12  # not the 1e-22..4e18 of the extreme quantiles
    q25, q75 = np.quantile(x, [0.25, 0.75])
    assert math.log10(q75 / q25) / math.log10(hi / lo) == pytest.approx(0.15, rel=0.01)
    note = notes(result.stdout)[-1]
    assert_percent(note["below"], np.mean(x < lo))
    assert_percent(note["above"], np.mean(x > hi))
    # Heavier than Cauchy in log space: the body stays readable and over 10% is named as hidden.
    assert float(note["below"]) + float(note["above"]) > 10


def test_model_plot_chooses_variables(run):
    result = run("sample", "--model", FORUM, "-n", 2000, "--plot", "theta_part")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("└") == 1 and "theta_part" in result.stdout.splitlines()
    bad = run("sample", "--model", FORUM, "-n", 2000, "--plot", "sigma")
    assert_usage_error(bad, "--plot", "sigma")
    assert bad.stdout == ""
    assert_usage_error(run("sample", "normal", "--plot", "x"), "--plot")


def test_discrete_family_keeps_pmf_points(run):
    result = run("sample", "poisson", "--rate", "3")
    assert result.exit_code == 0, result.stderr
    assert "exact pmf" in result.stdout and "log scale" not in result.stdout
    lo, hi = axis_ends(result.stdout)
    d = st.poisson(3)
    assert lo == 0 and hi == int(hi)
    assert d.cdf(hi) >= 0.9 and (d.ppf(0.75) - d.ppf(0.25) + 1) / (hi - lo + 1) >= 0.15
    bad = run("sample", "poisson", "--rate", "3", "--log-x")
    assert_usage_error(bad, "--log-x", "discrete")
    assert bad.stdout == ""  # checked before the table is printed


@pytest.mark.slow
def test_compare_draws_density_lines_on_one_range(run):
    specs = ["LogNormal(1, 1)", "LogNormal(0, 1)", "softplus(Normal(0, 1))"]
    result = run("compare", *specs)
    assert result.exit_code == 0, result.stderr
    for i, (marker, spec) in enumerate(zip(["••", "xx", "++"], specs), start=1):
        assert f" {marker} [{i}] {spec} " in result.stdout  # the legend: its own marker, named
    assert "██" not in result.stdout  # lines, not block histograms
    lo, hi = axis_ends(result.stdout)
    assert lo == 0
    assert st.lognorm(1, scale=math.e).cdf(hi) >= 0.9 and st.lognorm(1).cdf(hi) >= 0.9
    x1 = raw_draws(run, "sample", "lognormal", "--mu", "1", "--sigma", "1")  # compare's draws: same seed
    found = {m["which"]: m for m in notes(result.stdout)}
    assert_percent(found["1"]["above"], np.mean(x1 > hi))
    doc = run.json("compare", *specs)
    assert set(doc) == {"seed", "draws", "distributions"}
    assert [set(d) for d in doc["distributions"]] == [{"spec", "mc", "exact"}] * 3


def test_compare_on_a_log_axis(run):
    result = run("compare", "LogNormal(0, 3)", "HalfCauchy(5)")
    assert result.exit_code == 0, result.stderr
    assert "x (log scale)" in result.stdout
    lo, hi = axis_ends(result.stdout)
    for d in (st.lognorm(3), st.halfcauchy(scale=5)):
        assert d.cdf(hi) - d.cdf(lo) >= 0.9


def test_fit_overlay(run, tmp_path):
    x = st.gamma(3, scale=0.5).rvs(2000, random_state=np.random.default_rng(2))
    path = tmp_path / "draws.txt"
    path.write_text("\n".join(repr(float(v)) for v in x) + "\n")
    result = run("summarize", "--input", path, "--fit", "gamma")
    assert result.exit_code == 0, result.stderr
    assert "│ ⢕⢕ fit: dist.Gamma(concentration=" in result.stdout  # the fitted density's legend
    lo, hi = axis_ends(result.stdout)
    assert np.mean((x >= lo) & (x <= hi)) >= 0.9
    plain = run("summarize", "--input", path)
    # The table is the same with and without the fit; only the fit line and the curve are added.
    table, fitted = before_plot(plain.stdout), before_plot(result.stdout)
    assert fitted[: len(table)] == table
    assert fitted[len(table):] == [f"maximum-likelihood fit: {run.json('summarize', '--input', path, '--fit', 'gamma')['fit']['numpyro']}"]


def before_plot(stdout: str) -> list[str]:
    lines = stdout.splitlines()
    return lines[: next(i for i, line in enumerate(lines) if "┌" in line)]


def test_ranges_by_hand(run):
    result = run("sample", "normal", "--range", "-1,3")
    assert result.exit_code == 0, result.stderr
    assert axis_ends(result.stdout) == (-1, 3)
    x = raw_draws(run, "sample", "normal")
    (note,) = notes(result.stdout)
    assert_percent(note["below"], np.mean(x < -1))
    assert_percent(note["above"], np.mean(x > 3))
    tail = run("sample", "lognormal", "--tail", "0.005")
    lo, hi = axis_ends(tail.stdout)  # the quantiles, rounded outward to 3 digits
    q005, q995 = st.lognorm(1).ppf([0.005, 0.995])
    assert (lo, hi) == (math.floor(q005 * 1e4) / 1e4, math.ceil(q995 * 10) / 10) == (0.076, 13.2)
    for argv, needle in [(["--range", "3,1"], "--range"), (["--range", "1"], "--range"),
                         (["--range", "0,1", "--tail", "0.1"], "--tail"), (["--tail", "0.5"], "--tail"),
                         (["--tail", "abc"], "--tail"), (["--linear", "--log-x"], "--linear")]:
        assert_usage_error(run("sample", "normal", *argv), needle)
    refused = run("sample", "normal", "--log-x", "--range", "-1,1")
    assert_usage_error(refused, "--range")
    assert refused.stdout == ""


@pytest.mark.parametrize("argv", [
    ["sample", "halfcauchy", "--scale", "5", "-n", 2000],
    ["compare", "LogNormal(1, 1)", "HalfCauchy(5)", "-n", 2000],
    ["sample", "--model", FORUM, "-n", 2000],
])
def test_no_ansi_off_a_terminal(run, monkeypatch, argv):
    monkeypatch.delenv("NO_COLOR")  # not a terminal is enough
    result = run(*argv)
    assert result.exit_code == 0 and "\x1b" not in result.stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert run(*argv).stdout == result.stdout


def test_fit_curves_draw_the_top_three():
    """charts.fit_curves takes a ranked list (issue 10's --fit auto) and draws its first three."""
    from priorcli.plot import charts
    from priorcli.fitting import Fit
    from priorcli.plot.range import choose_range

    fits = [Fit("Gamma", {"concentration": 2.0, "rate": 1.0}, -1.0, "dist.Gamma(2, 1)"),
            Fit("LogNormal", {"loc": 0.5, "scale": 0.6}, -2.0, "dist.LogNormal(0.5, 0.6)"),
            Fit("Weibull", {"scale": 2.0, "concentration": 1.5}, -3.0, "dist.Weibull(2, 1.5)"),
            Fit("Exponential", {"rate": 0.5}, -4.0, "dist.Exponential(0.5)")]
    r = choose_range(st.gamma(2).ppf, (0.0, math.inf), mode=1.0)
    curves = charts.fit_curves(fits, r)
    assert [c.label for c in curves] == ["fit: dist.Gamma(2, 1)", "fit: dist.LogNormal(0.5, 0.6)",
                                         "fit: dist.Weibull(2, 1.5)"]
    gamma = curves[0]
    assert np.allclose(gamma.curve_y, st.gamma(2).pdf(gamma.curve_x), rtol=1e-10)
    assert np.allclose(curves[1].curve_y, st.lognorm(0.6, scale=math.exp(0.5)).pdf(curves[1].curve_x), rtol=1e-10)


def test_kernel_density_where_no_exact_density():
    """compare's fallback line: a Gaussian kernel estimate of the draws; for 20,000 normal draws it
    is the normal density smoothed by Scott's bandwidth h (variance 1 + h^2), up to noise."""
    from priorcli.plot import charts
    from priorcli.plot.range import choose_range

    x = np.random.default_rng(1).standard_normal(20000)
    r = choose_range(st.norm.ppf, (-math.inf, math.inf), mode=0.0)
    curve = charts._density_curve(None, x, r, "[1] draws", False)
    h = 20000 ** (-1 / 5)
    expected = st.norm(scale=math.sqrt(1 + h * h)).pdf(curve.curve_x)
    # Pointwise sd of a kernel estimate: sqrt(f R(K) / (n h)), R(K) = 1 / (2 sqrt(pi)); 5 of them.
    sd = np.sqrt(expected / (2 * math.sqrt(math.pi)) / (20000 * h))
    assert np.all(np.abs(np.array(curve.curve_y) - expected) < 5 * sd + 1e-12)


def test_discrete_model_variable_gets_integer_bins(run):
    argv = ["sample", "--model", "lam ~ Gamma(3, 1); k ~ Poisson(lam)", "--plot", "k"]
    result = run(*argv)
    assert result.exit_code == 0, result.stderr
    lo, hi = axis_ends(result.stdout)
    k = raw_draws(run, *argv[:3], "--show", "k")
    assert lo == k.min() == 0 and hi == int(hi) and np.mean(k <= hi) >= 0.9
    q25, q75 = np.quantile(k, [0.25, 0.75], method="inverted_cdf")
    assert (q75 - q25 + 1) / (hi - lo + 1) >= 0.15


def test_compare_lines_have_their_own_colours_on_a_terminal(monkeypatch):
    """On a terminal (and without NO_COLOR) each compared distribution gets its own colour."""
    import io

    from priorcli.plot import charts
    from priorcli.render import output as render
    from priorcli.plot.range import HiddenMass, choose_range
    from priorcli.stats.monte_carlo import Histogram

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.delenv("NO_COLOR")
    r = choose_range(st.norm.ppf, (-math.inf, math.inf), mode=0.0)
    x = np.linspace(r.lo, r.hi, 60)
    series = [Histogram([], [], x.tolist(), (k * st.norm.pdf(x)).tolist(), False, f"[{k}] d{k}") for k in (1, 2, 3)]
    out = Terminal()
    render.write_chart(charts.Chart(series, r, [HiddenMass(0.0, 0.0, r.lo, r.hi, "[1]")]), out)
    foreground = set(re.findall(r"\x1b\[38;5;(\d+)m", out.getvalue()))
    assert len(foreground) >= 3, foreground
    monkeypatch.setenv("NO_COLOR", "1")
    plain = Terminal()
    render.write_chart(charts.Chart(series, r, []), plain)
    assert "\x1b" not in plain.getvalue()


def test_eighty_columns(run, monkeypatch):
    """The same range and note at 80 columns; every line fits."""
    wide = run("sample", "halfcauchy", "--scale", "5", "--linear")
    monkeypatch.setenv("COLUMNS", "80")
    narrow = run("sample", "halfcauchy", "--scale", "5", "--linear")
    assert narrow.exit_code == 0, narrow.stderr
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 80
    assert axis_ends(narrow.stdout) == axis_ends(wide.stdout) == (0.0, 66.6)
    assert [m.group(0) for m in notes(narrow.stdout)] == [m.group(0) for m in notes(wide.stdout)]


def test_exact_quantiles_from_numpyro_where_no_record():
    """AsymmetricLaplace has no record: the plot range reads numpyro's own icdf (vectorised),
    which is scipy's laplace_asymmetric, through a transform too."""
    from priorcli.commands import family as commands
    from priorcli.stats import exact as stats

    p = np.array([1e-6, 0.01, 0.25, 0.5, 0.75, 0.99])
    spec = commands.build_spec("asymmetriclaplace", ["--loc", "1", "--scale", "2", "--asymmetry", "2"], []).spec
    quantile = stats.ExactDistribution(spec).quantile_function()
    expected = st.laplace_asymmetric(2, loc=1, scale=2).ppf(p)
    assert np.allclose(quantile(p), expected, rtol=1e-9)
    flipped = commands.build_spec("asymmetriclaplace", ["--loc", "1", "--scale", "2", "--asymmetry", "2"],
                                  ["affine:0,-1"]).spec
    assert np.allclose(stats.ExactDistribution(flipped).quantile_function()(p),
                       -st.laplace_asymmetric(2, loc=1, scale=2).ppf(1 - p), rtol=1e-9)


@pytest.mark.parametrize("argv", [["normal"], ["normal", "--loc", "0.5"], ["studentt", "--df", "1"]])
def test_log_axis_refused_when_a_quarter_of_the_mass_is_not_positive(run, argv):
    """Normal(0.5, 1)'s lower quartile is 0.5 - 0.674 < 0: a log axis cannot show its body; exit 2
    with one line naming --log-x, and nothing on stdout."""
    result = run("sample", *argv, "-n", "200", "--log-x")
    assert_usage_error(result, "--log-x", "lower quartile")
    assert result.stdout == ""


def test_log_axis_with_a_little_mass_below_zero_notes_it(run):
    """Normal(5, 1): a log axis is drawn, with a note of the draws below its left end."""
    out = run("sample", "normal", "--loc", "5", "-n", "2000", "--log-x").stdout
    assert "log scale" in out
    assert re.search(r"of draws below [0-9.]+ not shown", out)
