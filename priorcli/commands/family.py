"""One plain function per command: parse -> build distribution -> compute -> render.

Called by ``cli.py`` with already-split arguments; raises PriorError subclasses and never exits.
Keep module-level imports light: ``solve`` must run without jax.
"""

from __future__ import annotations

from typing import TextIO

from priorcli.render import output as render
from priorcli.api import Built, build, solve_pairs
from priorcli.errors import UsageError
from priorcli.families.registry import FamilyInfo, resolve, split_extra_args
from priorcli.commands import lkj, metalog, quoted, sample_output
from priorcli.commands.options import OutputOptions, write_figure
from priorcli.stats.exact import DistSpec, Summary

# ---------------------------------------------------------------------------------------------
# Building a DistSpec from FAMILY --param value ... --transform T


def build_spec(family_name: str, tokens: list[str], transform_texts: list[str], *, fast: bool = False,
               truncate: str | None = None) -> Built:
    """Resolve the family, parse its parameters and targets, solve when targets are given (the
    Python API's builder, fed the command line's pairs); a least-squares fit's misses are warned of."""
    built = build(family_name, split_extra_args(tokens), transform_texts, fast=fast, truncate=truncate)
    for warning in built.warnings:
        render.stderr_line(warning)
    return built


def solve_params(family: FamilyInfo, targets, fixed: dict) -> dict:
    from priorcli.solving import solve_params

    return solve_params(family.name, targets, fixed)


# ---------------------------------------------------------------------------------------------
# sample


def sample_family(family_name: str, tokens: list[str], transform_texts: list[str], options: OutputOptions,
                  out: TextIO, truncate: str | None = None) -> None:
    from priorcli.stats import monte_carlo as mc_stats
    from priorcli.sampling import draws as sampling

    if lkj.handles(family_name):  # correlation matrices, read through one correlation's marginal
        _no_truncation(family_name, truncate)
        return lkj.sample(family_name, tokens, transform_texts, options, out)
    if metalog.handles(family_name):  # Keelin's metalog: a quantile function, not a numpyro family
        _no_truncation(family_name, truncate)
        return metalog.sample(family_name, tokens, transform_texts, options, out)
    # A family with a record is resolved from it (no numpyro import: a stored sampler runs without it)
    built = build_spec(family_name, tokens, transform_texts, fast=not transform_texts, truncate=truncate)
    spec = built.spec
    streamed = not spec.family.multivariate and options.draws > sampling.CHUNK
    # Streamed draws are set going first: jax computes them on its own threads while the exact
    # summaries (scipy's) are worked out; nothing is written before both are done.
    chunks = sampling.draw_chunks(spec, options.draws, options.seed) if streamed else None
    exact_dist, exact = _exact_of(spec, options)
    discrete = spec.family.discrete
    if not streamed:
        values = sampling.draw(spec, options.draws, options.seed)
        if sample_output.write_draws(values, options, out):
            return
        if not spec.family.multivariate:
            values = exact_dist.on_support(values)  # an angle: on the interval its exact values use
        if spec.family.multivariate:
            mc = [mc_stats.mc_summary(values[:, i], options.quantiles, label=f"component {i}")
                  for i in range(_shown_components(values.shape[1], options.format))]
        else:
            mc = [mc_stats.mc_summary(values, options.quantiles, discrete=discrete)]
        draws = values if spec.family.multivariate else mc_stats.InMemoryDraws(values, discrete)
        share = None if zero_mass(spec) is None else float((values == 0).mean())
    else:
        share = None
        draws = _stream_draws(spec, exact_dist, options, out, chunks)
        if options.format == "raw":
            return
        mc = [draws.summary(options.quantiles)]
    render.write_range_notes([(s.label, s) for s in mc])
    plot = None
    if options.charts:  # built before anything is printed: a range that cannot be drawn prints nothing
        mode = exact[0].mode if exact and exact[0].mode is not None else mc[0].mode
        plot = _plot_draws(spec, exact_dist, draws, options, mode)
    doc = {
        "family": spec.family.name,
        "params": _params_json(spec),
        "transforms": [str(t) for t in spec.transforms],
        **_truncate_json(spec),
        "seed": options.seed,
        "draws": options.draws,
        "mc": render.summaries_json(mc, spec.family.multivariate),
        "exact": render.summaries_json(exact, spec.family.multivariate),
        **({} if zero_mass(spec) is None else {"p_zero": {"mc": share, "exact": zero_mass(spec)}}),
    }
    sample_output.write_report(options, out, label=spec.label(), plot=plot, doc=doc, mc=mc, exact=exact,
                               title=_sample_title(built, options, share))


