"""The package's shape, read from the source with ``ast`` (nothing is imported):

* no import cycles between priorcli's modules, counting imports inside functions (a lazy import is
  still a dependency: it only moves the moment a circle bites);
* the packages in layers (``LAYERS``, the README's table): an import between two packages goes to a
  lower layer, so nothing but ``cli`` imports ``cli``, nothing but ``cli`` imports ``commands``, the
  families import only the records, and the records import only themselves and the errors;
* only the ``render`` package writes output (a module may write a file it opened itself, such as a
  cache). The ``cli`` package may too: it hands ``sys.stdout`` to the commands, prints ``--version``
  and bare ``priorcli``'s help, and turns an error into the one ``Error: ...`` line on stderr;
  ``__main__.py`` writes that same line for a Ctrl-C that lands before ``cli`` is imported;
* no module over 700 lines, no function over 80.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "priorcli"
WRITERS = {"priorcli.render", "priorcli.cli", "priorcli.__main__"}  # packages (every module in them) or modules
MAX_MODULE_LINES = 700
MAX_FUNCTION_LINES = 80
# Exceptions, if a module or function ever has to stay over the limit for a while: the test fails
# when another one joins them, and once one of these is back under the limit.
OVERSIZED: set[str] = set()
LONG_FUNCTIONS: set[str] = set()


def _modules() -> dict[str, tuple[Path, ast.Module]]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = (path, ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return out


MODULES = _modules()


def _owner(name: str) -> str | None:
    """The module that defines ``name`` (a module, or an attribute of one)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, path: Path, tree: ast.Module) -> set[str]:
    """Every priorcli module ``module`` imports, at any depth of the source."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {_owner(alias.name) for alias in node.names if alias.name.split(".")[0] == "priorcli"}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            if base.split(".")[0] != "priorcli":
                continue
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in MODULES else _owner(base))
    found.discard(None)
    found.discard(module)
    return found


GRAPH = {name: _imports(name, path, tree) for name, (path, tree) in MODULES.items()}


def _cycle() -> list[str] | None:
    """One import cycle, as the list of modules around it, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(GRAPH[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(GRAPH):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_graph_sees_function_level_imports():
    # model_numpyro imports the solver inside a function only; the graph must still have the edge
    assert "priorcli.solving" in GRAPH["priorcli.model.numpyro"]
    assert "priorcli.solving.result" in GRAPH["priorcli.solving"]


def test_no_import_cycles():
    cycle = _cycle()
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


# priorcli's packages (and its few top-level modules) from the bottom up; an import between two of
# them must go to a lower layer. ``priorcli`` is the package root, the public API.
LAYERS = [
    {"errors"},
    {"records", "cachedirs", "dists"},
    {"families"},
    {"stats", "readers"},
    {"sampling", "plot", "render", "fitting", "solving"},
    {"model"},
    {"emit"},
    {"ranking", "api"},
    {"elicit"},  # several experts pooled: uses the ranking; explore's roulette uses its chip reader
    {"commands", "explore", "priorcli"},
    {"cli"},
    {"__main__"},
]


def _package(module: str) -> str:
    """``priorcli.stats.exact`` -> ``stats``; the root package is ``priorcli``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "priorcli"


def _layer(package: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if package in layer)


def _upward(graph: dict[str, set[str]] = GRAPH) -> set[tuple[str, str]]:
    return {(name, dep) for name, deps in graph.items() for dep in deps
            if _package(name) != _package(dep) and _layer(_package(dep)) >= _layer(_package(name))}


def test_every_package_has_a_layer():
    placed = set().union(*LAYERS)
    assert {_package(name) for name in MODULES} - placed == set()
    assert placed - {_package(name) for name in MODULES} == set()  # the layers name real packages


def test_the_packages_flow_down():
    assert _upward() == set()  # no exemptions: every import between packages goes down


def test_the_layer_check_can_fail():
    # the solver building code lines through the emitters (as it once did), a package importing
    # one beside it, and a downward import, which is fine
    graph = {"priorcli.solving.lines": {"priorcli.emit.lines", "priorcli.records.base"},
             "priorcli.render.output": {"priorcli.solving.result"}}
    assert _upward(graph) == {("priorcli.solving.lines", "priorcli.emit.lines"),
                              ("priorcli.render.output", "priorcli.solving.result")}
    assert _layer("records") < _layer("families") < _layer("stats") < _layer("commands") < _layer("cli")


def test_the_pipeline_flows_down():
    # the layers in words: nothing but cli imports the commands or cli, the families import only the
    # records (and errors, cachedirs), the records import nothing of priorcli but the errors
    for name, deps in GRAPH.items():
        package = _package(name)
        if package not in ("cli", "commands"):
            assert not any(_package(d) == "commands" for d in deps), name
        if package not in ("cli", "__main__"):
            assert not any(_package(d) == "cli" for d in deps), name
        if package == "families":
            # and dists: the registry discovers priorcli's own numpyro classes beside numpyro's
            assert all(_package(d) in ("families", "records", "dists", "errors", "cachedirs") for d in deps), (name, deps)
        if package == "records":
            assert all(_package(d) in ("records", "errors") for d in deps), (name, deps)


def _made_by_render(node) -> bool:
    """``render.X(...)``, possibly wrapped: ``stack.enter_context(render.X(...))``, ``a if c else b``."""
    if isinstance(node, ast.IfExp):
        return _made_by_render(node.body) or _made_by_render(node.orelse)
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "render":
        return True
    return bool(node.args) and _made_by_render(node.args[0])


_FILE_OPENERS = {"open", "fdopen", "NamedTemporaryFile", "TemporaryFile"}


def _opens_a_file(node) -> bool:
    """``open(...)``, ``os.fdopen(...)``, ``tempfile.NamedTemporaryFile(...)``: a file of the module's
    own (a cache), not the program's output."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    return name in _FILE_OPENERS


def _render_objects(tree: ast.Module) -> set[str]:
    """Names whose ``write`` is not output of this module's own: objects that render made, and files
    the module opened itself (``with open(path, "wb") as out``)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _made_by_render(node.value):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name):
            if _made_by_render(node.context_expr) or _opens_a_file(node.context_expr):
                names.add(node.optional_vars.id)
    return names


def _writes(tree: ast.Module) -> list[str]:
    """Places that write output: print(), sys.stdout / sys.stderr, .write() on a stream."""
    allowed = _render_objects(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
            found.append(f"line {node.lineno}: print()")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "sys" \
                and node.attr in ("stdout", "stderr", "__stdout__", "__stderr__"):
            found.append(f"line {node.lineno}: sys.{node.attr}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in ("write", "writelines"):
            receiver = node.func.value
            if not (isinstance(receiver, ast.Name) and receiver.id in allowed):
                found.append(f"line {node.lineno}: .{node.func.attr}()")
    return found


def _is_writer(module: str) -> bool:
    return any(module == w or module.startswith(w + ".") for w in WRITERS)


def test_only_render_writes_output():
    offenders = {name: _writes(tree) for name, (_, tree) in MODULES.items() if not _is_writer(name)}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_write_check_can_fail():
    tree = ast.parse("import sys\ndef f(out):\n    print(1)\n    sys.stdout.flush()\n    out.write('x')\n")
    assert len(_writes(tree)) == 3
    ok = ast.parse("def f(stack):\n    with render.Progress(3) as p:\n        p.write(1)\n"
                   "    w = stack.enter_context(render.DrawsWriter('a'))\n    w.write(2)\n"
                   "    with os.fdopen(3, 'wb') as cache:\n        cache.write(b'')\n")
    assert _writes(ok) == []


def test_module_sizes():
    over = {name for name, (path, _) in MODULES.items()
            if len(path.read_text(encoding="utf-8").splitlines()) > MAX_MODULE_LINES}
    assert over == OVERSIZED


def test_function_sizes():
    long = set()
    for name, (_, tree) in MODULES.items():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES:
                    long.add(f"{name}.{node.name}")
    assert long == LONG_FUNCTIONS


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_writers_exist(name):
    assert name in MODULES  # the whitelist names real packages and modules
