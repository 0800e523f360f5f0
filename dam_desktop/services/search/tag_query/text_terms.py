"""The terms that read the full-text index (`text_index`): `name:`, `path:`, and a bare word that
names no tag. Each registers itself in the term registry when this module is imported (`to_sql`
imports it).

* `name:storm` - a word of the original file name starts with `storm` (`Storm.jpg`,
  `big_storm.png`); `name:IMG_2*` - a glob over the whole name; `name:"Storm.jpg"` - exactly that
  name. Case and accents never matter.
* `path:/home/me/Pictures` - a location in that folder or below it; `path:Pictures/2024` - a
  location with those folders anywhere in its path; globs as for `name:`. A location is the file a
  reference points at, or the file a managed copy was imported from.
* `stor` (no tag of that name) - a word of the name or of a tag starts with `stor`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from dam_desktop.core.plain_session import AnySession, fetch_rows
from dam_desktop.core.sql_dialect import POSTGRESQL, dialect_name
from dam_desktop.services.search import text_match_postgres, text_words_postgres
from dam_desktop.services.search.tag_query.ast import Term
from dam_desktop.services.search.tag_query.compiler import (
    CompileContext,
    register_word_fallback,
    term_handler,
)
from dam_desktop.services.search.tag_query.errors import QueryTermError
from dam_desktop.services.search.tag_query.predicates import (
    AllOf,
    AnyOf,
    Component,
    Cond,
    Const,
    Pred,
    TagSet,
    TextMatch,
    text_matches,
    with_estimates,
)
from dam_desktop.services.search.text_index import (
    INDEX,
    NAME,
    PATH,
    TAGS,
    folded_glob,
    glob_parts,
    word_match,
)

# Counting a text term's matches lets the planner weigh it against tags; past this many the exact
# number no longer changes the plan, and counting a word in half of 1M names would cost 100 ms.
ESTIMATE_CAP = 5000

LOCATION = "component_file_location"
_PLACE = "CASE WHEN x.storage_type = 'managed' THEN x.source_path ELSE x.path END"
_ABSOLUTE = re.compile(r"^([/\\]|[A-Za-z]:[/\\])")
_SEP = "[/\\]"


def _globbed(term: Term) -> bool:
    """`*` anywhere or `?` anywhere makes a `name:` or `path:` value a glob (unless quoted)."""
    return not term.quoted and ("*" in term.value or "?" in term.value)


async def text_match(ctx: CompileContext, expression: str, *, deferred: bool = True) -> TextMatch:
    """A text predicate for an FTS5 expression, with its match count (up to the cap) as estimate;
    left uncounted where the context defers counts and `deferred` allows it (the caller then
    counts it with `count_text_terms` when the plan needs it)."""
    word_rows = dialect_name(ctx.session) == POSTGRESQL and _word_rows(expression)
    if deferred and ctx.defer_counts:
        return TextMatch(ctx.param(expression), None, word_rows, counted=False)
    return TextMatch(ctx.param(expression), await _estimate(ctx.session, expression), word_rows)


def _word_rows(expression: str) -> bool:
    found = text_words_postgres.lookup(expression)
    return found is not None and found.ordered


async def _estimate(session: AnySession, expression: str) -> int | None:
    """How many rows match the expression, up to `ESTIMATE_CAP` (None past it)."""
    return estimate_from(await fetch_rows(session, *estimate_statement(dialect_name(session), expression)))


def estimate_statement(dialect: str, expression: str) -> tuple[str, dict[str, Any]]:
    """The statement that counts an expression's rows up to the cap, in `dialect`'s spelling."""
    sql = f"SELECT count(*) FROM (SELECT 1 FROM {INDEX} WHERE {INDEX} MATCH :m LIMIT :cap) c"
    params: dict[str, Any] = {"m": expression, "cap": ESTIMATE_CAP + 1}
    return text_match_postgres.translate(sql, params) if dialect == POSTGRESQL else (sql, params)


def estimate_from(rows: Sequence[Sequence[Any]]) -> int | None:
    """The estimate in `estimate_statement`'s rows."""
    ((found,),) = rows
    count = int(found or 0)
    return None if count > ESTIMATE_CAP else count


def uncounted_terms(pred: Pred, params: dict[str, Any]) -> dict[str, str]:
    """The placeholder and expression of each text term of the predicate left uncounted."""
    return {t.param: str(params[t.param.removeprefix(":")]) for t in text_matches(pred) if not t.counted}


async def count_text_terms(session: AnySession, pred: Pred, params: dict[str, Any]) -> Pred:
    """The predicate with its uncounted text terms counted (`text_match`)."""
    counts = {p: await _estimate(session, e) for p, e in uncounted_terms(pred, params).items()}
    return with_estimates(pred, counts)


