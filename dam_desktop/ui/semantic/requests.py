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

LIMIT = 200  # a ranked result's length: two screens of small tiles, scores past it are noise

# How a ranking's model reads in the header, by the start of the model's name (registry as data).
METHOD_LABELS: tuple[tuple[str, str], ...] = (
    ("clip", "CLIP"),
    ("siglip", "SigLIP"),
    ("clap", "CLAP"),
    ("soundprint", "sound fingerprint"),
    ("all-minilm", "names and tags (MiniLM)"),
    ("descriptor", "visual descriptor"),
    ("visual", "visual descriptor"),
)


def method_label(model: str) -> str:
    lowered = model.lower()
    return next((label for prefix, label in METHOD_LABELS if lowered.startswith(prefix)), model)


def ranked_ids(results: SemanticResults) -> RankedIds:
    import numpy as np

    hits = results.hits
    # The method that ranked the result: the engine names it where it knows (which "find similar"
    # used); otherwise the model of the best hit.
    method = str(getattr(results, "method", "") or (hits[0].model if hits else ""))
    return RankedIds(
        np.asarray([h.entity_id for h in hits], dtype=np.int64),
        {h.entity_id: h.score for h in hits},
        method_label(method) if method else "",
        tuple(results.notes),
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
            if self.similar_to is not None:
                from dam_desktop.use_cases.similarity import find_similar

                results = await find_similar(world, self.similar_to, where=where, limit=LIMIT)
            else:
                from dam_desktop.use_cases.search import search_by_sentence

                results = await search_by_sentence(world, self.sentence or "", where=where, limit=LIMIT)
            return ranked_ids(results)

        return ranked
