"""Every component table. Importing this package registers them all on `Base.metadata`."""

from dam_desktop.models.core import Base, BaseComponent, BaseMarker, Entity
from dam_desktop.models.core.pipeline_markers import (
    NeedsAudioProcessingMarker,
    NeedsAutoTaggingMarker,
    NeedsEmbeddingMarker,
    NeedsImageDescriptorMarker,
    NeedsMetadataMarker,
    NeedsScrubStripMarker,
    NeedsThumbnailMarker,
)
from dam_desktop.models.files import (
    ContentHashSHA256Component,
    FileLocationComponent,
    FilePropertiesComponent,
    MissingFileComponent,
)
from dam_desktop.models.marks import AssetMarksComponent
from dam_desktop.models.media import (
    AudioPropertiesComponent,
    ImagePerceptualHashComponent,
    ImagePropertiesComponent,
    ImageWaveletSignatureComponent,
)
from dam_desktop.models.semantic import (
    AudioEmbeddingClapHtsatUnfusedDim512Component,
    AudioEmbeddingLogMelStatsDim224Component,
    AudioEmbeddingSoundprintV2Dim128Component,
    ImageEmbeddingComponent,
    LibraryModelChoice,
    NeedsTextEmbeddingMarker,
    TextEmbeddingAllMiniLML6V2Dim384Component,
)
from dam_desktop.models.tags import (
    EntityTagLinkComponent,
    ModelGeneratedTagLinkComponent,
    RejectedModelTagComponent,
    SavedSearchComponent,
    TagAliasComponent,
    TagConceptComponent,
    TagParentComponent,
)

__all__ = [
    "AssetMarksComponent",
    "AudioEmbeddingClapHtsatUnfusedDim512Component",
    "AudioEmbeddingLogMelStatsDim224Component",
    "AudioEmbeddingSoundprintV2Dim128Component",
    "AudioPropertiesComponent",
    "Base",
    "BaseComponent",
    "BaseMarker",
    "ContentHashSHA256Component",
    "Entity",
    "EntityTagLinkComponent",
    "FileLocationComponent",
    "FilePropertiesComponent",
    "ImageEmbeddingComponent",
    "ImagePerceptualHashComponent",
    "ImagePropertiesComponent",
    "ImageWaveletSignatureComponent",
    "LibraryModelChoice",
    "MissingFileComponent",
    "ModelGeneratedTagLinkComponent",
    "NeedsAudioProcessingMarker",
    "NeedsAutoTaggingMarker",
    "NeedsEmbeddingMarker",
    "NeedsImageDescriptorMarker",
    "NeedsMetadataMarker",
    "NeedsScrubStripMarker",
    "NeedsTextEmbeddingMarker",
    "NeedsThumbnailMarker",
    "RejectedModelTagComponent",
    "SavedSearchComponent",
    "TagAliasComponent",
    "TagConceptComponent",
    "TagParentComponent",
    "TextEmbeddingAllMiniLML6V2Dim384Component",
    "TrashedComponent",
]
