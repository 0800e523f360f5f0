"""`dam-desktop import`, `list` and `show` as a user runs them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from dam_desktop.cli.main import main
from dam_desktop.models.files import TrashedComponent
from dam_desktop.services import ecs_service
from dam_desktop.world_setup import open_world
from tests.import_media_factory import make_jpeg, make_png, make_sound


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _source(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    make_jpeg(src / "photo.jpg", seed=1)
    make_png(src / "art" / "tab\tname.png", seed=2)
    make_sound(src / "sounds" / "kick.flac", fmt="FLAC")
    return src


def test_import_prints_progress_and_a_summary_and_succeeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], library_location: Path | str
) -> None:
    library = library_location
    status, out, err = _run(capsys, "--library", str(library), "import", str(_source(tmp_path)))
    assert status == 0, out + err
    assert "imported: 3  duplicates: 0  skipped: 0  failed: 0  (of 3 files)" in out
    assert "importing 0/3 files" in err and "importing 3/3 files" in err and "100%" in err

    status, out, _ = _run(capsys, "--library", str(library), "import", str(tmp_path / "src"))
    assert status == 0 and "imported: 0  duplicates: 3" in out


def test_import_lists_each_failure_and_exits_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], library_location: Path | str
) -> None:
    src = _source(tmp_path)
    (src / "broken.jpg").write_bytes(b"not really a jpeg")
    (src / "readme.txt").write_text("hello")
    status, out, _ = _run(capsys, "--library", str(library_location), "import", str(src))
    assert status == 1
    assert "imported: 3  duplicates: 0  skipped: 1  failed: 1" in out
    assert f"failed:\n  {src / 'broken.jpg'}: not a valid JPEG image" in out
    assert f"skipped:\n  {src / 'readme.txt'}: unsupported file type" in out


def test_reference_mode_indexes_files_in_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], library_location: Path | str, library_path: Path
) -> None:
    library = library_location
    status, _, _ = _run(
        capsys, "--library", str(library), "import", "--mode", "reference", str(_source(tmp_path))
    )
    assert status == 0
    assert not any(p.is_file() for p in (library_path / "files").rglob("*"))
    _, listing, _ = _run(capsys, "--library", str(library), "list")
    photo_id = _listed(listing)["photo.jpg"][0]
    status, out, _ = _run(capsys, "--library", str(library), "show", str(photo_id))
    assert "storage_type  reference" in out and str(tmp_path / "src") in out


def _listed(out: str) -> dict[str, tuple[int, str]]:
    rows = [line.split("\t") for line in out.splitlines()]
    assert all(len(row) == 3 for row in rows), out
    return {name: (int(eid), kind) for eid, kind, name in rows}


def test_list_prints_one_asset_per_line_and_leaves_out_trash_and_non_assets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], library_location: Path | str
) -> None:
    library = library_location
    _run(capsys, "--library", str(library), "import", str(_source(tmp_path)))
    status, out, _ = _run(capsys, "--library", str(library), "list")
    assert status == 0
    listed = _listed(out)
    assert {name: kind for name, (_, kind) in listed.items()} == {
        "tab\\tname.png": "image",
        "photo.jpg": "image",
        "kick.flac": "audio",
    }
    assert [eid for eid, _ in listed.values()] == sorted(eid for eid, _ in listed.values())

    async def trash_the_photo_and_add_a_bare_entity() -> None:
        world = await open_world(library)
        async with world.session() as session:
            await ecs_service.create_entities(session, 1)  # a tag concept, say: not an asset
            await ecs_service.add_component_to_entity(session, listed["photo.jpg"][0], TrashedComponent())
            await session.commit()
        await world.close()

    asyncio.run(trash_the_photo_and_add_a_bare_entity())
    status, out, _ = _run(capsys, "--library", str(library), "list")
    assert set(_listed(out)) == {"tab\\tname.png", "kick.flac"}
    status, out, _ = _run(capsys, "--library", str(library), "list", "--type", "audio")
    assert set(_listed(out)) == {"kick.flac"}


def test_show_prints_the_components_of_an_asset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], library_location: Path | str
) -> None:
    library = library_location
    _run(capsys, "--library", str(library), "import", str(_source(tmp_path)))
    _, listing, _ = _run(capsys, "--library", str(library), "list")
    kick_id = _listed(listing)["kick.flac"][0]
    status, out, _ = _run(capsys, "--library", str(library), "show", str(kick_id))
    assert status == 0
    lines = out.splitlines()
    assert lines[0].startswith(f"entity {kick_id}  added ")
    for expected in (
        "FilePropertiesComponent",
        "  original_filename  kick.flac",
        "  asset_type         audio",
        "AudioPropertiesComponent",
        "  audio_format      FLAC",
        "ContentHashSHA256Component",
        "AudioEmbeddingSoundprintV2Dim128Component",  # the import ran the pipeline: fingerprinted
    ):
        assert expected in lines, expected

    status, _, err = _run(capsys, "--library", str(library), "show", "99")
    assert status == 1 and "no asset with id 99" in err
