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
* **order**: walk every entity in id order ("date added") probing every conjunct, and stop at the
  page's end; good when the conjuncts are common.
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

import math
from dataclasses import dataclass

from dam_desktop.services.search.sorting import SortKey
from dam_desktop.services.search.tag_query.to_sql import (
    AllOf,
    AnyOf,
    Component,
    Cond,
    Const,
    NotP,
    Pred,
    TagSet,
    conjuncts,
    needs_entity,
    probes_by_tag,
    selectivity,
    to_sql,
)
from dam_desktop.services.tags.tag_service import LINK, LINK_BY_TAG

# Reading the next entry of an index range, in order.
C_SCAN = 0.05
# One row through a compound SELECT's merge (INTERSECT / EXCEPT of sorted ranges).
C_MERGE = 0.2
# A correlated lookup in another index (a tag check, a property EXISTS) whose page is cached.
C_PROBE = 1.0
# Reading a page that is not cached. Lookups in id order that land further apart than a page's
# worth of entries each read their own page, which a big library's cache rarely holds: entries
# per page of a tag's range in the (tag, entity) index, entities per page of the (entity, tag)
# index (about six links an asset), of a component's (entity_id, ...) index, of the file
# properties' table and of their entity index.
C_PAGE = 6.0
LINKS_PER_PAGE = 300
LINKED_ENTITIES_PER_PAGE = 50
COMPONENT_ENTRIES_PER_PAGE = 250
ASSET_ROWS_PER_PAGE = 50
ASSETS_PER_PAGE = 400
# Per candidate: is it an asset (its file-properties row) and is it out of the trash.
C_ASSET = 0.8
C_TRASH = 0.25
# Per row put through a sorter, with the row's sort key read.
C_SORT = 0.5

ASSETS = "component_file_properties"
NOT_TRASHED = "NOT EXISTS (SELECT 1 FROM component_trashed t WHERE t.entity_id = fp.entity_id)"


@dataclass(frozen=True)
class Plan:
    """One way to run a query: its kind (see the module docstring), SQL and estimated cost."""

    kind: str
    sql: str
    cost: float = 0.0


@dataclass(frozen=True)
class Stats:
    """What the planner knows of the library: about how many assets, how many trashed entities."""

    total: int
    trashed: int = 0

    @property
    def n(self) -> int:
        return max(self.total, 1)

    @property
    def live(self) -> float:
        """The fraction of assets that are not in the trash."""
        return max(0.0, 1.0 - self.trashed / self.n)

    def fraction(self, pred: Pred) -> float:
        return selectivity(pred, self.total)


# --- the pieces of a walk -------------------------------------------------------------------------


def _linked(pred: Pred) -> TagSet | None:
    """A manual-tag set whose size is known (so it can drive a walk)."""
    return pred if isinstance(pred, TagSet) and pred.table == LINK and pred.estimate is not None else None


def _entity_only(pred: Pred) -> bool:
    """Decided from the entity id alone (so checkable before the asset's own rows are read)."""
    if isinstance(pred, TagSet | Component | Const):
        return True
    if isinstance(pred, NotP):
        return _entity_only(pred.child)
    if isinstance(pred, AllOf | AnyOf):
        return all(_entity_only(i) for i in pred.items)
    return False


def _page_cost(spread: float) -> float:
    """The share of a page read each lookup costs when successive lookups land `spread` pages
    apart."""
    return C_PAGE * min(1.0, spread)


