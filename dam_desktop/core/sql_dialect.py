"""The few statements whose spelling differs between SQLite and PostgreSQL, in one place.

Services ask the session which backend it talks to and take the spelling from here; the plans are
the same, so everything else is written once (SQLAlchemy constructs, or SQL both accept). Importing
this module does not load SQLAlchemy (the command line's plain-sqlite3 reads spell SQL with it);
the two helpers that build SQLAlchemy constructs import it when called.
"""

from __future__ import annotations

import itertools
import json
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession
    from sqlalchemy.sql.dml import Insert

    from dam_desktop.core.plain_session import AnySession

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
# A LIMIT both accept that means "every row" (SQLite's -1 is an error on PostgreSQL, and its
# LIMIT ALL is a syntax error on SQLite).
ALL_ROWS = 2**63 - 1


def dialect_name(session: AnySession) -> str:
    bind = session.bind
    return str(bind.dialect.name) if bind is not None else SQLITE


def insert_ignoring_duplicates(session: AsyncSession, table: Any) -> Insert:
    """INSERT that skips rows a unique key already holds (SQLite's OR IGNORE, PostgreSQL's
    ON CONFLICT DO NOTHING): concurrent writers never fail on each other's rows."""
    from sqlalchemy import insert
    from sqlalchemy.dialects import postgresql

    if dialect_name(session) == POSTGRESQL:
        return postgresql.insert(table).on_conflict_do_nothing()
    return insert(table).prefix_with("OR IGNORE")


def or_ignore(session: AsyncSession, sql: str) -> str:
    """A textual `INSERT OR IGNORE INTO …` statement in the session's spelling."""
    if dialect_name(session) != POSTGRESQL:
        return sql
    head, _, rest = sql.partition("INSERT OR IGNORE INTO ")
    returning = ""
    if " RETURNING " in rest:
        rest, _, returning = rest.partition(" RETURNING ")
        returning = " RETURNING " + returning
    return f"{head}INSERT INTO {rest} ON CONFLICT DO NOTHING{returning}"


def json_ids(session: AsyncSession, param: str) -> str:
    """A FROM item: the integers of the JSON array parameter `:param`, as column `value`.
    (SQLite's json_each; PostgreSQL's json_array_elements_text, cast back to integers.)"""
    if dialect_name(session) == POSTGRESQL:
        return f"(SELECT value::bigint AS value FROM json_array_elements_text(CAST(:{param} AS json)) v)"
    return f"json_each(:{param})"


def json_texts(session: AnySession, param: str) -> str:
    """A FROM item: the strings of the JSON array parameter `:param`, as column `value`."""
    if dialect_name(session) == POSTGRESQL:
        return f"(SELECT value FROM json_array_elements_text(CAST(:{param} AS json)) v)"
    return f"json_each(:{param})"


def glob_operator(session: AnySession) -> str:
    """SQLite's case-sensitive GLOB; on PostgreSQL the regular expression match that
    `glob_pattern` turns the same pattern into."""
    return "~" if dialect_name(session) == POSTGRESQL else "GLOB"


def glob_pattern(session: AnySession, glob: str) -> str:
    """`glob` (`*`, `?`, `[…]`) for `glob_operator`: as is on SQLite, a regular expression on
    PostgreSQL."""
    if dialect_name(session) != POSTGRESQL:
        return glob
    return glob_regex(glob)


def glob_regex(glob: str) -> str:
    """A GLOB pattern as an anchored regular expression (PostgreSQL's `~`)."""
    out = ["^"]
    i = 0
    while i < len(glob):
        char = glob[i]
        if char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        elif char == "[" and "]" in glob[i + 2 :]:
            end = glob.index("]", i + 2)
            out.append("[" + glob[i + 1 : end].replace("\\", "\\\\") + "]")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out) + "$"


async def table_names(session: AsyncSession) -> set[str]:
    """The tables this database has (sqlite_master on SQLite, the search path's on PostgreSQL)."""
    from sqlalchemy import inspect

    return set(await session.run_sync(lambda sync: inspect(sync.connection()).get_table_names()))


def no_limit(session: AsyncSession) -> int | None:
    """The LIMIT parameter that means "all rows" (-1 on SQLite, NULL on PostgreSQL)."""
    return None if dialect_name(session) == POSTGRESQL else -1


