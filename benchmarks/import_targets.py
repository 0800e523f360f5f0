"""Issue 14's two import targets, interleaved: `import_bench.py --targets R` (see there).

The machine this runs on is often shared, so each run prints its wall rate, its rate per CPU
second (files per second of the process's own CPU time: what two idle cores would give at most
twice of), and the 1-minute load average when it ended; rounds alternate naive and ours so both
see the same load, and the summary is the median of the rounds.
"""

from __future__ import annotations

import os
import statistics
from pathlib import Path
from typing import Any

from import_bench import make_dataset, make_originals, make_vga, run_child

TARGETS = {"12 MP": ("thumbnails/s", 30.0), "640x480": ("files/s", 200.0)}


def _line(label: str, stats: dict[str, Any]) -> str:
    wall = stats["files"] / stats["seconds"]
    per_cpu = stats["files"] / stats["cpu_seconds"]
    busy = stats["cpu_seconds"] / stats["seconds"]
    return (
        f"  {label:<24} {stats['files']:>4} files {wall:7.1f}/s wall {per_cpu:7.1f}/CPU-s  "
        f"{busy:4.2f} cores busy  load {stats['load']:5.2f}"
    )


def run_targets(work: Path, n: int, rounds: int, workers: int | None) -> int:
    files = make_dataset(work / "data", n, make_originals())
    sources = {"12 MP": files["big"][0].parent, "640x480": make_vga(work / "data-vga", 4 * n)}
    cores = os.cpu_count() or 1
    results: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for round_index in range(rounds):
        print(f"round {round_index + 1} of {rounds}")
        for corpus, folder in sources.items():
            for who in ("naive", "ours"):
                library = work / f"lib-{corpus.replace(' ', '')}-{who}-{round_index}"
                stats = run_child(who, [folder], library, workers if who == "ours" else None)
                results.setdefault((corpus, who), []).append(stats)
                print(_line(f"{who} {corpus}", stats))
    print(f"\nmedians over {rounds} rounds ({cores} cores):")
    for corpus, (unit, target) in TARGETS.items():
        ours, naive = results[(corpus, "ours")], results[(corpus, "naive")]
        wall = statistics.median(s["files"] / s["seconds"] for s in ours)
        per_cpu = statistics.median(s["files"] / s["cpu_seconds"] for s in ours)
        naive_wall = statistics.median(s["files"] / s["seconds"] for s in naive)
        naive_cpu = statistics.median(s["files"] / s["cpu_seconds"] for s in naive)
        loads = [s["load"] for s in ours]
        verdict = "met" if wall >= target else "missed"
        print(
            f"  {corpus}: {wall:.1f} {unit} wall (target >= {target:.0f}: {verdict} at wall), "
            f"{per_cpu:.1f} per CPU-second ({cores * per_cpu:.0f} on {cores} idle cores at best); "
            f"naive {naive_wall:.1f} wall, {naive_cpu:.1f} per CPU-second; "
            f"load {min(loads):.1f}-{max(loads):.1f}"
        )
    return 0
