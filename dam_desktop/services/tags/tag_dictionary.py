"""Every tag name and alias of a library with the tags it stands for, read in one go.

A shared library's search looks its tag names up on the server before it can plan: a round trip
of its own. With this dictionary at hand the search plans at once from what the names stood for
when it was read, and checks them in the same round trip as its page
(`services.search.remembered_tags`), so a name never searched before costs what a remembered one
does. The dictionary is only ever an assumption: a name it answers wrong (renamed, merged,
re-parented or made since, by this workstation or another) is caught by that check.

It answers as `tag_resolve.resolve_tag_query_names` does: the tags named or aliased by the name,
and every tag below them, with their summed use count. Nothing here imports SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from dam_desktop.services.tags.tag_sql import ALIAS, CONCEPT, PARENT
from dam_desktop.services.tags.tag_types import ResolvedTags

# Past this many tags (or aliases, or parent links) a library is not read whole: about 20 MB of
# names in memory and a first search that waits for them. Its searches look names up as before.
MAX_TAGS = 100_000


def dictionary_statements() -> list[str]:
    """What reads the dictionary (each answers one row more than `MAX_TAGS` if there are more)."""
    return [
        f"SELECT entity_id, tag_name, use_count FROM {CONCEPT} LIMIT {MAX_TAGS + 1}",
        f"SELECT alias_name, entity_id FROM {ALIAS} LIMIT {MAX_TAGS + 1}",
        f"SELECT entity_id, parent_tag_entity_id FROM {PARENT} LIMIT {MAX_TAGS + 1}",
    ]


@dataclass(frozen=True)
class TagDictionary:
    named: dict[str, int]  # a tag's (normalised) name -> its id
    aliased: dict[str, frozenset[int]]  # an alias -> the tags it names
    children: dict[int, tuple[int, ...]]
    uses: dict[int, int]  # every tag's id -> its use count
    _resolved: dict[str, ResolvedTags] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_rows(
        cls, tags: Sequence[Any], aliases: Sequence[Any], parents: Sequence[Any]
    ) -> TagDictionary | None:
        """From the rows of `dictionary_statements`, in order; None for a library too large."""
        if max(len(tags), len(aliases), len(parents)) > MAX_TAGS:
            return None
        aliased: dict[str, set[int]] = {}
        for name, tag_id in aliases:
            aliased.setdefault(str(name), set()).add(int(tag_id))
        children: dict[int, list[int]] = {}
        for child, parent in parents:
            children.setdefault(int(parent), []).append(int(child))
        return cls(
            named={str(name): int(tag_id) for tag_id, name, _ in tags},
            aliased={name: frozenset(ids) for name, ids in aliased.items()},
            children={parent: tuple(ids) for parent, ids in children.items()},
            uses={int(tag_id): max(0, int(use or 0)) for tag_id, _, use in tags},
        )

    def resolve(self, normalized: str) -> ResolvedTags:
        """What the (normalised) name stood for when the dictionary was read; empty if nothing."""
        if (known := self._resolved.get(normalized)) is not None:
            return known
        seeds = set(self.aliased.get(normalized, ()))
        if (tag_id := self.named.get(normalized)) is not None:
            seeds.add(tag_id)
        below, stack = set(seeds), list(seeds)
        while stack:  # a cycle cannot loop: a tag already reached is not walked again
            for child in self.children.get(stack.pop(), ()):
                if child not in below:
                    below.add(child)
                    stack.append(child)
        ids = frozenset(i for i in below if i in self.uses)  # as the lookup's join to the tags
        resolved = ResolvedTags(ids, sum(self.uses[i] for i in ids))
        self._resolved[normalized] = resolved
        return resolved
