"""Streaming every table of a library from one database into another, and checksums over them.

The tables are the models' (`Base.metadata`, in foreign-key order) plus the text index the
triggers keep (`search_asset_text`, its assets' own rows copied as rows rather than rebuilt).
Rows are read through the same SQLAlchemy tables on both sides, so each value arrives typed (a
datetime, a bool, bytes) and is written in the destination's spelling. Reads stream in batches
(server-side cursors on PostgreSQL), so a million-asset library never sits in memory.

A table's checksum is SHA-256 over its rows in primary-key order, each value in a canonical text
form (`canonical`), so the same rows give the same checksum on either backend. Tables keyed by
text (two small settings tables) are sorted in Python: SQLite and PostgreSQL order text by
different collations.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Column, Integer, MetaData, Table, Text, func, insert, inspect, select
from sqlalchemy.engine import Connection

import dam_desktop.models  # noqa: F401  (registers every table on Base.metadata)
from dam_desktop.core.shared_library import COPY_INCOMPLETE_KEY, STORE_ROOT_KEY
from dam_desktop.models.core.base_class import Base
from dam_desktop.models.core.library_setting import LibrarySetting

BATCH_ROWS = 5_000

# Keys of library_setting that belong to one database, not to the library: where this server's
# store is, and the mark of a copy under way.
LOCAL_SETTINGS = frozenset({STORE_ROOT_KEY, COPY_INCOMPLETE_KEY})

_text_index_metadata = MetaData()
OWN_ROW_MASK = (1 << 31) - 1  # an asset's own row is its id << 31; a tag's row adds the tag id
TEXT_INDEX = Table(
    "search_asset_text",
    _text_index_metadata,
    Column("rowid", BigInteger, primary_key=True),
    Column("name", Text),
    Column("path", Text),
    Column("tags", Text),
)

Progress = Callable[[str, int], None]  # (table, rows written so far in all tables)


@dataclass(frozen=True)
class TableDigest:
    table: str
    rows: int
    sha256: str


def copied_tables(connection: Connection) -> list[Table]:
    """Every table a library holds, parents before children: the models' tables that the
    migrations made in `connection`'s database (the migrations are the schema; a model a test
    or a plug-in registered without one is no part of a library)."""
    present = set(inspect(connection).get_table_names())
    return [table for table in [*Base.metadata.sorted_tables, TEXT_INDEX] if table.name in present]


def selected_rows(table: Table) -> Any:
    query = select(table)
    if table.name == LibrarySetting.__tablename__:
        query = query.where(table.c.key.not_in(LOCAL_SETTINGS))
    if table is TEXT_INDEX:
        # The assets' own rows: PostgreSQL's index has no tag rows (migration 0036), SQLite's
        # are made again from the links after the copy (`backends.after_bulk_load`).
        query = query.where(table.c.rowid.op("&")(OWN_ROW_MASK) == 0)
    return query.order_by(*table.primary_key.columns)


def count_rows(connection: Connection, table: Table) -> int:
    query = selected_rows(table).order_by(None)
    return int(connection.scalar(select(func.count()).select_from(query.subquery())) or 0)


def stream(connection: Connection, table: Table) -> Iterator[Sequence[Any]]:
    """The table's rows in batches, read with a server-side cursor where the driver has one."""
    result = connection.execute(selected_rows(table).execution_options(yield_per=BATCH_ROWS))
    yield from result.partitions(BATCH_ROWS)


def copy_table(
    source: Connection, destination: Connection, table: Table, written: Callable[[int], None]
) -> TableDigest:
    """Copy `table`'s rows; returns the checksum of what was read (the source's rows)."""
    digest = _Digest(table)
    names = [column.name for column in table.columns]
    for batch in stream(source, table):
        digest.add(batch)
        destination.execute(insert(table), [dict(zip(names, row, strict=True)) for row in batch])
        written(len(batch))
    return digest.result()


def digest_table(connection: Connection, table: Table) -> TableDigest:
    digest = _Digest(table)
    for batch in stream(connection, table):
        digest.add(batch)
    return digest.result()


class _Digest:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.rows = 0
        self.hash = hashlib.sha256()
        # Rows keyed by text wait to be sorted (see the module's docstring); those tables are tiny.
        self.unordered: list[str] | None = (
            None if all(isinstance(c.type, Integer) for c in table.primary_key.columns) else []
        )

    def add(self, batch: Iterable[Sequence[Any]]) -> None:
        for row in batch:
            line = canonical(row)
            self.rows += 1
            if self.unordered is None:
                self.hash.update(line.encode())
            else:
                self.unordered.append(line)

    def result(self) -> TableDigest:
        for line in sorted(self.unordered or ()):
            self.hash.update(line.encode())
        return TableDigest(self.table.name, self.rows, self.hash.hexdigest())


def canonical(row: Sequence[Any]) -> str:
    """One row as text that does not depend on the backend it was read from."""
    return "\x1f".join(_value(value) for value in row) + "\n"


def _value(value: Any) -> str:
    if value is None:
        return "\x00"
    if isinstance(value, bool):
        return "T" if value else "F"
    if isinstance(value, int | str):
        return str(json.dumps(value, ensure_ascii=False))
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return "x" + bytes(value).hex()
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return str(value.isoformat())
    if isinstance(value, dict | list):
        return str(json.dumps(value, sort_keys=True, ensure_ascii=False))
    return repr(value)
