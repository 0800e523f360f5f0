"""Every component table. Importing this package registers them all on `Base.metadata`."""

from dam_desktop.models.core import Base, BaseComponent, BaseMarker, Entity
from dam_desktop.models.core.pipeline_markers import (
    NeedsAudioProcessingMarker,
    NeedsAutoTaggingMarker,
    NeedsEmbeddingMarker,
    NeedsMetadataMarker,
    NeedsThumbnailMarker,
)
from dam_desktop.models.files import (
    ContentHashSHA256Component,
    FileLocationComponent,
    FilePropertiesComponent,
)
from dam_desktop.models.media import (
    AudioPropertiesComponent,
    ImagePerceptualHashComponent,
    ImagePropertiesComponent,
)

__all__ = [
    "AudioPropertiesComponent",
    "Base",
    "BaseComponent",
    "BaseMarker",
    "ContentHashSHA256Component",
    "Entity",
    "FileLocationComponent",
    "FilePropertiesComponent",
    "ImagePerceptualHashComponent",
    "ImagePropertiesComponent",
    "NeedsAudioProcessingMarker",
    "NeedsAutoTaggingMarker",
    "NeedsEmbeddingMarker",
    "NeedsMetadataMarker",
    "NeedsThumbnailMarker",
]
