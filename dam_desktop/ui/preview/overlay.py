"""A large preview over the whole window (Space, Quick Look style); F11 makes it full screen.

The overlay shows the grid's current asset: an image fitted to the window (decoded off the GUI
thread by the inspector's `ImagePreview`), a sound as a waveform that plays at once. The arrow keys
move the grid's current tile and the overlay follows; S runs a slideshow; Space or Esc closes it
(and leaves full screen when F11 had entered it).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from dam_desktop.ui.inspector.audio_player import AudioPlayer
from dam_desktop.ui.inspector.image_preview import ImagePreview
from dam_desktop.ui.tasks import TaskSet

if TYPE_CHECKING:
    from dam_desktop.ui.window.main_window import MainWindow

SLIDESHOW_INTERVAL_MS = 4000
PICTURED = frozenset({"image", "document", "font"})  # drawn as a picture: a PDF's page, a font's sample
HINT = "← → previous / next   ·   S slideshow   ·   F11 full screen   ·   Space or Esc closes"
_STEPS = {
    Qt.Key.Key_Left: -1,
    Qt.Key.Key_Up: -1,
    Qt.Key.Key_PageUp: -1,
    Qt.Key.Key_Right: 1,
    Qt.Key.Key_Down: 1,
    Qt.Key.Key_PageDown: 1,
}


class PreviewOverlay(QWidget):
    shown_row = Signal(int)  # the grid row now previewed

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.setObjectName("previewOverlay")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAutoFillBackground(False)
        self.tasks = TaskSet()
        self.row = -1
        self.path: Path | None = None
        self.entered_full_screen = False

        self.title = QLabel("", self)
        self.title.setObjectName("previewTitle")
        self.detail = QLabel("", self)
        self.detail.setObjectName("previewDetail")
        self.hint = QLabel(
            "← → previous / next   ·   S slideshow   ·   F11 full screen   ·   Space or Esc closes", self
        )
        self.hint.setObjectName("previewHint")
        self.image = ImagePreview(self)
        self.sound = AudioPlayer(self)
        self.sound.setMaximumHeight(260)
        self.message = QLabel("", self)
        self.message.setObjectName("previewDetail")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        sound_page = QWidget(self)
        sound_layout = QVBoxLayout(sound_page)
        sound_layout.addStretch(1)
        sound_layout.addWidget(self.sound)
        sound_layout.addStretch(1)
        self.pages = QStackedWidget(self)
        for page in (self.message, self.image, sound_page):
            self.pages.addWidget(page)
        self._sound_page = sound_page

        caption = QHBoxLayout()
        caption.addWidget(self.title)
        caption.addSpacing(16)
        caption.addWidget(self.detail, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 32, 48, 20)
        layout.setSpacing(12)
        layout.addWidget(self.pages, 1)
        layout.addLayout(caption)
        layout.addWidget(self.hint)

        self.slideshow = QTimer(self)
        self.slideshow.setInterval(SLIDESHOW_INTERVAL_MS)
        self.slideshow.timeout.connect(lambda: self.step(1, wrap=True))
        window.installEventFilter(self)
        self.hide()

    # showing --------------------------------------------------------------------------------------
    @property
    def showing(self) -> bool:
        return self.isVisible()

    def open(self, *, full_screen: bool = False) -> bool:
        """Preview the grid's current tile (or the first selected); False when there is none."""
        grid = self.window_.grid
        index = grid.currentIndex()
        if not index.isValid():
            rows = sorted(i.row() for i in grid.selectionModel().selectedIndexes())
            if not rows:
                return False
            index = self.window_.model.index(rows[0], 0)
        self.setGeometry(self.window_.rect())
        self.show()
        self.raise_()
        self.setFocus()
        if full_screen and not self.window_.isFullScreen():
            self.entered_full_screen = True
            self.window_.showFullScreen()
        self.show_row(index.row())
        return True

    def close_preview(self) -> None:
        self.slideshow.stop()
        self.sound.clear()
        self.image.clear()
        self.hide()
        if self.entered_full_screen:
            self.entered_full_screen = False
            self.window_.showNormal()
        self.window_.grid.setFocus()

    def toggle_full_screen(self) -> None:
        if self.window_.isFullScreen():
            self.entered_full_screen = False
            self.window_.showNormal()
        else:
            self.entered_full_screen = True
            self.window_.showFullScreen()

    def show_row(self, row: int) -> None:
        model = self.window_.model
        if not 0 <= row < model.rowCount():
            return
        self.row = row
        info = model.info_at(row)
        if info is None:
            entity_id = model.entity_id(row)
            self.tasks.spawn(self._fetch_and_show(row, entity_id))
            self._show_message("Loading…", "", "")
            return
        count = model.rowCount()
        kind = {"image": "Image", "audio": "Sound"}.get(info.asset_type, "File")
        detail = f"{kind} · {(info.extension or '').upper()} · {row + 1:,} of {count:,}"
        self.title.setText(info.filename)
        self.detail.setText(detail)
        self.shown_row.emit(row)
        path = info.file_path
        self.path = path
        if path is None or not path.exists():
            self._show_message("The file is not where the library expects it.", info.filename, detail)
            return
        if info.asset_type in PICTURED:
            self.sound.clear()
            self.pages.setCurrentWidget(self.image)
            self.tasks.spawn(self.image.load(path, info.filename))
        elif info.asset_type == "audio":
            self.image.clear()
            self.pages.setCurrentWidget(self._sound_page)
            self.tasks.spawn(self._play(path))
        else:
            where = (
                "Videos play in the inspector (Space over the grid)." if info.asset_type == "video" else ""
            )
            self._show_message(where or "No preview for this kind of file.", info.filename, detail)

    async def _fetch_and_show(self, row: int, entity_id: int) -> None:
        await self.window_.model.fetch_infos([entity_id])
        if self.row == row and self.isVisible():
            self.show_row(row)

    async def _play(self, path: Path) -> None:
        if await self.sound.load(path) and self.isVisible() and self.sound.source == path:
            self.sound.toggle()

    def _show_message(self, text: str, title: str, detail: str) -> None:
        self.sound.clear()
        self.image.clear()
        self.message.setText(text)
        self.pages.setCurrentWidget(self.message)
        self.title.setText(title)
        self.detail.setText(detail)

    def step(self, delta: int, *, wrap: bool = False) -> None:
        count = self.window_.model.rowCount()
        if not count:
            return
        row = self.row + delta
        row = row % count if wrap else max(0, min(count - 1, row))
        if row == self.row:
            return
        grid = self.window_.grid
        grid.selectionModel().setCurrentIndex(
            self.window_.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        grid.scrollTo(self.window_.model.index(row, 0))
        self.show_row(row)

    # events ---------------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Space, Qt.Key.Key_Escape):
            self.close_preview()
        elif key in _STEPS:
            self.slideshow.stop()
            self.step(_STEPS[Qt.Key(key)])
        elif key == Qt.Key.Key_Home:
            self.step(-self.row)
        elif key == Qt.Key.Key_End:
            self.step(self.window_.model.rowCount())
        elif key == Qt.Key.Key_F11:
            self.toggle_full_screen()
        elif key == Qt.Key.Key_S:
            if self.slideshow.isActive():
                self.slideshow.stop()
            else:
                self.slideshow.start()
        elif (
            key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_P)
            and self.pages.currentWidget() is self._sound_page
        ):
            self.sound.toggle()
        else:
            super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window_ and event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(self.window_.rect())
        return False

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(10, 11, 14, 242))
