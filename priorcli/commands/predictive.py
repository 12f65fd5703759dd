"""``solve --model SPEC`` and ``solve --numpyro FILE.py:FUNCTION --free a,b``: predictive elicitation
(:mod:`priorcli.model.predictive`). Parses the VAR:... targets and ``--set``, builds the runner,
solves, and hands the document to :mod:`priorcli.render`; a target missed on the fresh draws is
exit 1 after the document (the closest achieved). Raises PriorError subclasses; never exits."""

from __future__ import annotations

from typing import TextIO

from priorcli.errors import InfeasibleError, UsageError
from priorcli.families.registry import number_in
from priorcli.render import output as render

_KINDS = ("--quantile", "--median", "--mean", "--sd", "--lower", "--upper", "--mass")


def _split_var(option: str, text: str, example: str) -> tuple[str, str]:
    var, sep, rest = text.partition(":")
    var = var.strip()
    if not sep or not var.isidentifier() or not rest.strip():
        raise UsageError(f"{option} '{text}': write VAR:{example}, naming the model variable "
                         f"(e.g. {option} y:{example})")
    return var, rest.strip()


def _number(option: str, text: str, whole: str) -> float:
    return number_in(text, f"{option} '{whole}'")


def _probability(option: str, text: str, whole: str) -> float:
    p = _number(option, text, whole)
    if not 0.0 < p < 1.0:
        raise UsageError(f"{option} '{whole}': the probability {text} must be strictly between 0 and 1")
    return p


def _tokens(tokens: list[str]) -> list[tuple[str, str]]:
    pairs, i = [], 0
    while i < len(tokens):
        token = tokens[i]
        option, eq, value = token.partition("=") if token.startswith("--") else (token, "", "")
        if option not in _KINDS:
            raise UsageError(f"'{token}' is not a target of solve --model/--numpyro (targets: {', '.join(_KINDS)}, "
                             "each VAR:...)")
        if not eq:
            if i + 1 >= len(tokens):
                raise UsageError(f"{option} needs a value, e.g. {option} y:1")
            value, i = tokens[i + 1], i + 1
        pairs.append((option, value))
        i += 1
    return pairs


def parse_targets(tokens: list[str]):
    """The VAR:... targets, in order; an interval's --lower/--upper/--mass meet by variable."""
    from priorcli.model.predictive import PTarget

    out, interval = [], {}
    for option, text in _tokens(tokens):
        if option == "--quantile":
            var, rest = _split_var(option, text, "P=V")
            p_text, eq, v_text = rest.partition("=")
            if not eq:
                raise UsageError(f"--quantile '{text}': write VAR:P=V, e.g. --quantile y:0.05=1")
            out.append(PTarget(var, "quantile", value=_number(option, v_text, text),
                               prob=_probability(option, p_text, text)))
        elif option in ("--median", "--mean", "--sd"):
            var, rest = _split_var(option, text, "V")
            value = _number(option, rest, text)
            if option == "--sd" and not value > 0:
                raise UsageError(f"--sd '{text}': a standard deviation must be positive")
            out.append(PTarget(var, option[2:], value=value))
        else:
            var, rest = _split_var(option, text, "V")
            part = interval.setdefault(var, {})
            if option[2:] in part:
                raise UsageError(f"{option} '{text}': '{var}' has one interval (--lower/--upper/--mass), given twice")
            part[option[2:]] = _probability(option, rest, text) if option == "--mass" else _number(option, rest, text)
    for var, part in interval.items():
        missing = [k for k in ("lower", "upper", "mass") if k not in part]
        if missing:
            raise UsageError(f"the interval on '{var}' needs --{' --'.join(missing)} {var}:... too "
                             f"(--lower {var}:L --upper {var}:U --mass {var}:P)")
        if not part["lower"] < part["upper"]:
            raise UsageError(f"--lower {var}:{part['lower']:g} must be below --upper {var}:{part['upper']:g}")
        out.append(PTarget(var, "mass", prob=part["mass"], lower=part["lower"], upper=part["upper"]))
    return tuple(out)


