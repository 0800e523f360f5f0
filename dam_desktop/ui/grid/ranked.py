"""A ranked result for the grid: ids best first, each with the score that ranked it, and how.

Semantic search and "Find similar" return one; the grid shows it in this order, with a score badge
on each tile, and the window's header names the method ("— CLIP", "— visual descriptor").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dam_desktop.services.browse.browse_sql import IdArray


@dataclass(frozen=True, eq=False)
class RankedIds:
    ids: IdArray
    scores: dict[int, float] = field(default_factory=dict)
    method: str = ""  # how the ranking was made, in words ("CLIP", "visual descriptor")
    notes: tuple[str, ...] = ()  # what the person should know (a model that could not take part)

    def score_text(self, entity_id: int) -> str | None:
        """The score as its badge reads: two decimals (cosines), or three where the whole ranking
        is below 0.1 (rank-fused scores), so that neighbours in the ranking still read apart; one
        format for the whole result, so the badges line up. A score of 0 or less (a picture that
        shares nothing with the query) has no badge: a row of zeros would read as broken."""
        score = self.scores.get(entity_id)
        if score is None or score <= 0:
            return None
        return f"{score:.3f}" if self.fine else f"{score:.2f}"

    @cached_property
    def fine(self) -> bool:
        return bool(self.scores) and max(abs(s) for s in self.scores.values()) < 0.1
