"""The settings a copy writes into its destination: the store's root, and the mark that says the
copy is not finished (`copy_incomplete`), which a shared library keeps until the verified copy
commits, so that no workstation opens half a library."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from dam_desktop.core.shared_library import COPY_INCOMPLETE_KEY as INCOMPLETE_KEY
from dam_desktop.core.shared_library import STORE_ROOT_KEY

_UPSERT = (
    "INSERT INTO library_setting (key, value) VALUES (:k, :v)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)


def mark_incomplete(engine: Engine, note: str, store_root: Path | None) -> None:
    """Committed before the copy starts: it stays if the copy fails."""
    with engine.begin() as connection:
        connection.execute(text(_UPSERT), {"k": INCOMPLETE_KEY, "v": note})
        if store_root is not None:
            connection.execute(text(_UPSERT), {"k": STORE_ROOT_KEY, "v": str(store_root)})


def clear_incomplete(connection: Connection) -> None:
    connection.execute(text("DELETE FROM library_setting WHERE key = :k"), {"k": INCOMPLETE_KEY})


def managed_paths(connection: Connection) -> list[str]:
    """The stored copies the library names, relative to its store's root."""
    rows = connection.execute(
        text("SELECT path FROM component_file_location WHERE storage_type = 'managed'")
    ).all()
    return [str(row[0]) for row in rows]
