"""Whether a library database is at the newest schema, read without alembic or SQLAlchemy.

Opening an up-to-date library is the common case and must be quick: the stored revision is read
with plain sqlite3 and the migration files' heads with a regular expression over the revision
files. `migrations.upgrade_library` loads alembic only when these disagree, and the window's
start-up read (`services.library_snapshot`) trusts a database only when they agree.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from contextlib import closing
from pathlib import Path

from dam_desktop.core.database_file import refuse_unusable_database
from dam_desktop.core.errors import LibraryError
from dam_desktop.paths import migrations_dir

_REVISION = re.compile(r"^revision\b[^=\n]*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\b[^=\n]*=(.*)$", re.MULTILINE)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


@functools.cache
def script_heads() -> frozenset[str] | None:
    """The heads of the migration files, read without alembic; None if a file cannot be read so.

    Read once per process: the start-up read and the world's open both ask."""
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
    return frozenset(revisions - parents)


def stored_revisions(db_path: Path) -> frozenset[str]:
    """The revisions an existing database says it is at (empty for a new or unversioned one).

    Raises LibraryError when the file is not a readable SQLite database (damaged, truncated, or
    something else under the library's database name)."""
    if not db_path.is_file():
        return frozenset()
    try:
        with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as connection:
            try:
                rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
            except sqlite3.OperationalError as exc:
                if "no such table" in str(exc):
                    return frozenset()
                raise
    except sqlite3.DatabaseError as exc:
        refuse_unusable_database(db_path)  # an empty or foreign file: says so in its own words
        raise LibraryError(
            f"cannot read the library database {db_path}: {exc}. The file may be damaged; "
            "restore it from a backup, or open another library."
        ) from exc
    return frozenset(row[0] for row in rows)


def is_up_to_date(db_path: Path) -> bool:
    """True when the database exists and is at every migration head (nothing to upgrade)."""
    heads = script_heads()
    return bool(heads) and stored_revisions(db_path) == heads
