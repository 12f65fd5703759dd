"""The Typer app: parses the command line, hands off to the library, maps PriorError to exit codes.

The only module that knows Typer. Heavy imports (jax, numpyro, scipy) happen inside the command
functions, never at module level, so ``--help`` and closed-form ``solve`` stay fast.
"""

from __future__ import annotations

import errno
import os
import re
import signal
import sys
from typing import Annotated, Optional

import typer
from typer.core import TyperCommand, TyperGroup

from priorcli import __version__
from priorcli.errors import InputError, PriorError, UsageError

# Failures of writing the output itself (files written by priorcli report their own errors).
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}
EXTRA_ARGS = {"allow_extra_args": True, "ignore_unknown_options": True}
DEFAULT_QUANTILES_TEXT = "0.025,0.05,0.25,0.5,0.75,0.95,0.975"


class PriorGroup(TyperGroup):
    """Turns every failure into one ``Error:`` line on stderr and the documented exit code."""

    def invoke(self, ctx):
        # Catch a closed pipe (`priorcli ... | head`) here: Typer's main would exit 1 for it.
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            _quiet_broken_pipe()
        except KeyboardInterrupt:
            # Typer would exit 130 silently; say why. Output files are written through a temporary
            # file, so nothing partial is left behind.
            _error("interrupted")
            raise typer.Exit(130) from None

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        import warnings

        debug = bool(os.environ.get("PRIORCLI_DEBUG"))
        previous = _install_interrupt_handler()
        previous_term = _install_terminate_handler()
        shown = warnings.showwarning
        warnings.showwarning = _show_warning(shown)
        try:
            self._main(args, prog_name, complete_var, debug, **extra)
        finally:
            warnings.showwarning = shown
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
            if previous_term is not None:
                signal.signal(signal.SIGTERM, previous_term)

    def _main(self, args, prog_name, complete_var, debug, **extra):
        try:
            if sys.stdout is None:  # started with fd 1 closed (`>&-`): nowhere to put the results
                raise PriorError("could not write the output: standard output is closed "
                                 "(redirect it to a file, or to /dev/null to discard it)")
            argv = list(sys.argv[1:] if args is None else args)
            if argv[:1] and argv[0].split("=", 1)[0] == "--install-completion":
                _install_completion(argv)
            code = super().main(args=args, prog_name=prog_name, complete_var=complete_var, standalone_mode=False,
                                **extra)
            if isinstance(code, int) and code:
                sys.exit(code)
        except PriorError as exc:
            if debug:
                raise
            _error(str(exc))
            sys.exit(exc.exit_code)
        except typer.Exit as exc:
            sys.exit(exc.exit_code)
        except typer.Abort:
            _error("interrupted")
            sys.exit(130)
        except typer.TyperException as exc:  # Typer's own usage errors (exit_code 2)
            if type(exc).__name__ == "NoArgsIsHelpError":  # bare `priorcli`: help on stdout, exit 0
                sys.stdout.write(self.get_help(typer.Context(self, info_name="priorcli")) + "\n")
                sys.exit(0)
            if debug:
                raise
            _error(exc.format_message())
            sys.exit(getattr(exc, "exit_code", 2))
        except KeyboardInterrupt:
            _error("interrupted")
            sys.exit(130)
        except BrokenPipeError:
            _quiet_broken_pipe()
        except Exception as exc:  # the last line of defence: no traceback unless PRIORCLI_DEBUG
            if debug:
                raise
            if isinstance(exc, OSError) and exc.errno in _WRITE_ERRNOS:  # stdout on a full disk, say
                _error(f"could not write the output: {exc.strerror}")
            else:
                _error(f"internal error: {type(exc).__name__}: {exc} (set PRIORCLI_DEBUG=1 for a traceback)")
            sys.exit(1)
        sys.exit(0)


def _install_interrupt_handler():
    """Ctrl-C ends priorcli at once: one line, temporary output files removed, exit 130.

    A KeyboardInterrupt raised wherever Python happens to be can land in jax's garbage-collection
    callback (where it is swallowed and the run goes on) or in jax's start-up threads (which then
    hang), so the handler exits itself instead of raising. Returns the previous handler."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None

    def on_interrupt(signum, frame):
        try:
            _remove_pending_files()
            sys.stderr.write("Error: interrupted\n")
            sys.stderr.flush()
        finally:
            os._exit(130)

    return signal.signal(signal.SIGINT, on_interrupt)


def _install_terminate_handler():
    """SIGTERM (kill, a job scheduler, a timeout) removes the temporary output files as Ctrl-C does,
    then ends priorcli by that same signal, as its sender expects (no line of priorcli's own: the
    shell reports it). Returns the previous handler (None off the main thread)."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None

    def on_terminate(signum, frame):
        try:
            _remove_pending_files()
        finally:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)
            os._exit(128 + signal.SIGTERM)  # only if the signal could not end the process

    return signal.signal(signal.SIGTERM, on_terminate)


