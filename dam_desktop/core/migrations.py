"""Bring a library database to the newest schema with alembic, on open.

Opening an up-to-date library is the common case and must be quick: the stored revision is
compared with the migration files' heads by reading both directly (plain sqlite3 and a regular
expression over the revision files), and alembic itself (half a second of imports) is loaded only
when there is something to upgrade.
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

from dam_desktop.core.database import create_sync_library_engine
from dam_desktop.core.errors import LibraryError
from dam_desktop.paths import migrations_dir

if TYPE_CHECKING:
    from alembic.config import Config

_REVISION = re.compile(r"^revision\b[^=\n]*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\b[^=\n]*=(.*)$", re.MULTILINE)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


def alembic_config(db_path: Path) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", f"sqlite:///{db_path}")
    return config


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(Path("unused"))).get_current_head()


def script_heads() -> set[str] | None:
    """The heads of the migration files, read without alembic; None if a file cannot be read so."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in sorted((migrations_dir() / "versions").glob("*.py")):
        source = script.read_text(encoding="utf-8")
        revision = _REVISION.search(source)
        down = _DOWN_REVISION.search(source)
        if revision is None or down is None:
            return None
        revisions.add(revision.group(1))
        parents.update(_QUOTED.findall(down.group(1)))
    return revisions - parents


def stored_revisions(db_path: Path) -> set[str]:
    """The revisions an existing database says it is at (empty for a new or unversioned one)."""
    if not db_path.is_file():
        return set()
    with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as connection:
        try:
            rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        except sqlite3.OperationalError:
            return set()
    return {row[0] for row in rows}


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
    if revision == "heads":
        heads = script_heads()
        if heads and stored_revisions(db_path) == heads:
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
