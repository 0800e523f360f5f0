"""Query terms for what people mark by hand: `rating:>=4`, `rating:0` (unrated), `label:red`,
`label:none`, `flag:pick`, `flag:reject`, `flag:none`, `has:note`, `has:source`.

An asset with no marks row is unrated, unlabelled and unflagged, so a condition that holds for
those ("rating:<3", "label:none") is written as "no row that breaks it" (NOT EXISTS), the others
as "a row that satisfies it" (an index range on the marks table). Registered on import, by
`to_sql`.
"""

from __future__ import annotations

from dam_desktop.core.schema_names import FLAGS, LABELS, MAX_RATING
from dam_desktop.services.search.tag_query.ast import Term
from dam_desktop.services.search.tag_query.compiler import CompileContext, TermHandler, term_handler
from dam_desktop.services.search.tag_query.errors import QueryTermError
from dam_desktop.services.search.tag_query.predicates import Component, NotP, Pred

TABLE = "component_asset_marks"
_OPS = {"=": "=", ">": ">", ">=": ">=", "<": "<", "<=": "<="}
_HOLDS = {
    "=": lambda a, b: a == b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}


def _or_unmarked(where_for_row: str, *, holds_unmarked: bool, selectivity: float) -> Pred:
    if not holds_unmarked:
        return Component(TABLE, where_for_row, selectivity)
    return NotP(Component(TABLE, f"NOT ({where_for_row})", 1 - selectivity))


@term_handler("rating:")
async def _rating(ctx: CompileContext, term: Term) -> Pred:
    value = term.value.strip().rstrip("*")  # "rating:4*" reads as stars
    if not value.isdigit() or int(value) > MAX_RATING:
        raise QueryTermError(
            f"'rating:' takes 0 to {MAX_RATING} stars, like rating:>=4, not '{term.value}'",
            term.position,
            term.length,
        )
    stars = int(value)
    where = f"x.rating {_OPS[term.op]} {ctx.param(stars)}"
    return _or_unmarked(where, holds_unmarked=_HOLDS[term.op](0, stars), selectivity=0.2)


def _named(kind: str, names: tuple[str, ...], column: str) -> TermHandler:
    async def handler(ctx: CompileContext, term: Term) -> Pred:
        value = term.value.strip().lower()
        if term.op != "=" or (value not in names and value not in ("none", "any")):
            raise QueryTermError(
                f"'{kind}:' is one of {', '.join(names)}, none or any, not '{term.value}'",
                term.position,
                term.length,
            )
        if value == "none":
            return NotP(Component(TABLE, f"x.{column} IS NOT NULL", 0.3))
        if value == "any":
            return Component(TABLE, f"x.{column} IS NOT NULL", 0.3)
        return Component(TABLE, f"x.{column} = {ctx.param(value)}", 0.1)

    return handler


term_handler("label:")(_named("label", LABELS, "label"))
term_handler("flag:")(_named("flag", FLAGS, "flag"))


@term_handler("has:note")
async def _has_note(ctx: CompileContext, term: Term) -> Pred:
    return Component(TABLE, "x.note IS NOT NULL AND x.note != ''", 0.1)


@term_handler("has:source")
async def _has_source(ctx: CompileContext, term: Term) -> Pred:
    return Component(TABLE, "x.source_url IS NOT NULL AND x.source_url != ''", 0.1)
