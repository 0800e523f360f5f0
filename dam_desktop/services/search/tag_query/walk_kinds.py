"""The kinds of walk the planner weighs (see `planner`'s docstring): tag-ordered, tag (the rarest
tag set merged with other sorted ranges, optionally every property term's range too), text, order
and scan. Each is written out as a `Walk` with its estimated cost."""

from __future__ import annotations

from dataclasses import dataclass

from dam_desktop.core.schema_names import MEDIA_ORDER_INDEXES, NAME_ORDER, SIZE_ORDER, TYPE_ORDER
from dam_desktop.core.sql_dialect import ALL_ROWS
from dam_desktop.services.search.sorting import SortKey
from dam_desktop.services.search.tag_query.to_sql import Component, NotP, Pred, TagSet, TextMatch
from dam_desktop.services.search.tag_query.walks import (
    ASSETS,
    C_ASSET,
    C_MERGE,
    C_SCAN,
    C_SORT,
    C_TRASH,
    Checks,
    Stats,
    Walk,
    joins,
    linked,
    live_fraction,
    probe_cost,
    rows_until,
    without,
)
from dam_desktop.services.search.text_index import INDEX as TEXT_INDEX
from dam_desktop.services.search.text_index import entity_of, own_row
from dam_desktop.services.tags.tag_sql import LINK

# --- tag-ordered: one tag's index range in id order -------------------------------------------------


def ordered_tag_walks(items: list[Pred], stats: Stats, wanted: int | None, with_entity: bool) -> list[Walk]:
    """One walk per single-tag conjunct: its links in entity id order, the rest probed per row."""
    walks = []
    for item in items:
        tag = linked(item)
        if tag is None or len(tag.ids) != 1:
            continue
        rest = without(items, [item])
        checks = Checks.of(rest, stats)
        est = float(tag.estimate or 0)
        rows = rows_until(wanted, est, live_fraction(rest, stats), stats)
        cost = rows * (C_SCAN + checks.cost_per_row(stats, est / stats.n, C_ASSET))
        tag_id = next(iter(tag.ids))
        walks.append(
            Walk(
                "tag-ordered",
                joins(f"{LINK} d", "d.entity_id", checks, with_entity, est),
                (f"d.tag_concept_entity_id = {tag_id}", *checks.where("d.entity_id", trash=True)),
                cost,
                "d.entity_id",
            )
        )
    return walks


# --- tag: the rarest tag set, merged with other sorted ranges ------------------------------------------


@dataclass
class Merge:
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


def tag_set_select(tags: TagSet) -> str:
    cond = f"= {next(iter(tags.ids))}" if len(tags.ids) == 1 else f"IN ({id_list(tags.ids)})"
    return f"SELECT entity_id FROM {LINK} WHERE tag_concept_entity_id {cond}"


def id_list(ids: frozenset[int]) -> str:
    return ",".join(str(int(i)) for i in sorted(ids))


def merge_from(items: list[Pred], stats: Stats, *, components: bool = False) -> Merge | None:
    """Start from the rarest positive tag set; merge each other tag set (or negated one) whose
    range costs less to read than checking every candidate does; with `components`, intersect
    every property term's range too."""
    positives = sorted((t for t in map(linked, items) if t is not None), key=lambda t: t.estimate or 0)
    if not positives:
        return None
    first = positives[0]
    est = float(first.estimate or 0)
    merge = Merge([tag_set_select(first)], [first], est, est * C_SCAN)
    for tag in positives[1:]:
        size = float(tag.estimate or 0)
        if merge.pays(size, probe_cost(tag, merge.rows / stats.n, stats)):
            merge.add("INTERSECT", tag_set_select(tag), size, min(1.0, size / stats.n), tag)
    for item in items:
        if isinstance(item, NotP) and (neg := linked(item.child)) is not None:
            size = float(neg.estimate or 0)
            if merge.pays(size, probe_cost(neg, merge.rows / stats.n, stats)):
                merge.add("EXCEPT", tag_set_select(neg), size, max(0.0, 1.0 - size / stats.n), item)
    for item in items if components else ():
        if isinstance(item, Component):
            merge_component(merge, item, stats)
    return merge


