"""What the commands share on the command line: the Typer command class of FAMILY commands
(``FAMILY --help`` lists the family's own ``--param value`` options, shell completion offers them,
``--mu -1`` is read as a value), the option types used by several commands, and the small
argument checks before a command hands off to :mod:`priorcli.commands.family`.
"""

from __future__ import annotations

import os
import re
from typing import Annotated, Optional

import typer
from typer.core import TyperCommand

from priorcli.errors import UsageError


EXTRA_ARGS = {"allow_extra_args": True, "ignore_unknown_options": True}
DEFAULT_QUANTILES_TEXT = "0.025,0.05,0.25,0.5,0.75,0.95,0.975"


# A value that reads as a negative number (-1, -.5, -1.5e3, -inf, -nan, -1,2 for a vector).
_NEGATIVE_VALUE = re.compile(r"-(\d|\.\d|inf|nan)", re.IGNORECASE)
DEFAULT_FAMILY = {"solve": "lognormal", "explore": "lognormal"}  # the commands' FAMILY when none is given


class FamilyCommand(TyperCommand):
    """A command whose FAMILY brings its own ``--param value`` options: ``sample FAMILY --help``
    lists them (priorcli.families.help), and shell completion offers them."""

    def parse_args(self, ctx, args):
        ctx.meta["priorcli.tokens"] = list(args)  # --help is handled before FAMILY is parsed
        return super().parse_args(ctx, self._join_negative_values(args))

    def _join_negative_values(self, args: list[str]) -> list[str]:
        """``--mu -inf`` -> ``--mu=-inf``: a family parameter or target is no option click knows, so
        it would read the value as short options (``-inf`` as ``-i -n f``, blaming ``-n``)."""
        known = {o for p in self.params for o in (*getattr(p, "opts", ()), *getattr(p, "secondary_opts", ()))}
        out, i = [], 0
        while i < len(args):
            token = args[i]
            following = args[i + 1] if i + 1 < len(args) else None
            if (token.startswith("--") and len(token) > 2 and "=" not in token and token not in known
                    and following is not None and _NEGATIVE_VALUE.match(following)):
                out.append(f"{token}={following}")
                i += 2
                continue
            out.append(token)
            if token == "--":
                out += args[i + 1:]
                break
            i += 1
        return out

    def _family(self, tokens) -> str | None:
        """The FAMILY on the command line: the first token that is no option nor an option's value
        (an unknown option, a family parameter, takes a value); solve's default is lognormal."""
        flags = {o for p in self.params if getattr(p, "is_flag", False) for o in (*p.opts, *p.secondary_opts)}
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token == "--":
                return tokens[i + 1] if i + 1 < len(tokens) else None
            if not token.startswith("-") or token == "-":
                return token
            i += 1 if ("=" in token or token in flags or token == "--help") else 2
        return DEFAULT_FAMILY.get(self.name)

    def format_epilog(self, ctx, formatter) -> None:
        from priorcli.families import help as familyhelp

        super().format_epilog(ctx, formatter)
        family = self._family(ctx.meta.get("priorcli.tokens", []))
        if family is None:
            with formatter.section("Parameters and targets"):
                formatter.write_text(f"Each family has its own: see 'priorcli {self.name} FAMILY --help'.")
            return
        for title, rows in familyhelp.sections(family, self.name):
            with formatter.section(title):
                formatter.write_dl(rows)

    def shell_complete(self, ctx, incomplete):
        from typer._completion_classes import CompletionItem

        from priorcli.families import help as familyhelp

        items = super().shell_complete(ctx, incomplete)
        family = ctx.params.get("family") or DEFAULT_FAMILY.get(self.name)
        if family is None or not incomplete.startswith("-"):
            return items
        given = set(ctx.args)
        for flag, help in familyhelp.option_names(family, self.name):
            if flag.startswith(incomplete) and (flag not in given or flag == "--quantile"):
                items.append(CompletionItem(flag, help=help))
        return items


def _complete_family(incomplete: str) -> list[str]:
    from priorcli.families.help import family_names

    return [name for name in family_names() if name.startswith(incomplete.lower())]


def _complete_transform(incomplete: str) -> list[tuple[str, str]]:
    from priorcli.families.help import transform_choices

    return [(name, usage) for name, usage in transform_choices() if name.startswith(incomplete)]