def _probe_cost(pred: Pred, density: float, stats: Stats) -> float:
    """Checking `pred` on one row of a walk whose rows are `density` of all entity ids, in order."""
    gap = 1.0 / max(density, 1.0 / stats.n)  # entity ids between successive rows
    if isinstance(pred, TagSet):
        if probes_by_tag(pred):
            # Each tag's range is walked in step with the rows: it moves by the tag's links in a gap.
            links_per_tag = float(pred.estimate or 0) / len(pred.ids) / stats.n
            return len(pred.ids) * (C_PROBE + _page_cost(gap * links_per_tag / LINKS_PER_PAGE))
        return C_PROBE + _page_cost(gap / LINKED_ENTITIES_PER_PAGE)
    if isinstance(pred, Component):
        return C_PROBE + _page_cost(gap / COMPONENT_ENTRIES_PER_PAGE)
    if isinstance(pred, Cond):
        return C_PROBE + _page_cost(gap / ASSET_ROWS_PER_PAGE)
    if isinstance(pred, NotP):
        return _probe_cost(pred.child, density, stats)
    if isinstance(pred, AllOf | AnyOf):
        return sum(_probe_cost(i, density, stats) for i in pred.items)
    return 0.0


def _without(items: list[Pred], used: list[Pred]) -> list[Pred]:
    return [i for i in items if not any(i is u for u in used)]


# Tag joins per walk: with the walk's source, the assets and the entities, within SQLite's 64 tables.
MAX_TAG_JOINS = 48


@dataclass(frozen=True)
class _Checks:
    """The conjuncts a walk checks per row, in the order it checks them: those decided by the
    entity id alone first, rarest first, on the walk's own entity id; then the asset and trash
    checks; then the others (over the asset's file properties)."""

    by_entity: tuple[Pred, ...]
    others: tuple[Pred, ...]

    @staticmethod
    def of(rest: list[Pred], stats: Stats) -> _Checks:
        by_entity = sorted((i for i in rest if _entity_only(i)), key=stats.fraction)
        return _Checks(tuple(by_entity), tuple(_without(rest, by_entity)))

    def cost_per_row(self, stats: Stats, density: float, asset_check: float) -> float:
        """Per row of a walk whose rows are `density` of all entity ids, read in id order."""
        cost, passing = 0.0, 1.0
        for item in self.by_entity:
            cost += passing * _probe_cost(item, density * passing, stats)
            passing *= stats.fraction(item)
        gap = 1.0 / max(density * passing, 1.0 / stats.n)
        cost += passing * (asset_check + _page_cost(gap / ASSETS_PER_PAGE))
        passing *= stats.live
        for item in self.others:
            cost += passing * _probe_cost(item, density * passing, stats)
            passing *= stats.fraction(item)
        return cost

    def joins(self, eid: str) -> str:
        """A plain tag the entity must carry is joined rather than checked with EXISTS: the (entity,
        tag) pair is unique, so the join adds no rows, and it skips a subquery's set-up on every
        row (a two-tag page that reads 2.7k links: 2.8 ms instead of 3.3)."""
        return "".join(
            f" CROSS JOIN {LINK} j{i} INDEXED BY {LINK_BY_TAG} ON j{i}.tag_concept_entity_id"
            f" = {next(iter(tags.ids))} AND j{i}.entity_id = {eid}"
            for i, tags in enumerate(self.joined())
        )

    def joined(self) -> list[TagSet]:
        """The tags `joins` joins: SQLite joins at most 64 tables, so past `MAX_TAG_JOINS` the
        rest are checked with EXISTS instead (a 200-tag query failed with "at most 64 tables")."""
        return [t for t in map(_joinable, self.by_entity) if t is not None][:MAX_TAG_JOINS]

    def where(self, eid: str, *, trash: bool, join: bool = True) -> list[str]:
        """Conditions after the walk's own; `join`: `fp` is joined on `eid` here."""
        joined = {id(t) for t in self.joined()}
        return [
            *(to_sql(p, eid) for p in self.by_entity if id(p) not in joined),
            *([f"fp.entity_id = {eid}"] if join else []),
            *([NOT_TRASHED] if trash else []),
            *(to_sql(p) for p in self.others),
        ]


def _live_fraction(items: list[Pred], stats: Stats) -> float:
    return stats.live * math.prod(stats.fraction(i) for i in items)


