"""Every Stan program of a test session compiled as ONE program, once.

A PyStan compilation costs about 10 CPU s whatever the program's size (stan_support), and some
fifteen test modules each compiled their own. Here a module declares, at module level,

    STAN_PROGRAMS = (PROGRAM, ...)      # stan_registry.Program objects

each with a cheap function that returns the program's text (priorcli's emission, in this process),
the fixed_param draws it needs, its data and, for a `stan` program with parameters, a driver that
evaluates its log density at points. The session fixture ``stan_programs`` (conftest) gathers the
programs of every collected module, merges them (``merge``) into one program:

* each program's names (data, transformed data, parameters, transformed parameters, generated
  quantities) become PREFIX_name, its data is supplied under those names;
* functions that two programs define with the same text are written once; a function another
  program defines differently is renamed PREFIX_name in this program (its calls too);
* each model block runs only when the data ``priorcli_program`` is the program's number (0 while
  sampling: the generated quantities of every program are drawn together by fixed_param);
* while a program is sampled by NUTS (the data ``priorcli_nuts`` is 1), each other program's
  parameters get, instead of their model block, the density that makes their unconstrained
  coordinates independent standard normals, so the posterior is proper whatever the others'
  priors (a flat one, a driver's), the sampled program's parameters are independent of theirs (its
  draws are draws of its own posterior), and the others are the easiest dimensions NUTS can have
  (a normal on a bounded value is proper too, but a steep tail in the unconstrained space made
  NUTS take a quarter of its steps);

builds it once, samples max(draws) with fixed_param and each ``nuts`` program with NUTS (one chain),
and hands each test its own draws, named and shaped as a lone program's run would give them (the
first ``draws`` of them). Of two xdist workers one builds and runs, the other waits and reads its
results (conftest's ``stan_programs``).

Each program is checked alone by stanc first, and the merged program by stanc as each program is
added, so a program that is invalid (or breaks the others) fails its own tests and only those; if
the merged C++ build fails, every program is built and run alone, and each reports its own error.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import re
from pathlib import Path
from typing import Callable

import numpy as np
import pytest
from script_runner import run_python

SELECTOR = "priorcli_program"
NUTS = "priorcli_nuts"
SEED = 7


@dataclasses.dataclass(frozen=True, eq=False)
class Program:
    """One test module's Stan program. ``code`` returns its text; ``draws`` fixed_param draws are
    handed back (every generated quantity, or ``outputs``), or ``nuts`` NUTS draws after
    ``warmup`` warmup iterations, one chain from ``seed`` (every parameter, transformed parameter
    and generated quantity, or ``outputs``); ``data`` returns its data; ``driver``
    is Python run with ``model`` (this program's view of the merged model: log_prob,
    grad_log_prob, constrain_pars, unconstrain_pars on its own parameters, all scalars) and
    ``inputs`` (``inputs()``'s arrays), filling the dict ``out`` with arrays."""

    name: str
    code: Callable[[], str]
    draws: int = 0
    data: Callable[[], dict] | None = None
    outputs: tuple[str, ...] | None = None
    driver: str = ""
    inputs: Callable[[], dict] | None = None
    nuts: int = 0
    warmup: int = 1000
    seed: int = SEED

    def __post_init__(self):
        assert not (self.draws and self.nuts), f"{self.name}: fixed_param draws or NUTS draws, not both"


class ProgramFailed(Exception):
    pass


# ---- merging -----------------------------------------------------------------------------------


def _function_name(piece: str) -> str:
    line = next(ln for ln in piece.splitlines() if ln.strip() and not ln.lstrip().startswith("//"))
    match = re.search(r"(\w+)\s*\((?:[^()]|\([^()]*\))*\)\s*\{\s*$", line)
    assert match, f"no function signature in: {line}"
    return match.group(1)


def _rename(text: str, old: str, new: str) -> str:
    return re.sub(rf"(?<![\w.]){re.escape(old)}(?!\w)", new, text)


def _rename_function(blocks: dict[str, str], old: str, new: str) -> None:
    density = re.match(r"(\w+)_(lpdf|lpmf|lupdf|lupmf)$", old)
    for block, body in blocks.items():
        body = _rename(body, old, new)
        if density:  # `y ~ name(...)` calls name_lpdf
            base, new_base = density.group(1), new[: -len(density.group(2)) - 1]
            body = re.sub(rf"~\s*{re.escape(base)}\s*\(", f"~ {new_base}(", body)
        blocks[block] = body


def program_parts(code: str, prefix: str) -> tuple[dict[str, str], dict]:
    """A program's blocks with its names PREFIX_name (the functions block untouched), and stanc's
    --info of it as it was."""
    from emit_support import DECLARATION, stan_blocks, stan_info

    info = stan_info(code)
    blocks = stan_blocks(code)
    names = [*info["inputs"], *info["parameters"], *info["transformed parameters"], *info["generated quantities"],
             *re.findall(DECLARATION, blocks.get("transformed data", ""), re.M)]
    for block in blocks:
        if block != "functions":
            for name in sorted(set(names), key=len, reverse=True):
                blocks[block] = _rename(blocks[block], name, f"{prefix}_{name}")
    return blocks, info


def merge(codes: dict[str, str]) -> str:
    """One program of ``codes`` (PREFIX: program text), in their order: see the module."""
    from emit_support import BLOCKS, _functions

    defined: dict[str, list[str]] = {}  # function name: the texts written (overloads), in order
    merged = {block: [] for block in BLOCKS}
    merged["data"].append(f"  int<lower=0> {SELECTOR};\n  int<lower=0, upper=1> {NUTS};\n")
    for number, (prefix, code) in enumerate(codes.items(), start=1):
        blocks, info = program_parts(code, prefix)
        while True:  # rename what clashes; a renamed callee can make its callers clash too
            pieces = _functions(blocks.get("functions", ""))
            mine: dict[str, list[str]] = {}
            for piece in pieces:
                mine.setdefault(_function_name(piece), []).append(piece)
            clashes = [n for n, texts in mine.items() if n in defined and defined[n] != texts]
            if not clashes:
                break
            for name in clashes:
                _rename_function(blocks, name, f"{prefix}_{name}")
        for name, texts in mine.items():
            if name not in defined:
                defined[name] = texts
                merged["functions"].extend(texts)
        for block in ("data", "transformed data", "parameters", "transformed parameters", "generated quantities"):
            if block in blocks:
                merged[block].append(f"  // {prefix}\n" + blocks[block])
        if "model" in blocks or info["parameters"]:
            densities = [_standard_normal(blocks.get("parameters", ""), f"{prefix}_{name}") for name in info["parameters"]]
            merged["model"].append(_model(blocks.get("model", ""), prefix, number, densities))
    return "".join(f"{block} {{\n" + "".join(merged[block]) + "}\n" for block in BLOCKS if merged[block])


def _model(body: str, prefix: str, number: int, densities: list[str]) -> str:
    """A program's model block behind its switch; while another program is sampled by NUTS, the
    ``densities`` of its parameters instead."""
    body = "".join("  " + line + "\n" if line.strip() else "\n" for line in body.splitlines())
    text = f"  if ({SELECTOR} == {number}) {{  // {prefix}\n{body}  }}"
    if densities:
        lines = "".join(f"    target += {density};\n" for density in densities)
        text += f" else if ({NUTS}) {{  // another program is sampled by NUTS\n{lines}  }}"
    return text + "\n"


def _bounds(text: str) -> dict[str, str]:
    """``lower=L, upper=U`` (a declaration's <...>) as {'lower': 'L', 'upper': 'U'}: commas
    inside brackets are the expressions' own."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text + ","):
        depth += (char in "([") - (char in ")]")
        if char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return dict(part.strip().split("=", 1) for part in parts if "=" in part)


def _standard_normal(parameters: str, name: str) -> str:
    """The log density of the scalar parameter ``name`` (declared in the ``parameters`` block's
    text) that makes Stan's unconstrained coordinate of it a standard normal, whatever its bounds
    (and whatever values of other parameters they depend on): a proper density that NUTS samples
    with its largest steps. A declaration not understood gets normal(0, 1) on its constrained value
    (proper too, on any support)."""
    match = re.search(rf"^\s*real\s*(?:<(.*)>)?\s+{re.escape(name)}\s*;", parameters, re.M)
    bounds = _bounds(match.group(1) or "") if match else {"?": ""}
    low, high = bounds.pop("lower", None), bounds.pop("upper", None)
    if bounds:  # offset/multiplier, or not a real
        return f"normal_lpdf({name} | 0, 1)"
    if low is not None and high is not None:  # u = logit((x - L) / (U - L))
        return (f"std_normal_lpdf(logit(({name} - ({low})) / (({high}) - ({low})))) - log({name} - ({low}))"
                f" - log(({high}) - {name}) + log(({high}) - ({low}))")
    if low is not None:  # u = log(x - L)
        return f"std_normal_lpdf(log({name} - ({low}))) - log({name} - ({low}))"
    if high is not None:  # u = log(U - x)
        return f"std_normal_lpdf(log(({high}) - {name})) - log(({high}) - {name})"
    return f"std_normal_lpdf({name})"


# ---- running -----------------------------------------------------------------------------------


@dataclasses.dataclass
class _Entry:
    program: Program
    prefix: str
    number: int = 0
    code: str = ""
    info: dict = dataclasses.field(default_factory=dict)
    data: dict = dataclasses.field(default_factory=dict)
    inputs: dict = dataclasses.field(default_factory=dict)
    error: str = ""


def _check_alone(entry: _Entry, tmp: Path) -> None:
    from emit_support import stanc, stan_info

    try:
        entry.code = entry.program.code()
        entry.data = dict(entry.program.data() if entry.program.data else {})
        entry.inputs = dict(entry.program.inputs() if entry.program.inputs else {})
        done = stanc(entry.code, tmp, entry.prefix)
        if done.returncode != 0:
            raise ProgramFailed(f"stanc refused the program:\n{done.stderr}\n{entry.code}")
        entry.info = stan_info(entry.code)
        params = {**entry.info["parameters"], **entry.info["transformed parameters"]}
        bad = [n for n, v in params.items() if v["dimensions"] or v["type"] != "real"]
        if bad:
            raise ProgramFailed(f"stan_registry runs scalar parameters only (keep this program apart): {bad}")
    except Exception as exc:  # noqa: BLE001  (the program's own tests report it)
        entry.error = entry.error or f"{type(exc).__name__}: {exc}"


def _mergeable(entries: list[_Entry], tmp: Path) -> list[_Entry]:
    """The entries whose programs stanc accepts merged with those before them (one that breaks
    the merge gets the error and is left out)."""
    from emit_support import stanc

    kept: list[_Entry] = []
    try:
        if stanc(merge({e.prefix: e.code for e in entries}), tmp, "merged").returncode == 0:
            return entries
    except Exception:  # noqa: BLE001  (one of them cannot be merged: found below)
        pass
    for entry in entries:
        try:
            code = merge({e.prefix: e.code for e in [*kept, entry]})
            done = stanc(code, tmp, "merged")
            error = "" if done.returncode == 0 else f"{done.stderr}\n{code}"
        except Exception as exc:  # noqa: BLE001  (merge could not read the program)
            error = f"{type(exc).__name__}: {exc}"
        if error:
            entry.error = ("the program compiles alone but not merged with the session's other Stan programs "
                           f"(stan_registry):\n{error}")
        else:
            kept.append(entry)
    return kept


RUNNER = """
import pickle, sys, traceback
import numpy as np, stan

job = pickle.load(open('job.pkl', 'rb'))


class View:
    # one program's parameters within the merged model (all scalars, in the merged order)
    def __init__(self, model, prefix, own, offsets, size):
        self.model, self.prefix, self.own, self.offsets, self.size = model, prefix, own, offsets, size

    def _full(self, u):
        full = np.zeros(self.size)
        full[self.offsets] = np.asarray(u, dtype=float)
        return list(full)

    def log_prob(self, u, adjust_transform=True):
        assert not adjust_transform, "stan_registry: log_prob(adjust_transform=False) only (other programs' Jacobians)"
        return self.model.log_prob(self._full(u), adjust_transform=False)

    def grad_log_prob(self, u):
        return list(np.asarray(self.model.grad_log_prob(self._full(u)))[self.offsets])

    def constrain_pars(self, u, include_tparams=True, include_gqs=True):
        # the other programs' generated quantities only when this one has some: theirs can be inf
        # or nan, which httpstan's JSON cannot carry
        include_gqs = include_gqs and any(job['kind'][n] == 'g' for n in self.own)
        values = self.model.constrain_pars(self._full(u), include_tparams=include_tparams, include_gqs=include_gqs)
        kinds = {'p'} | ({'t'} if include_tparams else set()) | ({'g'} if include_gqs else set())
        names = [n for n in self.model.constrained_param_names if job['kind'].get(n.split('.')[0]) in kinds]
        assert len(names) == len(values), (len(names), len(values))
        return [v for n, v in zip(names, values) if n.split('.')[0] in self.own]

    def unconstrain_pars(self, values):
        base = self.model.constrain_pars(self._full([0.0] * len(self.offsets)), include_tparams=False,
                                         include_gqs=False)
        full = dict(zip(job['names']['p'], base))
        full.update({self.prefix + k: v for k, v in values.items()})
        return list(np.asarray(self.model.unconstrain_pars(full))[self.offsets])


def build(number=0, nuts=0, seed=job['seed']):
    return stan.build(job['code'], data={**job['data'], %(selector)r: number, %(nuts)r: nuts}, random_seed=seed)


model = build()
draws = {}
if job['draws']:
    fit = model.fixed_param(num_samples=job['draws'], num_chains=1)
    draws = {name: np.asarray(fit[name]) for name in job['outputs']}
for entry in job['entries']:
    out = {}
    try:
        if entry['nuts']:  # this program's model block, the others' parameters standard normal
            fit = build(entry['number'], 1, entry['seed']).sample(num_samples=entry['nuts'], num_warmup=entry['warmup'],
                                                               num_chains=1)
            out.update({name: np.asarray(fit[full]) for name, full in entry['outputs'].items()})
        else:
            out.update({name: draws[full][..., :entry['draws']] for name, full in entry['outputs'].items()})
        if entry['driver']:
            view = View(build(entry['number']), entry['prefix'] + '_', set(entry['own']), entry['offsets'], job['size'])
            exec(entry['driver'], {'np': np, 'model': view, 'inputs': entry['inputs'], 'out': out})
        result = {'out': out}
    except Exception:
        result = {'error': traceback.format_exc()}
    pickle.dump(result, open('result-' + entry['prefix'] + '.pkl', 'wb'))
"""


def _job(entries: list[_Entry], code: str) -> dict:
    params = [f"{e.prefix}_{n}" for e in entries for n in e.info["parameters"]]
    tparams = [f"{e.prefix}_{n}" for e in entries for n in e.info["transformed parameters"]]
    gqs = [f"{e.prefix}_{n}" for e in entries for n in e.info["generated quantities"]]
    jobs = []
    for e in entries:
        outputs = ()
        if e.program.draws:
            outputs = e.program.outputs or tuple(e.info["generated quantities"])
        elif e.program.nuts:
            outputs = e.program.outputs or tuple(n for kind in ("parameters", "transformed parameters",
                                                               "generated quantities") for n in e.info[kind])
        jobs.append({"prefix": e.prefix, "number": e.number, "draws": e.program.draws, "driver": e.program.driver,
                     "nuts": e.program.nuts, "warmup": e.program.warmup, "seed": e.program.seed,
                     "inputs": e.inputs, "outputs": {n: f"{e.prefix}_{n}" for n in outputs},
                     "own": [f"{e.prefix}_{n}" for kind in ("parameters", "transformed parameters",
                                                           "generated quantities") for n in e.info[kind]],
                     "offsets": [params.index(f"{e.prefix}_{n}") for n in e.info["parameters"]]})
    data = {f"{e.prefix}_{k}": v for e in entries for k, v in e.data.items()}
    return {"code": code, "data": data, "seed": SEED, "size": len(params),
            "draws": max((e.program.draws for e in entries), default=0),
            "outputs": sorted({full for j in jobs if j["draws"] for full in j["outputs"].values()}),
            "names": {"p": params}, "entries": jobs,
            "kind": {**dict.fromkeys(params, "p"), **dict.fromkeys(tparams, "t"), **dict.fromkeys(gqs, "g")}}


def _run(entries: list[_Entry], tmp: Path, several: bool = False) -> dict[str, dict]:
    """Build and run ``entries`` merged in one fresh interpreter (httpstan forks, not safe in this
    process once jax has started its threads); the results (or errors) by prefix. ``several``: the
    session builds other programs too (stan_support's precompiled header pays then)."""
    import stan_support

    for number, entry in enumerate(entries, start=1):
        entry.number = number
    code = merge({e.prefix: e.code for e in entries})
    (tmp / "program.stan").write_text(code, encoding="utf-8")
    with open(tmp / "job.pkl", "wb") as f:
        pickle.dump(_job(entries, code), f)
    script = stan_support.prelude(several) + RUNNER % {"selector": SELECTOR, "nuts": NUTS}
    (tmp / "run_stan.py").write_text(script, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_", "PRIORCLI_"))}
    env[stan_support.PCH_ENV] = stan_support.pch_dir()
    done = run_python("run_stan.py", cwd=tmp, env=env, timeout=1800, fresh=True)  # PyStan: stan_support's hooks
    results = {}
    for entry in entries:
        path = tmp / f"result-{entry.prefix}.pkl"
        if path.exists():
            with open(path, "rb") as f:
                results[entry.prefix] = pickle.load(f)
        else:
            results[entry.prefix] = {"error": f"PyStan's run of the merged program failed:\n{done.stderr[-4000:]}"}
    return results


def run_programs(programs: dict[str, Program], tmp: Path) -> dict[str, dict]:
    """Every program (by key) merged, built once and run: {key: {'out': arrays} or {'error': text}}."""
    entries = {key: _Entry(program, f"r{i}") for i, (key, program) in enumerate(sorted(programs.items()))}
    for entry in entries.values():
        _check_alone(entry, tmp)
    good = _mergeable([e for e in entries.values() if not e.error], tmp)
    results = _run(good, tmp / "merged") if good and _mkdir(tmp / "merged") else {}
    if len(good) > 1 and all("merged program failed" in r.get("error", "") for r in results.values()):
        merged_error = next(iter(results.values()))["error"]
        for entry in good:  # the merged build failed: each program built alone names its own error
            alone = tmp / entry.prefix
            alone.mkdir()
            results[entry.prefix] = _run([entry], alone, several=True)[entry.prefix]
            if "error" not in results[entry.prefix]:
                results[entry.prefix] = {"error": "built and run alone, this program passed; merged with the "
                                                  "session's others, " + merged_error}
    return {key: ({"error": e.error} if e.error else results[e.prefix]) for key, e in entries.items()}


def _mkdir(path: Path) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    return True


def session_programs(session) -> dict[str, Program]:
    """The programs the session's collected modules declare, by MODULE:NAME."""
    out = {}
    for module in dict.fromkeys(getattr(item, "module", None) for item in session.items):
        for program in getattr(module, "STAN_PROGRAMS", ()):
            out[f"{module.__name__}:{program.name}"] = program
    return out


def shared(directory: str | None, programs: dict[str, Program], run: Callable[[], dict]) -> dict:
    """``run()``'s results, run once for the processes of a session that share ``directory`` and
    collected the same ``programs`` (xdist's workers): the first runs it and leaves them there, the
    others wait for them (a lock) and read them."""
    if not directory:
        return run()
    import fcntl
    import hashlib

    key = hashlib.blake2b(repr(sorted(programs)).encode(), digest_size=8).hexdigest()
    path = Path(directory) / f"results-{key}.pkl"
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            with open(path, "rb") as f:
                return pickle.load(f)
        results = run()
        partial = path.with_suffix(".partial")
        with open(partial, "wb") as f:
            pickle.dump(results, f)
        partial.replace(path)
        return results


class Results:
    def __init__(self, programs: dict[str, Program], results: dict[str, dict]):
        self.keys = {id(p): k for k, p in programs.items()}
        self.results = results

    def __call__(self, program: Program) -> dict[str, np.ndarray]:
        key = self.keys.get(id(program))
        assert key is not None, f"{program.name} is not in its module's STAN_PROGRAMS"
        result = self.results[key]
        if "error" in result:
            pytest.fail(f"Stan program {key}:\n{result['error']}", pytrace=False)
        return result["out"]
