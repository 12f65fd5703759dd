"""Issue 19, the solving items: supports that move with the parameters (12), which families
`--family auto` ranks (13), least-squares fits that miss a target (14), and parameters beyond
float range (the Error-line items for binomial and negativebinomial2). scipy is the oracle."""

from __future__ import annotations

import math

import pytest
from scipy import stats as st

from conftest import Run, assert_usage_error
from priorcli import records

# ---------------------------------------------------------------------------------------------
# item 12: supports judged on the parameters being solved


def test_item12_discreteuniform_interval_is_judged_on_the_solved_ends(run):
    doc = run.json("solve", "discreteuniform", "--lower", "-2", "--upper", "10", "--mass", "0.65")
    low, high = doc["params"]["low"], doc["params"]["high"]
    assert low == math.floor(low) and high == math.floor(high)
    du = st.randint(int(low), int(high) + 1)  # scipy's randint excludes its upper end
    assert du.cdf(10) - du.cdf(-3) == pytest.approx(0.65, abs=1e-12)
    # the maximum entropy: no wider grid of whole numbers puts 0.65 on the 13 integers -2..10
    assert high - low + 1 == 20


def test_item12_discreteuniform_quantile_is_not_outside_a_default_support(run):
    r = run("solve", "discreteuniform", "--low", "-5", "--median", "3", "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert "support" not in r.stderr


def test_item12_discreteuniform_unmet_by_whole_numbers_is_one_error_line(run):
    r = run("solve", "discreteuniform", "--lower", "-2", "--upper", "10", "--mass", "0.9")
    assert_usage_error(r, "DiscreteUniform", "whole numbers", code=1)
    assert "(0, 0)" not in r.stderr


def test_item12_held_support_parameter_sets_the_support(run):
    # Pareto's scale held at 2: a median of 1 is outside its support (exit 2, not a search failure)
    assert_usage_error(run("solve", "pareto", "--scale", "2", "--median", "1"), "median=1", "(2, inf)")
    doc = run.json("solve", "pareto", "--scale", "2", "--median", "3")
    assert st.pareto(doc["params"]["alpha"], scale=2.0).median() == pytest.approx(3.0, rel=1e-9)


def _valid_point(F) -> dict:
    p = F.typical_params()
    if "low" in p and "high" in p:
        p.update(low=1.0, high=3.0)
    for spec in F.params:
        if spec.kind.endswith("integer"):
            p[spec.name] = 4.0
    return p


def _moved(spec, v: float) -> float:
    if spec.kind.endswith("integer"):
        return v + 1.0
    if spec.kind in ("unit_interval", "open_unit_interval"):
        return 0.3
    if spec.kind == "positive":
        return v * 1.5
    return v + 0.5


@pytest.mark.parametrize("name", sorted(records.RECORDS))
def test_item12_every_record_declares_the_parameters_that_move_its_support(name):
    F = records.RECORDS[name]
    base = _valid_point(F)
    for spec in F.params:
        moved = F.support(**{**base, spec.name: _moved(spec, base[spec.name])})
        if moved != F.support(**base):
            assert spec.name in F.support_params, (name, spec.name)
            if not spec.kind.endswith("integer"):
                assert F.moving_support is not None, name
                lo, hi = F.moving_support
                assert lo <= moved[0] and moved[1] <= hi


# ---------------------------------------------------------------------------------------------
# item 14: least-squares fits that miss a target say so


def test_item14_least_squares_miss_is_warned_on_stderr_and_in_json(run):
    args = ["solve", "gamma", "--mode", "1", "--sd", "2", "--mean", "1"]
    table = run(*args)
    assert table.exit_code == 0
    r = run(*args, "--format", "json")
    assert r.exit_code == 0
    import json

    doc = json.loads(r.stdout)
    g = st.gamma(doc["params"]["concentration"], scale=1.0 / doc["params"]["rate"])
    sd_miss = abs(g.std() - 2.0) / 2.0
    assert sd_miss > 0.05
    assert doc["misses"]["sd"]["achieved"] == pytest.approx(g.std(), rel=1e-9)
    assert doc["misses"]["sd"]["relative"] == pytest.approx(sd_miss, rel=1e-9)
    assert doc["misses"]["mean"]["achieved"] == pytest.approx(g.mean(), rel=1e-9)
    for result in (table, r):
        lines = [ln for ln in result.stderr.splitlines() if "--sd 2" in ln]
        assert len(lines) == 1 and lines[0].startswith("Warning: ")
        assert f"{100 * sd_miss:.3g}%" in lines[0]
    assert "Warning" not in r.stdout


def test_item14_met_least_squares_targets_give_no_warning(run):
    z = float(st.norm.ppf(0.95))
    r = run("solve", "normal", "--quantile", f"0.05={-z!r}", "--quantile", "0.5=0", "--quantile", f"0.95={z!r}",
            "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert "Warning" not in r.stderr
    import json

    assert json.loads(r.stdout)["misses"] == {}


@pytest.mark.parametrize("command", ["summarize", "sample"])
def test_item14_sample_and_summarize_warn_of_the_miss(run, command):
    extra = ["-n", "100", "--no-plot"] if command == "sample" else []
    r = run(command, "gamma", "--mode", "1", "--sd", "2", "--mean", "1", *extra)
    assert r.exit_code == 0, r.stderr
    assert any(ln.startswith("Warning: ") and "--sd 2" in ln for ln in r.stderr.splitlines())


def test_item12_discreteuniform_least_squares_gives_whole_ends(run):
    doc = run.json("solve", "discreteuniform", "--mean", "3", "--sd", "2", "--median", "4")
    low, high = doc["params"]["low"], doc["params"]["high"]
    assert low == math.floor(low) and high == math.floor(high)
    du = st.randint(int(low), int(high) + 1)
    assert doc["achieved"]["mean"] == pytest.approx(du.mean(), rel=1e-12)
    assert doc["achieved"]["sd"] == pytest.approx(du.std(), rel=1e-12)


# ---------------------------------------------------------------------------------------------
# item 13: --family auto for a positive quantity; continuous and discrete ranked apart

POSITIVE = ["solve", "--family", "auto", "--quantile", "0.05=1", "--quantile", "0.95=10"]
REAL_LINE = {"Normal": st.norm, "Logistic": st.logistic, "Laplace": st.laplace, "Gumbel": st.gumbel_r,
             "Cauchy": st.cauchy}


@pytest.fixture(scope="module")
def positive_doc():
    """``solve --family auto`` of POSITIVE as JSON, read by two tests (the same command's document)."""
    return Run().json(*POSITIVE)


@pytest.mark.slow
def test_item13_positive_quantity_ranks_positive_families_first(positive_doc):
    doc = positive_doc
    names = [e["family"] for e in doc["ranking"]]
    assert doc["preferred"] == "positive" and doc["support"] is None
    # the families ranked after the note are those putting mass below 0 (scipy's cdf at 0)
    for e in doc["ranking"]:
        if e["family"] in REAL_LINE:
            assert float(REAL_LINE[e["family"]](e["params"]["loc"], e["params"]["scale"]).cdf(0.0)) > 0.001
            assert e["family"] in doc["ranked_after"]
    assert names.index("LogNormal") < names.index("Normal")
    assert set(names[-len(doc["ranked_after"]):]) == set(doc["ranked_after"])
    assert doc["family"] not in REAL_LINE
    # the discrete families are ranked apart (whole-number targets), none in the continuous ranking
    discrete = [e["family"] for e in doc["discrete_ranking"]]
    assert "NegativeBinomial2" in discrete and not set(discrete) & set(names)
    assert {"Beta", "BinomialProbs"} <= {e["family"] for e in doc["left_out"]}


@pytest.mark.slow
def test_item13_table_has_two_rankings_and_the_notes(run):
    r = run(*POSITIVE)
    assert r.exit_code == 0, r.stderr
    assert "continuous families ranked" in r.stdout and "discrete families ranked" in r.stdout
    assert "reaches below 0" in r.stdout and "left out" in r.stdout


@pytest.mark.slow
def test_item13_support_positive_leaves_real_line_families_out(run):
    doc = run.json(*POSITIVE, "--support", "positive")
    names = {e["family"] for e in doc["ranking"]}
    left = {e["family"]: e["reason"] for e in doc["left_out"]}
    assert not names & set(REAL_LINE) and set(REAL_LINE) <= set(left)
    assert "--support positive" in left["Normal"]
    assert doc["ranked_after"] == []


@pytest.mark.slow
def test_item13_support_real_and_unit(run):
    doc = run.json(*POSITIVE, "--support", "real")
    assert doc["ranked_after"] == [] and doc["family"] == "Normal"  # the largest entropy of the exact fits
    unit = run.json("solve", "--family", "auto", "--quantile", "0.05=0.1", "--quantile", "0.95=0.6",
                    "--support", "unit")
    for e in unit["ranking"]:
        assert e["family"] in ("Beta", "Kumaraswamy", "Uniform", "LogUniform", "Pareto", "Levy")
    assert_usage_error(run(*POSITIVE, "--support", "banana"), "--support", "banana")


@pytest.mark.slow
def test_item13_rank_targets_agrees_with_the_command(positive_doc):
    from priorcli.ranking import rank_targets
    from priorcli.families.targets import Targets

    ranking = rank_targets("auto", Targets(quantiles=((0.05, 1.0), (0.95, 10.0))))
    doc = positive_doc
    assert [r.family for r in ranking.ranked] == [e["family"] for e in doc["ranking"]]
    assert [r.family for r in ranking.discrete] == [e["family"] for e in doc["discrete_ranking"]]
    non_whole = rank_targets("auto", Targets(quantiles=((0.05, 1.5), (0.95, 10.0))))
    assert non_whole.discrete == ()
    assert any(s.family == "Poisson" and "whole numbers" in s.reason for s in non_whole.left_out)


# ---------------------------------------------------------------------------------------------
# Error lines: whole numbers beyond float64's exact range (2^53)


@pytest.mark.parametrize("args,needle", [
    (["summarize", "binomial", "--total-count", "1e30", "--probs", "0.5"], "1e+30"),
    (["sample", "binomial", "--total-count", "1e30", "--probs", "0.5", "-n", "10", "--no-plot"], "1e+30"),
    (["solve", "binomial", "--total-count", "1e30", "--mean", "3e29"], "1e+30"),
    (["summarize", "negativebinomial2", "--mean", "1e17", "--concentration", "1"], "mean=1e+17"),
    (["sample", "negativebinomial2", "--mean", "1e17", "--concentration", "1", "-n", "10", "--no-plot"], "mean=1e+17"),
    (["solve", "negativebinomial2", "--mean", "1e17", "--sd", "1e18"], "mean=1e+17"),
    (["solve", "poisson", "--mean", "1e17"], "mean=1e+17"),
])
def test_error_lines_whole_numbers_beyond_float_range(run, args, needle):
    assert_usage_error(run(*args), needle, "2^53")


def test_error_lines_large_counts_below_the_limit_are_answered(run):
    doc = run.json("summarize", "negativebinomial2", "--mean", "1e10", "--concentration", "1")
    nb = st.nbinom(1.0, 1.0 / (1.0 + 1e10))  # scipy's (n, p) with p = concentration / (concentration + mean)
    for p, v in doc["summary"]["quantiles"].items():
        assert v == pytest.approx(float(nb.ppf(float(p))), rel=1e-8), p
