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


# ------------------------------------------------------------------ one test module per source module

def expected_test_module(source):
    """The rule (tests/conftest.py): lenet/x.py and lenet/ui/x.py -> tests/test_x.py; a module of a
    package under lenet/ui -> tests/test_<package>_<module>.py; app.py -> tests/test_app.py."""
    parts = source.with_suffix("").parts
    parts = parts[1:] if parts[0] == "lenet" else parts
    parts = parts[1:] if parts[0] == "ui" and len(parts) > 1 else parts
    return "test_" + "_".join(parts) + ".py"


_TABS = "Gradio wiring of one tab (components and events, no logic): driven in Chromium by tests/test_browser*.py"
_PACKAGE = "a package's names, no logic of its own"
EXEMPT = {   # source modules with no test module of their own, and why
    "lenet/__init__.py": "names and first lines: the thread settings there are test_gate_tuning's",
    "lenet/__main__.py": "two lines, run by test_cli",
    "lenet/ui/__init__.py": _PACKAGE, "lenet/ui/gate/__init__.py": _PACKAGE,
    "lenet/ui/readings/__init__.py": _PACKAGE, "lenet/ui/tabs/__init__.py": _PACKAGE,
    "lenet/data.py": "MNIST from ../shared: read by test_preprocess and test_model on the real file",
    "lenet/network.py": "numpy forward pass: checked against the Keras models by test_facts and test_learning",
    "lenet/synthetic.py": "the tests' drawing kit: every reading test checks what the models read on it",
    "lenet/card.py": "model cards: test_model checks every committed card, test_startup a damaged one",
    "lenet/walk_text.py": "the walk-through's words: test_walkthrough reads them through lenet/walkthrough.py",
    "lenet/walk_figures.py": "the walk-through's pictures: test_walkthrough and test_readings_walkthrough read them",
    "lenet/ui/gate/limits.py": "numbers only: test_gate_uploads and test_gate_fair_queue hold the gate to them",
    "lenet/ui/readings/room.py": "a record of the loaded models: conftest's `room`, used by every readings test",
    **{f"lenet/ui/tabs/{name}.py": _TABS for name in ("about", "api", "compare", "draw", "events", "lab",
                                                        "learning", "number", "pad", "walkthrough", "why")},
}
SUITES = {   # test modules that test the app end to end rather than one module, and why
    "test_layout.py": "the package's structure: import graph, layers, this rule",
    "test_bad_input.py": "the bad-input corpus, over HTTP, across decode, pad and api",
    "test_not_blank.py": "not-blank pictures through Recognizer.predict and the running app",
    "test_collect_notice.py": "collect mode end to end: collect, room, the page's notice and its timer",
    "test_security.py": "what the running app exposes: served files, safe_mode, --share",
    "test_soak.py": "the running app under concurrent mixed load",
    "test_startup.py": "app.py as a process with broken weights",
    "test_replicas.py": "scripts/replicas.sh: replicas behind nginx",
    "test_small_digits.py": "scripts/small_digits.py: its sets, against handsets and numpy",
    **{f"test_browser{s}.py": "the page in a real Chromium" for s in ("", "_lab", "_learning", "_paper", "_room")},
}
SOURCES = sorted(p.relative_to(ROOT) for p in [*(ROOT / "lenet").rglob("*.py"), ROOT / "app.py"])


def test_the_rule_names_the_examples():
    assert expected_test_module(Path("lenet/ui/readings/draw.py")) == "test_readings_draw.py"
    assert expected_test_module(Path("lenet/ui/gate/worker.py")) == "test_gate_worker.py"
    assert expected_test_module(Path("lenet/ui/page.py")) == "test_page.py"
    assert expected_test_module(Path("lenet/preprocess.py")) == "test_preprocess.py"


@pytest.mark.parametrize("source", SOURCES, ids=str)
def test_every_module_has_a_test_module_or_a_reason(source):
    has = (ROOT / "tests" / expected_test_module(source)).is_file()
    exempt = str(source) in EXEMPT
    assert has or exempt, f"{source}: write tests/{expected_test_module(source)} or give a reason in EXEMPT"
    assert not (has and exempt), f"{source} has tests/{expected_test_module(source)}: take it out of EXEMPT"


def test_every_test_module_names_its_module_or_a_reason():
    named = {expected_test_module(s) for s in SOURCES}
    stray = sorted(p.name for p in (ROOT / "tests").glob("test_*.py") if p.name not in named | set(SUITES))
    assert not stray, f"test modules that match no source module by the rule and are not SUITES: {stray}"
    assert not [k for k in EXEMPT if not (ROOT / k).is_file()], "EXEMPT names a module that is gone"
