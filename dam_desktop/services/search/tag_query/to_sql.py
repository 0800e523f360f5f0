"""SQL compiler: syntax tree -> predicate tree -> planned SQL over the library's tables.

Compiling has two steps.

1. `compile_query` walks the tree and turns each `Term` into a predicate through the term
   registry (`TERM_HANDLERS`); tag names are resolved here (aliases, then every descendant tag
   through the parent links), so the SQL only compares integer ids. Predicates are simplified:
   an OR of tag sets becomes one tag set, an unknown tag becomes "false".
2. `plan_select` / `plan_count` write the SQL. A query is an AND of conjuncts over one asset
   (`fp` = its FilePropertiesComponent row, `e` = its entity). The planner picks how to walk:

   * **tag-driven**: start from the positive tag set with the smallest use count, reading its
     entity ids from the (tag, entity) covering index, and check the other conjuncts per row;
   * **order-driven**: walk the assets in the requested order (the created_at index for "date
     added") and stop after the page, checking every conjunct per row.

   For a page it compares the estimated rows each walk touches (the tag's use count versus
   page end / estimated selectivity, conjuncts assumed independent); a count or a full id list
   always starts from the rarest tag when there is one. `CROSS JOIN` pins SQLite to that order.

Registering a term
------------------
`TERM_HANDLERS` maps a name to an async function `(ctx: CompileContext, term: Term) -> Pred`:

* `"untagged"` - a bare word (quoted, `"untagged"` is the tag of that name);
* `"width:"` - every `width:...` term, whatever its value (`term.op`, `term.value`);
* `"has:model-tags"` - exactly that key and value; looked up before `"has:"`.

A key that is not registered is a tag namespace (`character:alice`). Use `register_term(name, fn)`;
the handler returns `TagSet` (entities carrying one of the tag ids in `table`), `Cond` (an SQL
boolean over `e`/`fp`, with bind parameters from `ctx.param`), or a combination with
`AllOf`/`AnyOf`/`NotP`; raise `QueryTermError(message, term.position, term.length)` for bad values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.services import tag_service
from dam_desktop.services.search.sorting import SortKey
from dam_desktop.services.search.tag_query.ast import And, MatchAll, Node, Not, Or, Term
from dam_desktop.services.search.tag_query.errors import QueryTermError
from dam_desktop.services.tag_service import LINK, MODEL_LINK

# --- predicates -----------------------------------------------------------------------------------


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


Pred = TagSet | Cond | Const | NotP | AllOf | AnyOf


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
        merged: list[Pred] = [*sets.values(), *rest]
        if not merged:
            return Const(False)
        return merged[0] if len(merged) == 1 else AnyOf(tuple(merged))
    return pred


# --- compile context and the term registry --------------------------------------------------------


@dataclass
class CompileContext:
    session: AsyncSession
    params: dict[str, Any] = field(default_factory=dict)
    resolved: dict[str, tag_service.ResolvedTags] = field(default_factory=dict)

    def param(self, value: Any) -> str:
        """Bind `value`; returns the placeholder to put in SQL (`:q3`)."""
        name = f"q{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    async def tags(self, name: str, *, wildcard: bool = False) -> tag_service.ResolvedTags:
        """The tag ids a name stands for (aliases and descendants included)."""
        if wildcard:
            return await tag_service.resolve_tag_pattern(self.session, name)
        if name in self.resolved:
            return self.resolved[name]
        try:
            return await tag_service.resolve_tag_query_name(self.session, name)
        except tag_service.TagNameError:
            return tag_service.ResolvedTags(frozenset(), 0)


TermHandler = Callable[[CompileContext, Term], Awaitable[Pred]]
TERM_HANDLERS: dict[str, TermHandler] = {}


def register_term(name: str, handler: TermHandler) -> None:
    """Register (or replace) a term: "word", "key:" or "key:value" (see the module docstring)."""
    TERM_HANDLERS[name.lower()] = handler


def term_handler(name: str) -> Callable[[TermHandler], TermHandler]:
    def deco(fn: TermHandler) -> TermHandler:
        register_term(name, fn)
        return fn

    return deco


def _lookup_handler(term: Term) -> TermHandler | None:
    if term.key is None:
        return None if term.quoted else TERM_HANDLERS.get(term.value.lower())
    return TERM_HANDLERS.get(f"{term.key}:{term.value.lower()}") or TERM_HANDLERS.get(f"{term.key}:")


async def tag_term(ctx: CompileContext, term: Term) -> Pred:
    """A plain or namespaced tag, optionally with `*` wildcards."""
    if term.op != "=":
        raise QueryTermError(
            f"'{term.key}' is a tag namespace; comparisons like '{term.op}' apply to"
            " width, height, duration, size and added",
            term.position,
            term.length,
        )
    resolved = await ctx.tags(term.text, wildcard=term.wildcard and not term.quoted)
    return TagSet(resolved.ids, resolved.use_count)


async def compile_query(session: AsyncSession, node: Node) -> tuple[Pred, dict[str, Any]]:
    """Turn a syntax tree into a simplified predicate and its bind parameters."""
    ctx = CompileContext(session)
    # Resolve every plain tag of the query in one round trip.
    names = [t.text for t in _terms(node) if not (t.wildcard and not t.quoted) and _lookup_handler(t) is None]
    if names:
        ctx.resolved.update(await tag_service.resolve_tag_query_names(session, names))
    pred = await _compile(ctx, node)
    return simplify(pred), ctx.params


def _terms(node: Node) -> list[Term]:
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Not):
        return _terms(node.child)
    if isinstance(node, And | Or):
        return [t for c in node.children for t in _terms(c)]
    return []


async def _compile(ctx: CompileContext, node: Node) -> Pred:
    if isinstance(node, MatchAll):
        return Const(True)
    if isinstance(node, Not):
        return NotP(await _compile(ctx, node.child))
    if isinstance(node, And):
        return AllOf(tuple([await _compile(ctx, c) for c in node.children]))
    if isinstance(node, Or):
        return AnyOf(tuple([await _compile(ctx, c) for c in node.children]))
    handler = _lookup_handler(node) or tag_term
    return await handler(ctx, node)


# --- built-in terms -------------------------------------------------------------------------------

_SQL_OPS = {"=": "=", ">": ">", ">=": ">=", "<": "<", "<=": "<="}
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)\s*$", re.IGNORECASE)


def _number(term: Term, units: dict[str, float], what: str) -> float:
    m = _NUMBER.match(term.value)
    unit = m.group(2).lower() if m else ""
    if not m or unit not in units:
        names = ", ".join(u for u in units if u) or "no unit"
        raise QueryTermError(
            f"'{term.key}:' expects {what} (units: {names}), not '{term.value}'", term.position, term.length
        )
    return float(m.group(1)) * units[unit]


def _compare(term: Term, column: str, value: float, ctx: CompileContext) -> str:
    return f"{column} {_SQL_OPS[term.op]} {ctx.param(value)}"


def _selectivity(op: str) -> float:
    return 0.1 if op == "=" else 0.4


@term_handler("untagged")
async def _untagged(ctx: CompileContext, term: Term) -> Pred:
    return Cond(f"NOT EXISTS (SELECT 1 FROM {LINK} ul WHERE ul.entity_id = fp.entity_id)", 0.2)


@term_handler("type:")
async def _type(ctx: CompileContext, term: Term) -> Pred:
    value = term.value.lower()
    if term.op != "=" or value not in ("image", "audio", "other"):
        raise QueryTermError("'type:' is image, audio or other", term.position, term.length)
    return Cond(f"fp.asset_type = {ctx.param(value)}", 0.5)


@term_handler("ext:")
async def _ext(ctx: CompileContext, term: Term) -> Pred:
    if term.op != "=":
        raise QueryTermError("'ext:' takes a file extension, like ext:png", term.position, term.length)
    value = term.value.lower().lstrip(".")
    if "*" in value and not term.quoted:
        glob = "*".join(re.sub(r"([?\[])", r"[\1]", p) for p in value.split("*"))
        return Cond(f"fp.file_extension GLOB {ctx.param(glob)}", 0.2)
    return Cond(f"fp.file_extension = {ctx.param(value)}", 0.1)


def _component_compare(table: str, column: str, units: dict[str, float], what: str) -> TermHandler:
    async def handler(ctx: CompileContext, term: Term) -> Pred:
        value = _number(term, units, what)
        cmp = _compare(term, f"x.{column}", value, ctx)
        return Cond(
            f"EXISTS (SELECT 1 FROM {table} x WHERE x.entity_id = fp.entity_id AND {cmp})",
            _selectivity(term.op),
        )

    return handler


_PIXELS = {"": 1.0, "px": 1.0}
register_term(
    "width:", _component_compare("component_image_properties", "width", _PIXELS, "a number of pixels")
)
register_term(
    "height:", _component_compare("component_image_properties", "height", _PIXELS, "a number of pixels")
)
register_term(
    "duration:",
    _component_compare(
        "component_audio_properties",
        "duration_seconds",
        {"": 1.0, "s": 1.0, "sec": 1.0, "ms": 0.001, "m": 60.0, "min": 60.0, "h": 3600.0},
        "seconds",
    ),
)

_SIZE_UNITS = {
    "": 1.0,
    "b": 1.0,
    "kb": 1e3,
    "mb": 1e6,
    "gb": 1e9,
    "tb": 1e12,
    "k": 1e3,
    "m": 1e6,
    "g": 1e9,
    "kib": 1024.0,
    "mib": 1024.0**2,
    "gib": 1024.0**3,
    "tib": 1024.0**4,
}


@term_handler("size:")
async def _size(ctx: CompileContext, term: Term) -> Pred:
    value = _number(term, _SIZE_UNITS, "a size")
    # Compare against whole bytes: size:>1.5KB means more than 1500 bytes.
    if term.op in (">", "<="):
        value = math.floor(value)
    elif term.op in ("<", ">="):
        value = math.ceil(value)
    return Cond(_compare(term, "fp.file_size_bytes", int(value), ctx), _selectivity(term.op))


_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def _date_range(term: Term) -> tuple[datetime, datetime]:
    """`2026` / `2026-03` / `2026-03-05` -> [start, end) of that year, month or day."""
    m = _DATE.match(term.value.strip())
    try:
        if not m:
            raise ValueError
        year = int(m.group(1))
        if m.group(3):
            start = datetime(year, int(m.group(2)), int(m.group(3)))
            return start, start + timedelta(days=1)
        if m.group(2):
            month = int(m.group(2))
            start = datetime(year, month, 1)
            end = datetime(year + 1, 1, 1) if month == 12 else datetime(year, month + 1, 1)
            return start, end
        return datetime(year, 1, 1), datetime(year + 1, 1, 1)
    except ValueError:
        raise QueryTermError(
            f"'added:' expects a date like 2026-01-31, 2026-01 or 2026, not '{term.value}'",
            term.position,
            term.length,
        ) from None


def _sql_time(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


@term_handler("added:")
async def _added(ctx: CompileContext, term: Term) -> Pred:
    start, end = _date_range(term)
    s, e = ctx.param(_sql_time(start)), ctx.param(_sql_time(end))
    sql = {
        "=": f"(e.created_at >= {s} AND e.created_at < {e})",
        ">": f"e.created_at >= {e}",
        ">=": f"e.created_at >= {s}",
        "<": f"e.created_at < {s}",
        "<=": f"e.created_at < {e}",
    }[term.op]
    return Cond(sql, _selectivity(term.op), needs_entity=True)


@term_handler("has:")
async def _has(ctx: CompileContext, term: Term) -> Pred:
    raise QueryTermError(
        f"unknown 'has:{term.value}'; known: "
        + ", ".join(sorted(k for k in TERM_HANDLERS if k.startswith("has:") and k != "has:")),
        term.position,
        term.length,
    )


@term_handler("has:tags")
async def _has_tags(ctx: CompileContext, term: Term) -> Pred:
    return Cond(f"EXISTS (SELECT 1 FROM {LINK} hl WHERE hl.entity_id = fp.entity_id)", 0.8)


@term_handler("has:model-tags")
async def _has_model_tags(ctx: CompileContext, term: Term) -> Pred:
    """Default: any model-proposed tag on the asset. The AI-tagging room may re-register it."""
    return Cond(f"EXISTS (SELECT 1 FROM {MODEL_LINK} ml WHERE ml.entity_id = fp.entity_id)", 0.5)


@term_handler("model:")
async def _model(ctx: CompileContext, term: Term) -> Pred:
    """Default: a model proposed this tag (or one below it). The AI-tagging room may re-register it."""
    resolved = await ctx.tags(term.value, wildcard=term.wildcard and not term.quoted)
    return TagSet(resolved.ids, None, MODEL_LINK)


# --- SQL generation -------------------------------------------------------------------------------

NOT_TRASHED = "NOT EXISTS (SELECT 1 FROM component_trashed t WHERE t.entity_id = fp.entity_id)"


def _id_list(ids: frozenset[int]) -> str:
    return ",".join(str(int(i)) for i in sorted(ids))


def to_sql(pred: Pred, eid: str = "fp.entity_id") -> str:
    """A boolean SQL expression for one asset row (`fp`, `e`).

    Tag checks use `eid` for the entity id: a tag-driven walk passes `d.entity_id` so SQLite tests
    tags before it looks up the asset's other rows.
    """
    if isinstance(pred, Const):
        return "1" if pred.value else "0"
    if isinstance(pred, TagSet):
        tag = f"= {next(iter(pred.ids))}" if len(pred.ids) == 1 else f"IN ({_id_list(pred.ids)})"
        return (
            f"EXISTS (SELECT 1 FROM {pred.table} tl WHERE tl.entity_id = {eid}"
            f" AND tl.tag_concept_entity_id {tag})"
        )
    if isinstance(pred, Cond):
        return pred.sql
    if isinstance(pred, NotP):
        return f"NOT ({to_sql(pred.child, eid)})"
    joiner = " AND " if isinstance(pred, AllOf) else " OR "
    return "(" + joiner.join(to_sql(i, eid) for i in pred.items) + ")"


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
    if isinstance(pred, Cond):
        return pred.selectivity
    if isinstance(pred, NotP):
        return 1.0 - selectivity(pred.child, total)
    if isinstance(pred, AllOf):
        return math.prod(selectivity(i, total) for i in pred.items)
    return min(1.0, sum(selectivity(i, total) for i in pred.items))


def conjuncts(pred: Pred) -> list[Pred]:
    return list(pred.items) if isinstance(pred, AllOf) else [pred]


@dataclass(frozen=True)
class Plan:
    """The chosen walk, for tests and the benchmark: "tag", "order" or "none"."""

    kind: str
    sql: str


# Relative costs, in "one index probe" units, measured on a 200k library: reading the next entry
# of an index range is about a fifth of a random probe.
C_SEQ = 0.2
C_PROBE = 1.0
# Per candidate of a tag-driven walk: its file properties, the trash check, the final sort.
C_ROW = 3.0


def _linked(pred: Pred) -> TagSet | None:
    return pred if isinstance(pred, TagSet) and pred.table == LINK and pred.estimate is not None else None


@dataclass(frozen=True)
class _TagWalk:
    """Where a tag-driven walk starts: the entity ids of `source`, already filtered by `used`."""

    source: str  # FROM item aliased `d`, with column d.entity_id
    where: tuple[str, ...]
    used: tuple[Pred, ...]
    candidates: float
    cost: float
    excludes_trashed: bool = False


def _tag_set_select(tags: TagSet) -> str:
    cond = f"= {next(iter(tags.ids))}" if len(tags.ids) == 1 else f"IN ({_id_list(tags.ids)})"
    return f"SELECT entity_id FROM {LINK} WHERE tag_concept_entity_id {cond}"


def _tag_walk(items: list[Pred], total: int, trashed: int = 0) -> _TagWalk | None:
    """Start from the rarest positive tag; intersect (or subtract) other tag sets by merging their
    sorted index ranges when reading them costs less than probing each candidate, else probe."""
    n = max(total, 1)
    positives = sorted((t for t in map(_linked, items) if t is not None), key=lambda t: t.estimate or 0)
    if not positives:
        return None
    first = positives[0]
    merged_pos = [first]
    candidates = float(first.estimate or 0)
    cost = candidates * C_SEQ
    for t in positives[1:]:
        est = float(t.estimate or 0)
        if est * C_SEQ < candidates * C_PROBE:
            merged_pos.append(t)
            cost += est * C_SEQ
            candidates *= min(1.0, est / n)
    merged_neg: list[NotP] = []
    for item in items:
        if isinstance(item, NotP) and (neg := _linked(item.child)) is not None:
            est = float(neg.estimate or 0)
            if est * C_SEQ < candidates * C_PROBE:
                merged_neg.append(item)
                cost += est * C_SEQ
                candidates *= max(0.0, 1.0 - est / n)
    used: list[Pred] = [*merged_pos, *merged_neg]
    rest = [i for i in items if not any(i is u for u in used)]
    cost += candidates * (C_ROW + C_PROBE * len(rest))
    # The trash check too is cheaper as a merge with the (sorted) trashed ids when they are few.
    except_trashed = trashed > 0 and trashed * C_SEQ < candidates * C_PROBE * 0.5
    if except_trashed:
        cost += trashed * C_SEQ - candidates * C_PROBE
    if len(merged_pos) == 1 and not merged_neg and not except_trashed:
        if len(first.ids) == 1:
            return _TagWalk(
                f"{LINK} d",
                (f"d.tag_concept_entity_id = {next(iter(first.ids))}",),
                tuple(used),
                candidates,
                cost,
            )
        ids = _id_list(first.ids)
        return _TagWalk(
            f"(SELECT DISTINCT entity_id FROM {LINK} WHERE tag_concept_entity_id IN ({ids})) d",
            (),
            tuple(used),
            candidates,
            cost,
        )
    # A compound SELECT with ORDER BY is run by SQLite as a merge of the sorted index ranges
    # ("MERGE (INTERSECT)"); the LIMIT keeps SQLite from dropping the ORDER BY of a subquery.
    parts = " INTERSECT ".join(_tag_set_select(t) for t in merged_pos)
    for negation in merged_neg:
        assert isinstance(negation.child, TagSet)
        parts += " EXCEPT " + _tag_set_select(negation.child)
    if except_trashed:
        parts += " EXCEPT SELECT entity_id FROM component_trashed"
    return _TagWalk(f"({parts} ORDER BY 1 LIMIT -1) d", (), tuple(used), candidates, cost, except_trashed)


def _from_walk(walk: _TagWalk, items: list[Pred], with_entity: bool) -> tuple[str, list[str]]:
    """FROM clause and WHERE conditions that read the walk's entities first (CROSS JOIN pins it)."""
    frm = f"{walk.source} CROSS JOIN component_file_properties fp"
    rest = [p for p in items if not any(p is u for u in walk.used)]
    # Tag-only conditions first, on d.entity_id: they are checked before the asset's rows are read.
    tag_only = [p for p in rest if _tag_only(p)]
    where = [*walk.where, *(to_sql(p, "d.entity_id") for p in tag_only), "fp.entity_id = d.entity_id"]
    if with_entity:
        frm += " CROSS JOIN entities e"
        where.append("e.id = d.entity_id")
    if not walk.excludes_trashed:
        where.append(NOT_TRASHED)
    where.extend(to_sql(p) for p in rest if not any(p is t for t in tag_only))
    return frm, where


