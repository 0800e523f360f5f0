"""What the tag services hand out: tag values, edits, errors, and the rules for a tag's name.

A tag's name is normalised (trimmed, lower-case, inner whitespace collapsed); `character:alice`
has the namespace `character`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The errors cross layers (the window and the CLI show them), so they live with the kernel's.
from dam_desktop.core.errors import TagCycleError as TagCycleError
from dam_desktop.core.errors import TagError as TagError
from dam_desktop.core.errors import TagNameError as TagNameError
from dam_desktop.core.errors import TagNotFoundError as TagNotFoundError
from dam_desktop.services.search.tag_query.errors import is_surrogate, shown


@dataclass(frozen=True)
class TagInfo:
    id: int  # the tag's entity id
    name: str
    namespace: str | None
    use_count: int
    description: str | None = None
    color: str | None = None


@dataclass(frozen=True)
class TagEdit:
    """What a bulk edit actually changed: (entity id, tag id, value) triples; enough to undo it."""

    links: tuple[tuple[int, int, str | None], ...]

    def __len__(self) -> int:
        return len(self.links)


@dataclass(frozen=True)
class SelectionTags:
    """Tags of a multi-selection: those every selected entity carries, and those only some carry."""

    all: list[TagInfo]
    some: list[tuple[TagInfo, int]]  # with how many of the selection carry it


@dataclass(frozen=True)
class ResolvedTags:
    """The tags a query term stands for, descendants included, and their summed use count."""

    ids: frozenset[int]
    use_count: int


WHITESPACE = re.compile(r"\s+")


def normalize_tag_name(name: str) -> str:
    """`  Character : Alice ` -> `character:alice`. Raises TagNameError for names that cannot be tags."""
    cleaned = WHITESPACE.sub(" ", name.strip().lower())
    if ":" in cleaned:
        ns, _, rest = cleaned.partition(":")
        cleaned = f"{ns.strip()}:{rest.strip()}"
    if not cleaned or cleaned == ":" or cleaned.endswith(":"):
        raise TagNameError(f"'{name}' is not a usable tag name")
    if len(cleaned) > 255:
        raise TagNameError(f"tag names are at most 255 characters ('{cleaned[:40]}...')")
    if any(is_surrogate(ch) for ch in cleaned):
        # Bytes that are not UTF-8 arrive as lone surrogates (a shell passing a Latin-1 name): the
        # database cannot store them.
        raise TagNameError(f"'{shown(cleaned)}' is not a usable tag name: it holds bytes that are not UTF-8")
    return cleaned


def namespace_of(name: str) -> str | None:
    ns, sep, _ = name.partition(":")
    return ns if sep and ns else None
