"""``priorcli explore``: check the terminal and the arguments, run the app, print the choice.

Everything that can be refused is refused before the screen opens (one ``Error:`` line, exit 2).
The code lines are printed, and ``--output`` written, only after the app has restored the screen.
"""

from __future__ import annotations

import sys
from typing import TextIO

from priorcli.render import output as render
from priorcli.errors import UsageError
from priorcli.families.registry import parse_family_args, parse_number, resolve, resolve_fast, split_extra_args

CANCELLED = 130
DEFAULT_BINS = 10


def check_terminal(stdin, stdout) -> None:
    for name, stream in (("stdin", stdin), ("stdout", stdout)):
        isatty = getattr(stream, "isatty", None)
        if not (isatty and isatty()):
            raise UsageError(f"explore needs a terminal, but {name} is not one; "
                             "in scripts use 'priorcli solve' or 'priorcli summarize'")


def check_output(path: str | None, force: bool, roulette: bool = False) -> None:
    """--output is refused before the screen opens: wrong suffix, missing folder, or an existing
    file without --force. With --roulette a .toml is the chips as an elicit session file."""
    if path is None:
        return
    if roulette and path.lower().endswith(".toml"):
        pass
    elif not path.lower().endswith(".json"):
        also = "; with --roulette also .toml (the chips as a 'priorcli elicit' session)" \
            if roulette or path.lower().endswith(".toml") else ""
        raise UsageError(f"--output '{path}' must end in .json (explore writes the solve JSON document){also}")
    from priorcli.render import outfile

    outfile.check_target(path, force)


def parse_range(text: str) -> tuple[float, float]:
    parts = text.split(",")
    if len(parts) != 2:
        raise UsageError(f"--range needs LO,HI (e.g. --range 0,10), got '{text}'")
    lo, hi = (parse_number(p, "--range") for p in parts)
    if not hi > lo:
        raise UsageError(f"--range needs LO < HI, got '{text}'")
    return lo, hi


def build_state(family_name: str | None, tokens: list[str], *, roulette: bool, range_text: str | None,
                bins: int | None, truncate: str | None = None):
    """The state model the app starts from (raises UsageError for bad arguments)."""
    if roulette and truncate is not None:
        raise UsageError("--truncate goes with a FAMILY, not --roulette (the range bounds the chips already)")
    if roulette:
        from priorcli.explore.roulette_state import RouletteState

        if family_name is not None or tokens:
            raise UsageError("--roulette takes no FAMILY or parameters: the chips choose the family")
        if range_text is None:
            raise UsageError("--roulette needs --range LO,HI (the range the bins cover)")
        lo, hi = parse_range(range_text)
        return RouletteState(lo, hi, DEFAULT_BINS if bins is None else bins)
    if range_text is not None or bins is not None:
        raise UsageError("--range and --bins go with --roulette")
    from priorcli.explore.state import TARGET_FIELDS, ExploreState

    family = resolve_fast(family_name or "lognormal") or resolve(family_name or "lognormal")
    parsed = parse_family_args(family, split_extra_args(tokens))
    targets = {}
    for name in TARGET_FIELDS:
        if name == "quantiles":
            if parsed.targets.quantiles:
                targets[name] = ", ".join(f"{p!r}={v!r}" for p, v in parsed.targets.quantiles)
        elif getattr(parsed.targets, name, None) is not None:
            targets[name] = repr(getattr(parsed.targets, name))
    return ExploreState(family, parsed.params, targets or None, truncate=truncate)


def explore(family_name: str | None, tokens: list[str], *, roulette: bool, range_text: str | None,
            bins: int | None, output: str | None, force: bool, out: TextIO, truncate: str | None = None) -> int:
    """Run the app; returns the exit code (0 accepted, 130 cancelled)."""
    # The arguments first: a bad one is named whether or not this is a terminal.
    check_output(output, force, roulette)
    state = build_state(family_name, tokens, roulette=roulette, range_text=range_text, bins=bins, truncate=truncate)
    check_terminal(sys.stdin, out)
    from priorcli.explore.app import ExploreApp

    result = ExploreApp(state, roulette=roulette).run(mouse=False)
    if result is None:
        return CANCELLED
    lines, document = result
    if output is not None and output.lower().endswith(".toml"):
        write_session(state, output, force)
        output = None
    write_choice(lines, document, output, force, out)
    return 0


def write_session(state, output: str, force: bool) -> None:
    """The roulette's chips as an elicit session file (priorcli.elicit.session)."""
    from priorcli.elicit.session import roulette_session_text

    render.write_text_file(output, roulette_session_text(state.edges, state.chips), force=force)


def write_choice(lines: dict[str, str], document: dict, output: str | None, force: bool, out: TextIO) -> None:
    import json

    if output is not None:
        render.write_text_file(output, json.dumps(document, indent=2, allow_nan=False) + "\n", force=force)
    render.write_lines(render.code_lines_text(lines["numpyro"], lines.get("stan"), lines.get("pymc")), out)
