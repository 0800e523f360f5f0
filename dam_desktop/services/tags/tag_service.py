"""Tags: concepts, manual links, aliases, parents (spec §2.7), under one name for their callers.

The work is done in modules with one job each; this module gathers their public functions so that
`tag_service.add_tags(...)` reads the same wherever it is called:

- `tag_types`: values (`TagInfo`, `TagEdit`, ...), errors and the rules for a tag's name;
- `tag_sql`: the tables and the one SELECT that reads a tag;
- `tag_concepts`: finding and creating tags, reading them, autocomplete;
- `tag_links`: manual tags on assets, in bulk, and their undo;
- `tag_edits`: rename, merge, delete, details, aliases;
- `tag_hierarchy`: parent tags, without cycles;
- `tag_resolve`: what a query's tag term stands for.

Functions flush but never commit: the caller (a use case) owns the transaction.
"""

from __future__ import annotations

from dam_desktop.services.tags.tag_concepts import (
    autocomplete,
    find_tag,
    get_or_create_tag_concept,
    get_or_create_tag_concepts,
    get_tag,
    list_tags,
    require_tag,
    usage_counts,
)
from dam_desktop.services.tags.tag_edits import (
    add_alias,
    aliases_of,
    delete_tag,
    merge_tags,
    remove_alias,
    rename_tag,
    set_tag_details,
)
from dam_desktop.services.tags.tag_hierarchy import add_parent, children_of, parents_of, remove_parent
from dam_desktop.services.tags.tag_links import (
    add_tag_ids,
    add_tags,
    drop_links,
    remove_tag_ids,
    remove_tags,
    restore_links,
    tags_of_entities,
    tags_of_selection,
)
from dam_desktop.services.tags.tag_resolve import (
    resolve_tag_pattern,
    resolve_tag_query_name,
    resolve_tag_query_names,
)
from dam_desktop.services.tags.tag_sql import ALIAS, CONCEPT, LINK, LINK_BY_TAG, MODEL_LINK, PARENT
from dam_desktop.services.tags.tag_types import (
    ResolvedTags,
    SelectionTags,
    TagCycleError,
    TagEdit,
    TagError,
    TagInfo,
    TagNameError,
    TagNotFoundError,
    namespace_of,
    normalize_tag_name,
)

__all__ = [
    "ALIAS",
    "CONCEPT",
    "LINK",
    "LINK_BY_TAG",
    "MODEL_LINK",
    "PARENT",
    "ResolvedTags",
    "SelectionTags",
    "TagCycleError",
    "TagEdit",
    "TagError",
    "TagInfo",
    "TagNameError",
    "TagNotFoundError",
    "add_alias",
    "add_parent",
    "add_tag_ids",
    "add_tags",
    "aliases_of",
    "autocomplete",
    "children_of",
    "delete_tag",
    "drop_links",
    "find_tag",
    "get_or_create_tag_concept",
    "get_or_create_tag_concepts",
    "get_tag",
    "list_tags",
    "merge_tags",
    "namespace_of",
    "normalize_tag_name",
    "parents_of",
    "remove_alias",
    "remove_parent",
    "remove_tag_ids",
    "remove_tags",
    "rename_tag",
    "require_tag",
    "resolve_tag_pattern",
    "resolve_tag_query_name",
    "resolve_tag_query_names",
    "restore_links",
    "set_tag_details",
    "tags_of_entities",
    "tags_of_selection",
    "usage_counts",
]
