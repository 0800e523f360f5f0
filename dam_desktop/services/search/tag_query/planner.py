"""Query planner: a compiled predicate -> the SQL that reads the least of the library.

A query is an AND of conjuncts over one asset (`fp` = its FilePropertiesComponent row, `e` = its
entity). Each way of walking the library is written out with an estimated cost, and the cheapest
runs:

* **tag-ordered**: read one positive tag's entity ids from the (tag, entity) covering index, which
  holds them in id order, that is in "date added" order; probe the other conjuncts per row and stop
  at the page's end. No sort: the first page of `cat dog` reads only as many `cat` links as it
  takes to find a page of them that are also `dog`.
* **tag**: start from the rarest positive tag set and intersect (or subtract) the other tag sets
  and the trash by merging their sorted index ranges where that is cheaper than probing per row;
  probe the rest; sort what is left when the order asks for it. Counts and id lists use this walk.
* **tag+ranges**: the same, also intersecting every property term (`width:>1000`) as a range: the
  component's whole (entity_id, value) index read in id order and merged. Reading that index costs
  about the same whatever the tag, so it wins when the tag is popular (counting a tag on 18% of 1M
  assets with a width check: 145 ms instead of 290) and loses when the tag is rare.
* **text**: read one text term's rows (`name:`, `path:`, a word that is no tag) from the full-text
  index, in entity id order, probe the other conjuncts and stop at the page's end; or read them all
  and sort for the other orders. Its estimate is counted when the query is compiled (up to a cap).
* **order**: walk every entity in id order ("date added") probing every conjunct, and stop at the
  page's end; good when the conjuncts are common.
* **index-order**: every asset in the name, size or type order's own index, probing every
  conjunct, stopping at the page's end; good when the conjuncts are common (the first screen of
  `type:image -x` by name at 1M: from the index instead of sorting 650k rows).
* **scan**: every asset, probed and then sorted (name, size and type orders with no tag to start
  from).

Estimates come from the tags' use counts (kept by triggers), the number of assets and trashed
entities, and a fixed guess per property term; conjuncts are assumed independent. `CROSS JOIN`
pins SQLite to the chosen walk, and where it matters conditions are written on the walk's own
entity id so SQLite checks them before it reads the asset's other rows.

Cost units are one index lookup whose page is cached (about a microsecond); the ratios below were
measured on the benchmark's 1M-asset library (`benchmarks/tag_bench.py`). Only manual-tag sets
drive walks; other conjuncts (properties, model tags, `has:` terms) are checked per row.
"""

from __future__ import annotations

from dam_desktop.services.search.sorting import SortKey
from dam_desktop.services.search.tag_query.predicates import text_matches
from dam_desktop.services.search.tag_query.to_sql import Const, Pred, conjuncts, needs_entity
from dam_desktop.services.search.tag_query.walk_kinds import (
    index_order_walk,
    merged_walk,
    order_walk,
    ordered_tag_walks,
    scan,
    text_walks,
)
from dam_desktop.services.search.tag_query.walks import ASSETS, NOT_TRASHED, Plan, Stats, Walk, linked

# --- plans ----------------------------------------------------------------------------------------


def _never(columns: str) -> Plan:
    return Plan("none", f"SELECT {columns} FROM {ASSETS} fp WHERE FALSE")


def _items(pred: Pred) -> list[Pred]:
    return [] if isinstance(pred, Const) else conjuncts(pred)


def select_plans(
    pred: Pred,
    stats: Stats,
    sort: SortKey,
    descending: bool,
    limit: int | None,
    offset: int,
    *,
    columns: str = "fp.entity_id",
    after: bool = False,
) -> list[Plan]:
    """Every walk that can produce this page, with its cost; `:limit`/`:offset` are bound by the
    caller. Each one returns the same rows in the same order (the tests run them all). With
    `after`, the page starts after the row whose keys are bound as `SortKey.after` says."""
    if needs_counts(pred, sort, limit, stats):
        raise UncountedTerms()
    if isinstance(pred, Const) and not pred.value:
        return [_never(columns)]
    items = _items(pred)
    with_entity = needs_entity(pred)
    wanted = None if limit is None else offset + limit
    walks: list[Walk] = []
    if sort.uses_index:
        walks += ordered_tag_walks(items, stats, wanted, with_entity)
        walks.append(order_walk(items, stats, wanted))
    else:
        walks.append(index_order_walk(items, stats, wanted, sort, descending, with_entity))
    walks += text_walks(items, stats, wanted, with_entity, sorted_rows=not sort.uses_index)
    merged = merged_walk(items, stats, with_entity, sorted_rows=True)
    walks += [merged] if merged is not None else [scan(items, stats, with_entity, sorted_rows=True)]
    ranged = merged_walk(items, stats, with_entity, sorted_rows=True, components=True)
    walks += [ranged] if ranged is not None else []
    return [
        Plan(
            w.kind,
            (w.after(sort, descending) if after else w).select(
                columns, f" ORDER BY {sort.order_by(descending, w.id_order)} LIMIT :limit OFFSET :offset"
            ),
            w.cost,
        )
        for w in walks
    ]


