"""--plot-file FILE.png|svg|pdf (issue 23, item 2): the terminal plot's chart drawn by matplotlib
into a file. Files are checked as files (PNG/SVG/PDF headers, PNG size, the SVG's text: axis
labels, legend, range end labels and the hidden-mass notes the terminal prints), the bytes are the
same run after run, the no-overwrite rules of --output hold, and matplotlib is imported only when
a figure is asked for. The exact hidden mass of summarize FAMILY is checked against scipy."""

from __future__ import annotations

import json
import os
import re
import struct
import xml.etree.ElementTree as ET

import pytest
import scipy.stats as st

from conftest import assert_usage_error, packages_after_each

N = 2000
SVG_NS = "{http://www.w3.org/2000/svg}"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def _svg_texts(path) -> list[str]:
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG_NS}svg"
    return ["".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")]


def _notes(stdout: str) -> list[str]:
    return [line.strip() for line in stdout.splitlines() if line.strip().endswith("not shown")]


def _leftovers(directory) -> list[str]:
    return [n for n in os.listdir(directory) if n.startswith(".priorcli-")]


@pytest.mark.slow
def test_sample_png_is_a_png_of_the_planned_size(run, tmp_path):
    path = tmp_path / "lognormal.png"
    result = run("sample", "lognormal", "--mu", 1, "--sigma", 1, "-n", N, "--plot-file", path)
    assert result.exit_code == 0, result.stderr
    data = path.read_bytes()
    width, height = _png_size(data)
    notes = len(_notes(result.stdout))
    assert notes >= 1  # LogNormal(1, 1)'s upper tail is beyond the body the rule shows
    assert (width, height) == (800, round(100 * (3.6 + 0.22 * notes)))
    assert _leftovers(tmp_path) == []


def test_svg_carries_the_terminal_plot_labels_legend_and_notes(run, tmp_path):
    path = tmp_path / "wide.svg"
    args = ("sample", "lognormal", "--mu", 1, "--sigma", 3, "-n", N, "--seed", 3, "--tail", 0.01)
    terminal = run(*args)
    result = run(*args, "--plot-file", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == terminal.stdout  # the terminal output is unchanged by a figure
    texts = _svg_texts(path)
    assert "x (log scale); density per unit log10(x)" in texts  # over three decades: a log axis
    assert "density" in texts
    assert {"draws", "exact density"} <= set(texts)  # the legend, as the terminal names the series
    assert "LogNormal(loc=1, scale=3)" in texts  # the title
    notes = _notes(terminal.stdout)
    assert notes and set(notes) <= set(texts)
    # The range's ends, labelled exactly as under the terminal plot (its axis line ends with them).
    lines = terminal.stdout.splitlines()
    ticks = lines[lines.index(next(line for line in lines if line.strip().startswith("x (log scale)"))) - 1].split()
    assert ticks[0] in texts and ticks[-1] in texts, ticks


def test_linear_discrete_and_pmf_labels(run, tmp_path):
    path = tmp_path / "poisson.svg"
    result = run("sample", "poisson", "--rate", 3, "-n", N, "--plot-file", path, "--no-plot")
    assert result.exit_code == 0, result.stderr
    assert "█" not in result.stdout and "exact pmf" not in result.stdout  # --no-plot: the figure only
    texts = _svg_texts(path)
    assert {"x", "probability", "draws", "exact pmf"} <= set(texts)


@pytest.mark.slow
def test_pdf_header_and_identical_bytes_run_after_run(run, tmp_path):
    for suffix in ("png", "svg", "pdf"):
        first, second = tmp_path / f"a.{suffix}", tmp_path / f"b.{suffix}"
        for path in (first, second):
            result = run("sample", "gamma", "--alpha", 2, "--beta", 1, "-n", N, "--no-plot", "--plot-file", path)
            assert result.exit_code == 0, result.stderr
        assert first.read_bytes() == second.read_bytes(), suffix
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF-")
    assert b"CreationDate" not in (tmp_path / "a.pdf").read_bytes()
    assert (tmp_path / "a.svg").read_bytes().startswith(b"<?xml")


def test_json_stays_one_document(run, tmp_path):
    path = tmp_path / "f.svg"
    result = run("sample", "normal", "-n", N, "--format", "json", "--plot-file", path)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["family"] == "Normal"
    assert "exact density" in _svg_texts(path)


def test_compare_legend_names_each_distribution(run, tmp_path):
    path = tmp_path / "compare.svg"
    args = ("compare", "LogNormal(1, 1)", "Gamma(2, 1)", "-n", N)
    terminal = run(*args)
    result = run(*args, "--plot-file", path, "--no-plot")
    assert result.exit_code == 0, result.stderr
    texts = _svg_texts(path)
    assert {"[1] LogNormal(1, 1)", "[2] Gamma(2, 1)", "x", "density"} <= set(texts)
    assert set(_notes(terminal.stdout)) <= set(texts)


@pytest.mark.slow
def test_model_has_one_panel_per_variable(run, tmp_path):
    path = tmp_path / "model.svg"
    args = ("sample", "--model", "a ~ Normal(0, 1); b ~ LogNormal(a, 0.5); k ~ Poisson(3)", "-n", N)
    terminal = run(*args)
    result = run(*args, "--plot-file", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == terminal.stdout
    texts = _svg_texts(path)
    assert texts.count("a") >= 2 and texts.count("b") >= 2 and texts.count("k") >= 2  # titles and legends
    assert "probability" in texts and "density" in texts
    assert set(_notes(terminal.stdout)) <= set(texts)
    png = tmp_path / "model.png"
    assert run(*args, "--plot-file", png, "--no-plot").exit_code == 0
    width, height = _png_size(png.read_bytes())
    assert width == 800 and height >= 3 * 360  # three panels


def test_summarize_input_with_fits(run, tmp_path):
    draws = tmp_path / "draws.csv"
    draws.write_text("\n".join(repr(float(v)) for v in st.gamma(3.0).rvs(size=800, random_state=1)) + "\n")
    path = tmp_path / "fit.svg"
    result = run("summarize", "--input", draws, "--fit", "gamma", "--plot-file", path)
    assert result.exit_code == 0, result.stderr
    texts = _svg_texts(path)
    assert "draws" in texts
    assert any(t.startswith("fit: dist.Gamma(") for t in texts)


def test_summarize_family_hidden_mass_is_the_exact_tail(run, tmp_path):
    path = tmp_path / "gamma.svg"
    result = run("summarize", "gamma", "--alpha", 2, "--beta", 1, "--plot-file", path)
    assert result.exit_code == 0, result.stderr
    texts = _svg_texts(path)
    assert {"x", "density", "Gamma(concentration=2, rate=1)"} <= set(texts)
    (note,) = [t for t in texts if t.endswith("not shown")]
    match = re.fullmatch(r"([\d.]+)% of the mass beyond ([\d.e+-]+) not shown", note)
    assert match, note
    share, hi = float(match.group(1)) / 100, float(match.group(2))
    assert share == pytest.approx(st.gamma(2.0).sf(hi), rel=0.05)  # printed to two digits


def test_summarize_transformed_family_hidden_mass(run, tmp_path):
    path = tmp_path / "softplus.svg"
    result = run("summarize", "lognormal", "--mu", 0, "--sigma", 1, "--transform", "softplus", "--plot-file", path)
    assert result.exit_code == 0, result.stderr
    (note,) = [t for t in _svg_texts(path) if t.endswith("not shown")]
    match = re.fullmatch(r"([\d.]+)% of the mass beyond ([\d.e+-]+) not shown", note)
    assert match, note
    hi = float(match.group(2))
    # softplus is increasing: P(softplus(X) > hi) = P(X > log(expm1(hi)))
    import math

    assert float(match.group(1)) / 100 == pytest.approx(st.lognorm(1.0).sf(math.log(math.expm1(hi))), rel=0.05)


def test_solve_figure(run, tmp_path):
    path = tmp_path / "solve.pdf"
    result = run("solve", "gamma", "--mode", 1, "--sd", 2, "--plot-file", path)
    assert result.exit_code == 0, result.stderr
    assert path.read_bytes().startswith(b"%PDF-")
    svg = tmp_path / "solve.svg"
    assert run("solve", "gamma", "--mode", 1, "--sd", 2, "--plot-file", svg, "--format", "json").exit_code == 0
    assert {"exact density", "x", "density"} <= set(_svg_texts(svg))


def test_unknown_suffix_is_a_usage_error(run, tmp_path):
    path = tmp_path / "a.jpg"
    assert_usage_error(run("sample", "normal", "-n", N, "--plot-file", path), "--plot-file", "a.jpg", ".png")
    assert not path.exists()


def test_existing_file_is_kept_without_force(run, tmp_path):
    path = tmp_path / "a.png"
    path.write_bytes(b"mine")
    for command in (("sample", "normal", "-n", N), ("solve", "--median", 1, "--sd", 1),
                    ("summarize", "normal"), ("compare", "Normal(0, 1)", "-n", N)):
        assert_usage_error(run(*command, "--plot-file", path), "--plot-file", "exists", "--force")
        assert path.read_bytes() == b"mine"
    result = run("sample", "normal", "-n", N, "--plot-file", path, "--force")
    assert result.exit_code == 0, result.stderr
    _png_size(path.read_bytes())
    assert _leftovers(tmp_path) == []


def test_missing_directory(run, tmp_path):
    path = tmp_path / "nowhere" / "a.svg"
    assert_usage_error(run("sample", "normal", "-n", N, "--plot-file", path), "--plot-file", "does not exist",
                       code=1)


def test_raw_format_and_emit_refused(run, tmp_path):
    path = tmp_path / "a.png"
    assert_usage_error(run("sample", "normal", "-n", N, "--format", "raw", "--plot-file", path), "--plot-file")
    assert_usage_error(run("sample", "--model", "a ~ Normal(0, 1)", "--emit", "numpyro", "--plot-file", path),
                       "--plot-file")
    assert_usage_error(run("solve", "--mode", 1, "--plot-file", path), "--plot-file")  # underdetermined
    assert not path.exists()


def test_a_file_that_appears_meanwhile_is_left_alone(tmp_path, monkeypatch):
    """The no-replace check when the figure is put in place, not only at the start."""
    from priorcli.errors import OutputError
    from priorcli.render import figure
    from priorcli.stats.monte_carlo import Histogram

    path = tmp_path / "race.png"
    real_save = figure._save

    def save_and_race(fig, handle, fmt):
        real_save(fig, handle, fmt)
        path.write_bytes(b"theirs")

    monkeypatch.setattr(figure, "_save", save_and_race)
    curve = Histogram([], [], [0.0, 1.0], [1.0, 1.0], False, "flat")
    with pytest.raises(OutputError, match="appeared"):
        figure.write_figure(str(path), [("", [curve])], force=False)
    assert path.read_bytes() == b"theirs"
    assert _leftovers(tmp_path) == []


@pytest.mark.slow
def test_matplotlib_only_when_a_figure_is_asked_for(tmp_path):
    # one interpreter: nothing before the figure imports matplotlib, and the figure (the control) does
    _, imported = packages_after_each(["--help"], ["sample", "--help"], ["sample", "normal", "-n", "100", "--no-plot"],
                                      ["sample", "normal", "-n", "100"],
                                      ["sample", "normal", "-n", "100", "--plot-file", str(tmp_path / "x.png")],
                                      packages={"matplotlib"})
    assert imported == [[], [], [], [], ["matplotlib"]]
    assert (tmp_path / "x.png").stat().st_size > 0


@pytest.mark.slow
def test_lkj_figures(run, tmp_path):
    for i, command in enumerate((("summarize", "lkj", "--dimension", 3, "--concentration", 2),
                                 ("sample", "lkj", "--dimension", 3, "--concentration", 2, "-n", N, "--no-plot"),
                                 ("solve", "lkj", "--dimension", 3, "--lower", -0.5, "--upper", 0.5, "--mass", 0.9))):
        path = tmp_path / f"lkj{i}.svg"
        result = run(*command, "--plot-file", path)
        assert result.exit_code == 0, result.stderr
        assert {"x", "density"} <= set(_svg_texts(path)), command
