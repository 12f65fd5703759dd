"""``summarize``, ``sample`` and ``solve`` of LKJ and LKJCholesky: correlation matrices, read
through the exact marginal of one correlation (see :mod:`priorcli.records.lkj`).

The marginal is a priorcli distribution like any other (Beta(a, a) moved to [-1, 1]), so its
summary is the Summary document, its density and plot those of every family; the two keys an LKJ
adds, ``dimension`` and ``concentration``, and the probability P(|r| < 0.5) (``lkj.P_KEY``) sit
beside them. Keep module-level imports light: ``solve lkj`` runs without jax.
"""

from __future__ import annotations

from typing import TextIO

from priorcli.commands import sample_output
from priorcli.commands.options import OutputOptions, write_figure
from priorcli.errors import UsageError
from priorcli.families import lkj_args
from priorcli.families.registry import parse_number, parse_probability, split_extra_args
from priorcli.records import lkj
from priorcli.render import output as render

def handles(family_name: str | None) -> bool:
    return lkj.family_name(family_name) is not None


def _parse(family_name: str, tokens: list[str], transform_texts: list[str], targets: bool = False):
    """(family, params or None, targets): --dimension K and --concentration ETA (alias --eta;
    numpyro's default 1), and with ``targets`` solve's --lower/--upper/--mass or --quantile P=V."""
    family = lkj.family_name(family_name)
    if transform_texts:
        raise UsageError(f"--transform applies to univariate families; {family} draws correlation matrices")
    args = lkj_args.read(family, split_extra_args(tokens), lambda name: f"--{name}", targets)
    concentration = args.concentration
    if concentration is None and (not targets or not args.targets):
        concentration = 1.0
    return family, args.dimension, concentration, args.targets


def _title(family: str, params: lkj.LKJParams) -> str:
    a = render.fmt(params.shape)
    return (f"{family}(dimension={params.dimension}, concentration={render.fmt(params.concentration)}): one "
            f"correlation r, (r + 1) / 2 ~ Beta({a}, {a})")


def _exact_summary(exact, params: lkj.LKJParams, probs):
    """The marginal's exact Summary, with its closed forms: mean = median = 0 (the 0.5 quantile
    too), sd 1 / sqrt(2 a + 1) (quadrature and scipy's betaincinv give them to about 1e-10)."""
    from dataclasses import replace

    summary = exact.summary(probs)
    quantiles = {p: (0.0 if p == 0.5 else q) for p, q in summary.quantiles.items()}
    return replace(summary, mean=0.0, median=0.0, sd=lkj.marginal_sd(params), quantiles=quantiles)


def _p_abs(params: lkj.LKJParams) -> float:
    return lkj.interval_mass(params.dimension, params.concentration, -lkj.HALF_WIDTH, lkj.HALF_WIDTH)


def _summary_doc(summary, p_abs: float) -> dict:
    return {**render.summary_json(summary), lkj.P_KEY: render.json_number(p_abs)}


def _head_json(family: str, params: lkj.LKJParams) -> dict:
    return {
        "family": family,
        "params": {"dimension": params.dimension, "concentration": params.concentration},
        "transforms": [],
        "dimension": params.dimension,
        "concentration": params.concentration,
        "marginal": f"(r + 1) / 2 ~ Beta({params.shape!r}, {params.shape!r})",
    }


def _density_curve(exact, label: str):
    import numpy as np

    from priorcli.stats import monte_carlo as mc_stats

    grid = np.linspace(-1.0, 1.0, 201)[1:-1]
    with np.errstate(all="ignore"):
        density = np.exp(exact.log_density(grid))
    return mc_stats.Histogram([], [], grid.tolist(), density.tolist(), False, label, False)


# ---------------------------------------------------------------------------------------------
# summarize


def summarize(family_name: str, tokens: list[str], transform_texts: list[str], options: OutputOptions,
              out: TextIO) -> None:
    from priorcli.sampling import lkj as lkj_draws
    from priorcli.stats import exact as stats

    family, dimension, concentration, _ = _parse(family_name, tokens, transform_texts)
    params = lkj.LKJParams(dimension, concentration)
    exact = stats.ExactDistribution(lkj_draws.marginal_spec(params))
    summary, p_abs = _exact_summary(exact, params, options.quantiles), _p_abs(params)
    curve = _density_curve(exact, "r") if options.charts else None
    write_figure(options, [(_title(family, params), [curve])])
    if options.format == "json":
        doc = {**_head_json(family, params), "support": [-1.0, 1.0], "summary": _summary_doc(summary, p_abs)}
        render.write_json(doc, out)
        return
    if options.format in ("csv", "raw"):
        render.write_summary_csv(["exact"], [summary], out)
        return
    render.write_summary_table(_title(family, params) + "\nsupport (-1, 1)", ["exact"], [summary], out)
    render.write_lines([f"P(|r| < {lkj.HALF_WIDTH:g}) = {render.fmt(p_abs)}"], out)
    if options.plot:
        render.write_histograms([curve], out)


# ---------------------------------------------------------------------------------------------
# sample


