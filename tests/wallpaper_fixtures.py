"""A library of real wallpapers and their near-copies (tests/fixtures/wallpapers, see its NOTICE).

GNOME's light and dark "licorice" are the same design in two colourings: different wallpapers
whose pHashes are 10 bits apart, which a duplicate finder must keep apart. Each wallpaper gets
four near-copies the way libraries collect them: resized to half, re-encoded
as JPEG quality 60, cropped by 5%, and a small colour shift. A few synthesized sounds join them,
so a test can see that an image query never answers with sounds.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from dam_desktop.core.stages import SystemStage
from dam_desktop.models.files import FilePropertiesComponent
from dam_desktop.services.ingest.import_service import import_paths
from dam_desktop.world_setup import open_world
from tests.audio_synthesis import write_sounds
from tests.near_copies import COPIES, near_copy

WALLPAPERS = Path(__file__).parent / "fixtures" / "wallpapers"


def wallpaper_names() -> list[str]:
    return sorted(p.stem for p in WALLPAPERS.glob("*.jpg"))


def wallpaper_of(filename: str) -> str:
    return filename.split(".")[0]


@dataclass(frozen=True)
class WallpaperLibrary:
    path: Path | str  # the folder, or on the PostgreSQL pass the shared library's URL
    ids: dict[str, int]  # file name -> entity id


def write_wallpapers(folder: Path) -> tuple[Path, Path]:
    """Originals (re-saved at quality 92) and their near-copies, in two folders under `folder`."""
    originals, copies = folder / "originals", folder / "copies"
    originals.mkdir(parents=True)
    copies.mkdir()
    for source in sorted(WALLPAPERS.glob("*.jpg")):
        image = Image.open(source).convert("RGB")
        image.save(originals / source.name, quality=92)
        for kind in COPIES:
            near_copy(image, kind).save(copies / f"{source.stem}.{kind}.jpg", quality=92)
    return originals, copies


def build_wallpaper_library(
    tmp_path: Path, location: Path | str, *, sounds: int = 0, describe: bool = True
) -> WallpaperLibrary:
    """Import the wallpapers, their copies and `sounds` sounds into the library at `location` (the
    `library_location` fixture); `describe` runs the image-descriptor stage after, as the window's
    background work would."""
    originals, copies = write_wallpapers(tmp_path)
    folders = [originals, copies]
    if sounds:
        folders.append(tmp_path / "sounds")
        write_sounds(folders[-1], count=sounds)
    library = WallpaperLibrary(location, {})

    async def build() -> dict[str, int]:
        world = await open_world(library.path)
        try:
            for folder in folders:
                assert not (await import_paths(world, [folder])).failed
            if describe:
                assert not (await world.execute_stage(SystemStage.IMAGE_DESCRIPTORS)).failed
            async with world.session() as session:
                rows = await session.execute(
                    select(FilePropertiesComponent.original_filename, FilePropertiesComponent.entity_id)
                )
                return {name: eid for name, eid in rows.all()}
        finally:
            await world.close()

    library.ids.update(asyncio.run(build()))
    return library


@pytest.fixture
def wallpaper_library(tmp_path: Path, library_location: Path | str) -> WallpaperLibrary:
    return build_wallpaper_library(tmp_path, library_location)
