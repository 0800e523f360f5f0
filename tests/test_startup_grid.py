"""The window's first grid comes from the start-up read, before the world (and SQLAlchemy) loads.

The read must list exactly what the world lists, refuse libraries it cannot trust, and the
window must paint from it, then open its world and carry on as usual.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dam_desktop.core import World
from dam_desktop.core.errors import LibraryError
from dam_desktop.core.library import LibraryPaths
from dam_desktop.core.library_lock import LibraryLock
from dam_desktop.core.migrations import upgrade_library
from dam_desktop.library_opening import begin_opening
from dam_desktop.services.browse import browse_service
from dam_desktop.services.browse.library_snapshot import read_snapshot
from dam_desktop.services.search.sorting import SortKey
from dam_desktop.services.store import trash_service
from dam_desktop.services.tags import tag_service
from tests.ui_helpers import add_images, add_sound, make_sound, run

pytestmark = pytest.mark.sqlite_only(
    "the start-up read reads the library folder's SQLite file before the world loads"
)


async def make_library(root: Path, images: int = 5) -> tuple[list[int], int]:
    """A library of `images` images and one sound tagged "tone", with the second image in the trash."""
    world = await World.open(root)
    try:
        made = await add_images(world, root.parent / "src", images)
        sound = await add_sound(world, make_sound(root.parent / "src" / "tone.wav"))
        async with world.session() as session:
            await trash_service.move_to_trash(session, world.paths, [made[1].entity_id])
            await tag_service.add_tags(session, [sound.entity_id], ["tone"])
            await session.commit()
    finally:
        await world.close()
    return [asset.entity_id for asset in made], sound.entity_id


@pytest.mark.parametrize(
    ("sort", "descending"),
    [(SortKey.ADDED, True), (SortKey.ADDED, False), (SortKey.NAME, False), (SortKey.SIZE, True)],
)
async def test_the_start_up_read_lists_what_the_world_lists(
    tmp_path: Path, sort: SortKey, descending: bool
) -> None:
    root = tmp_path / "lib"
    await make_library(root)
    snapshot = read_snapshot(LibraryPaths(root), sort, descending, first_screen=3)
    assert snapshot is not None
    async with await World.open(root) as world, world.session() as session:
        listed = await browse_service.asset_ids(session, sort, descending=descending)
        assert snapshot.ids.tolist() == listed.tolist()
        assert len(listed) == 5  # six assets, one in the trash
        assert snapshot.counts == await browse_service.library_counts(session)
        assert snapshot.counts.images == 4 and snapshot.counts.sounds == 1 and snapshot.counts.trashed == 1
        first = listed[:3].tolist()
        assert snapshot.infos == await browse_service.tile_infos(session, world.paths, first)


async def test_nothing_is_read_from_a_new_or_outdated_library(tmp_path: Path) -> None:
    assert read_snapshot(LibraryPaths(tmp_path / "new"), SortKey.ADDED, True) is None
    old = tmp_path / "old"
    old.mkdir()
    upgrade_library(old / "dam.sqlite3", "0001")
    assert read_snapshot(LibraryPaths(old), SortKey.ADDED, True) is None, "the world upgrades it first"


def test_opening_a_library_another_process_holds_stops_with_a_message(tmp_path: Path) -> None:
    root = tmp_path / "held"
    root.mkdir()
    holder = LibraryLock(LibraryPaths(root).lock_path)
    holder.acquire()
    try:
        opening = begin_opening(root, SortKey.ADDED, True)
    finally:
        holder.release()
    assert opening.lock is None and opening.snapshot.result() is None
    assert opening.error is not None and "already open in another dam-desktop process" in str(opening.error)


def test_the_window_paints_the_start_up_read_then_opens_its_world(
    qtbot: Any, ui_loop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shiboken6
    from PySide6.QtWidgets import QMessageBox

    from dam_desktop.app import AppController

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    root = tmp_path / "lib"
    image_ids, sound_id = run(qtbot, make_library(root))

    controller = AppController()
    world_open_at_first_result: list[bool] = []
    started = run(qtbot, _start_watching(controller, root, world_open_at_first_result))
    assert started and not shown
    window, client = controller.window, controller.client
    assert window is not None and client is not None
    assert world_open_at_first_result[0] is False, "the grid was filled before the world opened"
    assert client.is_open
    assert window.model.ids.tolist() == [sound_id, *reversed([i for i in image_ids if i != image_ids[1]])]
    assert "5 assets · 4 images · 1 sound" in window.count_label.text()
    # The tag sidebar, installed once the world is open, caught up with the result on screen.
    from dam_desktop.ui.tags.tag_sidebar import TagSidebar

    tag_sidebar = window.findChild(TagSidebar)
    assert tag_sidebar is not None
    qtbot.waitUntil(lambda: tag_sidebar.tag_list.count() == 1)
    assert tag_sidebar.tag_list.item(0).text() == "tone"

    # And the window works as usual: a search runs through the world.
    run(qtbot, window.apply_search("type:audio"))
    assert window.model.ids.tolist() == [sound_id]
    window.close()
    run(qtbot, controller.shutdown())
    window.deleteLater()  # its timers must not outlive this test's loop
    qtbot.waitUntil(lambda: not shiboken6.isValid(window))


async def _start_watching(controller: Any, root: Path, seen: list[bool]) -> bool:
    """`controller.start` on `root`, noting whether the world was open when the grid first filled."""
    from dam_desktop.ui.window.main_window import MainWindow

    original = MainWindow.show_snapshot

    def watched(window: MainWindow, snapshot: Any) -> bool:  # observes; the real method runs
        seen.append(window.client.is_open)
        return original(window, snapshot)

    MainWindow.show_snapshot = watched  # type: ignore[method-assign]
    try:
        result: bool = await controller.start(begin_opening(root, SortKey.ADDED, True))
        return result
    finally:
        MainWindow.show_snapshot = original  # type: ignore[method-assign]


def test_the_app_paints_its_grid_and_quits_without_noise(tmp_path: Path) -> None:
    """The real process: `dam-desktop --library L` reports its first paint and exits cleanly."""
    import asyncio

    root = tmp_path / "lib"
    asyncio.run(make_library(root, images=3))
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        DAM_DESKTOP_REPORT_FIRST_PAINT="quit",
    )
    done = subprocess.run(
        [sys.executable, "-m", "dam_desktop", "--library", str(root)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = next(line for line in done.stderr.splitlines() if line.startswith("first-paint"))
    assert report.endswith("assets 3"), report
    assert "Traceback" not in done.stderr and "was never awaited" not in done.stderr, done.stderr


def test_the_first_paint_path_loads_neither_sqlalchemy_nor_numpy() -> None:
    """What the window needs for its first grid stays light; the world's imports come after, and
    the players (QtMultimedia), the Preferences dialog, drag-out, the query language, the keyboard's
    cursor moves and the file-type icons with their first use."""
    later = (
        "numpy",
        "sqlalchemy",
        "alembic",
        "torch",
        "PySide6.QtMultimedia",
        "dam_desktop.ui.inspector.audio_player",
        "dam_desktop.ui.inspector.video_player",
        "dam_desktop.ui.preferences.dialog",
        "dam_desktop.ui.grid.outgoing",
        "hashlib",
        "dam_desktop.handoff",
        "dam_desktop.services.search.tag_query",
        "dam_desktop.ui.grid.type_icons",
        "dam_desktop.ui.grid.cursor_moves",
        "dam_desktop.ui.window.search_completer",
        "dam_desktop.ui.inspector.image_pane",
        "dam_desktop.ui.inspector.trash_bar",
    )
    probe = (
        "import sys\n"
        "import dam_desktop.launch, dam_desktop.app, dam_desktop.library_opening\n"
        "import dam_desktop.services.browse.library_snapshot, dam_desktop.ui.window.main_window\n"
        "dam_desktop.launch.handoff_names(__import__('pathlib').Path('lib'), by_user=False)\n"
        f"print(sorted(m for m in {later!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


async def test_a_damaged_database_is_refused_in_words(tmp_path: Path) -> None:
    root = tmp_path / "damaged"
    root.mkdir()
    (root / "dam.sqlite3").write_bytes(b"this is not an SQLite database, it was overwritten" * 100)
    assert read_snapshot(LibraryPaths(root), SortKey.ADDED, True) is None
    with pytest.raises(LibraryError, match="may be damaged"):
        await World.open(root)
    cli = subprocess.run(
        [sys.executable, "-m", "dam_desktop", "--library", str(root), "info"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert cli.returncode != 0
    assert "not an SQLite database" in cli.stderr and "Traceback" not in cli.stderr


def test_big_id_listings_parse_the_same_as_small_ones() -> None:
    from dam_desktop.services.browse.library_snapshot import NUMPY_PARSE_FROM_CHARS, parse_ids

    small = [7, 3, 12_345_678]
    assert parse_ids(",".join(map(str, small))).tolist() == small
    big = list(range(10_000_000, 10_000_000 + NUMPY_PARSE_FROM_CHARS // 8))[::-1]
    joined = ",".join(map(str, big))
    assert len(joined) >= NUMPY_PARSE_FROM_CHARS, "this must take the numpy path"
    assert parse_ids(joined).tolist() == big
    assert parse_ids("").tolist() == []


def test_a_grid_still_waiting_for_its_library_says_so(qtbot: Any, ui_loop: Any, tmp_path: Path) -> None:
    from PySide6.QtCore import QSettings

    from dam_desktop.ui.grid.grid_view import LOADING_HINT
    from dam_desktop.ui.window.main_window import MainWindow
    from dam_desktop.ui.world_client import WorldClient

    client = WorldClient(tmp_path / "not-open-yet")  # its world is never opened here
    window = MainWindow(client, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    assert not window.grid.loading_hint_shown, "no hint flashes while the usual start is still quick"
    blank = window.grid.viewport().grab().toImage()
    qtbot.waitUntil(lambda: window.grid.loading_hint_shown)
    hinted = window.grid.viewport().grab().toImage()
    # The hint is text in the middle of the grid, where there was none before.
    centre = hinted.height() // 2
    changed = sum(
        hinted.pixel(x, y) != blank.pixel(x, y)
        for x in range(hinted.width())
        for y in range(centre - 8, centre + 8)
    )
    assert changed > 50
    assert LOADING_HINT.startswith("Opening the library")
    run(qtbot, window.shutdown())


@pytest.mark.parametrize("zoom", [64, 100, 160, 300, 512])
def test_the_start_up_read_covers_a_large_screen_at_the_saved_zoom(
    qtbot: Any, tmp_path: Path, zoom: int
) -> None:
    """The start-up read takes tile facts for as many assets as a 4K screen of tiles shows at the
    zoom the user left: every tile of a full-screen window's first paint has its name and thumbnail
    without waiting for the world."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QWidget

    from dam_desktop.ui.grid.grid_delegate import TileDelegate
    from dam_desktop.ui.grid.grid_settings import LARGE_SCREEN, ZOOM_KEY, saved_zoom, tiles_on_a_large_screen
    from dam_desktop.ui.grid.grid_view import MARGIN

    host = QWidget()
    qtbot.addWidget(host)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue(ZOOM_KEY, zoom)
    assert saved_zoom(settings) == zoom
    cell_w, cell_h = TileDelegate(host).cell_size(zoom)
    width, height = LARGE_SCREEN
    columns = max(1, (width - 2 * MARGIN) // cell_w)
    rows_in_view = -(-height // cell_h) + 1  # a part-shown row at the top and at the bottom
    assert tiles_on_a_large_screen(saved_zoom(settings)) >= columns * rows_in_view
