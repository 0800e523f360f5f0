"""A query's result read a page at a time: the SQL of its first page, of the page after any row
(keyset paging), and of its count, with the parameters they share.

The window shows the first screen of a result as soon as that page is read and streams the rest;
the count runs beside it. Each page after the first starts after the previous page's last row
(`SortKey.after`), so page 100 of a 655k-id result costs what page 1 does, where OFFSET would
read and drop every row before it. The statements are plain SQL with named parameters: a
`PagedQuery` is built where the query is compiled (the world's session: tag names are looked up)
and run on any connection, plain sqlite3 included. Nothing here imports SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dam_desktop.services.search.sorting import SortKey

if TYPE_CHECKING:
    from dam_desktop.services.browse.browse_sql import IdArray

Row = tuple[Any, ...]

# Each page four times the last, up to this: few statements for a big result, each short enough to
# stop soon when cancelled.
MAX_PAGE = 256_000
# "Every row" as a LIMIT both backends take (SQLite's -1 is an error on PostgreSQL; the same value
# as `core.sql_dialect.ALL_ROWS`, which this module does not import: it names no SQLAlchemy).
ALL_ROWS = 2**63 - 1


def following_limit(sort: SortKey, previous: int) -> int | None:
    """How many rows to read after a page of `previous` rows; None: all the rest at once, where no
    index gives the order and every page would sort the whole result again (the broad result by
    name at 1M: 14 s in growing pages under load, one sort instead)."""
    return min(previous * 4, MAX_PAGE) if sort.uses_index else None


@dataclass(frozen=True)
class PagedQuery:
    """How to read one result page by page. Each page's rows are the entity id, then the values
    `sort.key_columns(descending)` names (the next page's bound)."""

    first_sql: str  # the first page (`:limit` rows)
    next_sql: str  # the `:limit` rows after the row bound as `bound_params` says
    rest_sql: str  # every row after it (the entity id alone): one sort where no index orders
    count_sql: str  # how many match, exactly
    params: dict[str, Any]  # the query's own parameters
    sort: SortKey
    estimate: int  # about how many match (the planner's guess: the count before the count)

    def first(self, limit: int) -> tuple[str, dict[str, Any]]:
        return self.first_sql, {**self.params, "limit": int(limit), "offset": 0}

    def after(self, row: Row, limit: int | None) -> tuple[str, dict[str, Any]]:
        """The page of `limit` rows after `row` (a row of the previous page); None: all of them."""
        sql, rows = (self.rest_sql, ALL_ROWS) if limit is None else (self.next_sql, int(limit))
        return sql, {**self.params, **bound_params(row), "limit": rows, "offset": 0}

    def count(self) -> tuple[str, dict[str, Any]]:
        return self.count_sql, dict(self.params)


def bound_params(row: Row) -> dict[str, Any]:
    """`SortKey.after`'s parameters for the row (entity id, key values...)."""
    return {"after_id": int(row[0]), **{f"after_{n}": value for n, value in enumerate(row[1:])}}


def page_columns(sort: SortKey, descending: bool = False) -> str:
    return ", ".join(("fp.entity_id", *sort.key_columns(descending)))


def last_row(rows: Sequence[Row]) -> Row | None:
    return tuple(rows[-1]) if rows else None


@dataclass(frozen=True)
class PageCursor:
    """Where a result's next page starts."""

    query: PagedQuery
    after: Row


@dataclass(frozen=True)
class ResultPage:
    ids: IdArray
    next: PageCursor | None  # None: this page ended the result


@dataclass(frozen=True)
class StreamedResult:
    """A result's first page, and the query to read the rest and the count from."""

    first: ResultPage
    query: PagedQuery

    @property
    def estimate(self) -> int:
        """About how many match: exact when the first page was all of them."""
        if self.first.next is None:
            return len(self.first.ids)
        return max(self.query.estimate, len(self.first.ids) + 1)
