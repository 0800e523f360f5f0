"""A ranked result for the grid: ids best first, each with the score that ranked it, and how.

Semantic search and "Find similar" return one; the grid shows it in this order, with a score badge
on each tile, and the window's header names the method ("— CLIP", "— visual descriptor").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dam_desktop.services.browse.browse_sql import IdArray


@dataclass(frozen=True)
class RankedIds:
    ids: IdArray
    scores: dict[int, float] = field(default_factory=dict)
    method: str = ""  # how the ranking was made, in words ("CLIP", "visual descriptor")
    notes: tuple[str, ...] = ()  # what the person should know (a model that could not take part)


def score_text(score: float) -> str:
    """Cosine scores as two decimals; a rank-fused score (well under 0.1) keeps three significant
    digits, so that neighbours in the ranking still read differently."""
    return f"{score:.2f}" if abs(score) >= 0.1 else f"{score:.3g}"
