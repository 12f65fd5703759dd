"""priorcli elicit SESSION.toml (issue 23, item 1): each expert's fit is solve --family's for the same
targets, the pools agree with direct numerical integration of scipy.stats densities, PreliZ's
combine case (Normal(0, 1) and Gamma(2, 1) pooled: StudentT, then Normal) is reproduced, and bad
session files give one Error line each."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest
import scipy.stats as st
from scipy.integrate import quad

from conftest import assert_usage_error

SESSION = """\
[quantity]
name = "recovery time"
unit = "days"
support = "positive"

[pool]
fit = true

[experts.alice]
weight = 2
median = 10
quartiles = [7, 14]

[experts.bob]
roulette = {edges = [0, 5, 10, 15, 20, 25, 30], chips = [1, 4, 6, 3, 1, 1]}
"""


def _write(tmp_path, text: str, name: str = "session.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture(scope="module")
def doc(tmp_path_factory):
    from typer.testing import CliRunner

    from priorcli.cli import app

    path = tmp_path_factory.mktemp("elicit") / "session.toml"
    path.write_text(SESSION)
    result = CliRunner().invoke(app, ["elicit", str(path), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _frozen(family: str, params: dict):
    if family == "Gamma":
        return st.gamma(params["concentration"], scale=1 / params["rate"])
    if family == "Normal":
        return st.norm(params["loc"], params["scale"])
    raise AssertionError(family)


def test_document_shape(doc):
    assert set(doc) == {"quantity", "experts", "pools"}
    assert doc["quantity"]["name"] == "recovery time" and doc["quantity"]["unit"] == "days"
    assert list(doc["experts"]) == ["alice", "bob"]
    for expert in doc["experts"].values():
        assert {"ranking", "chosen", "feedback"} <= set(expert)
        assert expert["chosen"]["family"] == expert["ranking"][0]["family"]
        assert expert["chosen"]["numpyro"].startswith("dist.")
    assert set(doc["pools"]) == {"linear", "log", "fit"}
    assert doc["pools"]["linear"]["weights"] == pytest.approx({"alice": 2 / 3, "bob": 1 / 3})


@pytest.mark.slow
def test_expert_fit_is_solves(run, doc):
    alice = run.json("solve", "--family", "auto", "--support", "positive", "--quantile", "0.25=7",
                     "--quantile", "0.5=10", "--quantile", "0.75=14")
    chosen = doc["experts"]["alice"]["chosen"]
    assert chosen["family"] == alice["family"]
    assert chosen["params"] == pytest.approx(alice["params"], rel=1e-9)
    # bob's chips as quantiles: the proportion of chips left of each filled bin's right edge
    chips, edges = [1, 4, 6, 3, 1, 1], [0, 5, 10, 15, 20, 25, 30]
    cumulative = np.cumsum(chips) / sum(chips)
    stated = [(float(p), float(e)) for p, e in zip(cumulative[:-1], edges[1:-1])]
    pairs = [f"{p!r}={e!r}" for p, e in stated]
    assert [(f["probability"], f["stated"]) for f in doc["experts"]["bob"]["feedback"]] == stated  # k/16: exact
    bob = run.json("solve", "--family", ",".join(r["family"] for r in doc["experts"]["bob"]["ranking"]),
                   "--support", "positive", *[a for pair in pairs for a in ("--quantile", pair)])
    assert doc["experts"]["bob"]["chosen"]["family"] == bob["family"]
    assert doc["experts"]["bob"]["chosen"]["params"] == pytest.approx(bob["params"], rel=1e-9)


def test_feedback_against_scipy(doc):
    for expert in doc["experts"].values():
        dist = _frozen(expert["chosen"]["family"], expert["chosen"]["params"])
        for f in expert["feedback"]:
            assert f["fitted"] == pytest.approx(dist.ppf(f["probability"]), rel=1e-9)
            assert f["fitted_probability"] == pytest.approx(dist.cdf(f["stated"]), rel=1e-9)
        assert expert["fitted_quantiles"]["0.05"] == pytest.approx(dist.ppf(0.05), rel=1e-9)
        assert expert["fitted_quantiles"]["0.95"] == pytest.approx(dist.ppf(0.95), rel=1e-9)


def test_pools_against_direct_integration(doc):
    names = ["alice", "bob"]
    dists = [_frozen(doc["experts"][n]["chosen"]["family"], doc["experts"][n]["chosen"]["params"]) for n in names]
    w = np.array([doc["pools"]["linear"]["weights"][n] for n in names])

    def mixture(x):
        return sum(wi * d.pdf(x) for wi, d in zip(w, dists))

    linear = doc["pools"]["linear"]
    mean = quad(lambda x: x * mixture(x), 0, np.inf, epsrel=1e-12)[0]
    second = quad(lambda x: x * x * mixture(x), 0, np.inf, epsrel=1e-12)[0]
    assert linear["mean"] == pytest.approx(mean, rel=1e-9)
    assert linear["sd"] == pytest.approx(np.sqrt(second - mean**2), rel=1e-8)
    for p, q in linear["quantiles"].items():
        assert quad(mixture, 0, q, epsrel=1e-12)[0] == pytest.approx(float(p), rel=1e-9)

    def product(x):
        return np.prod([d.pdf(x) ** wi for wi, d in zip(w, dists)])

    log = doc["pools"]["log"]
    z = quad(product, 0, np.inf, epsrel=1e-12, limit=200)[0]
    assert log["normaliser"] == pytest.approx(z, rel=1e-8)
    mean = quad(lambda x: x * product(x), 0, np.inf, epsrel=1e-12, limit=200)[0] / z
    var = quad(lambda x: (x - mean) ** 2 * product(x), 0, np.inf, epsrel=1e-12, limit=200)[0] / z
    assert log["mean"] == pytest.approx(mean, rel=1e-8)
    assert log["sd"] == pytest.approx(np.sqrt(var), rel=1e-7)
    for p, q in log["quantiles"].items():
        assert quad(product, 0, q, epsrel=1e-12, limit=200)[0] / z == pytest.approx(float(p), rel=1e-8)


def test_preliz_combine_case():
    # PreliZ: pz.combine([pz.Normal(0, 1), pz.Gamma(2, 1)]) ranks StudentT first, then Normal
    # (Gamma and LogNormal cannot take the negative values)
    from priorcli.elicit import pool
    from priorcli.elicit.session import DEFAULT_POOL_FIT

    components = [pool.Component("Normal", {"loc": 0.0, "scale": 1.0}),
                  pool.Component("Gamma", {"concentration": 2.0, "rate": 1.0})]
    ranking = pool.combine(components, [1.0, 1.0], DEFAULT_POOL_FIT)
    assert [r.family for r in ranking.ranked] == ["StudentT", "Normal"]
    assert {s.family for s in ranking.skipped} == {"Gamma", "LogNormal"}
    # the Normal fit is the maximum-likelihood one: the sample's mean and sd (ddof 0)
    sample = pool.pool_sample(components, [1.0, 1.0])
    normal = next(r for r in ranking.ranked if r.family == "Normal").fit.params
    assert normal["loc"] == pytest.approx(sample.mean(), rel=1e-6, abs=1e-9)
    assert normal["scale"] == pytest.approx(sample.std(), rel=1e-6)


def test_preliz_combine_case_through_a_session(run, tmp_path):
    # experts whose judgements are exact quantiles of Normal(0, 1) and Gamma(2, 1)
    n = [float(st.norm.ppf(p)) for p in (0.25, 0.5, 0.75)]
    g = [float(st.gamma(2).ppf(p)) for p in (0.25, 0.5, 0.75)]
    path = _write(tmp_path, f"""\
        [quantity]
        name = "theta"
        families = ["normal", "gamma"]

        [pool]
        fit = true

        [experts.a]
        median = {n[1]!r}
        quartiles = [{n[0]!r}, {n[2]!r}]

        [experts.b]
        median = {g[1]!r}
        quartiles = [{g[0]!r}, {g[2]!r}]
        """)
    doc = run.json("elicit", path)
    assert doc["experts"]["a"]["chosen"]["family"] == "Normal"
    assert doc["experts"]["b"]["chosen"]["family"] == "Gamma"
    assert doc["experts"]["b"]["chosen"]["params"] == pytest.approx({"concentration": 2.0, "rate": 1.0}, rel=1e-6)
    assert [r["family"] for r in doc["pools"]["fit"]["ranking"]] == ["StudentT", "Normal"]


@pytest.mark.slow
def test_table_output_runs(run, tmp_path):
    result = run("elicit", _write(tmp_path, SESSION))
    assert result.exit_code == 0, result.stderr
    assert "feedback" in result.stdout and "pools" in result.stdout and "dist.MixtureGeneral" in result.stdout


@pytest.mark.parametrize("text, needles", [
    ("[quantity]\nname = 'x'\n\n[experts.a]\nmedain = 3\nquartiles = [1, 5]\n", ["line 5", "medain", "unknown key"]),
    ("[experts.a]\nmedian = 3\nquartiles = [4, 5]\n", ["experts.a", "out of order"]),
    ("[quantity]\nfamilies = ['studentt']\n[experts.a]\nquartiles = [1, 5]\n",
     ["experts.a", "2 judgement(s)", "StudentT's 3 parameters"]),
    ("[experts.a]\nmedian = 3\n", ["experts.a", "1 judgement(s)"]),
    ("[experts.a]\nweight = -1\nmedian = 3\nquartiles = [1, 5]\n", ["line 2", "weight", "-1"]),
    ("[experts.a]\nroulette = {edges = [0, 1, 2, 3], chips = [1, 2, 1], bins = 3}\n", ["line 2", "bins", "unknown key"]),
    ("[pool]\nfit = true\nweigths = 1\n[experts.a]\nmedian = 3\nquartiles = [1, 5]\n", ["line 3", "weigths"]),
])
def test_bad_sessions(run, tmp_path, text, needles):
    assert_usage_error(run("elicit", _write(tmp_path, text)), *needles)


@pytest.mark.slow
def test_explore_roulette_saves_a_session_elicit_reads(run, tmp_path):
    # explore --roulette --output FILE.toml writes the chips; elicit reads back the same chips
    from priorcli.elicit.session import read_session
    from priorcli.explore.roulette_state import RouletteState
    from priorcli.explore.run import check_output, write_session

    state = RouletteState(0.0, 3.0, 10, chips=[0, 1, 3, 5, 4, 2, 1, 0, 0, 0])
    path = tmp_path / "chips.toml"
    check_output(str(path), False, roulette=True)
    write_session(state, str(path), False)
    (expert,) = read_session(str(path)).experts
    assert list(expert.roulette[0]) == state.edges and list(expert.roulette[1]) == state.chips
    doc = run.json("elicit", path)
    assert doc["experts"]["expert"]["roulette"] == {"edges": state.edges, "chips": state.chips}
    state.refit()  # explore's own ranking of the same chips
    assert doc["experts"]["expert"]["chosen"]["family"] == state.best.family
    assert doc["experts"]["expert"]["chosen"]["params"] == pytest.approx(state.best.solution.params, rel=1e-9)
    with pytest.raises(Exception, match="--roulette also .toml"):
        check_output(str(tmp_path / "x.toml"), False, roulette=False)


@pytest.mark.parametrize("suffix", [".md", ".html"])
@pytest.mark.slow
def test_report_rerun_gives_identical_bytes(run, tmp_path, monkeypatch, suffix):
    import html
    import re
    import shlex

    from priorcli import __version__

    monkeypatch.chdir(tmp_path)
    _write(tmp_path, SESSION)
    result = run("elicit", "session.toml", "--report", f"report{suffix}")
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / f"report{suffix}").read_text()
    command = html.unescape(re.search(r"(priorcli elicit [^\n<]*)", text).group(1))
    assert command == f"priorcli elicit session.toml --report report{suffix}"
    assert f"priorcli {__version__}" in text
    for needle in ("alice", "bob", "fitted quantile", "dist.Gamma(", "Stan:", "PyMC:", "linear", "MixtureGeneral",
                   "[experts.bob]"):
        assert needle in text
    if suffix == ".html":
        assert "<svg" in text  # self-contained: the figure inline, nothing fetched
        assert not re.search(r"<(img|link|script)\b|(src|href)=\"(https?:|//)", text)
    else:
        assert "data:image/svg+xml;base64," in text
    (tmp_path / f"report{suffix}").rename(tmp_path / f"first{suffix}")
    again = run(*shlex.split(command)[1:])
    assert again.exit_code == 0, again.stderr
    assert (tmp_path / f"report{suffix}").read_bytes() == (tmp_path / f"first{suffix}").read_bytes()


def test_report_refusals(run, tmp_path):
    session = _write(tmp_path, SESSION)
    assert_usage_error(run("elicit", session, "--report", tmp_path / "r.pdf"), "--report", ".md")
    (tmp_path / "r.md").write_text("keep")
    assert_usage_error(run("elicit", session, "--report", tmp_path / "r.md"), "--report", "exists")
    assert (tmp_path / "r.md").read_text() == "keep"
