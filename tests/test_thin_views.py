"""Views only call selectors and services, and use forms from the forms modules: no ORM
manager (`Model.objects`) and no form class in a views module (issue 13)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("hub", "inventory", "deliveries", "overview", "operations")


def views_modules() -> list[Path]:
    return sorted(path for app in APPS for path in (ROOT / app).rglob("*views.py"))


def base_name(base: ast.expr) -> str:
    return base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")


def orm_calls_and_forms(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} uses .objects")
        elif isinstance(node, ast.ClassDef) and any(
            base_name(base).endswith("Form") for base in node.bases
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} defines {node.name}")
    return found


def test_it_finds_the_views_modules():
    names = {path.relative_to(ROOT).as_posix() for path in views_modules()}
    assert {"hub/intake/catalog_views.py", "overview/stock_views.py"} <= names


def test_it_keeps_orm_calls_and_form_classes_out_of_the_views():
    assert [line for path in views_modules() for line in orm_calls_and_forms(path)] == []
