"""The markers an import leaves for the processing stages (DESIGN.md, "Data flow of an import")."""

from __future__ import annotations

from dam_desktop.models.core.markers import BaseMarker


class NeedsMetadataMarker(BaseMarker):
    __tablename__ = "component_marker_needs_metadata"


class NeedsThumbnailMarker(BaseMarker):
    __tablename__ = "component_marker_needs_thumbnail"


class NeedsAudioProcessingMarker(BaseMarker):
    __tablename__ = "component_marker_needs_audio_processing"


class NeedsAutoTaggingMarker(BaseMarker):
    __tablename__ = "component_marker_needs_auto_tagging"


class NeedsEmbeddingMarker(BaseMarker):
    __tablename__ = "component_marker_needs_embedding"


class NeedsImageDescriptorMarker(BaseMarker):
    __tablename__ = "component_marker_needs_image_descriptor"


class NeedsScrubStripMarker(BaseMarker):
    """A clip whose hover-scrub strip (a few frames side by side) is not made yet."""

    __tablename__ = "component_marker_needs_scrub_strip"
