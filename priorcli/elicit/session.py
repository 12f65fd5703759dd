"""The elicitation session file (``priorcli elicit SESSION.toml``), read with :mod:`tomllib`:

.. code-block:: toml

    [quantity]
    name = "recovery time"
    unit = "days"
    support = "positive"        # positive | unit | real: the candidates' support (solve's --support)
    limits = [0, 365]           # or: the range the quantity can take; fits whose support leaves it are dropped
    families = ["gamma", "lognormal", "weibull"]   # default: every family whose support fits (auto)

    [pool]
    fit = true                  # one family fitted to the linear pool (PreliZ's combine); or a list
    quantiles = [0.05, 0.25, 0.5, 0.75, 0.95]

    [experts.alice]
    weight = 2                  # the pools' weights (normalised); default 1
    median = 10
    quartiles = [7, 14]         # the 0.25 and 0.75 quantiles
    tertiles = [8, 12]          # the 1/3 and 2/3 quantiles
    limits = [2, 40]            # plausible limits, read as the 0.01 and 0.99 quantiles
    quantiles = {"0.1" = 4, "0.9" = 25}

    [experts.bob]
    roulette = {edges = [0, 5, 10, 15, 20, 25], chips = [1, 4, 6, 3, 1]}

Every mistake is a UsageError naming the file, the line and the key.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from priorcli.errors import InputError, UsageError

QUANTITY_KEYS = ("name", "unit", "support", "limits", "families")
POOL_KEYS = ("fit", "quantiles")
EXPERT_KEYS = ("weight", "median", "quartiles", "tertiles", "limits", "quantiles", "roulette")
ROULETTE_KEYS = ("edges", "chips")
SUPPORTS = ("positive", "unit", "real")
PLAUSIBLE = (0.01, 0.99)  # an expert's plausible limits, as quantiles
DEFAULT_POOL_FIT = "normal,gamma,lognormal,studentt"  # PreliZ combine's default families
DEFAULT_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass(frozen=True)
class Expert:
    name: str
    weight: float
    judgements: tuple[tuple[float, float], ...] = ()  # (probability, value), by probability
    roulette: tuple[tuple[float, ...], tuple[int, ...]] | None = None  # (edges, chips)


@dataclass(frozen=True)
class Session:
    path: str
    name: str
    unit: str
    support: str | None
    limits: tuple[float, float] | None
    families: str  # "auto" or "gamma,lognormal"
    experts: tuple[Expert, ...]
    pool_fit: str | None = None  # the families fitted to the linear pool, or None
    quantiles: tuple[float, ...] = DEFAULT_QUANTILES
    source: str = field(default="", repr=False)


def read_session(path: str) -> Session:
    import tomllib

    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise InputError(f"SESSION '{path}': cannot read it ({exc.strerror})") from None
    try:
        text = data.decode("utf-8")
        doc = tomllib.loads(text)
    except UnicodeDecodeError:
        raise InputError(f"SESSION '{path}': not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"SESSION '{path}': not valid TOML ({exc})") from None
    from dataclasses import replace

    return replace(_Reader(path, text).session(doc), source=text)


class _Reader:
    def __init__(self, path: str, text: str):
        self.path, self.lines = path, text.splitlines()

    def line_of(self, table: str, key: str) -> int | None:
        """The line of ``key`` in ``[table]`` (or in an inline table of it), 1-based."""
        current, pattern = "", re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        inline = re.compile(rf"[{{,]\s*[\"']?{re.escape(key)}[\"']?\s*=")
        parent, _, sub = table.partition("#")
        for number, line in enumerate(self.lines, start=1):
            header = re.match(r"^\s*\[([^\[\]]+)\]\s*(#.*)?$", line)
            if header:
                current = header.group(1).replace('"', "").replace("'", "").replace(" ", "")
                continue
            if current == parent and (pattern.search(line) if not sub else (sub in line and inline.search(line))):
                return number
        return None

    def fail(self, table: str, key: str, message: str) -> UsageError:
        line = self.line_of(table, key)
        where = f"line {line}: " if line else ""
        shown = table.replace("#", ".")
        return UsageError(f"SESSION '{self.path}' {where}[{shown}] {key}: {message}")

    def keys(self, table: str, doc: dict, allowed: tuple[str, ...]) -> None:
        for key in doc:
            if key not in allowed:
                raise self.fail(table, key, f"unknown key (known: {', '.join(allowed)})")

    def number(self, table: str, key: str, value) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self.fail(table, key, f"must be a finite number, got {value!r}")
        return float(value)

    def numbers(self, table: str, key: str, value, count: int | None = None) -> tuple[float, ...]:
        if not isinstance(value, list) or (count is not None and len(value) != count):
            raise self.fail(table, key, f"must be a list of {count or 'some'} numbers, got {value!r}")
        return tuple(self.number(table, key, v) for v in value)

    def session(self, doc: dict) -> Session:
        self.keys("", doc, ("quantity", "pool", "experts"))
        quantity, pool, experts = doc.get("quantity", {}), doc.get("pool", {}), doc.get("experts", {})
        for name, table in (("quantity", quantity), ("pool", pool), ("experts", experts)):
            if not isinstance(table, dict):
                raise self.fail("", name, "must be a table")
        self.keys("quantity", quantity, QUANTITY_KEYS)
        self.keys("pool", pool, POOL_KEYS)
        support = quantity.get("support")
        if support is not None and support not in SUPPORTS:
            raise self.fail("quantity", "support", f"must be one of {', '.join(SUPPORTS)}, got {support!r}")
        limits = None
        if "limits" in quantity:
            limits = self.numbers("quantity", "limits", quantity["limits"], 2)
            if not limits[0] < limits[1]:
                raise self.fail("quantity", "limits", f"needs LO < HI, got {list(limits)}")
        if not experts:
            raise UsageError(f"SESSION '{self.path}': no [experts.NAME] table; give at least one expert")
        parsed = tuple(self.expert(name, table) for name, table in experts.items())
        if sum(e.weight for e in parsed) <= 0:
            raise self.fail(f"experts.{parsed[0].name}", "weight", "the weights sum to 0; give one a positive weight")
        return Session(self.path, str(quantity.get("name", "x")), str(quantity.get("unit", "")), support, limits,
                       self.families("quantity", "families", quantity.get("families", "auto")), parsed,
                       self.pool_fit(pool.get("fit")), self.quantiles(pool))

    def families(self, table: str, key: str, value) -> str:
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
            return ",".join(v.strip() for v in value)
        raise self.fail(table, key, f"must be \"auto\" or a list of family names, got {value!r}")

    def pool_fit(self, value) -> str | None:
        if value is None or value is False:
            return None
        return DEFAULT_POOL_FIT if value is True else self.families("pool", "fit", value)

    def quantiles(self, pool: dict) -> tuple[float, ...]:
        if "quantiles" not in pool:
            return DEFAULT_QUANTILES
        probs = self.numbers("pool", "quantiles", pool["quantiles"])
        if not probs or any(not 0 < p < 1 for p in probs):
            raise self.fail("pool", "quantiles", f"must be probabilities in (0, 1), got {list(probs)}")
        return probs

    def expert(self, name: str, doc) -> Expert:
        table = f"experts.{name}"
        if not isinstance(doc, dict):
            raise self.fail("experts", name, "must be a table of judgements")
        self.keys(table, doc, EXPERT_KEYS)
        weight = self.number(table, "weight", doc.get("weight", 1.0))
        if weight < 0:
            raise self.fail(table, "weight", f"must be at least 0, got {weight:g}")
        if "roulette" in doc:
            if set(doc) - {"roulette", "weight"}:
                raise self.fail(table, "roulette", "give chips or quantiles, not both")
            return Expert(name, weight, roulette=self.roulette(table, doc["roulette"]))
        pairs = []
        if "median" in doc:
            pairs.append((0.5, self.number(table, "median", doc["median"])))
        for key, probs in (("quartiles", (0.25, 0.75)), ("tertiles", (1 / 3, 2 / 3)), ("limits", PLAUSIBLE)):
            if key in doc:
                pairs += zip(probs, self.numbers(table, key, doc[key], 2))
        pairs += self.pairs(table, doc.get("quantiles", {}))
        return Expert(name, weight, self.ordered(table, pairs))

    def pairs(self, table: str, value) -> list[tuple[float, float]]:
        if not isinstance(value, dict):
            raise self.fail(table, "quantiles", f"must be a table of \"P\" = V pairs, got {value!r}")
        out = []
        for p_text, v in value.items():
            try:
                p = float(p_text)
            except ValueError:
                p = math.nan
            if not 0 < p < 1:
                raise self.fail(table, "quantiles", f"'{p_text}' is not a probability in (0, 1)")
            out.append((p, self.number(table, "quantiles", v)))
        return out

    def ordered(self, table: str, pairs: list[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
        if not pairs:
            raise UsageError(f"SESSION '{self.path}' [{table}]: no judgements (median, quartiles, tertiles, "
                             "limits, quantiles or roulette)")
        pairs = sorted(pairs)
        for (p, v), (q, w) in zip(pairs, pairs[1:]):
            if p == q and v != w or p < q and not v < w:
                raise UsageError(f"SESSION '{self.path}' [{table}]: judgements out of order: the {p:.4g} quantile "
                                 f"is {v:g} but the {q:.4g} quantile is {w:g} (values must increase with P)")
        return tuple(dict.fromkeys(pairs))

    def roulette(self, table: str, value) -> tuple[tuple[float, ...], tuple[int, ...]]:
        sub = f"{table}#roulette"
        if not isinstance(value, dict):
            raise self.fail(table, "roulette", "must be a table {edges = [...], chips = [...]}")
        for key in value:
            if key not in ROULETTE_KEYS:
                raise self.fail(sub, key, f"unknown key (known: {', '.join(ROULETTE_KEYS)})")
        edges = self.numbers(table, "roulette", value.get("edges"))
        chips = value.get("chips")
        if not isinstance(chips, list) or any(isinstance(c, bool) or not isinstance(c, int) for c in chips):
            raise self.fail(table, "roulette", f"chips must be a list of whole numbers, got {chips!r}")
        if len(chips) != len(edges) - 1 or any(not a < b for a, b in zip(edges, edges[1:])):
            raise self.fail(table, "roulette", f"needs increasing edges and one chip count per bin "
                                               f"({len(edges)} edges, {len(chips)} counts)")
        if any(c < 0 for c in chips):
            raise self.fail(table, "roulette", "chip counts cannot be negative")
        return edges, tuple(chips)


def roulette_session_text(edges, chips, *, expert: str = "expert", name: str = "x") -> str:
    """A session file holding one expert's roulette chips (``explore --roulette --output FILE.toml``),
    which :func:`read_session` reads back exactly (edges as Python's shortest round-trip repr)."""
    edges_text = ", ".join(repr(float(e)) for e in edges)
    chips_text = ", ".join(str(int(c)) for c in chips)
    return (f"# written by priorcli explore --roulette; read it with: priorcli elicit FILE\n"
            f"[quantity]\nname = {_toml_string(name)}\n\n"
            f"[experts.{_toml_key(expert)}]\nroulette = {{edges = [{edges_text}], chips = [{chips_text}]}}\n")


def _toml_string(text: str) -> str:
    import json

    return json.dumps(text)  # a JSON string is a TOML basic string


def _toml_key(text: str) -> str:
    return text if re.fullmatch(r"[A-Za-z0-9_-]+", text) else _toml_string(text)
