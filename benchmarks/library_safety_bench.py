"""Cost of the safety steps on a library of a million rows: the open-time check and the
pre-upgrade copy, each beside the naive way in the same run.

    .venv/bin/python benchmarks/library_safety_bench.py [--assets 250000]

The library is real (created and migrated by the app at its first revision, four rows per asset,
filled with raw sqlite3). Printed, with the load average:
- `PRAGMA quick_check` as run on open (bounded), cold-ish (first read after building) and warm;
  beside it `PRAGMA integrity_check`, the full check one writes first;
- the pre-upgrade copy through the online backup API, beside a plain file copy (`shutil`), which
  is the naive way but is not consistent while another process writes;
- the whole upgrade to the newest revision, copy included.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dam_desktop.core.database_copy import copy_database
from dam_desktop.core.database_health import quick_check
from dam_desktop.core.migrations import upgrade_library
from tests import big_library


def timed(label: str, func: object, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        func()  # type: ignore[operator]
        best = min(best, time.perf_counter() - started)
    print(f"{label:<48} {best * 1000:9.0f} ms (best of {repeat})")
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--assets", type=int, default=big_library.ASSETS)
    args = parser.parse_args()
    big_library.ASSETS = args.assets
    with tempfile.TemporaryDirectory(prefix="dam-safety-bench-") as scratch:
        db_path = Path(scratch) / "lib" / "dam.sqlite3"
        started = time.perf_counter()
        big_library.build_big_library(db_path)
        rows = sum(big_library.row_counts(db_path).values())
        size_mb = db_path.stat().st_size / 1e6
        print(f"library: {rows:,} rows, {size_mb:.0f} MB, built in {time.perf_counter() - started:.1f} s")
        print(f"load average before: {os.getloadavg()}")
        first = quick_check(db_path)
        label = "open-time quick_check, first run"
        print(f"{label:<48} {first.seconds * 1000:9.0f} ms (complete={first.complete})")
        timed("open-time quick_check, warm", lambda: quick_check(db_path))

        def integrity() -> None:
            with closing(sqlite3.connect(db_path)) as connection:
                connection.execute("PRAGMA integrity_check").fetchall()

        timed("naive: PRAGMA integrity_check, warm", integrity)
        copy = db_path.with_name("copy.sqlite3")
        timed("pre-upgrade copy (online backup API + fsync)", lambda: copy_database(db_path, copy))
        timed("naive: shutil.copyfile", lambda: shutil.copyfile(db_path, copy))
        work = db_path.with_name("upgrade.sqlite3")

        def upgrade() -> None:
            shutil.copyfile(db_path, work)
            for old in work.parent.glob("upgrade.sqlite3.pre-*"):
                old.unlink()
            upgrade_library(work)

        timed("upgrade 0001 -> head, copy included (+ file copy)", upgrade, repeat=2)
        print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
