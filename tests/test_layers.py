"""Imports go one way: dashboard → app → etl → indicators (app.main alone wires the dashboard in)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

FORBIDDEN = {
    "indicators": {"etl", "app", "dashboard", "sqlalchemy", "fastapi", "dash", "flask"},
    "etl": {"app", "dashboard", "sqlalchemy", "fastapi", "dash"},
    "app": {"dashboard"},
}
ALLOWED = {Path("app/main.py"): {"dashboard"}}


def _imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(package: str) -> None:
    offenders = {}
    for path in sorted((REPO_ROOT / package).rglob("*.py")):
        relative = path.relative_to(REPO_ROOT)
        wrong = (_imported_packages(path) & FORBIDDEN[package]) - ALLOWED.get(relative, set())
        if wrong:
            offenders[str(relative)] = sorted(wrong)
    assert offenders == {}


def test_dashboard_runs_no_sql_of_its_own() -> None:
    offenders = [
        str(path.relative_to(REPO_ROOT))
        for path in sorted((REPO_ROOT / "dashboard").rglob("*.py"))
        if {"sqlalchemy", "duckdb", "psycopg"} & _imported_packages(path)
        or "app.store" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