def _draw_count(value) -> int:
    """-n/--draws: a whole number, also written as a float (1e6, 2.5e3), that fits in int64."""
    if isinstance(value, int):
        return value
    text = str(value).strip()
    try:
        count = int(text)
    except ValueError:
        try:
            number = float(text)
        except ValueError:
            raise typer.BadParameter(f"'{value}' is not a whole number") from None
        if number != number or not (number == float("inf") or number.is_integer()):  # nan, 1.5
            raise typer.BadParameter(f"'{value}' is not a whole number") from None
        count = 2**63 if number == float("inf") else int(number)
    if count >= 2**63:
        raise typer.BadParameter(f"'{value}' is too many draws (at most 2^63 - 1)")
    return count


# Options shared by the commands (DESIGN.md).
Draws = Annotated[int, typer.Option("-n", "--draws", help="Number of draws.", parser=_draw_count, metavar="INTEGER")]
Seed = Annotated[int, typer.Option("--seed", help="Integer seed, used through numpyro.handlers.seed.")]
Quantiles = Annotated[str, typer.Option("--quantiles", help="Quantiles to show, comma-separated.")]
Format = Annotated[str, typer.Option("--format", help="table, json, csv or raw.")]
LogX = Annotated[bool, typer.Option("--log-x", help="Histogram over log-spaced bins on a log axis.")]
Bins = Annotated[Optional[int], typer.Option("--bins", help="Number of histogram bins, 1 to 10000 (default: auto).")]
Linear = Annotated[bool, typer.Option("--linear", help="Never a log x axis (default: log when the central 99% spans over three decades).")]
PlotRangeText = Annotated[Optional[str], typer.Option("--range", help="Plot from LO to HI, e.g. --range 0,50 (default: the body of the distribution, see README).")]
Tail = Annotated[Optional[str], typer.Option("--tail", help="Plot from the P to the 1-P quantile, e.g. --tail 0.005.")]
NoPlot = Annotated[bool, typer.Option("--no-plot", help="Do not draw the histogram.")]
Output = Annotated[Optional[str], typer.Option("--output", help="Write the draws to PATH (.csv, .npy, .json); several variables carry their names (a header row, a structured .npy, a JSON object).")]
Force = Annotated[bool, typer.Option("--force", help="Overwrite --output or --plot-file if it exists.")]
PlotFile = Annotated[Optional[str], typer.Option("--plot-file", help="Also save the plot as a figure: FILE.png, .svg or .pdf (matplotlib); works with --no-plot and --format json.")]
EMIT_HELP = ("Print the model as a program instead of sampling: numpyro, stan, stan-prior (generated quantities "
             "for fixed_param) or pymc; with --output PATH, write it there.")
Truncate = Annotated[Optional[str], typer.Option(
    "--truncate", help="Truncate the family to LO,HI (an end may be empty: '1,' or ',5'); a continuous family; "
                       "targets then solve the base parameters with the truncation held (with --family: every "
                       "candidate; with --input --fit: the truncated likelihood).")]
Transform = Annotated[
    Optional[list[str]],
    typer.Option("--transform", help="exp, softplus, sigmoid (inv_logit), logit, probit (Phi^-1), inv_probit (Phi), reciprocal, affine:LOC,SCALE, "
                 "lower:L, bounds:L,U, power:K (repeatable).",
                 autocompletion=_complete_transform),
]


def _family_and_tokens(family: str | None, ctx: typer.Context) -> tuple[str | None, list[str]]:
    """Typer takes the first unknown option as FAMILY when the family is left out: put it back."""
    tokens = list(ctx.args)
    if family is not None and family.startswith("-"):
        return None, [family, *tokens]
    return family, tokens


def _from_source(option: str, source, family, tokens, transform, missing: str) -> bool:
    """Whether the command reads ``option`` (--model, --input) instead of a FAMILY; the two
    exclude each other, and one of them is required."""
    if source is not None:
        if family is not None or tokens or transform:
            raise UsageError(f"{option} takes no FAMILY, parameters or --transform")
        return True
    if family is None:
        raise UsageError(missing)
    return False


def _input_paths(inputs: list[str], family: str | None, tokens: list[str]) -> tuple[list[str], None, list[str]]:
    """--input PATH (repeatable) and the paths a shell glob put after it (``--input out-*.csv``):
    Typer took the first of those as FAMILY and the rest as extra arguments. The words up to the
    first option are paths; the rest (--PARAM VALUE of --fit) is handed back."""
    extra = ([family] if family is not None else []) + tokens
    paths = list(inputs)
    while extra and (extra[0] == "-" or not extra[0].startswith("-")):
        word = extra.pop(0)
        if word != "-" and not os.path.lexists(word):
            raise UsageError(f"'{word}' is not a file; --input takes no FAMILY (the paths after --input PATH "
                             f"are pooled with it)")
        paths.append(word)
    return paths, None, extra
