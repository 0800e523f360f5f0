"""A result over a screen long whose later pages cannot be read (the server went away after the
first screen came): the grid keeps the rows it read, the status bar says the result is only its
first part and why, the count does not pass for exact, and the next read that succeeds shows the
whole result again."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from dam_desktop.services.browse.browse_sql import LibraryCounts
from dam_desktop.ui.window.main_window import MainWindow
from dam_desktop.ui.window.read_failure import TITLE
from dam_desktop.ui.window.status_bar import count_text
from dam_desktop.use_cases.result_pages import FIRST_SCREEN
from tests.test_tag_support import AssetSpec, make_assets
from tests.ui_helpers import read_failure_text, rename_table, run

ASSETS = FIRST_SCREEN + 150
TAG = "cat"
# The tag links: a search for the tag reads its every page from them, while the library's counts
# and the tiles' facts do not, so only the later pages' reads fail once it is renamed away.
LINKS = "component_entity_tag_link"


def _tagged_library(qtbot: Any, client: Any) -> None:
    async def build(world: Any) -> None:
        from dam_desktop.services.tags import tag_service

        start = datetime(2026, 1, 1, 12, 0, 0)
        specs = [
            AssetSpec(name=f"plate{i:04}.png", added=start + timedelta(seconds=i)) for i in range(ASSETS)
        ]
        async with world.session() as session:
            ids = await make_assets(session, specs)
            await tag_service.add_tags(session, ids, [TAG])
            await session.commit()

    run(qtbot, client.call(build), timeout=120_000)


def test_a_result_whose_later_pages_fail_keeps_its_first_screen_and_says_it_is_incomplete(
    qtbot: Any, ui_window: MainWindow, ui_client: Any
) -> None:
    _tagged_library(qtbot, ui_client)
    run(qtbot, ui_window.reload())
    qtbot.waitUntil(lambda: f"{ASSETS:,} assets" in ui_window.count_label.text())
    breaks = [True]

    async def cats_then_the_server_goes(world: Any) -> Any:
        """The search for the tag, whose first screen is read before the tag links go away."""
        from dam_desktop.use_cases.result_pages import open_search

        result = await open_search(world, TAG)
        if breaks:
            breaks.clear()
            await rename_table(world, LINKS, "links_away")
        return result

    run(qtbot, ui_window.show_result(f"Tagged {TAG}", cats_then_the_server_goes))
    qtbot.waitUntil(lambda: read_failure_text(ui_window) is not None, timeout=20_000)
    text = read_failure_text(ui_window)
    reason = ui_window.read_failure.reason
    assert reason is not None and "links_away" not in reason and LINKS in reason
    assert text == f"{TITLE}: {reason} · showing only the first {FIRST_SCREEN:,} of the result"
    assert not any(noise in text for noise in ("Traceback", "\n", "[SQL", "sqlalche.me"))
    assert ui_window.model.rowCount() == FIRST_SCREEN, "the rows read stay"
    count = ui_window.count_label.text()
    assert count == f"at least {FIRST_SCREEN:,} of {ASSETS:,} assets", count
    assert ui_window.grid.isEnabled()

    # A refresh that fails too keeps those rows, still said to be the result's first part only.
    run(qtbot, ui_client.call(lambda world: rename_table(world, "component_file_properties", "files_away")))
    run(qtbot, ui_window.reload())
    again = ui_window.read_failure.reason
    assert again is not None and again != reason
    assert (
        read_failure_text(ui_window)
        == f"{TITLE}: {again} · showing only the first {FIRST_SCREEN:,} of the result"
    )
    assert ui_window.model.rowCount() == FIRST_SCREEN
    assert ui_window.count_label.text().startswith("at least ")
    run(qtbot, ui_client.call(lambda world: rename_table(world, "files_away", "component_file_properties")))

    # The server is back: the next read shows the whole result, exactly counted, and no failure.
    run(qtbot, ui_client.call(lambda world: rename_table(world, "links_away", LINKS)))
    run(qtbot, ui_window.reload())
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == ASSETS, timeout=20_000)
    qtbot.waitUntil(lambda: ui_window.count_label.text() == f"{ASSETS:,} of {ASSETS:,} assets")
    assert read_failure_text(ui_window) is None


def test_an_incomplete_result_is_never_counted_as_exact() -> None:
    counts = LibraryCounts(assets=12_000, images=11_000, sounds=1_000, trashed=1_500)
    assert (
        count_text(counts, 1_000, 0, trash=False, narrowed=True, incomplete=True)
        == "at least 1,000 of 12,000 assets"
    )
    assert (
        count_text(counts, 1_000, 0, trash=True, narrowed=False, incomplete=True)
        == "at least 1,000 in the trash"
    )
    assert count_text(counts, 1_000, 0, trash=False, narrowed=False, incomplete=True) == (
        "only 1,000 shown of 12,000 assets · 11,000 images · 1,000 sounds"
    )
