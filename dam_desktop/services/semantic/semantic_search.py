"""The two questions the UI and the CLI ask: "what matches this sentence?" and "what is like this asset?".

A sentence is searched hybrid: by its words (BM25 over names, locations and tags, `lexical`) and
by every model that can answer it here: MiniLM over names and tags always, CLIP over pixels when
its weights are installed, CLAP over sounds when it is installed. Their scores live on different
scales, so the lists are merged by reciprocal rank, and each hit keeps the score and ranker of the
list that ranked it best; an asset whose file name is exactly the sentence comes first. On the
labelled set of `scripts/search_eval.py` this beats both the words alone and MiniLM alone (the
README has the table). Either search can be narrowed to the ids a tag query matched.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Collection
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.model_manager import ModelExecutionManager
from dam_desktop.services.semantic import audio_service, image_embeddings, semantic_service
from dam_desktop.services.semantic.audio_service import AudioSettings, NoAudioEmbeddingError
from dam_desktop.services.semantic.semantic_service import NoEmbeddingError, SemanticSettings
from dam_desktop.services.semantic.vector_index import Hit, VectorIndexCache
from dam_desktop.services.store.asset_files import asset_type_of

log = logging.getLogger(__name__)

RRF_K = 60
LEXICAL = "words (BM25)"
LEXICAL_MIN_SHARE = 0.5
EXACT_NAME = "exact name"


@dataclass(frozen=True)
class SemanticHit:
    entity_id: int
    # Cosine similarity under `model`; for `LEXICAL`, the share of the sentence's words the asset
    # holds; 1.0 for `EXACT_NAME`.
    score: float
    asset_type: str
    filename: str
    model: str


@dataclass
class SemanticResults:
    hits: list[SemanticHit] = field(default_factory=list)
    # Things the person should know: a model that could not take part, why "similar" fell back.
    notes: list[str] = field(default_factory=list)
    # The rankings that took part, as the hits' `model` names them (`LEXICAL`, model names).
    rankers: list[str] = field(default_factory=list)


def _tagged(hits: list[Hit], model: str) -> list[SemanticHit]:
    return [SemanticHit(h.entity_id, h.score, h.asset_type, h.filename, model) for h in hits]


def fuse(
    ranked_lists: list[list[SemanticHit]], limit: int, *, lexical_weight: bool = True
) -> list[SemanticHit]:
    """Reciprocal-rank fusion; each entity keeps the hit from the list that ranked it best.

    With `lexical_weight`, a `LEXICAL` hit counts in proportion to its score, the share of the
    sentence's words it holds (see `lexical`), and not at all when that is half or less: ranks
    differ little under RRF (1/61 against 1/62), so even a weak extra vote for the models' second
    answer put it above their first. On the labelled set of `scripts/search_eval.py`, hits holding
    one word of a sentence ("power" of "turn the power off" in a photo tagged "low power") did
    that: the paraphrases' MRR was 0.63 fused against MiniLM's 0.70 alone before this rule."""
    fused: dict[int, float] = {}
    best: dict[int, tuple[int, SemanticHit]] = {}
    for hits in ranked_lists:
        for rank, hit in enumerate(hits):
            weight = 1.0
            if lexical_weight and hit.model == LEXICAL:
                weight = hit.score if hit.score > LEXICAL_MIN_SHARE else 0.0
            fused[hit.entity_id] = fused.get(hit.entity_id, 0.0) + weight / (RRF_K + rank + 1)
            if hit.entity_id not in best or rank < best[hit.entity_id][0]:
                best[hit.entity_id] = (rank, hit)
    order = sorted(fused, key=lambda eid: (-fused[eid], -best[eid][1].score))
    return [best[eid][1] for eid in order[:limit]]


def exact_first(exact: list[SemanticHit], hits: list[SemanticHit], limit: int) -> list[SemanticHit]:
    """`hits` with the exact file-name matches moved to the front (a name typed whole means that file)."""
    ids = {h.entity_id for h in exact}
    return [*exact, *(h for h in hits if h.entity_id not in ids)][:limit]


async def lexical_hits(
    session: AsyncSession, query: str, limit: int, allowed_entity_ids: Collection[int] | None
) -> tuple[list[SemanticHit], list[SemanticHit]]:
    """(exact file-name matches, the BM25 ranking) as hits."""
    from dam_desktop.services.search import lexical

    exact = await lexical.exact_name_matches(session, query, allowed_entity_ids=allowed_entity_ids)
    ranked = await lexical.rank_by_words(
        session, query, limit=limit, allowed_entity_ids=allowed_entity_ids, exact=exact
    )
    return (
        [SemanticHit(h.entity_id, h.score, h.asset_type, h.filename, EXACT_NAME) for h in exact],
        [SemanticHit(h.entity_id, h.coverage, h.asset_type, h.filename, LEXICAL) for h in ranked],
    )


async def _add_ranking(
    results: SemanticResults,
    lists: list[list[SemanticHit]],
    model: str,
    search: Awaitable[list[Hit]],
    missing: tuple[type[Exception], ...],
) -> None:
    """Fuse one model's ranking in; a model that cannot run (its weights are missing) leaves a note
    saying so instead, and the others still rank."""
    try:
        lists.append(_tagged(await search, model))
        results.rankers.append(model)
    except missing as exc:
        results.notes.append(getattr(exc, "user_message", str(exc)))


async def search_by_sentence(
    session: AsyncSession,
    cache: VectorIndexCache,
    manager: ModelExecutionManager,
    settings: SemanticSettings,
    audio_settings: AudioSettings,
    query: str,
    *,
    limit: int = 50,
    allowed_entity_ids: Collection[int] | None = None,
    lexical: bool = True,
) -> SemanticResults:
    """Hybrid: the words' ranking (unless `lexical` is False) fused with every model's; see above."""
    from dam_desktop.ml.minilm import TextModelMissingError
    from dam_desktop.ml.open_clip_loader import InvalidWeightsError, WeightsMissingError

    results = SemanticResults()
    exact: list[SemanticHit] = []
    lists: list[list[SemanticHit]] = []
    if lexical:
        exact, words = await lexical_hits(session, query, limit, allowed_entity_ids)
        lists.append(words)
        results.rankers.append(LEXICAL)
    await _add_ranking(
        results,
        lists,
        settings.text_model,
        semantic_service.search_by_text(
            session,
            cache,
            manager,
            query,
            limit=limit,
            model_name=settings.text_model,
            allowed_entity_ids=allowed_entity_ids,
        ),
        (TextModelMissingError,),
    )
    if image_embeddings.find_image_model_weights(settings) is not None:
        await _add_ranking(
            results,
            lists,
            settings.image_model,
            image_embeddings.search_images_by_text(
                session, cache, manager, settings, query, limit=limit, allowed_entity_ids=allowed_entity_ids
            ),
            (WeightsMissingError, InvalidWeightsError),
        )
    else:
        results.notes.append(
            f"Images were matched by name and tags only: the image model {settings.image_model}"
            " is not installed."
        )
    if audio_service.clap_available(audio_settings):
        await _add_ranking(
            results,
            lists,
            audio_settings.text_model,
            audio_service.search_audio_by_text(
                session,
                cache,
                manager,
                audio_settings,
                query,
                limit=limit,
                allowed_entity_ids=allowed_entity_ids,
            ),
            (WeightsMissingError, InvalidWeightsError),
        )
    results.hits = exact_first(exact, fuse(lists, limit), limit)
    return results


async def find_similar(
    session: AsyncSession,
    cache: VectorIndexCache,
    settings: SemanticSettings,
    audio_settings: AudioSettings,
    entity_id: int,
    *,
    limit: int = 50,
    allowed_entity_ids: Collection[int] | None = None,
) -> SemanticResults:
    """Images like an image (CLIP), sounds like a sound (log-mel); by name and tags when those are missing."""
    results = SemanticResults()
    kind = await asset_type_of(session, entity_id)
    if kind is None:
        results.notes.append(f"There is no asset {entity_id} (or it is in the trash).")
        return results
    try:
        if kind == "image":
            hits = await image_embeddings.find_similar_images(
                session, cache, settings, entity_id, limit=limit, allowed_entity_ids=allowed_entity_ids
            )
            results.hits = _tagged(hits, settings.image_model)
            return results
        if kind == "audio":
            hits = await audio_service.find_similar_entities_by_audio_embedding(
                session,
                cache,
                entity_id,
                model_name=audio_settings.similarity_model,
                limit=limit,
                allowed_entity_ids=allowed_entity_ids,
            )
            results.hits = _tagged(hits, audio_settings.similarity_model)
            return results
    except (NoEmbeddingError, NoAudioEmbeddingError) as exc:
        results.notes.append(f"{exc}; compared by name and tags instead.")
    try:
        hits = await semantic_service.find_similar_by_text_embedding(
            session,
            cache,
            entity_id,
            limit=limit,
            model_name=settings.text_model,
            allowed_entity_ids=allowed_entity_ids,
        )
        results.hits = _tagged(hits, settings.text_model)
    except NoEmbeddingError as exc:
        results.notes.append(f"{exc}.")
    return results