def _rows_until(wanted: int | None, everything: float, passing: float, stats: Stats) -> float:
    """Rows a walk in result order reads before `wanted` of them pass (all when `wanted` is None)."""
    if wanted is None:
        return everything
    return min(everything, wanted / max(passing, 1.0 / stats.n))


@dataclass(frozen=True)
class _Walk:
    """A walk written out: FROM, WHERE, its cost, and the column it reads entity ids from (which
    is in id order for the tag-ordered and order walks, so "date added" needs no sort there)."""

    kind: str
    frm: str
    where: tuple[str, ...]
    cost: float
    eid: str

    def select(self, columns: str, tail: str) -> str:
        where = " AND ".join(self.where) or "1"
        return f"SELECT {columns} FROM {self.frm} WHERE {where}{tail}"


def _joinable(pred: Pred) -> TagSet | None:
    return pred if isinstance(pred, TagSet) and pred.table == LINK and len(pred.ids) == 1 else None


def _joins(source: str, eid: str, checks: _Checks, with_entity: bool) -> str:
    frm = f"{source}{checks.joins(eid)} CROSS JOIN {ASSETS} fp"
    return frm + (f" CROSS JOIN entities e ON e.id = {eid}" if with_entity else "")


# --- tag-ordered: one tag's index range in id order -------------------------------------------------


def _ordered_tag_walks(items: list[Pred], stats: Stats, wanted: int | None, with_entity: bool) -> list[_Walk]:
    """One walk per single-tag conjunct: its links in entity id order, the rest probed per row."""
    walks = []
    for item in items:
        tag = _linked(item)
        if tag is None or len(tag.ids) != 1:
            continue
        rest = _without(items, [item])
        checks = _Checks.of(rest, stats)
        est = float(tag.estimate or 0)
        rows = _rows_until(wanted, est, _live_fraction(rest, stats), stats)
        cost = rows * (C_SCAN + checks.cost_per_row(stats, est / stats.n, C_ASSET))
        tag_id = next(iter(tag.ids))
        walks.append(
            _Walk(
                "tag-ordered",
                _joins(f"{LINK} d", "d.entity_id", checks, with_entity),
                (f"d.tag_concept_entity_id = {tag_id}", *checks.where("d.entity_id", trash=True)),
                cost,
                "d.entity_id",
            )
        )
    return walks


# --- tag: the rarest tag set, merged with other sorted ranges ------------------------------------------


@dataclass
class _Merge:
    """A compound SELECT over sorted entity-id ranges, built from the rarest positive tag set."""

    parts: list[str]
    used: list[Pred]
    rows: float  # rows it yields
    cost: float
    drops_trashed: bool = False

    def pays(self, size: float, per_row_check: float) -> bool:
        """Whether merging a range of `size` ids costs less than checking each row instead."""
        return (self.rows + size) * C_MERGE < self.rows * per_row_check

    def add(self, op: str, select: str, size: float, kept: float, pred: Pred | None = None) -> None:
        self.parts.append(f"{op} {select}")
        self.cost += (self.rows + size) * C_MERGE
        self.rows *= kept
        if pred is not None:
            self.used.append(pred)


def _tag_set_select(tags: TagSet) -> str:
    cond = f"= {next(iter(tags.ids))}" if len(tags.ids) == 1 else f"IN ({_id_list(tags.ids)})"
    return f"SELECT entity_id FROM {LINK} WHERE tag_concept_entity_id {cond}"


def _id_list(ids: frozenset[int]) -> str:
    return ",".join(str(int(i)) for i in sorted(ids))


