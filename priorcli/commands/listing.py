"""``priorcli list`` and ``priorcli info``: the families as the cached registry describes them.

Kept apart from :mod:`.family` so that a listing imports neither the solver, the statistics nor
the family records: ``list`` formats the cache file's entries as they are (numpyro's registry
discovered once, :mod:`priorcli.families.cache`); ``info`` adds the family's record (its closed
forms and example).
"""

from __future__ import annotations

from typing import TextIO

from priorcli.errors import UsageError
from priorcli.render import output as render

# Keelin's metalog is a quantile function, not a numpyro class, so the discovered registry has no
# entry for it: its entry is this static text (list and info stay a read of the cached registry).
METALOG_PARAMS = (("a", "real_vector", None), ("lower", "real", None), ("upper", "real", None))
METALOG_SUPPORT = "real; (lower, inf), (-inf, upper) or (lower, upper) when bounded"
METALOG_ENTRY = {"name": "Metalog", "discrete": False, "support": METALOG_SUPPORT,
                 "params": [[name, {"name": kind}, default, 0] for name, kind, default in METALOG_PARAMS]}
METALOG_DESCRIPTION = (
    "Keelin's (2016) metalog: a distribution given by its quantile function, exact through any k >= 2 "
    "quantiles (PreliZ#214), unbounded, semi-bounded (--lower or --upper: the log metalog) or bounded (both: "
    "the logit metalog); k quantiles give k coefficients a1..ak, checked feasible (density positive everywhere)",
    "from quantiles: priorcli solve metalog --quantile 0.1=1 --quantile 0.5=3 --quantile 0.9=10 [--lower L] "
    "[--upper U] [--terms T] (summarize and sample take the same, or the coefficients --a A1,A2,...)",
    "in a model or compare: Metalog(p=[0.1, 0.5, 0.9], x=[1, 3, 10], lower=0) (solved when parsed) or "
    "Metalog([a1, a2, a3], lower=0, upper=20)",
    "from data: priorcli summarize --input FILE --fit metalog [--terms K] [--lower L] [--upper U]",
    "in code: x = metalog_quantile(u, a, lower, upper) with u ~ Uniform(0, 1), a function the --emit programs define",
)
METALOG_PARAM_TEXT = {"a": "the coefficients a1..ak (k >= 2), or --quantile P=V (repeated) to solve them",
                      "lower": "the lower bound (none: unbounded below)",
                      "upper": "the upper bound (none: unbounded above)"}
METALOG_EXAMPLE = "priorcli summarize metalog --quantile 0.1=1 --quantile 0.5=3 --quantile 0.9=10 --lower 0"


def list_families(format: str, out: TextIO) -> None:
    from priorcli.families.cache import registry_document

    if format not in ("table", "json"):
        raise UsageError(f"--format for list must be table or json, got '{format}'")
    # numpyro's registry, kept in a cache file (no numpyro import): entries as the file holds them
    entries = list(registry_document(_discovered)["families"].values())
    at = next((i for i, e in enumerate(entries) if e["name"] > METALOG_ENTRY["name"]), len(entries))
    entries.insert(at, METALOG_ENTRY)  # among the discovered families, in their (alphabetical) order
    if format == "json":
        render.write_json(
            [
                {
                    "family": e["name"],
                    "params": [{"name": name, "constraint": domain["name"], "default": default}
                               for name, domain, default, _ in e["params"]],
                    "support": e["support"],
                    "discrete": e["discrete"],
                }
                for e in entries
            ],
            out,
        )
        return
    rows = [
        (
            e["name"],
            ", ".join(name if default is None else f"{name}={default:g}" for name, _, default, _ in e["params"]),
            e["support"],
            "discrete" if e["discrete"] else "continuous",
        )
        for e in entries
    ]
    render.write_params_table(f"{len(rows)} families", rows, ["family", "parameters", "support", "type"], out,
                              numeric=False)


def _discovered() -> dict:
    """The registry rebuilt from numpyro, for a missing or unreadable cache file."""
    from priorcli.families.help import discovered_registry

    return discovered_registry()


def _closed_forms(name: str) -> list[str]:
    from priorcli import records

    record = records.describe(name)
    return list(record.formulas) if record is not None else []


