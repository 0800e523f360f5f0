"""Create or upgrade a library in this process and SIGKILL it at a chosen point (run by the tests).

    python tests/kill_runner.py create|upgrade DB_PATH KILL_AT [BACKUP_FRACTION]

KILL_AT counts progress ticks: SQLite calls a progress handler every `TICK_INSTRUCTIONS` virtual
machine instructions on every connection, and file steps of the upgrade (copy, fsync, rename)
count one tick each, so a tick number names a point inside a statement or between two steps the
same way on every run. 0 runs to the end and prints the number of ticks. BACKUP_FRACTION instead
kills the process once the pre-upgrade copy has written that fraction of the database's size.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.pool import Pool

# Instructions per tick; creating a library runs far fewer than upgrading a big one, so the
# tests pass a finer step for it in $KILL_TICK_INSTRUCTIONS.
TICK_INSTRUCTIONS = int(os.environ.get("KILL_TICK_INSTRUCTIONS", "5000"))


def main() -> None:
    mode, db_path, kill_at = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    ticks = 0

    def tick() -> int:
        nonlocal ticks
        ticks += 1
        if ticks == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return 0

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.set_progress_handler(tick, TICK_INSTRUCTIONS)

    event.listen(Pool, "connect", on_connect)
    from dam_desktop.core import database_copy, migrations

    def ticking(func: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any) -> Any:
            tick()
            result = func(*args)
            tick()
            return result

        return run

    for module in (database_copy, migrations):
        for name in ("fsync_file", "fsync_directory", "remove_database_file", "copy_database"):
            if hasattr(module, name):
                setattr(module, name, ticking(getattr(module, name)))
    setattr(Path, "replace", ticking(Path.replace))  # noqa: B010  (every rename of the upgrade)
    if len(sys.argv) > 4:
        _kill_when_copy_reaches(db_path, float(sys.argv[4]))
    if mode == "create":
        from dam_desktop.core.world import World

        async def create() -> None:
            world = await World.open(db_path.parent)
            await world.close()

        asyncio.run(create())
    else:
        migrations.upgrade_library(db_path)
    tick()  # the last point: everything done, the process not yet exited
    print(ticks)


def _kill_when_copy_reaches(db_path: Path, fraction: float) -> None:
    goal = db_path.stat().st_size * fraction

    def watch() -> None:
        while True:
            for partial in db_path.parent.glob("*.partial"):
                try:
                    if partial.stat().st_size >= goal:
                        os.kill(os.getpid(), signal.SIGKILL)
                except FileNotFoundError:
                    pass
            time.sleep(0.0005)  # a watcher, not a wait: polls the copy as it grows

    threading.Thread(target=watch, daemon=True).start()


if __name__ == "__main__":
    main()