def _tag_only(pred: Pred) -> bool:
    if isinstance(pred, TagSet | Const):
        return True
    if isinstance(pred, NotP):
        return _tag_only(pred.child)
    if isinstance(pred, AllOf | AnyOf):
        return all(_tag_only(i) for i in pred.items)
    return False


def plan_select(
    pred: Pred,
    total: int,
    sort: SortKey,
    descending: bool,
    limit: int | None,
    offset: int,
    *,
    columns: str = "fp.entity_id",
    trashed: int = 0,
) -> Plan:
    """SQL selecting matching asset ids in order; `:limit`/`:offset` are bound by the caller."""
    order = sort.order_by(descending)
    tail = f" ORDER BY {order} LIMIT :limit OFFSET :offset"
    if isinstance(pred, Const) and not pred.value:
        return Plan("none", f"SELECT {columns} FROM component_file_properties fp WHERE 0")
    items = [] if isinstance(pred, Const) else conjuncts(pred)
    walk = _tag_walk(items, total, trashed)
    with_entity = sort is SortKey.ADDED or needs_entity(pred)
    use_walk = walk is not None
    if walk is not None and limit is not None and sort.uses_index:
        # Walking the date index stops after the page: rows read ~ page end / selectivity.
        sel = max(selectivity(pred, total), 1.0 / max(total, 1))
        scan_rows = min(float(total), (offset + limit) / sel)
        # Per row: the tag checks (each only while the earlier ones pass), then for the rows they
        # let through the asset's rows and the other conditions.
        tag_first = sorted((i for i in items if _tag_only(i)), key=lambda i: selectivity(i, total))
        per_row, passing = C_SEQ, 1.0
        for item in tag_first:
            per_row += passing * C_PROBE
            passing *= selectivity(item, total)
        per_row += passing * C_PROBE * (2 + len(items) - len(tag_first))
        use_walk = walk.cost < scan_rows * per_row
    if use_walk and walk is not None:
        frm, where = _from_walk(walk, items, with_entity)
        return Plan("tag", f"SELECT {columns} FROM {frm} WHERE {' AND '.join(where)}{tail}")
    where = [NOT_TRASHED, *(to_sql(p) for p in items)]
    if sort is SortKey.ADDED:
        # Tag checks on e.id, rarest first, are tested before the asset's other rows are read.
        tag_first = sorted((i for i in items if _tag_only(i)), key=lambda i: selectivity(i, total))
        rest = [i for i in items if not any(i is t for t in tag_first)]
        frm = "entities e CROSS JOIN component_file_properties fp"
        where = [
            *(to_sql(p, "e.id") for p in tag_first),
            "fp.entity_id = e.id",
            NOT_TRASHED,
            *(to_sql(p) for p in rest),
        ]
    elif with_entity:
        frm = "component_file_properties fp JOIN entities e ON e.id = fp.entity_id"
    else:
        frm = "component_file_properties fp"
    return Plan("order", f"SELECT {columns} FROM {frm} WHERE {' AND '.join(where)}{tail}")


