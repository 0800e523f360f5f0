"""Thumbnails and waveforms: made during the import, and remade by the thumbnail stage when needed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PIL import Image
from sqlalchemy import select

from dam_desktop.core.stages import SystemStage
from dam_desktop.core.world import World
from dam_desktop.models.core.pipeline_markers import NeedsThumbnailMarker
from dam_desktop.models.media import AudioPropertiesComponent, ImagePerceptualHashComponent
from dam_desktop.services.ingest.import_service import import_paths, read_asset_summaries, thumbnail_paths_for
from dam_desktop.services.media.media_probe import draft_box
from dam_desktop.services.media.thumbnail_service import request_thumbnails
from dam_desktop.utils.media_utils import hamming_distance
from tests.import_media_factory import make_jpeg, make_png, make_sound, sha256_of


async def _thumbnail(world: World, entity_id: int) -> Path:
    async with world.session() as session:
        return (await thumbnail_paths_for(session, world.paths, [entity_id]))[entity_id]


async def _import_one(world: World, path: Path) -> int:
    report = await import_paths(world, [path])
    assert report.failed == [], report.failed
    (entity_id,) = report.imported
    return entity_id


async def _markers(world: World) -> list[NeedsThumbnailMarker]:
    async with world.session() as session:
        return list((await session.scalars(select(NeedsThumbnailMarker))).all())


async def test_a_large_jpeg_gets_a_256_pixel_webp_thumbnail(world: World, tmp_path: Path) -> None:
    entity_id = await _import_one(world, make_jpeg(tmp_path / "big.jpg", (2400, 1600), seed=7))
    with Image.open(await _thumbnail(world, entity_id)) as thumb:
        assert thumb.format == "WEBP"
        assert thumb.size == (256, 171)


async def test_a_small_photo_is_decoded_at_half_size_and_looks_like_a_full_decode(
    world: World, tmp_path: Path
) -> None:
    """A 640x480 JPEG's thumbnail comes from the decoder's half-size output (the box keeps the
    photo's aspect ratio) and matches a shrink of the full-size decode to the eye."""
    smooth = Image.radial_gradient("L").resize((640, 480)).convert("RGB")
    path = tmp_path / "photo.jpg"
    smooth.save(path, "JPEG", quality=92)
    with Image.open(path) as probe:
        probe.draft("RGB", draft_box(probe.size))
        assert probe.size == (320, 240)
        reference = Image.open(path).convert("RGB")
        reference.thumbnail((256, 256), Image.Resampling.LANCZOS)
    entity_id = await _import_one(world, path)
    with Image.open(await _thumbnail(world, entity_id)) as thumb:
        assert thumb.size == (256, 192)
        difference = np.abs(np.asarray(thumb.convert("RGB"), float) - np.asarray(reference, float))
    assert difference.mean() < 3.0


async def test_thumbnail_follows_the_exif_rotation(world: World, tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    entity_id = await _import_one(world, make_jpeg(tmp_path / "r.jpg", (400, 200), exif=exif.tobytes()))
    with Image.open(await _thumbnail(world, entity_id)) as thumb:
        assert thumb.size == (128, 256)


async def test_thumbnail_keeps_transparency(world: World, tmp_path: Path) -> None:
    pixels = np.zeros((300, 300, 4), dtype=np.uint8)
    pixels[100:200, 100:200] = (255, 0, 0, 255)
    Image.fromarray(pixels, "RGBA").save(tmp_path / "sprite.png")
    entity_id = await _import_one(world, tmp_path / "sprite.png")
    with Image.open(await _thumbnail(world, entity_id)) as thumb:
        assert thumb.mode == "RGBA"
        assert thumb.getpixel((0, 0))[3] == 0  # type: ignore[index]
        assert thumb.getpixel((128, 128))[3] == 255  # type: ignore[index]


@pytest.mark.parametrize(
    ("name", "fmt", "subtype"),
    [
        ("s.png", "PNG", None),
        ("s.gif", "GIF", None),
        ("s.webp", "WEBP", None),
        ("s.bmp", "BMP", None),
        ("s.tiff", "TIFF", None),
    ],
)
async def test_every_image_format_gets_a_thumbnail(
    world: World, tmp_path: Path, name: str, fmt: str, subtype: None
) -> None:
    Image.new("RGB", (300, 150), (10, 200, 30)).save(tmp_path / name, fmt)
    entity_id = await _import_one(world, tmp_path / name)
    with Image.open(await _thumbnail(world, entity_id)) as thumb:
        assert thumb.size == (256, 128)


@pytest.mark.parametrize(
    ("name", "fmt", "subtype", "reported"),
    [
        ("s.wav", "WAV", "PCM_16", "WAV"),
        ("s.flac", "FLAC", None, "FLAC"),
        ("s.ogg", "OGG", "VORBIS", "OGG"),
        ("s.opus", "OGG", "OPUS", "OGG"),
        ("s.mp3", "MP3", None, "MP3"),
    ],
)
async def test_every_sound_format_gets_a_waveform_and_properties(
    world: World, tmp_path: Path, name: str, fmt: str, subtype: str | None, reported: str
) -> None:
    rate = 48000 if subtype == "OPUS" else 44100
    path = make_sound(tmp_path / name, seconds=1.0, rate=rate, channels=2, fmt=fmt, subtype=subtype)
    entity_id = await _import_one(world, path)
    async with world.session() as session:
        audio = (await session.scalars(select(AudioPropertiesComponent))).one()
    assert (audio.audio_format, audio.channels, audio.sample_rate) == (reported, 2, rate)
    assert abs(audio.duration_seconds - 1.0) < 0.1
    with Image.open(await _thumbnail(world, entity_id)) as thumb:
        assert thumb.size == (256, 128)
        # A steady tone at half volume fills most of the picture's height once scaled to its peak.
        column = np.asarray(thumb.convert("RGB"))[:, 128]
        lit = np.flatnonzero(column[:, 2] > 200)
        assert lit.min() < 20 and lit.max() > 107


def _scene(path: Path, size: int, shift: int) -> Path:
    """A smooth picture (a gradient and a disc) like a photo, not noise."""
    y, x = np.mgrid[0:size, 0:size] / size
    disc = ((x - 0.3 - shift / 10) ** 2 + (y - 0.6) ** 2) < 0.05
    red = (x * 255).astype(np.uint8)
    green = (y * 200).astype(np.uint8)
    blue = np.where(disc, 255, 40).astype(np.uint8)
    Image.fromarray(np.dstack([red, green, blue]), "RGB").save(path)
    return path


async def test_near_identical_images_have_close_perceptual_hashes(world: World, tmp_path: Path) -> None:
    _scene(tmp_path / "original.png", 512, 0)
    with Image.open(tmp_path / "original.png") as image:
        image.resize((200, 200)).save(tmp_path / "smaller.jpg", quality=70)
    with Image.open(_scene(tmp_path / "different.png", 512, 5)) as image:
        image.transpose(Image.Transpose.ROTATE_90).save(tmp_path / "different.png")
    report = await import_paths(world, [tmp_path])
    assert len(report.imported) == 3
    async with world.session() as session:
        summaries = await read_asset_summaries(session, report.imported)
        rows = (await session.scalars(select(ImagePerceptualHashComponent))).all()
    by_name = {summaries[row.entity_id].filename: row for row in rows}
    original, smaller, different = by_name["original.png"], by_name["smaller.jpg"], by_name["different.png"]
    assert hamming_distance(original.phash, smaller.phash) <= 6
    assert hamming_distance(original.dhash, smaller.dhash) <= 6
    assert hamming_distance(original.phash, different.phash) > 16


async def test_thumbnail_stage_remakes_a_thumbnail_marked_for_regeneration(
    world: World, tmp_path: Path
) -> None:
    entity_id = await _import_one(world, make_png(tmp_path / "p.png", (100, 100), seed=1))
    thumb = await _thumbnail(world, entity_id)
    thumb.unlink()
    async with world.session() as session:
        await request_thumbnails(session, [entity_id])
        await session.commit()

    report = await world.execute_stage(SystemStage.THUMBNAIL_GENERATION)
    assert report.failed == {}
    assert thumb.is_file()
    assert await _markers(world) == []


async def test_a_thumbnail_that_cannot_be_written_during_import_is_made_by_the_stage_later(
    world: World, tmp_path: Path
) -> None:
    source = make_png(tmp_path / "p.png", (100, 100), seed=2)
    sha = sha256_of(source)
    blocker = world.paths.thumbnails_dir / sha[:2]
    blocker.write_bytes(b"a file where the thumbnail folder should be")

    report = await import_paths(world, [source])
    (entity_id,) = report.imported
    assert report.thumbnails_pending == [entity_id]
    # The import gave the thumbnail stage a turn; it could not write either, and said why.
    (marker,) = await _markers(world)
    assert marker.entity_id == entity_id and marker.attempts == 1
    assert marker.last_error is not None and marker.last_error.startswith("could not write the thumbnail")

    blocker.unlink()
    stage = await world.execute_stage(SystemStage.THUMBNAIL_GENERATION)
    assert stage.failed == {}
    assert (await _thumbnail(world, entity_id)).is_file()
    assert await _markers(world) == []


async def test_thumbnail_stage_records_why_a_missing_file_cannot_be_thumbnailed(
    world: World, tmp_path: Path
) -> None:
    source = make_sound(tmp_path / "gone.wav")
    report = await import_paths(world, [source], mode="reference")
    (entity_id,) = report.imported
    source.unlink()
    async with world.session() as session:
        await request_thumbnails(session, [entity_id])
        await session.commit()

    stage = await world.execute_stage(SystemStage.THUMBNAIL_GENERATION)
    assert "file is missing" in stage.failed[entity_id]
    (marker,) = await _markers(world)
    assert marker.attempts == 1 and marker.last_error is not None and "gone.wav" in marker.last_error


def test_this_libsndfile_reads_every_sound_format_the_import_promises() -> None:
    formats = sf.available_formats()
    assert {"WAV", "FLAC", "OGG", "MP3"} <= set(formats)
    assert {"VORBIS", "OPUS"} <= set(sf.available_subtypes("OGG"))
