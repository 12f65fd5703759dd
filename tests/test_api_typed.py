"""Issue 20 item 3: the solver returns numbers, the emitters build the code lines from them, and the
Python API hands the parser Python numbers (never text it reads back).

Oracles: the command line's JSON (the same request typed as text), numpyro's own distributions
(the numpyro line evaluated), the framework table's formulas worked by hand (Stan's and PyMC's
lines), and scipy.stats for what the typed keywords solve for.
"""

from __future__ import annotations

import ast
import dataclasses
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats
from typer.testing import CliRunner

import priorcli
from priorcli.cli import app
from priorcli.emit.lines import Solved, numpyro_line, pymc_line, solved, stan_line
from priorcli.errors import PriorError, UsageError
from priorcli.families import registry
from priorcli.families.targets import Targets
from priorcli.solving import Solution, Underdetermined, solve as solver

SIG6 = 5e-6  # a code line's numbers have 6 significant digits: relative error at most half a unit in the 6th


def _cli_json(*args) -> dict:
    import json

    result = CliRunner().invoke(app, ["solve", *[str(a) for a in args], "--format", "json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _close(a, b, rel=1e-12) -> bool:
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_close(x, y, rel) for x, y in zip(a, b))
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)


def _assert_same_numbers(result, doc) -> None:
    assert doc["family"] == result.family
    assert doc["params"].keys() == result.params.keys()
    for key in ("params", "targets", "achieved"):
        for name, value in getattr(result, key).items():
            assert _close(value, doc[key][name]), (key, name, value, doc[key][name])


# ---------------------------------------------------------------------------------------------
# priorcli.solve == priorcli solve --format json


@pytest.mark.parametrize(
    "family, kwargs, tokens",
    [
        ("lognormal", dict(mode=1.3, sd=0.7), ["--mode", "1.3", "--sd", "0.7"]),
        ("gamma", dict(quantiles={0.05: 1.0, 0.95: 10.0}), ["--quantile", "0.05=1", "--quantile", "0.95=10"]),
        ("beta", dict(mean=0.3, count=10), ["--mean", "0.3", "--count", "10"]),
        ("normal", dict(quantiles=[(0.1, 0.0), (0.5, 1.0), (0.9, 3.0)]),
         ["--quantile", "0.1=0", "--quantile", "0.5=1", "--quantile", "0.9=3"]),
        ("gamma", dict(lower=1, upper=10, mass=0.9), ["--lower", "1", "--upper", "10", "--mass", "0.9"]),
        ("dirichlet", dict(mean=(0.2, 0.3, 0.5), count=10), ["--mean", "0.2,0.3,0.5", "--count", "10"]),
        ("studentt", dict(df=3, mode=1, sd=2), ["--df", "3", "--mode", "1", "--sd", "2"]),
        ("negativebinomialprobs", dict(total_count=5, mean=3), ["--total-count", "5", "--mean", "3"]),
    ],
)
def test_solve_gives_the_command_lines_numbers_and_lines(family, kwargs, tokens):
    result = priorcli.solve(family, **kwargs)
    doc = _cli_json(family, *tokens)
    _assert_same_numbers(result, doc)
    assert result.method == doc["method"] and list(result.notes) == doc["notes"]
    assert (result.numpyro_code, result.stan_code, result.pymc_code) == (doc["numpyro"], doc["stan"], doc["pymc"])


def test_underdetermined_rows_are_the_command_lines_numbers():
    result = priorcli.solve("gamma", mean=2.0)
    doc = _cli_json("gamma", "--mean", "2")
    assert isinstance(result, Underdetermined) and doc["underdetermined"] is True
    assert result.relation == doc["relation"]
    assert len(result.solutions) == len(doc["solutions"]) >= 3
    for row, shown in zip(result.solutions, doc["solutions"]):
        assert all(_close(v, shown["params"][k]) for k, v in row["params"].items())
        p = row["params"]  # every row meets the target, by scipy
        assert stats.gamma(p["concentration"], scale=1 / p["rate"]).mean() == pytest.approx(2.0, rel=1e-6)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mode=st.floats(1e-3, 1e3), sd=st.floats(1e-2, 1e2))
def test_typed_and_text_requests_meet_in_the_same_numbers(mode, sd):
    # repr(float) is the command line's exact spelling of the float: both roads must give one answer
    try:
        result = priorcli.solve("lognormal", mode=mode, sd=sd)
    except PriorError:
        return  # a combination the solver refuses is refused on both roads (tested elsewhere)
    doc = _cli_json("lognormal", "--mode", repr(mode), "--sd", repr(sd))
    _assert_same_numbers(result, doc)
    d = stats.lognorm(result.params["scale"], scale=math.exp(result.params["loc"]))
    assert d.std() == pytest.approx(sd, rel=1e-6)


