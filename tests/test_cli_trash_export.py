"""`trash`, `restore`, `empty-trash`, `export` and `show --sha256`, as a user runs them."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from dam_desktop.cli.main import main
from tests.import_media_factory import make_png, make_sound


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def library(tmp_path: Path, capsys: pytest.CaptureFixture[str], library_location: Path | str) -> Path | str:
    src = tmp_path / "src"
    make_png(src / "red.png", seed=1)
    make_png(src / "blue.png", seed=2)
    make_sound(src / "kick.wav")
    library = library_location
    status, out, err = _run(capsys, "--library", str(library), "import", str(src))
    assert status == 0, out + err
    return library


def _names(capsys: pytest.CaptureFixture[str], library: Path | str, *extra: str) -> dict[str, int]:
    status, out, _ = _run(capsys, "--library", str(library), "list", *extra)
    assert status == 0
    return {line.split("\t")[2]: int(line.split("\t")[0]) for line in out.splitlines()}


def test_trash_restore_and_empty_trash_move_assets_and_their_stored_copies(
    library: Path | str, capsys: pytest.CaptureFixture[str], library_path: Path
) -> None:
    ids = _names(capsys, library)
    red, kick = ids["red.png"], ids["kick.wav"]
    stored = [p for p in (library_path / "files").rglob("*") if p.is_file()]
    assert len(stored) == 3

    status, out, err = _run(capsys, "--library", str(library), "trash", str(red), str(kick))
    assert status == 0, err
    assert out == "moved 2 assets to the trash (2 stored copies)\n"
    assert set(_names(capsys, library)) == {"blue.png"}
    assert set(_names(capsys, library, "--trash")) == {"red.png", "kick.wav"}
    assert sum(1 for p in (library_path / "files").rglob("*") if p.is_file()) == 1

    status, out, err = _run(capsys, "--library", str(library), "trash", str(red), "9999")
    assert status == 1
    assert out == "moved 0 assets to the trash (0 stored copies)\n"
    assert f"already in the trash: {red}" in err and "no asset with id 9999" in err

    status, out, _ = _run(capsys, "--library", str(library), "restore", str(red))
    assert status == 0 and out == "restored 1 asset (1 stored copy)\n"
    assert set(_names(capsys, library)) == {"blue.png", "red.png"}

    status, _, err = _run(capsys, "--library", str(library), "empty-trash")
    assert status == 2 and "add --yes" in err  # not a terminal: nobody to ask
    assert set(_names(capsys, library, "--trash")) == {"kick.wav"}

    status, out, _ = _run(capsys, "--library", str(library), "empty-trash", "--yes")
    assert status == 0 and out == "deleted 1 asset permanently (1 stored copy)\n"
    assert _names(capsys, library, "--trash") == {}
    status, _, err = _run(capsys, "--library", str(library), "show", str(kick))
    assert status == 1 and f"no asset with id {kick}" in err
    assert sum(1 for p in (library_path / "files").rglob("*") if p.is_file()) == 2


def test_restore_without_ids_says_what_to_give(
    library: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = _run(capsys, "--library", str(library), "restore")
    assert status == 2 and out == ""
    assert err == "dam-desktop: name the trashed assets to restore by id (`list --trash` lists them)\n"


def test_export_copies_files_by_id_or_query_without_overwriting(
    library: Path | str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = _names(capsys, library)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    status, out, _ = _run(
        capsys, "--library", str(library), "export", str(ids["red.png"]), "--to", str(out_dir)
    )
    assert status == 0
    assert out.splitlines() == [str(out_dir / "red.png"), f"exported 1 file to {out_dir}"]
    assert (out_dir / "red.png").read_bytes() == (tmp_path / "src" / "red.png").read_bytes()

    status, out, _ = _run(
        capsys, "--library", str(library), "export", "--query", "type:image", "--to", str(out_dir)
    )
    assert status == 0
    assert sorted(p.name for p in out_dir.iterdir()) == ["blue.png", "red (2).png", "red.png"]

    status, _, err = _run(capsys, "--library", str(library), "export", "--query", "((", "--to", str(out_dir))
    assert status == 2 and err.startswith("dam-desktop: query error at position")
    status, _, err = _run(capsys, "--library", str(library), "export", "1", "--to", str(tmp_path / "nowhere"))
    assert status == 2 and err == f"dam-desktop: not a folder: {tmp_path / 'nowhere'}\n"
    status, _, err = _run(capsys, "--library", str(library), "export", "4242", "--to", str(out_dir))
    assert status == 1 and "no asset with id 4242" in err


def test_show_finds_an_asset_by_the_sha256_of_its_content(
    library: Path | str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    digest = hashlib.sha256((tmp_path / "src" / "blue.png").read_bytes()).hexdigest()
    status, out, _ = _run(capsys, "--library", str(library), "show", "--sha256", digest.upper())
    assert status == 0
    assert "  original_filename  blue.png" in out.splitlines()

    status, _, err = _run(capsys, "--library", str(library), "show", "--sha256", "0" * 64)
    assert status == 1 and err == f"dam-desktop: no asset with SHA-256 {'0' * 64}\n"
    status, _, err = _run(capsys, "--library", str(library), "show", "--sha256", "xyz")
    assert status == 2 and "64 hex digits" in err
    status, _, err = _run(capsys, "--library", str(library), "show")
    assert status == 2 and "either an asset id or --sha256" in err
