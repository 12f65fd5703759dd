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


def list_families(format: str, out: TextIO) -> None:
    from priorcli.families.cache import registry_document

    if format not in ("table", "json"):
        raise UsageError(f"--format for list must be table or json, got '{format}'")
    # numpyro's registry, kept in a cache file (no numpyro import): entries as the file holds them
    entries = registry_document(_discovered)["families"].values()
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


def info(family_name: str, format: str, out: TextIO) -> None:
    if format not in ("table", "json"):
        raise UsageError(f"--format for info must be table or json, got '{format}'")
    from priorcli.families.help import described

    family, description = described(family_name)  # from the registry's cache file when it holds it
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
    if format == "json":
        render.write_json(
            {
                "family": family.name,
                "description": family.doc,
                "docstring": "\n\n".join(description),
                "params": params,
                "support": family.support,
                "discrete": family.discrete,
                "closed_forms": _closed_forms(family.name),
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
    render.write_lines([f"{family.name}: {description[0]}", *description[1:], f"support: {family.support}"], out)
    render.write_params_table("parameters", rows, ["parameter", "constraint", "default", "aliases"], out,
                              numeric=False)
    forms = _closed_forms(family.name)
    lines = (["closed forms:"] + [f"  {f}" for f in forms] if forms else []) + [f"example: {example}"]
    render.write_lines(lines, out)


def _example_value(param) -> str:
    if param.default is not None:
        return f"{param.default:g}"
    return param.domain.example
