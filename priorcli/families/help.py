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
from priorcli.records.domain import Domain
from priorcli.families.registry import (
    SCALAR_TARGETS,
    FamilyInfo,
    ParamInfo,
    _name_index,
    compilation_cache_dir,
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
    where a record's closed form takes it; a multivariate family takes its record's targets."""
    record = family.record
    inversions = record.inversions if record is not None else ()
    with_count = record is not None and record.takes_count
    if family.multivariate:
        return tuple(sorted({t for inv in inversions for t in inv.targets}, key=_target_order))
    return tuple(t for t in SCALAR_TARGETS + ("quantile",) if t != "count" or with_count)


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
    for kind in targets_of(family):
        if kind == "lower":
            out += [(f"--{k}", "interval mass target: --lower L --upper U --mass P") for k in _INTERVAL]
        elif kind not in _INTERVAL:
            out.append((f"--{kind}", f"target: {meanings[kind]}"))
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
        _write_atomically(path, json.dumps(names))
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

    return _cache_path("family-names", (families.__file__,))


def _cache_path(prefix: str, sources: tuple[str, ...], layout: str = "") -> str | None:
    """``PREFIX-HASH.json`` beside jax's cache, HASH of the numpyro and priorcli versions, the
    contents of ``sources`` and the file's ``layout``; None when caching is off or numpyro is not installed."""
    import hashlib

    jax_dir = compilation_cache_dir()
    # priorcli's version as installed, not ``priorcli.__version__``: the package root is the public
    # API (its functions import api), which the families layer must not import
    numpyro_version, priorcli_version = _installed_version("numpyro"), _installed_version("priorcli")
    if jax_dir is None or numpyro_version is None or priorcli_version is None:
        return None
    key = hashlib.sha256()
    key.update(numpyro_version.encode())
    key.update(priorcli_version.encode())
    key.update(layout.encode())
    for source in sources:
        with open(source, "rb") as handle:
            key.update(handle.read())
    return os.path.join(os.path.dirname(os.path.abspath(jax_dir)), f"{prefix}-{key.hexdigest()[:16]}.json")


def _installed_version(name: str) -> str | None:
    """The installed version of the distribution ``name`` (what importlib.metadata.version says),
    read from the name of its first ``NAME-VERSION.dist-info`` (or ``.egg-info``) on sys.path:
    importlib.metadata's import alone would cost a third of ``--help``'s time."""
    import sys

    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for found in names:
            for suffix in (".dist-info", ".egg-info"):
                stem = found[: -len(suffix)]
                if found.endswith(suffix) and "-" in stem and normalize(stem.split("-")[0]) == normalize(name):
                    return stem.split("-")[1]
    import importlib.metadata  # another layout: ask importlib.metadata

    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _write_atomically(path: str, text: str) -> None:
    from priorcli.cachedirs import write_private

    try:
        write_private(path, text.encode())
    except OSError:  # a read-only cache: completion still works, only slower
        pass


# ---------------------------------------------------------------------------------------------
# The registry for list and info: discovered from numpyro once, then read from a cache file


def cached_registry() -> dict[str, FamilyInfo]:
    """``families.registry()`` as ``list`` shows it (no factories), from the cache when it holds it."""
    return {name: _family_from_entry(entry) for name, entry in _registry_document()["families"].items()}


def described(name: str) -> tuple[FamilyInfo, list[str]]:
    """The family for ``info NAME`` (resolved as ``families.resolve`` does) and its docstring as
    plain-text paragraphs, from the cache when it holds them. Raises UsageError for an unknown name."""
    from priorcli.families.registry import unknown_family

    document = _registry_document()
    entry = document["families"].get(document["index"].get(normalize(name), ""))
    if entry is None:
        raise unknown_family(name, list(document["families"]))
    return _family_from_entry(entry), list(entry["docstring"])


def _registry_document() -> dict:
    """{"families": class name -> entry, "index": spelling -> class name}: read from
    ``family-registry-*.json`` (keyed as the completion names are, and by the code that describes
    the families) while the cache directories are trusted (priorcli.cachedirs); anything else found
    there is ignored and the file rebuilt from numpyro."""
    from priorcli import cachedirs
    from priorcli.families.registry import cache_directories

    path = _registry_cache_path()
    trusted = path is not None and cachedirs.trusted(cache_directories(compilation_cache_dir()), "priorcli's cache")
    if trusted:
        payload = cachedirs.read_private(path, "priorcli's cache")
        document = _parse_registry(payload) if payload is not None else None
        if document is not None:
            return document
    document = _discovered_registry()
    if trusted:
        _write_atomically(path, json.dumps(document))
    return document


def _registry_cache_path() -> str | None:
    from priorcli import dists, records
    from priorcli.families import doctext
    from priorcli.families import registry as families
    from priorcli.records import domain

    sources = []
    for package in (records, dists):  # the records' and priorcli's own classes' sources
        folder = os.path.dirname(os.path.abspath(package.__file__))
        sources += sorted(os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".py"))
    sources.append(domain.__file__)  # the domains' package, beside the family files
    return _cache_path("family-registry", (families.__file__, doctext.__file__, __file__, *sources),
                       f"format {REGISTRY_FORMAT}")


