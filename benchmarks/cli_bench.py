"""Whole-process time of the read-only commands on a 100k-asset library (issue 14, build item 3).

    .venv/bin/python benchmarks/cli_bench.py                       # 100k assets, built once
    .venv/bin/python benchmarks/cli_bench.py --cache-dir DIR --runs 9

The library is `tag_bench`'s (about 6 tag links per asset over 20k Zipf-popular tags), built once
in the cache folder and reused. Each line runs `python -m dam_desktop.cli.main --library L ...` as
a user would, `--runs` times, and prints the wall time p50 / p95 and the process's CPU time (user +
system, fairer when other work loads the machine). Beside `search` and `show`, the naive baseline
in this run: the same command through the world (open it, SQLAlchemy's session, the use case),
as they ran before their plain-sqlite3 reads. The load average is printed before and after.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

TARGET_S = 0.35

# The world's path, as `search` and `show` ran it before they read with plain sqlite3.
WORLD_SEARCH = """
import sys
from dam_desktop.cli.common import Access, run_with_world, tab_line
from dam_desktop.cli.main import build_parser
from dam_desktop.use_cases.search import search_rows

args = build_parser().parse_args(sys.argv[1:])
async def run(world):
    async for rows in search_rows(world, " ".join(args.query), limit=args.limit):
        sys.stdout.write("".join(tab_line(*row) + "\\n" for row in rows))
run_with_world(args, run, Access.READ)
"""
WORLD_SHOW = """
import sys
from dam_desktop.cli.commands.show import _describe
from dam_desktop.cli.common import Access, run_with_world
from dam_desktop.cli.main import build_parser

args = build_parser().parse_args(sys.argv[1:])
lines = run_with_world(args, lambda world: _describe(world, args.entity_id), Access.READ)
sys.stdout.write("\\n".join(lines) + "\\n")
"""


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def timed_runs(argv: list[str], runs: int) -> tuple[list[float], list[float]]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, env=env, cwd=REPO, check=False)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode != 0 or not done.stdout:
            raise SystemExit(f"{argv} failed: {done.stderr.decode()[-500:]}")
    return walls, cpus


def line(name: str, walls: list[float], cpus: list[float], target: float | None) -> None:
    verdict = "" if target is None else ("[ok  ]" if pct(walls, 0.95) <= target else "[MISS]")
    print(
        f"{name:<44} wall p50 {pct(walls, 0.5):5.2f} p95 {pct(walls, 0.95):5.2f} s"
        f" | cpu p50 {pct(cpus, 0.5):5.2f} s {verdict}"
    )


def load() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg()) + f" on {os.cpu_count()} CPUs"


def ensure_library(cache: Path, entities: int) -> Path:
    import tag_bench

    path = cache / f"cli_{entities}"
    if not (path / ".bench_built").exists():
        path.mkdir(parents=True, exist_ok=True)
        tag_bench.build_library(path, entities, 20_000, 6.0, 7)
        (path / ".bench_built").write_text("ok")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "dam_cli_bench")
    args = parser.parse_args()
    library = ensure_library(args.cache_dir, args.entities)
    with sqlite3.connect(library / "dam.sqlite3") as db:
        popular, second = [
            r[0]
            for r in db.execute("SELECT tag_name FROM component_tag_concept ORDER BY use_count DESC LIMIT 2")
        ]
        (newest,) = db.execute("SELECT max(entity_id) FROM component_file_properties").fetchone()
    cli = [sys.executable, "-m", "dam_desktop.cli.main", "--library", str(library)]
    world = [sys.executable, "-c"]
    lib = ["--library", str(library)]
    print(f"library: {args.entities:,} assets; load average before: {load()}")
    cases: list[tuple[str, list[str], float | None]] = [
        ("--version", [sys.executable, "-m", "dam_desktop.cli.main", "--version"], 0.15),
        ("list --limit 100", [*cli, "list", "--limit", "100"], TARGET_S),
        (f"search --limit 100 {popular}", [*cli, "search", "--limit", "100", popular], TARGET_S),
        (
            "  naive: the same through the world",
            [*world, WORLD_SEARCH, *lib, "search", "--limit", "100", popular],
            None,
        ),
        (
            f"search --limit 100 {popular} -{second}",
            [*cli, "search", "--limit", "100", popular, f"-{second}"],
            TARGET_S,
        ),
        (
            "  naive: the same through the world",
            [*world, WORLD_SEARCH, *lib, "search", "--limit", "100", popular, f"-{second}"],
            None,
        ),
        (f"search --count {popular}", [*cli, "search", "--count", popular], TARGET_S),
        (f"show {newest}", [*cli, "show", str(newest)], TARGET_S),
        ("  naive: the same through the world", [*world, WORLD_SHOW, *lib, "show", str(newest)], None),
    ]
    for name, argv, target in cases:
        walls, cpus = timed_runs(argv, args.runs)
        line(name, walls, cpus, target)
    print(f"load average after:  {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
