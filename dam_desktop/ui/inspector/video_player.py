"""The inspector's video player: QtMultimedia's FFmpeg backend decodes in its own threads; each
frame it presents arrives through a QVideoSink, is converted to a QImage on a thread of its own
(`video_frames`) and is painted here, fitted to the panel.

A QVideoSink rather than a QVideoWidget: the frames are painted with QPainter like the image
preview, so the player looks the same on every platform plugin (offscreen included) and a test can
see the picture it shows.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from dam_desktop.ui.inspector.formatting import format_time
from dam_desktop.ui.inspector.video_frames import FrameConverter

if TYPE_CHECKING:
    from PySide6.QtMultimedia import QMediaPlayer

SLIDER_STEPS = 1000
POSTER_FRACTION = 0.2  # where the import's poster frame is looked for first
BACKGROUND = QColor(12, 14, 18)


class VideoView(QWidget):
    """The current frame, letterboxed on black."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("videoView")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(180)
        self.image = QImage()
        self.message = ""

    def set_image(self, image: QImage) -> None:
        self.image = image
        self.message = ""
        self.update()

    def clear(self, message: str = "") -> None:
        self.image = QImage()
        self.message = message
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(320, 200)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKGROUND)
        if self.image.isNull():
            painter.setPen(QColor(170, 176, 188))
            painter.drawText(
                self.rect(), int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), self.message
            )
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        size = self.image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRectF(
            (self.width() - size.width()) / 2,
            (self.height() - size.height()) / 2,
            size.width(),
            size.height(),
        )
        painter.drawImage(target, self.image)


class VideoPlayer(QWidget):
    """Play, pause and seek a clip; Space toggles it from the grid."""

    frame_shown = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = VideoView(self)
        self.play_button = QToolButton(self)
        self.play_button.setObjectName("playButton")
        self.play_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        self.play_button.setToolTip("Play (Space)")
        self.play_button.setEnabled(False)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setRange(0, SLIDER_STEPS)
        self.slider.setEnabled(False)
        self.time_label = QLabel("0:00 / 0:00", self)
        self.time_label.setObjectName("timeLabel")
        controls = QHBoxLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addWidget(self.play_button)
        controls.addWidget(self.slider, 1)
        controls.addWidget(self.time_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addLayout(controls)

        self.source: Path | None = None
        self.duration = 0.0
        self.frames_shown = 0
        self._at_poster = False
        self._player: QMediaPlayer | None = None
        self.converter: FrameConverter | None = None
        self.play_button.clicked.connect(self.toggle)
        self.slider.sliderMoved.connect(self._on_slider)

    @property
    def player(self) -> QMediaPlayer:
        """Created on first use: loading the multimedia backend costs start-up time."""
        if self._player is None:
            from PySide6.QtMultimedia import QAudioOutput, QMediaDevices, QMediaPlayer, QVideoSink

            player = QMediaPlayer(self)
            # With no sound device (a server, a muted VM) the sound track is left out: an output
            # that cannot open holds the clock, and the picture would never move.
            if QMediaDevices.audioOutputs():
                player.setAudioOutput(QAudioOutput(player))
            sink = QVideoSink(player)
            self.converter = FrameConverter()
            self.converter.converted.connect(self._on_image)
            sink.videoFrameChanged.connect(self.converter.offer, Qt.ConnectionType.QueuedConnection)
            player.setVideoSink(sink)
            player.positionChanged.connect(self._on_position)
            player.durationChanged.connect(self._on_duration)
            player.playbackStateChanged.connect(self._on_state)
            player.errorOccurred.connect(self._on_error)
            self._player = player
        return self._player

    @property
    def playing(self) -> bool:
        from PySide6.QtMultimedia import QMediaPlayer

        return (
            self._player is not None
            and self._player.playbackState() == QMediaPlayer.PlaybackState.PlayingState
        )

    def clear(self) -> None:
        if self.converter is not None:
            self.converter.generation += 1  # a frame of the clip before is not shown
        if self._player is not None:
            self._player.stop()
            self._player.setSource(QUrl())
        self.source = None
        self.duration = 0.0
        self.frames_shown = 0
        self._at_poster = False
        self.view.clear()
        self.play_button.setEnabled(False)
        self.slider.setEnabled(False)
        self.slider.setValue(0)
        self.time_label.setText("0:00 / 0:00")

    def release(self) -> None:
        """Stop and delete the media player now (the window is closing): its decoding threads
        must not outlive the widgets their frames go to."""
        self.source = None
        player, self._player = self._player, None
        if player is not None and isValid(player):  # not deleted with its widget already
            player.stop()
            player.setSource(QUrl())
            player.setVideoSink(None)  # type: ignore[arg-type]
            player.setParent(None)
        del player  # the last reference: the C++ player is destroyed here, its threads joined
        if self.converter is not None:
            converter, self.converter = self.converter, None
            converter.stop()

    def load(self, path: Path, duration: float | None) -> None:
        """Open the clip paused on its first frame; nothing is decoded on this thread. The clip
        already open stays as it is (playing, or where it was paused)."""
        if path == self.source:
            return
        self.clear()
        self.source = path
        self.duration = duration or 0.0
        self.view.clear("Loading…")
        self.player.setSource(QUrl.fromLocalFile(str(path)))
        self.player.pause()
        # Paused on the grid's poster (a fifth in), not on a first frame that is often black;
        # Play starts from the beginning.
        self._at_poster = self.duration > 0
        if self._at_poster:
            self.player.setPosition(int(self.duration * POSTER_FRACTION * 1000))
        self.play_button.setEnabled(True)
        self.slider.setEnabled(True)
        self._update_time(0.0)

    def toggle(self) -> None:
        if self.source is None:
            return
        if self.playing:
            self.player.pause()
            return
        if self._at_poster:
            self._at_poster = False
            self.player.setPosition(0)
        self.player.play()

    def _on_image(self, image: QImage, generation: int) -> None:
        if self.source is None or self.converter is None or generation != self.converter.generation:
            return
        self.view.set_image(image)
        self.frames_shown += 1
        self.frame_shown.emit()

    def _on_slider(self, value: int) -> None:
        if self._player is not None and self.duration > 0:
            self._at_poster = False
            self._player.setPosition(int(value / SLIDER_STEPS * self.duration * 1000))

    def _on_position(self, milliseconds: int) -> None:
        seconds = milliseconds / 1000
        if self.duration > 0 and not self.slider.isSliderDown():
            self.slider.setValue(int(seconds / self.duration * SLIDER_STEPS))
        self._update_time(seconds)

    def _on_duration(self, milliseconds: int) -> None:
        if milliseconds > 0:
            self.duration = milliseconds / 1000
            self._update_time(self.player.position() / 1000)

    def _on_state(self, _state: object) -> None:
        playing = self.playing
        icon = QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        self.play_button.setIcon(self.style().standardIcon(icon))
        self.play_button.setToolTip("Pause (Space)" if playing else "Play (Space)")

    def _on_error(self, _error: object, message: str) -> None:
        if self.source is not None:
            self.view.clear(f"Cannot play this video: {message or 'the file cannot be decoded'}")

    def _update_time(self, seconds: float) -> None:
        self.time_label.setText(f"{format_time(seconds)} / {format_time(self.duration)}")
