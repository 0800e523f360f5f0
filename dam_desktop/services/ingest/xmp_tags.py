"""Tags and marks from XMP at import: each new asset gets its file's keywords (and its sidecar's),
every level of a hierarchical keyword with its parent, and its rating and colour label as marks
(the stars and label a `rating:`/`label:` query and the tiles read; Lightroom's rejected, rating
-1, as the reject flag), in the import's transaction. A label that is none of the library's colours
(a custom "Approved") becomes a tag of that name. A name that cannot be a tag, or a parent that
would make a cycle, is left out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.models.marks import LABELS, MAX_RATING
from dam_desktop.services.marks.marks_service import write_marks
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


def _marks(facts: XmpFacts) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if facts.rating is not None and facts.rating > 0:
        values["rating"] = min(facts.rating, MAX_RATING)
    elif facts.rating is not None and facts.rating < 0:
        values["flag"] = "reject"
    if facts.label and facts.label.strip().lower() in LABELS:
        values["label"] = facts.label.strip().lower()
    return values


def _names(facts: XmpFacts) -> tuple[list[str], list[tuple[str, str]]]:
    names, parents = tag_names(facts)
    if facts.label and facts.label.strip().lower() not in LABELS:
        names.append(facts.label)
    return names, parents


async def apply_xmp_tags(session: AsyncSession, assets: Sequence[tuple[int, XmpFacts]]) -> None:
    by_marks: dict[tuple[tuple[str, Any], ...], list[int]] = {}
    for entity_id, facts in assets:
        if values := _marks(facts):
            by_marks.setdefault(tuple(sorted(values.items())), []).append(entity_id)
    for values_key, entity_ids in by_marks.items():
        await write_marks(session, entity_ids, dict(values_key))
    tagged = [(entity_id, *_names(facts)) for entity_id, facts in assets if facts]
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
