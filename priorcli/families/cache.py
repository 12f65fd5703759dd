"""Where priorcli's caches live, and the registry document that ``list`` and ``info`` read from one.

Light on purpose: it imports only the standard library and :mod:`priorcli.cachedirs` at module
level, so ``priorcli list`` reads the cached registry without importing the family records, the
registry module or numpyro. Only a missing or unreadable cache file brings in numpyro, through
the function the caller passes to rebuild it (``families.help.discovered_registry``).
"""

from __future__ import annotations

import json
import math
import os
from typing import Callable

# The cached registry's layout; a new layout changes the file's name (its key) as well as this field.
# 2: each parameter's domain as a structured entry (_DOMAIN_FIELDS), not a constraint name.
REGISTRY_FORMAT = 2
_DOMAIN_FIELDS = {"name": str, "low": float, "high": float, "low_closed": bool, "high_closed": bool,
                  "integer": bool, "typical": float, "text": str, "vector": (str, type(None)), "dependent": bool}
_ENTRY_KEYS = {"name", "discrete", "multivariate", "support", "doc", "docstring", "params"}
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # priorcli/


def normalize(name: str) -> str:
    """A family or parameter name as it is matched: lower case, without ``-`` and ``_``."""
    return name.lower().replace("-", "").replace("_", "")


def compilation_cache_dir() -> str | None:
    """Where jax keeps compiled programs between runs; None when PRIORCLI_NO_CACHE is set."""
    if os.environ.get("PRIORCLI_NO_CACHE"):
        return None
    if os.environ.get("PRIORCLI_CACHE_DIR"):
        return os.environ["PRIORCLI_CACHE_DIR"]
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        home = os.path.expanduser("~")
        if not os.path.isdir(home):  # never create a cache under a HOME that does not exist
            return None
        base = os.path.join(home, ".cache")
    return os.path.join(base, "priorcli", "jax")


def cache_directories(jax_dir: str) -> list[str]:
    """priorcli's own cache directories beside jax's, outermost first: their parent, jax's cache,
    and the compiled samplers (priorcli.sampling.compiled); checked together (priorcli.cachedirs)."""
    root = os.path.dirname(os.path.abspath(jax_dir))
    return [root, os.path.abspath(jax_dir), os.path.join(root, "samplers")]


def cache_path(prefix: str, sources: tuple[str, ...], layout: str = "") -> str | None:
    """``PREFIX-HASH.json`` beside jax's cache, HASH of the numpyro and priorcli versions, the
    contents of ``sources`` and the file's ``layout``; None when caching is off or numpyro is not installed."""
    import hashlib

    jax_dir = compilation_cache_dir()
    # priorcli's version as installed, not ``priorcli.__version__``: the package root is the public
    # API (its functions import api), which the families layer must not import
    numpyro_version, priorcli_version = installed_version("numpyro"), installed_version("priorcli")
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


def installed_version(name: str) -> str | None:
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


def write_atomically(path: str, text: str) -> None:
    from priorcli.cachedirs import write_private

    try:
        write_private(path, text.encode())
    except OSError:  # a read-only cache: completion still works, only slower
        pass


# ---------------------------------------------------------------------------------------------
# The registry for list and info: discovered from numpyro once, then read from a cache file


def registry_document(discover: Callable[[], dict]) -> dict:
    """{"families": class name -> entry, "index": spelling -> class name}: read from
    ``family-registry-*.json`` (keyed as the completion names are, and by the code that describes
    the families) while the cache directories are trusted (priorcli.cachedirs); anything else found
    there is ignored and the file rebuilt by ``discover`` (``families.help.discovered_registry``,
    passed in so this module never imports the registry)."""
    from priorcli import cachedirs

    path = registry_cache_path()
    trusted = path is not None and cachedirs.trusted(cache_directories(compilation_cache_dir()), "priorcli's cache")
    if trusted:
        payload = cachedirs.read_private(path, "priorcli's cache")
        document = parse_registry(payload) if payload is not None else None
        if document is not None:
            return document
    document = discover()
    if trusted:
        write_atomically(path, json.dumps(document))
    return document


def registry_cache_path() -> str | None:
    """Keyed by the code that discovers and describes the families: the registry and docstring
    modules, this one and help, the records' and priorcli's own classes' sources, the domains'."""
    families = os.path.join(_PACKAGE, "families")
    sources = [os.path.join(families, n) for n in ("registry.py", "doctext.py", "help.py", "cache.py")]
    for package in ("records", "dists"):
        folder = os.path.join(_PACKAGE, package)
        sources += sorted(os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".py"))
    sources.append(os.path.join(_PACKAGE, "records", "domain", "__init__.py"))
    return cache_path("family-registry", tuple(sources), f"format {REGISTRY_FORMAT}")


def domain_entry(domain) -> dict:
    """A domain as JSON: its fields, an infinite end as null (standard JSON has no infinity)."""
    entry = {k: getattr(domain, k) for k in _DOMAIN_FIELDS}
    for end in ("low", "high"):
        entry[end] = entry[end] if math.isfinite(entry[end]) else None
    return entry


def parse_registry(payload: bytes) -> dict | None:
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
    if not isinstance(entry, dict) or set(entry) != _ENTRY_KEYS or entry["name"] != name:
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
