"""Make the screenshot of a long result whose later pages cannot be read, under Xvfb:

    xvfb-run -a -s '-screen 0 1600x1000x24' .venv/bin/python scripts/stream_failure_screenshot.py

A library of a bit over a screen of assets tagged "harbour" is built straight into a new library
(as the tests build theirs), and the window shows the tag's result. Once its first screen is read,
the tag links go away (renamed, so each later page's read fails in the database itself, as it
would with the server gone), and the rest of the result cannot be read:

- docs/screenshots/read-failure-incomplete.png: the grid keeps the first screen it read, the
  status bar says in red why the rest is missing and how much is shown, and the count says
  "at least".
- docs/screenshots/read-failure-tag-counts.png: then, the whole result read again, the tag counts
  cannot be read when a saved search comes in: the sidebar keeps the counts it showed, and the
  status bar says why they may be stale.
- docs/screenshots/read-failure-selection-tags.png: then, the counts read again, the tags of a
  selected asset cannot be read: the inspector shows no chips (they would be another asset's)
  and says it could not read them; the status bar says why.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scripts.screenshot_kit import capture, run_in_app, show_window, wait_for  # noqa: E402

TAG = "harbour"
LINKS = "component_entity_tag_link"


async def build(world: Any) -> None:
    from dam_desktop.services.tags import tag_service
    from dam_desktop.use_cases.result_pages import FIRST_SCREEN
    from tests.test_tag_support import AssetSpec, make_assets

    start = datetime(2026, 1, 1, 12, 0, 0)
    specs = [
        AssetSpec(name=f"harbour-{i:04}.png", added=start + timedelta(seconds=i), width=640, height=420)
        for i in range(FIRST_SCREEN + 234)
    ]
    async with world.session() as session:
        ids = await make_assets(session, specs)
        await tag_service.add_tags(session, ids, [TAG])
        await session.commit()


async def rename(world: Any, old: str, new: str) -> None:
    from sqlalchemy import text

    async with world.session() as session:
        await session.execute(text(f"ALTER TABLE {old} RENAME TO {new}"))
        await session.commit()


async def shoot(work: Path, out: Path) -> None:
    from dam_desktop.ui.world_client import WorldClient

    client = await WorldClient.open(work / "library")
    await client.call(build)
    window = await show_window(client, work, zoom=120)

    broken: list[bool] = []

    async def tagged_then_broken(world: Any) -> Any:
        from dam_desktop.use_cases.result_pages import open_search

        result = await open_search(world, TAG)
        if not broken:
            broken.append(True)
            await rename(world, LINKS, "links_away")
        return result

    await window.show_result(f"Tagged {TAG}", tagged_then_broken)
    label = window.status_bar.read_failure_label
    await wait_for(lambda: label.isVisible() and window.model.incomplete)
    capture(window, out / "read-failure-incomplete.png")

    from dam_desktop.ui.tags.tag_sidebar import TagSidebar

    await client.call(lambda world: rename(world, "links_away", LINKS))
    await window.reload()
    await wait_for(lambda: not label.isVisible() and not window.model.streaming)
    await client.call(lambda world: rename(world, "component_tag_concept", "tags_away"))
    sidebar = window.findChild(TagSidebar)
    await sidebar.save_current("boats")
    await wait_for(lambda: label.isVisible())
    capture(window, out / "read-failure-tag-counts.png")

    from PySide6.QtCore import QItemSelectionModel

    await client.call(lambda world: rename(world, "tags_away", "component_tag_concept"))
    await sidebar.save_current("ships")
    await wait_for(lambda: not label.isVisible())
    await client.call(lambda world: rename(world, LINKS, "links_away"))
    window.grid.selectionModel().setCurrentIndex(
        window.model.index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    await wait_for(lambda: label.isVisible())
    capture(window, out / "read-failure-selection-tags.png")
    await window.shutdown()
    await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dam-stream-failure-shot-") as tmp:
        run_in_app(shoot(Path(tmp), args.out))


if __name__ == "__main__":
    main()
