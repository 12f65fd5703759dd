"""``solve --family LIST``: split and checked by the same function as ``summarize --fit LIST``
(priorcli.fitting.lists.list_items): an empty item, ``auto`` inside a list, an unknown or multivariate
family and a family named twice (under any alias or spelling) are each one Error line naming the
item, exit 2; ``auto`` and a proper list still rank."""

from __future__ import annotations

import subprocess
import sys

import pytest
from scipy import stats

from conftest import assert_usage_error

TARGETS = ("--mean", "2", "--sd", "1")


@pytest.mark.parametrize("family, line", [
    ("normal,,gamma", "Error: --family 'normal,,gamma': item 2 is empty; name a family between each pair of commas"),
    ("normal, gamma,", "Error: --family 'normal, gamma,': item 3 is empty; name a family between each pair of commas"),
    (" , ", "Error: --family ' , ': item 1 is empty; name a family between each pair of commas"),
    ("normal, Gamma, normal",
     "Error: --family 'normal, Gamma, normal': item 3 'normal' repeats item 1 'normal'; name each family once"),
    ("lognormal, LogNormal",
     "Error: --family 'lognormal, LogNormal': item 2 'LogNormal' repeats item 1 'lognormal'; name each family once"),
    ("half-cauchy,normal,HalfCauchy",
     "Error: --family 'half-cauchy,normal,HalfCauchy': item 3 'HalfCauchy' repeats item 1 'half-cauchy'; "
     "name each family once"),
    ("normal, auto", "Error: --family 'normal, auto': item 2: 'auto' stands alone (--family auto ranks every family)"),
    ("normal, notafamily",
     "Error: --family 'normal, notafamily': item 2 'notafamily': unknown family 'notafamily'; see 'priorcli list'"),
    ("normal, dirichlet", "Error: --family 'normal, dirichlet': item 2 'dirichlet': Dirichlet is multivariate: "
                          "a ranking compares univariate families"),
    ("normal, Gamma(rate=2", "Error: --family 'normal, Gamma(rate=2': a '(' without its ')'"),
    ("", "Error: --family '' must be auto or comma-separated family names"),
])
def test_bad_family_lists(run, family, line):
    result = run("solve", "--family", family, *TARGETS)
    assert_usage_error(result, code=2)
    assert result.stderr.strip() == line
    assert result.stdout == ""


def test_the_splitter_is_the_fit_lists_one():
    from priorcli.commands import fit_list
    from priorcli.fitting import lists, mixture

    assert mixture.split_fit_list is lists.split_fit_list
    assert fit_list.split_fit_list is lists.split_fit_list


def test_a_list_ranks_every_family_once(run):
    doc = run.json("solve", "--family", "gamma, normal", *TARGETS)
    names = [r["family"] for r in doc["ranking"] + doc["discrete_ranking"]]
    assert sorted(names) == ["Gamma", "Normal"]
    params = {r["family"]: r["params"] for r in doc["ranking"]}
    gamma = stats.gamma(params["Gamma"]["concentration"], scale=1 / params["Gamma"]["rate"])
    assert gamma.mean() == pytest.approx(2, rel=1e-8) and gamma.std() == pytest.approx(1, rel=1e-8)
    normal = stats.norm(params["Normal"]["loc"], params["Normal"]["scale"])
    assert normal.mean() == pytest.approx(2, rel=1e-8) and normal.std() == pytest.approx(1, rel=1e-8)


def test_auto_still_ranks(run):
    doc = run.json("solve", "--family", "auto", *TARGETS)
    names = [r["family"] for r in doc["ranking"]]
    assert len(names) > 5 and len(set(names)) == len(names) and "Gamma" in names


@pytest.mark.slow
def test_the_process_exits_2_for_a_repeated_family():
    result = subprocess.run([sys.executable, "-m", "priorcli", "solve", "--family", "normal,Normal", *TARGETS],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "Error: --family 'normal,Normal': item 2 'Normal' repeats item 1 'normal'; name each family once"]