def plan_ids(pred: Pred, total: int = 0, *, column: str = "fp.entity_id AS id", trashed: int = 0) -> Plan:
    """SQL selecting every matching asset id, unordered (for counting, bulk edits, the sidebar)."""
    if isinstance(pred, Const) and not pred.value:
        return Plan("none", f"SELECT {column} FROM component_file_properties fp WHERE 0")
    items = [] if isinstance(pred, Const) else conjuncts(pred)
    walk = _tag_walk(items, total, trashed)
    with_entity = needs_entity(pred)
    if walk is not None:
        frm, where = _from_walk(walk, items, with_entity)
        return Plan("tag", f"SELECT {column} FROM {frm} WHERE {' AND '.join(where)}")
    frm = "component_file_properties fp" + (" JOIN entities e ON e.id = fp.entity_id" if with_entity else "")
    where = [NOT_TRASHED, *(to_sql(p) for p in items)]
    return Plan("order", f"SELECT {column} FROM {frm} WHERE {' AND '.join(where)}")


def plan_count(pred: Pred, total: int = 0, trashed: int = 0) -> Plan:
    if isinstance(pred, Const) and pred.value:
        # Every asset: count the index, subtract the (few) trashed ones.
        return Plan(
            "all",
            "SELECT (SELECT count(*) FROM component_file_properties) - (SELECT count(DISTINCT t.entity_id)"
            " FROM component_trashed t WHERE EXISTS (SELECT 1 FROM component_file_properties fp"
            " WHERE fp.entity_id = t.entity_id))",
        )
    inner = plan_ids(pred, total, column="1", trashed=trashed)
    return Plan(inner.kind, f"SELECT count(*) FROM ({inner.sql})")


__all__ = [
    "TERM_HANDLERS",
    "AllOf",
    "AnyOf",
    "CompileContext",
    "Cond",
    "Const",
    "NotP",
    "Plan",
    "Pred",
    "TagSet",
    "TermHandler",
    "compile_query",
    "plan_count",
    "plan_ids",
    "plan_select",
    "register_term",
    "simplify",
    "tag_term",
    "to_sql",
]