def metalog_info(format: str, out: TextIO) -> None:
    """``priorcli info metalog``: the static entry above, and the record module's formulas (pure Python)."""
    from priorcli.records.metalog import FORMULAS

    params = [{"name": name, "constraint": kind, "default": default, "aliases": ["coefficients"] if name == "a" else [],
               "meaning": METALOG_PARAM_TEXT[name]} for name, kind, default in METALOG_PARAMS]
    if format == "json":
        render.write_json({"family": "Metalog", "description": METALOG_DESCRIPTION[0],
                           "docstring": "\n\n".join(METALOG_DESCRIPTION), "params": params,
                           "support": METALOG_SUPPORT, "discrete": False, "closed_forms": list(FORMULAS),
                           "example": METALOG_EXAMPLE}, out)
        return
    rows = [(p["name"], p["constraint"], "-", ", ".join(f"--{a}" for a in p["aliases"]) or "-", p["meaning"])
            for p in params]
    render.write_lines([f"Metalog: {METALOG_DESCRIPTION[0]}", *METALOG_DESCRIPTION[1:], f"support: {METALOG_SUPPORT}"],
                       out)
    render.write_params_table("parameters", rows, ["parameter", "constraint", "default", "aliases", "meaning"], out,
                              numeric=False)
    render.write_lines(["closed forms:", *(f"  {f}" for f in FORMULAS), f"example: {METALOG_EXAMPLE}"], out)


def info(family_name: str, format: str, out: TextIO) -> None:
    if format not in ("table", "json"):
        raise UsageError(f"--format for info must be table or json, got '{format}'")
    from priorcli.families.cache import normalize as spelled

    if spelled(family_name) == "metalog":
        return metalog_info(format, out)
    from priorcli.families.help import described
    from priorcli.families.registry import normalize
    from priorcli.records.truncated import FACTORIES

    factory = next((f for f in FACTORIES if normalize(f) == normalize(family_name)), None)
    family, description = described(FACTORIES.get(factory, family_name))  # from the registry's cache file
    aliases = family.aliases()
    record = family.record
    example = (record.example if record is not None else None) or "priorcli sample {} {}".format(
        family.name.lower(),
        " ".join(f"--{p.name} {_example_value(p)}" for p in family.params),
    )
    params = [
        {
            "name": p.name,
            "constraint": p.domain.name,
            "default": p.default,
            "aliases": [a for a, n in aliases.items() if n == p.name],
        }
        for p in family.params
    ]
    name = family.name
    if factory is not None:  # numpyro's TruncatedNormal: the family's parameters, then the ends
        params += [{"name": end, "constraint": "real", "default": None, "aliases": []} for end in ("low", "high")]
        description = [f"numpyro's {factory}: {family.name} truncated to [low, high] (an end left out is open); "
                       f"the same as {family.name.lower()} --truncate LO,HI", *description]
        example = f"priorcli summarize {factory.lower()} --loc 0 --scale 1 --low 0"
        name = factory
    if format == "json":
        render.write_json(
            {
                "family": name,
                "description": family.doc,
                "docstring": "\n\n".join(description),
                "params": params,
                "support": family.support,
                "discrete": family.discrete,
                "closed_forms": _closed_forms(family.name) if factory is None else [],
                "example": example,
            },
            out,
        )
        return
    rows = [
        (p["name"], p["constraint"], "-" if p["default"] is None else f"{p['default']:g}",
         ", ".join(f"--{a}" for a in p["aliases"]) or "-")
        for p in params
    ]
    render.write_lines([f"{name}: {description[0]}", *description[1:], f"support: {family.support}"], out)
    render.write_params_table("parameters", rows, ["parameter", "constraint", "default", "aliases"], out,
                              numeric=False)
    forms = _closed_forms(family.name) if factory is None else []  # the untruncated family's
    lines = (["closed forms:"] + [f"  {f}" for f in forms] if forms else []) + [f"example: {example}"]
    render.write_lines(lines, out)


def _example_value(param) -> str:
    if param.default is not None:
        return f"{param.default:g}"
    return param.domain.example
