"""Predicates: what a compiled query says about one asset, before it becomes SQL.

`compiler` builds them from the syntax tree, `to_sql` writes them as SQL conditions and `planner`
estimates them (`selectivity`) to choose how to walk the library.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from dam_desktop.services.tags.tag_sql import LINK


@dataclass(frozen=True)
class TagSet:
    """The entity carries at least one of `ids` in `table`; `estimate` is how many entities do
    (None when unknown, which keeps the set from driving a plan)."""

    ids: frozenset[int]
    estimate: int | None
    table: str = LINK


@dataclass(frozen=True)
class Cond:
    """An SQL boolean over `e` (entities) and `fp` (component_file_properties) of one asset."""

    sql: str
    selectivity: float = 0.5
    needs_entity: bool = False


@dataclass(frozen=True)
class Component:
    """The entity has a row in the component `table` (aliased `x`) for which `where` holds.

    Decided by the entity id alone, so a walk checks it before it reads the asset's own rows.
    """

    table: str
    where: str
    selectivity: float = 0.5


@dataclass(frozen=True)
class TextMatch:
    """The asset's row of the full-text index (`text_index`) matches the bound FTS5 expression
    `param` (a placeholder like `:q3`); `estimate` is how many assets do (None: more than the
    compiler counted), so a text term can drive a walk like a tag can."""

    param: str
    estimate: int | None
    # Its rows are one term's of PostgreSQL's word table (`text_words_postgres`), read in entity
    # order from an index: a walk on them starts with one index descent, not FTS5's set-up.
    word_rows: bool = False
    # False until the estimate is counted (a page's plan may not need it: `planner.needs_counts`);
    # the estimate is then None.
    counted: bool = True


@dataclass(frozen=True)
class Const:
    value: bool


@dataclass(frozen=True)
class NotP:
    child: Pred


@dataclass(frozen=True)
class AllOf:
    items: tuple[Pred, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Pred, ...]


Pred = TagSet | TextMatch | Component | Cond | Const | NotP | AllOf | AnyOf


def text_matches(pred: Pred) -> list[TextMatch]:
    """Every text term in the predicate, nested ones included."""
    if isinstance(pred, TextMatch):
        return [pred]
    if isinstance(pred, NotP):
        return text_matches(pred.child)
    if isinstance(pred, AllOf | AnyOf):
        return [t for i in pred.items for t in text_matches(i)]
    return []


def with_estimates(pred: Pred, counts: dict[str, int | None]) -> Pred:
    """The predicate with each text term whose placeholder `counts` holds counted as it says."""
    if not counts:
        return pred
    if isinstance(pred, TextMatch) and pred.param in counts:
        return replace(pred, estimate=counts[pred.param], counted=True)
    if isinstance(pred, NotP):
        return NotP(with_estimates(pred.child, counts))
    if isinstance(pred, AllOf):
        return AllOf(tuple(with_estimates(i, counts) for i in pred.items))
    if isinstance(pred, AnyOf):
        return AnyOf(tuple(with_estimates(i, counts) for i in pred.items))
    return pred


def simplify(pred: Pred) -> Pred:
    if isinstance(pred, TagSet):
        return Const(False) if not pred.ids else pred
    if isinstance(pred, NotP):
        child = simplify(pred.child)
        if isinstance(child, Const):
            return Const(not child.value)
        if isinstance(child, NotP):
            return child.child
        return NotP(child)
    if isinstance(pred, AllOf):
        items: list[Pred] = []
        for item in (simplify(i) for i in pred.items):
            if isinstance(item, Const):
                if not item.value:
                    return Const(False)
                continue
            items.extend(item.items if isinstance(item, AllOf) else (item,))
        items = _once(items)  # `cat cat`: one join, not two (PostgreSQL plans each join it is given)
        if not items:
            return Const(True)
        return items[0] if len(items) == 1 else AllOf(tuple(items))
    if isinstance(pred, AnyOf):
        flat: list[Pred] = []
        for item in (simplify(i) for i in pred.items):
            if isinstance(item, Const):
                if item.value:
                    return Const(True)
                continue
            flat.extend(item.items if isinstance(item, AnyOf) else (item,))
        # Entities carrying any of A or any of B carry any of A ∪ B: one index range, not two.
        sets: dict[str, TagSet] = {}
        rest: list[Pred] = []
        for item in flat:
            if isinstance(item, TagSet):
                prev = sets.get(item.table)
                if prev is None:
                    sets[item.table] = item
                else:
                    est = (
                        None
                        if prev.estimate is None or item.estimate is None
                        else prev.estimate + item.estimate
                    )
                    sets[item.table] = TagSet(prev.ids | item.ids, est, item.table)
            else:
                rest.append(item)
        merged: list[Pred] = [*sets.values(), *_once(rest)]
        if not merged:
            return Const(False)
        return merged[0] if len(merged) == 1 else AnyOf(tuple(merged))
    return pred


def _once(items: list[Pred]) -> list[Pred]:
    """`items` with repeats left out (a term written twice means what it means once)."""
    seen: set[Pred] = set()
    kept = []
    for item in items:
        if item not in seen:
            seen.add(item)
            kept.append(item)
    return kept


def needs_entity(pred: Pred) -> bool:
    if isinstance(pred, Cond):
        return pred.needs_entity
    if isinstance(pred, NotP):
        return needs_entity(pred.child)
    if isinstance(pred, AllOf | AnyOf):
        return any(needs_entity(i) for i in pred.items)
    return False


def selectivity(pred: Pred, total: int) -> float:
    """Estimated fraction of assets matching (independence assumed)."""
    n = max(total, 1)
    if isinstance(pred, Const):
        return 1.0 if pred.value else 0.0
    if isinstance(pred, TagSet):
        return 0.5 if pred.estimate is None else min(1.0, pred.estimate / n)
    if isinstance(pred, Cond | Component):
        return pred.selectivity
    if isinstance(pred, TextMatch):
        return 0.5 if pred.estimate is None else min(1.0, pred.estimate / n)
    if isinstance(pred, NotP):
        return 1.0 - selectivity(pred.child, total)
    if isinstance(pred, AllOf):
        return math.prod(selectivity(i, total) for i in pred.items)
    return min(1.0, sum(selectivity(i, total) for i in pred.items))


def conjuncts(pred: Pred) -> list[Pred]:
    return list(pred.items) if isinstance(pred, AllOf) else [pred]
