"""What native decoders say about a damaged file (libtiff's "TIFFFetchNormalTag", libmpg123's
"Trying to resync", Pillow's warnings, FFmpeg's "moov atom not found") never reaches the
terminal: it ends the file's reason in the import report, which names the file and what is wrong
with it."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PIL import Image, TiffImagePlugin

from dam_desktop.cli.main import main
from dam_desktop.core.world import World
from dam_desktop.services.ingest.import_service import import_paths
from tests.media_kind_factory import write_video


def damaged_tiff(path: Path) -> Path:
    """An LZW TIFF whose PlanarConfiguration tag says it has two values (libtiff refuses the
    directory) and whose pixels are cut short (Pillow warns)."""
    info = TiffImagePlugin.ImageFileDirectory_v2()
    info[305] = "a camera's software name, stored out of line"
    Image.new("RGB", (64, 64), (200, 10, 10)).save(path, compression="tiff_lzw", tiffinfo=info)
    data = bytearray(path.read_bytes())
    (ifd,) = struct.unpack_from("<I", data, 4)
    (count,) = struct.unpack_from("<H", data, ifd)
    for entry in range(ifd + 2, ifd + 2 + 12 * count, 12):
        tag, _kind = struct.unpack_from("<HH", data, entry)
        if tag == 305:  # Software: ASCII declared as DOUBLE, its data now past the end
            struct.pack_into("<H", data, entry + 2, 12)
        if tag == 284:  # PlanarConfiguration: one SHORT declared as two
            struct.pack_into("<HI", data, entry + 2, 3, 2)
    path.write_bytes(bytes(data))
    return path


def damaged_mp3(path: Path) -> Path:
    """Three seconds of a tone as MP3 (libsndfile's LAME), a stretch of its frames overwritten."""
    tone = 0.3 * np.sin(2 * np.pi * 440 * np.arange(3 * 44100) / 44100)
    sf.write(path, tone.astype(np.float32), 44100, format="MP3")
    data = bytearray(path.read_bytes())
    middle = len(data) // 3
    data[middle : middle + 3000] = np.random.default_rng(1).integers(0, 256, 3000, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(data))
    return path


def damaged_clips(folder: Path, seconds: float) -> tuple[Path, Path, Path]:
    """A good H.264 clip, the same cut before its moov atom (a copy stopped early), and the same
    with its frames overwritten with noise from a tenth of the way to the moov atom."""
    folder.mkdir()
    good = write_video(folder / "good.mp4", seconds=seconds)
    data = good.read_bytes()
    moov = data.rindex(b"moov") - 4
    assert moov > len(data) // 2, "the test wants a clip whose index comes after its frames"
    cut = folder / "cut.mp4"
    cut.write_bytes(data[: moov // 2])
    noisy = bytearray(data)
    start = len(data) // 10
    noisy[start:moov] = np.random.default_rng(2).integers(0, 256, moov - start, dtype=np.uint8).tobytes()
    garbled = folder / "garbled.mp4"
    garbled.write_bytes(bytes(noisy))
    return good, cut, garbled


@pytest.mark.timeout(240)  # FFmpeg's log once deadlocked an import of two damaged clips: a hang fails
async def test_damaged_clips_say_what_ffmpeg_said_and_nothing_reaches_the_terminal(
    world: World, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    for round_ in range(3):  # each round's good clip is a new one (another length)
        good, cut, garbled = damaged_clips(tmp_path / f"card{round_}", seconds=1.0 + round_ / 2)
        capfd.readouterr()

        report = await import_paths(world, [good, cut, garbled], workers=3)

        printed = capfd.readouterr()
        assert printed.out == "" and printed.err == ""
        assert len(report.imported) == 1 and report.duplicates == 0
        reasons = {Path(failure.path).name: failure.reason for failure in report.failed}
        assert set(reasons) == {"cut.mp4", "garbled.mp4"}
        assert reasons["cut.mp4"] == (
            "corrupt or unreadable MP4 video: invalid data found when processing input"
            " (FFmpeg: moov atom not found)"
        )
        assert reasons["garbled.mp4"].startswith("corrupt or unreadable MP4 video")
        assert "(FFmpeg: " in reasons["garbled.mp4"] and "NAL unit" in reasons["garbled.mp4"]
        assert "moov atom" not in reasons["garbled.mp4"]  # one clip's words are not another's


NATIVE_WORDS = (
    "TIFFFetchNormalTag",
    "resync",
    "Illegal Audio-MPEG-Header",
    "Warning",
    "libmpg123",
    "moov",
    "NAL",
)


async def test_damaged_files_say_why_in_the_report_and_nothing_on_the_terminal(
    world: World, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    tiff = damaged_tiff(tmp_path / "scan.tif")
    mp3 = damaged_mp3(tmp_path / "take.mp3")
    capfd.readouterr()

    report = await import_paths(world, [tiff, mp3])

    printed = capfd.readouterr()
    assert printed.out == "" and printed.err == ""
    reasons = {Path(failure.path).name: failure.reason for failure in report.failed}
    assert reasons["scan.tif"].startswith("corrupt or truncated TIFF image")
    assert 'libtiff: TIFFFetchNormalTag: Incorrect count for "PlanarConfiguration"' in reasons["scan.tif"]
    assert reasons["take.mp3"].startswith("corrupt or unreadable MP3 audio: the audio data is damaged")
    assert "libmpg123: Illegal Audio-MPEG-Header" in reasons["take.mp3"]
    assert "Giving up resync" in reasons["take.mp3"]


def test_the_cli_report_names_each_damaged_file_and_the_terminal_gets_only_the_report(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], library_location: Path | str
) -> None:
    source = tmp_path / "card"
    source.mkdir()
    damaged_tiff(source / "scan.tif")
    damaged_mp3(source / "take.mp3")
    Image.new("RGB", (32, 32), (10, 200, 10)).save(source / "fine.png")
    _, cut, garbled = damaged_clips(tmp_path / "clips", seconds=1.0)
    cut.rename(source / "cut.mp4")
    garbled.rename(source / "garbled.mp4")
    capfd.readouterr()

    status = main(["--library", str(library_location), "import", "--no-process", str(source)])

    printed = capfd.readouterr()
    assert status == 1
    failed = sorted(line.strip() for line in printed.out.splitlines() if line.startswith("  "))
    names = ("cut.mp4", "garbled.mp4", "scan.tif", "take.mp3")
    assert [line.split(": ", 1)[0] for line in failed] == [str(source / name) for name in names]
    assert failed[0].endswith("(FFmpeg: moov atom not found)")
    assert "imported: 1  duplicates: 0  skipped: 0  failed: 4  (of 5 files)" in printed.out
    # The progress line is the terminal's, never a file's note.
    assert not [line for line in failed if "importing" in line], failed
    # stderr holds the progress bar and nothing a decoder said.
    assert not [w for w in NATIVE_WORDS if w in printed.err], printed.err
    assert all(line.startswith("importing ") for line in printed.err.splitlines()), printed.err
