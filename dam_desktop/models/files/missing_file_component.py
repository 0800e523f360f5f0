from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from dam_desktop.core.schema_names import MISSING_FILE_TABLE
from dam_desktop.core.schema_names import PROBLEM_CHANGED as PROBLEM_CHANGED  # `MissingFileComponent.problem`
from dam_desktop.core.schema_names import PROBLEM_MISSING as PROBLEM_MISSING
from dam_desktop.models.core.base_component import BaseComponent


class MissingFileComponent(BaseComponent):
    """At the last check for missing files, none of the asset's locations held its file.

    Kept so the grid can mark the asset and `has:missing-file` can find it without touching the
    disk again. The check writes and clears it; relinking the file, or importing it again, clears
    it. An asset that still opens from another copy is not marked, even if one location is stale.
    """

    __tablename__ = MISSING_FILE_TABLE
    single_per_entity = True

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (UniqueConstraint("entity_id"),)

    problem: Mapped[str] = mapped_column(String(16), index=True)
    # Why, in words a user can act on ("its folder is gone too ..."); the path is kept apart.
    reason: Mapped[str] = mapped_column(String(2000))
    # Where the file was expected, as `FileLocationComponent.path` stores it.
    path: Mapped[str] = mapped_column(String(4096))
    storage_type: Mapped[str] = mapped_column(String(16))
    checked_at: Mapped[datetime] = mapped_column(
        DateTime, server_default=func.current_timestamp(), init=False
    )
