"""The inspector's audio player: play, pause, loop, volume, and seek by clicking the waveform.

The waveform's peaks are read in a worker thread; the QMediaPlayer is created on first play, so
selecting sounds never waits for the multimedia backend. With no sound output device, Play says so
rather than pretending to play.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPainterPath, QPaintEvent
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

from dam_desktop.ui.inspector.formatting import SHORT_SOUND_S, format_time

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from PySide6.QtMultimedia import QMediaPlayer

    FloatArray = npt.NDArray[np.float32]
WAVEFORM_COLUMNS = 600
NO_DEVICE = "No sound output device: connect speakers or headphones, or check the system's sound settings."


def sound_outputs_available() -> bool:
    from PySide6.QtMultimedia import QMediaDevices

    return bool(QMediaDevices.audioOutputs())


def read_peaks(path: Path, columns: int = WAVEFORM_COLUMNS) -> tuple[FloatArray, FloatArray, float]:
    """Runs in a worker thread. Imported here: soundfile costs start-up time."""
    import soundfile as sf

    from dam_desktop.utils.waveform import waveform_peaks

    try:
        with sf.SoundFile(str(path)) as sound:
            duration = sound.frames / float(sound.samplerate or 1)
            lows, highs = waveform_peaks(sound, columns)
    except (RuntimeError, sf.LibsndfileError) as exc:
        # AAC/M4A, WMA and the like: FFmpeg reads what libsndfile cannot.
        import av

        from dam_desktop.utils.av_waveform import av_sound

        try:
            sound_through_ffmpeg = av_sound(path, columns)
        except (av.FFmpegError, ValueError):
            raise exc from None
        return sound_through_ffmpeg.lows, sound_through_ffmpeg.highs, sound_through_ffmpeg.duration_seconds
    return lows, highs, duration


class WaveformView(QWidget):
    seek_requested = Signal(float)  # a fraction of the duration, 0..1

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(110)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setObjectName("waveform")
        # Plain sequences until peaks arrive: numpy is not loaded before the first grid paints.
        self._lows: FloatArray | tuple[()] = ()
        self._highs: FloatArray | tuple[()] = ()
        self.position = 0.0  # playhead as a fraction
        self.message = ""

    def set_peaks(self, lows: FloatArray, highs: FloatArray) -> None:
        peak = float(max(abs(lows).max(initial=0.0), abs(highs).max(initial=0.0))) or 1.0
        self._lows, self._highs = lows / peak, highs / peak
        self.message = ""
        self.update()

    def clear(self, message: str = "") -> None:
        self._lows = self._highs = ()
        self.position = 0.0
        self.message = message
        self.update()

    @property
    def has_peaks(self) -> bool:
        return len(self._lows) > 0

    def set_position(self, fraction: float) -> None:
        self.position = max(0.0, min(1.0, fraction))
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.width() > 0:
            fraction = max(0.0, min(1.0, event.position().x() / self.width()))
            self.set_position(fraction)
            self.seek_requested.emit(fraction)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect())
        background = QPainterPath()
        background.addRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        painter.fillPath(background, self.palette().base())
        accent = self.palette().highlight().color()
        if not self.has_peaks:
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(self.rect(), int(Qt.AlignmentFlag.AlignCenter), self.message)
            return
        mid = rect.height() / 2
        half = mid - 6
        count = len(self._lows)
        step = rect.width() / count
        played = self.position * rect.width()
        dim = QColor(accent)
        dim.setAlpha(110)
        for n in range(count):
            x = n * step
            top = mid - float(self._highs[n]) * half
            bottom = mid - float(self._lows[n]) * half
            colour = accent if x <= played else dim
            painter.fillRect(QRectF(x, top, max(1.0, step * 0.8), max(1.0, bottom - top)), colour)
        painter.setPen(self.palette().text().color())
        painter.drawLine(QPointF(played, 2), QPointF(played, rect.height() - 2))


class AudioPlayer(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.waveform = WaveformView(self)
        self.play_button = QToolButton(self)
        self.play_button.setObjectName("playButton")
        self.play_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        self.play_button.setToolTip("Play (Space)")
        self.play_button.setEnabled(False)
        self.time_label = QLabel("0:00 / 0:00", self)
        self.time_label.setObjectName("timeLabel")
        self.loop_button = QToolButton(self)
        self.loop_button.setText("Loop")
        self.loop_button.setCheckable(True)
        self.loop_button.setToolTip("Play the sound over and over")
        self.volume_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.volume_slider.setRange(0, 100)
        self.volume_slider.setValue(80)
        self.volume_slider.setMaximumWidth(90)
        self.volume_slider.setToolTip("Volume")
        self.notice = QLabel("", self)
        self.notice.setObjectName("dimLabel")
        self.notice.setWordWrap(True)
        self.notice.hide()

        controls = QHBoxLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addWidget(self.play_button)
        controls.addWidget(self.time_label)
        controls.addStretch(1)
        controls.addWidget(self.loop_button)
        speaker = QLabel(self)
        speaker.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaVolume).pixmap(16, 16))
        controls.addWidget(speaker)
        controls.addWidget(self.volume_slider)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.waveform, 1)
        layout.addLayout(controls)
        layout.addWidget(self.notice)

        self.outputs_available = sound_outputs_available
        self.loop_button.toggled.connect(self._apply_loop)
        self.volume_slider.valueChanged.connect(self._apply_volume)
        self.duration = 0.0
        self.source: Path | None = None
        self._player: QMediaPlayer | None = None
        self._generation = 0
        self.play_button.clicked.connect(self.toggle)
        self.waveform.seek_requested.connect(self.seek_fraction)

    @property
    def player(self) -> QMediaPlayer:
        """Created on first use: loading the multimedia backend costs start-up time."""
        if self._player is None:
            from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

            player = QMediaPlayer(self)
            output = QAudioOutput(player)
            output.setVolume(self.volume_slider.value() / 100)
            player.setAudioOutput(output)
            player.setLoops(QMediaPlayer.Loops.Infinite if self.loop_button.isChecked() else 1)
            player.errorOccurred.connect(lambda _error, text: self._say(f"Cannot play this sound: {text}"))
            player.positionChanged.connect(self._on_position)
            player.playbackStateChanged.connect(self._on_state)
            self._player = player
        return self._player

    def clear(self) -> None:
        self._generation += 1
        self._say("")
        self.stop()
        self.source = None
        self.duration = 0.0
        self.waveform.clear()
        self.play_button.setEnabled(False)
        self.time_label.setText("0:00 / 0:00")

    async def load(self, path: Path) -> bool:
        self.clear()
        generation = self._generation
        self.source = path
        self.waveform.clear("Reading waveform…")
        try:
            lows, highs, duration = await asyncio.get_running_loop().run_in_executor(None, read_peaks, path)
        except (OSError, RuntimeError) as exc:  # soundfile's LibsndfileError is a RuntimeError
            if generation == self._generation:
                self.waveform.clear(f"Cannot read this sound: {exc}")
            return False
        if generation != self._generation:
            return False
        self.duration = duration
        self.waveform.set_peaks(lows, highs)
        self.play_button.setEnabled(True)
        self._update_time(0.0)
        return True

    def toggle(self) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if self.source is None:
            return
        if not self.outputs_available():
            self._say(NO_DEVICE)
            return
        player = self.player
        if player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            player.pause()
            return
        if player.source() != QUrl.fromLocalFile(str(self.source)):
            player.setSource(QUrl.fromLocalFile(str(self.source)))
            if self.waveform.position > 0:
                player.setPosition(int(self.waveform.position * self.duration * 1000))
        player.play()

    def _say(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def _apply_loop(self, loop: bool) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if self._player is not None:
            self._player.setLoops(QMediaPlayer.Loops.Infinite if loop else 1)

    def _apply_volume(self, value: int) -> None:
        if self._player is not None and (output := self._player.audioOutput()) is not None:
            output.setVolume(value / 100)

    def stop(self) -> None:
        if self._player is not None:
            self._player.stop()
            self._player.setSource(QUrl())

    def seek_fraction(self, fraction: float) -> None:
        seconds = fraction * self.duration
        self.waveform.set_position(fraction)
        self._update_time(seconds)
        if self._player is not None and not self._player.source().isEmpty():
            self._player.setPosition(int(seconds * 1000))

    def _on_position(self, milliseconds: int) -> None:
        seconds = milliseconds / 1000
        if self.duration > 0:
            self.waveform.set_position(seconds / self.duration)
        self._update_time(seconds)

    def _on_state(self, state: QMediaPlayer.PlaybackState) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        playing = state == QMediaPlayer.PlaybackState.PlayingState
        icon = QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        self.play_button.setIcon(self.style().standardIcon(icon))
        self.play_button.setToolTip("Pause (Space)" if playing else "Play (Space)")

    def _update_time(self, seconds: float) -> None:
        tenths = self.duration < SHORT_SOUND_S
        self.time_label.setText(
            f"{format_time(seconds, tenths=tenths)} / {format_time(self.duration, tenths=tenths)}"
        )
