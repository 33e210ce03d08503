"""The shape of the code: rooms in trips/, one-way imports, the law behind one door, small
modules and functions.

trips/ is a set of rooms (docs/architecture.md draws them). Each room may import only the rooms
below it: the doors (views, the API, commands, the admin) on top, the work (evaluation, words,
upkeep, files, accounts) in the middle, the records (models) below, and the vocabulary
(choices, countries, dates, wording) at the bottom, where everything may use it. These tests
read the imports with `ast`, those inside functions included, so a circle, a shortcut to the
law or an import against the flow fails here before it confuses anyone.
"""

import ast
import functools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TRIPS = ROOT / "trips"
RULES = ROOT / "rules"

VOCABULARY = {"choices", "countries", "dates", "wording"}
# What the doors for people (views) and for tools (the API) may import: every work room.
PEOPLE_AND_TOOLS = {
    "access",
    "accounts",
    "dashboard",
    "evaluation",
    "files",
    "forms",
    "http",
    "models",
    "upkeep",
    "words",
}
# Each room of trips/ and the rooms it may import (besides itself and the vocabulary). A room
# is a sub-package, or a module at the top of trips/. Forms are shared by every way in; the
# API and the files never reach into the views.
MAY_IMPORT: dict[str, set[str]] = {
    "choices": set(),
    "countries": set(),
    "dates": set(),
    "wording": set(),
    "models": set(),
    "access": {"models"},
    "delivery": {"models"},
    "dashboard": {"access", "models"},
    "evaluation": {"dashboard", "delivery", "models"},
    "words": {"evaluation", "models"},
    "forms": {"evaluation", "models"},
    "accounts": {"access", "models"},
    "sample": {"evaluation", "models"},
    "upkeep": {"dashboard", "delivery", "evaluation", "models"},
    "files": {"accounts", "evaluation", "forms", "models"},
    "templatetags": set(),
    "http": {"models", "upkeep"},  # for the type checker only
    "context_processors": {"access", "http"},
    "middleware": {"upkeep"},
    # The app connects the dashboard's signals, registers the proxy deploy check and gives
    # SQLite the search's SQL function.
    "apps": {"accounts", "dashboard", "models"},
    "admin": {"evaluation", "models", "upkeep"},
    "api": PEOPLE_AND_TOOLS,
    "views": PEOPLE_AND_TOOLS,
    "management": {
        "accounts",
        "delivery",
        "evaluation",
        "files",
        "models",
        "sample",
        "upkeep",
    },
    "urls": {"views", "api"},
}
# The rooms that may ask `rules` anything: the evaluation is the law's only door, and the
# wording cites its sources.
ASKS_RULES = {"evaluation", "wording"}
MAX_LINES = 450
MAX_FUNCTION_LINES = 100


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def trips_modules() -> dict[str, Path]:
    return {
        module_name(path): path for path in TRIPS.rglob("*.py") if "migrations" not in path.parts
    }


@functools.cache
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


@functools.cache
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
    path = TRIPS / "apps.py"  # the dashboard's signals are connected in ready()

    assert "trips.dashboard.fragments" in imports_of("trips.apps", path)


def room_of(name: str) -> str:
    """The room a module of trips/ is in: its sub-package, or itself at the top."""
    return name.split(".")[1] if "." in name else name


def forbidden_imports(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    """Every import of `graph` (module -> modules of trips/) that runs against the rooms' flow."""
    found = set()
    for name, targets in graph.items():
        if name == "trips":
            continue  # the package marker, empty
        room = room_of(name)
        allowed = MAY_IMPORT[room] | VOCABULARY | {room}
        found |= {(name, t) for t in targets if t != "trips" and room_of(t) not in allowed}
    return found


def test_every_module_of_trips_is_in_a_known_room():
    assert {room_of(name) for name in trips_modules()} - {"trips"} <= MAY_IMPORT.keys()


@pytest.mark.parametrize("name", sorted(trips_modules()), ids=str)
def test_each_module_imports_only_the_rooms_below_its_own(name):
    graph = import_graph()

    assert forbidden_imports({name: graph[name]}) == set()


def test_the_room_check_catches_an_import_against_the_flow():
    graph = {
        "trips.models.domain": {"trips.evaluation.findings"},
        "trips.api.alerts": {"trips.views.alerts", "trips.forms"},
        "trips.files.exports": {"trips.views.dashboard"},
        "trips.evaluation.findings": {"trips.models.domain", "trips.wording"},
    }

    assert forbidden_imports(graph) == {
        ("trips.models.domain", "trips.evaluation.findings"),
        ("trips.api.alerts", "trips.views.alerts"),
        ("trips.files.exports", "trips.views.dashboard"),
    }


def test_the_vocabulary_imports_nothing_but_the_vocabulary():
    graph = import_graph()
    vocabulary = {f"trips.{name}" for name in VOCABULARY}

    assert all(graph[name] <= vocabulary | {"trips"} for name in vocabulary)


@pytest.mark.parametrize("name", sorted(trips_modules()), ids=str)
def test_only_the_evaluation_and_the_wording_ask_the_rules_engine(name):
    imported = imports_of(name, trips_modules()[name])
    asks_rules = any(target == "rules" or target.startswith("rules.") for target in imported)

    assert not asks_rules or room_of(name) in ASKS_RULES


def source_files() -> list[Path]:
    """The modules the size rules hold to: trips/ and rules/, apart from migrations."""
    paths = [*TRIPS.rglob("*.py"), *RULES.rglob("*.py")]
    return sorted(p for p in paths if "migrations" not in p.parts)


def long_functions(source: str) -> list[tuple[str, int]]:
    """Each function of `source` over the limit, with its length in lines (decorators too)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            length = node.end_lineno - start + 1
            if length > MAX_FUNCTION_LINES:
                found.append((node.name, length))
    return found


@pytest.mark.parametrize("path", source_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_grows_past_450_lines(path):
    assert len(path.read_text().splitlines()) <= MAX_LINES


@pytest.mark.parametrize("path", source_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_function_grows_past_100_lines(path):
    assert long_functions(path.read_text()) == []


def test_the_function_check_catches_a_long_function():
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES))
    source = f"def short():\n    pass\n\n\n@decorated\ndef long():\n{body}"

    assert long_functions(source) == [("long", MAX_FUNCTION_LINES + 2)]


@pytest.mark.parametrize("name", sorted(trips_modules()), ids=str)
def test_every_module_says_what_it_owns_at_the_top(name):
    path = trips_modules()[name]
    source = path.read_text()
    if not source.strip():
        return  # an empty package marker
    assert ast.get_docstring(ast.parse(source)), f"{path.name} has no docstring"
