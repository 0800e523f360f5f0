"""What the grid's header says ranked a result, and how its score badges read."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from dam_desktop.services.semantic.semantic_search import SemanticHit, SemanticResults
from dam_desktop.ui.grid.ranked import RankedIds
from dam_desktop.ui.semantic.requests import ranked_ids, ranking_method


def _hit(entity_id: int, score: float, model: str) -> SemanticHit:
    return SemanticHit(entity_id, score, "image", f"{entity_id}.jpg", model)


@dataclass
class _Similar:  # the shape of "find similar"'s answer, which names its method
    hits: list[SemanticHit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    method: str = ""


@dataclass
class _Hybrid:  # the shape of a hybrid sentence search's answer, which names its rankers
    hits: list[SemanticHit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rankers: list[str] = field(default_factory=list)


def test_the_header_names_the_method_that_ranked_the_result() -> None:
    hits = [_hit(1, 0.9, "clip-vit-b-32")]
    assert (
        ranking_method(_Similar(hits, method="wavelet-signature")) == "visual descriptor (no model weights)"
    )  # type: ignore[arg-type]
    assert ranking_method(_Similar(hits, method="clip-vit-b-32")) == "CLIP"  # type: ignore[arg-type]
    hybrid = _Hybrid(hits, rankers=["words (BM25)", "all-MiniLM-L6-v2", "clip-vit-b-32"])
    assert ranking_method(hybrid) == "hybrid: words + MiniLM + CLIP"  # type: ignore[arg-type]
    assert ranking_method(SemanticResults([_hit(2, 0.4, "soundprint-v2")])) == "sound fingerprint"
    assert ranking_method(SemanticResults([])) == ""


def test_score_badges_read_in_one_format_per_result() -> None:
    cosines = ranked_ids(SemanticResults([_hit(1, 0.4567, "m"), _hit(2, 0.0912, "m")]))
    assert [cosines.score_text(1), cosines.score_text(2)] == ["0.46", "0.09"]
    fused = RankedIds(np.asarray([1, 2], dtype=np.int64), {1: 0.0328, 2: 0.0161})
    assert [fused.score_text(1), fused.score_text(2)] == ["0.033", "0.016"]
    assert fused.score_text(3) is None


def test_a_picture_that_shares_nothing_has_no_badge_and_the_header_says_nothing_is_close() -> None:
    near = ranked_ids(_Similar([_hit(1, 0.62, "w"), _hit(2, 0.0, "w")], method="wavelet-signature"))  # type: ignore[arg-type]
    assert [near.score_text(1), near.score_text(2)] == ["0.62", None]
    assert near.notes == ()
    far = ranked_ids(_Similar([_hit(3, 0.0, "w"), _hit(4, 0.0, "w")], method="wavelet-signature"))  # type: ignore[arg-type]
    assert [far.score_text(3), far.score_text(4)] == [None, None]
    assert far.notes == ("Nothing here is close; the nearest come first.",)
    assert list(far.ids) == [3, 4]
