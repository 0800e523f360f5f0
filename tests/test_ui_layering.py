"""The window's code never talks SQL: no module under dam_desktop/ui imports SQLAlchemy, not even
inside a function (where a session would be opened on the side)."""

from __future__ import annotations

import ast
from pathlib import Path

import dam_desktop

UI = Path(dam_desktop.__file__).parent / "ui"


def _imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def test_no_ui_module_imports_sqlalchemy() -> None:
    offenders = [
        f"{path.relative_to(UI.parent)}:{line} imports {module}"
        for path in sorted(UI.rglob("*.py"))
        for line, module in _imported_modules(ast.parse(path.read_text(encoding="utf-8")))
        if module == "sqlalchemy" or module.startswith("sqlalchemy.")
    ]
    assert offenders == []


def test_the_scan_sees_an_import_inside_a_function() -> None:
    tree = ast.parse("def f():\n    from sqlalchemy.ext.asyncio import AsyncSession\n    import sqlalchemy\n")
    assert [module for _line, module in _imported_modules(tree)] == ["sqlalchemy.ext.asyncio", "sqlalchemy"]