def merge_component(merge: Merge, item: Component, stats: Stats) -> None:
    """Intersect the entities whose `item.table` row passes: SQLite reads the component's
    (entity_id, value) covering index in id order, at most one entry per asset, and keeps those
    that pass for the merge."""
    kept = stats.fraction(item)
    merge.cost += stats.n * C_SCAN
    merge.add(
        "INTERSECT", f"SELECT x.entity_id FROM {item.table} x WHERE {item.where}", kept * stats.n, kept, item
    )


def merge_trash(merge: Merge, stats: Stats) -> None:
    """Subtract the trashed ids as one more sorted range when that costs less than checking the
    trash for every row. (Checking it only for the rows the other checks let through looks cheaper
    on paper, but a merge step costs less per row passing through than C_MERGE says: on the
    benchmark library the range wins even behind a width check that drops a third of the rows.)"""
    if stats.trashed and merge.pays(stats.trashed, C_TRASH):
        merge.add("EXCEPT", "SELECT entity_id FROM component_trashed", stats.trashed, stats.live)
        merge.drops_trashed = True


def merged_source(merge: Merge, first: TagSet) -> tuple[str, tuple[str, ...]]:
    """FROM item `d` (and its own conditions) for the merge's entity ids."""
    if len(merge.parts) > 1:
        # SQLite runs a compound SELECT with ORDER BY as a merge of the sorted index ranges
        # ("MERGE (INTERSECT)"); the LIMIT keeps it from dropping the ORDER BY of a subquery.
        return f"({' '.join(merge.parts)} ORDER BY 1 LIMIT {ALL_ROWS}) d", ()
    if len(first.ids) == 1:
        return f"{LINK} d", (f"d.tag_concept_entity_id = {next(iter(first.ids))}",)
    ids = id_list(first.ids)
    return f"(SELECT DISTINCT entity_id FROM {LINK} WHERE tag_concept_entity_id IN ({ids})) d", ()


def merged_walk(
    items: list[Pred], stats: Stats, with_entity: bool, sorted_rows: bool, *, components: bool = False
) -> Walk | None:
    """The rarest tag set merged with cheap ranges (and, with `components`, every property term's
    range), the rest probed; `sorted_rows` adds the sort."""
    if components and not any(isinstance(i, Component) for i in items):
        return None
    merge = merge_from(items, stats, components=components)
    if merge is None:
        return None
    merge_trash(merge, stats)
    first = merge.used[0]
    assert isinstance(first, TagSet)
    rest = without(items, merge.used)
    checks = Checks.of(rest, stats)
    asset_check = C_ASSET - (C_TRASH if merge.drops_trashed else 0.0)
    cost = merge.cost + merge.rows * checks.cost_per_row(stats, merge.rows / stats.n, asset_check)
    if sorted_rows:
        cost += merge.rows * live_fraction(rest, stats) * C_SORT
    source, own = merged_source(merge, first)
    where = (*own, *checks.where("d.entity_id", trash=not merge.drops_trashed))
    kind = "tag+ranges" if components else "tag"
    return Walk(kind, joins(source, "d.entity_id", checks, with_entity), where, cost, "d.entity_id")


# --- text: one text term's rows of the full-text index ---------------------------------------------

# Setting up a full-text query (reading the term index for a prefix's words) and reading one of its
# rows, in the units above: the first page of a word on 1M assets costs about what 300 probes do.
C_TEXT_START = 200.0
C_TEXT_ROW = 0.3
# On PostgreSQL one term's rows of the word table (`TextMatch.word_rows`) start with one descent of
# its (term, entity) index, as the order walk starts with one of the entities' own: neither is
# counted.
C_WORD_START = 0.0


