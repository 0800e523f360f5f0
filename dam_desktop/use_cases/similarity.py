""" "Find similar": the assets most like one image or sound, narrowed by a tag query.

An image is compared by its CLIP embedding when the image model's weights are installed and the
image has been embedded, and by its weights-free wavelet signature otherwise; a sound by its
fingerprint. The result names the method (`SimilarResults.method`), so the CLI and the window can
say which one ranked the answers. The answers are of the query's own kind: an image query returns
images, a sound query sounds, whichever method ranked them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dam_desktop.core.stages import SystemStage
from dam_desktop.use_cases.search import allowed_by_query, semantic_context

if TYPE_CHECKING:
    from dam_desktop.core.world import World
    from dam_desktop.services.semantic.semantic_search import SemanticHit

WAVELET_METHOD = "wavelet-signature"
# What "Find similar" reads, made first so the answer covers every asset an import left waiting.
SIMILARITY_STAGES = (
    SystemStage.IMAGE_DESCRIPTORS,
    SystemStage.AUDIO_PROCESSING,
    SystemStage.TEXT_EMBEDDING,
    SystemStage.IMAGE_EMBEDDING,
)
METHOD_LABELS = {
    WAVELET_METHOD: "wavelet signature (no model weights)",
    "soundprint-v2": "sound fingerprint",
}


@dataclass(frozen=True)
class SimilarResults:
    """The ranked answers, the method that ranked them, and what the person should know."""

    hits: list[SemanticHit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    method: str = ""  # the model or descriptor behind the scores, e.g. "wavelet-signature"
    query_type: str | None = None  # "image", "audio" or "other"; None when there is no such asset

    @property
    def method_label(self) -> str:
        """The method in words, for a header: "wavelet signature (no model weights)"."""
        return METHOD_LABELS.get(self.method, self.method)


async def prepare_similarity(world: World) -> None:
    """Describe, fingerprint and embed what an import left waiting (cheap when nothing is).

    While the window has the library open, it does that work itself; the CLI calls this first."""
    from dam_desktop.use_cases.pipeline import run_stages

    if world.read_only:
        return
    await run_stages(world, SIMILARITY_STAGES)


async def find_similar(world: World, entity_id: int, *, where: str = "", limit: int = 100) -> SimilarResults:
    """The assets most like `entity_id`, of its own kind, best first."""
    from dam_desktop.services.store.asset_files import asset_type_of

    allowed = await allowed_by_query(world, where)
    async with world.session() as session:
        kind = await asset_type_of(session, entity_id)
    if kind is None:
        return SimilarResults(notes=[f"There is no asset {entity_id} (or it is in the trash)."])
    if kind == "image":
        return await _similar_images(world, entity_id, allowed, limit)
    return await _similar_by_semantic_search(world, entity_id, kind, allowed, limit)


async def _similar_images(
    world: World, entity_id: int, allowed: set[int] | None, limit: int
) -> SimilarResults:
    from dam_desktop.services.semantic.image_embeddings import find_image_model_weights, find_similar_images
    from dam_desktop.services.semantic.semantic_search import SemanticHit
    from dam_desktop.services.semantic.semantic_service import NoEmbeddingError
    from dam_desktop.services.similarity.similar_images import NoSignatureError, find_similar_by_signature

    context = semantic_context(world)
    notes: list[str] = []
    async with world.session() as session:
        if find_image_model_weights(context.settings) is not None:
            try:
                hits = await find_similar_images(
                    session,
                    context.cache,
                    context.settings,
                    entity_id,
                    limit=limit,
                    allowed_entity_ids=allowed,
                )
            except NoEmbeddingError as exc:
                notes.append(f"{exc}; compared by its wavelet signature instead.")
            else:
                model = context.settings.image_model
                return SimilarResults(
                    [SemanticHit(h.entity_id, h.score, "image", h.filename, model) for h in hits],
                    notes,
                    model,
                    "image",
                )
        try:
            matches = await find_similar_by_signature(
                session, entity_id, limit=limit, allowed_entity_ids=allowed
            )
        except NoSignatureError as exc:
            notes.append(f"{exc}: the background work has not reached it; try again shortly.")
            return SimilarResults([], notes, WAVELET_METHOD, "image")
    found = [SemanticHit(m.entity_id, m.score, "image", m.filename, WAVELET_METHOD) for m in matches]
    return SimilarResults(found, notes, WAVELET_METHOD, "image")


async def _similar_by_semantic_search(
    world: World, entity_id: int, kind: str, allowed: set[int] | None, limit: int
) -> SimilarResults:
    """Sounds by their fingerprint (or CLAP), other assets by name and tags; only the query's kind."""
    from dam_desktop.services.semantic.semantic_search import find_similar as ranked

    context = semantic_context(world)
    async with world.session() as session:
        results = await ranked(
            session,
            context.cache,
            context.settings,
            context.audio,
            entity_id,
            limit=limit,
            allowed_entity_ids=allowed,
        )
    hits = [h for h in results.hits if h.asset_type == kind]
    fallback = context.audio.similarity_model if kind == "audio" else context.settings.text_model
    method = hits[0].model if hits else fallback
    return SimilarResults(hits, list(results.notes), method, kind)
