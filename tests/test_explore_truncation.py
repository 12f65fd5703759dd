"""priorcli explore with a truncation held (issue 21, item 1): a `truncate` field (LO,HI, in both the
parameter and the target modes) and `explore FAMILY --truncate LO,HI`; the table is what
`summarize --truncate` prints, targets are solved as `solve FAMILY --truncate` solves them, and the
code lines are truncated. Driven through Textual's pilot (App.run_test) as tests/test_explore.py."""

from __future__ import annotations

import json
import math

import pytest
import scipy.stats as st

from priorcli.explore.run import build_state
from priorcli.explore.state import TRUNCATE, ExploreState
from priorcli.families.registry import resolve_fast
from priorcli.errors import UsageError
from test_explore import drive, table_of


def _to_truncate(state) -> list[str]:
    """Keys that move the cursor from the first field to the truncate field (the last one)."""
    return ["down"] * (len(state.fields()) - 1)


@pytest.mark.slow
def test_typing_a_truncation_shows_what_summarize_prints(run):
    state = ExploreState(resolve_fast("normal"), {"loc": 0.0, "scale": 1.0})
    assert state.fields()[-1] == TRUNCATE
    keys = _to_truncate(state) + ["equals_sign", "minus", "1", "comma", "2", "enter"]
    _, texts, running = drive(state, keys)
    assert running and state.truncation is not None and state.truncation.ends() == (-1.0, 2.0)
    assert "truncated(Normal(" in texts["title"]
    result = run("summarize", "normal", "--loc", "0", "--scale", "1", "--truncate", "-1,2")
    assert result.exit_code == 0, result.stderr
    assert table_of(texts["table"]) == table_of(result.stdout)
    assert float(table_of(texts["table"])["mean"]) == pytest.approx(st.truncnorm(-1, 2).mean(), rel=1e-5)


@pytest.mark.slow
def test_targets_are_solved_with_the_truncation_held(run):
    state = ExploreState(resolve_fast("gamma"), {})
    keys = _to_truncate(state) + ["1", "comma", "enter", "t", "down", "3", "enter", "down", "down", "2", "enter"]
    app, texts, running = drive(state, keys + ["enter"])  # median 3, sd 2; Enter accepts
    doc = json.loads(run("solve", "gamma", "--truncate", "1,", "--median", "3", "--sd", "2", "--format", "json").stdout)
    assert state.params == pytest.approx(doc["params"], rel=1e-9)
    lines, document = app.return_value
    assert lines["numpyro"] == doc["numpyro"] and lines["stan"] == doc["stan"] == document["stan"]
    assert document["truncate"] == [1.0, None]
    g = st.gamma(state.params["concentration"], scale=1 / state.params["rate"])
    assert g.ppf(g.cdf(1) + 0.5 * g.sf(1)) == pytest.approx(3.0, rel=1e-8)


def test_state_without_the_app():
    state = ExploreState(resolve_fast("gamma"), {}, {"median": "3", "sd": "2"})
    untruncated = dict(state.params)
    assert state.set_truncate("1,")
    assert state.params != untruncated and state.solution.truncate.ends() == (1.0, math.inf)
    assert state.lines()["numpyro"].startswith("Truncated(dist.Gamma(")
    assert state.set_truncate("")  # cleared: the untruncated solve again
    assert state.truncation is None and state.params == pytest.approx(untruncated, rel=1e-12)


def test_a_refused_truncation_stays_marked_and_the_distribution_stays():
    state = ExploreState(resolve_fast("gamma"), {"concentration": 2.0, "rate": 1.0})
    before = state.summary().mean
    for text, needle in (("5,1", "LO must be below HI"), (",-1", "outside the support"), ("x,1", "numbers")):
        assert not state.set_truncate(text)
        assert needle in state.truncate_error and state.truncation is None and state.summary().mean == before
    assert state.set_truncate("1,5") and state.truncate_error is None


def test_discrete_families_have_no_truncate_field_and_switching_clears_it():
    assert TRUNCATE not in ExploreState(resolve_fast("poisson"), {"rate": 3.0}).fields()
    state = ExploreState(resolve_fast("normal"), {}, truncate="-1,1")
    state.set_family("poisson")
    assert state.truncation is None and "cannot take the truncation" in state.message
    state = ExploreState(resolve_fast("normal"), {}, truncate="0.5,3")
    state.set_family("gamma")  # Gamma takes it: kept
    assert state.truncation.ends() == (0.5, 3.0) and state.summary().quantiles[0.025] >= 0.5


def test_command_line_truncation_is_checked_before_the_screen_opens():
    state = build_state("gamma", ["--alpha", "2", "--beta", "1"], roulette=False, range_text=None, bins=None,
                        truncate="1,4")
    assert state.truncate_text == "1,4" and state.summary().quantiles[0.975] <= 4.0
    for kwargs, needle in (({"family_name": "poisson", "truncate": "1,"}, "discrete"),
                           ({"family_name": "gamma", "truncate": "3,1"}, "LO must be below HI"),
                           ({"family_name": None, "truncate": "1,", "roulette": True, "range_text": "0,1"}, "--roulette")):
        with pytest.raises(UsageError, match=needle):
            build_state(kwargs.pop("family_name"), [], roulette=kwargs.pop("roulette", False),
                        range_text=kwargs.pop("range_text", None), bins=None, **kwargs)


def test_cli_names_a_bad_truncation(run):
    from conftest import assert_usage_error

    result = run("explore", "gamma", "--truncate", "3,1")
    assert_usage_error(result)
    assert "LO must be below HI" in result.stderr
