"""Still images in every format this Pillow decodes are imported, known by their content, each
with a thumbnail; formats without a signature count only under their own names."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from dam_desktop.core.world import World
from dam_desktop.services.browse.asset_summary import read_asset_summaries
from dam_desktop.services.ingest.import_service import import_paths, thumbnail_paths_for
from tests.image_format_factory import FORMATS


async def test_every_still_image_format_imports_with_its_name_and_a_thumbnail(
    world: World, tmp_path: Path
) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    for name, (write, _) in FORMATS.items():
        write(folder / name)
    report = await import_paths(world, [folder])
    assert report.failed == [] and report.skipped == [], (report.failed, report.skipped)
    assert len(report.imported) == len(FORMATS)
    async with world.session() as session:
        summaries = await read_asset_summaries(session, report.imported)
        thumbs = await thumbnail_paths_for(session, world.paths, report.imported)
    by_name = {s.filename: (eid, s) for eid, s in summaries.items()}
    for name, (_, mime_type) in FORMATS.items():
        entity_id, summary = by_name[name]
        assert summary.asset_type == "image", name
        with Image.open(thumbs[entity_id]) as thumb:
            assert thumb.format == "WEBP" and max(thumb.size) >= 16, name
        assert summary.mime_type == mime_type, name


async def test_a_signatureless_format_is_known_only_under_its_own_name(world: World, tmp_path: Path) -> None:
    write, _ = FORMATS["texture.tga"]
    write(tmp_path / "texture.tga")
    (tmp_path / "texture.bin").write_bytes((tmp_path / "texture.tga").read_bytes())
    (tmp_path / "broken.tga").write_bytes(b"\x00\x07\x63" + b"\x00" * 40)
    report = await import_paths(
        world, [tmp_path / "texture.tga", tmp_path / "texture.bin", tmp_path / "broken.tga"]
    )
    assert len(report.imported) == 1
    reasons = {Path(f.path).name: f.reason for f in report.failed + report.skipped}
    assert "is not an image, sound, video, PDF or font" in reasons["texture.bin"]
    assert reasons["broken.tga"].startswith("not a valid TGA image")


@pytest.mark.parametrize("name", ["layers.psd", "intro.flc"])
async def test_formats_once_misreported_are_named_by_their_content(
    world: World, tmp_path: Path, name: str
) -> None:
    """A PSD was refused as 'Photoshop document', and an FLC reported as a corrupt MP3."""
    write, _ = FORMATS[name]
    write(tmp_path / name)
    report = await import_paths(world, [tmp_path / name])
    assert report.failed == [] and len(report.imported) == 1
