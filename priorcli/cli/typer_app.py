"""The Typer app: one function per command (sample, summarize, solve, compare, list, info,
explore), which parses the command line and hands off to :mod:`priorcli.commands.family` (or
:mod:`priorcli.explore`); ``run`` and ``main`` start it.

Heavy imports (jax, numpyro, scipy) happen inside the command functions, never at module level,
so ``--help`` and closed-form ``solve`` stay fast.
"""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from priorcli import __version__
from priorcli.errors import InputError, UsageError
from priorcli.cli.edge import (
    PriorGroup, _exit_now, _fewer_collections, _install_interrupt_handler, _install_terminate_handler, _reserve_standard_fds,
    _shutdown_has_work,
)
from priorcli.cli.params import (
    Bins, DEFAULT_QUANTILES_TEXT, Draws, EMIT_HELP, EXTRA_ARGS, FamilyCommand, Force, Format, Linear, LogX,
    NoPlot, Output, PlotFile, PlotRangeText, Quantiles, Seed, Tail, Transform, Truncate, _complete_family, _family_and_tokens,
    _from_source, _input_paths,
)


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
    numpyro_model: Annotated[Optional[str], typer.Option("--numpyro", help="FILE.py:FUNCTION: the prior predictive of your own numpyro model (imports and runs FILE).")] = None,
    arg: Annotated[Optional[list[str]], typer.Option("--arg", help="With --numpyro: NAME=NUMBER, a keyword argument of the function; repeatable.")] = None,
    data: Annotated[Optional[list[str]], typer.Option("--data", help="With --model/--numpyro: NAME=1,2,3 (NAME=5 a number), or a CSV file with a header row (a vector per column) or a JSON object; repeatable.")] = None,
    plot_file: PlotFile = None,
    truncate: Truncate = None,
) -> None:
    """Seeded draws with Monte Carlo and exact summaries side by side, and a histogram."""
    from priorcli.commands import family as commands

    family, tokens = _family_and_tokens(family, ctx)
    if emit is not None and model is None:
        raise UsageError("--emit needs --model (or use 'priorcli compare ... --emit')")
    options = commands.OutputOptions.parse(
        draws=draws, seed=seed, quantiles=quantiles, format=format, log_x=log_x, bins=bins,
        plot=not no_plot, output=None if emit else output, force=force, linear=linear, plot_range=plot_range,
        tail=tail, plot_file=plot_file,
    )
    if plot_file is not None and emit is not None:
        raise UsageError("--plot-file draws the sampled plot; --emit prints a program and samples nothing")
    if truncate is not None and family is None:
        raise UsageError("--truncate applies to a FAMILY; in a model write truncated(D, low=..., high=...)")
    if numpyro_model is not None:
        _sample_numpyro(numpyro_model, model, family, emit, arg, data, show, plot, options)
        return
    if plot is not None and model is None:
        raise UsageError("--plot NAME chooses variables of --model; without a model the one histogram is drawn")
    if arg:
        raise UsageError(f"--arg '{arg[0]}' gives a keyword argument to --numpyro FILE.py:FUNCTION")
    if data and model is None:
        raise UsageError(f"--data '{data[0]}' gives values to a model: use it with --model (or --numpyro)")
    if _from_source("--model", model, family, tokens, transform,
                    "sample needs a FAMILY (e.g. 'priorcli sample lognormal --mu 0 --sigma 1') or --model"):
        if model == "-" and sys.stdin is None:  # started with fd 0 closed (`<&-`)
            raise InputError("--model -: there is no standard input to read")
        from priorcli.commands import model as model_commands

        model_commands.sample_model(model, options, show=show, emit=emit, out=sys.stdout,
                                    emit_output=output if emit else None, plot=plot, data=data)
    else:
        commands.sample_family(family, tokens, transform or [], options, out=sys.stdout, truncate=truncate)


