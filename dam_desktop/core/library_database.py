"""Getting a library's database ready on open: refuse what is not ours, check, create or upgrade."""

from __future__ import annotations

from pathlib import Path

from dam_desktop.core.database_file import refuse_unusable_database
from dam_desktop.core.database_health import CheckResult, damaged_message, quick_check
from dam_desktop.core.errors import LibraryDamagedError, LibraryError
from dam_desktop.core.migrations import remove_leftovers, upgrade_library
from dam_desktop.core.schema_version import is_up_to_date


def prepare_database(db_path: Path) -> CheckResult | None:
    """Create, check and upgrade the database; return the open-time check (None for a new one).

    A damaged database is not upgraded (an upgrade rewrites tables, and would fail or spread the
    damage): it opens read-only when it is current, and is refused, naming `repair`, otherwise."""
    remove_leftovers(db_path)
    refuse_unusable_database(db_path)
    if not db_path.exists():
        upgrade_library(db_path)
        return None
    check = quick_check(db_path)
    if check.problems:
        try:
            current = is_up_to_date(db_path)
        except LibraryError:
            current = False
        if not current:
            raise LibraryDamagedError(damaged_message(db_path, check.problems[0]))
        return check
    upgrade_library(db_path)
    return check
