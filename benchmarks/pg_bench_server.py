"""The benchmarks' PostgreSQL server and its copy of a bench library (tag_bench, grid_bench and
studio_bench compare the same library on both backends).

The copy is COPY with triggers off, the id counters set, then VACUUM ANALYZE: a bulk load, as the
benches' SQLite builder does its own with executemany and its triggers dropped. The VACUUM marks
the copied pages all-visible, so an index-only scan reads no table rows; a studio's server gets
there by itself (autovacuum visits a table after a fifth of it changed), and a bench that timed the
copy before then would time a state a library in use is not in. The server is
durable as shipped (see `tests.pg_server.DURABLE_SETTINGS`); given a folder it is kept there and
its copy reused, so a 1M library is copied once.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dam_desktop.core.library import LibraryPaths
from dam_desktop.core.server_database import upgrade_server_library
from dam_desktop.core.sql_dialect import RECOUNT_ASSETS
from dam_desktop.core.text_words import REFILL_WITH_LINKS
from tests.pg_server import PostgresServer, start_server


def copy_to_server(db_path: Path, url: str) -> None:
    """Every table of the SQLite library into the server's (migrated) database, ids kept."""
    import psycopg

    t0 = time.perf_counter()
    upgrade_server_library(url)
    source = sqlite3.connect(db_path)
    tables = [
        r[0]
        for r in source.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT LIKE 'search_asset_text_%'"
            " AND name NOT IN ('alembic_version', 'search_asset_text')"
        )
    ]
    with psycopg.connect("postgresql://" + url.split("://", 1)[1]) as target:
        target.execute("SET session_replication_role = replica")  # triggers and foreign keys off
        for table in ["entities", *[t for t in tables if t != "entities"]]:
            columns = [r[1] for r in source.execute(f"PRAGMA table_info({table})")]
            _copy_rows(source, target, table, columns, f"SELECT {', '.join(columns)} FROM {table}")
        _copy_rows(
            source,
            target,
            "search_asset_text",
            ["rowid", "name", "path", "tags"],
            # The assets' own rows: PostgreSQL's has no tag rows (migration 0036).
            "SELECT rowid, name, path, tags FROM search_asset_text WHERE rowid & 2147483647 = 0",
        )
        for table in tables:
            target.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 1)) FROM {table}"
                if _has_serial(target, table)
                else "SELECT 1"
            )
        target.execute(RECOUNT_ASSETS)  # kept by a trigger, which COPY with triggers off skipped
        for statement in REFILL_WITH_LINKS:  # the text index's and the links' words, kept by triggers too
            target.execute(statement)
        target.commit()
        target.autocommit = True
        target.execute("VACUUM ANALYZE")
    source.close()
    print(f"copied the library to PostgreSQL in {time.perf_counter() - t0:.1f} s", flush=True)


def _has_serial(target: Any, table: str) -> bool:
    row = target.execute(
        "SELECT pg_get_serial_sequence(%s, 'id') FROM information_schema.columns"
        " WHERE table_name = %s AND column_name = 'id'",
        (table, table),
    ).fetchone()
    return bool(row and row[0])


def _copy_rows(source: sqlite3.Connection, target: Any, table: str, columns: list[str], sql: str) -> None:
    booleans = {
        r[0]
        for r in target.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_name = %s AND data_type = 'boolean'",
            (table,),
        )
    }
    flags = [i for i, c in enumerate(columns) if c in booleans]
    with target.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in source.execute(sql):
            if flags:
                row = tuple(bool(v) if i in flags and v is not None else v for i, v in enumerate(row))
            copy.write_row(row)


def bench_server(folder: Path | None) -> PostgresServer:
    """The benchmark's server: durable as shipped (fsync, synchronous_commit and full-page writes
    on: the studio's server keeps what it commits), with memory a server for one studio would be
    given (the README's settings). A folder given is kept, so a 1M copy is made once.

    A kept server comes back with the pages it held when it last stopped (pg_prewarm's
    autoprewarm, as the README sets up a studio's server), as a server that had been running
    would hold them: the bench waits until they are loaded, so that loading is not timed."""
    log = folder / "server.log" if folder is not None else None
    start = log.stat().st_size if log is not None and log.exists() else 0
    blocks = folder is not None and (folder / "data" / "autoprewarm.blocks").exists()
    server = start_server(durable=True, root=folder)
    if log is not None and blocks:
        _wait_for_prewarm(log, start)
    return server


def _wait_for_prewarm(log: Path, start: int) -> None:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < 300:
        with log.open("rb") as f:
            f.seek(start)
            said = [line for line in f.read().decode(errors="replace").splitlines() if "autoprewarm" in line]
        if said:
            print(
                f"server: {said[-1].split('LOG:')[-1].strip()} in {time.perf_counter() - t0:.1f} s",
                flush=True,
            )
            return
        time.sleep(0.1)  # a benchmark's setup, not a test: nothing to wait on but the server's log
    print("server: its pages were not reloaded within 300 s; timing it cold", flush=True)


def bench_database(server: PostgresServer, library: Path, *, reuse: bool) -> str:
    name = "bench_" + library.resolve().name.replace(".", "_").lower()
    url = server.url(name)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'")
    if reuse and exists != "[]":
        import psycopg

        with psycopg.connect(url) as connection:
            done = connection.execute("SELECT to_regclass('bench_copied') IS NOT NULL").fetchone()
        if done and done[0]:
            print(f"reusing the server's copy {name}", flush=True)
            return url
    if exists != "[]":
        server.psql(f'DROP DATABASE "{name}"')
    server.new_database(name, exact=True)
    copy_to_server(LibraryPaths(library).db_path, url)
    server.psql("CREATE TABLE bench_copied (done boolean)", database=name)
    return url