def _sample_numpyro(spec, model, family, emit, arg, data, show, plot, options) -> None:
    if model is not None or family is not None:
        raise UsageError(f"--numpyro '{spec}' samples your numpyro model; give it without "
                         f"{'--model' if model is not None else 'a FAMILY'}")
    if emit is not None:
        raise UsageError("--emit writes a --model as a program; --numpyro already is one")
    from priorcli.commands import model as model_commands

    model_commands.sample_numpyro(spec, options, show=show, out=sys.stdout, plot=plot, data=data, args=arg)


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
    fit: Annotated[Optional[str], typer.Option("--fit", help="With --input: fit FAMILY by maximum likelihood, or rank several by AIC (auto, or F,F,...); hold parameters with --PARAM VALUE (--fit binomial --total-count 10) or NAME(param=value); a mixture: 'Mixture(Normal, Normal)'; Keelin's least-squares metalog: metalog or 'metalog(terms=3, lower=0)'; a list may mix them: 'Normal, Gamma(rate=2), metalog'.")] = None,
    drop_nonfinite: Annotated[bool, typer.Option("--drop-nonfinite", help="With --input: drop NaN/inf values.")] = False,
    log_x: LogX = False,
    bins: Bins = None,
    no_plot: NoPlot = False,
    linear: Linear = False,
    plot_range: PlotRangeText = None,
    tail: Tail = None,
    plot_file: PlotFile = None,
    force: Force = False,
    truncate: Truncate = None,
    emit: Annotated[Optional[str], typer.Option("--emit", help="With --input --fit: print the fitted distribution as one program (variable x): numpyro, stan, stan-prior or pymc.")] = None,
) -> None:
    """Exact summary of a family (no draws needed), or a summary of draws from a file or a pipe."""
    from priorcli.commands import family as commands

    family, tokens = _family_and_tokens(family, ctx)
    options = commands.OutputOptions.parse(
        draws=1, seed=0, quantiles=quantiles, format=format, log_x=log_x, bins=bins, plot=not no_plot,
        output=None, force=force, linear=linear, plot_range=plot_range, tail=tail, plot_file=plot_file,
    )
    fit_tokens = []
    if truncate is not None and input and fit is None:
        raise UsageError("--truncate with --input applies to --fit (the fitted family truncated); "
                         "--input alone summarizes the draws as they are")
    if input:
        input, family, tokens = _input_paths(input, family, tokens)
    if input is not None and fit is not None and family is None and not transform:
        fit_tokens, tokens = tokens, []  # --PARAM VALUE: held parameters of the --fit family
    if _from_source("--input", input or None, family, tokens, transform,
                    "summarize needs a FAMILY (e.g. 'priorcli summarize gamma --alpha 2 --beta 1') or --input"):
        from priorcli.commands.input_summary import summarize_input

        summarize_input(input, options, columns=column, variables=variable, group=group, fit=fit,
                        drop_nonfinite=drop_nonfinite, out=sys.stdout, fit_tokens=fit_tokens, truncate=truncate,
                        emit=emit)
    else:
        if emit is not None:
            raise UsageError("--emit with summarize writes an --input --fit answer as a program; for a FAMILY use "
                             "'priorcli solve FAMILY ... --emit' or 'priorcli compare DIST --emit'")
        commands.summarize_family(family, tokens, transform or [], options, out=sys.stdout, truncate=truncate)


