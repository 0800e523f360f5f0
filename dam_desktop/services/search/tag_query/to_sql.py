"""SQL compiler: syntax tree -> predicate tree -> SQL conditions over the library's tables.

`compile_query` walks the tree and turns each `Term` into a predicate through the term registry
(`TERM_HANDLERS`); tag names are resolved here (aliases, then every descendant tag through the
parent links), so the SQL only compares integer ids. Predicates are simplified: an OR of tag sets
becomes one tag set, an unknown tag becomes "false". `to_sql` writes a predicate as a condition on
one asset; `planner` chooses how to walk the library and writes the whole statement.

Registering a term
------------------
`TERM_HANDLERS` maps a name to an async function `(ctx: CompileContext, term: Term) -> Pred`:

* `"untagged"` - a bare word (quoted, `"untagged"` is the tag of that name);
* `"width:"` - every `width:...` term, whatever its value (`term.op`, `term.value`);
* `"has:model-tags"` - exactly that key and value; looked up before `"has:"`.

A key that is not registered is a tag namespace (`character:alice`). Use `register_term(name, fn)`;
the handler returns `TagSet` (entities carrying one of the tag ids in `table`), `Component` (a row
of another component table matching a condition), `Cond` (an SQL boolean over `e`/`fp`, with bind
parameters from `ctx.param`), or a combination with `AllOf`/`AnyOf`/`NotP`; raise
`QueryTermError(message, term.position, term.length)` for bad values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.services.search.tag_query.ast import And, MatchAll, Node, Not, Or, Term
from dam_desktop.services.search.tag_query.errors import QueryTermError
from dam_desktop.services.tags import tag_service
from dam_desktop.services.tags.tag_service import LINK, LINK_BY_TAG, MODEL_LINK

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
class Component:
    """The entity has a row in the component `table` (aliased `x`) for which `where` holds.

    Decided by the entity id alone, so a walk checks it before it reads the asset's own rows.
    """

    table: str
    where: str
    selectivity: float = 0.5


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


Pred = TagSet | Component | Cond | Const | NotP | AllOf | AnyOf


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


# SQLite's integers are 64-bit; a larger bound cannot be bound as a parameter at all.
MAX_NUMBER = 2**63 - 1


def _number(term: Term, units: dict[str, float], what: str) -> float:
    m = _NUMBER.match(term.value)
    unit = m.group(2).lower() if m else ""
    if not m or unit not in units:
        names = ", ".join(u for u in units if u) or "no unit"
        raise QueryTermError(
            f"'{term.key}:' expects {what} (units: {names}), not '{term.value}'", term.position, term.length
        )
    value = float(m.group(1)) * units[unit]
    if not math.isfinite(value) or value > MAX_NUMBER:
        op = "" if term.op == "=" else term.op
        raise QueryTermError(
            f"'{term.key}:{op}{term.value}' is too large (at most {MAX_NUMBER})",
            term.position,
            term.length,
        )
    return value


def _compare(term: Term, column: str, value: float, ctx: CompileContext) -> str:
    # A whole number binds as an integer: SQLite then compares integer columns without converting
    # every row's value to a real.
    bound: float = int(value) if float(value).is_integer() else value
    return f"{column} {_SQL_OPS[term.op]} {ctx.param(bound)}"


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
        return Component(table, _compare(term, f"x.{column}", value, ctx), _selectivity(term.op))

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


# --- SQL for one asset ---------------------------------------------------------------------------


def _id_list(ids: frozenset[int]) -> str:
    return ",".join(str(int(i)) for i in sorted(ids))


# Up to this many tags, a tag check looks the entity up in each tag's own range of the (tag,
# entity) index rather than among the entity's links in the (entity, tag) one: walks go in id order,
# so successive lookups land on the same few pages of a tag's range, where the entity's links are
# on a page of their own for every entity (in a big library, rarely one in SQLite's cache).
TAG_RANGE_PROBES = 8


def probes_by_tag(tags: TagSet) -> bool:
    return tags.table == LINK and len(tags.ids) <= TAG_RANGE_PROBES


def to_sql(pred: Pred, eid: str = "fp.entity_id") -> str:
    """A boolean SQL expression for one asset row (`fp`, `e`).

    Tag and component checks use `eid` for the entity id: a walk over tag links passes
    `d.entity_id` so SQLite tests them before it looks up the asset's file properties.
    """
    if isinstance(pred, Const):
        return "1" if pred.value else "0"
    if isinstance(pred, TagSet):
        tag = f"= {next(iter(pred.ids))}" if len(pred.ids) == 1 else f"IN ({_id_list(pred.ids)})"
        index = f" INDEXED BY {LINK_BY_TAG}" if probes_by_tag(pred) else ""
        return (
            f"EXISTS (SELECT 1 FROM {pred.table} tl{index} WHERE tl.entity_id = {eid}"
            f" AND tl.tag_concept_entity_id {tag})"
        )
    if isinstance(pred, Component):
        return f"EXISTS (SELECT 1 FROM {pred.table} x WHERE x.entity_id = {eid} AND {pred.where})"
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
    if isinstance(pred, Cond | Component):
        return pred.selectivity
    if isinstance(pred, NotP):
        return 1.0 - selectivity(pred.child, total)
    if isinstance(pred, AllOf):
        return math.prod(selectivity(i, total) for i in pred.items)
    return min(1.0, sum(selectivity(i, total) for i in pred.items))


def conjuncts(pred: Pred) -> list[Pred]:
    return list(pred.items) if isinstance(pred, AllOf) else [pred]


__all__ = [
    "TERM_HANDLERS",
    "AllOf",
    "AnyOf",
    "CompileContext",
    "Component",
    "Cond",
    "Const",
    "NotP",
    "Pred",
    "TagSet",
    "TermHandler",
    "compile_query",
    "conjuncts",
    "needs_entity",
    "probes_by_tag",
    "register_term",
    "selectivity",
    "simplify",
    "tag_term",
    "to_sql",
]
