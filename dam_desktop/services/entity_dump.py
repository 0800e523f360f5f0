"""Everything stored about one entity, component by component, as plain values.

`dam-desktop show` prints it. It is generic on purpose: any component class the code knows (the
app's, a plug-in's, a test's) is listed without a line written for it, as long as this library's
database has its table. On a library whose schema is current the command line reads the same
values without the ORM (`entity_values`).
"""

from __future__ import annotations

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.sql_dialect import table_names
from dam_desktop.models.core.base_class import Base
from dam_desktop.models.core.base_component import BaseComponent
from dam_desktop.models.core.entity import Entity
from dam_desktop.services.entity_values import (
    HIDDEN_COLUMNS,
    Catalogue,
    ComponentValues,
    EntityDump,
    plain_value,
)


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
    tables = await table_names(session)
    components: list[ComponentValues] = []
    for cls in component_classes():
        if cls.__tablename__ not in tables:
            continue
        rows = (await session.scalars(select(cls).where(cls.entity_id == entity_id).order_by(cls.id))).all()
        columns = [c.key for c in sa_inspect(cls).column_attrs if c.key not in HIDDEN_COLUMNS]
        for row in rows:
            values = [(c, plain_value(c, getattr(row, c))) for c in columns]
            components.append(ComponentValues(cls.__name__, values))
    return EntityDump(entity_id, entity.created_at, components)


def catalogue_from_models() -> Catalogue:
    """Each of the app's component tables with its class's name and its shown columns' kinds, as
    the models say: what `component_catalogue` must hold (a test compares;
    `scripts/write_component_catalogue.py` writes it)."""
    import dam_desktop.models  # noqa: F401  (every table registered)

    return {
        cls.__tablename__: (
            cls.__name__,
            tuple(
                (c.key, c.columns[0].type.python_type.__name__)
                for c in sa_inspect(cls).column_attrs
                if c.key not in HIDDEN_COLUMNS
            ),
        )
        for cls in component_classes()
        if cls.__module__.startswith("dam_desktop.")
    }
