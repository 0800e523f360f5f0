"""Edit › Preferences… (Ctrl+,): the dialog, and applying each setting to the open window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from dam_desktop.ui.grid.thumbnail_cache import DEFAULT_BUDGET_MB
from dam_desktop.ui.preferences import prefs

if TYPE_CHECKING:
    from dam_desktop.ui.inspector.audio_player import AudioPlayer
    from dam_desktop.ui.preferences.dialog import PreferencesDialog
    from dam_desktop.ui.preview.install import LazyPreview
    from dam_desktop.ui.preview.overlay import PreviewOverlay
    from dam_desktop.ui.window.main_window import MainWindow


class Preferences(QObject):
    def __init__(self, window: MainWindow, edit_menu: QMenu, preview: LazyPreview) -> None:
        super().__init__(window)
        self.window = window
        self.preview = preview
        self.dialog: PreferencesDialog | None = None
        self.action = QAction("&Preferences…", window)
        self.action.setShortcut(QKeySequence(QKeySequence.StandardKey.Preferences))
        if self.action.shortcut().isEmpty():
            self.action.setShortcut(QKeySequence("Ctrl+,"))
        self.action.triggered.connect(self.show)
        edit_menu.addSeparator()
        edit_menu.addAction(self.action)
        for key in (prefs.BACKDROP_KEY, prefs.AUTOPLAY_KEY, prefs.LOOP_KEY, prefs.VOLUME_KEY):
            self.apply(key)
        # Players and the preview are made on first use: each gets the settings then.
        window.inspector.players.setup = self._set_up_player
        preview.setup = self._set_up_preview

    def _set_up_player(self, player: AudioPlayer) -> None:
        player.loop_button.setChecked(prefs.read_bool(self.window.settings, prefs.LOOP_KEY))
        player.volume_slider.setValue(prefs.volume(self.window.settings))

    def _set_up_preview(self, overlay: PreviewOverlay) -> None:
        overlay.image.backdrop = prefs.backdrop(self.window.settings)
        self._set_up_player(overlay.sound)

    def show(self) -> PreferencesDialog:
        from dam_desktop.features import model_features_available
        from dam_desktop.ui.preferences.dialog import PreferencesDialog  # made on first use

        if self.dialog is None:
            self.dialog = PreferencesDialog(
                self.window.settings, self.window, model_work=model_features_available()
            )
            self.dialog.changed.connect(self.apply)
            self.dialog.models_requested.connect(self._open_models)
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def _open_models(self) -> None:
        from dam_desktop.ui.models.menu import open_models_dialog

        open_models_dialog(self.window)

    def apply(self, key: str) -> None:
        """Make the window follow the setting `key` just written (or read at start)."""
        window, settings = self.window, self.window.settings
        made = (window.inspector.players.made_audio, self.preview.made)
        players = [p for p in (made[0], made[1].sound if made[1] is not None else None) if p is not None]
        if key == prefs.BACKDROP_KEY:
            backdrop = prefs.backdrop(settings)
            window.grid.delegate.backdrop = backdrop
            window.inspector.set_backdrop(backdrop)
            if self.preview.made is not None:
                self.preview.made.image.backdrop = backdrop
            window.grid.viewport().update()
        elif key == prefs.AUTOPLAY_KEY:
            window.inspector.autoplay = prefs.read_bool(settings, key)
        elif key == prefs.LOOP_KEY:
            for player in players:
                player.loop_button.setChecked(prefs.read_bool(settings, key))
        elif key == prefs.VOLUME_KEY:
            for player in players:
                player.volume_slider.setValue(prefs.volume(settings))
        elif key == prefs.IMPORT_MODE_KEY:
            window.set_import_mode("reference" if settings.value(key) == "reference" else "copy")
        elif key == prefs.CACHE_KEY:
            window.cache.set_budget_mb(prefs.read_int(settings, key, DEFAULT_BUDGET_MB, 64, 4096))
        elif key == prefs.PAUSED_KEY:
            from dam_desktop.ui.jobs.background_work import BackgroundWork

            background = window.findChild(BackgroundWork)
            if background is not None:
                background.pause_action.setChecked(prefs.read_bool(settings, key))