def json_objects_aggregate(session: AsyncSession, fields: dict[str, Any]) -> Any:
    """An aggregate of the rows as a JSON array of objects {name: column} (the driver may hand it
    back decoded: see `decoded_json`)."""
    from sqlalchemy import func, text

    pairs = [item for name, column in fields.items() for item in (name, column)]
    if dialect_name(session) == POSTGRESQL:
        return func.coalesce(func.json_agg(func.json_build_object(*pairs)), text("'[]'::json"))
    return func.json_group_array(func.json_object(*pairs))


def decoded_json(raw: Any) -> Any:
    """A JSON value as SQLite hands it (text) or PostgreSQL's driver does (already decoded)."""
    if raw is None or not isinstance(raw, str | bytes):
        return raw
    return json.loads(raw)


def json_rows_aggregate(session: AsyncSession, columns: str) -> str:
    """An aggregate of the rows' `columns` (comma-separated SQL) as one JSON array of arrays."""
    if dialect_name(session) == POSTGRESQL:
        return f"coalesce(json_agg(json_build_array({columns})), '[]'::json)"
    return f"json_group_array(json_array({columns}))"


_INDEXED_BY = re.compile(r"\s+(?:INDEXED BY\s+\w+|NOT INDEXED)\b")
_CROSS_JOIN_ON = re.compile(r"\bCROSS JOIN(\s+\w+(?:\s+(?!ON\b)\w+)?\s+ON\b)")


def planned(session: AsyncSession, sql: str) -> str:
    """A statement of the tag query planner, for the session's backend.

    The planner writes SQLite's plan hints into its SQL: `INDEXED BY` to pick an index and
    `CROSS JOIN … ON` to pin the join order (SQLite's planner guesses badly without statistics).
    PostgreSQL has statistics and its own planner, and neither spelling: there they are dropped,
    which leaves the same query."""
    if dialect_name(session) != POSTGRESQL:
        return sql
    return _postgres_plan(sql)


# PostgreSQL visits every index entry to count them (32x SQLite's page walk at 1M assets): there
# the number of assets is kept in a one-row table (migration 0024) and read instead.
ASSET_COUNT_TABLE = "search_asset_count"
_COUNT_ASSETS = "(SELECT count(*) FROM component_file_properties)"
RECOUNT_ASSETS = f"UPDATE {ASSET_COUNT_TABLE} SET n = {_COUNT_ASSETS}"


def _postgres_plan(sql: str) -> str:
    sql = sql.replace(_COUNT_ASSETS, f"(SELECT n FROM {ASSET_COUNT_TABLE})")
    sql = _CROSS_JOIN_ON.sub(r"JOIN\1", _INDEXED_BY.sub("", sql))
    sql = _NOCASE.sub(r'lower(\1) COLLATE "C"', sql)
    return _distinct_in_order(_MERGED.sub(_merged, sql))


# SQLite's NOCASE folds ASCII letters and compares bytes: lower() in the byte order of "C".
_NOCASE = re.compile(r"([\w.]+) COLLATE NOCASE")
# The planner's merge of sorted id ranges: `(A INTERSECT B EXCEPT C ORDER BY 1 LIMIT n) d`.
_MERGED = re.compile(rf"\((SELECT [^()]*?(?:\([^()]*\)[^()]*?)*) ORDER BY 1 LIMIT {ALL_ROWS}\) d")
_COMPOUND = re.compile(r" (INTERSECT|EXCEPT|UNION ALL|UNION) (?=SELECT )")


_PART = re.compile(r"^SELECT (?:(\w+)\.)?entity_id FROM (\w+)(?: (\w+))?(?: WHERE (.*))?$", re.DOTALL)


