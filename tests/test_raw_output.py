"""--format raw's lines (render.output.write_raw): the bytes numpy's savetxt writes with "%.17g",
and written block by block, so that a closed pipe ends the run after the first block."""

from __future__ import annotations

import io

import numpy as np
import pytest

from priorcli.render import output as render

SPECIAL = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 5e-324, 1e-310, np.finfo(float).max, 0.1, 1.0, -2.5,
                    123456789012345678.0])


def _savetxt(array, names=None) -> str:
    """The oracle: numpy's savetxt, the header line first."""
    buffer = io.StringIO()
    if names:
        buffer.write(",".join(names) + "\n")
    array = np.asarray(array, dtype=np.float64)
    np.savetxt(buffer, array, fmt="%.17g" if array.ndim == 1 else ",".join(["%.17g"] * array.shape[1]))
    return buffer.getvalue()


def _raw(array, names=None) -> str:
    buffer = io.StringIO()
    render.write_raw(array, buffer, names)
    return buffer.getvalue()


rng = np.random.default_rng(1)
BLOCK = 1000  # render.RAW_LINES in these tests: the same code on fewer lines


@pytest.mark.parametrize("array", [
    SPECIAL,
    np.column_stack([SPECIAL, SPECIAL[::-1], -SPECIAL]),
    rng.standard_normal(2 * BLOCK + 1) * 10.0 ** rng.integers(-300, 300, 2 * BLOCK + 1),
    rng.standard_normal((BLOCK, 2)).astype(np.float32),  # float32 draws, as jax gives them
    np.arange(5),
    np.array([]),
    np.empty((0, 3)),
], ids=["special", "columns", "three-blocks", "float32-one-block", "integers", "empty", "empty-columns"])
@pytest.mark.parametrize("names", [None, ["a", "b", "c"]])
def test_raw_lines_are_numpys_savetxt_bytes(array, names, monkeypatch):
    monkeypatch.setattr(render, "RAW_LINES", BLOCK)
    assert _raw(array, names) == _savetxt(array, names)


class _ClosedPipe:
    """stdout once the reader has gone: every write fails (after recording what it was given)."""

    def __init__(self):
        self.given = []

    def write(self, text):
        self.given.append(text)
        raise BrokenPipeError(32, "Broken pipe")


def test_a_closed_pipe_is_noticed_after_the_first_block(monkeypatch):
    monkeypatch.setattr(render, "RAW_LINES", BLOCK)
    out = _ClosedPipe()
    with pytest.raises(BrokenPipeError):
        render.write_raw(np.arange(10_000.0), out)
    assert [text.count("\n") for text in out.given] == [BLOCK]  # not the 10,000 lines formatted first
