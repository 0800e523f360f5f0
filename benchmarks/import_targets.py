"""Issue 14's two import targets, interleaved: `import_bench.py --targets R` (see there).

The machine this runs on is often shared, so each run prints its wall rate, its rate per CPU
second (files per second of the process's own CPU time: what two idle cores would give at most
twice of), and the 1-minute load average when it ended; rounds alternate naive and ours so both
see the same load, and the summary is the median of the rounds. `--against DIR` adds the
importer of another checkout (main's, a commit's worktree) to every round, for before/after
figures measured under the same load.
"""

from __future__ import annotations

import os
import statistics
import subprocess
from pathlib import Path
from typing import Any

from import_bench import make_dataset, make_originals, make_vga, run_child

TARGETS = {"12 MP": ("thumbnails/s", 30.0), "640x480": ("files/s", 200.0)}


def _line(label: str, stats: dict[str, Any]) -> str:
    wall = stats["files"] / stats["seconds"]
    per_cpu = stats["files"] / stats["cpu_seconds"]
    busy = stats["cpu_seconds"] / stats["seconds"]
    return (
        f"  {label:<30} {stats['files']:>4} files {wall:7.1f}/s wall {per_cpu:7.1f}/CPU-s  "
        f"{stats['cpu_seconds'] / stats['files'] * 1000:5.2f} ms CPU/file  "
        f"{busy:4.2f} cores busy  load {stats['load']:5.2f}"
    )


def _tree_label(tree: Path) -> str:
    """The checkout's name and commit, so a table says what "before" was."""
    head = subprocess.run(
        ["git", "-C", str(tree), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return f"{tree.resolve().name}@{head or '?'}"


def run_targets(
    work: Path, n: int, rounds: int, workers: int | None, against: list[Path] | None = None, only: str = ""
) -> int:
    files = make_dataset(work / "data", n, make_originals())
    sources = {"12 MP": files["big"][0].parent, "640x480": make_vga(work / "data-vga", 4 * n)}
    if only:
        sources = {only: sources[only]}
    contenders: dict[str, Path | None] = {"naive": None, "ours": None}
    contenders |= {_tree_label(tree): tree for tree in against or []}
    cores = os.cpu_count() or 1
    results: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for round_index in range(rounds):
        print(f"round {round_index + 1} of {rounds}", flush=True)
        for corpus, folder in sources.items():
            # Each round changes who goes first, so no contender always follows the same one.
            order = list(contenders)
            shift = round_index % len(order)
            for index, who in enumerate(order[shift:] + order[:shift]):
                kind = "naive" if who == "naive" else "ours"
                library = work / f"lib-{corpus.replace(' ', '')}-{index}-{round_index}"
                threads = None if kind == "naive" else workers
                stats = run_child(kind, [folder], library, threads, contenders[who])
                results.setdefault((corpus, who), []).append(stats)
                print(_line(f"{who} {corpus}", stats), flush=True)
    print(f"\nmedians over {rounds} rounds ({cores} cores):")
    for corpus in sources:
        unit, target = TARGETS[corpus]
        for who in contenders:
            runs = results[(corpus, who)]
            wall = statistics.median(s["files"] / s["seconds"] for s in runs)
            per_cpu = statistics.median(s["files"] / s["cpu_seconds"] for s in runs)
            busy = statistics.median(s["cpu_seconds"] / s["seconds"] for s in runs)
            loads = [s["load"] for s in runs]
            met = "met" if wall >= target else "missed"
            verdict = "" if who == "naive" else f" (target >= {target:.0f}: {met})"
            print(
                f"  {corpus:<8} {who:<22} {wall:7.1f} {unit} wall{verdict}, {per_cpu:7.1f} per CPU-second "
                f"({cores * per_cpu:.0f} on {cores} idle cores at best), {busy:.2f} cores busy, "
                f"load {min(loads):.1f}-{max(loads):.1f}"
            )
    return 0
