"""Result orders shared by search and the grid.

`SortKey` has the same values as the browser's `BrowseSort` ("added", "name", "size", "type",
"taken", "dimensions", "duration", "rating") and the same ORDER BY, so a grid filled from
`search_service.search` keeps the order the user picked: `SortKey(browse_sort.value)` converts.
Every order ends on the entity id so pages never overlap.

"Date added" is entity id order: ids are handed out in insertion order, so newest first by id is
newest first by insertion. The entities table and a tag's range of the (tag, entity) link index
already list entities in that order, so a page of the default order needs no sort.

Date taken, dimensions (width × height), duration and rating are the file properties' `sort_*`
copies of other components' facts. An asset lacking one (a sound's dimensions, an unrated asset)
comes last in both directions: the order reads the column with a missing value replaced by the
direction's last value, which is what that direction's index holds.
"""

from __future__ import annotations

import enum


class SortKey(enum.Enum):
    ADDED = "added"
    NAME = "name"
    SIZE = "size"
    TYPE = "type"
    TAKEN = "taken"
    DIMENSIONS = "dimensions"
    DURATION = "duration"
    RATING = "rating"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def default_descending(self) -> bool:
        """Newest, largest, longest and best rated first; names and types A to Z."""
        return self not in (SortKey.NAME, SortKey.TYPE)

    @property
    def media_column(self) -> str | None:
        """The file properties' copy of another component's fact this order reads, if any."""
        return _MEDIA_COLUMNS.get(self)

    def order_by(self, descending: bool, id_column: str = "e.id") -> str:
        """ORDER BY terms over the aliases `e` (entities) and `fp` (component_file_properties).

        `id_column` is where the date order reads the entity id: a walk over another table's
        entity ids (a tag link's) names its own column, so SQLite sees the rows come in order.
        """
        d = "DESC" if descending else "ASC"
        if self is SortKey.ADDED:
            return f"{id_column} {d}"
        return ", ".join(f"{term} {d}" for term in (*self._terms(descending), "fp.entity_id"))

    def key_columns(self, descending: bool = False) -> tuple[str, ...]:
        """The values a page's last row gives its successor's keyset bound (see `after`), read
        beside the entity id; "date added" needs none but the id."""
        column = self.media_column
        return _KEY_VALUES[self] if column is None else (missing_last(column, descending),)

    def _terms(self, descending: bool) -> tuple[str, ...]:
        column = self.media_column
        return _KEY_TERMS[self] if column is None else (missing_last(column, descending),)

    def after(self, descending: bool, order_of: str = "{}", id_column: str = "e.id") -> str:
        """A keyset bound: rows after the one whose key values are bound as `:after_0`, ... and
        whose entity id is `:after_id`, in this order. `order_of` formats an entity id as the
        value of `id_column` that comes first for that entity (the text walk's rowids)."""
        if self is SortKey.ADDED:
            if descending:
                return f"{id_column} < {order_of.format(':after_id')}"
            return f"{id_column} >= {order_of.format('(:after_id + 1)')}"
        terms = [*self._terms(descending), "fp.entity_id"]
        bound = [*(f":after_{n}" for n in range(len(terms) - 1)), ":after_id"]
        return f"({', '.join(terms)}) {'<' if descending else '>'} ({', '.join(bound)})"

    @property
    def uses_index(self) -> bool:
        """Whether the first rows of this order can be read from an index without sorting everything."""
        return self is SortKey.ADDED


def missing_last(column: str, descending: bool) -> str:
    """`fp.column` with a missing value counted as coming after every value in this direction
    (the expression the direction's index holds, written alike so SQLite matches them)."""
    ascending_missing, descending_missing = MISSING_SORTS_AS[column]
    return f"coalesce(fp.{column}, {descending_missing if descending else ascending_missing})"


_LABELS = {
    SortKey.ADDED: "Date added",
    SortKey.NAME: "Name",
    SortKey.SIZE: "Size",
    SortKey.TYPE: "Type",
    SortKey.TAKEN: "Date taken",
    SortKey.DIMENSIONS: "Dimensions",
    SortKey.DURATION: "Duration",
    SortKey.RATING: "Rating",
}

# What a missing fact counts as, per column: (ascending: after every value, descending: before
# every value). The indexes of migration 0021 hold these same expressions.
MISSING_SORTS_AS: dict[str, tuple[str, str]] = {
    "sort_taken_at": ("'9999-12-31 23:59:59'", "'0001-01-01 00:00:00'"),
    "sort_pixels": ("9223372036854775807", "-1"),
    "sort_duration": ("1e308", "-1.0"),
    "sort_rating": ("99", "-1"),
}

_MEDIA_COLUMNS = {
    SortKey.TAKEN: "sort_taken_at",
    SortKey.DIMENSIONS: "sort_pixels",
    SortKey.DURATION: "sort_duration",
    SortKey.RATING: "sort_rating",
}

# The columns whose values (besides the entity id) place a row in each order, as `after` binds them.
# A name is read as the order compares it: the same value on SQLite, where NOCASE only compares;
# folded on PostgreSQL, where NOCASE becomes lower(), so a bound of "A.png" is not taken for one
# before every "a.png" (the next page would start over, and a streamed result never end).
_KEY_VALUES: dict[SortKey, tuple[str, ...]] = {
    SortKey.ADDED: (),
    SortKey.NAME: ("fp.original_filename COLLATE NOCASE",),
    SortKey.SIZE: ("fp.file_size_bytes",),
    SortKey.TYPE: ("fp.asset_type", "fp.file_extension", "fp.original_filename COLLATE NOCASE"),
}

# The same orders' terms before the entity id, compared as one row value in a keyset bound.
_KEY_TERMS: dict[SortKey, tuple[str, ...]] = {
    SortKey.ADDED: (),
    SortKey.NAME: ("fp.original_filename COLLATE NOCASE",),
    SortKey.SIZE: ("fp.file_size_bytes",),
    SortKey.TYPE: ("fp.asset_type", "fp.file_extension", "fp.original_filename COLLATE NOCASE"),
}
