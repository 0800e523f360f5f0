"""Groups of near-duplicate assets: images by perceptual hash, sounds by their fingerprint.

Images: every pair whose 64-bit pHash differs in at most `threshold` bits (multi-index hashing,
`hash_index.near_pairs`), confirmed by the wavelet signatures where both images have one, joined
into groups (connected components). Sounds: every pair whose
`soundprint-v2` cosine is at least `min_cosine`, by a blocked matrix product over the fingerprint
matrix (sounds are far fewer than images; 100k × 128 floats is one 50 MB matrix). Trashed assets
take no part. Each group lists its members best first (`keep_best_order`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt
from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.models.core.entity import Entity
from dam_desktop.models.files import FilePropertiesComponent, TrashedComponent
from dam_desktop.models.media.audio_properties_component import AudioPropertiesComponent
from dam_desktop.models.media.image_properties_component import ImagePropertiesComponent
from dam_desktop.models.media.perceptual_hash_component import ImagePerceptualHashComponent
from dam_desktop.models.media.wavelet_signature_component import ImageWaveletSignatureComponent
from dam_desktop.models.semantic.audio_embedding_component import (
    DEFAULT_AUDIO_EMBEDDING_MODEL,
    get_audio_embedding_component_class,
)
from dam_desktop.services.semantic.vector_index import bytes_to_vector, normalise_rows
from dam_desktop.services.similarity.hash_index import Pairs, near_pairs
from dam_desktop.services.similarity.wavelet_signature import SignatureMatrix, pair_similarities

# Bits of 64. Measured on 22 Debian and GNOME wallpapers (scripts/build_wallpaper_corpus.py) with
# half-size, JPEG q60, 5%-cropped and colour-shifted copies: a copy is 0-12 bits from its original,
# but GNOME's light and dark "licorice" are 10 apart, and "grid" 12. pHash alone cannot split those.
DEFAULT_IMAGE_THRESHOLD = 12
# The wavelet signatures (`wavelet_signature.pair_similarities`) of a pHash pair must agree this much:
# on the same corpus every pair of one wallpaper's pictures scored 0.17 or more, while the closest
# pair of different wallpapers within 16 bits (licorice light and dark) scored 0.055.
MIN_SIGNATURE_SIMILARITY = 0.1
DEFAULT_AUDIO_MIN_COSINE = 0.97
LOSSLESS_EXTENSIONS = frozenset({"png", "bmp", "tif", "tiff", "gif", "flac", "wav", "aif", "aiff", "qoi"})
BLOCK_ROWS = 4096


@dataclass(frozen=True)
class Member:
    """One asset of a group, with what the review view shows and the keep-best rule weighs."""

    entity_id: int
    filename: str
    extension: str
    size_bytes: int
    width: int  # pixels; for a sound, its sample rate
    height: int  # pixels; for a sound, its channel count
    added: datetime

    @property
    def resolution(self) -> int:
        return self.width * self.height

    @property
    def lossless(self) -> bool:
        return self.extension.lower() in LOSSLESS_EXTENSIONS


def keep_best_order(members: Iterable[Member]) -> list[Member]:
    """Best first: the largest resolution, then a lossless format, then the oldest, then the lowest id."""
    return sorted(members, key=lambda m: (-m.resolution, not m.lossless, m.added, m.entity_id))


def connected_groups(left: npt.NDArray[np.int64], right: npt.NDArray[np.int64]) -> list[list[int]]:
    """Connected components of the pair graph (union-find), as lists of positions."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for x in list(parent):
        groups.setdefault(root(x), []).append(x)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])


def _to_uint64(values: Iterable[int]) -> npt.NDArray[np.uint64]:
    return np.array([v & 0xFFFFFFFFFFFFFFFF for v in values], dtype=np.uint64)


async def _members(session: AsyncSession, ids: list[int], asset_type: str) -> dict[int, Member]:
    fp = FilePropertiesComponent
    if asset_type == "image":
        size = ImagePropertiesComponent
        query = select(
            fp.entity_id,
            fp.original_filename,
            fp.file_extension,
            fp.file_size_bytes,
            size.width,
            size.height,
            Entity.created_at,
        ).join(size, size.entity_id == fp.entity_id)
    else:
        sound = AudioPropertiesComponent
        query = select(
            fp.entity_id,
            fp.original_filename,
            fp.file_extension,
            fp.file_size_bytes,
            sound.sample_rate,
            sound.channels,
            Entity.created_at,
        ).join(sound, sound.entity_id == fp.entity_id)
    members: dict[int, Member] = {}
    for start in range(0, len(ids), 30_000):
        rows = await session.execute(
            query.join(Entity, Entity.id == fp.entity_id).where(fp.entity_id.in_(ids[start : start + 30_000]))
        )
        for eid, name, ext, size_bytes, w, h, added in rows.all():
            members[int(eid)] = Member(int(eid), name, ext or "", int(size_bytes), int(w), int(h), added)
    return members