async def _narrowed(ctx: CompileContext, expression: str, check: Pred) -> Pred:
    """`check`, narrowed first by the index where its words are rare enough to help: a glob's words
    on more than `ESTIMATE_CAP` assets (`IMG` of `name:IMG_4*`) match densely, so walking the assets
    newest first and checking the glob finds a page sooner than intersecting those big word lists
    (on the benchmark's 1M assets the intersection took 7 ms of CPU for `name:IMG_4*`)."""
    narrowed = await text_match(ctx, expression, deferred=False)  # its estimate shapes the predicate
    return check if narrowed.estimate is None else AllOf((narrowed, check))


def _equals_only(term: Term, example: str) -> None:
    if term.op != "=":
        raise QueryTermError(f"'{term.key}:' takes {example}, not a comparison", term.position, term.length)


@term_handler("name:")
async def _name(ctx: CompileContext, term: Term) -> Pred:
    _equals_only(term, "a file name or a glob, like name:IMG_2*")
    if dialect_name(ctx.session) == POSTGRESQL and (term.quoted or _globbed(term)):
        # The trigram index finds the folded name by the glob itself (see text_match_postgres).
        glob = text_match_postgres.glob_expression(NAME, term.value, wildcards=_globbed(term))
        return await text_match(ctx, glob)
    if _globbed(term):
        check = Cond(f"fp.original_filename GLOB {ctx.param(folded_glob(term.value))}", 0.05)
        narrowed = glob_parts(term.value).match(NAME)
        return check if narrowed is None else await _narrowed(ctx, narrowed, check)
    expression = word_match((NAME,), term.value, prefix=not term.quoted)
    if term.quoted:
        exact = Cond(f"fp.original_filename GLOB {ctx.param(folded_glob(term.value, wildcards=False))}", 0.01)
        return exact if expression is None else AllOf((await text_match(ctx, expression), exact))
    return Const(False) if expression is None else await text_match(ctx, expression)


def _path_globs(value: str, wildcards: bool) -> list[str]:
    folder = folded_glob(value, wildcards=wildcards)
    if _ABSOLUTE.match(value):
        return [folder, f"{folder}{_SEP}*"]
    return [f"{folder}{_SEP}*", f"*{_SEP}{folder}{_SEP}*", f"*{_SEP}{folder}"]


@term_handler("path:")
async def _path(ctx: CompileContext, term: Term) -> Pred:
    _equals_only(term, "a folder, like path:/home/me/Pictures or path:Pictures/2024")
    value = term.value.rstrip("/\\") or term.value
    wildcards = _globbed(term)
    globs = " OR ".join(f"{_PLACE} GLOB {ctx.param(g)}" for g in _path_globs(value, wildcards))
    check = Component(LOCATION, f"({globs})", 0.05)
    narrowed = glob_parts(value if wildcards else value.replace("*", " ").replace("?", " ")).match(PATH)
    return check if narrowed is None else await _narrowed(ctx, narrowed, check)


def _word_match(term: Term, *columns: str) -> str | None:
    if term.wildcard and not term.quoted:
        return glob_parts(term.value).match(*columns)
    return word_match(columns, term.value, prefix=not term.quoted)


async def _word(ctx: CompileContext, term: Term) -> Pred:
    """A bare word that is no tag: a word of the asset's name or tags starts with it (a quoted one
    is a phrase of whole words; one with wildcards is narrowed by its whole words).

    PostgreSQL's text index has no tag rows (migration 0036), only its word table has their words:
    a word it answers alone is looked up there as on SQLite, and any other (a phrase, a prefix of
    one or two letters, a glob's words) in the names, and in the tags' names, whose assets their
    links give."""
    expression = _word_match(term, NAME, TAGS)
    if expression is None:
        return Const(False)
    if dialect_name(ctx.session) != POSTGRESQL or text_words_postgres.lookup(expression) is not None:
        return await text_match(ctx, expression)
    names, tags = _word_match(term, NAME), _word_match(term, TAGS)
    if names is None or tags is None:
        return Const(False)
    found = await text_match(ctx, names)
    holding = await _tags_holding(ctx, tags)
    return found if holding is None else AnyOf((found, holding))


# The tags' names as the text index's `tags` column, which `text_match_postgres.condition` tests:
# through their trigram index (migration 0032), as the text index's rows were.
_TAG_NAMES = "(SELECT entity_id, use_count, tag_name AS tags FROM component_tag_concept)"


async def _tags_holding(ctx: CompileContext, expression: str) -> TagSet | None:
    """The tags whose names match the text index expression `expression` (over `tags`), with
    their uses as the estimate; None when none does."""
    params: dict[str, Any] = {}
    held = text_match_postgres.condition("c.", "m", expression, params)
    rows = await fetch_rows(
        ctx.session, f"SELECT c.entity_id, c.use_count FROM {_TAG_NAMES} c WHERE {held}", params
    )
    if not rows:
        return None
    return TagSet(frozenset(int(r[0]) for r in rows), sum(max(int(r[1]), 0) for r in rows))


register_word_fallback(_word)
