"""Bring a library database to the newest schema with alembic, on open.

Opening an up-to-date library is the common case and must be quick: `schema_version` compares the
stored revision with the migration files' heads without alembic, and alembic itself (half a second
of imports) is loaded only when there is something to upgrade.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from dam_desktop.core.database import create_sync_library_engine
from dam_desktop.core.errors import LibraryError
from dam_desktop.core.schema_version import is_up_to_date
from dam_desktop.paths import migrations_dir

if TYPE_CHECKING:
    from alembic.config import Config


def alembic_config(db_path: Path) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", f"sqlite:///{db_path}")
    return config


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(Path("unused"))).get_current_head()


def current_revision(db_path: Path) -> str | None:
    from alembic.runtime.migration import MigrationContext

    engine = create_sync_library_engine(db_path)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def upgrade_library(db_path: Path, revision: str = "heads") -> None:
    """Create the schema for a new database, or upgrade an old one; each step is transactional."""
    if revision == "heads" and is_up_to_date(db_path):
        return
    from alembic import command

    engine = create_sync_library_engine(db_path)
    config = alembic_config(db_path)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except Exception as exc:
        raise LibraryError(f"cannot upgrade the library database {db_path}: {exc}") from exc
    finally:
        engine.dispose()
