"""The package's import graph, read from the source with `ast` (every import, at any depth of a
function): no circles anywhere in lenet/, and arrows that only point down the layers
lenet.ui.tabs -> lenet.ui.gate -> lenet.ui.readings -> lenet (the core never imports the page)."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("lenet.ui.tabs", "lenet.ui.gate", "lenet.ui.readings", "lenet")   # top to bottom; page.py above all


def module_name(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path):
    """Every lenet module `path` imports, resolved to a module (not a name inside one)."""
    me, package = module_name(path), module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("lenet")}
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[:len(package) - node.level + 1]) if node.level else ""
            target = ".".join(p for p in (base, node.module or "") if p)
            if not target.startswith("lenet"):
                continue
            for alias in node.names:   # `from . import pad` names a module; `from .pad import x` a name
                sub = f"{target}.{alias.name}"
                found.add(sub if (ROOT / Path(*sub.split("."))).with_suffix(".py").exists()
                          or (ROOT / Path(*sub.split(".")) / "__init__.py").exists() else target)
    found.discard(me)
    return found


GRAPH = {module_name(p): imports(p) for p in sorted((ROOT / "lenet").rglob("*.py"))}


def layer(module):
    if module in ("lenet.ui", "lenet.ui.page"):   # the page: above every layer
        return None
    return next((i for i, name in enumerate(LAYERS) if module == name or module.startswith(name + ".")), None)


def test_the_graph_is_read():
    assert "lenet.ui.readings.draw" in GRAPH["lenet.ui.tabs.draw"]
    assert "lenet.preprocess" in GRAPH["lenet.recognizer"]


def test_no_import_circles():
    state, path = {}, []

    def visit(m):
        state[m] = "open"
        path.append(m)
        for n in sorted(GRAPH.get(m, ())):
            if n.endswith("__init__") or n not in GRAPH:
                continue
            if state.get(n) == "open":
                pytest.fail("import circle: " + " -> ".join(path[path.index(n):] + [n]))
            if n not in state:
                visit(n)
        path.pop()
        state[m] = "done"

    for m in GRAPH:
        if m not in state:
            visit(m)


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_arrows_point_down(module):
    mine = layer(module)
    if mine is None:      # lenet.ui and lenet.ui.page: the top, may import anything
        return
    for other in GRAPH[module]:
        theirs = layer(other)
        if other in ("lenet", "lenet.ui") or theirs is None:
            assert other in ("lenet", "lenet.ui") or mine == 0, f"{module} imports {other}, above it"
            continue
        assert theirs >= mine, f"{module} imports {other}: an arrow up the layers {LAYERS}"