# ---------------------------------------------------------------------------------------------
# the API never writes a number out as text to read it back


def test_keywords_reach_the_parser_as_numbers(monkeypatch):
    def refuse(text, argument):
        raise AssertionError(f"{argument} {text!r} was read from text")

    monkeypatch.setattr(registry, "parse_number", refuse)
    r = priorcli.solve("gamma", mean=2, sd=1, quantiles={0.5: 1.8})  # quantile and targets: numbers
    assert r.targets == {"mean": 2.0, "sd": 1.0, "q0.5": 1.8}
    r = priorcli.solve("lognormal", mode=np.float64(1.0), sigma=0.5)
    assert r.params == {"loc": 0.25, "scale": 0.5}
    d = priorcli.solve("dirichlet", mean=np.array([0.2, 0.3, 0.5]), count=10)
    assert d.params["concentration"] == pytest.approx((2.0, 3.0, 5.0), rel=1e-15)
    # a string keyword is the command line's text, and is read as such
    with pytest.raises(AssertionError, match="read from text"):
        priorcli.solve("gamma", mean="2", sd=1)


def test_the_command_line_reads_its_text_once(monkeypatch):
    seen = []
    real = registry.parse_number

    def spy(text, argument):
        seen.append((argument, text))
        return real(text, argument)

    monkeypatch.setattr(registry, "parse_number", spy)
    _cli_json("gamma", "--mean", "2", "--sd", "1")
    assert seen == [("--mean", "2"), ("--sd", "1")]


def test_a_keyword_keeps_every_bit_of_its_float():
    x = math.nextafter(2.0, 3.0)  # 2 + 2^-51
    r = priorcli.solve("normal", mean=x, scale=1.0)
    assert r.targets["mean"] == x and r.params["loc"] == x


@pytest.mark.parametrize(
    "kwargs, needles",
    [
        (dict(mode=math.nan, sd=1), ["--mode must be a finite number, got 'nan'"]),
        (dict(mode=math.inf, sd=1), ["--mode", "'inf'"]),
        (dict(mode=1, sd=[1, 2]), ["--sd", "not a number"]),
        (dict(mode=1, sd=None), ["--sd=None is not a number"]),
        (dict(lower=1, upper=2, mass=1.5), ["--mass must be a probability strictly between 0 and 1, got '1.5'"]),
        (dict(quantile=(1.2, 3.0)), ["--quantile", "'1.2'"]),
        (dict(quantile=(0.5, "abc")), ["--quantile must be a number, got 'abc'"]),
        (dict(quantiles={0.5: 1.0}, mode=True), ["mode=True"]),
        (dict(scale=-1, mode=1), ["--scale -1 is outside its constraint"]),
    ],
)
def test_typed_keywords_are_refused_with_the_command_lines_messages(kwargs, needles):
    with pytest.raises(UsageError) as info:
        priorcli.solve("lognormal", **kwargs)
    message = str(info.value)
    assert "\n" not in message
    for needle in needles:
        assert needle in message, message


def test_levels_are_typed_too():
    with pytest.raises(UsageError, match="levels must be a probability strictly between 0 and 1, got '1.5'"):
        priorcli.summarize("normal", levels=[0.5, 1.5])
    s = priorcli.summarize("normal", levels=(np.float64(0.1),))
    assert s.quantiles[0.1] == pytest.approx(stats.norm.ppf(0.1), rel=1e-12)


# ---------------------------------------------------------------------------------------------
# the solver returns numbers; the lines are built from them


def test_the_solver_returns_numbers_and_structure_only():
    raw = solver("HalfNormal", Targets(median=1.0), {})
    assert type(raw) is Solution
    assert not any(hasattr(raw, name) for name in ("numpyro_code", "stan_code", "pymc_code", "numpyro", "stan"))
    assert all(f.name not in ("numpyro", "stan", "pymc") for f in dataclasses.fields(Solution))
    assert not any("Stan" in n for n in raw.notes)
    coded = solved(raw)
    assert isinstance(coded, Solved) and isinstance(coded, Solution)
    assert coded.params == raw.params and coded.achieved == raw.achieved
    assert coded.notes == raw.notes + ("Stan: declare the parameter with <lower=0> to get the half distribution",)
    assert solved(coded) is coded
    under = solver("LogNormal", Targets(mode=1.0), {})
    assert solved(under) is under


def _sig6(x: float) -> float:
    return float(f"{x:.6g}")