def text_walks(
    items: list[Pred], stats: Stats, wanted: int | None, with_entity: bool, *, sorted_rows: bool
) -> list[Walk]:
    """One walk per text conjunct: its index rows, which FTS5 yields in rowid order, that is entity
    id order (so "date added" needs no sort and a page can stop early), the rest probed per row;
    an entity whose name and tags both match comes once."""
    walks = []
    for item in items:
        if not isinstance(item, TextMatch):
            continue
        rest = without(items, [item])
        checks = Checks.of(rest, stats)
        est = float(item.estimate) if item.estimate is not None else stats.n / 2
        passing = live_fraction(rest, stats)
        rows = est if sorted_rows else rows_until(wanted, est, passing, stats)
        start = C_WORD_START if item.word_rows else C_TEXT_START
        cost = start + rows * (C_TEXT_ROW + checks.cost_per_row(stats, est / stats.n, C_ASSET))
        if sorted_rows:
            cost += est * passing * C_SORT
        eid = entity_of("d.rowid")
        walks.append(
            Walk(
                "text",
                joins(f"{TEXT_INDEX} d", eid, checks, with_entity),
                (f"d.{TEXT_INDEX} MATCH {item.param}", *checks.where(eid, trash=True)),
                cost,
                eid,
                order_id="d.rowid",
                distinct=True,
                order_of=own_row("{}"),
            )
        )
    return walks


# --- order and scan: every asset ------------------------------------------------------------------


def order_walk(items: list[Pred], stats: Stats, wanted: int | None) -> Walk:
    """Every entity in id order, newest or oldest first, stopping once the page is full."""
    checks = Checks.of(items, stats)
    rows = rows_until(wanted, float(stats.n), live_fraction(items, stats), stats)
    cost = rows * (C_SCAN + checks.cost_per_row(stats, 1.0, C_ASSET))
    frm = f"entities e{checks.joins('e.id')} CROSS JOIN {ASSETS} fp"
    return Walk("order", frm, tuple(checks.where("e.id", trash=True)), cost, "e.id")


ORDER_INDEXES = {SortKey.NAME: NAME_ORDER, SortKey.SIZE: SIZE_ORDER, SortKey.TYPE: TYPE_ORDER}


def order_index(sort: SortKey, descending: bool) -> str:
    """The index that holds the assets in this order: one per order, or per direction where
    missing values come last in both (date taken, dimensions, duration, rating)."""
    column = sort.media_column
    return ORDER_INDEXES[sort] if column is None else MEDIA_ORDER_INDEXES[(column, descending)]


def index_order_walk(
    items: list[Pred], stats: Stats, wanted: int | None, sort: SortKey, descending: bool, with_entity: bool
) -> Walk:
    """Every asset in the sort's own index order (name, size, type, date taken...), each probed,
    stopping once the page is full: no sort. Successive rows are far apart in id order, so every
    probe is taken to read a page of its own."""
    checks = Checks.of(items, stats)
    rows = rows_until(wanted, float(stats.n), live_fraction(items, stats), stats)
    cost = rows * (C_SCAN + checks.cost_per_row(stats, 1.0 / stats.n, C_TRASH))
    frm = f"{ASSETS} fp INDEXED BY {order_index(sort, descending)}{checks.joins('fp.entity_id')}"
    frm += " CROSS JOIN entities e ON e.id = fp.entity_id" if with_entity else ""
    where = checks.where("fp.entity_id", trash=True, join=False)
    return Walk("index-order", frm, tuple(where), cost, "fp.entity_id")


def scan(items: list[Pred], stats: Stats, with_entity: bool, sorted_rows: bool) -> Walk:
    """Every asset, each probed; then sorted when the order asks for it."""
    checks = Checks.of(items, stats)
    cost = stats.n * (C_SCAN + checks.cost_per_row(stats, 1.0, C_TRASH))
    if sorted_rows:
        cost += stats.n * live_fraction(items, stats) * C_SORT
    frm = f"{ASSETS} fp{checks.joins('fp.entity_id')}"
    frm += " CROSS JOIN entities e ON e.id = fp.entity_id" if with_entity else ""
    where = checks.where("fp.entity_id", trash=True, join=False)
    return Walk("scan", frm, tuple(where), cost, "fp.entity_id")
