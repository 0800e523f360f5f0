from dam_desktop.models.semantic.audio_embedding_component import (
    AUDIO_EMBEDDING_MODEL_REGISTRY,
    AudioEmbeddingClapHtsatUnfusedDim512Component,
    AudioEmbeddingLogMelStatsDim224Component,
    AudioEmbeddingSoundprintV2Dim128Component,
    BaseSpecificAudioEmbeddingComponent,
    get_audio_embedding_component_class,
)
from dam_desktop.models.semantic.image_embedding_component import (
    DEFAULT_IMAGE_EMBEDDING_MODEL,
    ImageEmbeddingComponent,
    LibraryModelChoice,
)
from dam_desktop.models.semantic.text_embedding_component import (
    EMBEDDING_MODEL_REGISTRY,
    BaseSpecificEmbeddingComponent,
    TextEmbeddingAllMiniLML6V2Dim384Component,
    get_embedding_component_class,
)
from dam_desktop.models.semantic.text_embedding_marker import NeedsTextEmbeddingMarker

__all__ = [
    "AUDIO_EMBEDDING_MODEL_REGISTRY",
    "DEFAULT_IMAGE_EMBEDDING_MODEL",
    "EMBEDDING_MODEL_REGISTRY",
    "AudioEmbeddingClapHtsatUnfusedDim512Component",
    "AudioEmbeddingLogMelStatsDim224Component",
    "AudioEmbeddingSoundprintV2Dim128Component",
    "BaseSpecificAudioEmbeddingComponent",
    "BaseSpecificEmbeddingComponent",
    "ImageEmbeddingComponent",
    "LibraryModelChoice",
    "NeedsTextEmbeddingMarker",
    "TextEmbeddingAllMiniLML6V2Dim384Component",
    "get_audio_embedding_component_class",
    "get_embedding_component_class",
]
