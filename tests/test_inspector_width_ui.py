"""The inspector always fits its width: several tagged, rated assets selected (long hierarchical
tags, a mixed rating) never leave its content wider than the panel, scrolled sideways and cut off
at the left edge, at the window's size or squeezed by the splitter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QPoint, Qt
from PySide6.QtWidgets import QWidget

from dam_desktop.ui.marks.install import MarksUI
from dam_desktop.ui.tags.tag_chips import TagChip
from dam_desktop.ui.tags.tag_editor import TagEditor
from dam_desktop.ui.tags.tag_ui import install_tag_ui
from dam_desktop.ui.window.context_menu import TRASH_VIEW
from dam_desktop.ui.window.main_window import MainWindow
from dam_desktop.use_cases.marks import MarkChanges, set_marks
from dam_desktop.use_cases.tags import add_tags
from tests.ui_helpers import add_images, run

LONG = "client:acme-corporation|campaign-2026|spring-launch|hero-shots"
TAGS = [
    ["places|europe|paris", "night", LONG],
    ["places|europe|paris", "places|europe|lyon", "street"],
    ["places|europe|lyon", "portrait", "a-rather-long-tag-name-for-a-project"],
    ["studio", "night"],
]


def _outside(inspector: Any, widgets: list[QWidget]) -> list[str]:
    """The widgets that do not lie wholly inside the panel's visible width."""
    viewport = inspector.viewport()
    outside = []
    for widget in widgets:
        left = widget.mapTo(viewport, QPoint(0, 0)).x()
        if left < 0 or left + widget.width() > viewport.width():
            outside.append(f"{widget.objectName() or type(widget).__name__} at {left}+{widget.width()}")
    return outside


def _fits(inspector: Any) -> bool:
    body = inspector.widget()
    return inspector.horizontalScrollBar().value() == 0 and body.width() <= inspector.viewport().width()


