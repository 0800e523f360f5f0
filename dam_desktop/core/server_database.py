"""A library whose database is a PostgreSQL server (a studio's shared library).

A library is a folder with an SQLite file, or a PostgreSQL URL plus a shared store folder. The
same models and the same alembic migrations serve both; this module holds what only the server
needs: its engines (psycopg 3, which speaks both the sync API alembic uses and asyncio), its
upgrade, and how it reads a server that cannot be reached.

The server gives what SQLite's lock file gave: many writers at once. So there is no library lock,
and an upgrade takes a transaction-scoped advisory lock so that two workstations opening an old
library together upgrade it once. PostgreSQL runs DDL inside transactions, so, as on SQLite, a
whole upgrade commits or rolls back as one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from dam_desktop.core.errors import LibraryError
from dam_desktop.core.library_location import display_url
from dam_desktop.core.schema_version import script_heads
from dam_desktop.core.server_liveness import watch_liveness

if TYPE_CHECKING:
    from alembic.config import Config

# Any constant shared by every workstation: pg_advisory_xact_lock's key for "upgrading the schema".
UPGRADE_LOCK_KEY = 0x0DA3_0001
CONNECT_TIMEOUT_S = 5


def driver_url(url: str) -> str:
    """`url` for SQLAlchemy's psycopg dialect, whichever PostgreSQL scheme the user typed."""
    rest = url.strip().split("://", 1)[1]
    return f"postgresql+psycopg://{rest}"


def create_server_engine(url: str, application_name: str = "dam-desktop") -> AsyncEngine:
    """The world's engine. Its pool hands out only live connections (`server_liveness`) without
    pinging the server on every checkout, a round trip that was a fifth of a small search's.

    It hands out the connection given back last (LIFO): a search after a search runs where the
    last one did, with its page's statement prepared (psycopg prepares a text after five runs on
    a connection) and the server's caches warm. Handed out in turn, each of the pool's
    connections planned every page shape itself: two-tag first pages at 1M assets took 3.3-3.9
    ms where they take 2.4-2.5. Connections the studio's load no longer needs stay idle at the
    bottom and are replaced if the server has dropped them meanwhile."""
    engine = create_async_engine(
        driver_url(url),
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "application_name": application_name},
        pool_use_lifo=True,
    )
    watch_liveness(engine.sync_engine)
    event.listen(engine.sync_engine, "connect", _session_settings)
    return engine


# Starting parallel workers costs more than a first screen saves with them: the grid's pages walk
# an order index and stop at a LIMIT (1,000 rows), and on a busy server the workers' start alone
# took 20-60 ms where the page took 13-18 ms without them (a popular tag by date taken, at 1M
# assets, on a loaded 2-core machine). Ten times PostgreSQL's default setup cost keeps them for
# the statements that read 100k rows or more (counts), where they still pay.
SESSION_SETTINGS = "SET parallel_setup_cost = 10000"


def _session_settings(dbapi_connection: Any, record: object) -> None:
    """Each new connection's settings: once per connection, set for the session (committed)."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(SESSION_SETTINGS)
    finally:
        cursor.close()
    dbapi_connection.commit()


def create_sync_server_engine(url: str) -> Engine:
    return create_engine(driver_url(url), connect_args={"connect_timeout": CONNECT_TIMEOUT_S})


def unreachable_message(url: str, exc: BaseException) -> str:
    detail = (
        str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc) else type(exc).__name__
    )
    return (
        f"cannot reach the shared library at {display_url(url)}: {detail}. "
        "Check that the server is running and this workstation may connect (see the README, "
        '"Shared library for a studio")'
    )


def stored_server_revisions(url: str) -> frozenset[str]:
    """The revisions the server's database says it is at (empty for a new database)."""
    import psycopg

    try:
        with psycopg.connect(_libpq_url(url), connect_timeout=CONNECT_TIMEOUT_S) as connection:
            exists = connection.execute("SELECT to_regclass('alembic_version') IS NOT NULL").fetchone()
            if not exists or not exists[0]:
                return frozenset()
            rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except psycopg.Error as exc:
        raise LibraryError(unreachable_message(url, exc)) from exc
    return frozenset(str(row[0]) for row in rows)


def server_is_up_to_date(url: str) -> bool:
    heads = script_heads()
    return bool(heads) and stored_server_revisions(url) == heads


def upgrade_server_library(url: str, revision: str = "heads") -> None:
    """Create or upgrade the server's schema in one transaction, once however many workstations
    open the library at the same moment. Raises LibraryError when it fails (nothing changed)."""
    if revision == "heads" and server_is_up_to_date(url):
        return
    from alembic import command

    engine = create_sync_server_engine(url)
    config = server_alembic_config(url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({UPGRADE_LOCK_KEY})")
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except Exception as exc:
        raise LibraryError(f"cannot upgrade the shared library {display_url(url)}: {exc}") from exc
    finally:
        engine.dispose()


def server_alembic_config(url: str) -> Config:
    from alembic.config import Config

    from dam_desktop.paths import migrations_dir

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", driver_url(url).replace("%", "%%"))
    return config


def _libpq_url(url: str) -> str:
    return "postgresql://" + url.strip().split("://", 1)[1]
