"""Issue 19's hostile-input audit as a regression corpus: malformed invocations, each refused with
the documented exit code and exactly one `Error:` line (naming what was wrong), no traceback.

Every item of the issue that has a usage or input error is here. Cases run in-process (CliRunner through the app); closed streams and pipes, which
only a real process shows, are in test_trust_edge.py."""

from __future__ import annotations

import pytest

from conftest import assert_usage_error

MISSING = "/nonexistent/priorcli-audit/draws.csv"

# (category, argv, exit code, words the one Error line must contain)
CORPUS = [
    # bad family names
    ("family", ["sample", "lognrmal"], 2, ["lognrmal", "LogNormal"]),
    ("family", ["summarize", "notafamily", "--loc", "0"], 2, ["notafamily"]),
    ("family", ["solve", "gammma", "--mean", "2", "--sd", "1"], 2, ["gammma"]),
    ("family", ["info", "xyz"], 2, ["xyz"]),
    ("family", ["sample", "Normal(0,"], 2, []),
    ("family", ["compare", "Nrmal(0, 1)"], 2, ["Nrmal"]),
    # bad values
    ("value", ["summarize", "normal", "--loc", "abc"], 2, ["--loc", "abc"]),
    ("value", ["summarize", "normal", "--loc", "1,2"], 2, ["--loc"]),
    ("value", ["summarize", "normal", "--loc", "0x1p3"], 2, ["--loc"]),
    ("value", ["summarize", "normal", "--loc", ""], 2, ["--loc"]),
    ("value", ["sample", "normal", "-n", "0"], 2, ["--draws", "0"]),
    ("value", ["sample", "normal", "-n", "-1"], 2, ["--draws"]),
    ("value", ["sample", "normal", "-n", "ten"], 2, ["--draws", "ten"]),
    ("value", ["sample", "normal", "--seed", "x"], 2, ["--seed"]),
    ("value", ["sample", "normal", "--bins", "0"], 2, ["--bins", "0"]),
    ("value", ["sample", "normal", "--bins", "many"], 2, ["--bins"]),
    ("value", ["summarize", "poisson", "--rate", "-2"], 2, ["--rate", "-2"]),
    ("value", ["summarize", "binomial", "--total-count", "2.5", "--probs", "0.5"], 2, ["2.5", "integer"]),
    ("value", ["summarize", "dirichlet", "--concentration", "1,-2"], 2, ["--concentration"]),
    ("value", ["summarize", "uniform", "--low", "3", "--high", "1"], 2, ["--low", "--high"]),
    # nan / inf
    ("nonfinite", ["summarize", "normal", "--loc", "nan"], 2, ["--loc", "nan"]),
    ("nonfinite", ["summarize", "normal", "--scale", "inf"], 2, ["--scale", "inf"]),
    ("nonfinite", ["summarize", "normal", "--loc", "1e999"], 2, ["--loc", "1e999"]),
    ("nonfinite", ["sample", "lognormal", "--mu", "-inf"], 2, ["--mu", "-inf", "finite"]),
    ("nonfinite", ["sample", "lognormal", "--mu", "-nan"], 2, ["--mu", "-nan"]),
    ("nonfinite", ["sample", "normal", "--mu", "-Infinity", "-n", "10"], 2, ["--mu", "-Infinity"]),
    ("nonfinite", ["solve", "normal", "--mean", "nan", "--sd", "1"], 2, ["--mean", "nan"]),
    ("nonfinite", ["solve", "normal", "--lower", "-inf", "--upper", "3", "--mass", "0.9"], 2, ["--lower", "-inf"]),
    ("nonfinite", ["solve", "normal", "--quantile", "0.5=-inf", "--sd", "1"], 2, ["--quantile", "-inf"]),
    # negative scales
    ("negative", ["summarize", "normal", "--scale", "-1"], 2, ["--scale", "-1"]),
    ("negative", ["sample", "lognormal", "--sigma", "-0.5"], 2, ["--sigma", "-0.5"]),
    ("negative", ["summarize", "gamma", "--alpha", "2", "--beta", "-1"], 2, ["--beta", "-1"]),
    ("negative", ["summarize", "halfcauchy", "--scale", "0"], 2, ["--scale", "0"]),
    ("negative", ["solve", "normal", "--mean", "0", "--sd", "-1"], 2, ["sd=-1", "positive"]),
    ("negative", ["solve", "lognormal", "--mode", "-1", "--sigma", "0.5"], 2, ["mode=-1", "support"]),
    # probabilities out of range
    ("probability", ["summarize", "bernoulli", "--probs", "1.5"], 2, ["--probs", "1.5"]),
    ("probability", ["summarize", "geometric", "--probs", "0"], 2, ["--probs", "0"]),
    ("probability", ["summarize", "binomial", "--total-count", "10", "--probs", "-0.1"], 2, ["--probs", "-0.1"]),
    ("probability", ["solve", "normal", "--quantile", "1.5=2", "--sd", "1"], 2, ["--quantile", "1.5"]),
    ("probability", ["solve", "normal", "--quantile", "-0.1=2", "--sd", "1"], 2, ["--quantile"]),
    ("probability", ["solve", "normal", "--lower", "-1", "--upper", "1", "--mass", "1.2"], 2, ["--mass", "1.2"]),
    ("probability", ["summarize", "betaproportion", "--mean", "1", "--concentration", "5"], 2, ["--mean", "1"]),
    # unknown options
    ("unknown", ["sample", "lognormal", "--mux", "0"], 2, ["--mux", "--mu"]),
    ("unknown", ["summarize", "gamma", "--alpha", "2", "--gamma", "1"], 2, ["--gamma"]),
    ("unknown", ["solve", "normal", "--modee", "1"], 2, ["--modee"]),
    ("unknown", ["compare", "Normal(0, 1)", "--frobnicate"], 2, ["--frobnicate"]),
    ("unknown", ["list", "--verbose"], 2, ["--verbose"]),
    ("unknown", ["frobnicate"], 2, ["frobnicate"]),
    ("unknown", ["sample", "lognormal", "stray"], 2, ["stray"]),
    ("unknown", ["sample", "lognormal", "--mu", "0", "--mu", "1"], 2, ["--mu", "twice"]),
    ("unknown", ["sample", "lognormal", "--mu", "--sigma", "1"], 2, ["--mu", "needs a value"]),
    # missing required parameters
    ("missing", ["summarize", "gamma", "--rate", "1"], 2, ["--concentration"]),
    ("missing", ["summarize", "beta", "--alpha", "2"], 2, ["--concentration0"]),
    ("missing", ["sample"], 2, ["FAMILY", "--model"]),
    ("missing", ["summarize"], 2, ["FAMILY", "--input"]),
    ("missing", ["info"], 2, []),
    ("missing", ["compare"], 2, []),
    # bad --quantiles / --range / --tail / --format
    ("quantiles", ["summarize", "normal", "--quantiles", "0.5,1.5"], 2, ["--quantiles", "1.5"]),
    ("quantiles", ["summarize", "normal", "--quantiles", "0"], 2, ["--quantiles", "0"]),
    ("quantiles", ["summarize", "normal", "--quantiles", "a,b"], 2, ["--quantiles"]),
    ("quantiles", ["summarize", "normal", "--quantiles", ""], 2, ["--quantiles"]),
    ("quantiles", ["summarize", "normal", "--quantiles", "nan"], 2, ["--quantiles"]),
    ("range", ["sample", "normal", "--range", "5,1"], 2, ["--range"]),
    ("range", ["sample", "normal", "--range", "1"], 2, ["--range"]),
    ("range", ["sample", "normal", "--range", "a,b"], 2, ["--range"]),
    ("range", ["sample", "normal", "--range", "-inf,5"], 2, ["--range", "finite"]),
    ("range", ["sample", "normal", "--range", "0,nan"], 2, ["--range"]),
    ("tail", ["sample", "normal", "--tail", "0.7"], 2, ["--tail", "0.7"]),
    ("tail", ["sample", "normal", "--tail", "-0.1"], 2, ["--tail", "-0.1"]),
    ("tail", ["sample", "normal", "--tail", "x"], 2, ["--tail"]),
    ("format", ["sample", "normal", "--format", "xml"], 2, ["--format", "xml"]),
    ("format", ["summarize", "normal", "--format", ""], 2, ["--format"]),
    ("format", ["solve", "normal", "--mean", "0", "--sd", "1", "--format", "yaml"], 2, ["--format", "yaml"]),
    ("format", ["list", "--format", "html"], 2, ["--format", "html"]),
    # bad --transform names
    ("transform", ["summarize", "normal", "--transform", "cube"], 2, ["--transform", "cube"]),
    ("transform", ["summarize", "normal", "--transform", ""], 2, ["--transform"]),
    ("transform", ["summarize", "normal", "--transform", "affine:1"], 2, ["affine:1"]),
    ("transform", ["summarize", "normal", "--transform", "affine:a,b"], 2, ["--transform affine", "'a'"]),
    ("transform", ["summarize", "normal", "--transform", "bounds:5,2"], 2, ["bounds:5,2"]),
    ("transform", ["summarize", "normal", "--transform", "power:x"], 2, ["--transform power", "'x'"]),
    ("transform", ["summarize", "normal", "--transform", "lower:nan"], 2, ["--transform lower", "nan"]),
    # model syntax errors
    ("model", ["sample", "--model", "x ~ Normal(0, 1"], 2, ["line 1", "never closed"]),
    ("model", ["sample", "--model", "x ~ Nrmal(0, 1)"], 2, ["Nrmal"]),
    ("model", ["sample", "--model", "x ~ Normal(0, y)"], 2, ["y"]),
    ("model", ["sample", "--model", "x ~ Normal(0, 1); x ~ Normal(1, 1)"], 2, ["x"]),
    ("model", ["sample", "--model", "import os"], 1, ["--model", "cannot read"]),  # no ~ or =: a path
    ("model", ["sample", "--model", "x ~ __import__('os')"], 2, []),
    ("model", ["sample", "--model", "x ~ Normal(0, 1)", "--show", "nope"], 2, ["nope"]),
    ("model", ["sample", "--model", "x ~ Normal(0, 1)", "lognormal"], 2, ["--model"]),
    ("model", ["sample", "--emit", "numpyro"], 2, ["--emit", "--model"]),
    ("model", ["sample", "--model", "x ~ Normal(0, 1)", "--emit", "julia"], 2, ["julia"]),
    # unreadable input files
    ("input", ["summarize", "--input", MISSING], 1, [MISSING]),
    ("input", ["sample", "--model", "/nonexistent/priorcli-audit/model.txt"], 1, ["--model"]),
    ("input", ["summarize", "--input", "draws.xyz_unknown"], 1, []),
    # explore (validated before the terminal check)
    ("explore", ["explore", "--roulette", "--range", "0,1e308"], 2, ["--range"]),
    ("explore", ["explore", "--roulette", "--range", "0,1e-300"], 2, ["--range"]),
    ("explore", ["explore", "--roulette", "--range", "0,10", "--bins", "100000"], 2, ["--bins", "100000"]),
    ("explore", ["explore", "--roulette", "--range", "0,10", "--bins", "0"], 2, ["--bins", "0"]),
    ("explore", ["explore", "--roulette"], 2, ["--range"]),
    ("explore", ["explore", "--roulette", "--range", "3,1"], 2, ["--range", "LO < HI"]),
    ("explore", ["explore", "--bins", "5"], 2, ["--bins", "--roulette"]),
    ("explore", ["explore", "lognrml"], 2, ["lognrml"]),
    ("explore", ["explore", "gamma", "--rate", "-1"], 2, ["--rate", "-1"]),
    ("explore", ["explore", "lognormal", "--mu", "-inf"], 2, ["--mu", "-inf"]),
    ("explore", ["explore", "beta", "--mean", "0.3", "--count", "10"], 2, ["explore needs a terminal"]),
    # the rest of issue 19's audit (hangs refused at once, numbers beyond float64, --output faults)
    ("hang", ["summarize", "poisson", "--rate", "1e16"], 2, ["2^53"]),
    ("hang", ["sample", "normal", "--bins", "1000000000"], 2, ["--bins", "1000000000"]),
    ("hang", ["summarize", "--input", MISSING, "--bins", "0"], 2, ["--bins"]),
    ("hang", ["sample", "normal", "-n", "99999999999999999999"], 2, ["--draws"]),
    ("hang", ["sample", "normal", "-n", "1e19"], 2, ["--draws"]),
    ("hang", ["sample", "normal", "-n", "1.5"], 2, ["--draws"]),
    ("hang", ["sample", "dirichlet", "--concentration", ",".join(["1"] * 5000)], 2, ["--draws", "5000"]),
    ("number", ["summarize", "binomial", "--total-count", "1e30"], 2, ["2^53"]),
    ("number", ["summarize", "negativebinomial2", "--mean", "1e17", "--concentration", "2"], 2, ["2^53"]),
    ("number", ["sample", "lognormal", "--mu", "1000"], 1, ["float64"]),
    ("number", ["summarize", "lognormal", "--mu", "-1000"], 1, ["float64"]),
    ("number", ["sample", "lognormal", "--mu", "-inf"], 2, ["--mu", "-inf"]),
    ("model", ["sample", "--model", "u ~ Uniform(0, 1); x = erf(u)"], 2, ["erf", "unknown function"]),
    ("model", ["sample", "--model", "k ~ Gamma(2, 0.2); t ~ Dirichlet(concentration=k * 1)"], 2,
     ["concentration", "vector"]),
    ("model", ["sample", "--model", "t ~ Dirichlet(1, 1, 1)"], 2, ["Dirichlet"]),
    ("solve", ["solve", "pareto", "--scale", "2", "--median", "1"], 2, ["median"]),
    ("output", ["sample", "normal", "--output", "/", "--force"], 2, ["--output"]),
    ("output", ["sample", "normal", "--output", "/nonexistent/priorcli-audit/d.csv"], 1, ["--output"]),
    ("output", ["sample", "normal", "--output", "d.txt"], 2, ["--output", ".csv"]),
    # completion: no shell named that Typer has a script for
    ("completion", ["--install-completion", "tcsh"], 2, ["--install-completion", "tcsh", "bash"]),
]


@pytest.mark.parametrize("category,argv,code,needles", CORPUS,
                         ids=[f"{c}: {' '.join(a)}" for c, a, _, _ in CORPUS])
def test_malformed_invocation_is_one_error_line(run, category, argv, code, needles):
    assert_usage_error(run(*argv), *needles, code=code)
