"""summarize --input with the files modellers' tools write: CmdStan CSV, ArviZ NetCDF, numpy .npz;
several variables side by side; text read block by block.

Every file is written here by the real library (ArviZ, numpy.savez) or in CmdStan's exact layout,
and every value is compared with that library's (or numpy's) own reading of the same file.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import warnings

import numpy as np
import pytest

from priorcli.stats import monte_carlo as mc_stats
from priorcli.errors import InputError, UsageError
from priorcli.readers import read_variables
from priorcli.stats.sorted_draws import half_sample_mode

from conftest import assert_usage_error
from test_input import assert_summary_matches, lines_of, summarize_json

CMDSTAN_COLUMNS = ["lp__", "accept_stat__", "stepsize__", "treedepth__", "n_leapfrog__", "divergent__",
                   "energy__", "mu", "tau", "theta.1", "theta.2", "theta.3"]


def write_cmdstan_csv(path, draws: int = 400, seed: int = 0) -> None:
    """A CmdStan 2.x `sample` output file: config comments, header, adaptation comments, draws
    (integers where CmdStan writes integers, 6 significant digits as CmdStan's default sig_figs),
    timing comments."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(draws):
        mu, tau = rng.normal(0, 5), abs(rng.standard_cauchy())
        theta = rng.normal(mu, 1 + tau % 3, 3)
        rows.append([rng.normal(-40, 3), rng.uniform(0.6, 1), 0.312514, int(rng.integers(2, 5)),
                     int(rng.integers(3, 31)), 0, rng.normal(45, 3), mu, tau, *theta])
    header = [
        "# stan_version_major = 2", "# stan_version_minor = 36", "# stan_version_patch = 0",
        "# model = eight_schools_model", "# start_datetime = 2026-11-29 12:00:00 UTC",
        "# method = sample (Default)", "#   sample", "#     num_samples = 1000 (Default)",
        "#     num_warmup = 1000 (Default)", "#     save_warmup = false (Default)", "#     thin = 1 (Default)",
        "#     adapt", "#       engaged = true (Default)", "#     algorithm = hmc (Default)",
        "#       hmc", "#         engine = nuts (Default)", "# id = 1 (Default)",
        "# data", "#   file = eight_schools.data.json", "# random", "#   seed = 1234",
        "# output", "#   file = output.csv", "#   sig_figs = -1 (Default)",
        "# stanc_version = stanc3 v2.36.0",
    ]
    lines = header + [",".join(CMDSTAN_COLUMNS)]
    lines += ["# Adaptation terminated", "# Step size = 0.312514", "# Diagonal elements of inverse mass matrix:",
              "# 21.1583, 13.9, 27.5, 26.1, 24.9"]
    for row in rows:
        lines.append(",".join(str(v) if isinstance(v, int) else f"{v:.6g}" for v in row))
    lines += ["# ", "#  Elapsed Time: 0.043 seconds (Warm-up)", "#                0.037 seconds (Sampling)",
              "#                0.08 seconds (Total)", "# "]
    path.write_text("\n".join(lines) + "\n")


def cmdstan_columns_by_numpy(path) -> dict[str, np.ndarray]:
    """numpy's own reading: the header is the first line that is not a comment."""
    lines = path.read_text().split("\n")
    at = next(i for i, line in enumerate(lines) if line and not line.startswith("#"))
    table = np.loadtxt(path, delimiter=",", comments="#", skiprows=at + 1, ndmin=2)
    return {name: table[:, i] for i, name in enumerate(lines[at].split(","))}


# ---------------------------------------------------------------------------------------------
# CmdStan CSV


@pytest.fixture
def cmdstan_csv(tmp_path):
    path = tmp_path / "output.csv"
    write_cmdstan_csv(path)
    return path


def test_cmdstan_column_by_name(run, cmdstan_csv):
    expected = cmdstan_columns_by_numpy(cmdstan_csv)
    assert sorted(expected) == sorted(CMDSTAN_COLUMNS)
    for flag in ("--column", "--variable"):
        doc = summarize_json(run, cmdstan_csv, flag, "theta.2")
        assert doc["variable"] == "theta.2"
        assert_summary_matches(doc["summary"], expected["theta.2"])
    assert_summary_matches(summarize_json(run, cmdstan_csv, "--column", "lp__")["summary"], expected["lp__"])


def test_cmdstan_vector_name_picks_every_element_side_by_side(run, cmdstan_csv):
    expected = cmdstan_columns_by_numpy(cmdstan_csv)
    doc = summarize_json(run, cmdstan_csv, "--variable", "theta", "--variable", "mu")
    assert doc["source"] == str(cmdstan_csv)
    assert list(doc["variables"]) == ["theta.1", "theta.2", "theta.3", "mu"]
    for name, entry in doc["variables"].items():
        assert list(entry) == ["mc"]
        assert_summary_matches(entry["mc"], expected[name])


def test_cmdstan_side_by_side_table_and_csv(run, cmdstan_csv):
    result = run("summarize", "--input", cmdstan_csv, "--column", "mu", "--column", "tau", "--no-plot")
    assert result.exit_code == 0, result.stderr
    assert "400 draws from" in result.stdout and "mu" in result.stdout and "tau" in result.stdout
    result = run("summarize", "--input", cmdstan_csv, "--column", "mu", "--column", "tau", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = [line.split(",") for line in result.stdout.strip().splitlines()]
    assert rows[0] == ["quantity", "mu", "tau"]
    means = dict((r[0], r[1:]) for r in rows)["mean"]
    expected = cmdstan_columns_by_numpy(cmdstan_csv)
    assert [float(m) for m in means] == pytest.approx([np.mean(expected["mu"]), np.mean(expected["tau"])], rel=1e-12)


def test_cmdstan_from_stdin(run, cmdstan_csv):
    expected = cmdstan_columns_by_numpy(cmdstan_csv)
    doc = summarize_json(run, "-", "--column", "theta.3", input=cmdstan_csv.read_text())
    assert_summary_matches(doc["summary"], expected["theta.3"])


def test_cmdstan_unknown_column_lists_columns_grouped(run, cmdstan_csv):
    result = run("summarize", "--input", cmdstan_csv, "--variable", "sigma")
    assert_usage_error(result, "--variable 'sigma'", "'lp__'", "'theta.1'", "'theta.3'")
    result = run("summarize", "--input", cmdstan_csv, "--variable", "theta[1]")
    assert_usage_error(result, "theta[1]", "theta.1")
    result = run("summarize", "--input", cmdstan_csv)
    assert_usage_error(result, "12 columns", "--column NAME")


def test_cmdstan_nan_names_line_and_column(run, cmdstan_csv):
    lines = cmdstan_csv.read_text().split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("-")) + 3
    cells = lines[at].split(",")
    cells[CMDSTAN_COLUMNS.index("tau")] = "nan"
    lines[at] = ",".join(cells)
    cmdstan_csv.write_text("\n".join(lines))
    assert_usage_error(run("summarize", "--input", cmdstan_csv, "--column", "tau"),
                       f"line {at + 1}, column 'tau': 'nan' is not a finite number", code=1)
    result = run("summarize", "--input", cmdstan_csv, "--column", "tau", "--column", "mu", "--drop-nonfinite",
                 "--format", "json")
    assert result.exit_code == 0 and "dropped 1 non-finite value(s) of tau" in result.stderr
    doc = json.loads(result.stdout)
    assert doc["variables"]["tau"]["mc"]["n"] == 399 and doc["variables"]["mu"]["mc"]["n"] == 400


def test_cmdstan_bad_cell_names_line_and_column(run, tmp_path, cmdstan_csv):
    expected = cmdstan_columns_by_numpy(cmdstan_csv)
    lines = cmdstan_csv.read_text().split("\n")
    first_draw = next(i for i, line in enumerate(lines) if line and not line.startswith("#") and "lp__" not in line)
    cells = lines[first_draw + 5].split(",")
    cells[CMDSTAN_COLUMNS.index("theta.2")] = "oops"
    lines[first_draw + 5] = ",".join(cells)
    cmdstan_csv.write_text("\n".join(lines))
    result = run("summarize", "--input", cmdstan_csv, "--column", "theta.2")
    assert_usage_error(result, f"line {first_draw + 6}, column 'theta.2'", "'oops'", code=1)
    # A word in a column nobody asked for does not matter (it is read line by line instead).
    assert_summary_matches(summarize_json(run, cmdstan_csv, "--column", "mu")["summary"], expected["mu"])


# ---------------------------------------------------------------------------------------------
# ArviZ NetCDF


@pytest.fixture
def idata_file(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ArviZ announces its 1.0 refactor on import
        import arviz as az
    rng = np.random.default_rng(7)
    prior = {"mu": rng.normal(0, 5, (2, 300)), "tau": rng.gamma(2, 1, (2, 300)),
             "theta": rng.normal(0, 1, (2, 300, 3)), "count": rng.poisson(3, (2, 300))}
    posterior = {"mu": rng.normal(1, 0.5, (4, 150))}
    idata = az.from_dict(prior=prior, posterior=posterior, observed_data={"y": rng.normal(0, 1, 8)})
    path = tmp_path / "prior.nc"
    idata.to_netcdf(str(path))
    return path


def arviz_values(path, group: str, name: str) -> np.ndarray:
    """The variable as ArviZ itself reads it back: (chain, draw, ...)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import arviz as az
    idata = az.from_netcdf(str(path))
    return np.asarray(idata[group][name].values)


def test_netcdf_default_group_is_prior_and_chains_are_pooled(run, idata_file):
    doc = summarize_json(run, idata_file, "--variable", "mu")
    assert doc["group"] == "prior" and doc["variable"] == "mu"
    assert doc["summary"]["n"] == 600
    assert_summary_matches(doc["summary"], arviz_values(idata_file, "prior", "mu").ravel())


def test_netcdf_group_element_and_integer_variables(run, idata_file):
    doc = summarize_json(run, idata_file, "--group", "posterior")  # one variable: no --variable needed
    assert doc["group"] == "posterior"
    assert_summary_matches(doc["summary"], arviz_values(idata_file, "posterior", "mu").ravel())
    theta = arviz_values(idata_file, "prior", "theta")
    doc = summarize_json(run, idata_file, "--variable", "theta[2]")
    assert doc["variable"] == "theta[2]"
    assert_summary_matches(doc["summary"], theta[:, :, 2].ravel())
    doc = summarize_json(run, idata_file, "--variable", "count")
    assert_summary_matches(doc["summary"], arviz_values(idata_file, "prior", "count").ravel())


def test_netcdf_several_variables_side_by_side(run, idata_file):
    doc = summarize_json(run, idata_file, "--variable", "theta", "--variable", "tau")
    assert doc["group"] == "prior"
    assert list(doc["variables"]) == ["theta[0]", "theta[1]", "theta[2]", "tau"]
    theta = arviz_values(idata_file, "prior", "theta")
    for i in range(3):
        assert_summary_matches(doc["variables"][f"theta[{i}]"]["mc"], theta[:, :, i].ravel())
    assert_summary_matches(doc["variables"]["tau"]["mc"], arviz_values(idata_file, "prior", "tau").ravel())


def test_netcdf_elements_by_coordinate_label(run, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import arviz as az
    schools = ["Choate", "Deerfield", "Phillips Andover"]
    theta = np.random.default_rng(11).normal(size=(2, 200, 3))
    path = tmp_path / "schools.nc"
    az.from_dict(prior={"theta": theta}, coords={"school": schools}, dims={"theta": ["school"]}).to_netcdf(str(path))
    doc = summarize_json(run, path, "--variable", "theta")
    assert list(doc["variables"]) == ["theta[Choate]", "theta[Deerfield]", "theta[Phillips Andover]"]
    stored = arviz_values(path, "prior", "theta")
    for i, school in enumerate(schools):
        assert_summary_matches(doc["variables"][f"theta[{school}]"]["mc"], stored[:, :, i].ravel())
    doc = summarize_json(run, path, "--variable", "theta[Deerfield]")
    assert doc["variable"] == "theta[Deerfield]"
    assert_summary_matches(doc["summary"], stored[:, :, 1].ravel())
    assert_summary_matches(summarize_json(run, path, "--variable", "theta[2]")["summary"], stored[:, :, 2].ravel())
    assert_usage_error(run("summarize", "--input", path, "--variable", "theta[Exeter]"), "'Exeter'", "Choate")


def test_netcdf_boolean_sample_stats_read_as_0_1(run, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import arviz as az
    diverging = np.random.default_rng(12).uniform(size=(4, 100)) < 0.03
    path = tmp_path / "fit.nc"
    az.from_dict(posterior={"mu": np.zeros((4, 100))}, sample_stats={"diverging": diverging}).to_netcdf(str(path))
    doc = summarize_json(run, path, "--group", "sample_stats", "--variable", "diverging")
    assert_summary_matches(doc["summary"], arviz_values(path, "sample_stats", "diverging").ravel().astype(float))
    assert math.isclose(doc["summary"]["mean"], diverging.mean(), rel_tol=1e-12)


def test_netcdf_nan_is_named_by_chain_and_draw(run, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import arviz as az
    mu = np.random.default_rng(13).normal(size=(3, 50))
    mu[1, 17] = np.nan
    path = tmp_path / "nan.nc"
    az.from_dict(prior={"mu": mu}).to_netcdf(str(path))
    assert_usage_error(run("summarize", "--input", path), "prior/mu chain 1, draw 17", "nan", "--drop-nonfinite", code=1)
    result = run("summarize", "--input", path, "--drop-nonfinite", "--format", "json")
    assert result.exit_code == 0 and "dropped 1 non-finite value(s)" in result.stderr
    assert_summary_matches(json.loads(result.stdout)["summary"], mu[np.isfinite(mu)])


def test_netcdf_observed_data_values_form_one_sample(run, idata_file):
    doc = summarize_json(run, idata_file, "--group", "observed_data")
    assert_summary_matches(doc["summary"], arviz_values(idata_file, "observed_data", "y"))


@pytest.mark.parametrize(
    "args,needles,code",
    [
        (["--group", "prior_predictive"], ["--group 'prior_predictive'", "observed_data", "posterior", "prior"], 2),
        (["--variable", "sigma"], ["--variable 'sigma'", "'mu'", "'theta' (3,)"], 2),
        (["--variable", "theta[3]"], ["theta[3]", "0..2"], 2),
        (["--variable", "mu[0]"], ["mu[0]", "scalar"], 2),
        (["--variable", "theta[x]"], ["theta[x]", "not a label of theta_dim_0 (0, 1, 2)"], 2),
        (["--variable", "theta[0,1]"], ["theta[0,1]", "1 element dimension"], 2),
        ([], ["4 variables", "--variable NAME"], 2),
    ],
)
def test_netcdf_missing_group_or_variable_is_a_usage_error(run, idata_file, args, needles, code):
    assert_usage_error(run("summarize", "--input", idata_file, *args), *needles, code=code)


def test_netcdf_truncated_or_foreign_file_is_refused(run, idata_file, tmp_path):
    data = idata_file.read_bytes()
    truncated = tmp_path / "truncated.nc"
    truncated.write_bytes(data[: len(data) // 2])
    assert_usage_error(run("summarize", "--input", truncated, "--variable", "mu"), str(truncated), code=1)
    foreign = tmp_path / "text.nc"
    foreign.write_text("1\n2\n3\n")
    assert_usage_error(run("summarize", "--input", foreign), "not a readable NetCDF file", code=1)
    assert_usage_error(run("summarize", "--input", tmp_path / "none.nc"), "no such file", code=1)


def test_netcdf_without_prior_or_posterior_needs_group(run, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import arviz as az
    path = tmp_path / "pp.nc"
    az.from_dict(prior_predictive={"y": np.ones((1, 10))}).to_netcdf(str(path))
    assert_usage_error(run("summarize", "--input", path), "--group", "prior_predictive")


def test_group_only_for_netcdf(run, tmp_path):
    path = tmp_path / "d.txt"
    path.write_text("1\n2\n")
    assert_usage_error(run("summarize", "--input", path, "--group", "prior"), "--group", ".nc")
    assert_usage_error(run("summarize", "--input", "-", "--group", "prior", input="1\n"), "--group")


# ---------------------------------------------------------------------------------------------
# .npz


def test_npz_arrays_and_elements(run, tmp_path):
    rng = np.random.default_rng(3)
    path = tmp_path / "samples.npz"
    np.savez(path, mu=rng.normal(size=500), theta=rng.normal(size=(500, 4)), k=rng.poisson(2, 500))
    with np.load(path) as archive:
        mu, theta, k = archive["mu"], archive["theta"], archive["k"]
    assert_summary_matches(summarize_json(run, path, "--variable", "mu")["summary"], mu)
    assert_summary_matches(summarize_json(run, path, "--variable", "theta[3]")["summary"], theta[:, 3])
    assert_summary_matches(summarize_json(run, path, "--variable", "k")["summary"], k)
    doc = summarize_json(run, path, "--variable", "theta", "--variable", "mu")
    assert list(doc["variables"]) == ["theta[0]", "theta[1]", "theta[2]", "theta[3]", "mu"]
    for i in range(4):
        assert_summary_matches(doc["variables"][f"theta[{i}]"]["mc"], theta[:, i])
    assert_usage_error(run("summarize", "--input", path), "3 arrays", "'mu' (500,)", "'theta' (500, 4)", "--variable")
    assert_usage_error(run("summarize", "--input", path, "--variable", "sigma"), "'sigma'", "'theta'")


def test_npz_single_array_needs_no_variable(run, tmp_path):
    path = tmp_path / "one.npz"
    values = np.random.default_rng(4).gamma(2, 1, 300)
    np.savez(path, values)  # positional: numpy names it arr_0
    doc = summarize_json(run, path)
    assert doc["variable"] == "arr_0"
    assert_summary_matches(doc["summary"], values)


def test_npz_bad_files(run, tmp_path):
    path = tmp_path / "bad.npz"
    np.savez(path, x=np.arange(10.0))
    path.write_bytes(path.read_bytes()[:40])
    assert_usage_error(run("summarize", "--input", path), str(path), code=1)
    path.write_text("1\n2\n")
    assert_usage_error(run("summarize", "--input", path), "not a zip archive", code=1)
    assert_usage_error(run("summarize", "--input", tmp_path / "none.npz"), "no such file", code=1)
    np.savez(path, s=np.float64(3.0))
    assert_usage_error(run("summarize", "--input", path), "single number", code=1)
    np.savez(path, s=np.array(["a", "b"]))
    assert_usage_error(run("summarize", "--input", path), "expected numbers", code=1)
    np.savez(path, x=np.array([1.0, np.nan, 2.0]))
    assert_usage_error(run("summarize", "--input", path), "x, draw 1", "not a finite number", code=1)


# ---------------------------------------------------------------------------------------------
# Options


def test_column_and_variable_together_is_a_usage_error(run, cmdstan_csv):
    result = run("summarize", "--input", cmdstan_csv, "--column", "mu", "--variable", "tau")
    assert_usage_error(result, "--column", "--variable")


def test_fit_needs_one_variable(run, cmdstan_csv):
    result = run("summarize", "--input", cmdstan_csv, "--column", "theta", "--fit", "normal")
    assert_usage_error(result, "--fit", "theta.1")
    doc = summarize_json(run, cmdstan_csv, "--column", "mu", "--fit", "normal")
    assert math.isclose(doc["fit"]["params"]["loc"], np.mean(cmdstan_columns_by_numpy(cmdstan_csv)["mu"]),
                        rel_tol=1e-10)


def test_selector_on_a_format_without_names_is_a_usage_error(run, tmp_path):
    path = tmp_path / "d.npy"
    np.save(path, np.arange(3.0))
    assert_usage_error(run("summarize", "--input", path, "--variable", "x"), "--variable 'x'", ".npz")


@pytest.mark.slow
def test_xarray_is_imported_only_for_netcdf(tmp_path, cmdstan_csv):
    npz = tmp_path / "s.npz"
    np.savez(npz, a=np.arange(5.0))
    code = (
        "import sys; from priorcli.readers import read_variables; "
        f"read_variables({str(cmdstan_csv)!r}, selectors=['theta']); read_variables({str(npz)!r}); "
        "assert 'xarray' not in sys.modules and 'pandas' not in sys.modules and 'jax' not in sys.modules"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


# ---------------------------------------------------------------------------------------------
# Text read block by block


@pytest.fixture
def tiny_blocks(monkeypatch):
    """Blocks of 256 bytes, so a few hundred lines cross many block boundaries."""
    from priorcli.readers import text

    monkeypatch.setattr(text, "BLOCK_BYTES", 256)


def test_blocks_read_the_same_values_as_numpy(tiny_blocks, tmp_path):
    values = np.random.default_rng(5).standard_normal(3000)
    path = tmp_path / "d.txt"
    path.write_text("# draws\n" + lines_of(values[:1000]) + "\n\n# more\n" + lines_of(values[1000:]))
    read = read_variables(str(path))
    np.testing.assert_array_equal(read.variables[0].values, np.loadtxt(path))
    np.testing.assert_array_equal(read.variables[0].values, values)


def test_blocks_keep_line_numbers_of_errors(tiny_blocks, tmp_path):
    values = np.random.default_rng(6).standard_normal(2000)
    path = tmp_path / "d.txt"
    path.write_text("# c\n" + lines_of(values[:1500]) + "abc\n" + lines_of(values[1500:]))
    with pytest.raises(InputError, match=r"line 1502: 'abc' is not a number"):
        read_variables(str(path))
    path.write_text(lines_of(values[:1700]) + "-inf\n" + lines_of(values[1700:]))
    with pytest.raises(InputError, match=r"line 1701: '-inf' is not a finite number"):
        read_variables(str(path))
    read = read_variables(str(path), drop_nonfinite=True)
    assert read.variables[0].dropped == 1
    np.testing.assert_array_equal(read.variables[0].values, values)


def test_blocks_csv_columns_and_ragged_rows(tiny_blocks, tmp_path):
    rng = np.random.default_rng(8)
    table = rng.normal(size=(800, 3))
    path = tmp_path / "d.csv"
    body = "".join(",".join(repr(float(v)) for v in row) + "\r\n" for row in table)
    path.write_text("a,b,c\r\n" + body)
    read = read_variables(str(path), selectors=["c", "a"])
    assert [v.name for v in read.variables] == ["c", "a"]
    np.testing.assert_array_equal(read.variables[0].values, table[:, 2])
    np.testing.assert_array_equal(read.variables[1].values, table[:, 0])
    lines = path.read_bytes().decode().split("\r\n")
    lines[650] = "1,2"
    path.write_bytes("\r\n".join(lines).encode())
    with pytest.raises(InputError, match=r"line 651: expected 3 field\(s\), found 2"):
        read_variables(str(path), selectors=["a"])


def test_stdin_is_read_in_blocks(run, monkeypatch):
    from priorcli.readers import text

    monkeypatch.setattr(text, "BLOCK_BYTES", 128)
    values = np.random.default_rng(9).gamma(2, 1, 1500)
    assert_summary_matches(summarize_json(run, "-", input=lines_of(values))["summary"], values)
    result = run("summarize", "--input", "-", input=lines_of(values[:1200]) + "1.5 apples\n" + lines_of(values[1200:]))
    assert_usage_error(result, "line 1201: '1.5 apples' is not a number", code=1)


def test_a_line_longer_than_a_block(tiny_blocks, tmp_path):
    path = tmp_path / "d.csv"
    names = [f"x.{i}" for i in range(1, 101)]
    row = ",".join(str(float(i)) for i in range(100))
    path.write_text(",".join(names) + "\n" + (row + "\n") * 5)
    read = read_variables(str(path), selectors=["x.100"])
    np.testing.assert_array_equal(read.variables[0].values, np.full(5, 99.0))


@pytest.mark.parametrize(
    "content,needle",
    [
        ("1\n2\nthree\n4\n", "line 3: 'three' is not a number"),
        ("1\n2\n3 4\n", "line 3: '3 4' is not a number"),
        ("1.5\n2.5\n1,5\n", "line 3: '1,5' is not a number (one number per line"),
        ("1\n2\n1_000\n", "line 3: '1_000' is not a number"),
    ],
)
def test_mixed_text_is_refused_with_its_line(run, tmp_path, content, needle):
    path = tmp_path / "mixed.txt"
    path.write_text(content)
    assert_usage_error(run("summarize", "--input", path), needle, code=1)


def test_read_variables_errors_are_typed(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(UsageError):
        read_variables(str(path), selectors=["c"])
    with pytest.raises(InputError):
        read_variables(str(tmp_path / "missing.nc"))


# ---------------------------------------------------------------------------------------------
# The in-place summary


@pytest.mark.parametrize("n", [1, 2, 3, 7, 100, 4097, 100_001])
def test_sorting_summary_is_numpys_quantiles_and_the_copying_mode(n):
    x = np.random.default_rng(n).lognormal(0, 1, n)
    reference = mc_stats.mc_summary(x.copy(), (0.0, 0.01, 0.025, 0.3, 0.5, 0.999, 1.0))
    owned = x.copy()
    summary = mc_stats.mc_summary_sorting(owned, (0.0, 0.01, 0.025, 0.3, 0.5, 0.999, 1.0))
    assert np.all(owned[:-1] <= owned[1:])  # sorted in place: no copy was made
    for p, q in summary.quantiles.items():
        assert q == np.quantile(x, p), p  # bit for bit numpy's 'linear' quantile
    assert summary.median == np.median(x)
    assert summary.mode == reference.mode
    assert math.isclose(summary.mean, np.mean(x), rel_tol=1e-13)
    if n > 1:
        assert math.isclose(summary.sd, np.std(x, ddof=1), rel_tol=1e-12)
    assert summary.n == n and summary.method == "monte-carlo"


def test_half_sample_mode_in_blocks_equals_whole_array_argmin():
    # The windowed argmin must pick the same (first) minimum as np.argmin over all widths.
    y = np.sort(np.round(np.random.default_rng(1).normal(size=300_000), 2))  # many equal widths
    lo, size = 0, y.size
    while size > 3:
        half = (size + 1) // 2
        widths = y[lo + half - 1 : lo + size] - y[lo : lo + size - half + 1]
        lo += int(np.argmin(widths))
        size = half
    window = y[lo : lo + size]
    if size == 3:
        window = window[:2] if window[1] - window[0] <= window[2] - window[1] else window[1:]
    assert half_sample_mode(y) == float(np.mean(window))


def test_json_of_several_variables_is_sample_models_shape(run, tmp_path):
    path = tmp_path / "s.npz"
    np.savez(path, a=np.arange(10.0), b=np.arange(10.0) ** 2)
    doc = summarize_json(run, path, "--variable", "a", "--variable", "b")
    assert set(doc) == {"source", "sources", "variables"}
    assert [s["n"] for s in doc["sources"]] == [10]
    for name, values in (("a", np.arange(10.0)), ("b", np.arange(10.0) ** 2)):
        assert set(doc["variables"][name]) == {"mc"}
        mc = doc["variables"][name]["mc"]  # each variable's own column, by numpy
        assert mc["n"] == 10 and mc["method"] == "monte-carlo"
        np.testing.assert_allclose([mc["mean"], mc["sd"], mc["median"]],
                                   [values.mean(), values.std(ddof=1), np.median(values)], rtol=1e-12)
        levels = [float(p) for p in mc["quantiles"]]
        np.testing.assert_allclose(list(mc["quantiles"].values()), np.quantile(values, levels), rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# Any layout of lines, any block size: the same values as a line-by-line reading


def _line_strategy():
    from hypothesis import strategies as st

    finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
    number = st.one_of(finite.map(repr), st.integers(-10**6, 10**6).map(str), finite.map(lambda v: f"{v:.6g}"))
    padded = st.tuples(st.sampled_from(["", " ", "\t", "  "]), number, st.sampled_from(["", " ", "\r", " # note"]))
    return st.one_of(padded.map(lambda t: ("value", t[1], "".join(t))),
                     st.sampled_from(["", "   ", "# comment", "  # indented, with a comma"]).map(lambda s: ("skip", None, s)))


def test_any_lines_any_block_size_read_like_python(tmp_path_factory):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from priorcli.readers import text

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(lines=st.lists(_line_strategy(), min_size=1, max_size=200), block=st.integers(8, 300))
    def check(lines, block):
        values = [float(v) for kind, v, _ in lines if kind == "value"]
        path = tmp_path_factory.mktemp("lines") / "d.txt"
        path.write_text("\n".join(written for _, _, written in lines) + "\n")
        original = text.BLOCK_BYTES
        text.BLOCK_BYTES = block
        try:
            if not values:
                with pytest.raises(InputError, match="no values"):
                    read_variables(str(path))
                return
            read = read_variables(str(path))
        finally:
            text.BLOCK_BYTES = original
        np.testing.assert_array_equal(read.variables[0].values, np.array(values))

    check()


def test_words_in_other_columns_stay_in_numpys_reader(tiny_blocks, tmp_path, monkeypatch):
    from priorcli.readers import text

    rng = np.random.default_rng(14)
    a, b = rng.normal(size=600), rng.gamma(2, 1, 600)
    path = tmp_path / "d.csv"
    path.write_text("chain,a,label,b\n" + "".join(f"{i % 4},{float(x)!r},draw-{i},{float(y)!r}\n"
                                                    for i, (x, y) in enumerate(zip(a, b))))

    def no_scan(*args):
        raise AssertionError("read line by line")

    monkeypatch.setattr(text, "_scan_block", no_scan)
    read = read_variables(str(path), selectors=["b", "a"])
    np.testing.assert_array_equal(read.variables[0].values, b)
    np.testing.assert_array_equal(read.variables[1].values, a)
    monkeypatch.undo()
    monkeypatch.setattr(text, "BLOCK_BYTES", 256)
    lines = path.read_text().split("\n")
    lines[400] = lines[400] + ",extra"
    path.write_text("\n".join(lines))
    with pytest.raises(InputError, match=r"line 401: expected 4 field\(s\), found 5"):
        read_variables(str(path), selectors=["a"])
    lines[400] = "3,0.5,draw-x"
    path.write_text("\n".join(lines))
    with pytest.raises(InputError, match=r"line 401: expected 4 field\(s\), found 3"):
        read_variables(str(path), selectors=["a"])