def _check_targets(targets, sites: dict, what: str) -> None:
    for t in targets:
        if t.variable not in sites:
            raise UsageError(f"a target on '{t.variable}', which is not a variable of {what} (its variables: "
                             f"{', '.join(sites)})")
        if sites[t.variable].discrete and t.kind in ("quantile", "median") and not float(t.value).is_integer():
            raise UsageError(f"--{t.kind} {t.variable}:...{t.value:g}: '{t.variable}' is discrete; its quantiles are "
                             "whole numbers")


def _parse_set(items: list[str] | None) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in items or []:
        name, eq, text = item.partition("=")
        name = name.strip()
        if not eq or not name.isidentifier():
            raise UsageError(f"--set '{item}': expected NAME=VALUE, e.g. --set sigma=1")
        if name in out:
            raise UsageError(f"--set '{item}': '{name}' is set twice")
        out[name] = _number("--set", text.strip(), item)
    return out


def _model_sites(model) -> dict:
    from priorcli.model.jaxdists import is_discrete
    from priorcli.model.predictive import Site

    out = {}
    for s in model.statements:
        out[s.name] = Site(s.is_random, bool(s.is_random and is_discrete(s.expr)))
    return out


def _smooth_inputs(model, targets, sites) -> None:
    """A target on a quantity made by comparisons or from a discrete variable cannot move smoothly."""
    from priorcli.model.tree import Binary, referenced_names

    def steps(expr) -> bool:
        if isinstance(expr, Binary) and expr.op not in "+-*/**":
            return True
        from dataclasses import fields, is_dataclass

        return is_dataclass(expr) and any(steps(x) for f in fields(expr) for x in (
            getattr(expr, f.name) if isinstance(getattr(expr, f.name), tuple) else (getattr(expr, f.name),)))

    for t in targets:
        if sites[t.variable].sample:
            continue
        pending, seen = [t.variable], set()
        while pending:
            name = pending.pop()
            if name in seen or name not in model.names:
                continue
            seen.add(name)
            s = model[name]
            bad = (sites[name].discrete and "the discrete '" + name + "'") or \
                (not s.is_random and steps(s.expr) and f"a comparison in '{name}'")
            if bad:
                raise UsageError(f"a target on '{t.variable}' cannot be solved smoothly: it depends on {bad}; put the "
                                 "target on a continuous variable (or on the discrete variable itself)")
            if not s.is_random:
                pending += list(referenced_names(s.expr))


def solve_model(spec_text: str, tokens: list[str], *, sets: list[str] | None, data: list[str] | None, draws: int,
                seed: int, format: str, emit: str | None, out: TextIO) -> None:
    from priorcli.commands.data import read_data, unused_warning
    from priorcli.commands.model import read_model_text
    from priorcli.model import free as freemod
    from priorcli.model import parse as lang
    from priorcli.model import predictive
    from priorcli.model.jaxrun import ModelRunner
    from priorcli.model.numpyro import is_family
    from priorcli.model.tree import DataItem

    targets = parse_targets(tokens)
    fixed = _parse_set(sets)
    text = read_model_text(spec_text)
    given = read_data(data)
    names = freemod.free_names(text, tuple(d.name for d in given))
    for name in fixed:
        if name not in names:
            raise UsageError(f"--set {name}=...: '{name}' is not a free name of the model (its free names: "
                             f"{', '.join(names) or 'none'})")
    free = tuple(n for n in names if n not in fixed)
    extra = tuple(DataItem(k, (v,), vector=False, source=f"--set {k}={v:g}") for k, v in fixed.items())
    model = lang.parse_model(text, is_family=is_family, data=given + extra + freemod.as_data(free))
    unused_warning(tuple(n for n in model.unused_data if n not in names))
    domains = freemod.domains(model, free)
    for k, v in fixed.items():
        freemod.domains(model, (k,))  # the same checks on a fixed name's uses
    sites = _model_sites(model)
    _check_targets(targets, sites, "the model")
    predictive.check_counts(free, targets, "fix some with --set " + " ".join(f"{n}=VALUE" for n in free[:2]))
    _smooth_inputs(model, targets, sites)
    runner = ModelRunner(model, free, predictive.requests_for(targets, sites))
    _check_mixture_weights(runner, domains)
    result = predictive.solve(runner.run, domains, targets, sites, n=draws, seed=seed, fixed=fixed)
    runner.check_weights(result.free)
    _check_solution_draws(model, result, draws, seed)
    if emit is not None:
        _emit(model, result, emit, draws, seed, out)
    else:
        _report(result, format, out, f"solve --model: {len(free)} free, {len(targets)} targets")
    _exit_if_missed(result)


