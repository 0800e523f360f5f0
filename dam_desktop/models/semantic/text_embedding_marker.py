"""Set when the text an asset's text embeddings are made of (its name, its tags) has changed."""

from __future__ import annotations

from dam_desktop.models.core.markers import BaseMarker


class NeedsTextEmbeddingMarker(BaseMarker):
    __tablename__ = "component_marker_needs_text_embedding"
