"""Names in the schema that code reading a library without the ORM needs too: the sort orders'
indexes, the marks' vocabularies, the missing-file mark's table and problems.

The models take these from here, so the tag query compiler (which the command line runs on plain
sqlite3, before or without SQLAlchemy) spells them the same without loading the models.
"""

from __future__ import annotations

# The grid's orders other than "date added" (`SortKey`): see `FilePropertiesComponent`.
NAME_ORDER = "ix_file_properties_name_order"  # (original_filename COLLATE NOCASE, entity_id)
SIZE_ORDER = "ix_file_properties_size_order"  # (file_size_bytes, entity_id)
TYPE_ORDER = "ix_file_properties_type_order"  # (asset_type, file_extension, name NOCASE, entity_id)

# Date taken, dimensions (pixel count), duration and rating: facts of other components, copied
# into the file properties by triggers (migration 0021) so that every walk of the planner orders by
# a column of `fp` as it does for the orders above. An asset lacking the fact (a sound's
# dimensions, an unrated asset's rating) holds NULL and comes last in both directions: each order
# has two indexes, one per direction, over the column with the missing value replaced by the
# direction's last value (`sorting.MISSING_SORTS_AS`), then the entity id and the column itself:
# SQLite 3.40 reads an index on an expression as covering (a page without a lookup into the table
# per row) only when it holds the column (migration 0025). The keys name them by (column,
# descending).
MEDIA_ORDER_INDEXES: dict[tuple[str, bool], str] = {
    (column, descending): f"ix_file_properties_{column}_{'desc' if descending else 'asc'}"
    for column in ("sort_taken_at", "sort_pixels", "sort_duration", "sort_rating")
    for descending in (False, True)
}
SORT_ORDER_INDEXES = frozenset({NAME_ORDER, SIZE_ORDER, TYPE_ORDER, *MEDIA_ORDER_INDEXES.values()})

# `AssetMarksComponent`: stars, colour labels and flags.
MAX_RATING = 5
LABELS = ("red", "orange", "yellow", "green", "blue", "purple", "gray")
FLAGS = ("pick", "reject")

# `MissingFileComponent`
MISSING_FILE_TABLE = "component_missing_file"
PROBLEM_MISSING = "missing"  # no file where the library expects it
PROBLEM_CHANGED = "changed"  # a file is there, but not the one that was imported (its size differs)