def _discovered_registry() -> dict:
    from priorcli.families.registry import _classes, registry

    families = {
        name: {"name": f.name, "discrete": f.discrete, "multivariate": f.multivariate, "support": f.support,
               "doc": f.doc, "docstring": _paragraphs(f),
               "params": [[p.name, _domain_entry(p.domain), p.default, p.event_dim] for p in f.params]}
        for name, f in registry().items()
    }
    return {"format": REGISTRY_FORMAT, "families": families, "index": _name_index(_classes())}


# The cached registry's layout; a new layout changes the file's name (its key) as well as this field.
# 2: each parameter's domain as a structured entry (_DOMAIN_FIELDS), not a constraint name.
REGISTRY_FORMAT = 2
_DOMAIN_FIELDS = {"name": str, "low": float, "high": float, "low_closed": bool, "high_closed": bool,
                  "integer": bool, "typical": float, "text": str, "vector": (str, type(None)), "dependent": bool}


def _domain_entry(domain: Domain) -> dict:
    """A domain as JSON: its fields, an infinite end as null (standard JSON has no infinity)."""
    entry = {k: getattr(domain, k) for k in _DOMAIN_FIELDS}
    for end in ("low", "high"):
        entry[end] = entry[end] if math.isfinite(entry[end]) else None
    return entry


def _domain_from_entry(entry: dict) -> Domain:
    return Domain(**{**entry, "low": -math.inf if entry["low"] is None else float(entry["low"]),
                     "high": math.inf if entry["high"] is None else float(entry["high"]),
                     "typical": float(entry["typical"])})


def _valid_domain(entry) -> bool:
    if not isinstance(entry, dict) or set(entry) != set(_DOMAIN_FIELDS):
        return False
    for key, kind in _DOMAIN_FIELDS.items():
        value = entry[key]
        if kind is float:
            number = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            if not (number or (value is None and key in ("low", "high"))):
                return False
        elif kind is bool:
            if not isinstance(value, bool):
                return False
        elif not isinstance(value, kind):
            return False
    return True


def _paragraphs(family: FamilyInfo) -> list[str]:
    """numpyro's docstring as plain-text paragraphs (formulas indented), or a line saying where
    the family comes from when its class has no docstring of its own."""
    from priorcli.families.doctext import own_docstring, plain_text

    paragraphs = plain_text(own_docstring(family.factory)) if family.factory is not None else []
    return paragraphs or [f"numpyro.distributions.{family.name} (its class has no docstring of its own)"]


def _family_from_entry(entry: dict) -> FamilyInfo:
    params = tuple(ParamInfo(name, _domain_from_entry(domain), default, event_dim)
                   for name, domain, default, event_dim in entry["params"])
    return FamilyInfo(name=entry["name"], params=params, discrete=entry["discrete"],
                      multivariate=entry["multivariate"], support=entry["support"], doc=entry["doc"])


def _parse_registry(payload: bytes) -> dict | None:
    """The document, or None for anything that is not exactly what _discovered_registry writes."""
    try:
        document = json.loads(payload)
    except (ValueError, RecursionError):
        return None
    if not isinstance(document, dict) or set(document) != {"format", "families", "index"}:
        return None
    if document["format"] != REGISTRY_FORMAT:
        return None
    families, index = document["families"], document["index"]
    if not isinstance(families, dict) or not families or not isinstance(index, dict):
        return None
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in index.items()):
        return None
    return document if all(_valid_entry(name, e) for name, e in families.items()) else None


def _valid_entry(name: str, entry) -> bool:
    keys = {"name", "discrete", "multivariate", "support", "doc", "docstring", "params"}
    if not isinstance(entry, dict) or set(entry) != keys or entry["name"] != name:
        return False
    texts = [entry["support"], entry["doc"], *entry["docstring"]] if isinstance(entry["docstring"], list) else [0]
    flags = [entry["discrete"], entry["multivariate"]]
    params = entry["params"]
    return (all(isinstance(t, str) for t in texts) and all(isinstance(f, bool) for f in flags)
            and isinstance(params, list) and all(_valid_param(p) for p in params))


def _valid_param(param) -> bool:
    if not isinstance(param, list) or len(param) != 4:
        return False
    name, domain, default, event_dim = param
    number = default is None or (isinstance(default, (int, float)) and not isinstance(default, bool))
    return (isinstance(name, str) and _valid_domain(domain) and number and isinstance(event_dim, int)
            and not isinstance(event_dim, bool) and event_dim in (0, 1))


def transform_choices() -> list[tuple[str, str]]:
    """(name, how it is written) for ``--transform`` completion, from the transform table."""
    from priorcli.families.transforms import TRANSFORM_ALIASES, TRANSFORM_ARITY, TRANSFORM_USAGE

    out = [(name, TRANSFORM_USAGE.get(name, name)) for name in TRANSFORM_ARITY]
    out += [(alias, f"alias of {native}") for alias, native in TRANSFORM_ALIASES.items()]
    return out
