"""Result orders shared by search and the grid.

`SortKey` has the same values as the browser's `BrowseSort` ("added", "name", "size", "type") and
the same ORDER BY, so a grid filled from `search_service.search` keeps the order the user picked:
`SortKey(browse_sort.value)` converts. Every order ends on the entity id so pages never overlap.

"Date added" is entity id order: ids are handed out in insertion order, so newest first by id is
newest first by insertion. The entities table and a tag's range of the (tag, entity) link index
already list entities in that order, so a page of the default order needs no sort.
"""

from __future__ import annotations

import enum


class SortKey(enum.Enum):
    ADDED = "added"
    NAME = "name"
    SIZE = "size"
    TYPE = "type"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def default_descending(self) -> bool:
        """Newest and largest first; names and types A to Z."""
        return self in (SortKey.ADDED, SortKey.SIZE)

    def order_by(self, descending: bool, id_column: str = "e.id") -> str:
        """ORDER BY terms over the aliases `e` (entities) and `fp` (component_file_properties).

        `id_column` is where the date order reads the entity id: a walk over another table's
        entity ids (a tag link's) names its own column, so SQLite sees the rows come in order.
        """
        return _ORDER_SQL[self].format(d="DESC" if descending else "ASC", id=id_column)

    def key_columns(self) -> tuple[str, ...]:
        """The values a page's last row gives its successor's keyset bound (see `after`), read
        beside the entity id; "date added" needs none but the id."""
        return _KEY_VALUES[self]

    def after(self, descending: bool, order_of: str = "{}", id_column: str = "e.id") -> str:
        """A keyset bound: rows after the one whose key values are bound as `:after_0`, ... and
        whose entity id is `:after_id`, in this order. `order_of` formats an entity id as the
        value of `id_column` that comes first for that entity (the text walk's rowids)."""
        if self is SortKey.ADDED:
            if descending:
                return f"{id_column} < {order_of.format(':after_id')}"
            return f"{id_column} >= {order_of.format('(:after_id + 1)')}"
        terms = [*_KEY_TERMS[self], "fp.entity_id"]
        bound = [*(f":after_{n}" for n in range(len(terms) - 1)), ":after_id"]
        return f"({', '.join(terms)}) {'<' if descending else '>'} ({', '.join(bound)})"

    @property
    def uses_index(self) -> bool:
        """Whether the first rows of this order can be read from an index without sorting everything."""
        return self is SortKey.ADDED


_LABELS = {
    SortKey.ADDED: "Date added",
    SortKey.NAME: "Name",
    SortKey.SIZE: "Size",
    SortKey.TYPE: "Type",
}

# The columns whose values (besides the entity id) place a row in each order, as `after` binds them.
_KEY_VALUES: dict[SortKey, tuple[str, ...]] = {
    SortKey.ADDED: (),
    SortKey.NAME: ("fp.original_filename",),
    SortKey.SIZE: ("fp.file_size_bytes",),
    SortKey.TYPE: ("fp.asset_type", "fp.file_extension", "fp.original_filename"),
}

# The same orders' terms before the entity id, compared as one row value in a keyset bound.
_KEY_TERMS: dict[SortKey, tuple[str, ...]] = {
    SortKey.ADDED: (),
    SortKey.NAME: ("fp.original_filename COLLATE NOCASE",),
    SortKey.SIZE: ("fp.file_size_bytes",),
    SortKey.TYPE: ("fp.asset_type", "fp.file_extension", "fp.original_filename COLLATE NOCASE"),
}

# The other orders end on `fp.entity_id` (equal to `e.id`), so they need no join to entities.
_ORDER_SQL = {
    SortKey.ADDED: "{id} {d}",
    SortKey.NAME: "fp.original_filename COLLATE NOCASE {d}, fp.entity_id {d}",
    SortKey.SIZE: "fp.file_size_bytes {d}, fp.entity_id {d}",
    SortKey.TYPE: (
        "fp.asset_type {d}, fp.file_extension {d}, fp.original_filename COLLATE NOCASE {d}, fp.entity_id {d}"
    ),
}
