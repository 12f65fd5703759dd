"""tests/stan_registry.py's merge of the session's Stan programs, checked by stanc (no C++ build):
names prefixed per program, functions of the same text written once, a function two programs
define differently renamed in the second (its calls and `~` statements too), each model block
under its own selector; and a program that is invalid, or valid alone but not merged, is the one
that reports the error."""

from __future__ import annotations

import re

import pytest

import stan_registry
from emit_support import require_stanc, stan_blocks, stan_info

SHARED = "  real twice(real x) {\n    return 2 * x;\n  }\n"
A = ("functions {\n" + SHARED + "  real bump_lpdf(real y, real m) {\n    return normal_lpdf(y | m, 1);\n  }\n}\n"
     "data {\n  int N;\n}\nparameters {\n  real x;\n}\nmodel {\n  x ~ bump(twice(1.0));\n}\n"
     "generated quantities {\n  array[N] real d;\n  for (i in 1:N) {\n    d[i] = twice(x);\n  }\n}\n")
B = ("functions {\n" + SHARED + "  real bump_lpdf(real y, real m) {\n    return cauchy_lpdf(y | m, 1);\n  }\n}\n"
     "transformed data {\n  real x = 3;\n}\nparameters {\n  real y;\n}\nmodel {\n  real local = twice(x);\n"
     "  y ~ bump(local);\n  target += bump_lpdf(y | 0);\n}\ngenerated quantities {\n  real d = twice(x);\n}\n")


@pytest.fixture(autouse=True)
def _stanc():
    require_stanc()


def test_merged_program_names_each_programs_variables_and_functions():
    code = stan_registry.merge({"r0": A, "r1": B})
    info = stan_info(code)  # stanc accepts it
    assert set(info["inputs"]) == {"priorcli_program", "priorcli_nuts", "r0_N"}
    assert set(info["parameters"]) == {"r0_x", "r1_y"}
    assert set(info["generated quantities"]) == {"r0_d", "r1_d"}
    functions = stan_blocks(code)["functions"]
    assert functions.count("real twice(real x)") == 1  # the same text: once
    assert "real bump_lpdf(" in functions and "real r1_bump_lpdf(" in functions  # B's differs: renamed
    model = stan_blocks(code)["model"]
    assert "if (priorcli_program == 1) {" in model and "if (priorcli_program == 2) {" in model
    assert re.search(r"r0_x ~ bump\(twice\(1.0\)\)", model)
    assert "r1_y ~ r1_bump(local);" in model and "target += r1_bump_lpdf(r1_y | 0);" in model
    assert "real local = twice(r1_x);" in model  # B's transformed data x, prefixed


def test_a_program_stanc_refuses_reports_its_own_error(tmp_path):
    good = stan_registry._Entry(stan_registry.Program("good", lambda: A), "r0")
    bad = stan_registry._Entry(stan_registry.Program("bad", lambda: "generated quantities {\n  real d = nope();\n}\n"),
                               "r1")
    for entry in (good, bad):
        stan_registry._check_alone(entry, tmp_path)
    assert good.error == "" and "stanc refused the program" in bad.error and "nope" in bad.error


def test_a_program_valid_alone_that_breaks_the_merge_is_named(tmp_path):
    """r0's x becomes r0_x, the name of a local variable of r1 (Stan refuses a local that hides a
    global): stanc refuses the merge with r1 in it, and r1 (not r0) gets the error."""
    first = "generated quantities {\n  real x = 1;\n}\n"
    hides = "generated quantities {\n  real y = 2;\n  {\n    real r0_x = 3;\n    y += r0_x;\n  }\n}\n"
    entries = [stan_registry._Entry(stan_registry.Program(n, lambda c=c: c), p)
               for n, c, p in (("first", first, "r0"), ("hides", hides, "r1"))]
    for entry in entries:
        stan_registry._check_alone(entry, tmp_path)
        assert entry.error == ""
    kept = stan_registry._mergeable(entries, tmp_path)
    assert [e.program.name for e in kept] == ["first"]
    assert "not merged with the session's other Stan programs" in entries[1].error and "r0_x" in entries[1].error


def test_parameters_must_be_scalars(tmp_path):
    entry = stan_registry._Entry(stan_registry.Program(
        "vector", lambda: "parameters {\n  vector[2] v;\n}\nmodel {\n  v ~ std_normal();\n}\n"), "r0")
    stan_registry._check_alone(entry, tmp_path)
    assert "scalar parameters only" in entry.error
