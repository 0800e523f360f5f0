"""Getting a library's database ready on open: refuse what is not ours, check, create or upgrade."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dam_desktop.core.database_file import refuse_unusable_database
from dam_desktop.core.database_health import CheckResult, damaged_message, quick_check
from dam_desktop.core.errors import LibraryDamagedError, LibraryError
from dam_desktop.core.migrations import remove_leftovers, upgrade_library
from dam_desktop.core.schema_version import is_up_to_date


@dataclass(frozen=True)
class PreparedDatabase:
    check: CheckResult | None  # the open-time check, when it had to run before an upgrade
    # The database is current: nothing will be rewritten, so the open-time check runs in the
    # background after the world opens instead of holding the open back (see World.open).
    check_owed: bool = False


def prepare_database(db_path: Path) -> PreparedDatabase:
    """Create, check and upgrade the database.

    A damaged database is not upgraded (an upgrade rewrites tables, and would fail or spread the
    damage): it opens read-only when it is current, and is refused, naming `repair`, otherwise.
    A current database is not checked here: the check's time grows with the library (0.23-0.6 s at
    a million rows), and the world runs it in the background while the window lists and paints."""
    remove_leftovers(db_path)
    if not db_path.exists():
        upgrade_library(db_path)
        return PreparedDatabase(None)
    try:
        current = is_up_to_date(db_path)
    except LibraryError:
        current = False
    if current:
        # At every migration head, so an SQLite file with our schema: nothing to refuse. (Each
        # connection reads the whole schema, a few milliseconds of every open: one is enough.)
        return PreparedDatabase(None, check_owed=True)
    refuse_unusable_database(db_path)
    check = quick_check(db_path)
    if check.problems:
        raise LibraryDamagedError(damaged_message(db_path, check.problems[0]))
    upgrade_library(db_path)
    return PreparedDatabase(check)
