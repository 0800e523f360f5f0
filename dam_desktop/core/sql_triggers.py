"""Triggers written once, in SQLite's syntax, and created on either backend.

The migrations keep derived data (tag use counts, the text index, stale-embedding markers) right
with triggers, so every code path and every tool writing the database keeps it right. SQLite's
`CREATE TRIGGER … WHEN … BEGIN … END` has no PostgreSQL spelling: there a trigger calls a
function. `create_trigger_sql` turns one into a PL/pgSQL function plus a `FOR EACH ROW` trigger,
the WHEN condition becoming an IF (PostgreSQL's WHEN may not hold a subquery), and the body's
few SQLite-only words into PostgreSQL's (`to_postgres_sql`).
"""

from __future__ import annotations

import re
from typing import Any

_TRIGGER = re.compile(
    r"^\s*CREATE TRIGGER\s+(?P<name>\w+)\s+(?P<when>.*?)\s+ON\s+(?P<table>\w+)\s*"
    r"(?:WHEN\s+(?P<cond>.*?))?\s*BEGIN\s+(?P<body>.*?)\s*END\s*$",
    re.DOTALL | re.IGNORECASE,
)
_INSERT_OR_IGNORE = re.compile(r"INSERT OR IGNORE INTO\s+(.*?);", re.DOTALL | re.IGNORECASE)


def to_postgres_sql(sql: str) -> str:
    """The SQLite-only words of a statement list (each ending in `;`) in PostgreSQL's spelling."""
    sql = _INSERT_OR_IGNORE.sub(lambda m: f"INSERT INTO {m.group(1).rstrip()} ON CONFLICT DO NOTHING;", sql)
    sql = sql.replace("group_concat(", "string_agg(").replace("char(10)", "chr(10)")
    # SQLite's NOCASE: ASCII case folded, bytes compared (as the search's sorts say it there).
    return re.sub(r"(\w+) COLLATE NOCASE", r'lower(\1) COLLATE "C"', sql)


def dialect_of(op: Any) -> str:
    """The backend an alembic migration runs on ("sqlite" or "postgresql")."""
    return str(op.get_bind().dialect.name)


def execute(op: Any, sql: str) -> None:
    """Run a statement written for SQLite from a migration, on whichever backend it runs."""
    op.execute(sql_for(sql, dialect_of(op)))


def create_trigger(op: Any, sql: str) -> None:
    """Create the SQLite trigger `sql` from a migration, on whichever backend it runs."""
    for statement in create_trigger_sql(sql, dialect_of(op)):
        op.execute(statement)


def drop_trigger(op: Any, create_sql: str) -> None:
    """Drop the trigger that `create_sql` (its SQLite CREATE statement) creates."""
    match = _TRIGGER.match(create_sql)
    if match is None:
        raise ValueError(f"not a trigger: {create_sql[:60]}")
    for statement in drop_trigger_sql(match.group("name"), match.group("table"), dialect_of(op)):
        op.execute(statement)


def create_trigger_sql(sql: str, dialect: str) -> list[str]:
    """The statements that create the SQLite trigger `sql` on `dialect` ("sqlite" or "postgresql")."""
    if dialect == "sqlite":
        return [sql]
    match = _TRIGGER.match(sql)
    if match is None:
        raise ValueError(f"not a trigger: {sql[:60]}")
    name, table = match.group("name"), match.group("table")
    body = to_postgres_sql(match.group("body").strip())
    if not body.endswith(";"):
        body += ";"
    cond = match.group("cond")
    if cond:
        body = f"IF {cond.strip()} THEN\n{body}\nEND IF;"
    return [
        f"CREATE OR REPLACE FUNCTION {name}_fn() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n{body}\nRETURN NULL;\nEND $$",
        f"CREATE TRIGGER {name} {match.group('when').strip()} ON {table}"
        f" FOR EACH ROW EXECUTE FUNCTION {name}_fn()",
    ]


def drop_trigger_sql(name: str, table: str, dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}"]
    return [f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}_fn()"]


def sql_for(sql: str, dialect: str) -> str:
    """A statement written for SQLite (no trailing `;`), for `dialect`."""
    if dialect == "sqlite":
        return sql
    return to_postgres_sql(sql + ";").rstrip(";")