def _merge_from(items: list[Pred], stats: Stats, *, components: bool = False) -> _Merge | None:
    """Start from the rarest positive tag set; merge each other tag set (or negated one) whose
    range costs less to read than checking every candidate does; with `components`, intersect
    every property term's range too."""
    positives = sorted((t for t in map(_linked, items) if t is not None), key=lambda t: t.estimate or 0)
    if not positives:
        return None
    first = positives[0]
    est = float(first.estimate or 0)
    merge = _Merge([_tag_set_select(first)], [first], est, est * C_SCAN)
    for tag in positives[1:]:
        size = float(tag.estimate or 0)
        if merge.pays(size, _probe_cost(tag, merge.rows / stats.n, stats)):
            merge.add("INTERSECT", _tag_set_select(tag), size, min(1.0, size / stats.n), tag)
    for item in items:
        if isinstance(item, NotP) and (neg := _linked(item.child)) is not None:
            size = float(neg.estimate or 0)
            if merge.pays(size, _probe_cost(neg, merge.rows / stats.n, stats)):
                merge.add("EXCEPT", _tag_set_select(neg), size, max(0.0, 1.0 - size / stats.n), item)
    for item in items if components else ():
        if isinstance(item, Component):
            _merge_component(merge, item, stats)
    return merge


def _merge_component(merge: _Merge, item: Component, stats: Stats) -> None:
    """Intersect the entities whose `item.table` row passes: SQLite reads the component's
    (entity_id, value) covering index in id order, at most one entry per asset, and keeps those
    that pass for the merge."""
    kept = stats.fraction(item)
    merge.cost += stats.n * C_SCAN
    merge.add(
        "INTERSECT", f"SELECT x.entity_id FROM {item.table} x WHERE {item.where}", kept * stats.n, kept, item
    )


def _merge_trash(merge: _Merge, stats: Stats) -> None:
    """Subtract the trashed ids as one more sorted range when that costs less than checking the
    trash for every row. (Checking it only for the rows the other checks let through looks cheaper
    on paper, but a merge step costs less per row passing through than C_MERGE says: on the
    benchmark library the range wins even behind a width check that drops a third of the rows.)"""
    if stats.trashed and merge.pays(stats.trashed, C_TRASH):
        merge.add("EXCEPT", "SELECT entity_id FROM component_trashed", stats.trashed, stats.live)
        merge.drops_trashed = True


def _merged_source(merge: _Merge, first: TagSet) -> tuple[str, tuple[str, ...]]:
    """FROM item `d` (and its own conditions) for the merge's entity ids."""
    if len(merge.parts) > 1:
        # SQLite runs a compound SELECT with ORDER BY as a merge of the sorted index ranges
        # ("MERGE (INTERSECT)"); the LIMIT keeps it from dropping the ORDER BY of a subquery.
        return f"({' '.join(merge.parts)} ORDER BY 1 LIMIT -1) d", ()
    if len(first.ids) == 1:
        return f"{LINK} d", (f"d.tag_concept_entity_id = {next(iter(first.ids))}",)
    ids = _id_list(first.ids)
    return f"(SELECT DISTINCT entity_id FROM {LINK} WHERE tag_concept_entity_id IN ({ids})) d", ()


def _merged_walk(
    items: list[Pred], stats: Stats, with_entity: bool, sorted_rows: bool, *, components: bool = False
) -> _Walk | None:
    """The rarest tag set merged with cheap ranges (and, with `components`, every property term's
    range), the rest probed; `sorted_rows` adds the sort."""
    if components and not any(isinstance(i, Component) for i in items):
        return None
    merge = _merge_from(items, stats, components=components)
    if merge is None:
        return None
    _merge_trash(merge, stats)
    first = merge.used[0]
    assert isinstance(first, TagSet)
    rest = _without(items, merge.used)
    checks = _Checks.of(rest, stats)
    asset_check = C_ASSET - (C_TRASH if merge.drops_trashed else 0.0)
    cost = merge.cost + merge.rows * checks.cost_per_row(stats, merge.rows / stats.n, asset_check)
    if sorted_rows:
        cost += merge.rows * _live_fraction(rest, stats) * C_SORT
    source, own = _merged_source(merge, first)
    where = (*own, *checks.where("d.entity_id", trash=not merge.drops_trashed))
    kind = "tag+ranges" if components else "tag"
    return _Walk(kind, _joins(source, "d.entity_id", checks, with_entity), where, cost, "d.entity_id")