def _check_solution_draws(model, result, draws: int, seed: int) -> None:
    """The model at the solution, drawn as ``sample --model`` draws it: a parameter that depends on a
    random parent must be valid in every draw (``Uniform(z, 0)`` needs z < 0), else the solve's draws
    came from no distribution at all; InfeasibleError (exit 1) naming the statement and a draw."""
    from priorcli.errors import PriorError
    from priorcli.model.free import substitute
    from priorcli.model.numpyro import sample_model

    values = {**result.free, **result.fixed}
    try:
        sample_model(substitute(model, values), draws, seed)
    except PriorError as exc:
        at = ", ".join(f"{k}={v:g}" for k, v in result.free.items())
        raise InfeasibleError(f"{exc}, at the solution {at}: the model's draws there are not valid") from None


def _check_mixture_weights(runner, domains: dict) -> None:
    """A Mixture's weights must sum to 1 whatever the free values: checked at the starts and at a
    second point inside the domains (a free value per weight, [a, b], would sum to 1 only by chance)."""
    names = tuple(domains)
    runner.check_weights({k: domains[k].typical for k in names}, sums_only=True)
    runner.check_weights({k: float(domains[k].to_jax(domains[k].unconstrained(domains[k].typical) + 0.37 * (i + 1)))
                          for i, k in enumerate(names)}, sums_only=True)


def solve_numpyro(spec: str, tokens: list[str], *, free_text: str | None, data: list[str] | None,
                  args: list[str] | None, draws: int, seed: int, format: str, out: TextIO) -> None:
    from priorcli.commands.data import read_data
    from priorcli.commands.model import _numpyro_arguments
    from priorcli.families.registry import numpyro_dist
    from priorcli.model import predictive, user
    from priorcli.model.user_runner import UserRunner, check_free

    targets = parse_targets(tokens)
    if not free_text or not free_text.strip():
        raise UsageError(f"--numpyro '{spec}' needs --free a,b: the function's keyword arguments to solve")
    free = tuple(dict.fromkeys(n.strip() for n in free_text.split(",")))
    if not all(n.isidentifier() for n in free):
        raise UsageError(f"--free '{free_text}': expected names separated by commas, e.g. --free mu,sigma")
    kwargs = _numpyro_arguments(read_data(data), args or [])
    for name in free:
        if name in kwargs:
            raise UsageError(f"--free '{name}' is also given by --data or --arg; give it once")
    function = user.load_function(spec)
    user.check_arguments(function, kwargs, spec)
    defaults = check_free(function, free, spec)
    numpyro_dist()
    import jax.numpy as jnp

    kwargs = {k: jnp.asarray(v) if not isinstance(v, (int, float)) else v for k, v in kwargs.items()}
    runner = UserRunner(function, kwargs, free, spec)
    _check_targets(targets, runner.sites, f"--numpyro '{spec}'")
    predictive.check_counts(free, targets, "pass some with --arg NAME=VALUE instead of --free")
    runner.requests = predictive.requests_for(targets, runner.sites)
    starts = {k: v for k, v in defaults.items() if runner.domains[k].low < v < runner.domains[k].high}
    result = predictive.solve(runner.run, runner.domains, targets, runner.sites, n=draws, seed=seed, starts=starts)
    _report(result, format, out, f"solve --numpyro {spec}: {len(free)} free, {len(targets)} targets")
    _exit_if_missed(result)


