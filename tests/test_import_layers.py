"""The apps import one way: each layer only from the layers below it, and no modules in a
circle. README's architecture paragraph describes the same order."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Top to bottom. Units of one layer do not import each other either.
LAYERS = [
    ["config"],  # the project: settings, URLs, Celery, wsgi
    # pages, commands and the admin site's pages, which combine the apps
    ["overview", "operations", "hub.admin", "inventory.admin", "deliveries.admin"],
    ["network"],  # surplus offered between hubs, claims on it: moved as deliveries' transfers
    ["deliveries"],
    ["hub.intake"],  # dropoffs take goods into stock
    ["inventory"],
    ["hub"],  # hubs, memberships, roles, the hub's intake status
]
UNITS = {unit: depth for depth, units in enumerate(LAYERS) for unit in units}


def project_modules() -> dict[str, Path]:
    modules = {}
    for top in {unit.split(".")[0] for unit in UNITS}:
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def unit_of(module: str) -> str | None:
    matches = [u for u in UNITS if module == u or module.startswith(u + ".")]
    return max(matches, key=len) if matches else None


def imports_of(path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules this file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
            # `from pkg import name` imports pkg.name when that is a module, else pkg.
            names = [n for n in names[:-1] if n in modules] or [node.module]
        else:
            continue
        found.update(name for name in names if name in modules)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imports_of(path, modules) - {name} for name, path in modules.items()}


def test_it_imports_only_from_lower_layers():
    wrong = []
    for importer, imported in import_graph().items():
        for target in imported:
            source_unit, target_unit = unit_of(importer), unit_of(target)
            if source_unit == target_unit:
                continue
            if UNITS[source_unit] >= UNITS[target_unit]:
                wrong.append(f"{importer} imports {target} ({source_unit} -> {target_unit})")
    assert wrong == []


def test_it_has_no_modules_importing_each_other_in_a_circle():
    graph = import_graph()
    circles, state = [], {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                circles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert circles == []


def test_it_knows_every_app_of_the_project():
    """A new top-level package must be placed in a layer, or the two tests above miss it."""
    packages = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in {"tests", "bench"}
    }
    assert packages == {unit.split(".")[0] for unit in UNITS}
