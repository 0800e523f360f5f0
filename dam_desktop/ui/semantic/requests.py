"""The two ranked questions the window asks, as grid queries: "what matches this sentence?" (the
≈ mode of the search box) and "what is like this asset?" ("Find similar").

Each runs on the world thread, narrowed by a tag query, and answers a `RankedIds` for the grid:
ids best first with their scores, the method in words for the header, and the engine's notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dam_desktop.ui.grid.ranked import RankedIds

if TYPE_CHECKING:
    from dam_desktop.core.world import World
    from dam_desktop.services.semantic.semantic_search import SemanticResults
    from dam_desktop.ui.grid.grid_model import ResultQuery
    from dam_desktop.use_cases.similarity import SimilarResults

LIMIT = 200  # a ranked result's length: two screens of small tiles, scores past it are noise

# How a ranking's model or method reads in the header, by the start of its name (registry as
# data): the full label when it ranked alone, the short one in a hybrid's list.
METHOD_LABELS: tuple[tuple[str, str, str], ...] = (
    ("clip", "CLIP", "CLIP"),
    ("siglip", "SigLIP", "SigLIP"),
    ("clap", "CLAP", "CLAP"),
    ("soundprint", "sound fingerprint", "sound fingerprint"),
    ("all-minilm", "names and tags (MiniLM)", "MiniLM"),
    ("words", "words (BM25)", "words"),
    ("exact name", "exact name", "exact name"),
    ("wavelet", "visual descriptor (no model weights)", "visual descriptor"),
    ("descriptor", "visual descriptor", "visual descriptor"),
)


def method_label(model: str, *, short: bool = False) -> str:
    lowered = model.lower()
    found = next((entry for entry in METHOD_LABELS if lowered.startswith(entry[0])), None)
    return model if found is None else found[2 if short else 1]


def ranking_method(results: SemanticResults | SimilarResults) -> str:
    """How the result was ranked, in words: the method the engine names ("find similar" says
    whether CLIP or the visual descriptor ranked it), the rankers a hybrid fused, or else the
    model of the best hit."""
    method = str(getattr(results, "method", "") or "")
    if method:
        return method_label(method)
    rankers = [str(r) for r in getattr(results, "rankers", ()) or ()]
    if len(rankers) > 1:
        return "hybrid: " + " + ".join(method_label(r, short=True) for r in rankers)
    if rankers:
        return method_label(rankers[0])
    return method_label(results.hits[0].model) if results.hits else ""


def ranked_ids(results: SemanticResults | SimilarResults) -> RankedIds:
    import numpy as np

    hits = results.hits
    notes = tuple(results.notes)
    if hits and max(h.score for h in hits) <= 0:
        notes += ("Nothing here is close; the nearest come first.",)
    return RankedIds(
        np.asarray([h.entity_id for h in hits], dtype=np.int64),
        {h.entity_id: h.score for h in hits},
        ranking_method(results),
        notes,
    )


@dataclass(frozen=True)
class Request:
    """A sentence, or the assets like one asset."""

    sentence: str | None = None
    similar_to: int | None = None
    similar_name: str = ""

    @property
    def title(self) -> str:
        if self.similar_to is not None:
            return f"Similar to {self.similar_name or f'asset {self.similar_to}'}"
        return f"Matching “{self.sentence}”"

    def query(self, where: str) -> ResultQuery:
        """The grid query for this request, narrowed by the tag query `where`."""

        async def ranked(world: World) -> RankedIds:
            results: SemanticResults | SimilarResults
            if self.similar_to is not None:
                from dam_desktop.use_cases.similarity import find_similar

                results = await find_similar(world, self.similar_to, where=where, limit=LIMIT)
            else:
                from dam_desktop.use_cases.search import search_by_sentence

                results = await search_by_sentence(world, self.sentence or "", where=where, limit=LIMIT)
            return ranked_ids(results)

        return ranked
