"""Write Tags to Sidecars: the library's tags, hierarchy, rating and label reach `.xmp` sidecars
that exiftool (as digiKam, darktable and Lightroom would) reads back, beside referenced originals
or in the library's `sidecars` folder; originals are never touched, and other fields survive."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from dam_desktop.cli.main import main
from dam_desktop.core.world import World
from dam_desktop.services.ingest.import_service import import_paths
from dam_desktop.use_cases.marks import MarkChanges, marks_of, set_marks
from dam_desktop.use_cases.sidecars import FAILED, UNCHANGED, WRITTEN, write_sidecars
from dam_desktop.use_cases.tags import add_parent, add_tags
from tests.media_kind_factory import picture

EXIFTOOL = shutil.which("exiftool")
needs_exiftool = pytest.mark.skipif(
    EXIFTOOL is None, reason="exiftool (libimage-exiftool-perl) is not installed"
)


def read_with_exiftool(*paths: Path) -> dict[str, dict[str, object]]:
    assert EXIFTOOL is not None
    out = subprocess.run(
        [
            EXIFTOOL,
            "-j",
            "-XMP:Subject",
            "-XMP:HierarchicalSubject",
            "-XMP:Rating",
            "-XMP:Label",
            "-XMP-photoshop:City",
            *map(str, paths),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {Path(entry.pop("SourceFile")).name: entry for entry in json.loads(out)}


def listed(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


def fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def shoot(folder: Path, *names: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for step, name in enumerate(names):
        picture((160, 120), step).save(folder / name, quality=90)
        paths.append(folder / name)
    return paths


@needs_exiftool
async def test_sidecars_we_write_are_read_by_exiftool_and_originals_stay_untouched(
    world: World, tmp_path: Path
) -> None:
    beach, city = shoot(tmp_path / "card", "beach.jpg", "city.jpg")
    (stored,) = shoot(tmp_path / "inbox", "logo.png")
    before = {p: fingerprint(p) for p in (beach, city, stored)}
    referenced = await import_paths(world, [beach, city], mode="reference")
    copied = await import_paths(world, [stored])
    beach_id, city_id = referenced.imported
    (stored_id,) = copied.imported
    await add_tags(world, [beach_id], ["sea", "summer"])
    await add_tags(world, [city_id], ["paris", "night"])
    await add_tags(world, [stored_id], ["brand"])
    await add_parent(world, "paris", "europe")
    await add_parent(world, "europe", "places")
    await set_marks(world, [beach_id], MarkChanges(rating=4, label="red"))

    report = await write_sidecars(world)

    assert [r.status for r in report.results] == [WRITTEN, WRITTEN, WRITTEN]
    store_sidecar = (
        Path(world.paths.root)
        / "sidecars"
        / f"logo-{hashlib.sha256(stored.read_bytes()).hexdigest()[:8]}.png.xmp"
    )
    assert {r.path for r in report.results} == {
        beach.with_name("beach.jpg.xmp"),
        city.with_name("city.jpg.xmp"),
        store_sidecar,
    }
    seen = read_with_exiftool(beach.with_name("beach.jpg.xmp"), city.with_name("city.jpg.xmp"), store_sidecar)
    assert seen["beach.jpg.xmp"] == {"Subject": ["sea", "summer"], "Rating": 4, "Label": "Red"}
    assert seen["city.jpg.xmp"] == {
        "Subject": ["night", "paris"],
        "HierarchicalSubject": "places|europe|paris",
    }
    assert seen[store_sidecar.name] == {"Subject": "brand"}
    assert {p: fingerprint(p) for p in (beach, city, stored)} == before
    assert sorted(p.name for p in beach.parent.iterdir()) == [
        "beach.jpg",
        "beach.jpg.xmp",
        "city.jpg",
        "city.jpg.xmp",
    ]

    again = await write_sidecars(world)
    assert [r.status for r in again.results] == [UNCHANGED] * 3


@needs_exiftool
async def test_an_exiftool_sidecar_keeps_its_other_fields_and_loses_removed_keywords(
    world: World, tmp_path: Path
) -> None:
    (photo,) = shoot(tmp_path / "card", "portrait.jpg")
    sidecar = photo.with_name("portrait.jpg.xmp")
    assert EXIFTOOL is not None
    subprocess.run(
        [
            EXIFTOOL,
            "-q",
            "-o",
            str(sidecar),
            "-XMP-dc:Subject=studio",
            "-XMP-dc:Subject=draft",
            "-XMP-photoshop:City=Lyon",
            "-XMP-xmp:Rating=2",
            str(photo),
        ],
        check=True,
        capture_output=True,
    )
    (entity_id,) = (await import_paths(world, [photo], mode="reference")).imported
    from dam_desktop.use_cases.tags import remove_tag_ids, tags_of_selection

    draft = next(t for t in (await tags_of_selection(world, [entity_id])).all if t.name == "draft")
    await remove_tag_ids(world, [entity_id], [draft.id])
    await add_tags(world, [entity_id], ["portrait"])

    report = await write_sidecars(world, [entity_id])

    assert [(r.status, r.detail) for r in report.results] == [(WRITTEN, "+portrait, -draft")]
    assert read_with_exiftool(sidecar)["portrait.jpg.xmp"] == {
        "Subject": ["portrait", "studio"],
        "Rating": 2,
        "City": "Lyon",
    }


def test_cli_dry_run_lists_what_would_be_written_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], library_location: Path | str
) -> None:
    red, blue = shoot(tmp_path / "card", "red.jpg", "blue.jpg")
    library = ["--library", str(library_location)]
    assert main([*library, "import", "--mode", "reference", "--no-process", str(red), str(blue)]) == 0
    assert main([*library, "tag", "add", "--query", "name:red", "warm"]) == 0
    capsys.readouterr()

    assert main([*library, "xmp", "write", "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split("\t")[1:] == ["would write", str(red.with_name("red.jpg.xmp")), "+warm"]
    assert out[-1] == "would write 1 sidecar for 2 assets; 1 already up to date; 0 failed"
    assert sorted(p.name for p in red.parent.iterdir()) == ["blue.jpg", "red.jpg"]

    # A query may start with "-", as for `search`: the assets that are not warm.
    assert main([*library, "xmp", "write", "--dry-run", "-warm"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "would write 0 sidecars for 1 asset; 1 already up to date; 0 failed"
    ]

    assert main([*library, "xmp", "write", "warm"]) == 0
    assert (
        capsys.readouterr().out.splitlines()[-1]
        == "wrote 1 sidecar for 1 asset; 0 already up to date; 0 failed"
    )
    assert red.with_name("red.jpg.xmp").is_file() and not blue.with_name("blue.jpg.xmp").exists()


def test_cli_names_each_sidecar_it_could_not_write_and_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], library_location: Path | str
) -> None:
    gone, broken, fine = shoot(tmp_path / "card", "gone.jpg", "broken.jpg", "fine.jpg")
    library = ["--library", str(library_location)]
    assert main([*library, "import", "--mode", "reference", "--no-process", str(tmp_path / "card")]) == 0
    assert main([*library, "tag", "add", "--query", "type:image", "kept"]) == 0
    gone.unlink()
    damaged = "<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF"
    broken.with_name("broken.jpg.xmp").write_text(damaged)
    capsys.readouterr()

    assert main([*library, "xmp", "write"]) == 1
    captured = capsys.readouterr()
    errors = sorted(captured.err.splitlines())
    assert errors[0].startswith(
        f"dam-desktop: cannot write {broken}.xmp: the existing sidecar holds no complete XMP packet"
    )
    assert (
        errors[1] == f"dam-desktop: cannot write {gone}.xmp: the original is gone: {gone} (moved or deleted?)"
    )
    assert captured.out.splitlines()[-1] == "wrote 1 sidecar for 3 assets; 0 already up to date; 2 failed"
    assert broken.with_name("broken.jpg.xmp").read_text() == damaged
    assert fine.with_name("fine.jpg.xmp").is_file()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a folder its user cannot write")
async def test_a_read_only_folder_is_a_reason_not_an_error(world: World, tmp_path: Path) -> None:
    (photo,) = shoot(tmp_path / "locked", "a.jpg")
    (entity_id,) = (await import_paths(world, [photo], mode="reference")).imported
    await add_tags(world, [entity_id], ["x"])
    photo.parent.chmod(0o555)
    try:
        report = await write_sidecars(world)
    finally:
        photo.parent.chmod(0o755)
    assert [(r.status, r.detail) for r in report.results] == [
        (FAILED, f"cannot write in {photo.parent}: permission denied (a read-only folder?)")
    ]
    assert sorted(p.name for p in photo.parent.iterdir()) == ["a.jpg"]


async def test_our_sidecars_bring_the_same_tags_into_another_library(
    world: World, tmp_path: Path, library_path: Path
) -> None:
    (photo,) = shoot(tmp_path / "card", "tree.jpg")
    (entity_id,) = (await import_paths(world, [photo], mode="reference")).imported
    await add_tags(world, [entity_id], ["oak", "autumn"])
    await add_parent(world, "oak", "trees")
    await set_marks(world, [entity_id], MarkChanges(rating=5))
    await write_sidecars(world)

    from dam_desktop.world_setup import open_world

    other = await open_world(tmp_path / "other-library")
    try:
        (imported,) = (await import_paths(other, [photo], mode="reference")).imported
        from dam_desktop.use_cases.tags import tags_of_selection

        names = {t.name for t in (await tags_of_selection(other, [imported])).all}
        marks = await marks_of(other, [imported])
    finally:
        await other.close()
    assert names == {"oak", "autumn", "trees"}
    assert marks[imported].rating == 5
