"""``solve``, ``summarize`` and ``sample`` of Keelin's metalog (see :mod:`priorcli.records.metalog`):
a distribution through k >= 2 quantiles exactly, unbounded, semi-bounded (``--lower`` or
``--upper``) or bounded (both).

``--quantile P=V`` (repeatable; ``--median V`` is the 0.5 quantile) gives the metalog of k terms
through them, ``--terms T`` fewer terms by least squares; ``summarize``/``sample`` also take the
coefficients, ``--a A1,A2,...`` (alias ``--coefficients``). Keep module-level imports light:
``solve metalog`` runs without jax.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TextIO

from priorcli.commands import sample_output
from priorcli.commands.options import OutputOptions, write_figure
from priorcli.errors import UsageError
from priorcli.families.registry import parse_number, parse_probability, split_extra_args
from priorcli.records import metalog as ml
from priorcli.render import output as render

FAMILY = "Metalog"
NAMES = {"quantile": "quantile", "median": "median", "lower": "lower", "upper": "upper", "terms": "terms",
         "a": "a", "coefficients": "a"}
VALID = "--quantile P=V (repeated), --median V, --lower L, --upper U, --terms T, --a A1,A2,..."


def handles(family_name: str | None) -> bool:
    return ml.handles(family_name)


@dataclass(frozen=True)
class Request:
    metalog: ml.Metalog
    pairs: tuple[tuple[float, float], ...]  # the quantiles it was solved through (empty: given --a)
    terms: int | None = None  # --terms, fewer terms than quantiles

    @property
    def exact(self) -> bool:
        return bool(self.pairs) and self.metalog.k == len(self.pairs)

    @property
    def method(self) -> str | None:
        if not self.pairs:
            return None
        return "linear-system" if self.exact else "least-squares"

    def describe(self) -> str:
        m = self.metalog
        text = f"{m.kind}, {m.k} terms"
        if self.exact:
            return f"{text}: exact through all {m.k} quantiles"
        if self.pairs:
            return f"{text}: least squares through {len(self.pairs)} quantiles"
        return text


def _quantile_pair(text: str) -> tuple[float, float]:
    p_text, sep, v_text = text.partition("=")
    if not sep or "@" in v_text:
        raise UsageError(f"--quantile for a metalog must be P=V (no weight: it passes through every quantile), "
                         f"got '{text}'")
    return parse_probability(p_text, "--quantile"), parse_number(v_text, f"--quantile {p_text.strip()}")


def parse(tokens: list[str], transform_texts: list[str], *, coefficients: bool = True) -> Request:
    """The metalog of the command line: through the quantiles, or (``coefficients``) from --a."""
    if transform_texts:
        raise UsageError("--transform does not apply to a metalog: give --lower/--upper for its bounds")
    quantiles, values = [], {}
    for name, text in split_extra_args(tokens):
        key = NAMES.get(name.lower().replace("-", "_"))
        if key is None or (key == "a" and not coefficients):
            raise UsageError(f"unknown parameter --{name} for the metalog; valid: "
                             f"{VALID if coefficients else VALID.rpartition(', --a')[0]}")
        if key in ("quantile", "median"):
            quantiles.append(_quantile_pair(text) if key == "quantile" else (0.5, parse_number(text, "--median")))
            continue
        if key in values:
            raise UsageError(f"--{name} is given twice")
        values[key] = text
    lower = parse_number(values["lower"], "--lower") if "lower" in values else -math.inf
    upper = parse_number(values["upper"], "--upper") if "upper" in values else math.inf
    if "a" in values:
        if quantiles or "terms" in values:
            raise UsageError("give the metalog's quantiles (--quantile P=V ...) or its coefficients (--a), not both")
        return Request(_from_coefficients(values["a"], lower, upper), ())
    terms = None
    if "terms" in values:
        t = parse_number(values["terms"], "--terms")
        if t != math.floor(t) or t < 2:
            raise UsageError(f"--terms must be a whole number of at least 2, got {values['terms']}")
        terms = int(t)
    if not quantiles:
        raise UsageError("a metalog needs its quantiles: --quantile P=V, at least 2 (or --a A1,A2,... for "
                         "summarize and sample)")
    metalog = ml.fit(quantiles, lower, upper, terms)
    return Request(metalog, tuple(ml.check_quantiles(quantiles, lower, upper)), terms)


def _from_coefficients(text: str, lower: float, upper: float) -> ml.Metalog:
    parts = text.split(",")
    a = tuple(parse_number(part, "--a") for part in parts)
    if len(a) < 2:
        raise UsageError(f"--a needs at least 2 coefficients (a1,a2,...), got '{text}'")
    if not lower < upper:
        raise UsageError(f"--lower {lower:g} must be below --upper {upper:g}")
    metalog = ml.Metalog(a, lower, upper)
    if not ml.is_feasible(metalog):
        from priorcli.errors import InfeasibleError

        _, y = ml.feasibility(metalog)
        raise InfeasibleError(f"--a {text}: no distribution: the quantile function decreases (a negative density) "
                              f"near P={ml._ptext(y)}")
    return metalog


# ---------------------------------------------------------------------------------------------
# exact values


def exact_summary(metalog: ml.Metalog, probs):
    from priorcli.stats.exact import Summary

    return Summary(mean=metalog.mean(), sd=metalog.sd(), median=float(metalog.quantile(0.5)), mode=metalog.mode(),
                   quantiles={p: float(metalog.quantile(p)) for p in probs}, method="exact", n=None)


def density_curve(metalog: ml.Metalog, label: str = "Metalog"):
    """The exact density over the central 99% (on a probability grid: no root finding)."""
    import numpy as np

    from priorcli.stats import monte_carlo as mc_stats

    t = ml.logit(np.linspace(0.005, 0.995, 200))
    with np.errstate(all="ignore"):
        x, density = metalog.quantile_t(t), np.exp(metalog.log_density_t(t))
    return mc_stats.Histogram([], [], x.tolist(), density.tolist(), False, label, False)


def _params_json(metalog: ml.Metalog) -> dict:
    return {"a": list(metalog.a), "lower": render.json_number(metalog.lower),
            "upper": render.json_number(metalog.upper)}


def _head_json(request: Request) -> dict:
    m = request.metalog
    return {"family": FAMILY, "params": _params_json(m), "transforms": [], "kind": m.kind, "terms": m.k}


def _title(request: Request) -> str:
    m = request.metalog
    title = f"{m.label(render.fmt)} ({request.describe()})"
    if request.pairs:
        title += "\nsolved from " + ", ".join(f"q{p!r}={render.fmt(v)}" for p, v in request.pairs)
    return title


# ---------------------------------------------------------------------------------------------
# summarize and sample


def summarize(family_name: str, tokens: list[str], transform_texts: list[str], options: OutputOptions,
              out: TextIO) -> None:
    request = parse(tokens, transform_texts)
    m = request.metalog
    summary = exact_summary(m, options.quantiles)
    if options.plot_file is not None:
        write_figure(options, [(m.label(render.fmt), [density_curve(m)])])
    if options.format == "json":
        render.write_json({**_head_json(request), "support": [render.json_number(v) for v in m.support],
                           "summary": render.summary_json(summary)}, out)
        return
    if options.format in ("csv", "raw"):
        render.write_summary_csv(["exact"], [summary], out)
        return
    title = _title(request) + f"\nsupport ({render.fmt(m.lower)}, {render.fmt(m.upper)})"
    render.write_summary_table(title, ["exact"], [summary], out)


def sample(family_name: str, tokens: list[str], transform_texts: list[str], options: OutputOptions,
           out: TextIO) -> None:
    """Q(U) draws through priorcli's numpyro class, the Monte Carlo summary beside the exact one."""
    from priorcli.sampling import metalog as draws
    from priorcli.stats import monte_carlo as mc_stats

    request = parse(tokens, transform_texts)
    m = request.metalog
    values = draws.draw(m, options.draws, options.seed)
    if sample_output.write_draws(values, options, out):
        return
    exact = exact_summary(m, options.quantiles)
    mc = mc_stats.mc_summary(values, options.quantiles)
    plot = None
    if options.charts:
        plot = [mc_stats.histogram(values, bins=options.bins, log_x=options.log_x, discrete=False, exact=m,
                                   label=FAMILY)]
    doc = {**_head_json(request), "seed": options.seed, "draws": options.draws,
           "mc": render.summary_json(mc), "exact": render.summary_json(exact)}
    sample_output.write_report(options, out, label=m.label(render.fmt), plot=plot, doc=doc, mc=[mc], exact=[exact],
                               title=f"{_title(request)}\n{options.draws} draws, seed {options.seed}")


