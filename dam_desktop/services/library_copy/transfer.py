"""One verified copy of a library's database: every table streamed in one snapshot of the source,
into one transaction on the destination that commits only once the destination's rows give the
same row counts and checksums as the source's.

So a copy that fails, or that does not check out, leaves the destination as it was before the
copy's transaction began (an empty, current schema).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Table, create_engine
from sqlalchemy.engine import Connection, Engine

from dam_desktop.core.database import apply_pragmas
from dam_desktop.core.errors import LibraryError
from dam_desktop.core.sql_dialect import POSTGRESQL
from dam_desktop.services.library_copy.backends import (
    after_bulk_load,
    dialect,
    id_counters,
    set_id_counters,
    triggers_off,
)
from dam_desktop.services.library_copy.rows import (
    TableDigest,
    copied_tables,
    copy_table,
    count_rows,
    digest_table,
)

# (phase, done, total): phases "copying" and "checking" count rows
Progress = Callable[[str, int, int], None]


class CopyMismatch(LibraryError):
    """The destination's rows do not check out against the source's."""


def read_only_sqlite_engine(db_path: Path) -> Engine:
    """Reads of a library folder's database that never take its write lock: the window may keep
    writing meanwhile (WAL), and the copy reads one snapshot (`snapshot`)."""

    def connect() -> sqlite3.Connection:
        connection = sqlite3.connect(
            f"file:{db_path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
        )
        apply_pragmas(connection)
        return connection

    return create_engine("sqlite://", creator=connect)


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection whose reads all see the database as of one moment."""
    with engine.connect() as connection:
        if dialect(connection) == POSTGRESQL:
            connection = connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
            with connection.begin():
                yield connection
            return
        connection.exec_driver_sql("BEGIN")  # deferred: the first read fixes the snapshot
        try:
            yield connection
        finally:
            connection.exec_driver_sql("ROLLBACK")


def existing_rows(connection: Connection) -> int:
    """Rows the destination already holds (a library there, or part of one)."""
    return sum(count_rows(connection, table) for table in copied_tables(connection))


def copy_database(
    source: Engine,
    destination: Engine,
    progress: Progress,
    before_commit: Callable[[Connection], None] = lambda _connection: None,
) -> list[TableDigest]:
    """Copy every table from `source` into the empty schema at `destination` and check it.

    `before_commit` runs in the destination's transaction after the check (the caller's last
    steps: clearing a mark, copying the store). Raises CopyMismatch when the rows do not check
    out, LibraryError when the destination is not empty; nothing is committed then."""
    with snapshot(source) as src, destination.begin() as dst:
        tables = copied_tables(dst)
        missing = {table.name for table in tables} - {table.name for table in copied_tables(src)}
        if missing:
            raise LibraryError(f"the source has no table {sorted(missing)[0]}: is it a dam-desktop library?")
        if existing_rows(dst):
            raise LibraryError("the destination already holds a library: copy into an empty one")
        expected = {table.name: count_rows(src, table) for table in tables}
        total = sum(expected.values())
        counters = id_counters(src, tables)
        done = 0

        def written(n: int) -> None:
            nonlocal done
            done += n
            progress("copying", done, total)

        progress("copying", 0, total)
        with triggers_off(dst):
            digests = [copy_table(src, dst, table, written) for table in tables]
        set_id_counters(dst, tables, counters)
        check_copy(dst, tables, digests, expected, progress)
        before_commit(dst)
        after_bulk_load(dst)
    return digests


def check_copy(
    connection: Connection,
    tables: list[Table],
    digests: list[TableDigest],
    expected: dict[str, int],
    progress: Progress,
) -> None:
    total = sum(expected.values())
    done = 0
    progress("checking", 0, total)
    problems = []
    for table, source in zip(tables, digests, strict=True):
        if source.rows != expected[table.name]:
            problems.append(f"{table.name}: {expected[table.name]} rows counted, {source.rows} read")
        copied = digest_table(connection, table)
        if copied.rows != source.rows:
            problems.append(f"{table.name}: {source.rows} rows in the source, {copied.rows} copied")
        elif copied.sha256 != source.sha256:
            problems.append(f"{table.name}: the copied rows differ (checksum)")
        done += copied.rows
        progress("checking", done, total)
    if problems:
        raise CopyMismatch(f"the copy does not match its source: {'; '.join(problems[:3])}")