def _sample_title(built: Built, options: OutputOptions, share: float | None) -> str:
    """sample FAMILY's table title: the family, the draws and seed, P(X = 0), what it was solved from."""
    spec = built.spec
    title = f"{spec.label()}: {options.draws} draws, seed {options.seed}"
    if zero_mass(spec) is not None:
        shown = "" if share is None else f"Monte Carlo {render.fmt(share)}, "
        title += f"\nP(X = 0): {shown}exact {render.fmt(zero_mass(spec))}"
    title += _solved_from(built)
    return title


def _solved_from(built: Built) -> str:
    """The title's line of the targets a family was solved from (and how approximate), or nothing."""
    if not built.solved_from:
        return ""
    text = "\nsolved from " + ", ".join(f"{k}={render.fmt(v)}" for k, v in built.solved_from.items())
    return text + (f": {built.approximate}" if built.approximate else "")


def _exact_of(spec: DistSpec, options: OutputOptions):
    """(the exact distribution, the exact summaries): one distribution serves the table, the
    streaming range and the plotted density (None for a vector family, summarised by component)."""
    from priorcli.stats import exact as stats

    exact_dist = None if spec.family.multivariate else stats.ExactDistribution(spec)
    if exact_dist is not None:
        exact_dist.check_representable()
    return exact_dist, (stats.exact_summaries(spec, options.quantiles) if exact_dist is None
                        else [exact_dist.summary(options.quantiles)])


def _params_json(spec: DistSpec) -> dict:
    """The JSON ``params``: the family's own document where it has one (a Mixture's weights and
    components, ``priorcli.stats.mixture``), else its parameters by name."""
    document = getattr(spec.family, "params_document", None)
    return document(spec.params) if document else render.params_json(spec.params)


def _stream_draws(spec: DistSpec, exact, options: OutputOptions, out: TextIO, chunks):
    """More draws than one chunk (``chunks``, sampling.draw_chunks's): never hold them all;
    summarise, write and print chunk by chunk."""
    from contextlib import ExitStack

    import numpy as np

    from priorcli.sampling import draws as sampling

    low_p = min(min(options.quantiles), 0.005) / 100
    high_p = 1 - (1 - max(max(options.quantiles), 0.995)) / 100
    accumulator = None
    with ExitStack() as stack:
        writer = stack.enter_context(render.DrawsWriter(options.output, options.draws, force=options.force)) \
            if options.output else None
        progress = stack.enter_context(render.Progress(options.draws, "sampling", enabled=options.draws > 4 * sampling.CHUNK))
        for chunk in chunks:
            if accumulator is None:
                lo, hi = exact.quantile(low_p), exact.quantile(high_p)
                if lo is None or hi is None or not hi > lo:
                    # No exact quantiles: the first chunk's finite range, widened by half its width.
                    finite = chunk[np.isfinite(chunk)]
                    lo, hi = np.quantile(finite, [low_p, high_p]) if finite.size else (0.0, 1.0)
                    with np.errstate(all="ignore"):  # positive draws keep a positive (log-binned) range
                        lo, hi = (lo / 2, min(1.5 * hi, 1.7e308)) if lo > 0 else \
                            (max(lo - 0.5 * (hi - lo), -8e307), min(hi + 0.5 * (hi - lo), 8e307))
                accumulator = sampling.StreamingDraws.for_range(lo, hi, discrete=spec.family.discrete)
            accumulator.add(exact.on_support(chunk))
            if writer is not None:
                writer.write(chunk)
            if options.format == "raw":
                render.write_raw(chunk, out)
            progress.advance(len(chunk))
    return accumulator


