"""Help › About: what this build is made of, with each part's version and licence.

Versions and licences come from the installed packages' metadata (never by importing them: torch
is not loaded to say which torch is installed)."""

from __future__ import annotations

import platform
import sqlite3
from dataclasses import dataclass
from importlib import metadata

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dam_desktop import __version__

PROJECT_LICENCE = "MIT"

# (distribution, what it does here); a part that is not installed is listed as such.
PARTS: list[tuple[str, str]] = [
    ("PySide6-Essentials", "Qt for Python: the window"),
    ("SQLAlchemy", "the library database"),
    ("aiosqlite", "SQLite off the window's thread"),
    ("alembic", "library upgrades"),
    ("qasync", "Qt and asyncio together"),
    ("pillow", "image decoding and thumbnails"),
    ("numpy", "numbers for sound and search"),
    ("soundfile", "sound decoding (libsndfile)"),
    ("psutil", "memory figures"),
    ("torch", "model inference (optional)"),
    ("open_clip_torch", "image–text model (optional)"),
    ("transformers", "text and audio models (optional)"),
]


@dataclass(frozen=True)
class Part:
    name: str
    version: str
    licence: str
    role: str


def _licence(meta: metadata.PackageMetadata) -> str:
    fields = meta.json
    expression = fields.get("license_expression")
    if expression:
        return str(expression)
    listed = [str(c) for c in fields.get("classifier", [])]
    classifiers = [c.rsplit("::", 1)[-1].strip() for c in listed if "License" in c]
    if classifiers:
        return classifiers[0]
    text = str(fields.get("license", "")).strip()
    return text.splitlines()[0][:60] if text else "see the package"


def installed_parts() -> list[Part]:
    parts = [
        Part(
            "Python",
            platform.python_version(),
            "PSF-2.0",
            f"the interpreter ({platform.python_implementation()})",
        ),
        Part("Qt", qVersion(), "LGPL-3.0-only", f"the window toolkit (through PySide6 {pyside_version})"),
        Part("SQLite", sqlite3.sqlite_version, "Public domain", "the library file"),
    ]
    for name, role in PARTS:
        try:
            meta = metadata.metadata(name)
        except metadata.PackageNotFoundError:
            parts.append(Part(name, "not installed", "—", role))
            continue
        parts.append(Part(name, str(meta["Version"]), _licence(meta), role))
    return parts


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About dam-desktop")
        self.setObjectName("aboutDialog")
        self.resize(780, 600)
        title = QLabel(f"<h2>dam-desktop {__version__}</h2>", self)
        blurb = QLabel(
            "A desktop library for large piles of images and sounds: import, tag, search by "
            "tags or by sentences, find similar.<br>"
            f"Licensed under the {PROJECT_LICENCE} licence; the parts below keep their own.<br>"
            f"Running on {platform.system()} {platform.machine()}, Python {platform.python_version()}.",
            self,
        )
        blurb.setWordWrap(True)
        blurb.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.parts = installed_parts()
        self.table = QTableWidget(len(self.parts), 4, self)
        self.table.setHorizontalHeaderLabels(["Component", "Version", "Used for", "Licence"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.table.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for row, part in enumerate(self.parts):
            for column, value in enumerate((part.name, part.version, part.role, part.licence)):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.table.setItem(row, column, item)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(blurb)
        layout.addWidget(QLabel("Built with", self))
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
