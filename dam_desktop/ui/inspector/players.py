"""The inspector's sound and clip players, made the first time an asset needs one.

Most sessions start on pictures, and a player (QtMultimedia's objects, its controls) is a good part
of the window's construction: the window paints its first grid sooner without them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QStackedWidget

if TYPE_CHECKING:  # their modules (QtMultimedia's among them) load with the first player
    from dam_desktop.ui.inspector.audio_player import AudioPlayer
    from dam_desktop.ui.inspector.video_player import VideoPlayer


class LazyPlayers:
    """The players of one stack of previews; `setup` is called on each sound player once made
    (Preferences gives it the loop and volume settings)."""

    def __init__(self, stack: QStackedWidget) -> None:
        self._stack = stack
        self._audio: AudioPlayer | None = None
        self._video: VideoPlayer | None = None
        self.setup: Callable[[AudioPlayer], None] = lambda _player: None

    @property
    def audio(self) -> AudioPlayer:
        if self._audio is None:
            from dam_desktop.ui.inspector.audio_player import AudioPlayer

            self._audio = AudioPlayer(self._stack)
            self._stack.addWidget(self._audio)
            self.setup(self._audio)
        return self._audio

    @property
    def video(self) -> VideoPlayer:
        if self._video is None:
            from dam_desktop.ui.inspector.video_player import VideoPlayer

            self._video = VideoPlayer(self._stack)
            self._stack.addWidget(self._video)
        return self._video

    @property
    def made_audio(self) -> AudioPlayer | None:
        """The sound player, if one was made."""
        return self._audio

    def shows(self, player: str) -> bool:
        """Whether the stack shows the "audio" or "video" player."""
        made = self._audio if player == "audio" else self._video
        return made is not None and self._stack.currentWidget() is made

    def clear_audio(self) -> None:
        if self._audio is not None:
            self._audio.clear()

    def clear_video(self) -> None:
        if self._video is not None:
            self._video.clear()

    def stop(self) -> None:
        """Stop whatever plays and let go of the clip (the window closes)."""
        if self._audio is not None:
            self._audio.stop()
        if self._video is not None:
            self._video.release()
