"""The duplicate review (Library › Find Duplicates…, `ui/duplicates/menu.py`): near-duplicate
groups side by side, and what to do with them.

Each group shows its members best first (the largest resolution, then a lossless format, then the
oldest) with resolution, size, format and date; sounds can be played. "Keep Best" keeps a group's
best, gives it the others' tags and moves the others to the trash; "Keep Best in All Groups" does
that for every group shown; "Undo" takes the last of these back (the trashed return, the merged
tags go). The finding and the resolving run on the world thread through the duplicates use cases;
pictures are decoded off the GUI thread.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from dam_desktop.ui.duplicates.member_card import CARD_WIDTH, PICTURE, MemberCard
from dam_desktop.ui.image_decode import decode_thumbnails
from dam_desktop.ui.tasks import TaskSet
from dam_desktop.ui.world_client import WorldClient
from dam_desktop.use_cases.duplicates import (
    AUDIO_THRESHOLD,
    IMAGE_THRESHOLD,
    AssetKind,
    DuplicateGroup,
    Resolution,
    find_duplicates,
    resolve_keep_best,
    sound_files,
    undo_resolution,
)
from dam_desktop.use_cases.library import thumbnail_paths

if TYPE_CHECKING:
    from dam_desktop.ui.window.main_window import MainWindow

DUPLICATES_VIEW = "duplicates"
COLUMNS = 4  # cards per row in a group until the view knows its width
CARD_SPACING = 10
SHOWN_GROUPS = 200  # more would be thousands of widgets; the rest wait for the next Find
# (kind, label, threshold range, default, unit, what the threshold means)
KINDS: tuple[tuple[AssetKind, str, int, int, str, str], ...] = (
    ("image", "Images", 32, IMAGE_THRESHOLD, " bits", "how many of the 64 perceptual-hash bits may differ"),
    (
        "audio",
        "Sounds",
        30,
        AUDIO_THRESHOLD,
        " %",
        "how far (in hundredths) the fingerprint similarity may fall below 1",
    ),
)


class GroupBox(QFrame):
    keep_best_requested = Signal(object)  # the DuplicateGroup

    def __init__(self, number: int, group: DuplicateGroup, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.group = group
        self.setObjectName("duplicateGroup")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        header = QHBoxLayout()
        self.title = QLabel(f"Group {number} · {len(group.members)} alike", self)
        self.title.setObjectName("duplicateGroupTitle")
        self.keep_button = QPushButton("Keep Best", self)
        self.keep_button.setToolTip(
            "Keep the marked one, give it the others' tags, move the others to the trash"
        )
        self.keep_button.clicked.connect(lambda: self.keep_best_requested.emit(self.group))
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.keep_button)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(CARD_SPACING)
        self.grid.setVerticalSpacing(CARD_SPACING)
        self.cards = [MemberCard(m, group.kind, n == 0, self) for n, m in enumerate(group.members)]
        self.columns = 0
        self.arrange(COLUMNS)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(self.grid)

    def arrange(self, columns: int) -> None:
        """Lay the cards out in rows of `columns` (the view fits them to its width)."""
        if columns == self.columns:
            return
        for card in self.cards:
            self.grid.removeWidget(card)
        for column in range(max(columns, self.columns) + 1):
            self.grid.setColumnStretch(column, 0)
        for n, card in enumerate(self.cards):
            self.grid.addWidget(card, n // columns, n % columns)
        self.grid.setColumnStretch(columns, 1)
        self.columns = columns


class DuplicatesView(QWidget):
    groups_shown = Signal()

    def __init__(self, client: WorldClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("duplicatesView")
        self.client = client
        self.tasks = TaskSet()
        self.groups: list[DuplicateGroup] = []
        self.boxes: list[GroupBox] = []
        self.undo_stack: list[Resolution] = []
        self.busy = False

        self.kind_box = QComboBox(self)
        for kind, label, *_ in KINDS:
            self.kind_box.addItem(label, kind)
        self.threshold = QSpinBox(self)
        self.kind_box.currentIndexChanged.connect(self._kind_changed)
        self.find_button = QPushButton("Find", self)
        self.find_button.setDefault(True)
        self.find_button.clicked.connect(lambda: self.tasks.spawn(self.look()))
        self.keep_all_button = QPushButton("Keep Best in All Groups", self)
        self.keep_all_button.clicked.connect(lambda: self.tasks.spawn(self.keep_best(list(self.groups))))
        self.undo_button = QPushButton(
            self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowBack), "Undo", self
        )
        self.undo_button.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_button.clicked.connect(lambda: self.tasks.spawn(self.undo()))
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Find near-duplicate", self))
        controls.addWidget(self.kind_box)
        controls.addWidget(QLabel("within", self))
        controls.addWidget(self.threshold)
        controls.addWidget(self.find_button)
        controls.addStretch(1)
        controls.addWidget(self.undo_button)
        controls.addWidget(self.keep_all_button)
        self.status = QLabel("Choose Find to look for near-duplicates.", self)
        self.status.setObjectName("dimLabel")
        self.status.setWordWrap(True)

        self.list_widget = QWidget(self)
        self.list_layout = QVBoxLayout(self.list_widget)
        self.list_layout.setContentsMargins(0, 0, 0, 0)
        self.list_layout.setSpacing(12)
        self.list_layout.addStretch(1)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(self.list_widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addLayout(controls)
        layout.addWidget(self.status)
        layout.addWidget(self.scroll_area, 1)
        self._kind_changed()
        self._update_buttons()

    def columns(self) -> int:
        """How many cards fit side by side in the list's width (a group's frame takes ~30 px)."""
        width = self.scroll_area.viewport().width() - 30
        return max(1, (width + CARD_SPACING) // (CARD_WIDTH + CARD_SPACING))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        columns = self.columns()
        for box in self.boxes:
            box.arrange(columns)

    @property
    def kind(self) -> AssetKind:
        kind: AssetKind = self.kind_box.currentData()
        return kind

    def _kind_changed(self) -> None:
        _, _, top, default, unit, meaning = KINDS[self.kind_box.currentIndex()]
        self.threshold.setRange(0, top)
        self.threshold.setSuffix(unit)
        self.threshold.setValue(default)
        self.threshold.setToolTip(meaning)

    def _update_buttons(self) -> None:
        self.find_button.setEnabled(not self.busy)
        self.keep_all_button.setEnabled(not self.busy and bool(self.groups))
        self.undo_button.setEnabled(not self.busy and bool(self.undo_stack))
        for box in self.boxes:
            box.keep_button.setEnabled(not self.busy)

    async def look(self) -> None:
        kind, threshold = self.kind, self.threshold.value()
        self.busy = True
        self._update_buttons()
        self.status.setText("Looking for near-duplicates…")
        try:
            groups = await self.client.call(lambda world: find_duplicates(world, kind, threshold))
        except Exception as exc:
            self.status.setText(getattr(exc, "user_message", None) or f"Could not look: {exc}")
            return
        finally:
            self.busy = False
            self._update_buttons()
        await self.show_groups(groups)

    async def show_groups(self, groups: list[DuplicateGroup]) -> None:
        for box in self.boxes:
            box.setParent(None)
            box.deleteLater()
        self.groups = groups[:SHOWN_GROUPS]
        self.boxes = []
        for number, group in enumerate(self.groups, start=1):
            box = GroupBox(number, group, self.list_widget)
            box.arrange(self.columns())
            box.keep_best_requested.connect(lambda g: self.tasks.spawn(self.keep_best([g])))
            self.list_layout.insertWidget(self.list_layout.count() - 1, box)
            self.boxes.append(box)
        self._update_buttons()
        self._say_found(len(groups))
        self.groups_shown.emit()
        await self._load_media(self.boxes)

    def _say_found(self, total: int) -> None:
        noun = "images" if self.kind == "image" else "sounds"
        if not total:
            self.status.setText(f"No near-duplicate {noun} at this threshold.")
            return
        members = sum(len(g.members) for g in self.groups)
        more = f" (the first {len(self.groups)} shown)" if total > len(self.groups) else ""
        self.status.setText(
            f"{total} groups of near-duplicate {noun}{more}, {members} {noun} in all. "
            "★ marks the one Keep Best keeps: the largest, then lossless, then the oldest."
        )

    async def _load_media(self, boxes: list[GroupBox]) -> None:
        """Pictures or players for the cards, while these boxes are still the ones shown."""
        shown = self.boxes
        cards = [card for box in boxes for card in box.cards]
        ids = [card.member.entity_id for card in cards]
        if not ids:
            return
        if boxes[0].group.kind == "audio":
            files = await self.client.call(lambda world: sound_files(world, ids))
            if self.boxes is shown:
                await asyncio.gather(*(card.load_sound(files.get(card.member.entity_id)) for card in cards))
            return
        paths = await self.client.call(lambda world: thumbnail_paths(world, ids, image_fallback=True))
        images = await asyncio.to_thread(decode_thumbnails, paths, PICTURE)
        live = {id(box) for box in self.boxes} if self.boxes is shown else set()
        for card in (c for box in boxes if id(box) in live for c in box.cards):
            image = images.get(card.member.entity_id)
            if image is not None:
                card.set_picture(image)

    async def keep_best(self, groups: list[DuplicateGroup]) -> None:
        if not groups or self.busy:
            return
        self.busy = True
        self._update_buttons()
        try:
            resolution = await self.client.call(lambda world: resolve_keep_best(world, groups))
        except Exception as exc:
            self.status.setText(getattr(exc, "user_message", None) or f"Could not resolve: {exc}")
            return
        finally:
            self.busy = False
            self._update_buttons()
        self.undo_stack.append(resolution)
        done = {id(g) for g in groups}
        for box in [b for b in self.boxes if id(b.group) in done]:
            self.boxes.remove(box)
            box.setParent(None)
            box.deleteLater()
        self.groups = [g for g in self.groups if id(g) not in done]
        self._update_buttons()
        merged = len(resolution.tags_added.links)
        tags = f", gave the kept ones {merged} tag{'s' if merged != 1 else ''}" if merged else ""
        self.status.setText(
            f"Kept {len(resolution.kept)}, moved {len(resolution.trashed)} to the trash{tags}. "
            "Undo puts them back."
        )

    async def undo(self) -> None:
        if not self.undo_stack or self.busy:
            return
        resolution = self.undo_stack.pop()
        self.busy = True
        self._update_buttons()
        try:
            await self.client.call(lambda world: undo_resolution(world, resolution))
        finally:
            self.busy = False
            self._update_buttons()
        await self.look()
        self.status.setText(f"Put back {len(resolution.trashed)} from the trash. " + self.status.text())

    def shown_names(self) -> list[list[str]]:
        """The file names of each group shown, top to bottom, best first."""
        return [[card.member.filename for card in box.cards] for box in self.boxes]


def open_duplicates(window: MainWindow) -> DuplicatesView:
    """Show the window's duplicate review (made on first use) and look for duplicates."""
    view = window.findChild(DuplicatesView)
    if view is None:
        view = DuplicatesView(window.client, window)
        icon = window.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogContentsView)
        window.add_view(DUPLICATES_VIEW, "Duplicates", view, icon)
    window.sidebar.select_view(DUPLICATES_VIEW)
    if not view.groups and not view.busy:
        view.tasks.spawn(view.look())
    return view