def _remove_pending_files() -> None:
    # Only outfile registers pending files, so none exist before it is imported; importing it
    # here could meet a module that the interrupted code was halfway through importing.
    outfile = sys.modules.get("priorcli.outfile")
    remove = getattr(outfile, "remove_pending", None)
    if remove is not None:
        remove()


def _show_warning(previous):
    """The library's PriorWarning (a cache left unused) as one ``Warning: ...`` line; others as before."""
    from priorcli.errors import PriorWarning

    def show(message, category, filename, lineno, file=None, line=None):
        if not issubclass(category, PriorWarning):
            return previous(message, category, filename, lineno, file, line)
        if sys.stderr is not None:
            try:
                sys.stderr.write("Warning: " + " ".join(str(message).split()) + "\n")
            except (OSError, ValueError):
                pass
        return None

    return show


def _error(message: str) -> None:
    if sys.stderr is None:  # started with stderr closed: the exit code alone tells
        return
    text = " ".join(str(message).split())  # always a single line
    try:
        sys.stderr.write(f"Error: {text}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


COMPLETION_SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")  # Typer's installers


def _install_completion(argv: list[str]) -> None:
    """``priorcli --install-completion [SHELL]``: Typer's installer for SHELL, else for the shell
    detected from the parent processes; no shell known (or one Typer has no script for) is a usage
    error naming the choices, where Typer would print a note on stdout."""
    from typer._completion_shared import _get_shell_name, install

    first = argv[0].split("=", 1)
    given = first[1] if len(first) == 2 else (argv[1] if len(argv) > 1 and not argv[1].startswith("-") else None)
    shell = given.lower() if given else _get_shell_name()
    if shell not in COMPLETION_SHELLS:
        found = f"shell '{given}' is not supported" if given else \
            ("no shell was detected" if shell is None else f"the detected shell '{shell}' is not supported")
        raise UsageError(f"--install-completion: {found}; name one of bash, zsh or fish "
                         "(e.g. 'priorcli --install-completion bash')")
    _, path = install(shell=shell, prog_name="priorcli", complete_var="_PRIORCLI_COMPLETE")
    sys.stdout.write(f"{shell} completion installed in {path}\n"
                     "Completion will take effect once you restart the terminal\n")
    raise typer.Exit(0)


def _reserve_standard_fds() -> None:
    """Point a closed fd 0, 1 or 2 at /dev/null (``sys.stdin`` etc. stay None, so closed streams
    are still reported): otherwise the next file opened (an --output file, say) would take that
    number, and whatever writes to fd 2 underneath Python (jax's C++ logging) would land in it."""
    for fd, mode in ((0, os.O_RDONLY), (1, os.O_WRONLY), (2, os.O_WRONLY)):
        try:
            os.fstat(fd)
        except OSError:
            try:
                spare = os.open(os.devnull, mode)
                if spare != fd:
                    os.dup2(spare, fd)
                    os.close(spare)
            except OSError:
                pass


def _quiet_broken_pipe() -> None:
    # The reader went away (`| head`): point stdout at devnull so the interpreter's final flush
    # does not complain, and exit quietly.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(0)


# A value that reads as a negative number (-1, -.5, -1.5e3, -inf, -nan, -1,2 for a vector).
_NEGATIVE_VALUE = re.compile(r"-(\d|\.\d|inf|nan)", re.IGNORECASE)
DEFAULT_FAMILY = {"solve": "lognormal", "explore": "lognormal"}  # the commands' FAMILY when none is given


class FamilyCommand(TyperCommand):
    """A command whose FAMILY brings its own ``--param value`` options: ``sample FAMILY --help``
    lists them (priorcli.familyhelp), and shell completion offers them."""

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
        from priorcli import familyhelp

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

        from priorcli import familyhelp

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
    from priorcli.familyhelp import family_names

    return [name for name in family_names() if name.startswith(incomplete.lower())]


def _complete_transform(incomplete: str) -> list[tuple[str, str]]:
    from priorcli.familyhelp import transform_choices

    return [(name, usage) for name, usage in transform_choices() if name.startswith(incomplete)]


app = typer.Typer(
    cls=PriorGroup,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help="A prior explorer for numpyro, Stan and PyMC users: sample, summarize and solve priors.",
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"priorcli {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """priorcli: see what a prior implies before you fit the model."""


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
Force = Annotated[bool, typer.Option("--force", help="Overwrite --output if it exists.")]
EMIT_HELP = ("Print the model as a program instead of sampling: numpyro, stan, stan-prior (generated quantities "
             "for fixed_param) or pymc; with --output PATH, write it there.")
Transform = Annotated[
    Optional[list[str]],
    typer.Option("--transform", help="exp, softplus, sigmoid, probit, reciprocal, affine:LOC,SCALE, lower:L, bounds:L,U, power:K (repeatable).",
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


@app.command(cls=FamilyCommand, context_settings=EXTRA_ARGS)
def sample(
    ctx: typer.Context,
    family: Annotated[Optional[str], typer.Argument(help="Distribution family, e.g. lognormal.", autocompletion=_complete_family)] = None,
    draws: Draws = 10000,
    seed: Seed = 0,
    quantiles: Quantiles = DEFAULT_QUANTILES_TEXT,
    format: Format = "table",
    log_x: LogX = False,
    bins: Bins = None,
    no_plot: NoPlot = False,
    output: Output = None,
    force: Force = False,
    transform: Transform = None,
    model: Annotated[Optional[str], typer.Option("--model", help="A model: file path, '-' for stdin, or the text.")] = None,
    show: Annotated[Optional[str], typer.Option("--show", help="With --model: variables to show, comma-separated.")] = None,
    emit: Annotated[Optional[str], typer.Option("--emit", help=EMIT_HELP)] = None,
    linear: Linear = False,
    plot_range: PlotRangeText = None,
    tail: Tail = None,
    plot: Annotated[Optional[str], typer.Option("--plot", help="With --model: the variables to plot, comma-separated (default: all shown).")] = None,
) -> None:
    """Seeded draws with Monte Carlo and exact summaries side by side, and a histogram."""
    from priorcli import commands

    family, tokens = _family_and_tokens(family, ctx)
    if emit is not None and model is None:
        raise UsageError("--emit needs --model (or use 'priorcli compare ... --emit')")
    options = commands.OutputOptions.parse(
        draws=draws, seed=seed, quantiles=quantiles, format=format, log_x=log_x, bins=bins,
        plot=not no_plot, output=None if emit else output, force=force, linear=linear, plot_range=plot_range,
        tail=tail,
    )
    if plot is not None and model is None:
        raise UsageError("--plot NAME chooses variables of --model; without a model the one histogram is drawn")
    if _from_source("--model", model, family, tokens, transform,
                    "sample needs a FAMILY (e.g. 'priorcli sample lognormal --mu 0 --sigma 1') or --model"):
        if model == "-" and sys.stdin is None:  # started with fd 0 closed (`<&-`)
            raise InputError("--model -: there is no standard input to read")
        from priorcli import model_commands

        model_commands.sample_model(model, options, show=show, emit=emit, out=sys.stdout,
                                    emit_output=output if emit else None, plot=plot)
    else:
        commands.sample_family(family, tokens, transform or [], options, out=sys.stdout)


@app.command(cls=FamilyCommand, context_settings=EXTRA_ARGS)
def summarize(
    ctx: typer.Context,
    family: Annotated[Optional[str], typer.Argument(help="Distribution family, e.g. gamma.", autocompletion=_complete_family)] = None,
    quantiles: Quantiles = DEFAULT_QUANTILES_TEXT,
    format: Format = "table",
    transform: Transform = None,
    input: Annotated[Optional[list[str]], typer.Option("--input", help="Summarize draws from PATH, or '-' for stdin; several files (repeated, or a glob: --input out-*.csv) are pooled.")] = None,
    column: Annotated[Optional[list[str]], typer.Option("--column", help="With --input: a CSV column (CmdStan name such as theta.2, or N without a header); repeatable.")] = None,
    variable: Annotated[Optional[list[str]], typer.Option("--variable", help="With --input: a variable of a .nc/.npz file (NAME or NAME[i]) or a CSV column; repeatable, shown side by side.")] = None,
    group: Annotated[Optional[str], typer.Option("--group", help="With --input FILE.nc: the InferenceData group (default prior, else posterior).")] = None,
    fit: Annotated[Optional[str], typer.Option("--fit", help="With --input: fit FAMILY by maximum likelihood, or rank several by AIC (auto, or F,F,...); hold parameters with --PARAM VALUE (--fit binomial --total-count 10) or NAME(param=value).")] = None,
    drop_nonfinite: Annotated[bool, typer.Option("--drop-nonfinite", help="With --input: drop NaN/inf values.")] = False,
    log_x: LogX = False,
    bins: Bins = None,
    no_plot: NoPlot = False,
    linear: Linear = False,
    plot_range: PlotRangeText = None,
    tail: Tail = None,
) -> None:
    """Exact summary of a family (no draws needed), or a summary of draws from a file or a pipe."""
    from priorcli import commands

    family, tokens = _family_and_tokens(family, ctx)
    options = commands.OutputOptions.parse(
        draws=1, seed=0, quantiles=quantiles, format=format, log_x=log_x, bins=bins, plot=not no_plot,
        output=None, force=False, linear=linear, plot_range=plot_range, tail=tail,
    )
    fit_tokens = []
    if input:
        input, family, tokens = _input_paths(input, family, tokens)
    if input is not None and fit is not None and family is None and not transform:
        fit_tokens, tokens = tokens, []  # --PARAM VALUE: held parameters of the --fit family
    if _from_source("--input", input or None, family, tokens, transform,
                    "summarize needs a FAMILY (e.g. 'priorcli summarize gamma --alpha 2 --beta 1') or --input"):
        from priorcli.input_summary import summarize_input

        summarize_input(input, options, columns=column, variables=variable, group=group, fit=fit,
                        drop_nonfinite=drop_nonfinite, out=sys.stdout, fit_tokens=fit_tokens)
    else:
        commands.summarize_family(family, tokens, transform or [], options, out=sys.stdout)


@app.command(cls=FamilyCommand, context_settings=EXTRA_ARGS)
def solve(
    ctx: typer.Context,
    family: Annotated[Optional[str], typer.Argument(help="Distribution family (default lognormal).", autocompletion=_complete_family)] = None,
    format: Format = "table",
    plot: Annotated[bool, typer.Option("--plot", help="Draw the resulting density.")] = False,
    emit: Annotated[Optional[str], typer.Option("--emit", help="Print the solved distribution as one program (variable x): numpyro, stan, stan-prior or pymc.")] = None,
    family_spec: Annotated[Optional[str], typer.Option("--family", help="Fit several families and rank them by loss: auto, or a comma list such as gamma,lognormal,weibull.")] = None,
) -> None:
    """Parameters from the targets you know: --mode, --median, --mean, --sd, --quantile P=V, --lower/--upper/--mass."""
    from priorcli import commands

    family, tokens = _family_and_tokens(family, ctx)
    if family_spec is not None:  # several families ranked (priorcli.ranking)
        from priorcli import rank_commands

        if family is not None or plot or emit is not None:
            raise UsageError("--family ranks several families: give no FAMILY, --plot or --emit with it "
                             "(use them on the winner: 'solve FAMILY ...')")
        rank_commands.solve_ranked(family_spec, tokens, format=format, out=sys.stdout)
        return
    commands.solve(family or "lognormal", tokens, format=format, plot=plot, out=sys.stdout, emit=emit)


@app.command()
def compare(
    specs: Annotated[list[str], typer.Argument(help='Distributions, e.g. "LogNormal(1, 1)" "softplus(Normal(0, 1))".')],
    draws: Draws = 10000,
    seed: Seed = 0,
    quantiles: Quantiles = DEFAULT_QUANTILES_TEXT,
    format: Format = "table",
    log_x: LogX = False,
    bins: Bins = None,
    no_plot: NoPlot = False,
    emit: Annotated[Optional[str], typer.Option("--emit", help="Print the distributions as one program, d1, d2, ...: numpyro, stan, stan-prior or pymc.")] = None,
    linear: Linear = False,
    plot_range: PlotRangeText = None,
    tail: Tail = None,
) -> None:
    """Several distributions side by side: one quantile table, overlaid histograms."""
    from priorcli import commands

    options = commands.OutputOptions.parse(
        draws=draws, seed=seed, quantiles=quantiles, format=format, log_x=log_x, bins=bins,
        plot=not no_plot, output=None, force=False, linear=linear, plot_range=plot_range, tail=tail,
    )
    commands.compare(specs, options, out=sys.stdout, emit=emit)


@app.command(name="list")
def list_families(format: Format = "table") -> None:
    """Every family, its parameters and support."""
    from priorcli import commands

    commands.list_families(format, out=sys.stdout)


@app.command()
def info(family: Annotated[str, typer.Argument(help="Distribution family.", autocompletion=_complete_family)],
         format: Format = "table") -> None:
    """Parameters, aliases, support, closed forms and an example command for FAMILY."""
    from priorcli import commands

    commands.info(family, format, out=sys.stdout)


@app.command(cls=FamilyCommand, context_settings=EXTRA_ARGS)
def explore(
    ctx: typer.Context,
    family: Annotated[Optional[str], typer.Argument(help="Distribution family (default lognormal).",
                                                    autocompletion=_complete_family)] = None,
    roulette: Annotated[bool, typer.Option("--roulette", help="Drop chips into bins; families are fitted to them.")] = False,
    range_: Annotated[Optional[str], typer.Option("--range", help="With --roulette: LO,HI, the range the bins cover.")] = None,
    bins: Annotated[Optional[int], typer.Option("--bins", help="With --roulette: number of bins (default 10).")] = None,
    output: Annotated[Optional[str], typer.Option("--output", help="Also write the chosen distribution as solve's JSON document (.json).")] = None,
    force: Force = False,
) -> None:
    """Interactive, in the terminal: turn the parameters, type targets, switch family, or play the roulette."""
    from priorcli.explore.run import explore as run_explore

    family, tokens = _family_and_tokens(family, ctx)
    code = run_explore(family, tokens, roulette=roulette, range_text=range_, bins=bins, output=output, force=force,
                       out=sys.stdout)
    if code:
        raise typer.Exit(code)


def run() -> None:
    """The whole command line, ending in SystemExit like any Typer app (what tests drive in-process)."""
    # One program name however priorcli is started (also `python -m priorcli`): the usage line and
    # the shell-completion variable (_PRIORCLI_COMPLETE) depend on it.
    _install_interrupt_handler()  # before Typer builds the click command, which takes a moment
    _reserve_standard_fds()
    _install_terminate_handler()
    app(prog_name="priorcli")


def main() -> None:
    """The console script and ``python -m priorcli``: :func:`run`, then leave without tearing down.

    Once a command has finished, the interpreter's own shutdown (freeing jax's, numpyro's and scipy's
    modules one by one) takes ~0.25 s on its own, longer than sampling 10,000 draws. Nothing of
    priorcli's is left to do by then: output files are closed and renamed into place before the command
    returns. So flush the standard streams, run the atexit callbacks (jax's clean-up) and exit at once."""
    try:
        run()
    except SystemExit as exc:
        code = exc.code
        if code is None:
            code = 0
        if not isinstance(code, int) or _shutdown_has_work():
            raise  # the ordinary shutdown: prints a text code, joins threads, lets tools write
        _exit_now(code)


def _shutdown_has_work() -> bool:
    """Other (non-daemon) threads to join, a profiler, tracer or coverage run that writes its data
    at shutdown (``python -m cProfile -o F -m priorcli ...``), or ``python -i`` (the REPL comes next)."""
    import threading

    if sys.getprofile() is not None or sys.gettrace() is not None or "coverage" in sys.modules or sys.flags.inspect:
        return True
    return any(t is not threading.current_thread() and not t.daemon for t in threading.enumerate())


def _exit_now(code: int) -> None:
    import atexit

    atexit._run_exitfuncs()  # noqa: SLF001 (cheap: jax's clean-up; os._exit skips them otherwise)
    stdout, stderr = sys.stdout, sys.stderr  # None when the process started with the fd closed
    try:
        if stdout is not None:
            stdout.flush()
    except BrokenPipeError:  # the reader went away after the last write: quiet, as `| head` elsewhere
        pass
    except (OSError, ValueError) as exc:  # e.g. a full disk: not a silent success
        if stderr is not None and isinstance(exc, OSError):
            _error(f"could not write the output: {exc.strerror or exc}")
        code = code or 1
    try:
        if stderr is not None:
            stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(code)


if __name__ == "__main__":
    main()
