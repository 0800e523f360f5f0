"""Importing files and folders: stored once, described, thumbnailed, deduplicated, reported."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from dam_desktop.core.world import World
from dam_desktop.models.core.pipeline_markers import (
    NeedsAudioProcessingMarker,
    NeedsAutoTaggingMarker,
    NeedsEmbeddingMarker,
    NeedsThumbnailMarker,
)
from dam_desktop.models.files import FileLocationComponent, FilePropertiesComponent
from dam_desktop.models.media import (
    AudioPropertiesComponent,
    ImagePerceptualHashComponent,
    ImagePropertiesComponent,
)
from dam_desktop.services.ingest.import_service import (
    CancelToken,
    ImportProgress,
    ImportRules,
    import_paths,
    read_asset_summaries,
    thumbnail_paths_for,
)
from dam_desktop.services.store.stored_paths import decode_db_path
from tests.import_media_factory import make_jpeg, make_png, make_sound, sha256_of


def _folder(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    make_jpeg(src / "photo.jpg", (120, 80), seed=1)
    make_png(src / "nested" / "deeper" / "icon.png", (30, 20), seed=2, alpha=True)
    make_sound(src / "nested" / "beep.wav")
    return src


async def _all(world: World, component: type[Any]) -> list[Any]:
    async with world.session() as session:
        return list((await session.scalars(select(component))).all())


async def test_copy_import_stores_each_file_once_with_properties_and_thumbnail(
    world: World, tmp_path: Path
) -> None:
    src = _folder(tmp_path)
    report = await import_paths(world, [src])

    assert report.failed == [] and report.skipped == []
    assert len(report.imported) == 3 and report.total_files == 3 and not report.cancelled
    async with world.session() as session:
        summaries = await read_asset_summaries(session, report.imported)
        thumbs = await thumbnail_paths_for(session, world.paths, report.imported)
    by_name = {s.filename: s for s in summaries.values()}
    assert set(by_name) == {"photo.jpg", "icon.png", "beep.wav"}

    photo = by_name["photo.jpg"]
    assert (photo.asset_type, photo.mime_type, photo.width, photo.height) == ("image", "image/jpeg", 120, 80)
    assert photo.sha256_hex == sha256_of(src / "photo.jpg")
    (location,) = photo.locations
    assert location.storage_type == "managed"
    assert location.path == f"files/{photo.sha256_hex[:2]}/{photo.sha256_hex[2:4]}/{photo.sha256_hex}"
    stored = world.paths.root / location.path
    assert stored.read_bytes() == (src / "photo.jpg").read_bytes()
    assert location.source_path == str(src / "photo.jpg")

    beep = by_name["beep.wav"]
    assert beep.asset_type == "audio" and beep.duration_seconds is not None
    assert abs(beep.duration_seconds - 0.5) < 0.01

    for entity_id, thumb in thumbs.items():
        assert thumb.is_file(), summaries[entity_id].filename
        with Image.open(thumb) as picture:
            assert picture.format == "WEBP" and max(picture.size) <= 256

    audio = await _all(world, AudioPropertiesComponent)
    assert [(a.sample_rate, a.channels, a.audio_format) for a in audio] == [(16000, 1, "WAV")]
    assert len(await _all(world, ImagePerceptualHashComponent)) == 2
    assert list(world.paths.tmp_dir.iterdir()) == []


async def test_new_assets_carry_markers_for_the_later_stages(world: World, tmp_path: Path) -> None:
    report = await import_paths(world, [_folder(tmp_path)])
    async with world.session() as session:
        kinds = {
            s.entity_id: s.asset_type for s in (await read_asset_summaries(session, report.imported)).values()
        }
    images = {eid for eid, kind in kinds.items() if kind == "image"}
    sounds = {eid for eid, kind in kinds.items() if kind == "audio"}
    assert {m.entity_id for m in await _all(world, NeedsAutoTaggingMarker)} == images
    assert {m.entity_id for m in await _all(world, NeedsEmbeddingMarker)} == images
    assert {m.entity_id for m in await _all(world, NeedsAudioProcessingMarker)} == sounds
    assert await _all(world, NeedsThumbnailMarker) == []


async def test_importing_the_same_folder_twice_adds_nothing(world: World, tmp_path: Path) -> None:
    src = _folder(tmp_path)
    first = await import_paths(world, [src])
    second = await import_paths(world, [src])
    assert len(first.imported) == 3
    assert second.imported == [] and second.duplicates == 3 and second.failed == []
    assert len(await _all(world, FilePropertiesComponent)) == 3
    assert len(await _all(world, FileLocationComponent)) == 3


async def test_a_known_file_elsewhere_adds_a_location_to_the_existing_asset(
    world: World, tmp_path: Path
) -> None:
    original = make_jpeg(tmp_path / "a" / "one.jpg", seed=5)
    copy = tmp_path / "b" / "same.jpg"
    copy.parent.mkdir()
    copy.write_bytes(original.read_bytes())
    await import_paths(world, [original])
    report = await import_paths(world, [copy], mode="reference")
    assert report.imported == [] and report.duplicates == 1
    locations = await _all(world, FileLocationComponent)
    assert {(loc.storage_type, loc.path) for loc in locations} == {
        ("managed", f"files/{sha256_of(original)[:2]}/{sha256_of(original)[2:4]}/{sha256_of(original)}"),
        ("reference", str(copy)),
    }
    assert len({loc.entity_id for loc in locations}) == 1


async def test_identical_files_in_one_import_make_one_asset(world: World, tmp_path: Path) -> None:
    first = make_png(tmp_path / "src" / "a.png", seed=3)
    (tmp_path / "src" / "b.png").write_bytes(first.read_bytes())
    report = await import_paths(world, [tmp_path / "src"])
    assert len(report.imported) == 1 and report.duplicates == 1
    assert len(await _all(world, FileLocationComponent)) == 1


async def test_reference_mode_keeps_files_where_they_are(world: World, tmp_path: Path) -> None:
    src = _folder(tmp_path)
    report = await import_paths(world, [src], mode="reference")
    assert len(report.imported) == 3
    assert list(world.paths.files_dir.rglob("*")) == [] or all(
        p.is_dir() for p in world.paths.files_dir.rglob("*")
    )
    locations = await _all(world, FileLocationComponent)
    assert {loc.storage_type for loc in locations} == {"reference"}
    assert {Path(decode_db_path(loc.path)) for loc in locations} == {
        src / "photo.jpg",
        src / "nested" / "deeper" / "icon.png",
        src / "nested" / "beep.wav",
    }


async def test_hidden_and_system_files_are_left_out_unless_the_rules_say_otherwise(
    world: World, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    make_png(src / "visible.png", seed=1)
    make_png(src / ".hidden.png", seed=2)
    make_png(src / ".cache" / "inside.png", seed=3)
    make_png(src / "Thumbs.db", seed=4)
    make_png(src / "half.png.part", seed=5)

    report = await import_paths(world, [src])
    assert len(report.imported) == 1 and report.ignored == 4

    everything = ImportRules(skip_hidden=False, skip_patterns=())
    report = await import_paths(world, [src], rules=everything)
    assert len(report.imported) == 4 and report.duplicates == 1


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
async def test_symlink_loops_are_walked_once(world: World, tmp_path: Path) -> None:
    src = tmp_path / "src"
    make_png(src / "a" / "pic.png", seed=1)
    (src / "a" / "back-to-top").symlink_to(src)
    (src / "again").symlink_to(src / "a")
    report = await import_paths(world, [src])
    assert len(report.imported) == 1 and report.failed == []


async def test_progress_is_reported_and_lists_every_new_asset_once(world: World, tmp_path: Path) -> None:
    src = tmp_path / "src"
    for i in range(100):
        make_png(src / f"p{i:03}.png", (8, 8), seed=i)
    calls: list[ImportProgress] = []
    report = await import_paths(world, [src], on_progress=calls.append)

    assert calls[0].done == 0 and calls[0].total == 100
    assert calls[-1].done == 100
    assert [c.done for c in calls] == sorted(c.done for c in calls)
    announced = [eid for c in calls for eid in c.new_entity_ids]
    assert sorted(announced) == sorted(report.imported) and len(announced) == 100
    async with world.session() as session:
        thumbs = await thumbnail_paths_for(session, world.paths, announced)
    assert all(path.is_file() for path in thumbs.values())


async def test_cancel_stops_the_import_and_leaves_what_was_written_consistent(
    world: World, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    for i in range(200):
        make_png(src / f"p{i:03}.png", (8, 8), seed=i)
    token = CancelToken()

    def cancel_after_first_assets(progress: ImportProgress) -> None:
        if progress.new_entity_ids:
            token.cancel()

    report = await import_paths(world, [src], on_progress=cancel_after_first_assets, cancel=token)
    assert report.cancelled
    assert 0 < len(report.imported) < 200
    stored = await _all(world, FileLocationComponent)
    assert len(stored) == len(report.imported)
    assert all((world.paths.root / loc.path).is_file() for loc in stored)

    rest = await import_paths(world, [src])
    assert not rest.cancelled and len(rest.imported) == 200 - len(report.imported)
    assert len(await _all(world, FilePropertiesComponent)) == 200


async def test_image_properties_record_orientation_exif_and_animation(world: World, tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    exif[0x010F] = "Canon"
    exif[0x0110] = "EOS 5D"
    exif[0x0132] = "2021:05:01 12:30:00"
    make_jpeg(tmp_path / "src" / "rotated.jpg", (80, 40), exif=exif.tobytes())
    frames = [Image.new("RGB", (20, 10), (80 * i, 0, 0)) for i in range(3)]
    frames[0].save(tmp_path / "src" / "anim.gif", save_all=True, append_images=frames[1:])

    await import_paths(world, [tmp_path / "src"])
    props = {p.width: p for p in await _all(world, ImagePropertiesComponent)}
    rotated = props[40]
    assert (rotated.width, rotated.height, rotated.exif_orientation) == (40, 80, 6)
    assert (rotated.camera_make, rotated.camera_model) == ("Canon", "EOS 5D")
    assert rotated.exif_datetime is not None and rotated.exif_datetime.year == 2021
    anim = props[20]
    assert anim.is_animated and anim.frame_count == 3


async def test_importing_a_folder_that_holds_the_library_leaves_the_library_alone(
    world: World, library_path: Path
) -> None:
    make_png(library_path.parent / "outside.png", seed=1)
    await import_paths(world, [library_path.parent])
    report = await import_paths(world, [library_path.parent])
    assert report.failed == [] and report.skipped == [] and report.duplicates == 1
    assert len(await _all(world, FilePropertiesComponent)) == 1


async def test_files_inside_the_library_are_not_imported_again(world: World, tmp_path: Path) -> None:
    report = await import_paths(world, [make_png(tmp_path / "a.png", seed=1)])
    async with world.session() as session:
        thumb = (await thumbnail_paths_for(session, world.paths, report.imported))[report.imported[0]]
    report = await import_paths(world, [thumb.parent, world.paths.files_dir])
    assert report.imported == []
    assert [f.reason for f in report.failed] == ["is inside the library itself"] * 2