class UncountedTerms(ValueError):
    """A plan asked for a predicate whose text terms it needs counted first (`needs_counts`)."""

    def __init__(self) -> None:
        super().__init__("count the query's text terms before this plan (compiled_query.counted_for)")


# Below this many assets a word may match most of them within the count's cap (5,000), and
# reading every asset can beat reading the word's rows: there the count is made (and cheap).
COUNTED_BELOW = 100_000


def needs_counts(pred: Pred, sort: SortKey, limit: int | None, stats: Stats) -> bool:
    """Whether a page's plan can depend on how many assets the predicate's uncounted text terms
    match (`TextMatch.counted`); if not, it is planned without counting them, a statement fewer.

    Only one case is known not to: in a library of `COUNTED_BELOW` assets or more, a page in
    date-added order whose one driving term is a text term read from PostgreSQL's word table in
    entity order (`TextMatch.word_rows`), beside terms that cannot drive a walk (no tag set with a
    size, no other text term). Its walk reads the term's rows in the page's order and stops when
    the page is full: never more rows than the order walk, which reads every entity until as
    many of them match, each row dearer; the other walks read every asset. A count past its cap
    plans as no count does. (`test_text_term_counts` plans it at every estimate.)"""
    uncounted = [t for t in text_matches(pred) if not t.counted]
    if not uncounted:
        return False
    if limit is None or not sort.uses_index or len(uncounted) > 1 or not uncounted[0].word_rows:
        return True
    if stats.total < COUNTED_BELOW:
        return True
    items = _items(pred)
    if uncounted[0] not in items:
        return True
    return any(linked(i) is not None or text_matches(i) for i in items if i != uncounted[0])


def plan_select(
    pred: Pred,
    stats: Stats,
    sort: SortKey,
    descending: bool,
    limit: int | None,
    offset: int,
    *,
    columns: str = "fp.entity_id",
    after: bool = False,
) -> Plan:
    return cheapest(select_plans(pred, stats, sort, descending, limit, offset, columns=columns, after=after))


def cheapest(plans: list[Plan]) -> Plan:
    return min(plans, key=lambda p: p.cost)


def _unordered_walks(pred: Pred, stats: Stats) -> list[Walk]:
    if any(not t.counted for t in text_matches(pred)):
        raise UncountedTerms()
    items = _items(pred)
    with_entity = needs_entity(pred)
    merged = merged_walk(items, stats, with_entity, sorted_rows=False)
    ranged = merged_walk(items, stats, with_entity, sorted_rows=False, components=True)
    walks = [scan(items, stats, with_entity, sorted_rows=False), merged, ranged]
    walks += text_walks(items, stats, None, with_entity, sorted_rows=False)
    return [w for w in walks if w is not None]


def id_plans(pred: Pred, stats: Stats, *, column: str = "fp.entity_id AS id") -> list[Plan]:
    """Every walk selecting all matching asset ids, unordered (bulk edits, exact sidebar counts)."""
    if isinstance(pred, Const) and not pred.value:
        return [_never(column)]
    return [Plan(w.kind, w.select(column, ""), w.cost) for w in _unordered_walks(pred, stats)]


def plan_ids(pred: Pred, stats: Stats, *, column: str = "fp.entity_id AS id") -> Plan:
    return cheapest(id_plans(pred, stats, column=column))


COUNT_ALL = Plan(
    "all",
    # Every asset: count the index, subtract the (few) trashed ones.
    f"SELECT (SELECT count(*) FROM {ASSETS}) - (SELECT count(DISTINCT t.entity_id)"
    f" FROM component_trashed t WHERE EXISTS (SELECT 1 FROM {ASSETS} fp WHERE fp.entity_id = t.entity_id))",
)


def count_plans(pred: Pred, stats: Stats) -> list[Plan]:
    """Every way to count the matches. The count reads the walk directly: wrapping the id list in
    `SELECT count(*) FROM (...)` would pass every row through one more co-routine."""
    if isinstance(pred, Const):
        return [COUNT_ALL] if pred.value else [Plan("none", "SELECT 0")]
    return [Plan(w.kind, w.select("count(*)", ""), w.cost) for w in _unordered_walks(pred, stats)]


def plan_count(pred: Pred, stats: Stats) -> Plan:
    return cheapest(count_plans(pred, stats))


__all__ = [
    "NOT_TRASHED",
    "Plan",
    "Stats",
    "UncountedTerms",
    "cheapest",
    "count_plans",
    "id_plans",
    "needs_counts",
    "plan_count",
    "plan_ids",
    "plan_select",
    "select_plans",
]
