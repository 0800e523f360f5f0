"""`dam-desktop check [--relink FOLDER]` as a user runs it: lines, summary and exit status."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dam_desktop.cli.main import main
from tests.import_media_factory import make_png


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _library(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], location: Path | str
) -> tuple[Path | str, list[Path]]:
    library = location
    files = [make_png(tmp_path / "shoot" / f"img{n}.png", seed=n) for n in range(3)]
    status, _, _ = _run(
        capsys, "--library", str(library), "import", "--mode", "reference", str(tmp_path / "shoot")
    )
    assert status == 0
    return library, files


def _ids_by_name(capsys: pytest.CaptureFixture[str], library: Path | str) -> dict[str, int]:
    status, out, _ = _run(capsys, "--library", str(library), "list")
    assert status == 0
    rows = [line.split("\t") for line in out.splitlines()]
    return {name: int(eid) for eid, _type, name in rows}


def test_a_library_with_every_file_in_place_checks_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], library_location: Path | str
) -> None:
    library, _files = _library(tmp_path, capsys, library_location)
    status, out, err = _run(capsys, "--library", str(library), "check")
    assert status == 0, out + err
    assert out == "checked: 3 assets (3 files)  missing: 0  changed: 0\n"
    assert "checking 3/3 assets" in err


def test_each_missing_or_changed_file_gets_a_line_and_the_status_is_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], library_location: Path | str
) -> None:
    library, files = _library(tmp_path, capsys, library_location)
    ids = _ids_by_name(capsys, library)
    files[0].unlink()
    files[1].write_bytes(b"short")
    status, out, _ = _run(capsys, "--library", str(library), "check")
    assert status == 1
    lines = out.splitlines()
    assert lines[:2] == [
        f"{ids['img0.png']}\tmissing\t{files[0]}\tnot in its folder any more: deleted, renamed or moved",
        f"{ids['img1.png']}\tchanged\t{files[1]}\ta different file is there: 5 bytes now, "
        f"{len(make_png(tmp_path / 'x.png', seed=1).read_bytes()):,} when it was imported "
        "(edited or replaced since)",
    ]
    assert lines[2] == "checked: 3 assets (3 files)  missing: 1  changed: 1"

    status, out, _ = _run(capsys, "--library", str(library), "search", "has:missing-file")
    assert status == 0 and out.split("\t")[0] == str(ids["img0.png"])


def test_relink_finds_the_moved_files_and_then_all_is_well(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], library_location: Path | str
) -> None:
    library, files = _library(tmp_path, capsys, library_location)
    ids = _ids_by_name(capsys, library)
    moved = tmp_path / "new home" / "inner"
    moved.mkdir(parents=True)
    for file in files[:2]:
        shutil.move(file, moved / file.name)
    status, out, _ = _run(capsys, "--library", str(library), "check", "--relink", str(tmp_path / "new home"))
    assert status == 0, out
    lines = out.splitlines()
    assert lines[:2] == [
        f"{ids['img0.png']}\trelinked\t{moved / 'img0.png'}\twas {files[0]}",
        f"{ids['img1.png']}\trelinked\t{moved / 'img1.png'}\twas {files[1]}",
    ]
    assert lines[2] == "checked: 3 assets (3 files)  missing: 0  changed: 0"
    assert lines[3].startswith(f"relinked: 2 from {tmp_path / 'new home'}  not found there: 0")

    status, out, _ = _run(capsys, "--library", str(library), "check")
    assert status == 0 and "missing: 0" in out


def test_relink_that_finds_nothing_leaves_the_missing_lines_and_status_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], library_location: Path | str
) -> None:
    library, files = _library(tmp_path, capsys, library_location)
    files[2].unlink()
    empty = tmp_path / "empty"
    empty.mkdir()
    status, out, _ = _run(capsys, "--library", str(library), "check", "--relink", str(empty))
    assert status == 1
    assert "\tmissing\t" in out.splitlines()[0]
    assert "relinked: 0" in out and "not found there: 1" in out


def test_relink_to_a_folder_that_does_not_exist_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], library_location: Path | str
) -> None:
    library, _files = _library(tmp_path, capsys, library_location)
    status, out, err = _run(capsys, "--library", str(library), "check", "--relink", str(tmp_path / "nope"))
    assert status == 2 and out == ""
    assert err.strip() == f"dam-desktop: not a folder: {tmp_path / 'nope'}"
