"""The solved distribution as text (brief item 2): an emitted program's header and its code show the
numbers a quoted solve or ``solve --model`` found, folded where an expression became a number
(``Mixture([w, 1 - w], ...)`` -> ``Mixture([0.31, 0.69], ...)``), at full precision, written from the
tree (priorcli.model.written) and parsing back to the same tree."""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass, replace

import pytest

from conftest import Run
from priorcli.model import free, written
from priorcli.model import parse as lang
from priorcli.model.numpyro import is_family
from priorcli.model.tree import DistExpr, Statement


def _untexted(obj):
    """The tree without its text fields (what the parser keeps for messages)."""
    if isinstance(obj, tuple):
        return tuple(_untexted(o) for o in obj)
    if not is_dataclass(obj) or isinstance(obj, type):
        return obj
    changes = {f.name: _untexted(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, (DistExpr, Statement)):
        changes["text"] = ""
    return replace(obj, **changes)


ROUND_TRIP = [
    "x ~ Mixture([0.3, 0.7], [Normal(0, 1), Normal(3, 0.5)])",
    "x ~ exp(truncated(Normal(-0.25, 1.5), low=-1))",
    "x ~ truncated(Gamma(2.5, 1), low=1, high=7.25)",
    "x ~ affine(softplus(Normal(0, 1)), -2, 0.125)",
    "x ~ LogNormal(mode=1.5, sigma=0.5)",
    "a ~ Normal(0, 1)\ny = (-0.5) ** 2 + a ** -0.5 - -a * (a - 1) / (2 - a)",
    "a ~ Normal(0, 1)\ny = (a < 1) + (a >= -2) * 3 + exp(-a) ** 2",
    "x ~ Beta(mean=sigmoid(0.2), count=20)",
    "x ~ bounds(Normal(0, 1), -1, 3.5)",
    "x ~ Mixture([0.25, 0.75], [Gamma(2, 1), LogNormal(0, 1)])",
]


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_written_text_parses_back_to_the_same_tree(text):
    model = lang.parse_model(text, is_family)
    again = lang.parse_model("\n".join(written.statement_text(s) for s in model.statements), is_family)
    assert _untexted(again) == _untexted(model)


def test_numbers_are_written_at_full_precision():
    assert written.number(0.1 + 0.2) == "0.30000000000000004"
    assert written.number(2.0) == "2" and written.number(-3.0) == "-3"
    assert written.number(1e300) == "1e+300" and written.number(-0.0) == "-0.0"
    assert float(written.number(2.653836842975229)) == 2.653836842975229


def _quoted_model(text: str):
    names = free.free_names(text)
    return lang.parse_model(text, is_family, data=free.as_data(names))


def test_substitute_folds_what_became_a_number():
    model = _quoted_model("x ~ Mixture([w, 1 - w], [Normal(0, 1), Normal(m, s * 2)])")
    filled = free.substitute(model, {"w": 0.31, "m": -1.25, "s": 0.3})
    assert filled.statements[0].text == (f"x ~ Mixture([0.31, {1 - 0.31!r}], [Normal(0, 1), "
                                         f"Normal(-1.25, {0.3 * 2!r})])")
    assert filled.data == ()
    # the folded tree is what the text parses to: numbers where the names and sums were
    again = lang.parse_model(filled.statements[0].text, is_family)
    assert _untexted(again) == _untexted(filled)


def test_substitute_keeps_statements_without_free_names_as_written():
    model = _quoted_model("a ~ Normal(0,   1)\nb ~ Normal(a * k, 1)")
    filled = free.substitute(model, {"k": 2.5})
    assert filled.statements[0].text == model.statements[0].text
    assert filled.statements[1].text == "b ~ Normal(a * 2.5, 1)"


def test_a_negative_number_keeps_its_meaning_under_a_power():
    model = _quoted_model("a ~ Normal(0, 1)\ny = c ** a + a ** c + c ** 2")
    filled = free.substitute(model, {"c": -0.5})
    assert filled.statements[1].text == "y = (-0.5) ** a + a ** -0.5 + 0.25"
    from priorcli.model.source import expr_to_source

    assert expr_to_source(filled.statements[1].expr) == "(-0.5) ** a + a ** -0.5 + 0.25"


M = "Mixture([w, 1 - w], [Normal(0, 1), Normal(m, 0.5)])"


def _header(program: str, comment: str) -> str:
    lines = program.splitlines()
    return lines[lines.index(next(line for line in lines if "from the model:" in line)) + 1].removeprefix(comment).strip()


@pytest.mark.slow
@pytest.mark.parametrize("target, comment", [("numpyro", "#"), ("stan", "//"), ("stan-prior", "//"), ("pymc", "#")])
def test_quoted_emit_header_shows_the_solved_mixture(target, comment):
    doc = Run().json("solve", M, "--median", "1", "--quantile", "0.9=3")
    w, m = doc["free"]["w"], doc["free"]["m"]
    result = Run()("solve", M, "--median", "1", "--quantile", "0.9=3", "--emit", target)
    assert result.exit_code == 0, result.stderr
    assert _header(result.stdout, comment) == f"x ~ Mixture([{w!r}, {1 - w!r}], [Normal(0, 1), Normal({m!r}, 0.5)])"
    # the code carries the numbers, not the names or 1 - w
    assert "1 - " not in result.stdout.split("from the model:")[1] and "1.0 - " not in result.stdout
    assert repr(w) in result.stdout and repr(1 - w) in result.stdout


@pytest.mark.slow
def test_quoted_emit_header_of_a_transformed_truncation():
    text = "exp(truncated(Normal(m, s), low=-1))"
    doc = Run().json("solve", text, "--median", "1", "--quantile", "0.9=3")
    result = Run()("solve", text, "--median", "1", "--quantile", "0.9=3", "--emit", "stan")
    assert result.exit_code == 0, result.stderr
    m, s = doc["free"]["m"], doc["free"]["s"]
    assert _header(result.stdout, "//") == f"x ~ exp(truncated(Normal({m!r}, {s!r}), low=-1))"


@pytest.mark.slow
def test_solve_model_emit_header_shows_the_solved_numbers():
    spec = "x ~ Mixture([p, 1 - p], [Normal(0, 1), Normal(3, 0.5)])"
    result = Run()("solve", "--model", spec, "--quantile", "x:0.5=1", "-n", "4000", "--emit", "numpyro")
    assert result.exit_code == 0, result.stderr
    header = _header(result.stdout, "#")
    found = re.fullmatch(r"x ~ Mixture\(\[([-0-9.e]+), ([-0-9.e]+)\], \[Normal\(0, 1\), Normal\(3, 0.5\)\]\)", header)
    assert found is not None, header
    p = float(found.group(1))
    assert float(found.group(2)) == 1 - p and 0 < p < 1
    assert f"jnp.array([{p!r}, {1 - p!r}])" in result.stdout
