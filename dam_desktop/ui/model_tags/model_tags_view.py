"""The "Model tags" view: review the tags a model proposed, and run tagging in the background.

A table of open proposals (thumbnail, file, tag, confidence, model), filtered by tag and a
confidence threshold. Accept (A) turns the selected proposals into manual tags, Reject (R) is
remembered so the tag is not proposed again for that asset, "Accept all ≥ N%" accepts in bulk.
"Tag library" (`tagging_run`) runs the pipeline's model-tag stage now (new imports are tagged by the
background pipeline without it). Without weights the view says so plainly and offers "Import weights
file…" (`weights_page`).

Everything it asks of the world runs on the world thread through `WorldClient.call`, and the model
itself on the model thread: the view only paints and awaits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QObject,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dam_desktop.core.events import WorldChanged
from dam_desktop.core.world import World
from dam_desktop.ui.changes import ChangeFollower
from dam_desktop.ui.image_decode import decode_thumbnails
from dam_desktop.ui.model_tags.proposal_table import THUMB, ProposalTableModel
from dam_desktop.ui.model_tags.tagging_run import TaggingRunBar
from dam_desktop.ui.model_tags.weights_page import WeightsPage
from dam_desktop.ui.tasks import TaskSet
from dam_desktop.ui.world_client import WorldClient
from dam_desktop.use_cases import models, proposals
from dam_desktop.use_cases.pipeline import StageOutcome
from dam_desktop.use_cases.proposals import Pair, ReviewState

# proposals.accept / proposals.reject: (world, pairs) -> how many changed
ReviewDecision = Callable[[World, list[Pair]], Awaitable[int]]

PAGE_SIZE = 500
ALL_TAGS = ""


class ModelTagsView(QWidget):
    """Self-contained review widget over a `WorldClient`; `await view.refresh()` loads it."""

    proposals_counted = Signal(int)  # open proposals, after each refresh

    def __init__(self, client: WorldClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelTagsView")
        self.client = client
        self.state: ReviewState | None = None
        self.tasks = TaskSet()
        self._loaded_once = False
        self._reviews = 0  # reviews so far: a read that one overtook is stale
        # Replaceable in tests: the file dialog and the confirmation.
        self.weights = WeightsPage(client, self)
        self.choose_weights_file: Callable[[], Path | None] = self.weights.choose_file_with_dialog
        self.confirm: Callable[[str, str], bool] = self._confirm_with_dialog

        title = QLabel("Model tags", self)
        title.setObjectName("viewTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        self.summary = QLabel("", self)
        self.summary.setObjectName("dimLabel")
        header = QHBoxLayout()
        header.addWidget(title)
        header.addSpacing(12)
        header.addWidget(self.summary, 1)

        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.weights)
        self.pages.addWidget(self._build_review_page())
        self.import_button, self.download_button = self.weights.import_button, self.weights.download_button
        self.missing_label, self.import_status = self.weights.missing_label, self.weights.import_status
        self.import_button.clicked.connect(lambda: self.tasks.spawn(self.import_weights()))
        self.download_button.clicked.connect(lambda: self.tasks.spawn(self.download_weights()))

        self.run_bar = TaggingRunBar(client, self)
        self.run_button, self.cancel_button = self.run_bar.run_button, self.run_bar.cancel_button
        self.progress, self.run_status = self.run_bar.progress, self.run_bar.run_status
        self._cancel = self.run_bar.cancel_requested
        self.weights.installed.connect(self.run_status.setText)
        self.run_button.clicked.connect(lambda: self.tasks.spawn(self.start_tagging()))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(header)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.run_bar)
        self.change_follower = ChangeFollower(
            client, lambda change: change.touches(models.PROPOSALS), self._on_proposals_changed, self
        )

    def _on_proposals_changed(self, _change: WorldChanged) -> None:
        """Proposals came or went (a review here, a tagging run, the CLI): the shown page, or only
        the sidebar's count while the view has never been opened."""
        self.tasks.spawn(self.refresh() if self._loaded_once else self.count_proposals())

    # construction -----------------------------------------------------------------------------
    def _build_review_page(self) -> QWidget:
        page = QWidget(self)
        self.tag_filter = QComboBox(page)
        self.tag_filter.setObjectName("tagFilter")
        self.tag_filter.setMinimumWidth(200)
        self.tag_filter.addItem("All tags", ALL_TAGS)
        self.tag_filter.currentIndexChanged.connect(lambda _i: self.tasks.spawn(self.refresh()))
        self.threshold = QDoubleSpinBox(page)
        self.threshold.setObjectName("thresholdBox")
        self.threshold.setRange(0.0, 100.0)
        self.threshold.setDecimals(0)
        self.threshold.setSingleStep(5.0)
        self.threshold.setSuffix(" %")
        self.threshold.setValue(0.0)
        self.threshold.setKeyboardTracking(False)
        self.threshold.valueChanged.connect(lambda _v: self.tasks.spawn(self.refresh()))
        self.accept_button = QPushButton("Accept", page)
        self.accept_button.setToolTip("Make the selected proposals manual tags (A)")
        self.accept_button.clicked.connect(lambda: self.tasks.spawn(self.accept_selected()))
        self.reject_button = QPushButton("Reject", page)
        self.reject_button.setToolTip("Reject the selected proposals; they will not be proposed again (R)")
        self.reject_button.clicked.connect(lambda: self.tasks.spawn(self.reject_selected()))
        self.bulk_button = QPushButton("Accept all ≥ 0 %", page)
        self.bulk_button.setObjectName("bulkAcceptButton")
        self.bulk_button.clicked.connect(lambda: self.tasks.spawn(self.bulk_accept()))
        filters = QHBoxLayout()
        filters.addWidget(QLabel("Tag", page))
        filters.addWidget(self.tag_filter)
        filters.addSpacing(12)
        filters.addWidget(QLabel("Confidence at least", page))
        filters.addWidget(self.threshold)
        filters.addStretch(1)
        filters.addWidget(self.accept_button)
        filters.addWidget(self.reject_button)
        filters.addWidget(self.bulk_button)

        self.model = ProposalTableModel(page)
        self.table = QTableView(page)
        self.table.setObjectName("proposalTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setIconSize(QSize(THUMB, THUMB))
        self.table.verticalHeader().setDefaultSectionSize(THUMB + 8)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(0, THUMB + 12)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(2, 200)
        header.resizeSection(3, 110)
        header.resizeSection(4, 240)
        self.empty_label = QLabel("", page)
        self.empty_label.setObjectName("emptyState")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.hide()
        # A and R act only on key presses the table receives: "a" typed in the search box must not
        # accept anything.
        self.table.installEventFilter(self)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label, 1)
        return page

    # weights and runs ---------------------------------------------------------------------------
    async def import_weights(self) -> bool:
        done = await self.weights.import_weights(self.choose_weights_file)
        if done:
            await self.refresh()
        return done

    async def download_weights(self) -> bool:
        done = await self.weights.download_weights()
        if done:
            await self.refresh()
        return done

    async def start_tagging(self, *, retag: bool = False) -> StageOutcome | None:
        """Tag the images the model has not seen now (see `TaggingRunBar`), then show the page."""
        report = await self.run_bar.start(retag=retag)
        await self.refresh()
        return report

    async def count_proposals(self) -> int:
        """Count the open proposals (for the sidebar) without loading the list."""
        total = await self.client.call(proposals.count_open)
        self.proposals_counted.emit(total)
        return total

    def _confirm_with_dialog(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    # loading ------------------------------------------------------------------------------------
    @property
    def tag(self) -> str:
        return str(self.tag_filter.currentData() or ALL_TAGS)

    @property
    def min_confidence(self) -> float:
        return float(self.threshold.value()) / 100.0

    async def refresh(self) -> None:
        """Read the page again. A read that a review overtook is dropped: the table already lost
        the reviewed rows, and the review's change event brings a newer read."""
        tag, threshold = self.tag or None, self.min_confidence
        reviews = self._reviews
        state = await self.client.call(
            lambda world: proposals.review_state(world, tag=tag, min_confidence=threshold, limit=PAGE_SIZE)
        )
        if reviews != self._reviews:
            return
        self._apply(state)
        self.tasks.spawn(self._load_thumbnails(state))

    def _apply(self, state: ReviewState) -> None:
        self.state = state
        self._loaded_once = True
        show_missing = state.weights_missing is not None and not state.proposals and not self.tag
        self.pages.setCurrentIndex(0 if show_missing else 1)
        self.weights.show_missing(state.weights_missing, state.weights_searched)
        self._fill_tag_filter(state.tag_counts)
        # A refresh can come from a change event while the person is choosing rows: keep them.
        chosen = set(self.selected_pairs())
        self.model.set_rows(state.proposals)
        if chosen:
            self.select_rows([n for n, p in enumerate(state.proposals) if (p.entity_id, p.tag_id) in chosen])
        pct = round(self.min_confidence * 100)
        self.bulk_button.setText(f"Accept all ≥ {pct} %")
        self.bulk_button.setEnabled(state.total > 0)
        shown = len(state.proposals)
        more = f" (showing the first {shown:,})" if state.total > shown else ""
        waiting = f" · {state.pending:,} images waiting for the model" if state.pending else ""
        self.summary.setText(f"{state.total:,} open proposals{more} · {state.model_name}{waiting}")
        if not self.tag and self.min_confidence == 0:
            self.proposals_counted.emit(state.total)
        self.table.setVisible(bool(state.proposals))
        self.empty_label.setVisible(not state.proposals)
        if not state.proposals:
            self.empty_label.setText(
                "No proposals match these filters."
                if self.tag or self.min_confidence > 0
                else "No open proposals. “Tag library” lets the model propose tags for your images."
            )
        self.run_bar.show_weights_missing(state.weights_missing)

    def _fill_tag_filter(self, counts: list[tuple[str, int]]) -> None:
        current = self.tag
        self.tag_filter.blockSignals(True)
        self.tag_filter.clear()
        self.tag_filter.addItem("All tags", ALL_TAGS)
        for name, n in counts:
            self.tag_filter.addItem(f"{name}  ({n:,})", name)
        index = self.tag_filter.findData(current)
        if index < 0 and current:
            self.tag_filter.addItem(f"{current}  (0)", current)
            index = self.tag_filter.count() - 1
        self.tag_filter.setCurrentIndex(max(index, 0))
        self.tag_filter.blockSignals(False)

    async def _load_thumbnails(self, state: ReviewState) -> None:
        wanted = {i: path for i, path in state.thumbnails.items() if i not in self.model.pixmaps}
        images = await asyncio.to_thread(decode_thumbnails, wanted, THUMB)
        try:
            for entity_id, image in images.items():
                self.model.set_pixmap(entity_id, QPixmap.fromImage(image))
        except RuntimeError:  # the view was closed while the thumbnails loaded
            return

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._loaded_once:
            self.tasks.spawn(self.refresh())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            plain = event.modifiers() in (
                Qt.KeyboardModifier.NoModifier,
                Qt.KeyboardModifier.ShiftModifier,
            )
            if plain and event.key() == Qt.Key.Key_A:
                self.tasks.spawn(self.accept_selected())
                return True
            if plain and event.key() == Qt.Key.Key_R:
                self.tasks.spawn(self.reject_selected())
                return True
        return super().eventFilter(watched, event)

    # review -------------------------------------------------------------------------------------
    def selected_pairs(self) -> list[tuple[int, int]]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [(self.model.rows[r].entity_id, self.model.rows[r].tag_id) for r in rows]

    def select_rows(self, rows: list[int]) -> None:
        self.table.clearSelection()
        mode = self.table.selectionMode()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        for row in rows:
            self.table.selectRow(row)
        self.table.setSelectionMode(mode)

    async def accept_selected(self) -> int:
        return await self._review_selected(proposals.accept)

    async def reject_selected(self) -> int:
        return await self._review_selected(proposals.reject)

    async def _review_selected(self, decide: ReviewDecision) -> int:
        """Accept or reject the selected proposals on the world thread; drop them from the table at
        once (the refresh that follows the change event fills the page up again)."""
        pairs = self.selected_pairs()
        if not pairs:
            return 0
        self._reviews += 1
        changed = await self.client.call(lambda world: decide(world, pairs))
        self.model.remove_pairs(set(pairs))
        return changed

    async def bulk_accept(self) -> int:
        tag, threshold = self.tag or None, self.min_confidence
        total = self.state.total if self.state else 0
        what = f"“{tag}” proposals" if tag else "proposals"
        if not total or not self.confirm(
            "Accept proposals",
            f"Accept all {total:,} {what} with confidence ≥ {threshold:.0%} as manual tags?",
        ):
            return 0

        added = await self.client.call(
            lambda world: proposals.accept_all(world, min_confidence=threshold, tag=tag)
        )
        self.run_status.setText(f"Accepted {added:,} tags.")
        return added


MODEL_TAGS_VIEW = "model-tags"


def install_model_tags_view(window: Any) -> ModelTagsView:
    """Add the view to the main window as the sidebar entry "Model tags".

    `window` is a `MainWindow` (typed loosely to keep this module free of a dependency on it).
    New imports are tagged by the background pipeline once the weights are installed; the view
    and its sidebar count follow the "proposals" change events its model-tag stage and the review
    use cases send, and accepted tags reach the grid and the tag lists as "tags" events.
    """
    view = ModelTagsView(window.client, window)
    view.confirm = lambda title, text: bool(window.confirm(title, text))
    icon = view.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogDetailedView)
    window.add_view(MODEL_TAGS_VIEW, "Model tags", view, icon)
    view.proposals_counted.connect(lambda n: window.sidebar.set_count(MODEL_TAGS_VIEW, n or None))
    view.tasks.spawn(view.count_proposals())
    return view
