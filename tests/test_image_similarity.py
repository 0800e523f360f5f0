"""Find similar on an image with no model weights: the wavelet signature made by the pipeline.

Real wallpapers and their near-copies (tests/wallpaper_fixtures.py) share a library with a few
sounds. Each copy's nearest image, once the copy's own sibling copies are set aside (they are
near-copies of the same picture too), is its original; answers are images only, and the result
and the CLI say that the wavelet signature ranked them.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PIL import Image

from dam_desktop.cli.main import main
from dam_desktop.core.stages import SystemStage
from dam_desktop.services.similarity.wavelet_signature import (
    SignatureMatrix,
    compute_signature,
    from_bytes,
    similarities,
    to_bytes,
)
from dam_desktop.use_cases.similarity import WAVELET_METHOD, find_similar, prepare_similarity
from dam_desktop.world_setup import open_world
from tests.wallpaper_fixtures import (
    COPIES,
    WALLPAPERS,
    WallpaperLibrary,
    build_wallpaper_library,
    wallpaper_names,
    wallpaper_of,
)

SOUNDS = 4


@pytest.fixture
def mixed_library(tmp_path: Path, library_location: Path | str) -> WallpaperLibrary:
    return build_wallpaper_library(tmp_path, library_location, sounds=SOUNDS)


@pytest.fixture
def undescribed_library(tmp_path: Path, library_location: Path | str) -> WallpaperLibrary:
    return build_wallpaper_library(tmp_path, library_location, sounds=SOUNDS, describe=False)


def _sibling(filename: str, wallpaper: str) -> bool:
    """A near-copy of `wallpaper` (not the original)."""
    return wallpaper_of(filename) == wallpaper and filename != f"{wallpaper}.jpg"


def _count(db_path: Path, sql: str) -> int:
    with sqlite3.connect(db_path) as conn:
        return int(conn.execute(sql).fetchone()[0])


async def test_each_copys_nearest_image_is_its_original_by_the_wavelet_signature(
    mixed_library: WallpaperLibrary,
) -> None:
    ids = mixed_library.ids
    names = {eid: name for name, eid in ids.items()}
    world = await open_world(mixed_library.path)
    try:
        await prepare_similarity(world)
        for wallpaper in wallpaper_names():
            for kind in COPIES:
                results = await find_similar(world, ids[f"{wallpaper}.{kind}.jpg"], limit=200)
                assert results.method == WAVELET_METHOD and results.query_type == "image"
                assert results.method_label == "wavelet signature (no model weights)"
                assert {h.asset_type for h in results.hits} == {"image"}
                others = [h for h in results.hits if not _sibling(names[h.entity_id], wallpaper)]
                assert names[others[0].entity_id] == f"{wallpaper}.jpg", (wallpaper, kind)
                # Every other wallpaper ranks below the original.
                assert all(wallpaper_of(names[h.entity_id]) != wallpaper for h in others[1:])
    finally:
        await world.close()


@pytest.mark.sqlite_only("counts the markers in the library's SQLite file directly")
async def test_the_pipeline_describes_every_image_and_finishes_the_other_assets(
    undescribed_library: WallpaperLibrary,
) -> None:
    images = len(wallpaper_names()) * (1 + len(COPIES))
    world = await open_world(undescribed_library.path)
    try:
        db = world.paths.db_path
        assert _count(db, "SELECT count(*) FROM component_marker_needs_image_descriptor") == images
        stage = await world.execute_stage(SystemStage.IMAGE_DESCRIPTORS)
        assert not stage.failed
        assert _count(db, "SELECT count(*) FROM component_marker_needs_image_descriptor") == 0
        assert _count(db, "SELECT count(*) FROM component_image_wavelet_signature") == images
    finally:
        await world.close()


@pytest.mark.sqlite_only("downgrades the library's SQLite file with alembic to an old revision")
async def test_an_old_library_gets_signatures_for_its_images_through_the_pipeline(
    wallpaper_library: WallpaperLibrary,
) -> None:
    """A library from before the descriptor: the migration marks its images, the stage describes them."""
    world = await open_world(wallpaper_library.path)
    db = world.paths.db_path
    await world.close()
    from alembic import command

    from dam_desktop.core.migrations import alembic_config

    command.downgrade(alembic_config(db), "0013_soundprint_v2")  # the migrations' own way back
    images = len(wallpaper_names()) * (1 + len(COPIES))
    world = await open_world(wallpaper_library.path)
    try:
        assert _count(db, "SELECT count(*) FROM component_marker_needs_image_descriptor") == images
        await prepare_similarity(world)
        assert _count(db, "SELECT count(*) FROM component_image_wavelet_signature") == images
        names = {eid: name for name, eid in wallpaper_library.ids.items()}
        results = await find_similar(world, wallpaper_library.ids["debian-emerald.crop5.jpg"])
        others = [h for h in results.hits if not _sibling(names[h.entity_id], "debian-emerald")]
        assert names[others[0].entity_id] == "debian-emerald.jpg"
    finally:
        await world.close()


def test_cli_similar_names_the_method_and_lists_only_images(
    mixed_library: WallpaperLibrary, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = mixed_library.ids["gnome-truchet-l.q60.jpg"]
    assert main(["--library", str(mixed_library.path), "similar", str(copy), "--limit", "100"]) == 0
    captured = capsys.readouterr()
    rows = [line.split("\t") for line in captured.out.splitlines()]
    assert "similar by: wavelet signature (no model weights)" in captured.err
    assert len(rows) == len(mixed_library.ids) - SOUNDS - 1
    assert {row[2] for row in rows} == {"image"} and {row[4] for row in rows} == {WAVELET_METHOD}
    assert {row[3] for row in rows[:4]} == {
        f"gnome-truchet-l{s}.jpg" for s in ("", ".half", ".crop5", ".colour")
    }


def test_signature_survives_storage_and_scores_itself_one() -> None:
    image = Image.open(WALLPAPERS / "debian-lines.jpg")
    signature = compute_signature(image)
    again = from_bytes(to_bytes(signature))
    matrix = SignatureMatrix.of([to_bytes(signature), to_bytes(compute_signature(image.rotate(90)))])
    scores = similarities(again, matrix)
    assert scores[0] == pytest.approx(1.0) and scores[1] < 0.5
