"""What an import reports: its progress while it runs, and the outcome with every failure's reason."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ImportFailure:
    path: str  # display-safe: bytes that are not UTF-8 appear as \xNN
    reason: str


@dataclass
class ImportProgress:
    done: int
    total: int
    current_path: str
    # Assets written since the previous progress call, each with its thumbnail in place (or a
    # NeedsThumbnailMarker recording why not).
    new_entity_ids: list[int]


@dataclass
class ImportReport:
    imported: list[int] = field(default_factory=list)
    duplicates: int = 0
    failed: list[ImportFailure] = field(default_factory=list)
    cancelled: bool = False
    total_files: int = 0
    # Files that are neither images nor sounds, or already in the library's trash: not errors.
    skipped: list[ImportFailure] = field(default_factory=list)
    # Hidden and system files left out by the rules.
    ignored: int = 0
    # New assets whose thumbnail could not be made during the import (marked NeedsThumbnail).
    thumbnails_pending: list[int] = field(default_factory=list)
    # Assets whose damaged stored copy this import replaced with the original's bytes.
    repaired: list[int] = field(default_factory=list)
    # Why the import stopped early: the library could not be written (a full disk, a read-only
    # library). Files imported before that are kept; None when it ran to the end.
    stopped: str | None = None

    @property
    def thumbnails_made(self) -> int:
        return len(self.imported) - len(self.thumbnails_pending)
