"""Rebuild a damaged library database into a new file, keeping every row SQLite can still read.

The approach of the sqlite3 shell's `.recover`, table by table: a fresh database gets the schema
from the migrations (at the damaged file's own revision when that can still be read), each table's
rows are copied in rowid order, and where a damaged page stops the walk the copy seeks past it
(a seek descends the table's interior pages, so it can land beyond a damaged leaf) and goes on.
Indexes are built anew by the inserts; component rows whose entity was lost are dropped, since the
foreign keys would otherwise point at nothing. The damaged original is kept beside the new file.

A python `sqlite3` build rarely has the `sqlite_dbpage` table that `.recover` itself reads, so rows
on a page whose parent is lost are not found; the report says how many rows each table lost
wherever an index still counts them.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dam_desktop.core.database_copy import fsync_directory, fsync_file, remove_database_file
from dam_desktop.core.errors import LibraryError
from dam_desktop.core.migrations import upgrade_library
from dam_desktop.core.schema_version import stored_revisions

BUILDING_SUFFIX = ".repairing"
_MIN_ROWID = -(2**63)
_MAX_ROWID = 2**63 - 1
_SKIPPED = ("alembic_version",)
# Values the schema's triggers keep as rows come and go, counted afresh from the rows that
# survived (the copy runs with the triggers dropped). One statement per derived value.
RECOUNTS: tuple[str, ...] = (
    "UPDATE component_tag_concept SET use_count = (SELECT count(*) FROM component_entity_tag_link l "
    "WHERE l.tag_concept_entity_id = component_tag_concept.entity_id AND NOT EXISTS "
    "(SELECT 1 FROM component_trashed t WHERE t.entity_id = l.entity_id))",
)


@dataclass(frozen=True)
class TableRecovery:
    table: str
    copied: int
    lost: int | None  # None: rows were lost but no index still counts them
    orphans_dropped: int = 0  # copied rows dropped because their entity was lost


@dataclass(frozen=True)
class RepairReport:
    revision: str
    tables: tuple[TableRecovery, ...]
    damaged_copy: Path

    @property
    def copied(self) -> int:
        return sum(t.copied - t.orphans_dropped for t in self.tables)

    @property
    def lost_known(self) -> int:
        return sum((t.lost or 0) + t.orphans_dropped for t in self.tables)

    @property
    def unknown_losses(self) -> tuple[str, ...]:
        return tuple(t.table for t in self.tables if t.lost is None)


def repair_database(db_path: Path) -> RepairReport:
    """Rebuild `db_path` in place; the damaged file is renamed to `<db>.damaged-<time>`.

    The caller holds the library's lock: nothing else may have the database open."""
    if not db_path.is_file():
        raise LibraryError(f"there is no library database to repair at {db_path}")
    revision = _readable_revision(db_path)
    building = db_path.with_name(db_path.name + BUILDING_SUFFIX)
    remove_database_file(building)
    upgrade_library(building, revision)
    with (
        closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as source,
        closing(sqlite3.connect(building, isolation_level=None)) as target,
    ):
        tables = _copy_everything(source, target)
    fsync_file(building)
    damaged_copy = db_path.with_name(f"{db_path.name}.damaged-{time.strftime('%Y%m%dT%H%M%S')}")
    db_path.replace(damaged_copy)
    wal = db_path.with_name(db_path.name + "-wal")
    if wal.is_file() and wal.stat().st_size > 0:  # committed pages not yet folded into the file
        wal.replace(damaged_copy.with_name(damaged_copy.name + "-wal"))
    remove_database_file(db_path)
    building.replace(db_path)
    fsync_directory(db_path.parent)
    return RepairReport(revision=revision, tables=tables, damaged_copy=damaged_copy)


def _readable_revision(db_path: Path) -> str:
    try:
        revisions = stored_revisions(db_path)
    except LibraryError:
        revisions = frozenset()
    # Unreadable: the newest schema, whose tables hold every older revision's columns.
    return next(iter(revisions)) if len(revisions) == 1 else "heads"


def _copy_everything(source: sqlite3.Connection, target: sqlite3.Connection) -> tuple[TableRecovery, ...]:
    target.execute("PRAGMA foreign_keys = OFF")
    target.execute("BEGIN")
    # Triggers keep derived counts as rows come and go; the copy would count every row twice.
    triggers = target.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for name, _sql in triggers:
        target.execute(f'DROP TRIGGER "{name}"')
    names = [
        row[0]
        for row in target.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
        if row[0] not in _SKIPPED
    ]
    recovered = {name: _copy_table(source, target, name) for name in names}
    _copy_sequences(source, target)
    orphans = _drop_orphans(target)
    for recount in RECOUNTS:
        with contextlib.suppress(sqlite3.OperationalError):  # a revision from before that value
            target.execute(recount)
    for _name, sql in triggers:
        target.execute(sql)
    target.execute("COMMIT")
    return tuple(
        TableRecovery(r.table, r.copied, r.lost, orphans.get(r.table, 0)) for r in recovered.values()
    )


