"""The review table's model: one row per open proposal (thumbnail, file, tag, confidence, model)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QWidget

from dam_desktop.services.tagging.proposal_review import ModelTagProposal

THUMB = 56
COLUMNS = ("", "File", "Tag", "Confidence", "Model")


class ProposalTableModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ModelTagProposal] = []
        self.pixmaps: dict[int, QPixmap] = {}

    def set_rows(self, rows: list[ModelTagProposal]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def remove_pairs(self, pairs: set[tuple[int, int]]) -> None:
        keep = [r for r in self.rows if (r.entity_id, r.tag_id) not in pairs]
        if len(keep) != len(self.rows):
            self.set_rows(keep)

    def set_pixmap(self, entity_id: int, pixmap: QPixmap) -> None:
        self.pixmaps[entity_id] = pixmap
        for row, proposal in enumerate(self.rows):
            if proposal.entity_id == entity_id:
                index = self.index(row, 0)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        proposal = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return self.pixmaps.get(proposal.entity_id)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 1:
                return proposal.filename or f"#{proposal.entity_id}"
            if column == 2:
                return proposal.tag_name
            if column == 3:
                return (
                    f"{proposal.confidence:.0%}"
                    if proposal.confidence >= 0.01
                    else f"{proposal.confidence:.1%}"
                )
            if column == 4:
                return proposal.model_name
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column in (1, 2):
            return (
                f"{proposal.filename}: {proposal.tag_name} ({proposal.confidence:.1%}, {proposal.model_name})"
            )
        return None
