"""Keywords, hierarchies, rating and label in XMP become tags at import: written by exiftool into
a sidecar (darktable's `photo.jpg.xmp`, Lightroom's `photo.xmp`) and embedded in the file."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from dam_desktop.core.world import World
from dam_desktop.services.ingest.import_service import import_paths
from dam_desktop.use_cases.marks import marks_of
from dam_desktop.use_cases.search import search_ids
from tests.media_kind_factory import picture, write_dng

EXIFTOOL = shutil.which("exiftool")
pytestmark = pytest.mark.skipif(EXIFTOOL is None, reason="exiftool (libimage-exiftool-perl) is not installed")


async def tags_of(world: World, entity_ids: list[int]) -> dict[int, set[str]]:
    from dam_desktop.services.tags.tag_links import tags_of_entities

    async with world.session() as session:
        found = await tags_of_entities(session, entity_ids)
    return {e: {t.name for t in found.get(e, [])} for e in entity_ids}


def exiftool(*args: str) -> None:
    assert EXIFTOOL is not None
    subprocess.run([EXIFTOOL, "-q", "-overwrite_original", *args], check=True, capture_output=True)


async def test_sidecar_and_embedded_keywords_become_tags(world: World, tmp_path: Path) -> None:
    folder = tmp_path / "shoot"
    folder.mkdir()
    jpeg = folder / "beach.jpg"
    picture((320, 240), 2).save(jpeg, quality=90)
    exiftool("-XMP-dc:Subject=sea", "-XMP-dc:Subject=summer", "-XMP-xmp:Rating=4", str(jpeg))
    raw = write_dng(folder / "IMG_0042.dng", (256, 192))
    # darktable's sidecar beside the RAW, written by exiftool from nothing.
    exiftool(
        "-o",
        str(folder / "IMG_0042.dng.xmp"),
        "-XMP-dc:Subject=paris",
        "-XMP-lr:HierarchicalSubject=Places|Europe|Paris",
        "-XMP-xmp:Label=Red",
        str(raw),
    )
    report = await import_paths(world, [folder])
    assert report.failed == [] and report.skipped == [] and len(report.imported) == 2

    by_name = await tags_of(world, report.imported)
    assert sorted(by_name.values(), key=len) == [
        {"sea", "summer"},
        {"paris", "places", "europe"},
    ]
    # The rating and the label are marks: the stars and the label a query and the tiles read.
    jpeg_id = next(e for e, names in by_name.items() if "sea" in names)
    dng_id = next(e for e, names in by_name.items() if "paris" in names)
    assert list(await search_ids(world, "rating:4")) == [jpeg_id]
    assert list(await search_ids(world, "label:red")) == [dng_id]
    marks = await marks_of(world, report.imported)
    assert {(m.rating, m.label) for m in marks.values()} == {(4, None), (0, "red")}
    # The hierarchy's levels are parents: searching a parent finds the child's asset.
    raw_id = next(e for e, names in by_name.items() if "paris" in names)
    assert list(await search_ids(world, "places")) == [raw_id]


async def test_exiftools_lightroom_sidecar_and_a_broken_packet(world: World, tmp_path: Path) -> None:
    photo = tmp_path / "portrait.jpg"
    picture((200, 150), 4).save(photo, quality=90)
    exiftool("-o", str(tmp_path / "portrait.xmp"), "-XMP-dc:Subject=studio", str(photo))
    broken = tmp_path / "broken.jpg"
    picture((200, 150), 6).save(broken, quality=90)
    (tmp_path / "broken.jpg.xmp").write_text("<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF")
    report = await import_paths(world, [photo, broken])
    assert report.failed == [] and len(report.imported) == 2
    tags = await tags_of(world, report.imported)
    assert sorted(sorted(tags[e]) for e in report.imported) == [[], ["studio"]]


async def test_a_lightroom_reject_is_flagged_and_a_custom_label_becomes_a_tag(
    world: World, tmp_path: Path
) -> None:
    photo = tmp_path / "outtake.jpg"
    picture((200, 150), 8).save(photo, quality=90)
    exiftool(
        "-o", str(tmp_path / "outtake.jpg.xmp"), "-XMP-xmp:Rating=-1", "-XMP-xmp:Label=Approved", str(photo)
    )
    (entity_id,) = (await import_paths(world, [photo], mode="reference")).imported
    marks = (await marks_of(world, [entity_id]))[entity_id]
    assert (marks.rating, marks.flag, marks.label) == (0, "reject", None)
    assert (await tags_of(world, [entity_id]))[entity_id] == {"approved"}
    assert list(await search_ids(world, "flag:reject")) == [entity_id]

    # Written back, the reject is Lightroom's rating of -1 again.
    from dam_desktop.use_cases.sidecars import write_sidecars

    await write_sidecars(world, [entity_id])
    from dam_desktop.services.media.xmp import sidecar_xmp

    back = sidecar_xmp(str(photo))
    assert (back.rating, back.keywords) == (-1, ("approved",))
