"""Bad files each get a reason in the import report, and never stop the import of the good ones."""

from __future__ import annotations

import ctypes
import io
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from dam_desktop.core.world import World
from dam_desktop.services.ingest.import_service import (
    ImportFailure,
    ImportProgress,
    ImportReport,
    import_paths,
    read_asset_summaries,
)
from dam_desktop.services.store.stored_paths import decode_db_path
from tests.import_media_factory import make_jpeg, make_png, make_sound

REPO = Path(__file__).resolve().parents[1]


def _reasons(entries: list[ImportFailure]) -> dict[str, str]:
    return {Path(entry.path).name: entry.reason for entry in entries}


async def _names(world: World, report: ImportReport) -> dict[str, tuple[str, str, str]]:
    async with world.session() as session:
        summaries = await read_asset_summaries(session, report.imported)
    return {s.filename: (s.asset_type, s.mime_type, s.file_extension) for s in summaries.values()}


def _png_claiming_size(path: Path, width: int, height: int) -> Path:
    """A tiny PNG whose header claims `width` x `height` pixels: a decompression bomb's calling card."""
    buffer = io.BytesIO()
    make_png(path, (1, 1))
    data = bytearray(path.read_bytes())
    ihdr = bytes(data[12:29])  # b"IHDR" + 13 bytes of header
    patched = b"IHDR" + struct.pack(">II", width, height) + ihdr[12:]
    data[12:29] = patched
    data[29:33] = struct.pack(">I", zlib.crc32(patched) & 0xFFFFFFFF)
    buffer.write(bytes(data))
    path.write_bytes(buffer.getvalue())
    return path


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
async def test_each_bad_file_gets_a_reason_and_the_good_ones_import(world: World, tmp_path: Path) -> None:
    src = tmp_path / "src"
    make_jpeg(src / "good.jpg", seed=1)
    (src / "empty.png").write_bytes(b"")
    full = make_jpeg(src / "truncated.jpg", (300, 200), seed=2).read_bytes()
    (src / "truncated.jpg").write_bytes(full[: len(full) // 2])
    (src / "garbage.jpg").write_bytes(b"this is not a picture at all" * 20)
    (src / "broken.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEjunkjunkjunk" + b"\x00" * 64)
    _png_claiming_size(src / "bomb.png", 30000, 30000)
    (src / "dangling.png").symlink_to(src / "nowhere.png")

    report = await import_paths(world, [src, tmp_path / "not-there"])

    assert set(await _names(world, report)) == {"good.jpg"}
    reasons = _reasons(report.failed)
    assert reasons["empty.png"] == "empty file (0 bytes)"
    assert reasons["truncated.jpg"].startswith("corrupt or truncated JPEG image")
    assert reasons["garbage.jpg"].startswith("not a valid JPEG image")
    assert reasons["broken.wav"].startswith("corrupt or unreadable WAV audio")
    assert "decompression bomb" in reasons["bomb.png"]
    assert "broken symbolic link" in reasons["dangling.png"]
    assert reasons["not-there"] == "no such file or folder"
    assert len(report.failed) == 7 and report.skipped == []
    assert list(world.paths.tmp_dir.iterdir()) == []


async def test_content_decides_the_type_not_the_extension(world: World, tmp_path: Path) -> None:
    make_png(tmp_path / "actually-a-png.jpg", seed=3)
    make_sound(tmp_path / "sound-named.png", fmt="FLAC")
    make_jpeg(tmp_path / "no-extension", seed=4)
    report = await import_paths(world, [tmp_path])
    assert report.failed == []
    assert await _names(world, report) == {
        "actually-a-png.jpg": ("image", "image/png", "png"),
        "sound-named.png": ("audio", "audio/flac", "flac"),
        "no-extension": ("image", "image/jpeg", "jpg"),
    }


async def test_files_that_are_not_images_or_sounds_are_skipped_not_failed(
    world: World, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("shopping list")
    (tmp_path / "manual.zip").write_bytes(b"PK\x03\x04" + b"0" * 100)
    make_png(tmp_path / "picture.png")
    report = await import_paths(world, [tmp_path])
    assert len(report.imported) == 1 and report.failed == []
    skipped = _reasons(report.skipped)
    assert skipped["manual.zip"] == "unsupported file type: ZIP archive (or an Office document)"
    assert skipped["notes.txt"].startswith("unsupported file type")


async def test_a_file_deleted_during_the_import_is_reported(world: World, tmp_path: Path) -> None:
    for name in ("a.png", "b.png", "c.png"):
        make_png(tmp_path / name, seed=ord(name[0]))

    def delete_b_once_counted(progress: ImportProgress) -> None:
        if progress.done == 0:
            (tmp_path / "b.png").unlink()

    report = await import_paths(world, [tmp_path], on_progress=delete_b_once_counted)
    assert report.total_files == 3 and len(report.imported) == 2
    assert "disappeared" in _reasons(report.failed)["b.png"]


@pytest.mark.skipif(sys.platform in ("darwin", "win32"), reason="file names there are always Unicode")
async def test_a_path_with_non_utf8_bytes_imports_and_prints(world: World, tmp_path: Path) -> None:
    raw_name = b"caf\xe9 \xff.png"
    raw_path = os.fsencode(tmp_path) + b"/" + raw_name
    make_png(Path(os.fsdecode(raw_path)), seed=5)
    (Path(os.fsdecode(os.fsencode(tmp_path) + b"/bad \xfe.txt"))).write_bytes(b"")

    report = await import_paths(world, [tmp_path])

    (entity_id,) = report.imported
    async with world.session() as session:
        summary = (await read_asset_summaries(session, [entity_id]))[entity_id]
    assert summary.filename == "caf\\xe9 \\xff.png"
    assert os.fsencode(decode_db_path(summary.locations[0].source_path or "")) == raw_path
    (failure,) = report.failed
    assert failure.path.endswith("bad \\xfe.txt")
    print(report)  # must not raise
    failure.path.encode("utf-8")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
@pytest.mark.sqlite_only(
    "its command runs without root's file powers, which the test server's socket folder needs"
)
def test_an_unreadable_file_is_reported_as_permission_denied(tmp_path: Path) -> None:
    """The import runs in a child process that cannot read a chmod-000 file.

    Tests often run as root, and root reads any file regardless of its mode. So when we are root,
    the child is started without the two capabilities that let root bypass file permissions
    (CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, dropped from its bounding set before it starts):
    it is then refused exactly as an ordinary user would be.
    """
    src = tmp_path / "src"
    make_png(src / "readable.png", seed=1)
    secret = make_png(src / "secret.png", seed=2)
    secret.chmod(0)

    def drop_root_file_powers() -> None:
        if os.geteuid() != 0:
            return
        libc = ctypes.CDLL(None, use_errno=True)
        pr_capbset_drop, cap_dac_override, cap_dac_read_search = 24, 1, 2
        for capability in (cap_dac_override, cap_dac_read_search):
            if libc.prctl(pr_capbset_drop, capability, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "cannot drop capability")

    library = tmp_path / "library"
    try:
        result = subprocess.run(
            [sys.executable, "-m", "dam_desktop.cli.main", "--library", str(library), "import", str(src)],
            cwd=REPO,
            capture_output=True,
            text=True,
            preexec_fn=drop_root_file_powers,
            timeout=120,
            check=False,
        )
    finally:
        secret.chmod(0o644)
    assert result.returncode == 1, result.stderr
    assert f"{secret}: permission denied: the file cannot be read" in result.stdout
    assert "imported: 1" in result.stdout
