"""Systems drain marker components by calling services. `DEFAULT_SYSTEMS` is what every world runs,
in the order of their stages: thumbnails (and clips' scrub strips), image descriptors, sound
fingerprints, text embeddings, image embeddings, model tags (`core.stages.STAGE_INFO`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from dam_desktop.systems.audio_systems import audio_fingerprint_system, handle_audio_search_query
from dam_desktop.systems.auto_tagging_system import auto_tagging_system
from dam_desktop.systems.embedding_systems import image_embedding_system, text_embedding_system
from dam_desktop.systems.image_descriptor_system import image_descriptor_system
from dam_desktop.systems.scrub_strip_system import scrub_strip_system
from dam_desktop.systems.thumbnail_system import thumbnail_system

DEFAULT_SYSTEMS: list[Callable[..., Awaitable[Any]]] = [
    thumbnail_system,
    scrub_strip_system,
    image_descriptor_system,
    audio_fingerprint_system,
    text_embedding_system,
    image_embedding_system,
    auto_tagging_system,
    handle_audio_search_query,
]