# ---------------------------------------------------------------------------------------------
# solve


def solution_doc(request: Request) -> dict:
    """solve's JSON document (also beside a ranking: ``solve --family auto``)."""
    m = request.metalog
    targets = {f"q{p!r}": v for p, v in request.pairs}
    achieved = {f"q{p!r}": float(m.quantile(p)) for p, _ in request.pairs}
    residuals = {f"q{p!r}": float(m.cdf(v)) - p for p, v in request.pairs}
    loss = None if request.exact else sum(r * r for r in residuals.values())
    code = ml.code_lines(m)
    doc = {"family": FAMILY, "params": _params_json(m), "kind": m.kind, "terms": m.k, "targets": targets,
           "achieved": achieved, "numpyro": code["numpyro"], "stan": code["stan"], "pymc": code["pymc"],
           "notes": notes(request), "method": request.method, "loss": loss}
    if not request.exact:
        doc["residuals"] = residuals
    return doc


def notes(request: Request) -> list[str]:
    out = ["metalog_quantile is Keelin's metalog quantile function, defined by the programs "
           "`priorcli solve metalog ... --emit numpyro|stan|stan-prior|pymc` writes"]
    m = request.metalog
    low, high = m.tail_exponents()
    index = 1 / (high if m.upper == math.inf else low) if m.kind == "semi-bounded" else None
    if not m.moment_exists(1):
        out.append(f"the mean is infinite: the tail is a power law with index {index:.6g}")
    elif not m.moment_exists(2):
        out.append(f"the sd is infinite: the tail is a power law with index {index:.6g}")
    return out


