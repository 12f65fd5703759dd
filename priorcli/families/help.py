"""What ``priorcli sample FAMILY --help`` and shell completion say about a family.

One generic path from the registry and the family records: the family's parameters with their
constraints, defaults and aliases, and the targets it takes. No per-family text lives here. A
family with a record is described without importing numpyro (``--help`` stays fast); the others
are discovered from numpyro. Knows nothing of Typer: ``cli.py`` lays these rows out.
"""

from __future__ import annotations

import json
import math
import os

from priorcli.errors import PriorError
from priorcli.families import cache
from priorcli.records.domain import Domain
from priorcli.families.registry import (
    SCALAR_TARGETS,
    FamilyInfo,
    ParamInfo,
    _name_index,
    normalize,
    resolve,
    resolve_fast,
)

# How each target is written on the command line, and what it means.
TARGET_ROWS = (
    ("mode", "--mode V", "the most probable value"),
    ("median", "--median V", "the median"),
    ("mean", "--mean V", "the mean"),
    ("sd", "--sd V", "the standard deviation"),
    ("skewness", "--skewness V", "the skewness (third standardised moment), where in closed form"),
    ("kurtosis", "--kurtosis V", "the excess kurtosis (fourth standardised moment - 3; Normal: 0), where in closed form"),
    ("quantile", "--quantile P=V", "P(X <= V) = P; repeatable"),
    ("lower", "--lower L --upper U --mass P", "P(L <= X <= U) = P, the maximum-entropy member (as PreliZ's maxent)"),
    ("count", "--count N", "alpha + beta, with --mean (the Stan guide's mean/count)"),
    ("bound", "--mode M --bound B --mass P", "a simplex mode M, mass P within M_i +- B: mean_i P(X_i < M_i - B) = "
     "(1 - P) / 2 (as PreliZ's dirichlet_mode)"),
)
_INTERVAL = ("lower", "upper", "mass")


def lookup(name: str) -> FamilyInfo:
    """The family, from its record when it has one (no numpyro import), else from numpyro.
    Raises UsageError for an unknown name."""
    from priorcli import records

    fast = resolve_fast(name)
    if fast is not None:
        return fast
    index = _name_index(records.MULTIVARIATE)
    if normalize(name) in index:  # Dirichlet: vector parameters, from its record
        return FamilyInfo.from_record(records.MULTIVARIATE[index[normalize(name)]])
    return resolve(name)


def targets_of(family: FamilyInfo) -> tuple[str, ...]:
    """The target kinds the family takes: all of them for a univariate family, ``count`` only
    where a record's closed form takes it (``bound`` never); a multivariate family takes its
    record's targets (its closed forms' and its numerical solves')."""
    record = family.record
    inversions = record.inversions if record is not None else ()
    with_count = record is not None and record.takes_count
    if record is not None and record.matrix is not None:  # solve's targets on one element (LKJ's correlation)
        return tuple(record.matrix.targets)
    if family.multivariate:
        kinds = {t for inv in (*inversions, *record.solves) for t in inv.targets}
        return tuple(sorted(kinds, key=_target_order))
    return tuple(t for t in SCALAR_TARGETS + ("quantile",) if (t != "count" or with_count) and t != "bound")


def _target_order(kind: str) -> int:
    order = [row[0] for row in TARGET_ROWS]
    return order.index(kind) if kind in order else len(order)


def _constraint(param: ParamInfo) -> str:
    text = param.domain.text
    if param.event_dim:
        text = f"comma-separated: {text}, one per component"
    return text


def parameter_rows(family: FamilyInfo) -> list[tuple[str, str]]:
    """(flags, description) per parameter: ``--scale, --sigma`` / ``positive number; default 1``."""
    aliases = family.aliases()
    rows = []
    for p in family.params:
        flags = ", ".join([f"--{p.name}"] + [f"--{a}" for a, native in aliases.items() if native == p.name])
        default = "required (numpyro gives no default)" if p.default is None else f"default {p.default:g}"
        rows.append((flags, f"{_constraint(p)}; {default}"))
    return rows


def target_rows(family: FamilyInfo) -> list[tuple[str, str]]:
    kinds = set(targets_of(family))
    rows = []
    for kind, flags, meaning in TARGET_ROWS:
        if kind in kinds:
            rows.append((flags, meaning))
    return rows


