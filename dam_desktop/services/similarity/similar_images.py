"""Images like an image by their wavelet signatures (no model weights): every described image in the
library is scored against the query's signature, best first; only images, never the trash."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.models.files import FilePropertiesComponent, TrashedComponent
from dam_desktop.models.media import ImageWaveletSignatureComponent
from dam_desktop.services.similarity.wavelet_signature import (
    SignatureMatrix,
    from_bytes,
    similarities,
)

METHOD = "wavelet-signature"


@dataclass(frozen=True)
class ImageMatch:
    entity_id: int
    score: float  # 1.0 for the same signature, 0 for an unrelated picture (the order keeps the rest)
    filename: str


class NoSignatureError(LookupError):
    """The query image has no wavelet signature yet (the pipeline has not described it)."""


async def find_similar_by_signature(
    session: AsyncSession,
    entity_id: int,
    *,
    limit: int = 50,
    allowed_entity_ids: Collection[int] | None = None,
) -> list[ImageMatch]:
    """The images nearest to image `entity_id` (itself left out). Raises NoSignatureError."""
    table = ImageWaveletSignatureComponent
    blob = (await session.scalars(select(table.signature).where(table.entity_id == entity_id))).first()
    if blob is None:
        raise NoSignatureError(f"asset {entity_id} has no wavelet signature yet")
    trashed = select(TrashedComponent.entity_id).where(TrashedComponent.entity_id == table.entity_id)
    rows = (
        await session.execute(
            select(table.entity_id, table.signature)
            .join(FilePropertiesComponent, FilePropertiesComponent.entity_id == table.entity_id)
            .where(FilePropertiesComponent.asset_type == "image")
            .where(table.entity_id != entity_id)
            .where(~trashed.exists())
        )
    ).all()
    if allowed_entity_ids is not None:
        allowed = set(allowed_entity_ids)
        rows = [r for r in rows if r[0] in allowed]
    if not rows:
        return []
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    scores = similarities(from_bytes(blob), SignatureMatrix.of([bytes(r[1]) for r in rows]))
    count = min(limit, len(rows))
    best = np.argpartition(-scores, count - 1)[:count]
    best = best[np.lexsort((ids[best], -scores[best]))]
    names = dict(
        (
            await session.execute(
                select(FilePropertiesComponent.entity_id, FilePropertiesComponent.original_filename).where(
                    FilePropertiesComponent.entity_id.in_([int(ids[i]) for i in best])
                )
            )
        ).all()
    )
    # Below 0 the layout's penalty outweighs what is shared: unrelated, and shown as 0.
    return [ImageMatch(int(ids[i]), max(0.0, float(scores[i])), names.get(int(ids[i]), "")) for i in best]
