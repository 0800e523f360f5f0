"""Animated GIF, WebP and APNG play in the inspector at their own frame durations, and stop when
another asset is selected; huge animations are decoded within a memory budget."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from dam_desktop.services.media.animation import read_animation
from dam_desktop.ui.window.main_window import MainWindow
from tests.ui_helpers import import_into, make_image, run, select_and_wait

COLOURS = [(220, 30, 30), (30, 200, 40), (40, 60, 230)]


def write_animation(path: Path, fmt: str, size: tuple[int, int] = (120, 90), duration: int = 60) -> Path:
    frames = [Image.new("RGB", size, colour) for colour in COLOURS]
    frames[0].save(path, fmt, save_all=True, append_images=frames[1:], duration=duration, loop=0)
    return path


def _centre_colour(window: MainWindow) -> tuple[int, int, int]:
    preview = window.inspector.image_preview
    image = preview.grab().toImage()
    colour = image.pixelColor(image.width() // 2, image.height() // 2)
    return colour.red(), colour.green(), colour.blue()


def _nearest(colour: tuple[int, int, int]) -> int:
    return min(
        range(len(COLOURS)), key=lambda i: sum((a - b) ** 2 for a, b in zip(colour, COLOURS[i], strict=True))
    )


@pytest.mark.parametrize(("name", "fmt"), [("loop.gif", "GIF"), ("loop.webp", "WEBP"), ("loop.png", "PNG")])
def test_an_animated_picture_plays_in_the_inspector_until_another_is_selected(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path, name: str, fmt: str
) -> None:
    animated = write_animation(tmp_path / name, fmt)
    still = make_image(tmp_path / "still.png", (200, 200, 200))
    animated_id, still_id = import_into(qtbot, ui_client, [animated, still])
    run(qtbot, ui_window.reload())
    # Its tile carries the "animated" cue; the still picture's does not.
    qtbot.waitUntil(
        lambda: None not in (ui_window.model.info(animated_id), ui_window.model.info(still_id)),
        timeout=30_000,
    )
    animated_tile, still_tile = ui_window.model.info(animated_id), ui_window.model.info(still_id)
    assert animated_tile is not None and animated_tile.animated
    assert still_tile is not None and not still_tile.animated
    select_and_wait(qtbot, ui_window, animated_id)
    preview = ui_window.inspector.image_preview
    qtbot.waitUntil(lambda: preview.animating, timeout=30_000)
    assert preview.animation is not None and len(preview.animation.frames) == 3
    assert preview.animation.durations_ms == [60, 60, 60]

    # Each of the three colours appears in the panel in turn.
    seen: set[int] = set()

    def all_seen() -> bool:
        seen.add(_nearest(_centre_colour(ui_window)))
        return seen == {0, 1, 2}

    qtbot.waitUntil(all_seen, timeout=30_000)

    select_and_wait(qtbot, ui_window, still_id)
    qtbot.waitUntil(
        lambda: preview.message == "" and preview.source == ui_window.inspector.details.file_path,
        timeout=30_000,
    )
    assert not preview.animating and preview.animation is None
    assert _centre_colour(ui_window) == (200, 200, 200)


def test_a_still_gif_and_png_do_not_animate(tmp_path: Path) -> None:
    still_gif = tmp_path / "still.gif"
    Image.new("RGB", (40, 30), (10, 20, 30)).save(still_gif)
    assert read_animation(still_gif, still_gif.name, 512) is None
    assert read_animation(make_image(tmp_path / "s.png", (1, 2, 3)), "s.png", 512) is None


def test_a_huge_animation_is_decoded_at_preview_size_within_a_memory_budget(tmp_path: Path) -> None:
    big = tmp_path / "big.gif"
    frames = [Image.new("RGB", (2000, 1000), COLOURS[i % 3]) for i in range(12)]
    frames[0].save(big, "GIF", save_all=True, append_images=frames[1:], duration=40, loop=0)
    animation = read_animation(big, big.name, 500, max_bytes=5 * 500 * 250 * 4)
    assert animation is not None
    assert (animation.width, animation.height) == (500, 250)
    assert animation.frame_count == 12
    assert len(animation.frames) == 5 and not animation.complete
    assert all(len(frame) == 500 * 250 * 4 for frame in animation.frames)