def document(result) -> dict:
    """The JSON document (DESIGN.md: free, targets, achieved, method, draws, seed)."""
    targets: dict = {}
    achieved: dict = {}
    for a in result.achieved:
        t = a.target
        targets.setdefault(t.variable, {}).update(t.requested())
        entry = {"value": a.value, "mc_se": a.mc_se}
        if a.probability is not None:
            entry.update({"probability": a.probability, "probability_se": a.probability_se})
        entry.update({"miss_se": a.miss, "met": a.met})
        achieved.setdefault(t.variable, {})[t.key] = entry
    return {"free": dict(result.free), "fixed": dict(result.fixed), "targets": targets, "achieved": achieved,
            "method": "least-squares", "loss": result.loss, "draws": result.draws,
            "check_draws": result.check_draws, "seed": result.seed, "met": result.met,
            "domains": {k: d.text for k, d in result.domains.items()}}


def _requested_text(t) -> str:
    if t.kind == "mass":
        return f"P({t.lower:g} <= {t.variable} <= {t.upper:g}) = {t.prob:g}"
    if t.kind == "quantile":
        return f"q{t.prob:g} = {t.value:g}"
    return f"{t.kind} = {t.value:g}"


def _report(result, format: str, out: TextIO, title: str) -> None:
    if format == "json":
        render.write_json(_json_safe(document(result)), out)
        return
    if format not in ("table",):
        raise UsageError(f"--format {format}: solve --model/--numpyro prints a table or json")
    rows = [(k, render.fmt(v), result.domains[k].text if k in result.domains else "") for k, v in result.free.items()]
    render.write_params_table(f"{title}; {result.draws} draws, seed {result.seed} (common random numbers)", rows,
                              ["free", "value", "domain"], out, numeric=False)
    rows = []
    for a in result.achieved:
        t = a.target
        shown = f"{render.fmt(a.value)} ± {render.fmt(a.mc_se, 2)}"
        if a.probability is not None:
            shown += f"  (cdf {render.fmt(a.probability, 4)} ± {render.fmt(a.probability_se, 2)})"
        rows.append((t.variable, _requested_text(t), shown, "yes" if a.met else f"no ({a.miss:.1f} se)"))
    render.write_params_table(f"achieved on {result.check_draws} fresh draws (Monte Carlo ± standard error)", rows,
                              ["variable", "target", "achieved", "met"], out, numeric=False)


def _json_safe(doc):
    if isinstance(doc, dict):
        return {k: _json_safe(v) for k, v in doc.items()}
    if isinstance(doc, float):
        return render.json_number(doc)
    return doc


def _exit_if_missed(result) -> None:
    missed = [a for a in result.achieved if not a.met]
    if missed:
        parts = [f"{a.target.variable} {_requested_text(a.target)} achieved {a.value:.6g}" +
                 (f" (cdf {a.probability:.4g})" if a.probability is not None else "") +
                 f", {a.miss:.1f} standard errors off" for a in missed]
        raise InfeasibleError("the targets cannot all be met; closest: " + "; ".join(parts))


def _emit(model, result, emit: str, draws: int, seed: int, out: TextIO) -> None:
    from priorcli.commands.model import write_emitted
    from priorcli.commands.options import OutputOptions
    from priorcli.model.free import substitute

    filled = substitute(model, {**result.free, **result.fixed})
    # the program prints the default quantiles and each quantile target's own level (the forum's 0.9)
    levels = sorted({0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975}
                    | {t.level for t in result.targets if t.kind in ("quantile", "median")})
    options = OutputOptions.parse(draws=draws, seed=seed, quantiles=",".join(repr(p) for p in levels),
                                  format="table", log_x=False, bins=None, plot=False, output=None, force=False)
    write_emitted(filled, emit, options, tuple(filled.names), "priorcli solve --model ...", None, out)
