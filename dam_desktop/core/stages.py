"""The ordered phases a world runs its systems in."""

from __future__ import annotations

from enum import IntEnum


class SystemStage(IntEnum):
    """Stages run in ascending order; systems within a stage run in registration order."""

    METADATA_EXTRACTION = 10
    THUMBNAIL_GENERATION = 20
    AUDIO_PROCESSING = 30
    AUTO_TAGGING = 40
    EMBEDDING_GENERATION = 50
    POST_PROCESSING = 90
