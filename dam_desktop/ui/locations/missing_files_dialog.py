"""What a check for missing files found: each missing or changed file with its reason.

A table (a model, not one widget per row: an unplugged drive can make 100k rows) with Relink
From Folder…, Show Missing in Grid and Copy List. The dialog only reports and asks; the window's
installer (`ui.missing_files`) runs the relink and changes the grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dam_desktop.ui.grid.grid_delegate import FILE_PROBLEM_MARKS

if TYPE_CHECKING:
    from dam_desktop.use_cases.locations import CheckReport, LocationProblem, RelinkReport

COLUMNS = ("File", "Problem", "Expected at", "Why")
STILL_OPENS = " The asset still opens from another copy."


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def _found(problems: Sequence[LocationProblem]) -> list[str]:
    missing = sum(1 for p in problems if p.problem == "missing")
    changed = len(problems) - missing
    found = [_plural(missing, "file") + " missing"] if missing else []
    if changed:
        found.append(_plural(changed, "file") + " changed since import")
    return found


def check_status(report: CheckReport, *, weekly: bool = False) -> str:
    """One short line for the status bar."""
    if report.cancelled:
        head = f"Check stopped after {report.assets_checked:,} of {report.total_assets:,} assets"
    elif weekly:
        head = f"Weekly check of {_plural(report.assets_checked, 'asset')}"
    else:
        head = f"Checked {_plural(report.assets_checked, 'asset')}"
    found = _found(report.problems)
    return f"{head}: " + (", ".join(found) if found else "no missing files") + "."


def check_summary(report: CheckReport, problems: Sequence[LocationProblem] | None = None) -> str:
    """One paragraph: what was checked, what is still wrong (`problems`, by default all the check
    found), and what the user can do about it."""
    problems = report.problems if problems is None else problems
    if report.cancelled:
        head = f"The check was stopped after {report.assets_checked:,} of {report.total_assets:,} assets."
    else:
        head = f"{_plural(report.assets_checked, 'asset')} checked."
    if not problems:
        if report.problems:
            return head + " Every missing file has been found again."
        if report.cancelled:
            return head + " No missing files among them."
        return head + " Every file is where the library expects it."
    parts = [head, " and ".join(_found(problems)) + "."]
    if any(p.relinkable for p in problems):
        parts.append("If you moved them, Relink From Folder… finds them by their content.")
    if any(p.problem == "missing" and not p.relinkable for p in problems):
        parts.append("A lost stored copy comes back when you import its original again.")
    return " ".join(parts)


def relink_summary(report: RelinkReport) -> str:
    parts = [f"Relinked {_plural(len(report.relinked), 'file')} from {report.folder}."]
    if report.back_in_place:
        back = len(report.back_in_place)
        parts.append(f"{back:,} {'was' if back == 1 else 'were'} back where the library expected them.")
    if report.not_found:
        parts.append(f"{_plural(len(report.not_found), 'missing file')} not found there.")
    if report.cancelled:
        parts.insert(0, "Relink stopped.")
    return " ".join(parts)


def _dot(colour: QColor) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(colour)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(QRectF(1, 1, 10, 10))
    painter.end()
    return QIcon(pixmap)


_Index = QModelIndex | QPersistentModelIndex


class ProblemTable(QAbstractTableModel):
    def __init__(self, problems: Sequence[LocationProblem], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.problems = list(problems)
        self._icons = {key: _dot(colour) for key, (_label, colour) in FILE_PROBLEM_MARKS.items()}

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.problems)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        problem = self.problems[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            reason = problem.reason[:1].upper() + problem.reason[1:]
            if problem.other_copy_present:
                reason += "." + STILL_OPENS
            managed = problem.storage_type == "managed"
            text = (
                problem.file_name,
                "Changed" if problem.problem == "changed" else "Missing",
                # A stored copy's own path is a hash in the library folder: no help to anyone.
                "The library's stored copy" if managed else problem.path or "(no location recorded)",
                reason,
            )[column]
            if role == Qt.ItemDataRole.ToolTipRole:
                if column == 0:
                    return f"{problem.file_name}\nAsset {problem.entity_id}"
                if column == 2:
                    return problem.path
            return text
        if role == Qt.ItemDataRole.DecorationRole and column == 1:
            return self._icons.get(problem.problem)
        return None

    def drop_locations(self, location_ids: set[int]) -> None:
        kept = [p for p in self.problems if p.location_id not in location_ids]
        if len(kept) != len(self.problems):
            self.beginResetModel()
            self.problems = kept
            self.endResetModel()


class MissingFilesDialog(QDialog):
    relink_requested = Signal()
    show_in_grid_requested = Signal()

    def __init__(self, report: CheckReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("missingFilesReport")
        self.report = report
        self.setWindowTitle(self._title())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 14)
        layout.setSpacing(10)
        self.heading = QLabel(self.windowTitle(), self)
        self.heading.setObjectName("dialogHeading")
        self.summary = QLabel(check_summary(report), self)
        self.summary.setWordWrap(True)
        self.relink_result = QLabel("", self)
        self.relink_result.setWordWrap(True)
        self.relink_result.setObjectName("dimLabel")
        self.relink_result.hide()
        layout.addWidget(self.heading)
        layout.addWidget(self.summary)
        layout.addWidget(self.relink_result)

        self.model = ProblemTable(report.problems, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        # Rows of a fixed two lines (reasons wrap, long paths wrap at their slashes): measuring
        # each row's text would take seconds for 100k rows.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(2 * self.fontMetrics().lineSpacing() + 10)
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.setColumnWidth(0, 170)
        self.table.setColumnWidth(1, 100)
        self.table.setColumnWidth(2, 380)
        layout.addWidget(self.table, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.relink_button = QPushButton("Relink From Folder…", self)
        self.relink_button.setToolTip(
            "Choose a folder to search (with its subfolders) for the missing files: "
            "each is recognised by its content, whatever its name"
        )
        self.show_button = QPushButton("Show Missing in Grid", self)
        self.copy_button = QPushButton("Copy List", self)
        buttons.addButton(self.relink_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.show_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.relink_button.clicked.connect(self.relink_requested)
        self.show_button.clicked.connect(self.show_in_grid_requested)
        self.copy_button.clicked.connect(self._copy)
        layout.addWidget(buttons)
        self._update_buttons()
        if report.problems:
            rows = self.table.verticalHeader().defaultSectionSize() * len(report.problems)
            self.resize(1180, max(380, min(210 + rows, 700)))
        else:
            self.table.hide()
            self.resize(460, 150)
        self.setWindowModality(Qt.WindowModality.NonModal)

    def _title(self) -> str:
        if self.report.cancelled:
            return "Check for missing files stopped"
        return "Missing files" if self.report.problems else "No missing files"

    @property
    def problems(self) -> list[LocationProblem]:
        """The rows still shown (a relink removes the files it found)."""
        return self.model.problems

    def _update_buttons(self, busy: bool = False) -> None:
        problems = self.problems
        self.relink_button.setVisible(bool(self.report.problems))
        self.relink_button.setEnabled(not busy and any(p.relinkable for p in problems))
        self.show_button.setVisible(bool(self.report.problems))
        self.show_button.setEnabled(any(not p.other_copy_present for p in problems))
        self.copy_button.setVisible(bool(self.report.problems))
        self.copy_button.setEnabled(bool(problems))

    def relink_started(self) -> None:
        self._update_buttons(busy=True)
        self.relink_result.setText("Looking for the missing files…")
        self.relink_result.show()

    def relink_finished(self, report: RelinkReport | None) -> None:
        if report is not None:
            fixed = {r.location_id for r in report.relinked} | {p.location_id for p in report.back_in_place}
            self.model.drop_locations(fixed)
            self.summary.setText(check_summary(self.report, self.problems))
            self.relink_result.setText(relink_summary(report))
        else:
            self.relink_result.setText("The relink stopped with an error; nothing more was changed.")
        self._update_buttons()

    def _copy(self) -> None:
        lines = [f"{p.entity_id}\t{p.problem}\t{p.path}\t{p.reason}" for p in self.problems]
        QGuiApplication.clipboard().setText("\n".join(lines))
