"""The ordered phases a world runs its systems in, and what each one means to a person.

The order is the background pipeline's priority: the words of tags just added come first (a
shared library's bare words find their assets once they are written: `systems.tag_words_system`),
then what makes the grid whole (thumbnails), the weights-free image descriptor (read from the
thumbnail) and sound fingerprint, and the neural models last, since they are the slowest and the
ones a person may pause.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class SystemStage(IntEnum):
    """Stages run in ascending order; systems within a stage run in registration order."""

    SEARCH_WORDS = 5
    METADATA_EXTRACTION = 10
    THUMBNAIL_GENERATION = 20
    IMAGE_DESCRIPTORS = 25
    AUDIO_PROCESSING = 30
    TEXT_EMBEDDING = 40
    IMAGE_EMBEDDING = 50
    AUTO_TAGGING = 60
    POST_PROCESSING = 90


@dataclass(frozen=True)
class StageInfo:
    name: str  # what the CLI's `--stage` takes
    label: str  # what the status bar shows
    changes: str  # the component a finished batch names in its WorldChanged event
    model_work: bool  # runs a neural model: paused with "Pause model work"


STAGE_INFO: dict[SystemStage, StageInfo] = {
    SystemStage.SEARCH_WORDS: StageInfo("words", "Indexing tags' words", "words", False),
    SystemStage.METADATA_EXTRACTION: StageInfo("properties", "Reading properties", "asset", False),
    SystemStage.THUMBNAIL_GENERATION: StageInfo("thumbnails", "Making thumbnails", "thumbnail", False),
    SystemStage.IMAGE_DESCRIPTORS: StageInfo("descriptors", "Describing images", "descriptor", False),
    SystemStage.AUDIO_PROCESSING: StageInfo("fingerprints", "Fingerprinting sounds", "fingerprint", False),
    SystemStage.TEXT_EMBEDDING: StageInfo("text-embeddings", "Embedding names and tags", "embedding", True),
    SystemStage.IMAGE_EMBEDDING: StageInfo("image-embeddings", "Embedding images", "embedding", True),
    SystemStage.AUTO_TAGGING: StageInfo("model-tags", "Proposing tags", "proposals", True),
    SystemStage.POST_PROCESSING: StageInfo("post-processing", "Finishing", "asset", False),
}

MODEL_STAGES: frozenset[SystemStage] = frozenset(s for s, info in STAGE_INFO.items() if info.model_work)


def stage_named(name: str) -> SystemStage:
    """The stage a person named (`thumbnails`, `model-tags`, ...); ValueError naming the choices."""
    for stage, info in STAGE_INFO.items():
        if info.name == name:
            return stage
    choices = ", ".join(info.name for info in STAGE_INFO.values())
    raise ValueError(f"unknown stage {name!r}; choose one of: {choices}")
