"""What Write Tags to Sidecars writes for each asset, read from the library in a few queries.

- Keywords (`dc:subject`): the asset's tags. The `rating:N` and `label:NAME` tags an XMP import
  made are not keywords: they stand for the rating and label when the asset has no marks.
- Hierarchies (`lr:hierarchicalSubject`): for each tag with parents, every path from a root to it
  ("places|europe|paris"); a path that is the start of a longer one is left out, as Lightroom does.
- Rating and label: the asset's marks (services/marks), when it has any; a rejected, unrated
  asset is rated -1, as Lightroom writes it.
- Where: each referenced original's path, whether the managed copy exists, its name and hash.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.library import STORAGE_MANAGED
from dam_desktop.models.files import (
    ContentHashSHA256Component,
    FileLocationComponent,
    FilePropertiesComponent,
    TrashedComponent,
)
from dam_desktop.models.marks import LABELS, MAX_RATING
from dam_desktop.services.marks.marks_service import marks_of
from dam_desktop.services.media.xmp_write import SidecarFacts
from dam_desktop.services.store.stored_paths import decode_db_path
from dam_desktop.services.tags.tag_hierarchy import parent_edges
from dam_desktop.services.tags.tag_links import tags_of_entities
from dam_desktop.services.tags.tag_sql import CONCEPT, PARENT, fetch_rows

RATING_TAG = re.compile(rf"rating:([0-{MAX_RATING}])$")
LABEL_TAG = re.compile(rf"label:({'|'.join(LABELS)})$")
# A tag under many parents has many paths; beyond this many, the sidecar would be noise.
MAX_PATHS_PER_TAG = 8


@dataclass(frozen=True)
class SidecarAsset:
    entity_id: int
    name: str  # the original file name
    sha256_hex: str
    originals: tuple[Path, ...]  # where its referenced originals are (none: only in the store)
    facts: SidecarFacts


async def live_asset_ids(session: AsyncSession) -> list[int]:
    """Every asset in the library (not in its trash), in id order."""
    props = FilePropertiesComponent
    trashed = select(TrashedComponent.id).where(TrashedComponent.entity_id == props.entity_id).exists()
    return [
        int(i)
        for i in await session.scalars(select(props.entity_id).where(~trashed).order_by(props.entity_id))
    ]


def _paths_to(tag: int, edges: dict[int, list[int]], names: dict[int, str]) -> list[tuple[str, ...]]:
    """Every root -> ... -> tag path of names (a cycle, which the tag service refuses, ends a path)."""
    paths: list[tuple[str, ...]] = []
    stack: list[tuple[int, tuple[int, ...]]] = [(tag, (tag,))]
    while stack and len(paths) < MAX_PATHS_PER_TAG:
        node, chain = stack.pop()
        parents = [p for p in edges.get(node, []) if p not in chain]
        if not parents:
            paths.append(tuple(names.get(i, "") for i in reversed(chain)))
        stack.extend((parent, (*chain, parent)) for parent in sorted(parents, reverse=True))
    return [p for p in paths if all(p) and not any("|" in level for level in p)]


def _without_prefixes(paths: list[tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
    unique = sorted(set(paths))
    return tuple(p for p in unique if not any(len(o) > len(p) and o[: len(p)] == p for o in unique))


Hierarchy = tuple[dict[int, list[int]], dict[int, str]]  # child -> parents, and the tags' names


async def tag_hierarchy(session: AsyncSession) -> Hierarchy:
    """Every parent link and the names of the tags in them (read once for all the batches)."""
    edges = await parent_edges(session)
    if not edges:
        return edges, {}
    rows = await fetch_rows(
        session,
        f"SELECT c.entity_id, c.tag_name FROM {CONCEPT} c WHERE c.entity_id IN"
        f" (SELECT entity_id FROM {PARENT} UNION SELECT parent_tag_entity_id FROM {PARENT})",
    )
    return edges, {int(i): str(name) for i, name in rows}


async def sidecar_assets(
    session: AsyncSession, entity_ids: Sequence[int], hierarchy: Hierarchy | None = None
) -> list[SidecarAsset]:
    """The live assets among `entity_ids` with what their sidecars should say, in the given order."""
    ids = list(dict.fromkeys(int(i) for i in entity_ids))
    loc, props, sha = FileLocationComponent, FilePropertiesComponent, ContentHashSHA256Component
    rows = (
        await session.execute(
            select(loc.entity_id, loc.storage_type, loc.path, props.original_filename, sha.hash_value)
            .join(props, props.entity_id == loc.entity_id)
            .join(sha, sha.entity_id == loc.entity_id)
            .where(loc.entity_id.in_(ids))
            .where(~select(TrashedComponent.id).where(TrashedComponent.entity_id == loc.entity_id).exists())
            .order_by(loc.entity_id, loc.id)
        )
    ).all()
    where: dict[int, tuple[str, str, list[Path]]] = {}
    for entity_id, storage_type, stored, name, digest in rows:
        _, _, originals = where.setdefault(int(entity_id), (str(name), bytes(digest).hex(), []))
        if storage_type != STORAGE_MANAGED:
            originals.append(Path(decode_db_path(stored)))
    tags = await tags_of_entities(session, list(where))
    marks = await marks_of(session, list(where))
    edges, names = hierarchy if hierarchy is not None else await tag_hierarchy(session)
    assets: list[SidecarAsset] = []
    for entity_id in ids:
        if entity_id not in where:
            continue
        name, sha_hex, originals = where[entity_id]
        keywords: list[str] = []
        paths: list[tuple[str, ...]] = []
        rating, label = 0, None
        for tag in tags.get(entity_id, []):
            if found := RATING_TAG.match(tag.name):
                rating = rating or int(found.group(1))
            elif found := LABEL_TAG.match(tag.name):
                label = label or found.group(1)
            else:
                keywords.append(tag.name)
                if tag.id in edges:
                    paths.extend(_paths_to(tag.id, edges, names))
        mark = marks.get(entity_id)
        if mark is not None:
            # Lightroom's "rejected" is a rating of -1, as the import reads it.
            rating = -1 if mark.flag == "reject" and not mark.rating else mark.rating
            label = mark.label
        facts = SidecarFacts(
            tuple(keywords),
            _without_prefixes(paths),
            rating,
            label,
            has_marks=mark is not None or bool(rating or label),
        )
        assets.append(SidecarAsset(entity_id, name, sha_hex, tuple(dict.fromkeys(originals)), facts))
    return assets
