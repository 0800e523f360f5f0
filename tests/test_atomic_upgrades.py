"""A kill at any moment of creating or upgrading a library leaves a library that opens whole.

Each case runs `tests/kill_runner.py` in a subprocess that SIGKILLs itself at a chosen point (a
progress tick inside a statement, a file step, or part-way through the pre-upgrade copy), then
opens the library again in this process and checks the revision, the schema and every row.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter
from contextlib import closing
from pathlib import Path

import pytest

from dam_desktop.core.library import DB_FILENAME
from dam_desktop.core.migrations import PRE_UPGRADE_COPIES_KEPT, pre_upgrade_copies, upgrade_library
from dam_desktop.core.schema_version import script_heads, stored_revisions
from tests.big_library import FIRST_REVISION, ROW_COUNTS, build_big_library, row_counts

pytestmark = pytest.mark.sqlite_only("kills the creation and upgrade of a library's SQLite file")
REPO_ROOT = Path(__file__).resolve().parent.parent
RUNNER = Path(__file__).with_name("kill_runner.py")
UPGRADE_KILL_POINTS = 16
COPY_KILL_FRACTIONS = (0.2, 0.5, 0.8, 0.99)
CREATE_KILL_POINTS = 16


@pytest.fixture(scope="session")
def big_library_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db_path = tmp_path_factory.mktemp("big") / DB_FILENAME
    build_big_library(db_path)
    return db_path


@pytest.fixture(scope="session")
def head_schema(tmp_path_factory: pytest.TempPathFactory) -> set[tuple[str, str]]:
    db_path = tmp_path_factory.mktemp("head") / DB_FILENAME
    upgrade_library(db_path)
    return schema_of(db_path)


def schema_of(db_path: Path) -> set[tuple[str, str]]:
    with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as connection:
        return set(connection.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))


def run_killed(mode: str, db_path: Path, kill_at: int, *extra: str) -> subprocess.CompletedProcess[str]:
    step = "5000" if mode == "upgrade" else "100"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "KILL_TICK_INSTRUCTIONS": step}
    return subprocess.run(
        [sys.executable, str(RUNNER), mode, str(db_path), str(kill_at), *extra],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def total_ticks(mode: str, db_path: Path) -> int:
    done = run_killed(mode, db_path, 0)
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[-1])


def spread(total: int, points: int) -> list[int]:
    """`points` ticks spread over a run, the first and the last (after everything) included."""
    return sorted({1 + round((total - 1) * k / (points - 1)) for k in range(points)})


def reopen_and_check(db_path: Path, head_schema: set[tuple[str, str]], counts: dict[str, int] | None) -> str:
    """Open the killed library as the app does; return the revision the kill had left it at."""
    left_at = "none" if not db_path.exists() else "+".join(sorted(stored_revisions(db_path)))
    upgrade_library(db_path)
    assert stored_revisions(db_path) == script_heads()
    assert schema_of(db_path) == head_schema
    if counts is not None:
        assert row_counts(db_path) == counts
    with closing(sqlite3.connect(db_path)) as connection:
        assert connection.execute("PRAGMA quick_check").fetchall() == [("ok",)]
    leftovers = [p.name for p in db_path.parent.iterdir() if p.name.endswith((".partial", ".creating"))]
    assert leftovers == []
    assert len(pre_upgrade_copies(db_path)) <= PRE_UPGRADE_COPIES_KEPT
    return left_at


@pytest.mark.slow
# Twenty-one upgrades of a million rows in subprocesses, each through every migration: about two
# minutes on a quiet 2-core machine, several times that when it is shared.
@pytest.mark.timeout(900)
def test_killing_an_upgrade_of_a_million_rows_anywhere_leaves_a_library_that_opens_whole(
    tmp_path: Path, big_library_file: Path, head_schema: set[tuple[str, str]]
) -> None:
    db_path = tmp_path / "lib" / DB_FILENAME
    db_path.parent.mkdir()
    shutil.copyfile(big_library_file, db_path)
    total = total_ticks("upgrade", db_path)
    outcomes: Counter[str] = Counter()
    cases = [(str(tick), ()) for tick in spread(total, UPGRADE_KILL_POINTS)]
    cases += [("0", (str(fraction),)) for fraction in COPY_KILL_FRACTIONS]
    for kill_at, extra in cases:
        shutil.rmtree(db_path.parent)
        db_path.parent.mkdir()
        shutil.copyfile(big_library_file, db_path)
        killed = run_killed("upgrade", db_path, int(kill_at), *extra)
        assert killed.returncode == -9, f"kill point {kill_at} {extra} was not reached: {killed.stderr}"
        outcomes[reopen_and_check(db_path, head_schema, ROW_COUNTS)] += 1
    print(f"upgrade killed at {sum(outcomes.values())} points, left at: {dict(outcomes)}")
    assert sum(outcomes.values()) == UPGRADE_KILL_POINTS + len(COPY_KILL_FRACTIONS)
    # Both outcomes happen: killed before the commit (old revision) and after it (new).
    assert outcomes[FIRST_REVISION] > 0
    assert outcomes["+".join(sorted(script_heads() or ()))] > 0


@pytest.mark.slow
def test_killing_the_creation_of_a_library_anywhere_leaves_a_library_that_opens(
    tmp_path: Path, head_schema: set[tuple[str, str]]
) -> None:
    total = total_ticks("create", tmp_path / "measure" / DB_FILENAME)
    outcomes: Counter[str] = Counter()
    for kill_at in spread(total, CREATE_KILL_POINTS):
        db_path = tmp_path / f"lib-{kill_at}" / DB_FILENAME
        killed = run_killed("create", db_path, kill_at)
        assert killed.returncode == -9, f"kill point {kill_at} was not reached: {killed.stderr}"
        outcomes[reopen_and_check(db_path, head_schema, None)] += 1
    print(f"creation killed at {sum(outcomes.values())} points, left at: {dict(outcomes)}")
    assert sum(outcomes.values()) == CREATE_KILL_POINTS
    assert outcomes["none"] > 0


def test_an_upgrade_keeps_a_copy_of_the_old_database_and_only_the_last_two(tmp_path: Path) -> None:
    db_path = tmp_path / DB_FILENAME
    for revision in ("0001", "0002", "0003", "heads"):
        upgrade_library(db_path, revision)
    copies = sorted(p.name for p in pre_upgrade_copies(db_path))
    head = "+".join(sorted(script_heads() or ()))
    assert copies == sorted([f"{DB_FILENAME}.pre-0003", f"{DB_FILENAME}.pre-{head}"])
    assert stored_revisions(tmp_path / f"{DB_FILENAME}.pre-{head}") == {"0003"}
