"""``priorcli list`` shows Keelin's metalog and ``priorcli info metalog`` describes it (issue 21,
item 7), from a static entry: neither imports numpyro or jax with the registry's cache warm."""

from __future__ import annotations

import json

import pytest

from conftest import packages_after


def test_list_shows_a_metalog_entry_among_the_families(run):
    families = json.loads(run("list", "--format", "json").stdout)
    names = [f["family"] for f in families]
    entry = families[names.index("Metalog")]
    assert [p["name"] for p in entry["params"]] == ["a", "lower", "upper"] and not entry["discrete"]
    assert names.index("LogNormal") < names.index("Metalog") < names.index("Normal")
    table = run("list")
    assert table.exit_code == 0 and "Metalog" in table.stdout
    assert table.stdout.startswith(f"{len(families)} families")


@pytest.mark.parametrize("spelling", ["metalog", "Metalog", "meta-log"])
def test_info_describes_its_parameters_and_how_to_give_quantiles(run, spelling):
    doc = json.loads(run("info", spelling, "--format", "json").stdout)
    assert doc["family"] == "Metalog" and not doc["discrete"]
    assert [p["name"] for p in doc["params"]] == ["a", "lower", "upper"]
    assert "--quantile" in doc["docstring"] and "Metalog(p=[" in doc["docstring"] and "--fit metalog" in doc["docstring"]
    assert any("M(y) = a1 + a2 L" in f for f in doc["closed_forms"])
    table = run("info", spelling)
    assert table.exit_code == 0 and table.stdout.startswith("Metalog: Keelin's")
    assert "--quantile 0.1=1" in table.stdout and "example: priorcli summarize metalog" in table.stdout


def test_the_info_example_runs(run):
    example = json.loads(run("info", "metalog", "--format", "json").stdout)["example"].split()
    assert example[0] == "priorcli"
    assert run(*example[1:], "--format", "json").exit_code == 0


@pytest.mark.slow
def test_warm_list_and_info_metalog_import_no_numpyro(private_cache):
    commands = (["list"], ["info", "metalog"], ["info", "metalog", "--format", "json"])
    cold, _ = packages_after(*commands, packages=["numpyro", "jax"])
    warm, imported = packages_after(*commands, packages=["numpyro", "jax"])
    assert imported == [] and warm == cold and "Metalog" in warm