def sections(name: str, command: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """(title, rows) for the help of ``priorcli COMMAND NAME``; for an unknown NAME, why."""
    try:
        family = lookup(name)
    except PriorError as exc:
        return [("Family", [(name, str(exc))])]
    held = "held fixed beside targets" if command == "solve" else "or targets instead of some of them"
    out = [(f"{family.name} parameters (--NAME VALUE, {held})", parameter_rows(family))]
    if command == "solve":
        title = "Targets (as many as free parameters; more are fitted by least squares)"
    else:
        title = "Targets instead of parameters (solved first, as 'priorcli solve' does)"
    out.append((title, target_rows(family)))
    out.append(("More", [(f"priorcli info {normalize(family.name)}", "formulas, support, closed forms, an example")]))
    return out


def option_names(name: str, command: str) -> list[tuple[str, str]]:
    """(--flag, help) for each family-dependent option of ``priorcli COMMAND NAME``: parameters,
    aliases and targets, as shell completion offers them."""
    try:
        family = lookup(name)
    except PriorError:
        return []
    out = []
    aliases = family.aliases()
    for p in family.params:
        out.append((f"--{p.name}", _constraint(p)))
        out += [(f"--{a}", f"alias of --{p.name}") for a, native in aliases.items() if native == p.name]
    meanings = {kind: meaning for kind, _, meaning in TARGET_ROWS}
    kinds = targets_of(family)
    for kind in kinds:
        if kind == "lower":
            out += [(f"--{k}", "interval mass target: --lower L --upper U --mass P") for k in _INTERVAL]
        elif kind not in _INTERVAL:
            out.append((f"--{kind}", f"target: {meanings[kind]}"))
    if "mass" in kinds and "lower" not in kinds:  # a mass without an interval (Dirichlet's around its mode)
        out.append(("--mass", "target: the mass within mode_i +- bound"))
    return out


# ---------------------------------------------------------------------------------------------
# Family names for completion: discovered from numpyro once, then read from a small cache file


def family_names() -> list[str]:
    """Every family name as typed (``lognormal``, ``halfcauchy``, ``bernoulli``), sorted."""
    path = _names_cache_path()
    names = _read_names(path) if path is not None else None
    if names is not None:
        return names
    from priorcli.families.registry import registry

    names = sorted(_name_index(registry()))
    if path is not None:
        cache.write_atomically(path, json.dumps(names))
    return names


def _read_names(path: str) -> list[str] | None:
    """The cached names, or None for anything else found there: names are data, not code, but a
    planted file (a FIFO, gigabytes, JSON nested too deep, not a list of names) must not hang or
    crash completion. Read without following a symbolic link or blocking, at most 1 MB."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        handle = os.open(path, flags)
    except OSError:
        return None
    try:
        import stat

        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return None
        text = os.read(handle, 1 << 20)
        names = json.loads(text)
    except (OSError, ValueError, RecursionError):
        return None
    finally:
        os.close(handle)
    if isinstance(names, list) and names and all(isinstance(n, str) for n in names):
        return names
    return None


def _names_cache_path() -> str | None:
    """Keyed by the numpyro and priorcli versions and the discovery code: a new numpyro or new
    discovery rules give a new list."""
    from priorcli.families import registry as families

    return cache.cache_path("family-names", (families.__file__,))


# ---------------------------------------------------------------------------------------------
# The registry for list and info: discovered from numpyro once, then read from a cache file


def cached_registry() -> dict[str, FamilyInfo]:
    """``families.registry()`` as ``list`` shows it (no factories), from the cache when it holds it."""
    return {name: _family_from_entry(entry) for name, entry in cache.registry_document(discovered_registry)["families"].items()}


def described(name: str) -> tuple[FamilyInfo, list[str]]:
    """The family for ``info NAME`` (resolved as ``families.resolve`` does) and its docstring as
    plain-text paragraphs, from the cache when it holds them. Raises UsageError for an unknown name."""
    from priorcli.families.registry import unknown_family

    document = cache.registry_document(discovered_registry)
    entry = document["families"].get(document["index"].get(normalize(name), ""))
    if entry is None:
        raise unknown_family(name, list(document["families"]))
    return _family_from_entry(entry), list(entry["docstring"])


def discovered_registry() -> dict:
    """The registry document as discovered from numpyro (what the cache file holds)."""
    from priorcli.families.registry import _classes, registry

    families = {
        name: {"name": f.name, "discrete": f.discrete, "multivariate": f.multivariate, "support": f.support,
               "doc": f.doc, "docstring": _paragraphs(f),
               "params": [[p.name, cache.domain_entry(p.domain), p.default, p.event_dim] for p in f.params]}
        for name, f in registry().items()
    }
    return {"format": cache.REGISTRY_FORMAT, "families": families, "index": _name_index(_classes())}


def _paragraphs(family) -> list[str]:
    """numpyro's docstring as plain-text paragraphs (formulas indented), or a line saying where
    the family comes from when its class has no docstring of its own."""
    from priorcli.families.doctext import own_docstring, plain_text

    paragraphs = plain_text(own_docstring(family.factory)) if family.factory is not None else []
    return paragraphs or [f"numpyro.distributions.{family.name} (its class has no docstring of its own)"]


def _domain_from_entry(entry: dict) -> Domain:
    return Domain(**{**entry, "low": -math.inf if entry["low"] is None else float(entry["low"]),
                     "high": math.inf if entry["high"] is None else float(entry["high"]),
                     "typical": float(entry["typical"])})


def _family_from_entry(entry: dict) -> FamilyInfo:
    params = tuple(ParamInfo(name, _domain_from_entry(domain), default, event_dim)
                   for name, domain, default, event_dim in entry["params"])
    return FamilyInfo(name=entry["name"], params=params, discrete=entry["discrete"],
                      multivariate=entry["multivariate"], support=entry["support"], doc=entry["doc"])


def transform_choices() -> list[tuple[str, str]]:
    """(name, how it is written) for ``--transform`` completion, from the transform table."""
    from priorcli.families.transforms import TRANSFORM_ALIASES, TRANSFORM_ARITY, TRANSFORM_USAGE

    out = [(name, TRANSFORM_USAGE.get(name, name)) for name in TRANSFORM_ARITY]
    out += [(alias, f"alias of {native}") for alias, native in TRANSFORM_ALIASES.items()]
    return out
