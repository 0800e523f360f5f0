"""Everything stored about one entity, component by component, as plain values.

`dam-desktop show` prints it. It is generic on purpose: any component class the code knows (the
app's, a plug-in's, a test's) is listed without a line written for it, as long as this library's
database has its table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.models.core.base_class import Base
from dam_desktop.models.core.base_component import BaseComponent
from dam_desktop.models.core.entity import Entity
from dam_desktop.services.store.stored_paths import decode_db_path

HIDDEN_COLUMNS = frozenset({"id", "entity_id"})
# Columns that hold a stored path (possibly escaped, see stored_paths): shown as the OS path.
PATH_COLUMNS = frozenset({"path", "source_path"})


@dataclass(frozen=True)
class ComponentValues:
    name: str  # the component class's name, e.g. FilePropertiesComponent
    values: list[tuple[str, Any]]  # (column, value) in the table's column order


@dataclass(frozen=True)
class EntityDump:
    entity_id: int
    created_at: datetime | None
    components: list[ComponentValues]


def component_classes() -> list[type[BaseComponent]]:
    classes = [
        mapper.class_
        for mapper in Base.registry.mappers
        if issubclass(mapper.class_, BaseComponent) and mapper.class_.__table__ is not None
    ]
    return sorted(classes, key=lambda cls: cls.__name__)


async def dump_entity(session: AsyncSession, entity_id: int) -> EntityDump | None:
    """The entity's components and their values; None when no such entity exists."""
    entity = await session.get(Entity, entity_id)
    if entity is None:
        return None
    # Only tables this library has: code may know component classes that this database never created.
    tables = set((await session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'table'"))).all())
    components: list[ComponentValues] = []
    for cls in component_classes():
        if cls.__tablename__ not in tables:
            continue
        rows = (await session.scalars(select(cls).where(cls.entity_id == entity_id).order_by(cls.id))).all()
        columns = [c.key for c in sa_inspect(cls).column_attrs if c.key not in HIDDEN_COLUMNS]
        for row in rows:
            values = [(c, _plain(c, getattr(row, c))) for c in columns]
            components.append(ComponentValues(cls.__name__, values))
    return EntityDump(entity_id, entity.created_at, components)


def _plain(column: str, value: Any) -> Any:
    if column in PATH_COLUMNS and isinstance(value, str):
        return decode_db_path(value)
    return value
