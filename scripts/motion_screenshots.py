"""Make the screenshots of moving pictures from files it makes itself, under Xvfb:

    xvfb-run -a -s '-screen 0 1600x1000x24' .venv/bin/python scripts/motion_screenshots.py

- docs/screenshots/animated-gif-inspector.png: an animated GIF playing in the inspector (its tile,
  like the WebP's and the APNG's, carries the "▶ ANIM" cue).
- docs/screenshots/hover-scrub.png: the mouse two thirds across a clip's tile, which shows the
  frame from two thirds into the clip (and a line saying how far), not its poster.

The pictures and the clip are drawn by tests/media_kind_factory.py (bands of colour and a moving
disc; the clip by PyAV).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scripts.screenshot_kit import run_shooting, wait_for  # noqa: E402

if TYPE_CHECKING:
    from dam_desktop.ui.window.main_window import MainWindow


def write_animation(path: Path, fmt: str, size: tuple[int, int], frames: int, offset: int = 0) -> None:
    from tests.media_kind_factory import picture

    images = [picture(size, offset + 2 * step) for step in range(frames)]
    images[0].save(path, fmt, save_all=True, append_images=images[1:], duration=70, loop=0)


def build_corpus(work: Path) -> Path:
    from tests.media_kind_factory import picture

    folder = work / "Motion"
    folder.mkdir(parents=True, exist_ok=True)
    write_animation(folder / "sunrise-loop.gif", "GIF", (480, 320), 36)
    write_animation(folder / "orbit.webp", "WEBP", (400, 300), 24, offset=9)
    write_animation(folder / "spinner.png", "PNG", (300, 300), 18, offset=20)
    from tests.media_kind_factory import write_video

    write_video(folder / "orbit-clip.mp4", size=(480, 270), seconds=6.0, fps=24, gop=24)
    for step in (4, 13, 27):
        picture((640, 400), step).save(folder / f"still-{step:02d}.jpg", quality=90)
    return folder


def capture(window: MainWindow, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if os.environ.get("DISPLAY"):
        subprocess.run(["import", "-window", "root", str(path)], check=True)
    else:
        window.grab().save(str(path))
    print(f"wrote {path}")


async def shoot(library: Path, folder: Path, out: Path) -> None:
    from PySide6.QtCore import QEvent, QItemSelectionModel, QPointF, QSettings, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    from dam_desktop.app import install_room_ui
    from dam_desktop.services.ingest.import_service import import_paths
    from dam_desktop.ui.window.main_window import MainWindow
    from dam_desktop.ui.world_client import WorldClient
    from dam_desktop.use_cases.pipeline import run_stages

    client = await WorldClient.open(library)
    report = await client.call(lambda world: import_paths(world, [folder]))
    assert not report.failed, report.failed
    await client.call(lambda world: run_stages(world))
    settings = QSettings(str(library / "screenshot-settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(client, settings)
    window.move(0, 0)
    window.resize(1600, 1000)
    window.show()
    install_room_ui(window)
    window.toolbar.zoom_slider.setValue(190)
    await window.refresh()
    model, inspector = window.model, window.inspector

    def settled() -> bool:
        return not model.loading and all(
            window.grid.thumbnail_shown(e) for e in model.ids_in(0, model.rowCount())
        )

    async def select(name: str) -> None:
        row = next(
            r
            for r in range(model.rowCount())
            if (info := model.info(model.entity_id(r))) is not None and info.filename == name
        )
        window.grid.selectionModel().setCurrentIndex(
            model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        await wait_for(lambda: inspector.details is not None and inspector.details.filename == name, settle=0)

    await wait_for(settled)
    await select("sunrise-loop.gif")
    preview = inspector.image_preview
    await wait_for(lambda: preview.animating and preview.frame_index >= 10, settle=0)
    capture(window, out / "animated-gif-inspector.png")

    await select("still-04.jpg")
    clip = next(
        r for r in range(model.rowCount()) if model.info(model.entity_id(r)).filename == "orbit-clip.mp4"
    )
    cell = window.grid.cell_rect(clip)
    scrub = window.grid.thumbnails.scrub
    viewport = window.grid.viewport()
    for x in range(cell.left() + 8, cell.left() + cell.width() * 2 // 3, 6):
        # Posted, not sent: the move arrives from the event loop as a person's would.
        at = QPointF(x, cell.center().y() - 10)
        QApplication.postEvent(
            viewport,
            QMouseEvent(
                QEvent.Type.MouseMove,
                at,
                QPointF(viewport.mapToGlobal(at.toPoint())),
                Qt.MouseButton.NoButton,
                Qt.MouseButton.NoButton,
                Qt.KeyboardModifier.NoModifier,
            ),
        )
        await asyncio.sleep(0.02)
    await wait_for(lambda: scrub.frame(model.entity_id(clip)) is not None)
    capture(window, out / "hover-scrub.png")
    await window.shutdown()
    await client.close()


if __name__ == "__main__":
    run_shooting(__doc__.splitlines()[0], "dam-motion-shots-", build_corpus, shoot)
