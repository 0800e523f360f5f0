"""Helpers for the tag and query tests: build assets straight into a real library database.

(Named test_* so it sits with the tests it serves; it holds no tests itself.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


@dataclass
class AssetSpec:
    name: str = "file.png"
    asset_type: str = "image"
    ext: str = "png"
    size: int = 1000
    added: datetime = field(default_factory=lambda: datetime(2026, 1, 1, 12, 0, 0))
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    trashed: bool = False
    tags: tuple[str, ...] = ()
    taken: datetime | None = None  # an image's EXIF date (only with a width)
    rating: int = 0


async def make_assets(session: AsyncSession, specs: list[AssetSpec]) -> list[int]:
    """Insert assets (entity, file properties, media properties, trash, tags); returns entity ids."""
    from dam_desktop.services.search.tag_words import write_listed_tag_words
    from dam_desktop.services.tags import tag_service

    ids: list[int] = []
    for spec in specs:
        eid = (
            await session.execute(
                text("INSERT INTO entities (created_at) VALUES (:c) RETURNING id"),
                {"c": spec.added.strftime("%Y-%m-%d %H:%M:%S")},
            )
        ).scalar_one()
        ids.append(int(eid))
        await session.execute(
            text(
                "INSERT INTO component_file_properties (entity_id, original_filename, file_size_bytes,"
                " mime_type, file_extension, asset_type) VALUES (:e, :n, :s, 'x/y', :x, :t)"
            ),
            {"e": eid, "n": spec.name, "s": spec.size, "x": spec.ext, "t": spec.asset_type},
        )
        if spec.width is not None:
            taken = spec.taken.strftime("%Y-%m-%d %H:%M:%S.%f") if spec.taken else None
            await session.execute(
                text(
                    "INSERT INTO component_image_properties (entity_id, width, height, mode, is_animated,"
                    " frame_count, exif_datetime) VALUES (:e, :w, :h, 'RGB', FALSE, 1, :t)"
                ),
                {"e": eid, "w": spec.width, "h": spec.height or spec.width, "t": taken},
            )
        if spec.duration is not None:
            await session.execute(
                text(
                    "INSERT INTO component_audio_properties (entity_id, duration_seconds, sample_rate,"
                    " channels, audio_format) VALUES (:e, :d, 44100, 2, 'WAV')"
                ),
                {"e": eid, "d": spec.duration},
            )
        if spec.rating:
            await session.execute(
                text("INSERT INTO component_asset_marks (entity_id, rating) VALUES (:e, :r)"),
                {"e": eid, "r": spec.rating},
            )
        if spec.tags:
            await tag_service.add_tags(session, [eid], list(spec.tags))
        if spec.trashed:
            await session.execute(text("INSERT INTO component_trashed (entity_id) VALUES (:e)"), {"e": eid})
    # A library whose background stages have run: on PostgreSQL, the tags' words are written.
    await write_listed_tag_words(session)
    return ids