def _copy_table(source: sqlite3.Connection, target: sqlite3.Connection, table: str) -> TableRecovery:
    target_columns = [row[1] for row in target.execute(f'PRAGMA table_info("{table}")')]
    try:
        source_columns = {row[1] for row in source.execute(f'PRAGMA table_info("{table}")')}
    except sqlite3.DatabaseError:
        source_columns = set()
    columns = [c for c in target_columns if c in source_columns]
    if not columns:
        return TableRecovery(table, 0, _count(source, table) if source_columns else None)
    quoted = ", ".join(f'"{c}"' for c in columns)
    insert = f'INSERT OR IGNORE INTO "{table}" ({quoted}) VALUES ({", ".join("?" * len(columns))})'
    copied = 0
    skipped_damage = False
    for rows, skipped in _readable_rows(source, table, quoted):
        skipped_damage |= skipped
        target.executemany(insert, (row[1:] for row in rows))
        copied += len(rows)
    if not skipped_damage:
        return TableRecovery(table, copied, 0)
    total = _count(source, table)
    return TableRecovery(table, copied, None if total is None else max(total - copied, 0))


def _readable_rows(
    source: sqlite3.Connection, table: str, quoted: str
) -> Iterator[tuple[list[tuple[Any, ...]], bool]]:
    """Rows in rowid order in batches, each with whether damage was skipped before it."""
    sql = f'SELECT rowid, {quoted} FROM "{table}" WHERE rowid > ? ORDER BY rowid'
    after = _MIN_ROWID
    skipped = False
    while True:
        batch: list[tuple[Any, ...]] = []
        try:
            for row in source.execute(sql, (after,)):
                batch.append(row)
                if len(batch) == 1000:
                    yield batch, skipped
                    skipped, after, batch = False, int(row[0]), []
        except sqlite3.DatabaseError:
            if batch:
                after = int(batch[-1][0])
                yield batch, skipped
            resume = _seek_past_damage(source, table, after)
            if resume is None:
                return
            after, skipped = resume, True
            continue
        if batch:
            yield batch, skipped
        return


def _seek_past_damage(source: sqlite3.Connection, table: str, after: int) -> int | None:
    """The smallest rowid bound past `after` from which rows can be read again (None: none)."""

    def readable(bound: int) -> bool:
        try:
            source.execute(
                f'SELECT rowid FROM "{table}" WHERE rowid > ? ORDER BY rowid LIMIT 1', (bound,)
            ).fetchone()
            return True
        except sqlite3.DatabaseError:
            return False

    step = 1
    while not readable(min(after + step, _MAX_ROWID)):
        if after + step >= _MAX_ROWID:
            return None
        step *= 2
    low, high = after + step // 2, min(after + step, _MAX_ROWID)  # low unreadable, high readable
    while high - low > 1:
        middle = (low + high) // 2
        if readable(middle):
            high = middle
        else:
            low = middle
    return high


def _count(source: sqlite3.Connection, table: str) -> int | None:
    try:
        return int(source.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
    except sqlite3.DatabaseError:
        return None


def _copy_sequences(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    """Keep AUTOINCREMENT counters, so ids of deleted rows are still never reused."""
    try:
        sequences = source.execute("SELECT name, seq FROM sqlite_sequence").fetchall()
    except sqlite3.DatabaseError:
        return
    for name, seq in sequences:
        target.execute("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?", (seq, name))
        target.execute(
            "INSERT INTO sqlite_sequence (name, seq) SELECT ?, ? WHERE NOT EXISTS "
            "(SELECT 1 FROM sqlite_sequence WHERE name = ?)",
            (name, seq, name),
        )


def _drop_orphans(target: sqlite3.Connection) -> dict[str, int]:
    dropped: dict[str, int] = {}
    # Repeated: dropping a row can orphan rows that pointed at it.
    while violations := target.execute("PRAGMA foreign_key_check").fetchall():
        for table, rowid, _parent, _fk in violations:
            target.execute(f'DELETE FROM "{table}" WHERE rowid = ?', (rowid,))
            dropped[table] = dropped.get(table, 0) + 1
    return dropped
