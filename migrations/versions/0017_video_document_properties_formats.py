"""video and document properties; tags read from sounds

Video (PyAV), PDF and font assets get a properties table each: a clip's duration, frame rate,
codecs and creation date (its picture size stays in the image properties, like any picture's), a
PDF's page count and title, a font's family and style. Sounds keep the tags their files carry:
title, artist, album, genre, BPM and key, for the inspector and `artist:` / `bpm:` queries.

Revision ID: 0017_video_document_properties_formats
Revises: 0016_asset_text_index
Create Date: 2026-12-05 18:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_video_document_properties_formats"
down_revision: str | Sequence[str] | None = "0016_asset_text_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUDIO_TAGS = (
    ("title", sa.String(length=255)),
    ("artist", sa.String(length=255)),
    ("album", sa.String(length=255)),
    ("genre", sa.String(length=255)),
    ("bpm", sa.Float()),
    ("musical_key", sa.String(length=32)),
)


def _entity_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["entity_id"], ["entities.id"], name=op.f(f"fk_{table}_entity_id_entities"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "component_video_properties",
        sa.Column("duration_seconds", sa.Float(), nullable=False),
        sa.Column("video_codec", sa.String(length=32), nullable=False),
        sa.Column("frame_rate", sa.Float(), nullable=True),
        sa.Column("audio_codec", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        _entity_fk("component_video_properties"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_component_video_properties")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("component_video_properties", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_component_video_properties_duration_seconds"), ["duration_seconds"], unique=False
        )
        batch_op.create_index(
            "ix_video_properties_entity_duration", ["entity_id", "duration_seconds"], unique=False
        )
    op.create_table(
        "component_document_properties",
        sa.Column("page_count", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        _entity_fk("component_document_properties"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_component_document_properties")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("component_document_properties", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_component_document_properties_entity_id"), ["entity_id"], unique=False
        )
    for name, column_type in AUDIO_TAGS:
        op.add_column("component_audio_properties", sa.Column(name, column_type, nullable=True))
    op.create_index(
        op.f("ix_component_audio_properties_artist"), "component_audio_properties", ["artist"], unique=False
    )
    op.create_index(
        op.f("ix_component_audio_properties_bpm"), "component_audio_properties", ["bpm"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_component_audio_properties_bpm"), table_name="component_audio_properties")
    op.drop_index(op.f("ix_component_audio_properties_artist"), table_name="component_audio_properties")
    with op.batch_alter_table("component_audio_properties", schema=None) as batch_op:
        for name, _ in reversed(AUDIO_TAGS):
            batch_op.drop_column(name)
    op.drop_table("component_document_properties")
    op.drop_table("component_video_properties")
