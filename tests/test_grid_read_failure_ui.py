"""A reload of the grid that fails for a reason that is not the query's (the server went away, a
table could not be read): the window says so in words, keeps working, and the next reload that
succeeds shows fresh rows."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from dam_desktop.ui.window.main_window import MainWindow
from dam_desktop.ui.window.read_failure import TITLE
from tests.ui_helpers import add_images, add_sound, make_sound, read_failure_text, rename_table_now, run

# The table every listing of the library reads: renamed away, each read of the grid fails in the
# database itself (no such table / relation), as a read fails whose server went away.
TABLE = "component_file_properties"


def test_a_refresh_that_fails_keeps_the_rows_says_why_and_the_next_one_shows_fresh_rows(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 3, thumbnails=False)))
    run(qtbot, ui_window.reload())
    assert ui_window.model.rowCount() == 3
    assert read_failure_text(ui_window) is None

    rename_table_now(qtbot, ui_client, TABLE, "moved_away")
    run(qtbot, ui_window.reload())  # a change's refresh: it must not raise out of the window
    text = read_failure_text(ui_window)
    reason = ui_window.read_failure.reason
    assert reason is not None and TABLE in reason  # the database's own words, one line of them
    assert text == f"{TITLE}: {reason} · showing what was read before"
    assert not any(noise in text for noise in ("Traceback", "\n", "[SQL", "sqlalche.me"))
    assert ui_window.model.rowCount() == 3, "the rows of the same result stay, labelled as stale"

    # A new search cannot be answered by the old rows: the grid says why instead.
    run(qtbot, ui_window.apply_search("image"))
    assert ui_window.model.rowCount() == 0
    assert ui_window.grid.empty_state.title == TITLE
    said = f"{reason[:1].upper()}{reason[1:]}"  # a sentence in the grid, a clause in the status bar
    assert ui_window.grid.empty_state.hint == f"{said}. Search or choose a view again to retry."
    assert read_failure_text(ui_window) == f"{TITLE}: {reason}"

    rename_table_now(qtbot, ui_client, "moved_away", TABLE)
    sound = make_sound(tmp_path / "more" / "late.wav")
    run(qtbot, ui_client.call(lambda world: add_sound(world, sound)))
    run(qtbot, ui_window.apply_search(""))
    assert ui_window.model.rowCount() == 4, "the next read shows the library as it is now"
    assert read_failure_text(ui_window) is None
    qtbot.waitUntil(lambda: "4 assets" in ui_window.count_label.text())


def test_a_superseded_reload_that_fails_leaves_the_newer_result_shown(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    """The user leaves a result whose read is slow and then fails: the view they went back to is
    what the grid keeps showing, without a word about the read nobody waits for any more."""
    run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 2, thumbnails=False)))
    run(qtbot, ui_window.reload())
    release = threading.Event()

    async def slow_then_failing(world: Any) -> Any:
        await asyncio.to_thread(release.wait, 20)
        return await world.reads.fetchall("SELECT id FROM no_such_table")

    slow = asyncio.get_event_loop().create_task(ui_window.show_result("Slow", slow_then_failing))
    qtbot.waitUntil(lambda: ui_window.model.loading)
    run(qtbot, ui_window.ranked_flow.leave())
    assert ui_window.model.rowCount() == 2
    release.set()
    qtbot.waitUntil(slow.done)
    assert slow.exception() is None
    assert ui_window.model.rowCount() == 2
    assert read_failure_text(ui_window) is None
    assert ui_window.banner.isHidden()
