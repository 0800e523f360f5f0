"""grid_bench.py --backend postgresql: the window's grid on a library folder and on its copy on a
PostgreSQL server, side by side in one run (issue 20).

For each backend, `--runs` times: open the world (the library's folder, or its server by URL),
build the real main window, list every asset and paint the first grid (what the app does when it
switches libraries: a shared library has no start-up read); then scroll the grid `--steps` wheel
steps, timing each repaint while the pages stream in. The server is tests/pg_server's durable
benchmark server (pg_bench_server), its copy of the library made once and reused with
--server-dir. Prints p50/p95 per line, the ratio PG/SQLite, and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from grid_bench import bench_settings, percentile, scroll_and_time, wait_for
from pg_bench_server import bench_database, bench_server


async def window_on(target: Path | str, steps: int) -> tuple[float, list[float]]:
    """Seconds to the first painted grid through the world, and the scroll repaints (ms)."""
    from dam_desktop.ui.window.main_window import MainWindow
    from dam_desktop.ui.world_client import WorldClient

    painted: list[float] = []
    started = time.perf_counter()
    client = await WorldClient.open(target, store_root=None)
    window = MainWindow(client, bench_settings())
    window.first_painted.connect(lambda: painted.append(time.perf_counter()))
    window.resize(1400, 900)
    window.show()
    await window.refresh()
    await wait_for(lambda: bool(painted), timeout=300)
    first = painted[0] - started
    grid = window.grid
    scroll = await scroll_and_time(grid, steps, 3 * grid.verticalScrollBar().singleStep())
    await window.shutdown()
    window.close()
    await client.close()
    return first, scroll


def run_both(library: Path, args: argparse.Namespace) -> int:
    import qasync

    from dam_desktop.app import create_application

    server = bench_server(args.server_dir)
    try:
        url = bench_database(server, library, reuse=args.server_dir is not None)
        app = create_application()
        app.setQuitOnLastWindowClosed(False)
        loads = [os.getloadavg()]

        async def measure() -> dict[str, tuple[list[float], list[float]]]:
            out: dict[str, tuple[list[float], list[float]]] = {}
            for name, target in (("sqlite", library), ("postgresql", url)):
                firsts, scrolls = [], []
                for _ in range(args.runs):
                    first, scroll = await window_on(target, args.steps)
                    firsts.append(first * 1000)
                    scrolls.extend(scroll)
                out[name] = (firsts, scrolls)
                loads.append(os.getloadavg())
            return out

        results = qasync.run(measure())
        del app
    finally:
        server.shut_down() if args.server_dir is not None else server.stop()
    lite, pg = results["sqlite"], results["postgresql"]
    print(f"{'ms':<44} {'SQLite p50':>10} {'p95':>8} | {'PG p50':>8} {'p95':>8} | PG/SQLite p50")
    for label, a, b in (
        ("first painted grid (open, list, paint)", lite[0], pg[0]),
        ("scroll: repaint per wheel step", lite[1], pg[1]),
    ):
        ratio = statistics.median(b) / max(statistics.median(a), 1e-6)
        print(
            f"{label:<44} {statistics.median(a):10.2f} {percentile(a, 95):8.2f} |"
            f" {statistics.median(b):8.2f} {percentile(b, 95):8.2f} | {ratio:5.2f}x"
        )
    print(
        "load average (1, 5, 15 min) before / after SQLite / after PG: "
        + " / ".join("{:.2f} {:.2f} {:.2f}".format(*load) for load in loads),
        f"on {os.cpu_count()} CPUs",
    )
    return 0
