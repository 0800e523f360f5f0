"""Bring a library database to the newest schema with alembic, on open."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from dam_desktop.core.database import create_sync_library_engine
from dam_desktop.core.errors import LibraryError
from dam_desktop.paths import migrations_dir


def alembic_config(db_path: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", f"sqlite:///{db_path}")
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config(Path("unused"))).get_current_head()


def current_revision(db_path: Path) -> str | None:
    engine = create_sync_library_engine(db_path)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def upgrade_library(db_path: Path, revision: str = "heads") -> None:
    """Create the schema for a new database, or upgrade an old one; each step is transactional."""
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
