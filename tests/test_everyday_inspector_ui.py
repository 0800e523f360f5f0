"""The inspector's fixed zones, a trashed asset's place in the trash and Restore, Preferences."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtGui import QColor, QImage, QPixmap

from dam_desktop.ui.marks.install import MarksUI
from dam_desktop.ui.tags.tag_ui import install_tag_ui
from dam_desktop.ui.window.context_menu import TRASH_VIEW
from dam_desktop.ui.window.main_window import MainWindow
from tests.ui_helpers import add_images, add_sound, make_sound, run


def _select(window: MainWindow, row: int) -> None:
    window.grid.selectionModel().setCurrentIndex(
        window.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )


def test_a_trashed_asset_shows_where_the_trash_keeps_it_and_restores_from_the_inspector(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    made = run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 2)))
    run(qtbot, ui_window.reload())
    _select(ui_window, 0)
    victim = next(asset for asset in made if asset.entity_id == ui_window.model.entity_id(0))
    run(qtbot, ui_window._run_action_by_key("remove"))
    qtbot.waitUntil(lambda: ui_window.counts.trashed == 1 and not ui_window.tasks)
    ui_window.sidebar.select_view(TRASH_VIEW)
    qtbot.waitUntil(lambda: ui_window.model.ids.tolist() == [victim.entity_id] and not ui_window.tasks)
    _select(ui_window, 0)
    inspector = ui_window.inspector
    qtbot.waitUntil(lambda: inspector.details is not None and inspector.trash_bar.isVisible())

    trashed = (
        ui_client.paths.root / "trash" / "files" / victim.path.relative_to(ui_client.paths.root / "files")
    )
    assert trashed.is_file()
    place = inspector.property_value("In the trash")
    assert place is not None and place.toolTip() == str(trashed)
    assert "trash/files/" in inspector.trash_bar.label.text()
    # The preview comes from the trash, not "the file is missing".
    qtbot.waitUntil(lambda: inspector.image_preview.image_size.width() == 320)

    inspector.trash_bar.restore_button.click()
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == 0)
    assert victim.path.is_file() and not trashed.exists()
    undo = ui_window.actions_menu.undo_stack
    qtbot.waitUntil(lambda: undo.undoText() == "Restore 1 asset")


def test_tags_sit_right_under_the_preview_and_ctrl_t_types_into_them(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 1)))
    install_tag_ui(ui_window)  # as the app does once the world is open (no background models here)
    marks = MarksUI(ui_window).editor
    run(qtbot, ui_window.reload())
    from dam_desktop.ui.tags.tag_editor import TagEditor

    editor = ui_window.findChild(TagEditor)
    assert editor is not None
    inspector = ui_window.inspector
    # Nothing selected: nothing to tag or mark, so neither section shows (not even greyed out).
    ui_window.show()
    assert inspector.title.text() == "Nothing selected"
    assert not editor.isVisible() and not marks.isVisible()
    # Narrower than the marks row and its margins, wider than "Nothing selected" needs.
    narrow = marks.minimumSizeHint().width()
    ui_window.splitter.setSizes([220, 2000, narrow])
    qtbot.waitUntil(lambda: inspector.width() == narrow)
    _select(ui_window, 0)
    qtbot.waitUntil(lambda: inspector.details is not None and inspector.properties_header.isVisible())
    assert editor.isVisible() and marks.isVisible()
    # The sections came into view wider than the panel was: it widens, nothing is cut off.
    body = inspector.widget()
    qtbot.waitUntil(lambda: inspector.width() >= inspector.minimumSizeHint().width())
    qtbot.waitUntil(lambda: body.width() >= body.minimumSizeHint().width())
    assert marks.mapTo(body, marks.rect().topRight()).x() < inspector.viewport().width()
    tags_y = editor.mapTo(body, editor.rect().topLeft()).y()
    props_y = inspector.properties_box.mapTo(body, inspector.properties_box.rect().topLeft()).y()
    preview_y = inspector.previews.mapTo(body, inspector.previews.rect().topLeft()).y()
    assert preview_y < tags_y < props_y
    assert tags_y + editor.height() <= inspector.viewport().height()  # in view without scrolling

    qtbot.waitUntil(editor.isEnabled)  # the editor follows the selection
    ui_window.grid.setFocus()
    edit_tags = next(a for a in ui_window.menuBar().actions()[1].menu().actions() if a.text() == "Edit &Tags")
    edit_tags.trigger()
    qtbot.waitUntil(lambda: ui_window.focusWidget() is editor.input)

    inspector.properties_header.click()  # folds the properties away
    assert not inspector.properties_box.isVisible()

    # Squeezed by the splitter, the panel stops at the width its rows need: nothing is cut off on
    # the right (it only scrolls up and down).
    ui_window.splitter.setSizes([220, 2000, 120])
    qtbot.waitUntil(lambda: body.width() == inspector.viewport().width())
    assert inspector.width() >= inspector.minimumSizeHint().width() > 120
    assert body.width() >= body.minimumSizeHint().width()
    rights = [w.mapTo(body, w.rect().topRight()).x() for w in (editor, inspector.previews)]
    assert max(rights) < inspector.viewport().width()

    ui_window.grid.clearSelection()  # and when the selection goes, so do they
    qtbot.waitUntil(lambda: inspector.title.text() == "Nothing selected")
    assert not editor.isVisible() and not marks.isVisible()


def test_preferences_apply_to_the_open_window_and_stay(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    menus = ui_window.menus
    edit = ui_window.menuBar().actions()[1].menu()
    action = next(a for a in edit.actions() if a.text() == "&Preferences…")
    action.trigger()
    from dam_desktop.ui.preferences.dialog import PreferencesDialog

    dialog = ui_window.findChild(PreferencesDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.backdrop.setCurrentIndex(dialog.backdrop.findData("light"))
    assert ui_window.grid.delegate.backdrop == "light"
    assert menus.preview.image.backdrop == "light"
    dialog.autoplay.setChecked(True)
    assert ui_window.inspector.autoplay
    dialog.loop.setChecked(True)
    assert ui_window.inspector.audio_player.loop_button.isChecked()
    dialog.volume.setValue(35)
    assert ui_window.inspector.audio_player.volume_slider.value() == 35
    dialog.import_mode.setCurrentIndex(dialog.import_mode.findData("reference"))
    assert ui_window.importer.mode == "reference" and menus.mode_actions["reference"].isChecked()
    dialog.cache.setValue(512)
    assert ui_window.cache.budget_bytes == 512 * 1024 * 1024
    assert ui_window.settings.value("view/backdrop") == "light"

    # A new window on the same settings starts with them.
    second = MainWindow(ui_client, ui_window.settings)
    qtbot.addWidget(second)
    assert second.grid.delegate.backdrop == "light" and second.inspector.autoplay
    assert second.importer.mode == "reference"
    run(qtbot, second.shutdown())


def test_lowering_the_thumbnail_memory_preference_drops_the_oldest_thumbnails_at_once(
    qtbot: Any, ui_window: MainWindow
) -> None:
    from PySide6.QtGui import QPixmap

    from dam_desktop.ui.grid.thumbnail_cache import DEFAULT_BUDGET_MB
    from dam_desktop.ui.preferences.dialog import PreferencesDialog

    cache = ui_window.cache
    assert cache.budget_bytes == DEFAULT_BUDGET_MB * 1024 * 1024
    edit = ui_window.menuBar().actions()[1].menu()
    next(a for a in edit.actions() if a.text() == "&Preferences…").trigger()
    dialog = ui_window.findChild(PreferencesDialog)
    assert dialog is not None
    dialog.cache.setValue(256)
    for entity_id in range(40):  # 160 MB of 4 MB pictures
        cache.put(entity_id, QPixmap(1024, 1024), 1024)
    assert len(cache) == 40

    dialog.cache.setValue(64)

    assert cache.used_bytes <= 64 * 1024 * 1024 and len(cache) == 16
    assert 39 in cache and 0 not in cache  # the most recently shown stay
    cache.put(40, QPixmap(1024, 1024), 1024)
    assert cache.used_bytes <= 64 * 1024 * 1024 and 24 not in cache


def test_transparent_thumbnails_paint_on_the_backdrop_and_tiny_ones_stay_sharp(
    qtbot: Any, ui_window: MainWindow
) -> None:
    delegate = ui_window.grid.delegate
    icon = QImage(16, 16, QImage.Format.Format_ARGB32)
    icon.fill(QColor(0, 0, 0, 0))
    for x in range(4, 12):
        icon.setPixelColor(x, 8, QColor(0, 0, 0, 255))  # a black line, as icons are
    pixmap = QPixmap.fromImage(icon)
    canvas = QImage(128, 128, QImage.Format.Format_ARGB32)

    def paint(backdrop: str) -> QImage:
        from PySide6.QtCore import QRect
        from PySide6.QtGui import QPainter

        canvas.fill(QColor(30, 33, 40))
        delegate.backdrop = backdrop
        painter = QPainter(canvas)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        delegate._paint_pixmap(painter, QRect(0, 0, 128, 128), pixmap)
        painter.end()
        return canvas.copy()

    light = paint("light")
    # 16 px grows to 128 px by 8: whole pixels, no blur between the line and the backdrop.
    assert light.pixelColor(0, 0) == QColor(236, 238, 242)
    assert light.pixelColor(40, 64) == QColor(0, 0, 0)
    assert light.pixelColor(40, 71) == QColor(0, 0, 0) and light.pixelColor(95, 64) == QColor(0, 0, 0)
    for edge in ((40, 63), (40, 72), (31, 64), (96, 64)):
        assert light.pixelColor(*edge) == QColor(236, 238, 242)
    checker = paint("checker")
    assert checker.pixelColor(0, 0) != checker.pixelColor(8, 0)  # alternating cells
    none = paint("none")
    assert none.pixelColor(0, 0) == QColor(30, 33, 40)


def test_playing_with_no_sound_device_says_so(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    sound = make_sound(tmp_path / "snd" / "beep.wav", seconds=0.4)
    run(qtbot, ui_client.call(lambda world: add_sound(world, sound)))
    run(qtbot, ui_window.reload())
    player = ui_window.inspector.audio_player
    player.outputs_available = lambda: False
    _select(ui_window, 0)
    qtbot.waitUntil(lambda: player.waveform.has_peaks)
    player.play_button.click()
    assert player.notice.isVisible() and "No sound output device" in player.notice.text()


def test_a_change_announced_while_the_inspector_reads_an_asset_shows_once_the_read_is_done(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    """Another workstation (or a background stage) changes the asset the user just selected while
    its preview still decodes: the panel reads it again afterwards instead of keeping the old."""
    import asyncio
    import threading

    from sqlalchemy import update

    from dam_desktop.core.events import WorldChanged
    from dam_desktop.models import FilePropertiesComponent

    made = run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 1)))
    run(qtbot, ui_window.reload())
    asset = made[0]
    inspector = ui_window.inspector
    # Every worker of the loop's default executor is kept busy, so the preview's decode waits.
    held = threading.Event()
    loop = asyncio.get_event_loop()
    blockers = [loop.run_in_executor(None, held.wait) for _ in range(64)]
    try:
        _select(ui_window, 0)
        qtbot.waitUntil(lambda: getattr(inspector.details, "entity_id", None) == asset.entity_id)
        assert inspector.title.text() == "image-0000.png"

        async def rename(world: Any) -> None:
            async with world.session() as session:
                await session.execute(
                    update(FilePropertiesComponent)
                    .where(FilePropertiesComponent.entity_id == asset.entity_id)
                    .values(original_filename="renamed.png")
                )
                await session.commit()
            world.notify_changed(WorldChanged.of([asset.entity_id], "file"))

        run(qtbot, ui_client.call(rename))
        qtbot.waitUntil(lambda: not inspector.change_follower.waiting())
        assert not inspector._task.done(), "the preview is still decoding"
    finally:
        held.set()
    qtbot.waitUntil(lambda: all(b.done() for b in blockers))
    qtbot.waitUntil(lambda: inspector.title.text() == "renamed.png")
    assert inspector.image_preview.source is not None
