"""How the core is laid out: rules that keep the hexagon's shape."""

from __future__ import annotations

import ast
from pathlib import Path

import grocery.core

CORE = Path(grocery.core.__file__).parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module is not None
    } | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }


def test_no_service_asks_for_the_whole_unit_of_work() -> None:
    """Each service names the narrow work of its area; the whole one is for the wiring."""
    asking = [
        path.name
        for path in sorted((CORE / "services").glob("*.py"))
        if "grocery.core.ports.unit_of_work" in _imports(path)
    ]
    assert asking == []


def test_no_module_in_core_is_over_400_lines() -> None:
    """Split by what it is about before a module grows past this."""
    long = {
        str(path.relative_to(CORE)): lines
        for path in sorted(CORE.rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert long == {}
