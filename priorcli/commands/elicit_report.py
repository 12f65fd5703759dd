"""``priorcli elicit SESSION --report report.md|report.html``: the session as one document (the
session file, each expert's judgements beside the fit, the ranked fits, the pools, the figure,
the chosen priors as code, the command and priorcli's version). Built from blocks rendered as
Markdown or as self-contained HTML (the figure as inline SVG; Markdown embeds it as a data URI).
Nothing in it depends on the time or the machine: the same command writes the same bytes."""

from __future__ import annotations

import base64
import html
import shlex

from priorcli.render import output as render

REPORT_SUFFIXES = (".md", ".html")


def command_line(session: str, report: str, format: str, plot_file: str | None) -> str:
    """The command as a user reruns it (without --force, which changes no byte of the report)."""
    words = ["priorcli", "elicit", session]
    words += ["--format", format] if format != "table" else []
    words += ["--plot-file", plot_file] if plot_file else []
    return shlex.join([*words, "--report", report])


def mixture_line(result) -> str:
    """The linear pool as one numpyro distribution (a MixtureGeneral of the experts' fits)."""
    weights = ", ".join(render.fmt(w, 10) for w in result.linear.weights)
    parts = ", ".join(e.chosen.solution.numpyro_code for e in result.experts)
    return f"dist.MixtureGeneral(dist.Categorical(probs=jnp.array([{weights}])), [{parts}])"


def _blocks(result, command: str, svg: str, version: str) -> list[tuple]:
    s = result.session
    unit = f" ({s.unit})" if s.unit else ""
    blocks: list[tuple] = [("h1", f"Elicitation: {s.name}{unit}"),
                           ("p", f"priorcli {version}; families {s.families}; {len(result.experts)} expert(s)."),
                           ("code", command, "sh"), ("h2", "Session file"), ("code", s.source.rstrip("\n"), "toml")]
    for e, weight in zip(result.experts, result.linear.weights):
        best = e.chosen.solution
        blocks += [("h2", f"Expert {e.expert.name} (weight {render.fmt(weight, 4)}): {e.chosen.family}"),
                   ("table", ["P", "stated", "fitted quantile", "fitted P(X <= stated)"],
                    [[render.fmt(f.probability, 4), render.fmt(f.stated), render.fmt(f.fitted),
                      render.fmt(f.fitted_probability, 4)] for f in e.feedback]),
                   ("p", "fitted " + ", ".join(f"{100 * p:g}%: {render.fmt(v)}" for p, v in e.tails.items())),
                   ("table", ["rank", "family", "loss", "parameters"],
                    [[str(i), r.family, render.fmt(r.loss, 4),
                      ", ".join(f"{k}={render.fmt(v)}" for k, v in r.solution.params.items())]
                     for i, r in enumerate(e.ranking.ranked, start=1)]),
                   ("code", "\n".join(render.code_lines_text(best.numpyro_code, best.stan_code, best.pymc_code)), "")]
    linear, log = result.linear, result.log
    rows = [["mean", render.fmt(linear.mean), render.fmt(log.mean)], ["sd", render.fmt(linear.sd), render.fmt(log.sd)]]
    rows += [[f"q{p:g}", render.fmt(linear.quantiles[p]), render.fmt(log.quantiles[p])] for p in linear.quantiles]
    blocks += [("h2", "Pools"), ("p", "linear: the weighted mixture of the fits (exact); log: their normalised "
                                      "weighted product (quadrature)"),
               ("table", ["", "linear", "log"], rows), ("code", f"numpyro: {mixture_line(result)}", "")]
    if result.combined is not None:
        best = result.combined.ranked[0]
        blocks += [("h2", f"One family fitted to the linear pool ({s.pool_fit})"),
                   ("table", ["rank", "family", "AIC", "parameters"],
                    [[str(i), r.family, render.fmt(r.aic, 8), ", ".join(f"{k}={render.fmt(v)}" for k, v in r.fit.params.items())]
                     for i, r in enumerate(result.combined.ranked, start=1)]),
                   ("code", f"numpyro: {best.fit.numpyro}", "")]
    return blocks + [("h2", "Figure"), ("svg", svg)]


def _markdown(blocks) -> str:
    out = []
    for kind, *rest in blocks:
        if kind in ("h1", "h2"):
            out.append(("#" if kind == "h1" else "##") + " " + rest[0])
        elif kind == "p":
            out.append(rest[0])
        elif kind == "code":
            out.append(f"```{rest[1]}\n{rest[0]}\n```")
        elif kind == "table":
            header, rows = rest
            lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            out.append("\n".join(lines + ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]))
        else:
            data = base64.b64encode(rest[0].encode("utf-8")).decode("ascii")
            out.append(f"![each expert's fit and the pools](data:image/svg+xml;base64,{data})")
    return "\n\n".join(out) + "\n"


def _html(blocks, title: str) -> str:
    esc = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en">', '<head><meta charset="utf-8">', f"<title>{esc(title)}</title>",
           "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}table{border-collapse:collapse}"
           "td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}pre{background:#f4f4f4;padding:8px}</style>",
           "</head>", "<body>"]
    for kind, *rest in blocks:
        if kind in ("h1", "h2", "p"):
            out.append(f"<{kind}>{esc(rest[0])}</{kind}>")
        elif kind == "code":
            out.append(f"<pre><code>{esc(rest[0])}</code></pre>")
        elif kind == "table":
            header, rows = rest
            out.append("<table><tr>" + "".join(f"<th>{esc(h)}</th>" for h in header) + "</tr>"
                       + "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows) + "</table>")
        else:
            svg = rest[0]
            out.append(svg[svg.index("<svg"):])  # inline: the XML declaration and DOCTYPE dropped
    return "\n".join(out + ["</body>", "</html>"]) + "\n"


def report_text(result, command: str, suffix: str, svg: str, version: str) -> str:
    blocks = _blocks(result, command, svg, version)
    return _html(blocks, blocks[0][1]) if suffix == ".html" else _markdown(blocks)
