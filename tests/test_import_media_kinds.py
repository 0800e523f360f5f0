"""Video, more audio, HEIC, camera RAW, SVG, PDF and fonts import from real files with a real
thumbnail and the properties a person looks for; queries find them by kind, length, artist and BPM."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from dam_desktop.core.world import World
from dam_desktop.services.ingest.import_service import import_paths, thumbnail_paths_for
from dam_desktop.use_cases.library import asset_details
from dam_desktop.use_cases.search import search_ids
from tests.media_kind_factory import (
    ADWAITA_ICON,
    DEJAVU_SANS,
    write_dng,
    write_heic,
    write_pdf,
    write_sound,
    write_video,
)

EXIFTOOL = shutil.which("exiftool")


def _make_folder(folder: Path) -> None:
    folder.mkdir()
    write_video(folder / "clip.mp4", "libx264", size=(320, 240), seconds=2.0, audio_codec="aac")
    write_video(folder / "drone.webm", "libvpx-vp9", size=(256, 144), seconds=1.5, audio_codec="libopus")
    write_sound(
        folder / "song.m4a", "aac", tags={"title": "Harbour", "artist": "Nina Kraus", "genre": "Jazz"}
    )
    write_sound(
        folder / "loop.opus", "libopus", tags={"title": "Loop 128", "artist": "Bo", "BPM": "128"}, seconds=1.0
    )
    write_heic(folder / "phone.heic", (400, 300))
    write_dng(folder / "card.dng", (512, 384))
    write_pdf(folder / "notes.pdf", pages=3, title="Field notes")
    shutil.copy(DEJAVU_SANS, folder / DEJAVU_SANS.name)
    shutil.copy(ADWAITA_ICON, folder / "icon.svg")


def _busy(path: Path) -> float:
    with Image.open(path) as image:
        assert image.format == "WEBP"
        return float(np.asarray(image.convert("L"), dtype=np.float32).std())


@pytest.mark.usefixtures("qapp")  # SVG text needs Qt's fonts: the application the window has
async def test_every_kind_imports_with_a_thumbnail_and_its_properties(world: World, tmp_path: Path) -> None:
    folder = tmp_path / "card"
    _make_folder(folder)
    report = await import_paths(world, [folder])
    assert report.failed == [] and report.skipped == [], (report.failed, report.skipped)
    assert len(report.imported) == 9
    details = {}
    for entity_id in report.imported:
        shown = await asset_details(world, entity_id)
        assert shown is not None
        details[shown.filename] = shown
    async with world.session() as session:
        thumbs = await thumbnail_paths_for(session, world.paths, report.imported)

    clip = details["clip.mp4"]
    assert (clip.asset_type, clip.mime_type, clip.width, clip.height) == ("video", "video/mp4", 320, 240)
    assert clip.duration_seconds == pytest.approx(2.0, abs=0.1)
    assert (clip.video_codec, clip.audio_codec, clip.frame_rate) == ("h264", "aac", 24.0)
    # The clip opens on black; its poster is a frame of the scene.
    assert _busy(thumbs[clip.entity_id]) > 20
    webm = details["drone.webm"]
    assert (webm.asset_type, webm.video_codec, webm.audio_codec) == ("video", "vp9", "opus")
    assert (webm.width, webm.height) == (256, 144)

    song = details["song.m4a"]
    assert (song.asset_type, song.sample_rate, song.channels) == ("audio", 48000, 2)
    assert song.audio_tags == {"Title": "Harbour", "Artist": "Nina Kraus", "Genre": "Jazz"}
    loop = details["loop.opus"]
    assert loop.audio_tags["BPM"] == "128" and loop.duration_seconds == pytest.approx(1.0, abs=0.05)

    phone = details["phone.heic"]
    assert (phone.asset_type, phone.mime_type, phone.width, phone.height) == ("image", "image/heic", 400, 300)
    raw = details["card.dng"]
    assert (raw.asset_type, raw.width, raw.height, raw.camera) == ("image", 512, 384, "Testcam DNG-1")
    assert raw.taken_at is not None and raw.taken_at.year == 2024
    pdf = details["notes.pdf"]
    assert (pdf.asset_type, pdf.page_count, pdf.document_title) == ("document", 3, "Field notes")
    font = details["DejaVuSans.ttf"]
    assert (font.asset_type, font.document_title) == ("font", "DejaVu Sans Book")
    icon = details["icon.svg"]
    assert (icon.asset_type, icon.mime_type, icon.width, icon.height) == ("image", "image/svg+xml", 16, 16)

    for name, shown in details.items():
        assert _busy(thumbs[shown.entity_id]) > 5, name  # a real picture, not a blank tile

    by_name = {name: shown.entity_id for name, shown in details.items()}
    assert set(await search_ids(world, "type:video")) == {by_name["clip.mp4"], by_name["drone.webm"]}
    assert set(await search_ids(world, "duration:>1.8")) == {by_name["clip.mp4"]}
    assert set(await search_ids(world, "type:audio bpm:>120")) == {by_name["loop.opus"]}
    assert set(await search_ids(world, 'artist:"nina"')) == {by_name["song.m4a"]}
    assert set(await search_ids(world, "type:document | type:font")) == {
        by_name["notes.pdf"],
        by_name["DejaVuSans.ttf"],
    }


@pytest.mark.usefixtures("qapp")
async def test_a_damaged_file_of_each_new_kind_gets_its_own_reason(world: World, tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    write_video(folder / "whole.mp4", seconds=1.0)
    (folder / "cut.mp4").write_bytes((folder / "whole.mp4").read_bytes()[:600])
    (folder / "whole.mp4").unlink()
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n" + b"\x00" * 200)
    (folder / "broken.ttf").write_bytes(b"\x00\x01\x00\x00" + b"\xff" * 100)
    (folder / "broken.svg").write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'><rect")
    (folder / "broken.dng").write_bytes(b"II*\x00" + b"\x00" * 100)
    report = await import_paths(world, [folder])
    assert report.imported == []
    reasons = {Path(f.path).name: f.reason for f in report.failed}
    assert set(reasons) == {"cut.mp4", "broken.pdf", "broken.ttf", "broken.svg", "broken.dng"}
    assert reasons["cut.mp4"].startswith("corrupt or unreadable MP4 video")
    assert reasons["broken.pdf"].startswith("corrupt or unreadable PDF document")
    assert reasons["broken.ttf"].startswith("corrupt or unreadable font")
    assert reasons["broken.svg"].startswith("corrupt or unreadable SVG image")
    assert reasons["broken.dng"].startswith("corrupt or unreadable camera RAW image")


async def test_an_mp4_holding_only_sound_is_a_sound(world: World, tmp_path: Path) -> None:
    path = write_sound(tmp_path / "podcast.mp4", "aac", container_format="mp4")
    report = await import_paths(world, [path])
    assert len(report.imported) == 1
    shown = await asset_details(world, report.imported[0])
    assert shown is not None and shown.asset_type == "audio" and shown.sample_rate == 48000


@pytest.mark.skipif(EXIFTOOL is None, reason="exiftool (libimage-exiftool-perl) is not installed")
async def test_metadata_written_by_exiftool_is_read(world: World, tmp_path: Path) -> None:
    """Dates and cameras as other software writes them: exiftool sets a clip's QuickTime creation
    date and a DNG's camera and date."""
    clip = write_video(tmp_path / "holiday.mp4", seconds=1.0)
    raw = write_dng(tmp_path / "frame.dng", (256, 192))
    assert EXIFTOOL is not None
    subprocess.run(
        [EXIFTOOL, "-q", "-overwrite_original", "-QuickTime:CreateDate=2023:07:14 10:20:30", str(clip)],
        check=True,
    )
    subprocess.run(
        [
            EXIFTOOL,
            "-q",
            "-overwrite_original",
            "-Make=Pentax",
            "-Model=K-3 Mark III",
            "-DateTimeOriginal=2022:01:02 03:04:05",
            str(raw),
        ],
        check=True,
    )
    report = await import_paths(world, [clip, raw])
    assert report.failed == []
    shown = {d.filename: d for d in [await asset_details(world, e) for e in report.imported] if d}
    assert shown["holiday.mp4"].taken_at is not None
    assert shown["holiday.mp4"].taken_at.isoformat() == "2023-07-14T10:20:30"
    assert shown["frame.dng"].camera == "Pentax K-3 Mark III"
    assert shown["frame.dng"].taken_at is not None and shown["frame.dng"].taken_at.year == 2022


async def test_a_camcorder_transport_stream_is_a_video_and_typescript_is_not(
    world: World, tmp_path: Path
) -> None:
    clip = write_video(tmp_path / "00012.mts", seconds=1.0, container_format="mpegts")
    (tmp_path / "app.ts").write_text("export const greeting: string = 'hello';\n")
    report = await import_paths(world, [clip, tmp_path / "app.ts"])
    assert len(report.imported) == 1 and report.failed == []
    shown = await asset_details(world, report.imported[0])
    assert shown is not None
    assert (shown.asset_type, shown.mime_type, shown.width, shown.height) == ("video", "video/mp2t", 320, 240)
    assert shown.duration_seconds == pytest.approx(1.0, abs=0.1)
    assert [Path(s.path).name for s in report.skipped] == ["app.ts"]
