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
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scripts.screenshot_kit import (  # noqa: E402
    capture,
    grid_settled,
    open_window,
    row_named,
    run_shooting,
    select_named,
    wait_for,
)


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


async def shoot(library: Path, folder: Path, out: Path) -> None:
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    client, window = await open_window(library, folder)
    model, inspector = window.model, window.inspector
    await wait_for(lambda: grid_settled(window))
    await select_named(window, "sunrise-loop.gif", settle=0)
    preview = inspector.image_preview
    await wait_for(lambda: preview.animating and preview.frame_index >= 10, settle=0)
    capture(window, out / "animated-gif-inspector.png")

    await select_named(window, "still-04.jpg")
    clip = row_named(window, "orbit-clip.mp4")
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
