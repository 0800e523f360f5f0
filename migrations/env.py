"""Alembic environment for a dam-desktop library.

The app passes an open connection in `config.attributes["connection"]` (see
`dam_desktop.core.migrations`); the alembic command line falls back to `sqlalchemy.url`.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection

import dam_desktop.models  # noqa: F401  (registers every table on the metadata)
from dam_desktop.models.core.base_class import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by rebuilding them
        compare_type=True,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    scratch_db = context.get_x_argument(as_dictionary=True).get("db")
    url = f"sqlite:///{scratch_db}" if scratch_db else config.get_main_option("sqlalchemy.url")
    engine = create_engine(url or "")
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