def _truncate_json(spec: DistSpec) -> dict:
    """``{"truncate": [low, high]}`` (null for an open end) for a truncated family, else nothing."""
    return {} if spec.truncate is None else {"truncate": spec.truncate.as_json()}


def _no_truncation(family_name: str, truncate) -> None:
    if truncate is not None:
        raise UsageError(f"--truncate applies to a continuous univariate numpyro family, not to {family_name}")


MAX_SHOWN_COMPONENTS = 3  # as many as a 100-column table shows legibly; thousands took minutes to draw


def _shown_components(count: int, format: str) -> int:
    """How many of a vector family's components a table and its plots show: all in json and csv,
    at most MAX_SHOWN_COMPONENTS in a table (with a note saying so)."""
    if format in ("json", "csv") or count <= MAX_SHOWN_COMPONENTS:
        return count
    render.stderr_line(f"Note: the table and plots show components 0 to {MAX_SHOWN_COMPONENTS - 1} of {count}; "
                       "--format json or csv has them all")
    return MAX_SHOWN_COMPONENTS


def _plot_draws(spec: DistSpec, exact, draws, options: OutputOptions, mode: float | None):
    """A charts.Chart (the range rule), or a Dirichlet's component histograms on [0, 1]."""
    from priorcli.plot import charts
    from priorcli.stats import monte_carlo as mc_stats
    from priorcli.stats import exact as stats

    if spec.family.multivariate:
        components = stats.components(spec)[:MAX_SHOWN_COMPONENTS]  # as the table (plots are table-only)
        return [
            mc_stats.histogram(draws[:, i], bins=options.bins, log_x=options.log_x, discrete=False,
                            exact=stats.ExactDistribution(c), label=f"component {i}", span=(0.0, 1.0))
            for i, c in enumerate(components)
        ]
    return charts.family_chart(spec, exact, draws, options, mode)


def charts_module():
    from priorcli.plot import charts

    return charts


# ---------------------------------------------------------------------------------------------
# summarize


def summarize_family(family_name: str, tokens: list[str], transform_texts: list[str], options: OutputOptions,
                     out: TextIO, truncate: str | None = None) -> None:
    from priorcli.stats import exact as stats

    if lkj.handles(family_name):
        _no_truncation(family_name, truncate)
        return lkj.summarize(family_name, tokens, transform_texts, options, out)
    if metalog.handles(family_name):
        _no_truncation(family_name, truncate)
        return metalog.summarize(family_name, tokens, transform_texts, options, out)
    built = build_spec(family_name, tokens, transform_texts, fast=not transform_texts, truncate=truncate)
    spec = built.spec
    exact = None if spec.family.multivariate else stats.ExactDistribution(spec)
    if exact is not None:
        exact.check_representable()
    summaries = stats.exact_summaries(spec, options.quantiles) if exact is None else [exact.summary(options.quantiles)]
    support = None if exact is None else exact.support
    p_zero = zero_mass(spec)
    _summary_figure(spec, exact, summaries, options)
    if options.format == "json":
        render.write_json(
            {
                "family": spec.family.name,
                "params": _params_json(spec),
                "transforms": [str(t) for t in spec.transforms],
                **_truncate_json(spec),
                "support": None if support is None else [render.json_number(v) for v in support],
                **({} if p_zero is None else {"p_zero": p_zero}),
                "summary": render.summaries_json(summaries, spec.family.multivariate),
            },
            out,
        )
        return
    if spec.family.multivariate and options.format == "table":
        summaries = summaries[:_shown_components(len(summaries), options.format)]
    headers = [s.label or "exact" for s in summaries]
    if options.format in ("csv", "raw"):
        render.write_summary_csv(headers, summaries, out)
        return
    title = spec.label()
    if support is not None:
        title += "\nsupport " + render.support_text(*support, spec.family.discrete, bool(p_zero))
    if p_zero is not None:
        title += f"\nP(X = 0) = {render.fmt(p_zero)}"
    title += _solved_from(built)
    render.write_summary_table(title, headers, summaries, out)


