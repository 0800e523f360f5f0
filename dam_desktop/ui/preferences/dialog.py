"""Edit › Preferences: thumbnails, sounds, importing, background work and models.

Each control writes its setting at once and says so through `changed(key)`; the window applies
what it can live (`install.apply`), the rest at the next start (said next to the control).
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from dam_desktop.ui.backdrop import BACKDROPS
from dam_desktop.ui.grid.thumbnail_cache import DEFAULT_BUDGET_MB
from dam_desktop.ui.preferences import prefs

IMPORT_MODES = {"copy": "Copy files into the library", "reference": "Link to files where they are"}


class PreferencesDialog(QDialog):
    changed = Signal(str)  # the settings key just written
    models_requested = Signal()

    def __init__(
        self, settings: QSettings, parent: QWidget | None = None, *, model_work: bool = True
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("Preferences")
        self.setObjectName("preferencesDialog")
        self.setMinimumWidth(520)

        self.backdrop = QComboBox(self)
        for key, label in BACKDROPS.items():
            self.backdrop.addItem(label, key)
        self.backdrop.setCurrentIndex(list(BACKDROPS).index(prefs.backdrop(settings)))
        self.backdrop.currentIndexChanged.connect(
            lambda _n: self._write(prefs.BACKDROP_KEY, self.backdrop.currentData())
        )
        self.cache = QSpinBox(self)
        self.cache.setRange(64, 4096)
        self.cache.setSingleStep(64)
        self.cache.setSuffix(" MB")
        self.cache.setValue(prefs.read_int(settings, prefs.CACHE_KEY, DEFAULT_BUDGET_MB, 64, 4096))
        self.cache.valueChanged.connect(lambda value: self._write(prefs.CACHE_KEY, int(value)))
        look = QGroupBox("Thumbnails", self)
        look_form = QFormLayout(look)
        look_form.addRow("Behind transparent pictures", self.backdrop)
        look_form.addRow("Memory for thumbnails", self.cache)
        look_form.addRow(
            "", self._note("Small icons and pixel art are always shown sharp, at whole-number sizes.")
        )

        self.autoplay = QCheckBox("Play a sound when it is selected", self)
        self.autoplay.setChecked(prefs.read_bool(settings, prefs.AUTOPLAY_KEY))
        self.autoplay.toggled.connect(lambda on: self._write(prefs.AUTOPLAY_KEY, on))
        self.loop = QCheckBox("Loop sounds", self)
        self.loop.setChecked(prefs.read_bool(settings, prefs.LOOP_KEY))
        self.loop.toggled.connect(lambda on: self._write(prefs.LOOP_KEY, on))
        self.volume = QSlider(Qt.Orientation.Horizontal, self)
        self.volume.setRange(0, 100)
        self.volume.setValue(prefs.volume(settings))
        self.volume.valueChanged.connect(lambda value: self._write(prefs.VOLUME_KEY, int(value)))
        sound = QGroupBox("Sounds", self)
        sound_form = QFormLayout(sound)
        sound_form.addRow(self.autoplay)
        sound_form.addRow(self.loop)
        sound_form.addRow("Volume", self.volume)

        self.import_mode = QComboBox(self)
        for key, label in IMPORT_MODES.items():
            self.import_mode.addItem(label, key)
        mode = str(settings.value(prefs.IMPORT_MODE_KEY, "copy"))
        self.import_mode.setCurrentIndex(1 if mode == "reference" else 0)
        self.import_mode.currentIndexChanged.connect(
            lambda _n: self._write(prefs.IMPORT_MODE_KEY, self.import_mode.currentData())
        )
        importing = QGroupBox("Importing", self)
        import_form = QFormLayout(importing)
        import_form.addRow("When importing", self.import_mode)
        self.any_file = QCheckBox("Also import any other file, shown with its type's icon", self)
        self.any_file.setToolTip(
            "Archives, project files, documents: files that are no image, sound, video, PDF or "
            "font. Off: they are skipped, and the import's report says why."
        )
        self.any_file.setChecked(prefs.read_bool(settings, prefs.ANY_FILE_KEY))
        self.any_file.toggled.connect(lambda on: self._write(prefs.ANY_FILE_KEY, on))
        import_form.addRow(self.any_file)

        self.pause_models = QCheckBox("Pause model work (embeddings and proposed tags)", self)
        self.pause_models.setChecked(prefs.read_bool(settings, prefs.PAUSED_KEY))
        self.pause_models.toggled.connect(lambda on: self._write(prefs.PAUSED_KEY, on))
        self.pause_models.setEnabled(model_work)
        self.models_button = QPushButton("Models…", self)
        self.models_button.setToolTip("Choose, download or import the models for tags and search")
        self.models_button.clicked.connect(self.models_requested)
        self.models_button.setEnabled(model_work)
        # A button of its text's width, not the dialog's default: Enter is not "open Models".
        self.models_button.setAutoDefault(False)
        self.models_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        background = QGroupBox("Background work and models", self)
        background_form = QFormLayout(background)
        background_form.addRow(self.pause_models)
        background_form.addRow(
            self._note("Thumbnails and sound fingerprints are made first and are never paused."),
        )
        background_form.addRow("Models", self.models_button)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for group in (look, sound, importing, background):
            layout.addWidget(group)
        layout.addWidget(buttons)

    def _note(self, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName("dimLabel")
        label.setWordWrap(True)
        return label

    def _write(self, key: str, value: object) -> None:
        self.settings.setValue(key, value)
        self.changed.emit(key)
