"""Find near-duplicate images or sounds, keep the best of each group, and undo that.

Keep-best keeps each group's first member (the largest resolution, then a lossless format, then
the oldest), gives it the tags of the others, and moves the others to the trash, all in one
transaction. The returned `Resolution` holds exactly what changed, so `undo_resolution` puts the
others back and removes only the tag links the resolution created.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from dam_desktop.core.events import WorldChanged
from dam_desktop.core.world import World
from dam_desktop.services.similarity import duplicate_groups
from dam_desktop.services.similarity.duplicate_groups import Member
from dam_desktop.services.store import trash_service
from dam_desktop.services.tags import tag_service
from dam_desktop.services.tags.tag_service import TagEdit

__all__ = [
    "AUDIO_THRESHOLD",
    "IMAGE_THRESHOLD",
    "AssetKind",
    "DuplicateGroup",
    "Member",
    "Resolution",
    "find_duplicates",
    "resolve_keep_best",
    "sound_files",
    "undo_resolution",
]

AssetKind = Literal["image", "audio"]
IMAGE_THRESHOLD = duplicate_groups.DEFAULT_IMAGE_THRESHOLD  # pHash bits
AUDIO_THRESHOLD = round((1.0 - duplicate_groups.DEFAULT_AUDIO_MIN_COSINE) * 100)  # hundredths


@dataclass(frozen=True)
class DuplicateGroup:
    kind: AssetKind
    members: list[Member]  # best first: members[0] is the one keep-best keeps


@dataclass(frozen=True)
class Resolution:
    kept: list[int]
    trashed: list[int]
    tags_added: TagEdit


async def find_duplicates(
    world: World, kind: AssetKind = "image", threshold: int | None = None
) -> list[DuplicateGroup]:
    """Groups of near-duplicates. `threshold`: for images the pHash bits that may differ (default 12,
    each pair confirmed by the wavelet signatures); for sounds how far below 1.0 the fingerprint
    cosine may fall, in hundredths (default 3: 0.97)."""
    async with world.session() as session:
        if kind == "image":
            bits = duplicate_groups.DEFAULT_IMAGE_THRESHOLD if threshold is None else threshold
            groups = await duplicate_groups.image_duplicate_groups(session, bits)
        else:
            cosine = duplicate_groups.DEFAULT_AUDIO_MIN_COSINE if threshold is None else 1.0 - threshold / 100
            groups = await duplicate_groups.audio_duplicate_groups(session, cosine)
    return [DuplicateGroup(kind, members) for members in groups]


async def resolve_keep_best(world: World, groups: Sequence[DuplicateGroup]) -> Resolution:
    """Keep each group's best, merge the others' tags into it, move the others to the trash."""
    kept = [g.members[0].entity_id for g in groups if g.members]
    others = {g.members[0].entity_id: [m.entity_id for m in g.members[1:]] for g in groups if g.members}
    links: list[tuple[int, int, str | None]] = []
    async with world.session() as session:
        tags = await tag_service.tags_of_entities(session, [e for ids in others.values() for e in ids])
        for best, rest in others.items():
            tag_ids = sorted({t.id for e in rest for t in tags.get(e, [])})
            if tag_ids:
                links.extend((await tag_service.add_tag_ids(session, [best], tag_ids)).links)
        moved = await trash_service.move_to_trash(
            session, world.paths, [e for ids in others.values() for e in ids]
        )
        await session.commit()
    resolution = Resolution(kept, moved.entity_ids, TagEdit(tuple(links)))
    if moved.entity_ids:
        world.notify_changed(WorldChanged.of(moved.entity_ids, "trash", removed=True))
    if links:
        world.notify_changed(WorldChanged.of(kept, "tags"))
    return resolution


async def undo_resolution(world: World, resolution: Resolution) -> None:
    """Put the trashed members back and take away the tags the resolution gave the kept ones."""
    async with world.session() as session:
        await tag_service.drop_links(session, resolution.tags_added)
        await trash_service.restore_from_trash(session, world.paths, resolution.trashed)
        await session.commit()
    if resolution.trashed:
        world.notify_changed(WorldChanged.of(resolution.trashed, "trash", added=True))
    if resolution.tags_added.links:
        world.notify_changed(WorldChanged.of(resolution.kept, "tags"))


async def sound_files(world: World, entity_ids: Sequence[int]) -> dict[int, Path]:
    """The readable file of each sound among the ids (the review view plays them)."""
    from dam_desktop.services.store.asset_files import readable_files

    async with world.session() as session:
        files, _ = await readable_files(session, world.paths, list(entity_ids), "audio")
    return files
