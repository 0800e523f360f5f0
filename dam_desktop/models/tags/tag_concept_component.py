from __future__ import annotations

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dam_desktop.models.core.base_component import BaseComponent

# PostgreSQL only (migration 0032): a trigram index over the folded names, for the word ranking,
# and byte-order indexes for autocomplete's prefixes (SQLite's GLOB reads the unique indexes
# themselves). The models cannot say "on one dialect", so the comparison of models and migrations
# leaves them out.
POSTGRESQL_NAME_INDEXES = frozenset(
    {
        "ix_component_tag_concept_name_folded",
        "ix_component_tag_concept_name_pattern",
        "ix_component_tag_concept_local_name_pattern",
        "ix_component_tag_concept_namespace_pattern",
        "ix_component_tag_alias_name_pattern",
    }
)


class TagConceptComponent(BaseComponent):
    """A canonical tag, stored once, on an entity that stands for the tag itself (spec §2.7).

    `tag_name` is the full name including any namespace (`character:alice`); `namespace` repeats
    the part before the first colon so namespaces can be listed and filtered cheaply.
    """

    __tablename__ = "component_tag_concept"
    single_per_entity = True

    tag_name: Mapped[str] = mapped_column(String(255), unique=True)
    namespace: Mapped[str | None] = mapped_column(String(128), default=None, index=True)
    tag_description: Mapped[str | None] = mapped_column(Text, default=None)
    color: Mapped[str | None] = mapped_column(String(16), default=None)
    # How many non-trashed entities carry this tag as a manual link. Kept exact by SQLite triggers
    # (migration 0004) so autocomplete and the sidebar rank tags without counting 6M link rows.
    use_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0", init=False)
