"""The component tables and their shown columns, as the models declare them: written by
`scripts/write_component_catalogue.py`, kept equal to the models by a test. `dam-desktop show`
reads a current library with it and plain sqlite3, without loading the ORM (`entity_values`)."""

from __future__ import annotations

from dam_desktop.services.entity_values import Catalogue

COMPONENTS: Catalogue = {
    "component_asset_marks": (
        "AssetMarksComponent",
        (
            ("rating", "int"),
            ("label", "str"),
            ("flag", "str"),
            ("note", "str"),
            ("source_url", "str"),
        ),
    ),
    "component_audio_embedding_clap_htsat_unfused_d512": (
        "AudioEmbeddingClapHtsatUnfusedDim512Component",
        (
            ("embedding_vector", "bytes"),
            ("model_name", "str"),
        ),
    ),
    "component_audio_embedding_logmel_d224": (
        "AudioEmbeddingLogMelStatsDim224Component",
        (
            ("embedding_vector", "bytes"),
            ("model_name", "str"),
        ),
    ),
    "component_audio_embedding_soundprint_d128": (
        "AudioEmbeddingSoundprintV2Dim128Component",
        (
            ("embedding_vector", "bytes"),
            ("model_name", "str"),
        ),
    ),
    "component_audio_properties": (
        "AudioPropertiesComponent",
        (
            ("duration_seconds", "float"),
            ("sample_rate", "int"),
            ("channels", "int"),
            ("audio_format", "str"),
            ("subtype", "str"),
            ("title", "str"),
            ("artist", "str"),
            ("album", "str"),
            ("genre", "str"),
            ("bpm", "float"),
            ("musical_key", "str"),
        ),
    ),
    "component_content_hash_sha256": (
        "ContentHashSHA256Component",
        (("hash_value", "bytes"),),
    ),
    "component_document_properties": (
        "DocumentPropertiesComponent",
        (
            ("page_count", "int"),
            ("title", "str"),
        ),
    ),
    "component_embedding_minilm_l6_v2_d384": (
        "TextEmbeddingAllMiniLML6V2Dim384Component",
        (
            ("embedding_vector", "bytes"),
            ("source_component_name", "str"),
            ("source_field_name", "str"),
        ),
    ),
    "component_entity_tag_link": (
        "EntityTagLinkComponent",
        (
            ("tag_concept_entity_id", "int"),
            ("tag_value", "str"),
        ),
    ),
    "component_file_location": (
        "FileLocationComponent",
        (
            ("storage_type", "str"),
            ("path", "str"),
            ("source_path", "str"),
        ),
    ),
    "component_file_properties": (
        "FilePropertiesComponent",
        (
            ("original_filename", "str"),
            ("file_size_bytes", "int"),
            ("mime_type", "str"),
            ("file_extension", "str"),
            ("asset_type", "str"),
            ("sort_taken_at", "datetime"),
            ("sort_pixels", "int"),
            ("sort_duration", "float"),
            ("sort_rating", "int"),
        ),
    ),
    "component_image_embedding": (
        "ImageEmbeddingComponent",
        (
            ("embedding_vector", "bytes"),
            ("model_name", "str"),
        ),
    ),
    "component_image_perceptual_hash": (
        "ImagePerceptualHashComponent",
        (
            ("phash", "int"),
            ("dhash", "int"),
        ),
    ),
    "component_image_properties": (
        "ImagePropertiesComponent",
        (
            ("width", "int"),
            ("height", "int"),
            ("mode", "str"),
            ("is_animated", "bool"),
            ("frame_count", "int"),
            ("exif_orientation", "int"),
            ("exif_datetime", "datetime"),
            ("camera_make", "str"),
            ("camera_model", "str"),
        ),
    ),
    "component_image_wavelet_signature": (
        "ImageWaveletSignatureComponent",
        (
            ("version", "int"),
            ("signature", "bytes"),
        ),
    ),
    "component_marker_needs_audio_processing": (
        "NeedsAudioProcessingMarker",
        (
            ("attempts", "int"),
            ("last_error", "str"),
        ),
    ),
    "component_marker_needs_auto_tagging": (
        "NeedsAutoTaggingMarker",
        (
            ("attempts", "int"),
            ("last_error", "str"),
        ),
    ),
    "component_marker_needs_embedding": (
        "NeedsEmbeddingMarker",
        (
            ("attempts", "int"),
            ("last_error", "str"),
        ),
    ),
    "component_marker_needs_image_descriptor": (
        "NeedsImageDescriptorMarker",
        (
            ("attempts", "int"),
            ("last_error", "str"),
        ),
    ),
    "component_marker_needs_metadata": (
        "NeedsMetadataMarker",
        (
            ("attempts", "int"),
            ("last_error", "str"),
        ),
    ),
    "component_marker_needs_scrub_strip": (
        "NeedsScrubStripMarker",
        (
            ("attempts", "int"),
            ("last_error", "str"),
        ),
    ),
    "component_marker_needs_text_embedding": (
        "NeedsTextEmbeddingMarker",
        (
            ("attempts", "int"),
            ("last_error", "str"),
        ),
    ),
    "component_marker_needs_thumbnail": (
        "NeedsThumbnailMarker",
        (
            ("attempts", "int"),
            ("last_error", "str"),
        ),
    ),
    "component_missing_file": (
        "MissingFileComponent",
        (
            ("problem", "str"),
            ("reason", "str"),
            ("path", "str"),
            ("storage_type", "str"),
            ("checked_at", "datetime"),
        ),
    ),
    "component_model_generated_tag_link": (
        "ModelGeneratedTagLinkComponent",
        (
            ("tag_concept_entity_id", "int"),
            ("source_model_name", "str"),
            ("confidence", "float"),
        ),
    ),
    "component_rejected_model_tag": (
        "RejectedModelTagComponent",
        (("tag_concept_entity_id", "int"),),
    ),
    "component_saved_search": (
        "SavedSearchComponent",
        (
            ("name", "str"),
            ("query", "str"),
        ),
    ),
    "component_tag_alias": (
        "TagAliasComponent",
        (("alias_name", "str"),),
    ),
    "component_tag_concept": (
        "TagConceptComponent",
        (
            ("tag_name", "str"),
            ("namespace", "str"),
            ("tag_description", "str"),
            ("color", "str"),
            ("use_count", "int"),
        ),
    ),
    "component_tag_parent": (
        "TagParentComponent",
        (("parent_tag_entity_id", "int"),),
    ),
    "component_trashed": (
        "TrashedComponent",
        (
            ("trashed_at", "datetime"),
            ("moved_files", "str"),
        ),
    ),
    "component_video_properties": (
        "VideoPropertiesComponent",
        (
            ("duration_seconds", "float"),
            ("video_codec", "str"),
            ("frame_rate", "float"),
            ("audio_codec", "str"),
            ("created_at", "datetime"),
        ),
    ),
}
