from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from dam_desktop.models.core.base_component import BaseComponent


class TrashedComponent(BaseComponent):
    """The asset was removed from the library and sits in the library trash, restorable.

    Trashed assets keep all their components (tags included) so a restore loses nothing; every
    listing and search leaves them out. Emptying the trash deletes the entity for good.
    """

    __tablename__ = "component_trashed"
    single_per_entity = True

    trashed_at: Mapped[datetime] = mapped_column(
        DateTime, server_default=func.current_timestamp(), init=False
    )
    # Library-relative paths of managed copies moved into trash/, so restore can move them back.
    moved_files: Mapped[str | None] = mapped_column(String(8192), default=None)
