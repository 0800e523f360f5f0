"""Tags from XMP at import: each new asset gets its file's keywords (and its sidecar's), every
level of a hierarchical keyword with its parent, `rating:N` and `label:NAME`, in the import's
transaction. A name that cannot be a tag, or a parent that would make a cycle, is left out."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.services.media.xmp import XmpFacts, tag_names
from dam_desktop.services.tags.tag_concepts import get_or_create_tag_concepts
from dam_desktop.services.tags.tag_hierarchy import add_parent
from dam_desktop.services.tags.tag_links import add_tag_ids
from dam_desktop.services.tags.tag_types import TagCycleError, TagNameError, normalize_tag_name


def _usable(names: Sequence[str]) -> list[str]:
    usable: list[str] = []
    for name in names:
        try:
            usable.append(normalize_tag_name(name))
        except TagNameError:
            continue
    return usable


async def apply_xmp_tags(session: AsyncSession, assets: Sequence[tuple[int, XmpFacts]]) -> None:
    tagged = [(entity_id, *tag_names(facts)) for entity_id, facts in assets if facts]
    if not tagged:
        return
    everything = {name for _, names, _ in tagged for name in _usable(names)}
    ids = await get_or_create_tag_concepts(session, everything)
    by_tags: dict[tuple[int, ...], list[int]] = {}
    edges: set[tuple[int, int]] = set()
    for entity_id, names, parents in tagged:
        tag_ids = tuple(sorted({ids[n] for n in _usable(names) if n in ids}))
        by_tags.setdefault(tag_ids, []).append(entity_id)
        for child, parent in parents:
            pair = _usable([child, parent])
            if len(pair) == 2 and pair[0] != pair[1]:
                edges.add((ids[pair[0]], ids[pair[1]]))
    for tag_ids, entity_ids in by_tags.items():
        if tag_ids:
            await add_tag_ids(session, entity_ids, tag_ids)
    for child_id, parent_id in sorted(edges):
        try:
            await add_parent(session, child_id, parent_id)
        except TagCycleError:
            continue
