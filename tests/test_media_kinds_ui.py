"""The window with videos, PDFs, fonts, HEIC and RAW: a clip plays in the inspector, pictures Qt
cannot read are previewed through the media service, and tiles show a clip's length."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from dam_desktop.ui.window.main_window import MainWindow
from tests.media_kind_factory import DEJAVU_SANS, write_dng, write_heic, write_pdf, write_video
from tests.ui_helpers import import_into, run, select_and_wait


def _colourful(image: QImage) -> float:
    if image.isNull():
        return 0.0
    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
    pixels = np.frombuffer(rgba.constBits(), np.uint8)[: rgba.sizeInBytes()].astype(np.float32)
    return float(pixels.std())


def test_a_clip_plays_in_the_inspector(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    clip = write_video(tmp_path / "sunset.mp4", seconds=2.0, size=(320, 240))
    [entity_id] = import_into(qtbot, ui_client, [clip])
    run(qtbot, ui_window.reload())
    select_and_wait(qtbot, ui_window, entity_id)
    inspector = ui_window.inspector
    player = inspector.video_player
    qtbot.waitUntil(
        lambda: inspector.previews.currentWidget() is player and player.play_button.isEnabled(),
        timeout=30_000,
    )
    assert inspector.subtitle.text().startswith("Video · MP4")
    assert inspector.property_value("Dimensions").text() == "320 × 240 px"
    assert inspector.property_value("Codecs").text() == "H264 + AAC"
    assert inspector.property_value("Frame rate").text() == "24 fps"
    assert inspector.property_value("Duration").text() == "0:02"

    # Before playing it shows its poster, not the black first frame.
    qtbot.waitUntil(lambda: _colourful(player.view.image) > 20, timeout=30_000)
    qtbot.mouseClick(player.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: player.playing, timeout=30_000)
    qtbot.waitUntil(lambda: player.frames_shown >= 2, timeout=30_000)
    # Frames become pictures on the converter's thread, not the GUI thread.
    converter = player.converter
    assert converter is not None and converter.conversion_threads
    assert threading.get_ident() not in converter.conversion_threads
    # Seeking past the black lead-in (the slider, as a drag moves it) shows the scene.
    player.slider.sliderMoved.emit(600)
    qtbot.waitUntil(lambda: _colourful(player.view.image) > 20, timeout=30_000)
    qtbot.waitUntil(lambda: player.time_label.text().startswith(("0:01", "0:02")), timeout=30_000)
    assert player.time_label.text().endswith("/ 0:02")
    inspector.toggle_playback()  # Space over the grid pauses it
    qtbot.waitUntil(lambda: not player.playing, timeout=30_000)


def test_pictures_qt_cannot_read_are_previewed(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    files = [
        write_heic(folder / "phone.heic", (400, 300)),
        write_dng(folder / "card.dng", (512, 384)),
        write_pdf(folder / "notes.pdf", pages=2),
        Path(shutil.copy(DEJAVU_SANS, folder / DEJAVU_SANS.name)),
    ]
    ids = import_into(qtbot, ui_client, files)
    run(qtbot, ui_window.reload())
    inspector = ui_window.inspector
    expected = {"phone.heic": (400, 300), "card.dng": (512, 384), "notes.pdf": None, "DejaVuSans.ttf": None}
    for entity_id in ids:
        select_and_wait(qtbot, ui_window, entity_id)
        name = inspector.details.filename if inspector.details else ""
        path = inspector.details.file_path if inspector.details else None
        # Loaded: the preview shows this file with no message ("Loading…" or why it cannot).
        qtbot.waitUntil(
            lambda p=path: inspector.image_preview.source == p and inspector.image_preview.message == "",
            timeout=30_000,
        )
        preview = inspector.image_preview
        assert not preview.image_size.isEmpty(), name
        assert inspector.previews.currentWidget() is inspector.image_pane, name
        size = inspector.image_preview.image_size
        if expected[name] is not None:
            assert (size.width(), size.height()) == expected[name], name
        assert inspector.image_preview.message == "", name
    select_and_wait(qtbot, ui_window, ids[2])
    qtbot.waitUntil(lambda: inspector.property_value("Pages") is not None, timeout=30_000)
    assert inspector.property_value("Pages").text() == "2"
    assert inspector.subtitle.text().startswith("Document · PDF")


def test_a_clip_tile_shows_its_length(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    clip = write_video(tmp_path / "short.webm", codec="libvpx-vp9", audio_codec=None, seconds=1.5)
    [entity_id] = import_into(qtbot, ui_client, [clip])
    run(qtbot, ui_window.reload())
    qtbot.waitUntil(lambda: ui_window.grid.thumbnail_shown(entity_id), timeout=30_000)
    info = ui_window.model.info(entity_id)
    assert info is not None and info.asset_type == "video"
    assert info.duration_seconds is not None and abs(info.duration_seconds - 1.5) < 0.1
