"""The duplicate review view, opened from Library › Find Duplicates… on real wallpapers and sounds.

Groups show side by side with resolution, size, format and date; sounds get a player; Keep Best
trashes the others and merges their tags; Undo brings everything back.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from dam_desktop.core.stages import SystemStage
from dam_desktop.ui.duplicates.duplicates_view import DuplicatesView
from dam_desktop.use_cases.library import library_counts
from dam_desktop.world_setup import open_world
from tests.audio_synthesis import write_altered_copy, write_sounds
from tests.ui_helpers import run
from tests.wallpaper_fixtures import COPIES, WallpaperLibrary, build_wallpaper_library, wallpaper_names


@pytest.fixture
def review_library(tmp_path: Path, library_location: Path | str) -> WallpaperLibrary:
    """Wallpapers with their copies, and two sounds each with a quieter copy trimmed by 1%."""
    library = build_wallpaper_library(tmp_path, library_location)
    sounds = write_sounds(tmp_path / "sounds", count=3)
    for source in sounds[:2]:
        write_altered_copy(source, source.with_name(f"{source.stem}.copy.wav"), gain=0.5, trim=(0.01, 0.01))

    async def add_sounds() -> None:
        from dam_desktop.services.ingest.import_service import import_paths

        world = await open_world(library.path)
        try:
            assert not (await import_paths(world, [tmp_path / "sounds"])).failed
            await world.execute_stage(SystemStage.AUDIO_PROCESSING)
        finally:
            await world.close()

    asyncio.run(add_sounds())
    return library


def _open_review(window: Any, qtbot: Any) -> DuplicatesView:
    action = next(a for a in window.library_menu.menu.actions() if a.objectName() == "findDuplicatesAction")
    action.trigger()
    view = window.findChild(DuplicatesView)
    assert view is not None and window.centre.currentWidget() is view
    qtbot.waitUntil(lambda: len(view.boxes) > 0 and not view.busy, timeout=60_000)
    return view


def test_review_groups_each_wallpaper_with_its_copies_and_keep_best_then_undo(
    review_library: WallpaperLibrary, ui_window: Any, qtbot: Any
) -> None:
    view = _open_review(ui_window, qtbot)
    wallpapers = wallpaper_names()
    shown = view.shown_names()
    assert len(shown) == len(wallpapers)
    for names in shown:
        stem = names[0].removesuffix(".jpg")
        assert stem in wallpapers
        assert sorted(names) == sorted([f"{stem}.jpg", *(f"{stem}.{k}.jpg" for k in COPIES)])
    first = view.boxes[0].cards[0]
    resolution, size_format, added = first.facts_text()
    assert "×" in resolution and "JPG" in size_format and added.startswith("added 20")
    assert first.badge.text() == "★ Keep"
    qtbot.waitUntil(
        lambda: all(
            c.picture.pixmap() is not None and not c.picture.pixmap().isNull()
            for b in view.boxes
            for c in b.cards
        ),
        timeout=30_000,
    )

    qtbot.mouseClick(view.boxes[0].keep_button, qtbot_button())
    qtbot.waitUntil(lambda: len(view.boxes) == len(wallpapers) - 1 and not view.busy, timeout=30_000)
    assert view.status.text().startswith("Kept 1, moved 4 to the trash")
    counts = run(qtbot, ui_window.client.call(library_counts))
    assert counts.trashed == 4

    view.keep_all_button.click()
    qtbot.waitUntil(lambda: not view.boxes and not view.busy, timeout=30_000)
    counts = run(qtbot, ui_window.client.call(library_counts))
    assert counts.trashed == 4 * len(wallpapers)

    view.undo_button.click()  # the last resolution first: all groups but the one kept on its own
    qtbot.waitUntil(lambda: len(view.boxes) == len(wallpapers) - 1 and not view.busy, timeout=30_000)
    view.undo_button.click()
    qtbot.waitUntil(lambda: len(view.boxes) == len(wallpapers) and not view.busy, timeout=30_000)
    counts = run(qtbot, ui_window.client.call(library_counts))
    assert counts.trashed == 0 and not view.undo_button.isEnabled()


def test_sound_groups_have_players(review_library: WallpaperLibrary, ui_window: Any, qtbot: Any) -> None:
    view = _open_review(ui_window, qtbot)
    view.kind_box.setCurrentIndex(view.kind_box.findData("audio"))
    assert view.threshold.value() == 3
    view.threshold.setValue(10)  # these synthetic tones, trimmed 1%, fall just under the default 0.97
    view.find_button.click()
    qtbot.waitUntil(lambda: not view.busy and view.kind_box.currentData() == "audio", timeout=30_000)
    qtbot.waitUntil(lambda: len(view.boxes) == 2, timeout=60_000)
    for box in view.boxes:
        names = sorted(card.member.filename for card in box.cards)
        assert names[0].endswith(".copy.wav") or names[1].endswith(".copy.wav")
        for card in box.cards:
            assert card.player is not None
            assert "kHz" in card.facts_text()[0]
    players = [card.player for box in view.boxes for card in box.cards if card.player is not None]
    qtbot.waitUntil(lambda: all(p.play_button.isEnabled() for p in players), timeout=30_000)


def qtbot_button() -> Any:
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton
