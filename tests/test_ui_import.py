"""Importing from the window: dropped files arrive in the grid; a long import keeps the window
responsive and stops cleanly on Cancel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from dam_desktop.ui.jobs.import_report_dialog import ImportReportDialog
from dam_desktop.ui.window.main_window import MainWindow
from tests.ui_helpers import add_images, colour_for, make_image, make_sound, run


def drop_files(window: MainWindow, paths: list[Path]) -> bool:
    """Drag local files over the grid and drop them, as a file manager would."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    pos = window.grid.mapTo(window, window.grid.rect().center())
    enter = QDragEnterEvent(
        pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(window, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(
        QPointF(pos),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, drop)
    return drop.isAccepted()


def test_dropping_files_and_a_folder_imports_them_into_the_grid(
    qtbot: Any, ui_window: MainWindow, tmp_path: Path
) -> None:
    loose = [make_image(tmp_path / "drop" / f"loose-{n}.png", colour_for(n)) for n in range(2)]
    folder = tmp_path / "drop" / "folder"
    make_image(folder / "inside.jpg", (200, 40, 40))
    make_sound(folder / "tone.wav")
    broken = folder / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n not really a png")

    assert drop_files(ui_window, [*loose, folder])
    qtbot.waitUntil(lambda: ui_window.import_job is None, timeout=60_000)
    assert ui_window.model.rowCount() == 4
    dialog = ui_window.report_dialog
    assert isinstance(dialog, ImportReportDialog) and dialog.isVisible()
    assert "4 imported" in dialog.summary.text()
    failed = {
        dialog.failures.item(r, 0).toolTip(): dialog.failures.item(r, 1).text()
        for r in range(dialog.failures.rowCount())
    }
    assert str(broken) in failed and failed[str(broken)]
    qtbot.waitUntil(
        lambda: all(ui_window.grid.thumbnail_shown(ui_window.model.entity_id(r)) for r in range(4)),
        timeout=20_000,
    )
    assert {info.filename for r in range(4) if (info := ui_window.model.info_at(r))} == {
        "loose-0.png",
        "loose-1.png",
        "inside.jpg",
        "tone.wav",
    }


def test_tiles_drag_out_as_files_named_like_the_originals(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    made = run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 3)))
    run(qtbot, ui_window.reload())
    ui_window.grid.selectAll()
    selection = run(qtbot, ui_window.current_selection())
    assert len(selection.infos) == 3
    rows = [ui_window.model.index(r, 0) for r in range(3)]
    urls = ui_window.model.mimeData(rows).urls()
    # The stored copies are named by their hash; what leaves the app carries the original names.
    assert sorted(url.fileName() for url in urls) == ["image-0000.png", "image-0001.png", "image-0002.png"]
    outbox = ui_client.paths.root / "tmp" / "outbox"
    for url in urls:
        handed = Path(url.toLocalFile())
        assert handed.is_relative_to(outbox)
        asset = next(a for a in made if a.path.read_bytes() == handed.read_bytes())
        assert handed.samefile(asset.path)  # a hard link: no second copy of the bytes


def make_noise_images(folder: Path, count: int) -> list[Path]:
    rng = np.random.default_rng(7)
    folder.mkdir(parents=True)
    paths = []
    for n in range(count):
        pixels = rng.integers(0, 255, size=(384, 512, 3), dtype=np.uint8)
        path = folder / f"noise-{n:03d}.png"
        Image.fromarray(pixels).save(path, compress_level=0)
        paths.append(path)
    return paths


def test_a_long_import_keeps_the_event_loop_running_and_cancel_stops_it(
    qtbot: Any, ui_window: MainWindow, tmp_path: Path
) -> None:
    make_noise_images(tmp_path / "many", 120)
    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(len(ticks)))
    timer.start()

    job = ui_window.start_import([tmp_path / "many"])
    assert job is not None
    qtbot.waitUntil(lambda: job.total == 120 and job.done >= 3, timeout=60_000)
    ticks_during_import = len(ticks)
    assert ui_window.import_panel.isVisible()
    assert ui_window.import_panel.bar.maximum() == 120
    assert ui_window.jobs_label.isVisible() and "Importing" in ui_window.jobs_label.text()
    qtbot.mouseClick(ui_window.import_panel.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ui_window.import_job is None, timeout=60_000)
    timer.stop()

    assert ticks_during_import >= 3, "the GUI's timer should keep firing while files are imported"
    report = job.report
    assert report is not None and report.cancelled
    assert 0 < len(report.imported) < 120
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == len(report.imported))
    assert not ui_window.import_panel.isVisible()
    assert not ui_window.jobs_label.isVisible()
    assert ui_window.report_dialog.windowTitle() == "Import cancelled"
