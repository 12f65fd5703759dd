"""The options every output command shares (DESIGN.md's table): -n, --seed, --quantiles, --format,
the axis and range options, --bins, --output, --plot-file; parsed and checked once, as numbers."""

from __future__ import annotations

from dataclasses import dataclass

from priorcli.render import outfile
from priorcli.render import output as render
from priorcli.errors import UsageError
from priorcli.families.registry import parse_probability

OUTPUT_SUFFIXES = render.DRAWS_SUFFIXES  # what render.DrawsWriter writes
MAX_BINS = 10_000  # --bins: more than a plot can show; a billion bins ate memory for minutes


@dataclass(frozen=True)
class OutputOptions:
    draws: int
    seed: int
    quantiles: tuple[float, ...]
    format: str
    log_x: bool
    bins: int | None
    plot: bool
    output: str | None
    force: bool
    linear: bool = False  # --linear: never a log axis
    plot_range: tuple[float, float] | None = None  # --range LO,HI
    tail: float | None = None  # --tail P: from the P to the 1 - P quantile
    plot_file: str | None = None  # --plot-file FILE.png|svg|pdf: the plot as a figure (matplotlib)

    @property
    def charts(self) -> bool:
        """Whether the chart data is needed: a terminal plot (tables only) or a figure file."""
        return self.plot_file is not None or (self.plot and self.format == "table")

    @property
    def axis(self) -> str:
        return "log" if self.log_x else "linear" if self.linear else "auto"

    @classmethod
    def parse(cls, *, draws, seed, quantiles, format, log_x, bins, plot, output, force, linear=False,
              plot_range=None, tail=None, plot_file=None) -> "OutputOptions":
        if draws < 1:
            raise UsageError(f"--draws must be at least 1, got {draws}")
        if format not in render.FORMATS:
            raise UsageError(f"--format must be one of {', '.join(render.FORMATS)}, got '{format}'")
        if not 0 <= seed < 2**63:
            raise UsageError(f"--seed must be an integer in [0, 2^63), got {seed}")
        if bins is not None and not 1 <= bins <= MAX_BINS:
            raise UsageError(f"--bins must be between 1 and {MAX_BINS}, got {bins}")
        if output is not None and not output.lower().endswith(OUTPUT_SUFFIXES):
            raise UsageError(f"--output '{output}' must end in {', '.join(OUTPUT_SUFFIXES)}")
        if output is not None:
            outfile.check_target(output, force)  # before any work; checked again when put in place
        check_plot_file(plot_file, force, output, format)
        return cls(draws, seed, parse_quantile_list(quantiles), format, log_x, bins, plot, output, force,
                   *_parse_plot_range_options(log_x, linear, plot_range, tail), plot_file)


def check_plot_file(plot_file: str | None, force: bool, output: str | None = None, format: str = "table") -> None:
    """--plot-file: a .png, .svg or .pdf name, not --output's, a place it may be written (checked
    again when it is put in place); there is no plot beside --format raw's bare draws."""
    import os

    if plot_file is None:
        return
    from priorcli.render import figure

    figure.check_suffix(plot_file)
    if format == "raw":
        raise UsageError(f"--plot-file '{plot_file}' draws the plot, and --format raw prints only the draws; "
                         "use --format table, json or csv")
    if output is not None and os.path.abspath(output) == os.path.abspath(plot_file):
        raise UsageError(f"--plot-file '{plot_file}' is also the --output file; give two names")
    outfile.check_target(plot_file, force, "--plot-file")


def _parse_plot_range_options(log_x: bool, linear: bool, plot_range: str | None, tail: str | None):
    """--linear, --range LO,HI and --tail P (see priorcli.plot.range): checked, as numbers."""
    from priorcli.families.registry import parse_number

    if log_x and linear:
        raise UsageError("--log-x and --linear exclude each other")
    if plot_range is not None and tail is not None:
        raise UsageError("--range and --tail exclude each other; give one")
    bounds = None
    if plot_range is not None:
        parts = plot_range.split(",")
        if len(parts) != 2:
            raise UsageError(f"--range must be LO,HI (two numbers), got '{plot_range}'")
        bounds = tuple(parse_number(p.strip(), "--range") for p in parts)
        if not bounds[0] < bounds[1]:
            raise UsageError(f"--range needs LO < HI, got '{plot_range}'")
    share = None
    if tail is not None:
        share = parse_number(tail.strip(), "--tail")
        if not 0 < share < 0.5:
            raise UsageError(f"--tail is the mass left out on each side, in (0, 0.5), got '{tail}'")
    return linear, bounds, share


def write_figure(options: OutputOptions, panels) -> None:
    """--plot-file: the plots (title, Chart or list of Histograms) as one figure file, when asked."""
    if options.plot_file is not None:
        from priorcli.render import figure

        figure.write_figure(options.plot_file, panels, force=options.force)


def parse_quantile_list(text: str) -> tuple[float, ...]:
    parts = text.split(",")
    if not text.strip() or any(not p.strip() for p in parts):
        raise UsageError(f"--quantiles must be comma-separated probabilities like 0.05,0.5,0.95, got '{text}'")
    return tuple(parse_probability(p, "--quantiles") for p in parts)
