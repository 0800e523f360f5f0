"""SQL compiler: syntax tree -> predicate tree -> SQL conditions over the library's tables.

The steps live in their own modules: `compiler` (`compile_query`, the term registry, tag names
resolved to ids), `builtin_terms` (the language's own terms), `predicates` (the predicate tree,
simplified: an OR of tag sets becomes one tag set, an unknown tag becomes "false"). This module
writes a predicate as a condition on one asset (`to_sql`) and is the package's face: the names
below are imported from here. `planner` chooses how to walk the library and writes the statement.

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

import dam_desktop.services.search.tag_query.builtin_terms  # registers the built-in terms
import dam_desktop.services.search.tag_query.mark_terms  # rating:, label:, flag:
import dam_desktop.services.search.tag_query.text_terms  # noqa: F401  (name:, path:, words that are no tag)
from dam_desktop.services.search.tag_query.compiler import (
    TERM_HANDLERS,
    CompileContext,
    TermHandler,
    compile_query,
    register_term,
    tag_term,
)
from dam_desktop.services.search.tag_query.predicates import (
    AllOf,
    AnyOf,
    Component,
    Cond,
    Const,
    NotP,
    Pred,
    TagSet,
    TextMatch,
    conjuncts,
    needs_entity,
    selectivity,
    simplify,
)
from dam_desktop.services.search.text_index import INDEX as TEXT_INDEX
from dam_desktop.services.search.text_index import entity_of
from dam_desktop.services.tags.tag_sql import LINK, LINK_BY_TAG


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
        return "TRUE" if pred.value else "FALSE"
    if isinstance(pred, TagSet):
        tag = f"= {next(iter(pred.ids))}" if len(pred.ids) == 1 else f"IN ({_id_list(pred.ids)})"
        index = f" INDEXED BY {LINK_BY_TAG}" if probes_by_tag(pred) else ""
        return (
            f"EXISTS (SELECT 1 FROM {pred.table} tl{index} WHERE tl.entity_id = {eid}"
            f" AND tl.tag_concept_entity_id {tag})"
        )
    if isinstance(pred, TextMatch):
        # Uncorrelated: SQLite reads the matching rowids once into a set and probes it per row.
        rows = f"SELECT {entity_of('rowid')} FROM {TEXT_INDEX} WHERE {TEXT_INDEX} MATCH {pred.param}"
        return f"{eid} IN ({rows})"
    if isinstance(pred, Component):
        return f"EXISTS (SELECT 1 FROM {pred.table} x WHERE x.entity_id = {eid} AND {pred.where})"
    if isinstance(pred, Cond):
        return pred.sql
    if isinstance(pred, NotP):
        return f"NOT ({to_sql(pred.child, eid)})"
    joiner = " AND " if isinstance(pred, AllOf) else " OR "
    return "(" + joiner.join(to_sql(i, eid) for i in pred.items) + ")"


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
    "TextMatch",
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