@app.command(cls=FamilyCommand, context_settings=EXTRA_ARGS)
def solve(
    ctx: typer.Context,
    family: Annotated[Optional[str], typer.Argument(help="Distribution family (default lognormal), or a quoted distribution whose undefined names are solved: \"Mixture([w, 1 - w], [Normal(0, 1), Normal(m, s)])\".", autocompletion=_complete_family)] = None,
    format: Format = "table",
    plot: Annotated[bool, typer.Option("--plot", help="Draw the resulting density.")] = False,
    emit: Annotated[Optional[str], typer.Option("--emit", help="Print the solved distribution as one program (variable x): numpyro, stan, stan-prior or pymc.")] = None,
    family_spec: Annotated[Optional[str], typer.Option("--family", help="Fit several families and rank them by loss: auto, or a comma list such as gamma,lognormal,weibull.")] = None,
    plot_file: PlotFile = None,
    force: Force = False,
    truncate: Truncate = None,
    model: Annotated[Optional[str], typer.Option("--model", help="Predictive elicitation: a model (file, '-' or text) whose undefined names are solved from targets VAR:... on its variables.")] = None,
    numpyro_model: Annotated[Optional[str], typer.Option("--numpyro", help="FILE.py:FUNCTION: solve the keyword arguments named by --free from targets on its sites (imports and runs FILE).")] = None,
    free: Annotated[Optional[str], typer.Option("--free", help="With --numpyro: the keyword arguments to solve, comma-separated.")] = None,
    set_: Annotated[Optional[list[str]], typer.Option("--set", help="With --model: NAME=VALUE fixes a free name; repeatable.")] = None,
    data: Annotated[Optional[list[str]], typer.Option("--data", help="With --model/--numpyro: NAME=1,2,3 or a CSV/JSON file, as for sample; repeatable.")] = None,
    arg: Annotated[Optional[list[str]], typer.Option("--arg", help="With --numpyro: NAME=NUMBER, a fixed keyword argument; repeatable.")] = None,
    draws: Draws = 10000,
    seed: Seed = 0,
) -> None:
    """Parameters from the targets you know: --mode, --median, --mean, --sd, --quantile P=V, --lower/--upper/--mass."""
    from priorcli.commands import family as commands

    family, tokens = _family_and_tokens(family, ctx)
    if model is not None or numpyro_model is not None:
        if truncate is not None:
            raise UsageError("--truncate applies to a FAMILY; in a model write truncated(D, low=..., high=...)")
        _solve_predictive(family, tokens, model, numpyro_model, free, set_, data, arg, draws, seed, format, emit,
                          plot or family_spec is not None or plot_file is not None)
        return
    for given, option in ((free, "--free"), (set_, "--set"), (data, "--data"), (arg, "--arg")):
        if given:
            raise UsageError(f"{option} belongs to predictive elicitation: solve --model SPEC or --numpyro FILE.py:F")
    if family_spec is not None:  # several families ranked (priorcli.ranking)
        from priorcli.commands import ranked as rank_commands

        if family is not None or plot or emit is not None or plot_file is not None:
            raise UsageError("--family ranks several families: give no FAMILY, --plot, --plot-file or --emit with it "
                             "(use them on the winner: 'solve FAMILY ...')")
        rank_commands.solve_ranked(family_spec, tokens, format=format, out=sys.stdout, truncate=truncate)
        return
    if plot_file is not None:
        if emit is not None:
            raise UsageError("--plot-file draws the solved density; --emit prints a program instead")
        from priorcli.commands.options import check_plot_file

        check_plot_file(plot_file, force)
    commands.solve(family or "lognormal", tokens, format=format, plot=plot, out=sys.stdout, emit=emit,
                   plot_file=plot_file, force=force, truncate=truncate)


def _solve_predictive(family, tokens, model, numpyro_model, free, sets, data, arg, draws, seed, format, emit,
                      other) -> None:
    from priorcli.commands import predictive

    if family is not None or other or (model is not None and numpyro_model is not None):
        raise UsageError("solve --model/--numpyro solves a model's hyperparameters: give no FAMILY, --family, --plot "
                         "or --plot-file, and one of --model and --numpyro")
    if format not in ("table", "json"):
        raise UsageError(f"--format {format}: solve --model/--numpyro prints a table or json")
    if draws < 2:
        raise UsageError(f"--draws must be at least 2, got {draws}")
    if not 0 <= seed < 2**63:
        raise UsageError(f"--seed must be an integer in [0, 2^63), got {seed}")
    if model is not None:
        if free or arg:
            raise UsageError("--free and --arg go with --numpyro; a --model's free names are those it never defines "
                             "(fix some with --set NAME=VALUE)")
        predictive.solve_model(model, tokens, sets=sets, data=data, draws=draws, seed=seed, format=format,
                               emit=emit, out=sys.stdout)
        return
    if sets or emit is not None:
        raise UsageError("--set and --emit go with --model; with --numpyro fix arguments with --arg NAME=VALUE")
    predictive.solve_numpyro(numpyro_model, tokens, free_text=free, data=data, args=arg, draws=draws, seed=seed,
                             format=format, out=sys.stdout)


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
    plot_file: PlotFile = None,
    force: Force = False,
) -> None:
    """Several distributions side by side: one quantile table, overlaid histograms."""
    from priorcli.commands import family as commands

    options = commands.OutputOptions.parse(
        draws=draws, seed=seed, quantiles=quantiles, format=format, log_x=log_x, bins=bins,
        plot=not no_plot, output=None, force=force, linear=linear, plot_range=plot_range, tail=tail,
        plot_file=plot_file,
    )
    if plot_file is not None and emit is not None:
        raise UsageError("--plot-file draws the compared densities; --emit prints a program instead")
    commands.compare(specs, options, out=sys.stdout, emit=emit)