def _untrashed() -> ColumnElement[bool]:
    trashed = select(TrashedComponent.entity_id).where(
        TrashedComponent.entity_id == FilePropertiesComponent.entity_id
    )
    return ~trashed.exists()


async def image_duplicate_groups(
    session: AsyncSession, threshold: int = DEFAULT_IMAGE_THRESHOLD
) -> list[list[Member]]:
    """Groups of images whose pHashes are within `threshold` bits of another member's, best first."""
    hashes = ImagePerceptualHashComponent
    rows = (
        await session.execute(
            select(hashes.entity_id, hashes.phash)
            .join(FilePropertiesComponent, FilePropertiesComponent.entity_id == hashes.entity_id)
            .where(_untrashed())
        )
    ).all()
    if len(rows) < 2:
        return []
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    pairs = await _confirmed(session, ids, near_pairs(_to_uint64(r[1] for r in rows), threshold))
    return await _resolve(session, ids, connected_groups(pairs.left, pairs.right), "image")


async def _confirmed(session: AsyncSession, ids: npt.NDArray[np.int64], pairs: Pairs) -> Pairs:
    """The pairs whose wavelet signatures agree; a pair with an image not yet described stays."""
    if pairs.left.shape[0] == 0:
        return pairs
    involved = np.unique(np.concatenate([pairs.left, pairs.right]))
    table = ImageWaveletSignatureComponent
    blobs: dict[int, bytes] = {}
    for start in range(0, involved.shape[0], 30_000):
        chunk = [int(ids[p]) for p in involved[start : start + 30_000]]
        rows = await session.execute(
            select(table.entity_id, table.signature).where(table.entity_id.in_(chunk))
        )
        blobs.update((int(eid), bytes(blob)) for eid, blob in rows.all())
    left_ids, right_ids = ids[pairs.left], ids[pairs.right]
    both = np.array([int(a) in blobs and int(b) in blobs for a, b in zip(left_ids, right_ids, strict=True)])
    keep = ~both
    if both.any():
        order = {eid: n for n, eid in enumerate(blobs)}
        matrix = SignatureMatrix.of(list(blobs.values()))
        left = np.array([order[int(e)] for e in left_ids[both]], dtype=np.int64)
        right = np.array([order[int(e)] for e in right_ids[both]], dtype=np.int64)
        keep[both] = pair_similarities(matrix.rows(left), matrix.rows(right)) >= MIN_SIGNATURE_SIMILARITY
    return Pairs(pairs.left[keep], pairs.right[keep], pairs.distance[keep])


async def audio_duplicate_groups(
    session: AsyncSession, min_cosine: float = DEFAULT_AUDIO_MIN_COSINE
) -> list[list[Member]]:
    """Groups of sounds whose fingerprints have cosine >= `min_cosine` with another member's."""
    table = get_audio_embedding_component_class(DEFAULT_AUDIO_EMBEDDING_MODEL)
    assert table is not None
    rows = (
        await session.execute(
            select(table.entity_id, table.embedding_vector)
            .join(FilePropertiesComponent, FilePropertiesComponent.entity_id == table.entity_id)
            .where(_untrashed())
        )
    ).all()
    if len(rows) < 2:
        return []
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    matrix = normalise_rows(np.stack([bytes_to_vector(r[1]) for r in rows]))
    lefts, rights = [], []
    for start in range(0, matrix.shape[0], BLOCK_ROWS):
        scores = matrix[start : start + BLOCK_ROWS] @ matrix.T
        i, j = np.nonzero(scores >= min_cosine)
        i = i + start
        keep = i < j
        lefts.append(i[keep].astype(np.int64))
        rights.append(j[keep].astype(np.int64))
    groups = connected_groups(np.concatenate(lefts), np.concatenate(rights))
    return await _resolve(session, ids, groups, "audio")


async def _resolve(
    session: AsyncSession, ids: npt.NDArray[np.int64], groups: list[list[int]], asset_type: str
) -> list[list[Member]]:
    entity_groups = [[int(ids[p]) for p in g] for g in groups]
    members = await _members(session, [e for g in entity_groups for e in g], asset_type)
    resolved = [keep_best_order(members[e] for e in g if e in members) for g in entity_groups]
    return [g for g in resolved if len(g) > 1]
