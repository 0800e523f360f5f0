"""What a whole-library copy does differently on SQLite and PostgreSQL: turning the triggers off
while rows that already hold their derived data go in, and carrying the id counters over.

Triggers keep derived data right (tag use counts, the text index, text-embedding markers). A copy
writes that derived data as it was, so running the triggers too would count every tag twice and
queue work already done. They are off for the copy's transaction only: on SQLite they are dropped
and created again before it commits, on PostgreSQL `ALTER TABLE … DISABLE TRIGGER USER` (the
foreign-key checks, which are system triggers, stay on).

Id counters: embedding row ids are never reused (AUTOINCREMENT), so the destination's counters
start after the source's, not after its highest surviving row.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Integer, Table, text
from sqlalchemy.engine import Connection

from dam_desktop.core.sql_dialect import ASSET_COUNT_TABLE, POSTGRESQL, RECOUNT_ASSETS
from dam_desktop.core.text_words import REFILL_WITH_LINKS, WORDS


def dialect(connection: Connection) -> str:
    return str(connection.dialect.name)


@contextmanager
def triggers_off(connection: Connection) -> Iterator[None]:
    if dialect(connection) == POSTGRESQL:
        tables = connection.scalars(
            text(
                "SELECT DISTINCT event_object_table FROM information_schema.triggers"
                " WHERE trigger_schema = current_schema()"
            )
        ).all()
        for table in tables:
            connection.exec_driver_sql(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
        yield
        for table in tables:
            connection.exec_driver_sql(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
        return
    triggers = connection.execute(
        text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
    ).all()
    for name, _sql in triggers:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    for _name, sql in triggers:
        connection.exec_driver_sql(sql)


def _counted(table: Table) -> bool:
    columns = list(table.primary_key.columns)
    return len(columns) == 1 and columns[0].name == "id" and isinstance(columns[0].type, Integer)


def id_counters(connection: Connection, tables: list[Table]) -> dict[str, int]:
    """The last id each table's counter handed out (tables whose ids are counted)."""
    names = {table.name for table in tables if _counted(table)}
    if dialect(connection) == POSTGRESQL:
        out: dict[str, int] = {}
        for name in sorted(names):
            sequence = connection.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": name})
            if sequence:
                row = connection.execute(text(f"SELECT last_value, is_called FROM {sequence}")).one()
                if row[1]:
                    out[name] = int(row[0])
        return out
    has_sequences = connection.scalar(
        text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'")
    )
    if not has_sequences:
        return {}
    rows = connection.execute(text("SELECT name, seq FROM sqlite_sequence")).all()
    return {str(name): int(seq) for name, seq in rows if name in names}


def set_id_counters(connection: Connection, tables: list[Table], last: dict[str, int]) -> None:
    """Make each counted table's next id follow both its rows and the source's counter."""
    for table in tables:
        if not _counted(table):
            continue
        high = max(
            int(connection.scalar(text(f"SELECT coalesce(max(id), 0) FROM {table.name}")) or 0),
            last.get(table.name, 0),
        )
        if dialect(connection) == POSTGRESQL:
            if high > 0:
                connection.execute(
                    text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"), {"t": table.name, "v": high}
                )
            continue
        autoincrement = connection.scalar(
            text("SELECT sql LIKE '%AUTOINCREMENT%' FROM sqlite_master WHERE type = 'table' AND name = :t"),
            {"t": table.name},
        )
        if not autoincrement or high == 0:
            continue
        updated = connection.execute(
            text("UPDATE sqlite_sequence SET seq = max(seq, :v) WHERE name = :t"),
            {"t": table.name, "v": high},
        )
        if not updated.rowcount:
            connection.execute(
                text("INSERT INTO sqlite_sequence (name, seq) VALUES (:t, :v)"), {"t": table.name, "v": high}
            )


# SQLite's text index holds a row per tag link of an asset, which a copy does not carry (see
# `rows.selected_rows`): made again from the links, as migration 0016 made them.
SQLITE_TAG_ROWS = (
    "INSERT INTO search_asset_text (rowid, tags) SELECT (l.entity_id << 31) + c.entity_id, c.tag_name"
    " FROM component_entity_tag_link l JOIN component_tag_concept c ON c.entity_id = l.tag_concept_entity_id"
    " WHERE EXISTS (SELECT 1 FROM component_file_properties p WHERE p.entity_id = l.entity_id)"
)


def after_bulk_load(connection: Connection) -> None:
    """What the triggers would have kept, made again (the number of assets and the text index's
    word table on PostgreSQL, its tag rows on SQLite); and PostgreSQL plans by statistics: gather
    them for the tables just filled, before anyone searches (autovacuum would, minutes later)."""
    if dialect(connection) == POSTGRESQL:
        if connection.scalar(text(f"SELECT to_regclass('{ASSET_COUNT_TABLE}') IS NOT NULL")):
            connection.exec_driver_sql(RECOUNT_ASSETS)
        if connection.scalar(text(f"SELECT to_regclass('{WORDS}') IS NOT NULL")):
            for statement in REFILL_WITH_LINKS:
                connection.exec_driver_sql(statement)
        connection.exec_driver_sql("ANALYZE")
    else:
        connection.exec_driver_sql(SQLITE_TAG_ROWS)