def _eval_numpyro(line: str):
    import jax.numpy as jnp
    import numpyro
    import numpyro.distributions as dist

    numpyro.enable_x64()  # as priorcli runs numpyro: the line's numbers compared as written, not as float32

    tree = ast.parse(line, mode="eval")  # only a call of dist.Family with numbers (and jnp.array)
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    assert names <= {"dist", "jnp"}, names
    return eval(compile(tree, "<numpyro line>", "eval"), {"__builtins__": {}, "dist": dist, "jnp": jnp})  # noqa: S307


def _call_numbers(line: str) -> tuple[str, list[float], dict[str, float]]:
    """``name(a, b)`` or ``pm.Name("x", k=v)`` -> (name, positional numbers, keyword numbers)."""
    call = ast.parse(line.replace("]'", "]"), mode="eval").body
    assert isinstance(call, ast.Call)
    name = call.func.attr if isinstance(call.func, ast.Attribute) else call.func.id
    args = [ast.literal_eval(a) for a in call.args if not (isinstance(a, ast.Constant) and isinstance(a.value, str))]
    return name, args, {k.arg: ast.literal_eval(k.value) for k in call.keywords}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mode=st.floats(1e-3, 1e3), sigma=st.floats(0.05, 3.0))
def test_the_lognormal_lines_are_its_numbers(mode, sigma):
    r = priorcli.solve("lognormal", mode=mode, sigma=sigma)
    loc, scale = r.params["loc"], r.params["scale"]
    assert loc == pytest.approx(math.log(mode) + sigma**2, rel=1e-12, abs=1e-12) and scale == sigma
    d = _eval_numpyro(r.numpyro_code)
    assert type(d).__name__ == "LogNormal"
    assert (float(d.loc), float(d.scale)) == (_sig6(loc), _sig6(scale))
    assert float(d.loc) == pytest.approx(loc, rel=SIG6, abs=1e-300) and float(d.scale) == pytest.approx(scale, rel=SIG6)
    assert _call_numbers(r.stan_code) == ("lognormal", [_sig6(loc), _sig6(scale)], {})
    assert _call_numbers(r.pymc_code) == ("LogNormal", [], {"mu": _sig6(loc), "sigma": _sig6(scale)})


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weights=st.lists(st.floats(0.05, 1.0), min_size=2, max_size=5), count=st.floats(0.5, 200.0))
def test_the_dirichlet_line_is_its_numbers(weights, count):
    total = math.fsum(weights)
    mean = [w / total for w in weights]
    mean[-1] = 1.0 - math.fsum(mean[:-1])  # a simplex to the last bit
    r = priorcli.solve("dirichlet", mean=tuple(mean), count=count)
    conc = r.params["concentration"]
    assert conc == pytest.approx([count * m for m in mean], rel=1e-12)
    d = _eval_numpyro(r.numpyro_code)
    assert [float(c) for c in d.concentration] == [_sig6(c) for c in conc]
    assert _call_numbers(r.stan_code) == ("dirichlet", [[_sig6(c) for c in conc]], {})


def test_table_expressions_are_worked_from_the_numbers():
    # the framework table spells some arguments as formulas of numpyro's parameters
    r = priorcli.solve("negativebinomialprobs", total_count=5, mean=3)
    probs = r.params["probs"]
    assert stats.nbinom(5, 1 - probs).mean() == pytest.approx(3.0, rel=1e-9)  # numpyro's probs: of success
    assert _call_numbers(r.stan_code) == ("neg_binomial", [_sig6(5.0), _sig6(1 / probs - 1)], {})
    assert _call_numbers(r.pymc_code) == ("NegativeBinomial", [], {"n": _sig6(5.0), "p": _sig6(1 - probs)})
    c, rate = 2.5, 0.7  # GammaPoisson (no solve for it): the emitter alone
    line = pymc_line("GammaPoisson", {"concentration": c, "rate": rate})
    assert _call_numbers(line) == ("NegativeBinomial", [], {"mu": _sig6(c / rate), "alpha": _sig6(c)})


@settings(max_examples=40, deadline=None)
@given(params=st.dictionaries(st.sampled_from(["loc", "scale"]), st.floats(-1e6, 1e6, allow_nan=False), min_size=2))
def test_a_line_round_trips_to_six_significant_digits(params):
    _, args, _ = _call_numbers(stan_line("Normal", params)[0])
    assert args == [_sig6(params["loc"]), _sig6(params["scale"])]
    _, _, kwargs = _call_numbers(pymc_line("Normal", params))
    assert kwargs == {"mu": _sig6(params["loc"]), "sigma": _sig6(params["scale"])}
    _, _, kwargs = _call_numbers(numpyro_line("Normal", params))
    assert kwargs == {k: _sig6(v) for k, v in params.items()}
    for v in params.values():
        assert abs(_sig6(v) - v) <= SIG6 * abs(v)