def _merged(found: re.Match[str]) -> str:
    """The planner's merge for PostgreSQL: as semi-joins where every part has the simple shape.

    SQLite merges the sorted index ranges and stops at the page's end; PostgreSQL would read
    every range whole for INTERSECT and EXCEPT. Written as the first range with EXISTS / NOT
    EXISTS probes of the others, it walks that range's index in the page's order and stops too.
    Otherwise (a first range of several tags, whose ids repeat) the compound stays, nested."""
    pieces = _COMPOUND.split(found.group(1))
    first = _PART.match(pieces[0])
    if first is None or " IN (" in (first.group(4) or ""):
        return _left_to_right(found)
    table, outer = first.group(2), first.group(3) or "m0"
    conds = [first.group(4)] if first.group(4) else []
    for n in range(1, len(pieces), 2):
        op, part = pieces[n], _PART.match(pieces[n + 1])
        if part is None or op not in ("INTERSECT", "EXCEPT"):
            return _left_to_right(found)
        inner, where = f"p{n}", part.group(4)
        if where and part.group(3):  # the part's own alias, renamed so it cannot shadow the outer one
            where = re.sub(rf"\b{part.group(3)}\.", f"{inner}.", where)
        probe = f"SELECT 1 FROM {part.group(2)} {inner} WHERE {inner}.entity_id = {outer}.entity_id"
        probe += f" AND {where}" if where else ""
        conds.append(f"{'EXISTS' if op == 'INTERSECT' else 'NOT EXISTS'} ({probe})")
    where_sql = " AND ".join(conds) or "TRUE"
    return f"(SELECT {outer}.entity_id FROM {table} {outer} WHERE {where_sql}) d"


def _left_to_right(found: re.Match[str]) -> str:
    """SQLite applies compound operators left to right; PostgreSQL binds INTERSECT tighter than
    EXCEPT and UNION. Each step is nested, so both read `A INTERSECT B EXCEPT C` alike."""
    pieces = _COMPOUND.split(found.group(1))
    query = pieces[0]
    for n in range(1, len(pieces), 2):
        query = f"SELECT entity_id FROM ({query}) m{n} {pieces[n]} {pieces[n + 1]}"
    return f"({query} ORDER BY 1) d"


_DISTINCT_PAGE = re.compile(
    r"^SELECT DISTINCT (?P<cols>[\w.]+) FROM (?P<rest>.+) ORDER BY (?P<order>.+?)(?P<tail> LIMIT .*)?$",
    re.DOTALL,
)


def _top_level_terms(order_by: str) -> list[str]:
    """The terms of an ORDER BY list: split at the commas outside parentheses (a term may be
    `coalesce(x, '9999-12-31') ASC`)."""
    terms, depth, start = [], 0, 0
    for i, char in enumerate(order_by):
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            terms.append(order_by[start:i])
            start = i + 1
    return [*terms, order_by[start:]]


def _distinct_in_order(sql: str) -> str:
    """SQLite's `SELECT DISTINCT id … ORDER BY <other columns>` keeps each id's first row in that
    order; PostgreSQL refuses to order DISTINCT rows by columns it does not return. The same rows
    come from grouping by the id and ordering by each term's first value in its direction."""
    found = _DISTINCT_PAGE.match(sql)
    if found is None:
        return sql
    terms = []
    for term in _top_level_terms(found.group("order")):
        expr, _, direction = term.strip().rpartition(" ")
        if direction.upper() not in ("ASC", "DESC"):
            expr, direction = term.strip(), "ASC"
        terms.append(f"{'max' if direction.upper() == 'DESC' else 'min'}({expr}) {direction}")
    return (
        f"SELECT {found.group('cols')} FROM {found.group('rest')} GROUP BY {found.group('cols')}"
        f" ORDER BY {', '.join(terms)}{found.group('tail') or ''}"
    )


# pg_advisory_xact_lock keys: one per kind of check-then-write that must not interleave between
# workstations.
IMPORT_WRITE_LOCK = 0x0DA3_0002


async def serialize_writers(session: AsyncSession, key: int) -> None:
    """Hold `key` until the transaction ends, so other workstations' transactions that ask for it
    wait for this one's commit. SQLite needs nothing: it has one writer at a time anyway."""
    if dialect_name(session) == POSTGRESQL:
        from sqlalchemy import text

        await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


_GLOB_PARAM = re.compile(r"\bGLOB\s+:(\w+)")
_TAG_ID = re.compile(r"\btag_concept_entity_id = (\d+)\b")


# A page of a walk that reads one tag's links from the (tag, entity) index: the planner's
# tag-ordered walk, its tag walk (alone, or probing the ranges it merges: see `_merged`).
_TAG_DRIVEN_PAGE = re.compile(
    r"^SELECT [^()]*? FROM (?:component_entity_tag_link d\b.* WHERE d\.tag_concept_entity_id"
    r"|\(SELECT m0\.entity_id FROM component_entity_tag_link m0 WHERE tag_concept_entity_id)"
    r" = \d.* LIMIT :\w+",
    re.DOTALL,
)


