"""Huge pictures are decoded at a reduced size, and full-size decodes share one memory budget.

A 4096x4096 picture decoded in full is 64 MB (256 MB at the peak of Pillow's WebP reader); an
import of 16 of them on four threads peaked at 1.25 GB before. These tests watch every image
buffer Pillow allocates (`Image.core.new`, where each decoder gets its pixels) and what size Qt's
reader is asked for, so a change that decodes the original in full again fails here.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from dam_desktop.services.media.media_probe import probe_media
from dam_desktop.utils import reduced_decode
from dam_desktop.utils.media_utils import sniff_media
from dam_desktop.utils.reduced_decode import UNBUDGETED_BYTES

SIDE = 4096


@pytest.fixture
def allocations(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[int, int]]]:
    """The size of every image buffer Pillow allocates while the test runs."""
    made: list[tuple[int, int]] = []
    original = Image.core.new

    def recording(mode: str, size: tuple[int, int], *args: Any) -> Any:
        made.append(tuple(size))  # type: ignore[arg-type]
        return original(mode, size, *args)

    monkeypatch.setattr(Image.core, "new", recording)
    yield made


@pytest.fixture(scope="module")
def huge_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("huge")
    picture = Image.radial_gradient("L").resize((SIDE, SIDE)).convert("RGB")
    files = {}
    for name, fmt, extra in (
        ("huge.webp", "WEBP", {"method": 0, "quality": 60}),
        ("huge.jpg", "JPEG", {"quality": 80}),
        ("huge.png", "PNG", {"compress_level": 1}),
    ):
        picture.save(folder / name, fmt, **extra)
        files[name] = folder / name
    with_alpha = picture.copy()
    with_alpha.putalpha(Image.radial_gradient("L").resize((SIDE, SIDE)))
    with_alpha.save(folder / "huge-alpha.webp", "WEBP", method=0, quality=60)
    files["huge-alpha.webp"] = folder / "huge-alpha.webp"
    return files


def probe(path: Path) -> Any:
    data = path.read_bytes()
    fmt = sniff_media(data[:64], str(path))
    assert fmt is not None
    return probe_media(io.BytesIO(data), fmt)


@pytest.mark.parametrize("name", ["huge.webp", "huge-alpha.webp", "huge.jpg"])
def test_the_import_never_decodes_a_huge_webp_or_jpeg_at_full_size(
    name: str,
    huge_files: dict[str, Path],
    allocations: list[tuple[int, int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[tuple[int, int]] = []
    real_read = reduced_decode._qt_read

    def watched(source: Any, size: tuple[int, int]) -> Any:
        asked.append(size)
        return real_read(source, size)

    monkeypatch.setattr(reduced_decode, "_qt_read", watched)
    result = probe(huge_files[name])

    assert result.image.width == SIDE and result.image.height == SIDE
    assert max(result.thumbnail.size) == 256
    assert result.thumbnail.mode == ("RGBA" if "alpha" in name else "RGB")
    biggest = max((w * h for w, h in allocations), default=0)
    assert biggest <= 1024 * 1024, f"a {allocations} buffer was allocated for a {SIDE}px picture"
    if name.endswith(".webp"):
        assert asked and all(max(size) <= 512 for size in asked), asked


def test_the_allocation_watch_sees_a_full_size_decode(
    huge_files: dict[str, Path], allocations: list[tuple[int, int]]
) -> None:
    """PNG cannot decode at a reduced size: its full-size buffer shows, so the watch works."""
    result = probe(huge_files["huge.png"])
    assert max(result.thumbnail.size) == 256
    assert (SIDE, SIDE) in allocations


def test_the_model_reads_a_huge_webp_at_a_reduced_size(
    huge_files: dict[str, Path], allocations: list[tuple[int, int]]
) -> None:
    from dam_desktop.ml.zero_shot_tagger import open_image_for_tagging

    for name in ("huge.webp", "huge-alpha.webp", "huge.jpg"):
        picture = open_image_for_tagging(huge_files[name], 224)
        assert picture.mode == "RGB" and min(picture.size) == 448, (name, picture.size)
    assert max(w * h for w, h in allocations) <= 1024 * 1024, allocations


def test_full_size_decodes_wait_for_the_budget() -> None:
    budget = reduced_decode._Budget(limit=3 * UNBUDGETED_BYTES)
    first_in, release_first, second_in = threading.Event(), threading.Event(), threading.Event()

    def hold(entered: threading.Event, release: threading.Event | None) -> None:
        with budget.reserve(2 * UNBUDGETED_BYTES):
            entered.set()
            if release is not None:
                release.wait()

    first = threading.Thread(target=hold, args=(first_in, release_first))
    first.start()
    assert first_in.wait(30)
    second = threading.Thread(target=hold, args=(second_in, None))
    second.start()
    with budget.reserve(UNBUDGETED_BYTES // 2):  # small pictures never wait
        pass
    assert not second_in.wait(0.5), "two decodes over the budget ran at once"
    release_first.set()
    first.join(30)
    second.join(30)
    assert second_in.is_set() and budget.in_use == 0
    assert budget.highest == 2 * UNBUDGETED_BYTES


def test_the_large_thumbnail_and_preview_read_a_huge_webp_at_a_reduced_size(
    huge_files: dict[str, Path], allocations: list[tuple[int, int]]
) -> None:
    from dam_desktop.services.media.previews import fitted_picture

    for name in ("huge.webp", "huge-alpha.webp", "huge.jpg"):
        picture = fitted_picture(huge_files[name], name, 768)
        assert picture.size == (768, 768), (name, picture.size)
        assert picture.mode == ("RGBA" if "alpha" in name else "RGB")
    assert max(w * h for w, h in allocations) <= 2048 * 2048, allocations
