"""Make the screenshots of a grid whose read fails, under Xvfb:

    xvfb-run -a -s '-screen 0 1600x1000x24' .venv/bin/python scripts/read_failure_screenshot.py

A real PostgreSQL server is started in a temp folder (as the test suite does), with one shared
library of a few made-up pictures. The window shows them; then the server goes away (killed, as
a crash or a pulled cable would), and the window reads again:

- docs/screenshots/read-failure-kept.png: a refresh of the same result fails: the grid keeps the
  rows it has, and the status bar says in red why they are not fresh.
- docs/screenshots/read-failure-search.png: a new search cannot be read: the grid says why in
  place of the old rows, which would answer another question.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scripts.screenshot_kit import capture, grid_settled, run_in_app, show_window, wait_for  # noqa: E402

COLOURS = {
    "harbour-dawn": (214, 140, 90),
    "harbour-noon": (70, 140, 210),
    "harbour-dusk": (120, 60, 140),
    "forest-path": (40, 120, 60),
    "forest-moss": (90, 150, 70),
    "desert-dune": (220, 190, 120),
}


def make_pictures(folder: Path) -> Path:
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    for n, (name, colour) in enumerate(COLOURS.items()):
        image = Image.new("RGB", (640, 420), colour)
        draw = ImageDraw.Draw(image)
        for i in range(6):  # a few bands, so each picture is its own file
            shade = tuple(max(0, c - 18 * ((i + n) % 4)) for c in colour)
            draw.rectangle((0, 70 * i, 640, 70 * i + 35), fill=shade)
        image.save(folder / f"{name}.png")
    return folder


async def shoot(server: object, url: str, work: Path, out: Path) -> None:
    from dam_desktop.services.ingest.import_service import import_paths
    from dam_desktop.ui.world_client import WorldClient
    from dam_desktop.use_cases.pipeline import run_stages

    client = await WorldClient.open(url, store_root=work / "store")
    pictures = make_pictures(work / "pictures")
    report = await client.call(lambda world: import_paths(world, [pictures]))
    assert not report.failed, report.failed
    await client.call(lambda world: run_stages(world))
    window = await show_window(client, work, zoom=190)
    await wait_for(lambda: window.model.rowCount() == len(COLOURS) and grid_settled(window))

    server.kill()  # type: ignore[attr-defined]
    await window.reload()
    label = window.status_bar.read_failure_label
    await wait_for(lambda: label.isVisible())
    capture(window, out / "read-failure-kept.png")

    window.controls.show_text("harbour")
    await window.apply_search("harbour")
    await wait_for(lambda: window.model.rowCount() == 0 and label.isVisible())
    capture(window, out / "read-failure-search.png")
    await window.shutdown()
    await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args()
    from tests.pg_server import start_server, unavailable_reason

    reason = unavailable_reason()
    if reason is not None:
        sys.exit(f"read_failure_screenshot: {reason}")
    server = start_server()
    try:
        with tempfile.TemporaryDirectory(prefix="dam-read-failure-shot-") as tmp:
            url = server.new_database("studio", exact=True)
            run_in_app(shoot(server, url, Path(tmp), args.out))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