def zero_mass(spec: DistSpec) -> float | None:
    """P(X = 0) of a zero-inflated or hurdle family (its record's ``zero_mass``), untransformed."""
    record = spec.family.closed
    if spec.transforms or record is None or record.zero_mass is None:
        return None
    return record.zero_mass(**spec.params)


def _summary_figure(spec: DistSpec, exact, summaries: list[Summary], options: OutputOptions) -> None:
    """summarize FAMILY --plot-file (it has no terminal plot): the exact density on the range
    rule's range, or a Dirichlet's component densities (as solve --plot draws them)."""
    if options.plot_file is None:
        return
    if exact is None:
        plot = _density_curves(spec.family.name, spec.params)
    else:
        plot = charts_module().exact_chart(spec, exact, options, summaries[0].mode)
    write_figure(options, [(spec.label(), plot)])


# ---------------------------------------------------------------------------------------------
# solve


def solve(family_name: str, tokens: list[str], *, format: str, plot: bool, out: TextIO,
          emit: str | None = None, plot_file: str | None = None, force: bool = False,
          truncate: str | None = None) -> None:
    from priorcli import emit as emitters
    from priorcli.solving import Underdetermined

    if format not in ("table", "json"):
        raise UsageError(f"--format for solve must be table or json, got '{format}'")
    emit = None if emit is None else emitters.parse_target(emit)
    if lkj.handles(family_name):
        _no_truncation(family_name, truncate)
        if emit is not None:
            raise UsageError("--emit writes a program of one variable; for LKJ use the code lines solve prints")
        return lkj.solve(family_name, tokens, format=format, plot=plot, out=out, plot_file=plot_file, force=force)
    if metalog.handles(family_name):
        _no_truncation(family_name, truncate)
        return metalog.solve(family_name, tokens, format=format, plot=plot, out=out, emit=emit, plot_file=plot_file,
                             force=force)
    if quoted.handles(family_name):  # "Mixture([0.3, 0.7], [Normal(0, 1), Normal(m, s)])": free names solved
        return quoted.solve(family_name, tokens, format=format, plot=plot, out=out, emit=emit, plot_file=plot_file,
                            force=force, truncate=truncate)
    result = solve_pairs(family_name, split_extra_args(tokens), truncate=truncate)
    for warning in getattr(result, "misses", None) and result.miss_warnings() or ():
        render.stderr_line(warning)
    if (plot or plot_file) and isinstance(result, Underdetermined):
        raise UsageError(f"{'--plot' if plot else '--plot-file'} needs a unique solution; "
                         "these targets leave a parameter free")
    if emit is not None:
        if isinstance(result, Underdetermined):
            raise UsageError("--emit needs a unique solution; these targets leave a parameter free")
        command = "priorcli solve " + " ".join([result.family.lower(), *tokens])
        render.write_text(emitters.distribution_program(result.family, result.params, emit, command,
                                                        truncate=getattr(result, "truncate", None)), out)
        return
    curves = _density_curves(result.family, result.params) if plot or plot_file else None
    if plot_file is not None:
        from priorcli.render import figure

        figure.write_figure(plot_file, [(f"{result.family}: {result.numpyro_code}", curves)], force=force)
    if isinstance(result, Underdetermined):
        if format == "json":
            render.write_json(
                {
                    "family": result.family,
                    "underdetermined": True,
                    "relation": result.relation,
                    "solutions": [{"params": render.params_json(s["params"])} for s in result.solutions],
                },
                out,
            )
            return
        render.write_lines([f"{result.family}: the targets leave one parameter free: {result.relation}"], out)
        names = list(result.solutions[0]["params"]) if result.solutions else []
        rows = [tuple(render.fmt(s["params"][n]) for n in names) for s in result.solutions]
        render.write_params_table("some solutions", rows, names, out)
        return
    if format == "json":
        render.write_json(render.solution_json(result), out)
        return
    rows = [(name, render.fmt(value, 10)) for name, value in result.params.items()]
    title = f"{result.family} from the targets"
    if result.method == "least-squares":
        title += f" (approximate: least-squares fit, loss {render.fmt(result.loss, 4)})"
    render.write_params_table(title, rows, ["parameter", "value"], out)
    render.write_targets_table(result, out)
    lines = render.code_lines_text(result.numpyro_code, result.stan_code, result.pymc_code)
    lines += [f"note: {note}" for note in result.notes]
    render.write_lines(lines, out)
    if plot:
        render.write_histograms(curves, out)


