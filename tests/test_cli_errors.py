"""Every usage error: exit 2, one 'Error:' line naming the argument, no traceback."""

from __future__ import annotations

import pytest

from conftest import assert_usage_error

USAGE_ERRORS = [
    # (argv, words the one line must contain)
    (["sample", "lognormla", "--mu", "0"], ["lognormla", "LogNormal"]),
    (["summarize", "gama", "--alpha", "2"], ["gama", "Gamma"]),
    (["sample", "lognormal", "--mux", "0"], ["--mux", "did you mean --mu"]),
    (["summarize", "lognormal", "--mu", "abc"], ["--mu", "abc"]),
    (["summarize", "lognormal", "--mu", "0", "--mu", "1"], ["--mu is given twice"]),
    (["summarize", "lognormal", "--mu", "0", "--loc", "1"], ["--loc and --mu both set LogNormal's 'loc'"]),
    (["summarize", "lognormal", "--mu", "nan"], ["--mu", "nan"]),
    (["summarize", "lognormal", "--sigma", "inf"], ["--sigma", "inf"]),
    (["summarize", "lognormal", "--sigma", "1e999"], ["--sigma", "1e999"]),
    (["summarize", "lognormal", "--mu", "0x10"], ["--mu", "0x10"]),
    (["summarize", "lognormal", "--sigma", "-1"], ["--sigma", "-1", "positive"]),
    (["sample", "lognormal", "--sigma", "-1"], ["--sigma", "-1"]),
    (["summarize", "beta", "--alpha", "2", "--beta", "0"], ["--beta", "0"]),
    (["summarize", "gamma", "--rate", "1"], ["--concentration"]),
    (["sample", "lognormal", "-n", "0"], ["--draws", "0"]),
    (["sample", "lognormal", "-n", "-5"], ["--draws", "-5"]),
    (["summarize", "lognormal", "--quantiles", "0.5,1.5"], ["--quantiles", "1.5"]),
    (["summarize", "lognormal", "--quantiles", "0,0.5"], ["--quantiles", "0"]),
    (["summarize", "lognormal", "--quantiles", "0.1,,0.5"], ["--quantiles"]),
    (["summarize", "lognormal", "--transform", "cube"], ["--transform", "cube"]),
    (["summarize", "normal", "--transform", "affine:1"], ["affine:1", "LOC,SCALE"]),
    (["summarize", "normal", "--transform", "bounds:5,2"], ["bounds:5,2"]),
    (["summarize", "normal", "--transform", "reciprocal"], ["reciprocal", "positive"]),
    (["sample", "lognormal", "--format", "xml"], ["--format", "xml"]),
    (["sample", "lognormal", "--bins", "0"], ["--bins", "0"]),
    (["summarize", "beta", "--alpha", "2", "--concentration1", "3", "--beta", "1"], ["--alpha", "--concentration1"]),
    (["summarize", "uniform", "--low", "2", "--high", "1"], ["--low", "--high"]),
    (["summarize", "dirichlet", "--concentration", "1,-2,3"], ["--concentration"]),
    (["summarize", "lognormal", "--mu"], ["--mu"]),
    (["summarize", "lognormal", "--mu", ""], ["--mu"]),
    (["sample", "lognormal", "--output", "draws.txt"], ["--output", "draws.txt"]),
    (["info", "notafamily"], ["notafamily"]),
    (["sample", "lognormal", "--mu", "--sigma", "1"], ["--mu", "needs a value"]),
    (["sample", "lognormal", "--seed", "99999999999999999999"], ["--seed"]),
    (["summarize", "geometric", "--probs", "0"], ["--probs", "0"]),
    (["sample", "betaproportion", "--mean", "0", "--concentration", "5"], ["--mean", "0"]),
    (["summarize", "betaproportion", "--mean", "1", "--concentration", "5"], ["--mean", "1"]),
    (["sample", "lognormal", "-n", "abc"], ["--draws"]),
    (["sample", "lognormal", "-n", "2.5"], ["--draws"]),
]


@pytest.mark.parametrize("argv,needles", USAGE_ERRORS, ids=[" ".join(a) for a, _ in USAGE_ERRORS])
def test_usage_errors(run, argv, needles):
    assert_usage_error(run(*argv), *needles)


def test_debug_env_shows_traceback(run, monkeypatch):
    monkeypatch.setenv("PRIORCLI_DEBUG", "1")
    result = run("summarize", "lognormal", "--sigma", "-1")
    assert result.exit_code != 0
    assert result.exception is not None


def test_version(run):
    from priorcli import __version__

    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"priorcli {__version__}\n"


def test_bare_command_prints_help(run):
    result = run()
    assert result.exit_code == 0 and "Commands" in result.stdout and result.stderr == ""


def test_bad_columns_falls_back(run, monkeypatch):
    monkeypatch.setenv("COLUMNS", "abc")
    assert run("summarize", "normal").exit_code == 0


def test_help_does_not_fail(run):
    result = run("--help")
    assert result.exit_code == 0
    assert "sample" in result.stdout and "solve" in result.stdout