def sample(family_name: str, tokens: list[str], transform_texts: list[str], options: OutputOptions,
           out: TextIO) -> None:
    """Draw matrices (numpyro), report r[0,1]'s Monte Carlo summary beside the exact marginal;
    --format raw and --output carry every correlation above the diagonal, one column each."""
    import numpy as np

    from priorcli.sampling import lkj as lkj_draws
    from priorcli.stats import exact as stats
    from priorcli.stats import monte_carlo as mc_stats

    family, dimension, concentration, _ = _parse(family_name, tokens, transform_texts)
    params = lkj.LKJParams(dimension, concentration)
    exact = stats.ExactDistribution(lkj_draws.marginal_spec(params))
    exact_summary = _exact_summary(exact, params, options.quantiles)
    matrices = lkj_draws.draw_matrices(family, params, options.draws, options.seed)
    values, names = lkj_draws.correlations(matrices), lkj_draws.correlation_names(dimension)
    if sample_output.write_draws(values, options, out, names if len(names) > 1 else None):
        return
    first = values[:, 0]
    mc = mc_stats.mc_summary(first, options.quantiles, label=names[0])
    mc_p, p_abs = float(np.mean(np.abs(first) < lkj.HALF_WIDTH)), _p_abs(params)
    plot = None
    if options.charts:
        plot = [mc_stats.histogram(first, bins=options.bins, log_x=False, discrete=False, exact=exact,
                                   label=names[0], span=(-1.0, 1.0))]
    doc = {**_head_json(family, params), "seed": options.seed, "draws": options.draws,
           "mc": _summary_doc(mc, mc_p), "exact": _summary_doc(exact_summary, p_abs)}
    lines = [f"P(|r| < {lkj.HALF_WIDTH:g}): Monte Carlo {render.fmt(mc_p)}, exact {render.fmt(p_abs)}"]
    sample_output.write_report(options, out, label=_title(family, params), plot=plot, doc=doc, mc=[mc],
                               exact=[exact_summary], lines=lines,
                               title=f"{_title(family, params)}\n{options.draws} draws, seed {options.seed}; "
                                     f"{names[0]} shown")


# ---------------------------------------------------------------------------------------------
# solve


def solve(family_name: str, tokens: list[str], *, format: str, plot: bool, out: TextIO,
          plot_file: str | None = None, force: bool = False) -> None:
    """The concentration from --lower L --upper U --mass P, or --quantile P=V, on one correlation."""
    family, dimension, fixed, targets = _parse(family_name, tokens, [], targets=True)
    if fixed is not None and targets:
        raise UsageError("--concentration is what solve finds from the targets; give the targets only")
    requested, kwargs = _solve_targets(targets)
    concentration = lkj.solve_concentration(dimension, **kwargs)
    params = lkj.LKJParams(dimension, concentration)
    achieved = _achieved(params, requested)
    code = lkj.code_lines(dimension, concentration)
    curve = None
    if plot or plot_file:
        from priorcli.sampling import lkj as lkj_draws
        from priorcli.stats import exact as stats

        curve = _density_curve(stats.ExactDistribution(lkj_draws.marginal_spec(params)), "r")
    if plot_file is not None:
        from priorcli.render import figure

        figure.write_figure(plot_file, [(_title(family, params), [curve])], force=force)
    if format == "json":
        render.write_json({"family": family, "params": {"dimension": dimension, "concentration": concentration},
                           "targets": requested, "achieved": achieved, "numpyro": code["numpyro"],
                           "stan": code["stan"], "pymc": code["pymc"], "notes": [], "method": "root",
                           "marginal": f"(r + 1) / 2 ~ Beta({params.shape!r}, {params.shape!r})"}, out)
        return
    rows = [("dimension", str(dimension)), ("concentration", render.fmt(concentration, 10))]
    render.write_params_table(f"{family} from the targets on one correlation", rows, ["parameter", "value"], out)
    target_rows = [(k, render.fmt(v, 10), render.fmt(achieved[k], 10)) for k, v in requested.items()]
    render.write_params_table("targets", target_rows, ["target", "requested", "achieved"], out)
    render.write_lines(render.code_lines_text(code["numpyro"], code["stan"], code["pymc"]), out)
    if plot:
        render.write_histograms([curve], out)


def _solve_targets(targets: dict) -> tuple[dict, dict]:
    """(the requested targets as solve's JSON has them, keyword arguments of solve_concentration)."""
    if "quantile" in targets:
        if set(targets) != {"quantile"}:
            raise UsageError("give --quantile P=V alone, or --lower L --upper U --mass P")
        p_text, sep, v_text = targets["quantile"].partition("=")
        if not sep:
            raise UsageError(f"--quantile must be P=V, got '{targets['quantile']}'")
        p = parse_probability(p_text, "--quantile")
        v = lkj.check_correlation(parse_number(v_text, "--quantile"), "--quantile")
        return {f"q{p!r}": v}, {"quantile": (p, v)}
    if set(targets) != {"lower", "upper", "mass"}:
        missing = ", ".join(f"--{k}" for k in ("lower", "upper", "mass") if k not in targets)
        raise UsageError(f"solve {'lkj needs ' + missing if missing else 'lkj'}: give --lower L --upper U --mass P "
                         "(or --quantile P=V) on one correlation")
    lower = lkj.check_correlation(targets["lower"], "--lower")
    upper = lkj.check_correlation(targets["upper"], "--upper")
    mass = targets["mass"]
    if not 0.0 < mass < 1.0:
        raise UsageError(f"--mass must be a probability strictly between 0 and 1, got {mass:g}")
    return {"lower": lower, "upper": upper, "mass": mass}, {"lower": lower, "upper": upper, "mass": mass}


def _achieved(params: lkj.LKJParams, requested: dict) -> dict:
    if "mass" in requested:
        mass = lkj.interval_mass(params.dimension, params.concentration, requested["lower"], requested["upper"])
        return {"lower": requested["lower"], "upper": requested["upper"], "mass": mass}
    (key, value), = requested.items()
    return {key: _quantile(params, float(key[1:]))}


def _quantile(params: lkj.LKJParams, p: float) -> float:
    from scipy.special import betaincinv

    return 2.0 * float(betaincinv(params.shape, params.shape, p)) - 1.0