def _density_curves(family_name: str, params: dict) -> list:
    """The exact density (or pmf) curves of a solved family (``charts.spec_density_curves``)."""
    return charts_module().spec_density_curves(DistSpec(resolve(family_name), dict(params)), family_name)


# ---------------------------------------------------------------------------------------------
# list and info


# ---------------------------------------------------------------------------------------------
# Model language and compare (wired to priorcli.model.parse)


def compare(specs: list[str], options: OutputOptions, out: TextIO, emit: str | None = None) -> None:
    import numpy as np

    from priorcli.model import parse as lang
    from priorcli.stats import monte_carlo as mc_stats
    from priorcli.sampling import draws as sampling
    from priorcli.stats import exact as stats
    from priorcli.model.numpyro import dist_spec

    if not specs:
        raise UsageError("compare needs at least one distribution, e.g. \"LogNormal(1, 1)\"")
    if emit is not None:
        # One variable per distribution, d1, d2, ..., in one program.
        statements = tuple(lang.Statement(f"d{i}", "~", lang.parse_distribution(text), i, f"d{i} ~ {text.strip()}")
                           for i, text in enumerate(specs, start=1))
        model = lang.Model(statements)
        from priorcli.commands.model import write_emitted

        write_emitted(model, emit, options, model.names, "priorcli compare ...", None, out)
        return
    built = []
    for text in specs:
        dexpr = lang.parse_distribution(text)
        args, kwargs, transforms = lang.evaluate_distribution(dexpr)
        built.append((text, dist_spec(dexpr.family, args, kwargs, transforms)))
    rows = []
    for i, (text, spec) in enumerate(built):
        exact = stats.exact_summaries(spec, options.quantiles)
        draws = sampling.draw(spec, options.draws, options.seed)
        if spec.family.multivariate:
            raise UsageError(f"compare takes univariate distributions; '{text}' is multivariate")
        mc = mc_stats.mc_summary(draws, options.quantiles, discrete=spec.family.discrete)
        render.write_range_notes([(text, mc)])
        rows.append((text, spec, draws, mc, exact[0]))
    chart = charts_module().compare_chart(rows, options) if options.charts else None  # before any output
    write_figure(options, [("", chart)])
    if options.format == "json":
        render.write_json(
            {"seed": options.seed, "draws": options.draws,
             "distributions": [{"spec": text, "mc": render.summary_json(mc), "exact": render.summary_json(exact)}
                               for text, _, _, mc, exact in rows]},
            out,
        )
        return
    if options.format == "raw":  # the draws, a column each (d1, d2, ... as --emit names them)
        several = len(rows) > 1
        render.write_raw(np.column_stack([draws for _, _, draws, _, _ in rows]) if several else rows[0][2], out,
                         names=[f"d{i}" for i in range(1, len(rows) + 1)] if several else None)
        return
    headers, columns = [], []
    for i, (text, _, _, mc, exact) in enumerate(rows, start=1):
        headers += [f"[{i}] MC", f"[{i}] exact"]
        columns += [mc, exact]
    if options.format == "csv":
        render.write_summary_csv(headers, columns, out)
        return
    title = f"{len(rows)} distributions: {options.draws} draws each, seed {options.seed}\n" + "\n".join(
        f"[{i}] {text}" for i, (text, *_) in enumerate(rows, start=1))
    render.write_summary_table(title, headers, columns, out)
    if options.plot:
        render.write_chart(chart, out)
