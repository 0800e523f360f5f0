"""Bring a library database to the newest schema with alembic, on open; atomically.

Opening an up-to-date library is the common case and must be quick: `schema_version` compares the
stored revision with the migration files' heads without alembic, and alembic itself (half a second
of imports) is loaded only when there is something to upgrade.

Three things make a kill at any moment harmless:
- the whole upgrade, every migration and the version stamp, runs in one SQLite transaction
  (`database.create_sync_library_engine` gives real BEGIN/COMMIT around DDL), so a crash leaves
  the library at its old revision;
- before upgrading, a copy is written through the online backup API to `dam.sqlite3.pre-<rev>`
  (`<rev>`: the revision being upgraded to), and the last two such copies are kept;
- a new library's database is built as `dam.sqlite3.creating` and renamed into place complete.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from dam_desktop.core.database import create_sync_library_engine
from dam_desktop.core.database_copy import (
    PARTIAL_SUFFIX,
    copy_database,
    fsync_directory,
    fsync_file,
    remove_database_file,
)
from dam_desktop.core.database_file import refuse_unusable_database
from dam_desktop.core.errors import LibraryError
from dam_desktop.core.schema_version import is_up_to_date, script_heads, stored_revisions
from dam_desktop.paths import migrations_dir

if TYPE_CHECKING:
    from alembic.config import Config

CREATING_SUFFIX = ".creating"
PRE_UPGRADE_INFIX = ".pre-"
PRE_UPGRADE_COPIES_KEPT = 2


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
    """Create the schema for a new database, or upgrade an old one, each in one transaction.

    Raises LibraryError for a file that is not a dam-desktop database (zero bytes, another
    program's) and when the upgrade fails; the database is then as it was."""
    remove_leftovers(db_path)
    if revision == "heads" and is_up_to_date(db_path):
        return
    refuse_unusable_database(db_path)
    if not db_path.exists():
        _create(db_path, revision)
        return
    if stored_revisions(db_path):
        backup_before_upgrade(db_path, _target_name(revision))
    _run_upgrade(db_path, revision)


def remove_leftovers(db_path: Path) -> None:
    """Drop what a killed creation or pre-upgrade copy left: never a whole database, only parts."""
    remove_database_file(db_path.with_name(db_path.name + CREATING_SUFFIX))
    for partial in db_path.parent.glob(f"{db_path.name}{PRE_UPGRADE_INFIX}*{PARTIAL_SUFFIX}"):
        remove_database_file(partial)


def backup_before_upgrade(db_path: Path, target: str) -> Path:
    """Copy the database to `<db>.pre-<target>` and keep only the newest two such copies."""
    copy = db_path.with_name(f"{db_path.name}{PRE_UPGRADE_INFIX}{target}")
    copy_database(db_path, copy)
    copies = sorted(pre_upgrade_copies(db_path), key=lambda path: path.stat().st_mtime_ns, reverse=True)
    for old in copies[PRE_UPGRADE_COPIES_KEPT:]:
        remove_database_file(old)
    return copy


def pre_upgrade_copies(db_path: Path) -> list[Path]:
    return [
        path
        for path in db_path.parent.glob(f"{db_path.name}{PRE_UPGRADE_INFIX}*")
        if not path.name.endswith((PARTIAL_SUFFIX, "-wal", "-shm", "-journal"))
    ]


def _target_name(revision: str) -> str:
    if revision != "heads":
        return revision
    return "+".join(sorted(script_heads() or ())) or "head"


def _create(db_path: Path, revision: str) -> None:
    building = db_path.with_name(db_path.name + CREATING_SUFFIX)
    _run_upgrade(building, revision)
    # Disposing the engine closed the last connection, which checkpointed and removed the WAL:
    # the one file renamed below holds the whole schema.
    if building.with_name(building.name + "-wal").exists():
        raise LibraryError(f"cannot create the library database {db_path}: its journal was not folded in")
    fsync_file(building)
    building.replace(db_path)
    fsync_directory(db_path.parent)


def _run_upgrade(db_path: Path, revision: str) -> None:
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
