"""Hover-scrub on clip tiles: the import's scrub strip stage keeps a few frames of each clip, and
moving the mouse across a clip's tile shows the frame for that position."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from PySide6.QtCore import QPoint

from dam_desktop.core.library import SCRUB_STRIP_FRAMES
from dam_desktop.core.stages import SystemStage
from dam_desktop.services.media.scrub_strip import split_strip
from dam_desktop.ui.window.main_window import MainWindow
from tests.ui_helpers import run

RED, BLUE = (230, 30, 30), (30, 40, 230)


def write_red_then_blue(path: Path, seconds: float = 2.0, fps: int = 24) -> Path:
    """An H.264 clip whose first half is red and second half blue."""
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height = 160, 96
        stream.pix_fmt = "yuv420p"
        stream.codec_context.gop_size = 12
        frames = int(seconds * fps)
        for index in range(frames):
            colour = RED if index < frames // 2 else BLUE
            frame = av.VideoFrame.from_image(Image.new("RGB", (160, 96), colour))
            frame.pts = index
            frame.time_base = Fraction(1, fps)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def _import_and_strip(qtbot: Any, ui_client: Any, clip: Path) -> tuple[int, Path]:
    async def go(world: Any) -> tuple[int, Path]:
        from dam_desktop.services.ingest.import_service import import_paths
        from dam_desktop.use_cases.library import asset_details

        report = await import_paths(world, [clip])
        assert report.failed == [], report.failed
        [entity_id] = report.imported
        stage = await world.execute_stage(SystemStage.THUMBNAIL_GENERATION)
        assert not stage.failed, stage.failed
        details = await asset_details(world, entity_id)
        return entity_id, world.paths.scrub_strip_path(details.sha256_hex)

    return run(qtbot, ui_client.call(go), timeout=60_000)


def _mean(image: Image.Image) -> tuple[float, float, float]:
    red, green, blue = np.asarray(image.convert("RGB"), dtype=np.float32).reshape(-1, 3).mean(axis=0)
    return float(red), float(green), float(blue)


def test_the_import_keeps_a_strip_of_frames_through_the_clip(
    qtbot: Any, ui_client: Any, tmp_path: Path
) -> None:
    clip = write_red_then_blue(tmp_path / "red-blue.mp4")
    _, strip_path = _import_and_strip(qtbot, ui_client, clip)
    with Image.open(strip_path) as strip:
        frames = split_strip(strip.convert("RGB"))
    assert len(frames) == SCRUB_STRIP_FRAMES
    assert frames[0].size == (160, 96)  # a small clip's frames at its own size
    colours = [_mean(frame) for frame in frames]
    half = SCRUB_STRIP_FRAMES // 2
    assert all(r > 150 and b < 100 for r, _, b in colours[:half]), colours
    assert all(b > 150 and r < 100 for r, _, b in colours[half:]), colours


def _tile_colour(window: MainWindow, row: int) -> tuple[int, int, int]:
    grid = window.grid
    image = grid.viewport().grab(grid.cell_rect(row)).toImage()
    colour = image.pixelColor(image.width() // 2, image.height() // 3)
    return colour.red(), colour.green(), colour.blue()


def test_moving_the_mouse_across_a_clip_tile_shows_its_frames(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    clip = write_red_then_blue(tmp_path / "red-blue.mp4")
    entity_id, strip_path = _import_and_strip(qtbot, ui_client, clip)
    assert strip_path.is_file()
    run(qtbot, ui_window.reload())
    grid = ui_window.grid
    qtbot.waitUntil(lambda: grid.thumbnail_shown(entity_id), timeout=30_000)
    row = ui_window.model.row_of(entity_id)
    cell = grid.cell_rect(row)
    middle = cell.center().y() - 10

    def hover(x: int) -> None:
        qtbot.mouseMove(grid.viewport(), QPoint(x, middle))

    def tile_is(colour: tuple[int, int, int], x: int) -> bool:
        hover(x)
        shown = _tile_colour(ui_window, row)
        return sum(abs(a - b) for a, b in zip(shown, colour, strict=True)) < 90

    qtbot.waitUntil(lambda: tile_is(RED, cell.left() + 6), timeout=30_000)
    assert grid.thumbnails.scrub.frame_index == 0
    qtbot.waitUntil(lambda: tile_is(BLUE, cell.right() - 6), timeout=30_000)
    assert grid.thumbnails.scrub.frame_index == SCRUB_STRIP_FRAMES - 1
    qtbot.waitUntil(lambda: tile_is(RED, cell.left() + cell.width() // 4), timeout=30_000)

    # Leaving the grid puts the poster back.
    qtbot.mouseMove(ui_window.inspector, QPoint(5, 5))
    qtbot.waitUntil(lambda: grid.thumbnails.scrub.entity_id is None, timeout=30_000)
