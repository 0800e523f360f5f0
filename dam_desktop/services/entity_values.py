"""An entity's components as plain values, read with SQLAlchemy (`entity_dump`) or without it.

`dam-desktop show` on a library whose schema is current reads with plain sqlite3
(`dump_entity_plain`): the component tables come from `component_catalogue` (the models' names and
column kinds, written out as data so that reading them loads no ORM; a test keeps it equal to the
models), the values are turned into what the ORM would give (datetimes, booleans). A table the
catalogue does not know (a plug-in's, a test's) makes it give up: the world then lists it.
Nothing here imports SQLAlchemy.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias

from dam_desktop.services.store.stored_paths import decode_db_path

HIDDEN_COLUMNS = frozenset({"id", "entity_id"})
# Columns that hold a stored path (possibly escaped, see stored_paths): shown as the OS path.
PATH_COLUMNS = frozenset({"path", "source_path"})

# table -> (component class name, ((column, Python type name), ...) in the class's column order)
Catalogue: TypeAlias = dict[str, tuple[str, tuple[tuple[str, str], ...]]]


@dataclass(frozen=True)
class ComponentValues:
    name: str  # the component class's name, e.g. FilePropertiesComponent
    values: list[tuple[str, Any]]  # (column, value) in the table's column order


@dataclass(frozen=True)
class EntityDump:
    entity_id: int
    created_at: datetime | None
    components: list[ComponentValues]


def plain_value(column: str, value: Any) -> Any:
    if column in PATH_COLUMNS and isinstance(value, str):
        return decode_db_path(value)
    return value


def _as_kind(kind: str, value: Any) -> Any:
    """A value as SQLite gives it -> as the ORM gives it, for the column's Python type."""
    if value is None:
        return None
    if kind == "datetime":
        return datetime.fromisoformat(value) if isinstance(value, str) else value
    if kind == "bool":
        return bool(value)
    if kind == "float":
        return float(value)
    return value


class UnknownComponentTable(Exception):
    """The library has a component table the catalogue does not name."""


def dump_entity_plain(
    connection: sqlite3.Connection, catalogue: Catalogue, entity_id: int
) -> EntityDump | None:
    """`entity_dump.dump_entity` on a plain sqlite3 connection. Raises UnknownComponentTable where
    the database holds a component table the catalogue lacks (only the models can read it)."""
    found = connection.execute("SELECT created_at FROM entities WHERE id = ?", (entity_id,)).fetchone()
    if found is None:
        return None
    tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    unknown = {t for t in tables if t.startswith("component_") and t not in catalogue}
    if unknown:
        raise UnknownComponentTable(", ".join(sorted(unknown)))
    components: list[ComponentValues] = []
    for table, (name, columns) in sorted(catalogue.items(), key=lambda item: item[1][0]):
        if table not in tables:
            continue
        names = ", ".join(f'"{column}"' for column, _ in columns)
        rows = connection.execute(
            f'SELECT {names} FROM "{table}" WHERE entity_id = ? ORDER BY id', (entity_id,)
        )
        for row in rows:
            values = [
                (c, plain_value(c, _as_kind(kind, v))) for (c, kind), v in zip(columns, row, strict=True)
            ]
            components.append(ComponentValues(name, values))
    return EntityDump(entity_id, _as_kind("datetime", found[0]), components)
