"""What an import did: how many came in, duplicates skipped, and each failure with its reason."""

from __future__ import annotations

from pathlib import PurePath
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from dam_desktop.services.ingest.import_service import ImportReport


def report_summary(report: ImportReport) -> str:
    parts = [f"{len(report.imported):,} imported"]
    if report.duplicates:
        parts.append(f"{report.duplicates:,} already in the library")
    if report.failed:
        parts.append(f"{len(report.failed):,} could not be imported")
    skipped = getattr(report, "skipped", [])
    if skipped:
        parts.append(f"{len(skipped):,} skipped")
    text = ", ".join(parts) + "."
    if report.cancelled:
        text = "Import cancelled. " + text + " Files already imported stay in the library."
    return text


class ImportReportDialog(QDialog):
    def __init__(self, report: ImportReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importReport")
        self.setWindowTitle("Import cancelled" if report.cancelled else "Import finished")
        self.report = report
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 14)
        layout.setSpacing(12)
        heading = QLabel(self.windowTitle(), self)
        heading.setObjectName("dialogHeading")
        self.summary = QLabel(report_summary(report), self)
        self.summary.setWordWrap(True)
        layout.addWidget(heading)
        layout.addWidget(self.summary)
        rows = [("Failed", f) for f in report.failed] + [
            ("Skipped", f) for f in getattr(report, "skipped", [])
        ]
        self.failures = QTableWidget(len(rows), 3, self)
        if rows:
            self.failures.setHorizontalHeaderLabels(["File", "Reason", "Folder"])
            self.failures.verticalHeader().hide()
            self.failures.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            self.failures.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            self.failures.setAlternatingRowColors(True)
            self.failures.setWordWrap(True)
            self.failures.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            header = self.failures.horizontalHeader()
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
            header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
            header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
            header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            info = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)
            for row, (kind, failure) in enumerate(rows):
                path = PurePath(failure.path)
                name = QTableWidgetItem(warning if kind == "Failed" else info, path.name)
                name.setToolTip(failure.path)
                name.setData(Qt.ItemDataRole.UserRole, failure.path)
                reason = QTableWidgetItem(failure.reason)
                reason.setToolTip(failure.reason)
                folder = QTableWidgetItem(str(path.parent))
                folder.setToolTip(failure.path)
                self.failures.setItem(row, 0, name)
                self.failures.setItem(row, 1, reason)
                self.failures.setItem(row, 2, folder)
            self.failures.setColumnWidth(0, 220)
            self.failures.setColumnWidth(2, 200)
            # Row heights follow the reason column's width, which is only known once laid out.
            header.sectionResized.connect(lambda *_: self.failures.resizeRowsToContents())
            layout.addWidget(QLabel("These files were not imported, and why:", self))
            layout.addWidget(self.failures, 1)
        else:
            self.failures.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok, self)
        if rows:
            copy = buttons.addButton("Copy List", QDialogButtonBox.ButtonRole.ActionRole)
            copy.clicked.connect(self._copy)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.resize(880 if rows else 420, 440 if rows else 160)
        self.rows = rows
        self.setWindowModality(Qt.WindowModality.NonModal)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.failures.resizeRowsToContents()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.failures.resizeRowsToContents()

    def _copy(self) -> None:
        lines = [f"{kind}\t{failure.path}\t{failure.reason}" for kind, failure in self.rows]
        QGuiApplication.clipboard().setText("\n".join(lines))
