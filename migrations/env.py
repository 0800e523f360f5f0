"""Alembic environment for a dam-desktop library.

The app passes an open connection in `config.attributes["connection"]` (see
`dam_desktop.core.migrations`); the alembic command line falls back to `sqlalchemy.url`. Either way
the connection is in a real SQLite transaction (`create_sync_library_engine`), which alembic runs
every migration inside, so a whole upgrade commits or rolls back as one. `-x db=` names a scratch
SQLite file or a PostgreSQL URL (a shared library's database: PostgreSQL runs DDL in transactions
too).
"""

from __future__ import annotations

from pathlib import Path

from alembic import context
from sqlalchemy.engine import Connection

import dam_desktop.models  # noqa: F401  (registers every table on the metadata)
from dam_desktop.core.database import create_sync_library_engine
from dam_desktop.core.library_location import is_server_url
from dam_desktop.core.server_database import create_sync_server_engine
from dam_desktop.models.core.base_class import Base
from dam_desktop.models.files.file_properties_component import SORT_ORDER_INDEXES
from dam_desktop.models.tags.entity_tag_link_component import PER_DIALECT_INDEXES
from dam_desktop.models.tags.tag_concept_component import POSTGRESQL_NAME_INDEXES

config = context.config
target_metadata = Base.metadata

# Search indexes are SQLite virtual tables (FTS5) with shadow tables of their own (on PostgreSQL,
# plain tables under trigram indexes): written by migrations, not models, so the comparison of
# models and migrations leaves them out.
SEARCH_INDEX_PREFIX = "search_"


def _include_name(name: str | None, type_: str, parent_names: object) -> bool:
    if type_ == "index" and name in SORT_ORDER_INDEXES:
        return False  # case-blind indexes that reflection cannot describe (see their model)
    if type_ in ("index", "unique_constraint") and name in PER_DIALECT_INDEXES:
        return False  # a tag link's indexes differ by dialect (see their model)
    if type_ == "index" and name in POSTGRESQL_NAME_INDEXES:
        return False  # the tag names' indexes for the word ranking and autocomplete (see their model)
    return not (type_ == "table" and (name or "").startswith(SEARCH_INDEX_PREFIX))


def _include_object(item: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """The models' side of `_include_name` (which sees only what the database holds)."""
    if type_ in ("index", "unique_constraint") and not reflected:
        table = getattr(getattr(item, "table", None), "name", None)
        return not (table == "component_entity_tag_link" and (name is None or name in PER_DIALECT_INDEXES))
    return True


def _configure(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # Our revision ids are longer than alembic's VARCHAR(32), which SQLite never enforced.
        connection.exec_driver_sql(
            "CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR(255) NOT NULL,"
            " CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
        )
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by rebuilding them
        compare_type=True,
        include_name=_include_name,
        include_object=_include_object,
        transactional_ddl=True,  # SQLite rolls DDL back too, inside a real transaction
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    scratch_db = context.get_x_argument(as_dictionary=True).get("db") or ""
    url = config.get_main_option("sqlalchemy.url") or ""
    if is_server_url(scratch_db or url):
        engine = create_sync_server_engine(scratch_db or url)
    else:
        engine = create_sync_library_engine(Path(scratch_db or url.removeprefix("sqlite:///")))
    with engine.begin() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
