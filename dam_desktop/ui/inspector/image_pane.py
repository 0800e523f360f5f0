"""The inspector's image preview with its Fit and 1:1 buttons and the zoom it shows."""

from __future__ import annotations

from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from dam_desktop.ui.inspector.image_preview import ImagePreview


class ImagePane(QWidget):
    """The image preview with its Fit and 1:1 buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = ImagePreview(self)
        self.fit_button = QToolButton(self)
        self.fit_button.setText("Fit")
        self.fit_button.setCheckable(True)
        self.fit_button.setChecked(True)
        self.actual_button = QToolButton(self)
        self.actual_button.setText("1:1")
        self.actual_button.setCheckable(True)
        group = QButtonGroup(self)
        group.addButton(self.fit_button)
        group.addButton(self.actual_button)
        self.zoom_label = QLabel("", self)
        self.zoom_label.setObjectName("dimLabel")
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.fit_button)
        bar.addWidget(self.actual_button)
        bar.addStretch(1)
        bar.addWidget(self.zoom_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.preview, 1)
        layout.addLayout(bar)
        self.fit_button.clicked.connect(self.preview.fit)
        self.actual_button.clicked.connect(lambda: self.preview.set_zoom(1.0))
        self.preview.zoom_changed.connect(self._on_zoom)
        self.preview.loaded.connect(lambda: self._on_zoom(0.0))

    def _on_zoom(self, factor: float) -> None:
        fitting = factor == 0.0
        self.fit_button.setChecked(fitting)
        self.actual_button.setChecked(factor == 1.0)
        shown = self.preview.scale() if fitting else factor
        self.zoom_label.setText(f"{shown * 100:.0f}%")
