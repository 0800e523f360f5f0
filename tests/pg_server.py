"""A real PostgreSQL server for the tests: Debian's `postgresql` package, started in a temp folder.

The server listens only on a Unix socket in its own folder, with fsync off (a test server loses
nothing it needs when killed) and trust authentication. PostgreSQL refuses to run as root, so as
root it runs as the `postgres` user (through `runuser`). Each test gets a fresh database.
When the binaries are not installed, `available()` says why, and the tests that need the server
are skipped with that reason.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

SERVER_USER = "postgres"
# A test server loses nothing it needs when killed. max_wal_size: each new database writes its
# template (8 MB) to the log; a small log is recycled sooner, so a run's disk stays small.
TEST_SETTINGS = (
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=96MB -c min_wal_size=32MB"
)
# The benchmarks' server: durability as shipped, memory as the README gives a studio's server.
# random_page_cost 1.1: a library's database lives on an SSD or in memory, where a random read
# costs about a sequential one (the default, 4, is for spinning disks; with it a tag count hashed
# 640k image rows instead of probing 36k of them: 410 ms against 147 at 1M assets). pg_prewarm:
# a restarted server reloads the pages it held (autoprewarm), as the README sets a studio's up; a
# bench then times a server as it runs, not one whose every page is read from the OS once more.
DURABLE_SETTINGS = (
    "-c shared_buffers=2GB -c effective_cache_size=8GB -c work_mem=32MB -c maintenance_work_mem=512MB"
    " -c random_page_cost=1.1 -c shared_preload_libraries=pg_prewarm"
)


def _bin_dir() -> Path | None:
    """The newest installed server's binaries (Debian keeps them out of PATH)."""
    versions = [path for path in Path("/usr/lib/postgresql").glob("*/bin") if path.parent.name.isdigit()]
    if versions:
        return max(versions, key=lambda path: int(path.parent.name))
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def unavailable_reason() -> str | None:
    """Why no test server can start here, or None when one can."""
    bin_dir = _bin_dir()
    if bin_dir is None or not (bin_dir / "pg_ctl").exists():
        return (
            "PostgreSQL server binaries not installed (apt-get install postgresql; see scripts/bootstrap.sh)"
        )
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser: PostgreSQL cannot be started as root"
    if os.geteuid() == 0:
        import pwd

        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            return f"running as root and there is no '{SERVER_USER}' user to run PostgreSQL as"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "the psycopg driver is not installed (pip install -r requirements/app.txt)"
    return None


@dataclass
class PostgresServer:
    """A running throwaway server; `new_database()` gives a URL to a fresh, empty database."""

    root: Path
    bin_dir: Path
    durable: bool = False
    _names: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def socket_dir(self) -> Path:
        return self.root

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SERVER_USER}@/{database}?host={self.socket_dir}"

    def new_database(self, prefix: str = "lib", *, exact: bool = False) -> str:
        name = prefix if exact else f"{prefix}_{os.getpid()}_{next(self._names)}"
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a database `new_database` made, whoever is still connected to it: a run makes one
        per test, and kept they fill a CI machine's disk (8 MB each, 3.5 GB a run)."""
        name = urlsplit(url).path.lstrip("/")
        self.psql(f'DROP DATABASE "{name}" WITH (FORCE)')

    def psql(self, sql: str, database: str = "postgres") -> str:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as connection:
            cursor = connection.execute(sql)  # type: ignore[arg-type]
            return str(cursor.fetchall()) if cursor.description else ""

    def stop(self) -> None:
        self.kill()
        shutil.rmtree(self.root, ignore_errors=True)

    def kill(self) -> None:
        """Stop the server as a crash or a pulled cable would: clients see it gone at once."""
        _run_as_server(
            [str(self.bin_dir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "stop"],
            check=False,
        )

    def shut_down(self) -> None:
        """Stop the server as an administrator would: what was committed is on disk (a `kill`
        may lose the last commits, the test server not waiting for its log to reach the disk)."""
        _run_as_server(
            [str(self.bin_dir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "fast", "stop"], check=False
        )

    def start(self) -> None:
        settings = DURABLE_SETTINGS if self.durable else TEST_SETTINGS
        _run_as_server(
            [
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.root / "data"),
                "-o",
                f"-k {self.root} -c listen_addresses='' {settings} -c max_connections=200",
                "-l",
                str(self.root / "server.log"),
                "-w",
                "start",
            ]
        )


def _run_as_server(argv: list[str], *, check: bool = True) -> None:
    if os.geteuid() == 0:
        argv = ["runuser", "-u", SERVER_USER, "--", *argv]
    subprocess.run(argv, check=check, capture_output=True, text=True)


def start_server(*, durable: bool = False, root: Path | None = None) -> PostgresServer:
    """A new server in a temp folder; or, given `root`, the server kept there (made on first use)."""
    bin_dir = _bin_dir()
    assert bin_dir is not None, unavailable_reason()
    if root is not None and (root / "data" / "PG_VERSION").exists():
        server = PostgresServer(root, bin_dir, durable)
        server.start()
        return server
    # Short path: a Unix socket's path must stay under ~100 bytes.
    if root is None:
        root = Path(tempfile.mkdtemp(prefix="dampg-", dir="/tmp"))
    root.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(root, user=SERVER_USER)
    _run_as_server(
        [
            str(bin_dir / "initdb"),
            "-D",
            str(root / "data"),
            "-A",
            "trust",
            "-U",
            SERVER_USER,
            "-E",
            "UTF8",
            "--no-sync",
        ]
    )
    server = PostgresServer(root, bin_dir, durable)
    server.start()
    return server


TEST_BACKEND_VARIABLE = "DAM_TEST_BACKEND"


def test_backend() -> str:
    """The backend the `world` fixture opens: "sqlite" (a library folder) or "postgresql"."""
    return os.environ.get(TEST_BACKEND_VARIABLE, "sqlite").strip().lower() or "sqlite"


test_backend.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test, wherever imported