def solve(family_name: str, tokens: list[str], *, format: str, plot: bool, out: TextIO, emit: str | None = None,
          plot_file: str | None = None, force: bool = False) -> None:
    request = parse(tokens, [], coefficients=False)
    m = request.metalog
    if emit is not None:
        from priorcli.emit import metalog as programs

        through = ", exact through " + ", ".join(f"q{p!r}={v!r}" for p, v in request.pairs) if request.exact else ""
        command = "priorcli solve metalog " + " ".join(tokens) + f" --emit {emit}"
        render.write_text(programs.program(m, emit, command, through=through), out)
        return
    curve = density_curve(m) if plot or plot_file else None
    if plot_file is not None:
        from priorcli.render import figure

        figure.write_figure(plot_file, [(m.label(render.fmt), [curve])], force=force)
    doc = solution_doc(request)
    if format == "json":
        render.write_json(doc, out)
        return
    rows = [(f"a{i}", render.fmt(v, 10)) for i, v in enumerate(m.a, start=1)]
    rows += [(n, render.fmt(v, 10)) for n, v in (("lower", m.lower), ("upper", m.upper)) if math.isfinite(v)]
    render.write_params_table(f"{FAMILY} from the targets ({request.describe()})", rows, ["parameter", "value"], out)
    target_rows = [(k, render.fmt(v, 10), render.fmt(doc["achieved"][k], 10)) for k, v in doc["targets"].items()]
    render.write_params_table("targets", target_rows, ["target", "requested", "achieved"], out)
    lines = render.code_lines_text(doc["numpyro"], doc["stan"], doc["pymc"])
    render.write_lines(lines + [f"note: {n}" for n in doc["notes"]], out)
    if plot:
        render.write_histograms([curve], out)
