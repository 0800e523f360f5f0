"""Result orders shared by search and the grid.

`SortKey` has the same values as the browser's `BrowseSort` ("added", "name", "size", "type") and
the same ORDER BY, so a grid filled from `search_service.search` keeps the order the user picked:
`SortKey(browse_sort.value)` converts. Every order ends on the entity id so pages never overlap.
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

    def order_by(self, descending: bool) -> str:
        """ORDER BY terms over the aliases `e` (entities) and `fp` (component_file_properties)."""
        return _ORDER_SQL[self].format(d="DESC" if descending else "ASC")

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

# `e.id` equals `fp.entity_id`; naming it through `e` lets SQLite walk the created_at index
# (which carries the rowid) for the default order instead of sorting.
_ORDER_SQL = {
    SortKey.ADDED: "e.created_at {d}, e.id {d}",
    SortKey.NAME: "fp.original_filename COLLATE NOCASE {d}, fp.entity_id {d}",
    SortKey.SIZE: "fp.file_size_bytes {d}, fp.entity_id {d}",
    SortKey.TYPE: (
        "fp.asset_type {d}, fp.file_extension {d}, fp.original_filename COLLATE NOCASE {d}, fp.entity_id {d}"
    ),
}
