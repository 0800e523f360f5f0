"""The pieces every walk of the planner is built from, and their cost model.

A walk reads entity ids from some source (a tag's index range, a merge of ranges, every entity or
asset) and checks the other conjuncts per row (`Checks`); its cost is estimated in the units below.
See `planner` for the kinds of walk and how one is chosen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

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
    TextMatch,
    probes_by_tag,
    selectivity,
    to_sql,
)
from dam_desktop.services.tags.tag_sql import LINK, LINK_BY_TAG

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


def linked(pred: Pred) -> TagSet | None:
    """A manual-tag set whose size is known (so it can drive a walk)."""
    return pred if isinstance(pred, TagSet) and pred.table == LINK and pred.estimate is not None else None


def entity_only(pred: Pred) -> bool:
    """Decided from the entity id alone (so checkable before the asset's own rows are read)."""
    if isinstance(pred, TagSet | TextMatch | Component | Const):
        return True
    if isinstance(pred, NotP):
        return entity_only(pred.child)
    if isinstance(pred, AllOf | AnyOf):
        return all(entity_only(i) for i in pred.items)
    return False


def page_cost(spread: float) -> float:
    """The share of a page read each lookup costs when successive lookups land `spread` pages
    apart."""
    return C_PAGE * min(1.0, spread)


def probe_cost(pred: Pred, density: float, stats: Stats) -> float:
    """Checking `pred` on one row of a walk whose rows are `density` of all entity ids, in order."""
    gap = 1.0 / max(density, 1.0 / stats.n)  # entity ids between successive rows
    if isinstance(pred, TagSet):
        if probes_by_tag(pred):
            # Each tag's range is walked in step with the rows: it moves by the tag's links in a gap.
            links_per_tag = float(pred.estimate or 0) / len(pred.ids) / stats.n
            return len(pred.ids) * (C_PROBE + page_cost(gap * links_per_tag / LINKS_PER_PAGE))
        return C_PROBE + page_cost(gap / LINKED_ENTITIES_PER_PAGE)
    if isinstance(pred, Component):
        return C_PROBE + page_cost(gap / COMPONENT_ENTRIES_PER_PAGE)
    if isinstance(pred, TextMatch):
        return C_PROBE
    if isinstance(pred, Cond):
        return C_PROBE + page_cost(gap / ASSET_ROWS_PER_PAGE)
    if isinstance(pred, NotP):
        return probe_cost(pred.child, density, stats)
    if isinstance(pred, AllOf | AnyOf):
        return sum(probe_cost(i, density, stats) for i in pred.items)
    return 0.0


def without(items: list[Pred], used: list[Pred]) -> list[Pred]:
    return [i for i in items if not any(i is u for u in used)]


# Tag joins per walk: with the walk's source, the assets and the entities, within SQLite's 64 tables.
MAX_TAG_JOINS = 48
# A joined tag with this many times the links of the walk's own tag is marked with `PROBE_MARK` (a
# comment): PostgreSQL, planning without the tags' ids, merged a popular tag's whole range into a
# rare tag's page (61k links read for 436: 24 ms, probing 1.4); where the two are closer in size,
# its merge reads the other range in step and costs less than probing (0.45 ms against 1.7).
PROBE_RATIO = 20
PROBE_MARK = " /* probe */"


@dataclass(frozen=True)
class Checks:
    """The conjuncts a walk checks per row, in the order it checks them: those decided by the
    entity id alone first, rarest first, on the walk's own entity id; then the asset and trash
    checks; then the others (over the asset's file properties)."""

    by_entity: tuple[Pred, ...]
    others: tuple[Pred, ...]

    @staticmethod
    def of(rest: list[Pred], stats: Stats) -> Checks:
        by_entity = sorted((i for i in rest if entity_only(i)), key=stats.fraction)
        return Checks(tuple(by_entity), tuple(without(rest, by_entity)))

    def cost_per_row(self, stats: Stats, density: float, asset_check: float) -> float:
        """Per row of a walk whose rows are `density` of all entity ids, read in id order."""
        cost, passing = 0.0, 1.0
        for item in self.by_entity:
            cost += passing * probe_cost(item, density * passing, stats)
            passing *= stats.fraction(item)
        gap = 1.0 / max(density * passing, 1.0 / stats.n)
        cost += passing * (asset_check + page_cost(gap / ASSETS_PER_PAGE))
        passing *= stats.live
        for item in self.others:
            cost += passing * probe_cost(item, density * passing, stats)
            passing *= stats.fraction(item)
        return cost

    def joins(self, eid: str, probed: float | None = None) -> str:
        """A plain tag the entity must carry is joined rather than checked with EXISTS: the (entity,
        tag) pair is unique, so the join adds no rows, and it skips a subquery's set-up on every
        row (a two-tag page that reads 2.7k links: 2.8 ms instead of 3.3).

        `probed`: how many links the walk's own tag has; a tag with `PROBE_RATIO` times as many
        is marked `PROBE_MARK`, to be probed per row whatever the server's plan would rather do
        (see `core.sql_dialect`): merging its range would read that many of its links per row
        walked. SQLite probes every join anyway."""
        return "".join(
            f" CROSS JOIN {LINK} j{i} INDEXED BY {LINK_BY_TAG} ON"
            f"{PROBE_MARK if probed is not None and (tags.estimate or 0) > PROBE_RATIO * probed else ''}"
            f" j{i}.tag_concept_entity_id = {next(iter(tags.ids))} AND j{i}.entity_id = {eid}"
            for i, tags in enumerate(self.joined())
        )

    def joined(self) -> list[TagSet]:
        """The tags `joins` joins: SQLite joins at most 64 tables, so past `MAX_TAG_JOINS` the
        rest are checked with EXISTS instead (a 200-tag query failed with "at most 64 tables")."""
        return [t for t in map(joinable, self.by_entity) if t is not None][:MAX_TAG_JOINS]

    def where(self, eid: str, *, trash: bool, join: bool = True) -> list[str]:
        """Conditions after the walk's own; `join`: `fp` is joined on `eid` here."""
        joined = {id(t) for t in self.joined()}
        return [
            *(to_sql(p, eid) for p in self.by_entity if id(p) not in joined),
            *([f"fp.entity_id = {eid}"] if join else []),
            *([NOT_TRASHED] if trash else []),
            *(to_sql(p) for p in self.others),
        ]


def live_fraction(items: list[Pred], stats: Stats) -> float:
    return stats.live * math.prod(stats.fraction(i) for i in items)


def rows_until(wanted: int | None, everything: float, passing: float, stats: Stats) -> float:
    """Rows a walk in result order reads before `wanted` of them pass (all when `wanted` is None)."""
    if wanted is None:
        return everything
    return min(everything, wanted / max(passing, 1.0 / stats.n))


@dataclass(frozen=True)
class Walk:
    """A walk written out: FROM, WHERE, its cost, and the column it reads entity ids from (which
    is in id order for the tag-ordered and order walks, so "date added" needs no sort there).

    `order_id`: what to order by for "date added" when it is not `eid` (the text walk reads rows
    whose rowid orders them, and computes the entity id from it). `distinct`: the source may yield
    an entity more than once (a text walk: its name and a tag both match), so rows are made
    distinct (SQLite drops repeats as they come, without sorting) and counts count distinct ids.
    """

    kind: str
    frm: str
    where: tuple[str, ...]
    cost: float
    eid: str
    order_id: str | None = None
    distinct: bool = False
    # `order_id`'s first value for an entity id `{}` (see `SortKey.after`).
    order_of: str = "{}"

    def select(self, columns: str, tail: str) -> str:
        where = " AND ".join(self.where) or "TRUE"
        if self.distinct:
            columns = f"count(DISTINCT {self.eid})" if columns == "count(*)" else f"DISTINCT {columns}"
        return f"SELECT {columns} FROM {self.frm} WHERE {where}{tail}"

    @property
    def id_order(self) -> str:
        return self.order_id or self.eid

    def after(self, sort: SortKey, descending: bool) -> Walk:
        """This walk from just after a page's last row on (keyset paging: a page deep in the
        result costs what the first one does, where OFFSET would read every row before it)."""
        return replace(self, where=(*self.where, sort.after(descending, self.order_of, self.id_order)))


def joinable(pred: Pred) -> TagSet | None:
    return pred if isinstance(pred, TagSet) and pred.table == LINK and len(pred.ids) == 1 else None


def joins(source: str, eid: str, checks: Checks, with_entity: bool, probed: float | None = None) -> str:
    frm = f"{source}{checks.joins(eid, probed)} CROSS JOIN {ASSETS} fp"
    return frm + (f" CROSS JOIN entities e ON e.id = {eid}" if with_entity else "")
