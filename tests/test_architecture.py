"""The shape of the code: one-way imports in trips/, the law behind one door, small modules.

The flow is models -> stays -> findings -> (snapshots | alerts | details | planner) -> words
-> views (docs/architecture.md). These tests read the imports with `ast`, those inside
functions included, so a circle or a shortcut to the law fails here before it confuses anyone.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TRIPS = ROOT / "trips"

# The bridge: the only modules of trips/ that may ask `rules` anything.
BRIDGE = {
    "trips.stays",
    "trips.findings",
    "trips.visa_findings",
    "trips.wording",
    "trips.details",
    "trips.planner",
    "trips.snapshots",
    "trips.alerts",
}
# What the models must never reach for: they are the bottom of the flow.
NOT_FROM_MODELS = {"trips.findings", "trips.wording", "trips.alerts", "trips.snapshots"}
MAX_LINES = 450


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def trips_modules() -> dict[str, Path]:
    return {
        module_name(path): path for path in TRIPS.rglob("*.py") if "migrations" not in path.parts
    }


def imports_of(name: str, path: Path) -> set[str]:
    """Every module `name` imports, anywhere in the file, as absolute dotted names."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            # `from . import findings` names a module, not an attribute.
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def import_graph() -> dict[str, set[str]]:
    modules = trips_modules()
    return {
        name: {target for target in imports_of(name, path) if target in modules and target != name}
        for name, path in modules.items()
    }


def cycle_in(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle in `graph`, as the list of modules around it, or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_modules_of_trips_import_each_other_without_a_circle():
    assert cycle_in(import_graph()) is None


def test_the_circle_finder_finds_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}

    assert cycle_in(graph) == ["a", "b", "c", "a"]


def test_the_import_reader_counts_imports_inside_functions():
    path = TRIPS / "templatetags" / "findings.py"

    assert "trips.wording" in imports_of("trips.templatetags.findings", path)


def test_the_models_import_nothing_from_the_evaluation_the_wording_or_the_alerts():
    assert not import_graph()["trips.models"] & NOT_FROM_MODELS


@pytest.mark.parametrize("name", sorted(trips_modules()), ids=str)
def test_only_the_bridge_asks_the_rules_engine(name):
    imported = imports_of(name, trips_modules()[name])
    asks_rules = any(target == "rules" or target.startswith("rules.") for target in imported)

    assert not asks_rules or name in BRIDGE


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in sorted(TRIPS.rglob("*.py"))
        if "migrations" not in p.parts and p.name != "models.py"
    ],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_no_module_of_trips_grows_past_450_lines(path):
    assert len(path.read_text().splitlines()) <= MAX_LINES


@pytest.mark.parametrize("name", sorted(trips_modules()), ids=str)
def test_every_module_says_what_it_owns_at_the_top(name):
    path = trips_modules()[name]
    source = path.read_text()
    if not source.strip():
        return  # an empty package marker
    assert ast.get_docstring(ast.parse(source)), f"{path.name} has no docstring"
