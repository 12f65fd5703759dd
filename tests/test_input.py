"""summarize --input: reading draws from files and stdin, refusing bad data, and --fit.

Summaries are checked against numpy computed here; fits against scipy.stats (the independent
oracle) and the closed-form maximum-likelihood estimates.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from priorcli.errors import ConvergenceError, InfeasibleError, InputError, UsageError
from priorcli.fitting import fit_family
from priorcli.readers import read_draws

from conftest import assert_usage_error

PROBS = (0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975)


def assert_summary_matches(summary, values):
    """The Summary JSON document agrees with numpy on the same values."""
    x = np.asarray(values, dtype=float)
    assert summary["method"] == "monte-carlo"
    assert summary["n"] == x.size
    assert math.isclose(summary["mean"], np.mean(x), rel_tol=1e-12, abs_tol=1e-15)
    assert math.isclose(summary["sd"], np.std(x, ddof=1), rel_tol=1e-12)
    assert math.isclose(summary["median"], np.median(x), rel_tol=1e-12, abs_tol=1e-15)
    for p in PROBS:
        assert math.isclose(summary["quantiles"][repr(p)], np.quantile(x, p), rel_tol=1e-12, abs_tol=1e-15), p


def summarize_json(run, *args, input=None):
    result = run("summarize", "--input", *args, "--format", "json", input=input)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def lines_of(values) -> str:
    return "".join(f"{float(v)!r}\n" for v in values)


@pytest.fixture
def draws():
    return stats.norm(3.0, 2.0).rvs(500, random_state=1)


# ---------------------------------------------------------------------------------------------
# Formats


def test_stdin_plain_lines(run):
    doc = summarize_json(run, "-", input="1\n2\n3\n")
    assert doc["source"] == "-"
    assert_summary_matches(doc["summary"], [1.0, 2.0, 3.0])


def test_stdin_many_lines_round_trip_exactly(run, draws):
    doc = summarize_json(run, "-", input=lines_of(draws))
    assert_summary_matches(doc["summary"], draws)


def test_blank_lines_comments_whitespace_and_crlf_are_skipped(run):
    text = "# draws\n\n 1.5 \r\n2.5\n   \n# another comment\n\t-4e-1\n7\n\n"
    doc = summarize_json(run, "-", input=text)
    assert_summary_matches(doc["summary"], [1.5, 2.5, -0.4, 7.0])


def test_text_file_with_any_extension(run, tmp_path, draws):
    path = tmp_path / "draws.txt"
    path.write_text(lines_of(draws))
    doc = summarize_json(run, path)
    assert doc["source"] == str(path)
    assert_summary_matches(doc["summary"], draws)


def test_csv_with_column(run, tmp_path, draws):
    path = tmp_path / "draws.csv"
    other = draws * 10 + 1
    path.write_text("a,theta,b\n" + "".join(f"{float(o)!r},{float(d)!r},0\n" for d, o in zip(draws, other)))
    doc = summarize_json(run, path, "--column", "theta")
    assert_summary_matches(doc["summary"], draws)
    doc = summarize_json(run, path, "--column", "a")
    assert_summary_matches(doc["summary"], other)


def test_csv_single_column_header_needs_no_column(run, tmp_path, draws):
    path = tmp_path / "draws.csv"
    path.write_text("theta\n" + lines_of(draws))
    assert_summary_matches(summarize_json(run, path)["summary"], draws)


def test_csv_without_header_first_line_is_data(run, tmp_path):
    path = tmp_path / "draws.csv"
    path.write_text("1\n2\n3\n4\n")
    assert_summary_matches(summarize_json(run, path)["summary"], [1, 2, 3, 4])
    path.write_text("1,10\n2,20\n3,30\n4,40\n")
    assert_summary_matches(summarize_json(run, path, "--column", "2")["summary"], [10, 20, 30, 40])


def test_csv_quoted_header_and_cells(run, tmp_path):
    path = tmp_path / "draws.csv"
    path.write_text('"x","y, with a comma"\n"1",5\n2,"6"\n3,7\n')
    assert_summary_matches(summarize_json(run, path, "--column", "y, with a comma")["summary"], [5, 6, 7])


def test_stdin_with_commas_is_csv(run, draws):
    text = "x,y\n" + "".join(f"{float(d)!r},{float(-d)!r}\n" for d in draws)
    assert_summary_matches(summarize_json(run, "-", "--column", "y", input=text)["summary"], -draws)
    result = run("summarize", "--input", "-", input=text)
    assert_usage_error(result, "--column", "'x', 'y'")


def test_stdin_single_column_with_header_given_column(run):
    doc = summarize_json(run, "-", "--column", "x", input="x\n1\n2\n4\n")
    assert_summary_matches(doc["summary"], [1, 2, 4])


def test_npy_one_dimensional_and_one_column(run, tmp_path, draws):
    path = tmp_path / "draws.npy"
    np.save(path, draws)
    assert_summary_matches(summarize_json(run, path)["summary"], draws)
    np.save(path, draws.reshape(-1, 1))
    assert_summary_matches(summarize_json(run, path)["summary"], draws)
    np.save(path, np.arange(10, dtype=np.int64))
    assert_summary_matches(summarize_json(run, path)["summary"], np.arange(10))


def test_npy_with_several_columns_is_refused(run, tmp_path):
    path = tmp_path / "draws.npy"
    np.save(path, np.ones((5, 2)))
    assert_usage_error(run("summarize", "--input", path), "shape (5, 2)", code=1)


def test_npy_not_numeric_is_refused(run, tmp_path):
    path = tmp_path / "draws.npy"
    np.save(path, np.array(["a", "b"]))
    assert_usage_error(run("summarize", "--input", path), str(path), code=1)


def test_json_array(run, tmp_path, draws):
    path = tmp_path / "draws.json"
    path.write_text(json.dumps(draws.tolist()))
    assert_summary_matches(summarize_json(run, path)["summary"], draws)
    path.write_text("[1, 2, 3.5]")
    assert_summary_matches(summarize_json(run, path)["summary"], [1, 2, 3.5])


@pytest.mark.parametrize(
    "text,needles",
    [
        ("[1, null, 3]", ["element [1]", "null"]),
        ('[1, 2, "3"]', ["element [2]", "string"]),
        ("[1, true]", ["element [1]", "true"]),
        ('{"draws": [1, 2]}', ["JSON array"]),
        ("[1, 2,", ["not valid JSON"]),
    ],
)
def test_json_refuses_what_is_not_an_array_of_numbers(run, tmp_path, text, needles):
    path = tmp_path / "draws.json"
    path.write_text(text)
    assert_usage_error(run("summarize", "--input", path), *needles, code=1)


def test_output_files_of_sample_read_back(run, tmp_path):
    raw = run("sample", "lognormal", "--mu", "0", "--sigma", "1", "-n", "300", "--format", "raw")
    assert raw.exit_code == 0, raw.stderr
    expected = np.array(raw.stdout.split(), dtype=float)
    for suffix in (".csv", ".npy", ".json"):
        path = tmp_path / f"draws{suffix}"
        sampled = run("sample", "lognormal", "--mu", "0", "--sigma", "1", "-n", "300", "--output", path,
                      "--format", "json")
        assert sampled.exit_code == 0, sampled.stderr
        assert_summary_matches(summarize_json(run, path)["summary"], expected)


# ---------------------------------------------------------------------------------------------
# Bad data


def test_non_numeric_line_is_named(run):
    text = "1\n2\n\n# comment\n3\n4\nabc\n5\n"
    result = run("summarize", "--input", "-", input=text)
    assert_usage_error(result, "line 7: 'abc' is not a number", code=1)


@pytest.mark.parametrize("bad", ["0x10", "1,5", "", "NA", "1.2.3", "--1"])
def test_non_numbers_are_refused(run, tmp_path, bad):
    path = tmp_path / "draws.txt"
    path.write_text(f"1\n2\n{bad}x\n")
    assert_usage_error(run("summarize", "--input", path), str(path), "line 3", "is not a number", code=1)


def test_csv_non_numeric_cell_names_line_and_column(run, tmp_path):
    path = tmp_path / "draws.csv"
    path.write_text("a,b\n1,2\n3,oops\n5,6\n")
    assert_usage_error(run("summarize", "--input", path, "--column", "b"), "line 3, column 'b'", "'oops'", code=1)
    path.write_text("a,b\n1,2\n3,\n5,6\n")
    assert_usage_error(run("summarize", "--input", path, "--column", "b"), "line 3, column 'b'", "empty", code=1)


def test_csv_ragged_row_is_refused(run, tmp_path):
    path = tmp_path / "draws.csv"
    path.write_text("a,b\n1,2\n3\n")
    assert_usage_error(run("summarize", "--input", path, "--column", "a"), "line 3", "expected 2", code=1)


@pytest.mark.parametrize("bad", ["nan", "NaN", "inf", "-Infinity", "1e999"])
def test_non_finite_values_are_refused_with_their_line(run, bad):
    result = run("summarize", "--input", "-", input=f"1\n\n2\n{bad}\n3\n")
    assert_usage_error(result, f"line 4: '{bad}'", "not a finite number", "--drop-nonfinite", code=1)


def test_drop_nonfinite_drops_and_reports_the_count(run):
    result = run("summarize", "--input", "-", "--drop-nonfinite", "--format", "json",
                 input="1\nnan\n2\ninf\n-inf\n3\n1e999\n4\n")
    assert result.exit_code == 0, result.stderr
    assert "dropped 4 non-finite value(s)" in result.stderr
    assert_summary_matches(json.loads(result.stdout)["summary"], [1, 2, 3, 4])


def test_drop_nonfinite_in_npy_and_json(run, tmp_path):
    path = tmp_path / "draws.npy"
    np.save(path, np.array([1.0, np.nan, 2.0, np.inf, 3.0]))
    assert_usage_error(run("summarize", "--input", path), "element [1]", "not a finite number", code=1)
    result = run("summarize", "--input", path, "--drop-nonfinite", "--format", "json")
    assert result.exit_code == 0 and "dropped 2" in result.stderr
    assert_summary_matches(json.loads(result.stdout)["summary"], [1, 2, 3])
    path = tmp_path / "draws.json"
    path.write_text("[1, NaN, 2, 3]")
    assert_usage_error(run("summarize", "--input", path), "element [1]", code=1)


def test_all_values_non_finite_is_empty(run):
    result = run("summarize", "--input", "-", "--drop-nonfinite", input="nan\ninf\n")
    assert_usage_error(result, "no finite values", code=1)


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n\n"])
def test_empty_input_is_refused(run, text):
    assert_usage_error(run("summarize", "--input", "-", input=text), "no values", code=1)


def test_empty_files_are_refused(run, tmp_path):
    for name, content in (("e.txt", ""), ("e.csv", "x\n"), ("e.json", "[]")):
        path = tmp_path / name
        path.write_text(content)
        assert_usage_error(run("summarize", "--input", path), "no values", code=1)


def test_missing_file_is_exit_1_naming_the_path(run, tmp_path):
    path = tmp_path / "nowhere.csv"
    assert_usage_error(run("summarize", "--input", path), str(path), "no such file", code=1)
    assert_usage_error(run("summarize", "--input", tmp_path / "nowhere.npy"), "nowhere.npy", code=1)
    assert_usage_error(run("summarize", "--input", tmp_path), str(tmp_path), "directory", code=1)


def test_binary_file_as_text_is_refused(run, tmp_path):
    path = tmp_path / "draws.bin"
    path.write_bytes(b"\x80\x81\xff\x00")
    assert_usage_error(run("summarize", "--input", path), str(path), "UTF-8", code=1)


def test_unknown_column_is_a_usage_error_listing_columns(run, tmp_path):
    path = tmp_path / "draws.csv"
    path.write_text("alpha,beta\n1,2\n")
    assert_usage_error(run("summarize", "--input", path, "--column", "gamma"), "--column 'gamma'", "'alpha', 'beta'")


def test_several_columns_need_column(run, tmp_path):
    path = tmp_path / "draws.csv"
    path.write_text("alpha,beta\n1,2\n")
    assert_usage_error(run("summarize", "--input", path), "--column", "'alpha', 'beta'")
    path.write_text("1,2\n3,4\n")
    assert_usage_error(run("summarize", "--input", path), "--column N", "no header")
    assert_usage_error(run("summarize", "--input", path, "--column", "3"), "--column '3'", "1 to 2")


@pytest.mark.parametrize("name", ["draws.npy", "draws.json", "draws.txt"])
def test_column_for_a_non_csv_source_is_a_usage_error(run, tmp_path, name):
    path = tmp_path / name
    path.write_text("1\n")
    assert_usage_error(run("summarize", "--input", path, "--column", "x"), "--column", "CSV")


# ---------------------------------------------------------------------------------------------
# The reader as a library


def test_read_draws_line_numbers_count_skipped_lines(tmp_path):
    path = tmp_path / "d.txt"
    path.write_text("# header comment\n\n1\n\n\n2\nnan\n")
    with pytest.raises(InputError, match=r"line 7: 'nan'"):
        read_draws(str(path), column=None, drop_nonfinite=False)
    read = read_draws(str(path), column=None, drop_nonfinite=True)
    assert read.values.dtype == np.float64 and read.values.ndim == 1
    assert read.values.tolist() == [1.0, 2.0] and read.dropped == 1


@pytest.mark.slow
def test_read_draws_large_input_in_bulk(tmp_path):
    values = np.random.default_rng(0).standard_normal(100_000)
    path = tmp_path / "big.txt"
    path.write_text(lines_of(values))
    read = read_draws(str(path), column=None, drop_nonfinite=False)
    np.testing.assert_array_equal(read.values, values)
    path.write_text(lines_of(values[:75_000]) + "x\n" + lines_of(values[75_000:]))
    with pytest.raises(InputError, match="line 75001: 'x' is not a number"):
        read_draws(str(path), column=None, drop_nonfinite=False)


def test_read_draws_errors_are_typed(tmp_path):
    with pytest.raises(InputError):
        read_draws(str(tmp_path / "missing.txt"), column=None, drop_nonfinite=False)
    path = tmp_path / "d.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(UsageError):
        read_draws(str(path), column="c", drop_nonfinite=False)
    assert UsageError.exit_code == 2 and InputError.exit_code == 1


# ---------------------------------------------------------------------------------------------
# --fit


def test_fit_gamma_matches_scipy(run):
    data = stats.gamma(a=2.5, scale=1 / 1.5).rvs(20000, random_state=0)
    a, loc, scale = stats.gamma.fit(data, floc=0)
    assert loc == 0
    fit = fit_family("gamma", data)
    assert fit.family == "Gamma"
    assert math.isclose(fit.params["concentration"], a, rel_tol=1e-4)
    assert math.isclose(fit.params["rate"], 1 / scale, rel_tol=1e-4)
    assert math.isclose(fit.log_likelihood, np.sum(stats.gamma.logpdf(data, a, scale=scale)), rel_tol=1e-8)
    assert fit.numpyro == (f"dist.Gamma(concentration={fit.params['concentration']:.6g}, "
                           f"rate={fit.params['rate']:.6g})")
    # Through the CLI: the summary of the draws and the fit.
    doc = summarize_json(run, "-", "--fit", "gamma", input=lines_of(data))
    assert_summary_matches(doc["summary"], data)
    assert doc["fit"]["family"] == "Gamma"
    assert math.isclose(doc["fit"]["params"]["concentration"], a, rel_tol=1e-4)
    assert doc["fit"]["numpyro"].startswith("dist.Gamma(concentration=")


def test_fit_table_output_shows_numpyro_line(run):
    data = stats.norm(1, 2).rvs(200, random_state=0)
    result = run("summarize", "--input", "-", "--fit", "normal", "--no-plot", input=lines_of(data))
    assert result.exit_code == 0, result.stderr
    assert "dist.Normal(loc=" in result.stdout


def test_fit_normal_and_lognormal_closed_forms():
    data = stats.norm(1.0, 2.0).rvs(5000, random_state=2)
    fit = fit_family("Normal", data)
    assert math.isclose(fit.params["loc"], np.mean(data), rel_tol=1e-10)
    assert math.isclose(fit.params["scale"], np.std(data, ddof=0), rel_tol=1e-10)
    data = stats.lognorm(s=0.5, scale=math.exp(0.3)).rvs(5000, random_state=3)
    fit = fit_family("lognormal", data)
    assert fit.family == "LogNormal"
    assert math.isclose(fit.params["loc"], np.mean(np.log(data)), rel_tol=1e-10)
    assert math.isclose(fit.params["scale"], np.std(np.log(data), ddof=0), rel_tol=1e-10)
    expected = np.sum(stats.lognorm.logpdf(data, s=fit.params["scale"], scale=math.exp(fit.params["loc"])))
    assert math.isclose(fit.log_likelihood, expected, rel_tol=1e-10)


@pytest.mark.parametrize(
    "name,data,check",
    [
        ("exponential", stats.expon(scale=2).rvs(3000, random_state=4),
         lambda p, x: math.isclose(p["rate"], 1 / np.mean(x), rel_tol=1e-12)),
        ("halfnormal", stats.halfnorm(scale=2).rvs(3000, random_state=5),
         lambda p, x: math.isclose(p["scale"], math.sqrt(np.mean(x * x)), rel_tol=1e-12)),
        ("poisson", stats.poisson(3.2).rvs(3000, random_state=6).astype(float),
         lambda p, x: math.isclose(p["rate"], np.mean(x), rel_tol=1e-12)),
        ("laplace", stats.laplace(1, 2).rvs(3001, random_state=7),
         lambda p, x: math.isclose(p["loc"], np.median(x), rel_tol=1e-12)
         and math.isclose(p["scale"], np.mean(np.abs(x - np.median(x))), rel_tol=1e-12)),
    ],
)
def test_fit_other_closed_forms(name, data, check):
    assert check(fit_family(name, data).params, data)


@pytest.mark.parametrize(
    "name,data,oracle,names",
    [
        ("beta", stats.beta(2, 5).rvs(5000, random_state=8),
         lambda x: stats.beta.fit(x, floc=0, fscale=1)[:2], ("concentration1", "concentration0")),
        ("weibull", stats.weibull_min(1.5, scale=2).rvs(5000, random_state=9),
         lambda x: stats.weibull_min.fit(x, floc=0)[::2][::-1], ("scale", "concentration")),
        ("inversegamma", stats.invgamma(3, scale=2).rvs(5000, random_state=10),
         lambda x: stats.invgamma.fit(x, floc=0)[::2], ("concentration", "rate")),
        ("gumbel", stats.gumbel_r(1, 2).rvs(5000, random_state=11),
         lambda x: stats.gumbel_r.fit(x), ("loc", "scale")),
        ("logistic", stats.logistic(1, 2).rvs(5000, random_state=12),
         lambda x: stats.logistic.fit(x), ("loc", "scale")),
    ],
)
def test_fit_numerical_families_match_scipy(name, data, oracle, names):
    expected = oracle(data)
    fit = fit_family(name, data)
    for n, e in zip(names, expected):
        assert math.isclose(fit.params[n], e, rel_tol=1e-4), (n, fit.params[n], e)


def test_fit_with_fixed_parameters():
    data = stats.binom(10, 0.3).rvs(2000, random_state=13).astype(float)
    fit = fit_family("binomial(total_count=10)", data)
    assert fit.params == {"probs": pytest.approx(np.mean(data) / 10, rel=1e-12), "total_count": 10.0}
    assert fit.numpyro == f"dist.BinomialProbs(probs={np.mean(data) / 10:.6g}, total_count=10)"
    data = stats.norm(0, 2).rvs(2000, random_state=14)
    fit = fit_family("Normal(loc=0)", data)
    assert fit.params["loc"] == 0.0
    assert math.isclose(fit.params["scale"], math.sqrt(np.mean(data * data)), rel_tol=1e-6)
    with pytest.raises(UsageError, match="total_count"):
        fit_family("binomial", data)
    with pytest.raises(UsageError, match="unknown parameter 'bogus'"):
        fit_family("Normal(bogus=1)", data)


def test_fit_outside_support_is_infeasible(run):
    result = run("summarize", "--input", "-", "--fit", "gamma", input="1\n2\n-0.5\n3\n")
    assert_usage_error(result, "Gamma", "-0.5", code=1)
    with pytest.raises(InfeasibleError, match="Beta.*1.5"):
        fit_family("beta", np.array([0.2, 0.5, 1.5]))
    with pytest.raises(InfeasibleError, match="Poisson.*2.5"):
        fit_family("poisson", np.array([1.0, 2.5]))


def test_fit_degenerate_data_is_infeasible():
    with pytest.raises(InfeasibleError, match="equal"):
        fit_family("normal", np.array([2.0, 2.0, 2.0]))
    with pytest.raises(InfeasibleError, match="over-dispersed"):
        fit_family("negativebinomial", np.array([1.0, 2.0, 3.0, 2.0]))


def test_fit_unknown_family_is_a_usage_error(run):
    result = run("summarize", "--input", "-", "--fit", "gamam", input="1\n2\n")
    assert_usage_error(result, "gamam", "Gamma")


def test_fit_optimizer_failure_is_a_convergence_error(monkeypatch):
    import scipy.optimize
    from scipy.optimize import OptimizeResult

    def failing(fun, x0, *args, **kwargs):
        x0 = np.asarray(x0, dtype=float)
        return OptimizeResult(x=x0, fun=fun(x0), success=False, message="forced failure", nfev=1)

    monkeypatch.setattr(scipy.optimize, "minimize", failing)
    data = stats.beta(2, 5).rvs(500, random_state=15)
    with pytest.raises(ConvergenceError, match="Beta.*did not converge"):
        fit_family("beta", data)


def test_fit_numpyro_family_agrees_with_the_closed_form_equivalent():
    # GammaPoisson(concentration=r, rate=b) is NegativeBinomialProbs(total_count=r, probs=1/(1+b)):
    # the numpyro/jax path and the numpy path must find the same maximum.
    data = stats.nbinom(3, 0.4).rvs(3000, random_state=16).astype(float)
    closed = fit_family("negativebinomial", data)
    generic = fit_family("gammapoisson", data)
    assert generic.family == "GammaPoisson"
    assert math.isclose(generic.params["concentration"], closed.params["total_count"], rel_tol=1e-5)
    assert math.isclose(1 / (1 + generic.params["rate"]), closed.params["probs"], rel_tol=1e-5)
    # numpyro's GammaPoisson log_prob is accurate to about 1e-7 per point.
    assert math.isclose(generic.log_likelihood, closed.log_likelihood, rel_tol=1e-6)
    assert math.isclose(closed.log_likelihood, np.sum(stats.nbinom.logpmf(
        data, closed.params["total_count"], 1 - closed.params["probs"])), rel_tol=1e-10)


def test_fit_running_off_to_a_limit_is_infeasible():
    # Uniform data have lighter tails than any Student-t: the likelihood grows as df -> infinity.
    with pytest.raises(InfeasibleError, match="df goes to infinity"):
        fit_family("studentt", stats.uniform.rvs(size=1000, random_state=1))


@pytest.mark.slow
def test_closed_form_fits_and_reading_do_not_import_jax(tmp_path):
    path = tmp_path / "d.txt"
    path.write_text("1.5\n2.5\n0.7\n3.1\n")
    code = (
        "import sys; from priorcli.readers import read_draws; from priorcli.fitting import fit_family; "
        f"v = read_draws({str(path)!r}, column=None, drop_nonfinite=False).values; "
        "[fit_family(f, v) for f in ('gamma', 'weibull', 'lognormal', 'logistic')]; "
        "assert 'jax' not in sys.modules and 'numpyro' not in sys.modules, 'jax imported'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


# ---------------------------------------------------------------------------------------------
# A real pipe between two processes


@pytest.mark.slow
def test_pipe_between_processes():  # (test_process.py's sample | summarize was the same check: merged here)
    sample = [sys.executable, "-m", "priorcli", "sample", "lognormal", "--mu", "0", "--sigma", "0.5",
              "-n", "2000", "--format", "raw"]
    summarize = [sys.executable, "-m", "priorcli", "summarize", "--input", "-", "--format", "json"]
    producer = subprocess.Popen(sample, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    consumer = subprocess.Popen(summarize, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    raw, producer_err = producer.communicate(timeout=120)
    assert producer.returncode == 0, producer_err
    out, err = consumer.communicate(raw, timeout=120)
    assert consumer.returncode == 0, err
    draws = np.array(raw.split(), dtype=float)
    assert draws.size == 2000
    doc = json.loads(out)
    assert doc["source"] == "-"
    assert doc["summary"]["n"] == 2000
    assert doc["summary"]["median"] == float(np.median(draws))  # the very draws sample wrote
    assert_summary_matches(doc["summary"], draws)
