"""What the review view shows while the tagging model's weights are missing: why, where the app
looked, and "Import weights file…" / "Download" / "Models…" (the Models dialog) to fix it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFileDialog, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from dam_desktop.settings import downloads_turned_off
from dam_desktop.ui.world_client import WorldClient
from dam_desktop.use_cases import models

TEXT_WIDTH = 600


def _centred(widget: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()  # centred without an alignment flag, so a label gets its wrapped height
    row.addStretch(1)
    row.addWidget(widget)
    row.addStretch(1)
    return row


def _wrapped(text: str, parent: QWidget, *, selectable: bool = True) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setFixedWidth(TEXT_WIDTH)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class WeightsPage(QFrame):
    installed = Signal(str)  # a weights file was imported (what to say about it)

    def __init__(self, client: WorldClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("weightsMissing")
        self.client = client
        self.last_error = ""
        self.missing_title = QLabel("Model weights are missing", self)
        font = self.missing_title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.missing_title.setFont(font)
        self.missing_label = _wrapped("", self)
        self.missing_where = _wrapped("", self)
        self.missing_where.setObjectName("dimLabel")
        self.import_button = QPushButton("Import weights file…", self)
        self.import_button.setObjectName("importWeightsButton")
        self.download_button = QPushButton("Download (needs internet)", self)
        self.download_button.setObjectName("downloadWeightsButton")
        if downloads_turned_off():
            self.download_button.setEnabled(False)
            self.download_button.setToolTip("Downloads are switched off (HF_HUB_OFFLINE is set)")
        self.models_button = QPushButton("Models…", self)
        self.models_button.setToolTip("Download or import the weights of any model in the catalogue")
        self.models_button.clicked.connect(self.open_models)
        self.import_status = _wrapped("", self, selectable=False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.download_button)
        buttons.addWidget(self.models_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.missing_title, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addLayout(_centred(self.missing_label))
        layout.addLayout(_centred(self.missing_where))
        layout.addSpacing(8)
        layout.addLayout(buttons)
        layout.addLayout(_centred(self.import_status))
        layout.addStretch(2)

    def open_models(self) -> None:
        from dam_desktop.ui.models.menu import open_models_dialog_for_task

        open_models_dialog_for_task(self.window(), "image-tags")

    def show_missing(self, message: str | None, searched: list[str]) -> None:
        self.missing_label.setText(message or "")
        self.missing_where.setText("Looked in: " + "; ".join(searched) if searched else "")

    async def import_weights(self, choose: Callable[[], Path | None]) -> bool:
        chosen = choose()
        if chosen is None:
            return False
        self.import_button.setEnabled(False)
        self.import_status.setText(f"Checking {chosen.name}…")
        try:
            installed = await self.client.call(lambda world: models.import_tagging_weights(world, chosen))
        except Exception as exc:  # InvalidWeightsError, or an OS error copying the file
            self.last_error = str(exc)
            self.import_status.setText(f"Could not use {chosen.name}: {exc}")
            return False
        finally:
            self.import_button.setEnabled(True)
        self.import_status.setText("")
        self.installed.emit(f"Weights installed: {installed}")
        return True

    async def download_weights(self) -> bool:
        self.download_button.setEnabled(False)
        self.import_status.setText("Downloading the weights… (about 600 MB for ViT-B-32)")
        try:
            await self.client.call(models.download_tagging_weights)
        except Exception as exc:  # WeightsMissingError: offline, or the download failed
            self.last_error = getattr(exc, "user_message", str(exc))
            self.import_status.setText(f"Could not download the weights. {exc}")
            return False
        finally:
            self.download_button.setEnabled(not downloads_turned_off())
        self.import_status.setText("")
        return True

    def choose_file_with_dialog(self) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(
            self,
            "Import weights file",
            str(Path.home()),
            "open_clip weights (*.safetensors *.bin *.pt *.pth);;All files (*)",
        )
        return Path(name) if name else None