def _bound_tag_ids(sql: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A page driven by one tag's links, with its tag ids as bind parameters.

    The planner writes each tag's id into its SQL. PostgreSQL plans a statement whose text it has
    not seen each time it runs it (0.7 ms of a two-tag page's 3 at 1M assets), and with the ids
    written in no two queries share a text. Bound, the queries of one shape share it: psycopg
    prepares a text it has run `prepare_threshold` times on a connection, and after five runs the
    server keeps one plan made without the ids (a generic plan) when that looks no dearer.

    That plan takes every tag for an average one (300 links at 1M assets), which is right only
    where the planner has already chosen how to walk: from the rarest tag's links, probing the
    rest per row until the page is full. There a generic plan is the plan made with the ids (a
    two-tag page 0.3-1.2 ms to run, against 0.8-1.9 planned each time). Elsewhere the tag's size
    decides PostgreSQL's plan, and a generic one was 10-40x slower: a popular tag's first screen
    by size sorted its 190k assets (350 ms, not 9) instead of walking the size index,
    `type:image -popular` merged the whole tag (40 ms, not 5); a count from a popular tag probed
    per link where a merge or a hash of the other tags' links costs less (46 ms against 56 for
    two popular tags). Those keep their ids written in (at 1M assets, the bench library). And a
    joined tag far more common than the walk's own is probed per row (`_probed`)."""
    if _TAG_DRIVEN_PAGE.match(sql) is None:
        return sql, params
    numbers = itertools.count()
    bound = dict(params)

    def bind(match: re.Match[str]) -> str:
        name = f"tag_id_{next(numbers)}"
        bound[name] = int(match.group(1))
        return f"tag_concept_entity_id = :{name}"

    return _probed(_TAG_ID.sub(bind, sql)), bound


# A joined tag the planner marked to be probed per row of the walk (`walks.PROBE_MARK`).
_PROBE = re.compile(
    r"\bJOIN component_entity_tag_link (j\d+) ON /\* probe \*/"
    r" (\1\.tag_concept_entity_id = :\w+ AND \1\.entity_id = [\w.]+)"
)


def _probed(sql: str) -> str:
    """Each joined tag marked to be probed, as a test of the walk's own rows the server cannot
    merge or hash: one index lookup per row, made before anything else is read for the row.
    (Planning without the ids, the server takes every tag for an average one and may read a
    popular tag's whole range to merge it with a rare tag's few links.) The subquery's OFFSET 0
    keeps it a filter on the walk's scan: as a lateral join it came after the asset's file
    properties and trash were read, for every row of the walk, most of which the probe rejects
    (a rare tag's 621 links for a page of 100: 1.57 -> 0.72 ms on the server). A walk whose FROM
    holds a subquery keeps the lateral join, its first WHERE not being the walk's."""
    probes: list[str] = []

    def take(found: re.Match[str]) -> str:
        probes.append(f"EXISTS ({_probe(found)})")
        return ""

    stripped = _PROBE.sub(take, sql)
    if not probes:
        return sql
    head, where, tail = stripped.partition(" WHERE ")
    if where and "(" not in head:
        return f"{head}{where}{' AND '.join(probes)} AND {tail}"
    return _PROBE.sub(lambda found: f"CROSS JOIN LATERAL ({_probe(found)}) {found[1]}", sql)


def _probe(found: re.Match[str]) -> str:
    """The marked join's lookup of one row's link, as a subquery the server keeps as it is."""
    return f"SELECT 1 FROM component_entity_tag_link {found[1]} WHERE {found[2]} OFFSET 0"


def portable(session: AsyncSession, sql: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return portable_sql(dialect_name(session), sql, params)


def portable_sql(dialect: str, sql: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A planner's statement and its parameters for the session's backend: `planned`, plus on
    PostgreSQL SQLite's GLOB as a regular expression match (the parameter rewritten by
    `glob_pattern`)."""
    if dialect != POSTGRESQL:
        return sql, params
    sql, params = _bound_tag_ids(_postgres_plan(sql), params)
    globbed = set(_GLOB_PARAM.findall(sql))
    if globbed:
        params = {**params, **{name: glob_regex(str(params[name])) for name in globbed}}
        sql = _GLOB_PARAM.sub(r"~ :\1", sql)
    return sql, params