def test_several_tagged_rated_assets_fit_the_inspector_width_and_are_never_scrolled_sideways(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    made = run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", len(TAGS))))
    ids = [asset.entity_id for asset in made]
    for entity_id, names in zip(ids, TAGS, strict=True):
        run(qtbot, ui_client.call(lambda world, e=entity_id, n=names: add_tags(world, [e], n)))
    run(qtbot, ui_client.call(lambda world: set_marks(world, ids[:1], MarkChanges(rating=5, label="green"))))
    run(qtbot, ui_client.call(lambda world: set_marks(world, ids[1:2], MarkChanges(rating=3))))
    install_tag_ui(ui_window)
    marks = MarksUI(ui_window).editor
    run(qtbot, ui_window.reload())
    editor = ui_window.findChild(TagEditor)
    assert editor is not None
    inspector = ui_window.inspector
    # Squeezed while nothing is selected: no section shows, so the panel may be narrow.
    ui_window.splitter.setSizes([220, 2000, 80])
    qtbot.waitUntil(lambda: 0 < inspector.width() < marks.minimumSizeHint().width())

    selection = ui_window.grid.selectionModel()
    for row in range(len(TAGS)):
        selection.select(ui_window.model.index(row, 0), QItemSelectionModel.SelectionFlag.Select)
    qtbot.waitUntil(lambda: marks.isEnabled() and marks.rating_note.text() == "mixed")
    qtbot.waitUntil(lambda: len(editor.chip_names()) == len({name for names in TAGS for name in names}))
    chips = editor.chips_host.findChildren(TagChip)

    def rows() -> list[QWidget]:
        shown = [editor, editor.input, marks, *marks.stars, marks.rating_note, *marks.labels.values()]
        shown += [marks.pick, marks.reject, marks.note, marks.source]
        return shown + [chip for chip in chips if chip.isVisible()]

    # The sections come into view with the selection: the panel widens to their rows.
    qtbot.waitUntil(lambda: _fits(inspector) and not _outside(inspector, rows()))
    assert inspector.title.text() == f"{len(TAGS)} assets selected"
    # At the window's own split, the same.
    ui_window.splitter.setSizes([220, 860, 340])
    qtbot.waitUntil(lambda: _fits(inspector) and not _outside(inspector, rows()))
    # The longest tag is shown shortened, not by widening the panel past the marks' rows.
    assert editor.minimumSizeHint().width() <= marks.minimumSizeHint().width()

    # Squeezed by the splitter to the narrowest it allows: still all inside, chips elided.
    ui_window.splitter.setSizes([220, 2000, 80])
    qtbot.waitUntil(lambda: inspector.width() == inspector.minimumSizeHint().width())
    qtbot.waitUntil(lambda: _fits(inspector) and not _outside(inspector, rows()))
    long_chip = next(chip for chip in chips if chip.tag.name == LONG)
    assert long_chip.width() < long_chip.sizeHint().width()
    assert long_chip.name_button.text() == f"{LONG}  1/{len(TAGS)}"  # whole, for the tooltip and tests

    # Tab through the sections (the scroll area brings the focused field into view): no sideways scroll.
    editor.input.setFocus()
    for _ in range(12):
        qtbot.keyClick(ui_window.focusWidget(), Qt.Key.Key_Tab)
        assert inspector.horizontalScrollBar().value() == 0
    marks.source.setFocus()
    inspector.ensureWidgetVisible(marks.source)
    assert _fits(inspector) and not _outside(inspector, rows())

    # A smaller window keeps the panel's width; the grid gives way.
    ui_window.resize(1000, 700)
    qtbot.waitUntil(lambda: ui_window.width() == 1000)
    qtbot.waitUntil(lambda: _fits(inspector) and not _outside(inspector, rows()))


def test_an_image_a_sound_a_clip_and_a_trashed_asset_each_fit_the_narrowest_inspector(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    from tests.media_kind_factory import picture, write_video
    from tests.ui_helpers import import_into, make_sound, select_and_wait

    src = tmp_path / "src"
    src.mkdir()
    # A name with no space to break at, longer than the panel is wide.
    photo = src / "DSC_0101_client-acme-spring-campaign-hero-shot-final-v3-retouched.jpg"
    picture((640, 480)).save(photo)
    sound = make_sound(src / "door-knock-wooden-close-mic-take-12.wav")
    clip = write_video(src / "sunset-over-the-harbour-timelapse.mp4", seconds=1.0)
    photo_id, sound_id, clip_id = import_into(qtbot, ui_client, [photo, sound, clip])
    run(qtbot, ui_client.call(lambda world: add_tags(world, [photo_id, sound_id, clip_id], [LONG])))
    install_tag_ui(ui_window)
    marks = MarksUI(ui_window).editor
    run(qtbot, ui_window.reload())
    inspector = ui_window.inspector
    ui_window.splitter.setSizes([220, 2000, 80])
    qtbot.waitUntil(lambda: inspector.width() == inspector.minimumSizeHint().width())

    def check(shown: list[QWidget]) -> None:
        qtbot.waitUntil(lambda: inspector.width() == inspector.minimumSizeHint().width())
        qtbot.waitUntil(lambda: _fits(inspector) and not _outside(inspector, shown))
        # The panel is no wider than the marks' rows need: a long name wraps instead.
        narrowest = marks.minimumSizeHint().width() + inspector.verticalScrollBar().sizeHint().width()
        assert inspector.width() <= narrowest + 2 * 14 + 2 * inspector.frameWidth()

    select_and_wait(qtbot, ui_window, photo_id)
    check([inspector.title, inspector.previews, marks])
    select_and_wait(qtbot, ui_window, sound_id)
    player = inspector.audio_player
    qtbot.waitUntil(player.isVisible)
    check([inspector.title, player.play_button, player.volume_slider, player.loop_button, marks])
    select_and_wait(qtbot, ui_window, clip_id)
    video = inspector.video_player
    qtbot.waitUntil(video.isVisible)
    check([inspector.title, video.play_button, video.time_label, marks])

    select_and_wait(qtbot, ui_window, photo_id)
    run(qtbot, ui_window._run_action_by_key("remove"))
    qtbot.waitUntil(lambda: ui_window.counts.trashed == 1 and not ui_window.tasks)
    ui_window.sidebar.select_view(TRASH_VIEW)
    qtbot.waitUntil(lambda: ui_window.model.ids.tolist() == [photo_id] and not ui_window.tasks)
    select_and_wait(qtbot, ui_window, photo_id)
    qtbot.waitUntil(lambda: inspector.trash_bar.isVisible())
    check([inspector.title, inspector.trash_bar, inspector.trash_bar.restore_button, marks])