# --- order and scan: every asset ------------------------------------------------------------------


def _order_walk(items: list[Pred], stats: Stats, wanted: int | None) -> _Walk:
    """Every entity in id order, newest or oldest first, stopping once the page is full."""
    checks = _Checks.of(items, stats)
    rows = _rows_until(wanted, float(stats.n), _live_fraction(items, stats), stats)
    cost = rows * (C_SCAN + checks.cost_per_row(stats, 1.0, C_ASSET))
    frm = f"entities e{checks.joins('e.id')} CROSS JOIN {ASSETS} fp"
    return _Walk("order", frm, tuple(checks.where("e.id", trash=True)), cost, "e.id")


def _scan(items: list[Pred], stats: Stats, with_entity: bool, sorted_rows: bool) -> _Walk:
    """Every asset, each probed; then sorted when the order asks for it."""
    checks = _Checks.of(items, stats)
    cost = stats.n * (C_SCAN + checks.cost_per_row(stats, 1.0, C_TRASH))
    if sorted_rows:
        cost += stats.n * _live_fraction(items, stats) * C_SORT
    frm = f"{ASSETS} fp{checks.joins('fp.entity_id')}"
    frm += " CROSS JOIN entities e ON e.id = fp.entity_id" if with_entity else ""
    where = checks.where("fp.entity_id", trash=True, join=False)
    return _Walk("scan", frm, tuple(where), cost, "fp.entity_id")


# --- plans ----------------------------------------------------------------------------------------


def _never(columns: str) -> Plan:
    return Plan("none", f"SELECT {columns} FROM {ASSETS} fp WHERE 0")


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
) -> list[Plan]:
    """Every walk that can produce this page, with its cost; `:limit`/`:offset` are bound by the
    caller. Each one returns the same rows in the same order (the tests run them all)."""
    if isinstance(pred, Const) and not pred.value:
        return [_never(columns)]
    items = _items(pred)
    with_entity = needs_entity(pred)
    wanted = None if limit is None else offset + limit
    walks: list[_Walk] = []
    if sort.uses_index:
        walks += _ordered_tag_walks(items, stats, wanted, with_entity)
        walks.append(_order_walk(items, stats, wanted))
    merged = _merged_walk(items, stats, with_entity, sorted_rows=True)
    walks += [merged] if merged is not None else [_scan(items, stats, with_entity, sorted_rows=True)]
    ranged = _merged_walk(items, stats, with_entity, sorted_rows=True, components=True)
    walks += [ranged] if ranged is not None else []
    return [
        Plan(
            w.kind,
            w.select(columns, f" ORDER BY {sort.order_by(descending, w.eid)} LIMIT :limit OFFSET :offset"),
            w.cost,
        )
        for w in walks
    ]


def plan_select(
    pred: Pred,
    stats: Stats,
    sort: SortKey,
    descending: bool,
    limit: int | None,
    offset: int,
    *,
    columns: str = "fp.entity_id",
) -> Plan:
    return cheapest(select_plans(pred, stats, sort, descending, limit, offset, columns=columns))


def cheapest(plans: list[Plan]) -> Plan:
    return min(plans, key=lambda p: p.cost)


def _unordered_walks(pred: Pred, stats: Stats) -> list[_Walk]:
    items = _items(pred)
    with_entity = needs_entity(pred)
    merged = _merged_walk(items, stats, with_entity, sorted_rows=False)
    ranged = _merged_walk(items, stats, with_entity, sorted_rows=False, components=True)
    walks = [_scan(items, stats, with_entity, sorted_rows=False), merged, ranged]
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
    "cheapest",
    "count_plans",
    "id_plans",
    "plan_count",
    "plan_ids",
    "plan_select",
    "select_plans",
]
