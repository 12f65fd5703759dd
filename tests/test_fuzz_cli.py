"""Property test: random argument lists built from the real option names and junk values never
produce a traceback, always exit 0, 1 or 2, and with --format json print one JSON document."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

COMMANDS = ["sample", "summarize", "solve"]
FAMILIES = ["lognormal", "normal", "gamma", "beta", "halfcauchy", "studentt", "dirichlet", "poisson",
            "uniform", "weibull", "binomial", "vonmises", "geometric", "betaproportion", "betabinomial",
            "lognorml", "", "0"]
OPTIONS = ["--probs", "--total_count", "--mu", "--sigma", "--loc", "--scale", "--alpha", "--beta", "--concentration", "--rate", "--df",
           "--low", "--high", "--mode", "--median", "--mean", "--sd", "--quantile", "--lower", "--upper",
           "--mass", "--count", "--transform", "--quantiles", "--bins", "--seed", "-n", "--format", "--log-x",
           "--no-plot", "--linear", "--range", "--tail", "--nonsense"]
JUNK = ["0", "1", "-1", "0.5", "2", "1e999", "nan", "inf", "-inf", "0x10", "", "abc", "1,2,3", "0.3,0.7",
        "0.5=1", "0.95=10", "exp", "softplus", "bounds:5,2", "affine:1", "power:0", "json", "raw", "csv",
        "table", "0.1,0.9", "1e-300", "3", "--", "-", "1.5"]


# Plausible pairs, so that a good share of the examples gets past parsing into the numerics.
PLAUSIBLE = [("--mu", "0"), ("--sigma", "1"), ("--alpha", "2"), ("--beta", "3"), ("--rate", "1.5"),
             ("--concentration", "2"), ("--transform", "exp"), ("--transform", "softplus"), ("--mode", "1"),
             ("--sd", "0.5"), ("--mean", "2"), ("--quantiles", "0.1,0.9"), ("--bins", "5"), ("--seed", "3"),
             ("--log-x", ""), ("--no-plot", ""), ("--median", "1"), ("--quantile", "0.9=3"),
             ("--linear", ""), ("--range", "0.1,5"), ("--range", "-2,2"), ("--tail", "0.01"),
             ("--probs", "0.3"), ("--probs", "0"), ("--probs", "1"), ("--total_count", "10"),
             ("--concentration", "0.5,0.5"), ("--transform", "reciprocal"), ("--transform", "affine:0,-1")]


def _argv():
    junk = st.tuples(st.sampled_from(OPTIONS), st.sampled_from(JUNK))
    pair = st.one_of(st.sampled_from(PLAUSIBLE), st.sampled_from(PLAUSIBLE), junk)
    return st.tuples(
        st.sampled_from(COMMANDS),
        st.sampled_from(FAMILIES),
        st.lists(pair, max_size=4),
        st.booleans(),
    )


@pytest.mark.slow
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_argv())
def test_cli_never_crashes(run, case):
    command, family, pairs, as_json = case
    argv = [command] + ([family] if family else [])
    for option, value in pairs:
        argv += [option] if option in ("--log-x", "--no-plot", "--linear") else [option, value]
    if command == "sample" and "-n" not in argv:
        argv += ["-n", "200"]  # keep each example fast
    if as_json:
        argv += ["--format", "json"]
    result = run(*argv)
    text = result.stdout + result.stderr
    assert "Traceback" not in text, (argv, text)
    assert "internal error" not in result.stderr, (argv, result.stderr)  # a crash caught at the edge
    assert result.exit_code in (0, 1, 2), (argv, result.exit_code, text)
    if result.exit_code != 0:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), (argv, result.stderr)
    else:
        formats = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--format"]
        if formats and formats[-1] == "json":  # the last --format wins
            json.loads(result.stdout)