@app.command(name="list")
def list_families(format: Format = "table") -> None:
    """Every family, its parameters and support."""
    from priorcli.commands import listing

    listing.list_families(format, out=sys.stdout)


@app.command()
def info(family: Annotated[str, typer.Argument(help="Distribution family.", autocompletion=_complete_family)],
         format: Format = "table") -> None:
    """Parameters, aliases, support, closed forms and an example command for FAMILY."""
    from priorcli.commands import listing

    listing.info(family, format, out=sys.stdout)


@app.command()
def elicit(
    session: Annotated[str, typer.Argument(help="The session file (TOML): the quantity, the candidate families, each expert's judgements; see the README.")],
    format: Format = "table",
    plot_file: PlotFile = None,
    report: Annotated[Optional[str], typer.Option("--report", help="Also write the session as a report: FILE.md or FILE.html (self-contained, the figure as SVG); the same command writes the same bytes.")] = None,
    force: Force = False,
) -> None:
    """Several experts: each one's ranked fit with feedback, the linear and logarithmic pools."""
    from priorcli.commands.elicit import elicit as run_elicit

    run_elicit(session, format=format, out=sys.stdout, plot_file=plot_file, force=force, report=report,
               version=__version__)


@app.command(cls=FamilyCommand, context_settings=EXTRA_ARGS)
def explore(
    ctx: typer.Context,
    family: Annotated[Optional[str], typer.Argument(help="Distribution family (default lognormal).",
                                                    autocompletion=_complete_family)] = None,
    roulette: Annotated[bool, typer.Option("--roulette", help="Drop chips into bins; families are fitted to them.")] = False,
    range_: Annotated[Optional[str], typer.Option("--range", help="With --roulette: LO,HI, the range the bins cover.")] = None,
    bins: Annotated[Optional[int], typer.Option("--bins", help="With --roulette: number of bins (default 10).")] = None,
    output: Annotated[Optional[str], typer.Option("--output", help="Also write the chosen distribution as solve's JSON document (.json); with --roulette, FILE.toml saves the chips as a 'priorcli elicit' session.")] = None,
    force: Force = False,
    truncate: Truncate = None,
) -> None:
    """Interactive, in the terminal: turn the parameters, type targets, switch family, or play the roulette."""
    from priorcli.explore.run import explore as run_explore

    family, tokens = _family_and_tokens(family, ctx)
    code = run_explore(family, tokens, roulette=roulette, range_text=range_, bins=bins, output=output, force=force,
                       out=sys.stdout, truncate=truncate)
    if code:
        raise typer.Exit(code)


def run() -> None:
    """The whole command line, ending in SystemExit like any Typer app (what tests drive in-process)."""
    # One program name however priorcli is started (also `python -m priorcli`): the usage line and
    # the shell-completion variable (_PRIORCLI_COMPLETE) depend on it.
    # The signal handlers go in here, before Typer builds the click command (which takes a moment),
    # and again in PriorGroup.main, which in-process callers (CliRunner) reach without run().
    _install_interrupt_handler()
    _reserve_standard_fds()
    _install_terminate_handler()
    app(prog_name="priorcli")


def main() -> None:
    """The console script and ``python -m priorcli``: :func:`run`, then leave without tearing down.

    Once a command has finished, the interpreter's own shutdown (freeing jax's, numpyro's and scipy's
    modules one by one) takes ~0.25 s on its own, longer than sampling 10,000 draws. Nothing of
    priorcli's is left to do by then: output files are closed and renamed into place before the command
    returns. So flush the standard streams, run the atexit callbacks (jax's clean-up) and exit at once.
    Garbage is collected less often meanwhile (``edge._fewer_collections``)."""
    _fewer_collections()
    try:
        run()
    except SystemExit as exc:
        code = exc.code
        if code is None:
            code = 0
        if not isinstance(code, int) or _shutdown_has_work():
            raise  # the ordinary shutdown: prints a text code, joins threads, lets tools write
        _exit_now(code)


if __name__ == "__main__":
    main()
