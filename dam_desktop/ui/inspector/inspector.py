"""The right-hand inspector, in fixed zones: the preview (image or sound) on top, then the sections
other parts of the app add through `add_section` (the tag editor, always in view), then the asset's
properties under a header that folds them. A trashed asset says where the trash keeps it and offers
Restore."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from dam_desktop.core.events import WorldChanged
from dam_desktop.ui.changes import ChangeFollower, concerns
from dam_desktop.ui.inspector.formatting import (
    LOCATION_KINDS,
    breakable,
    format_date,
    format_size,
    property_rows,
)
from dam_desktop.ui.inspector.players import LazyPlayers
from dam_desktop.ui.world_client import WorldClient

if TYPE_CHECKING:
    from dam_desktop.core.world import World
    from dam_desktop.services.browse.browse_service import AssetDetails
    from dam_desktop.ui.inspector.audio_player import AudioPlayer
    from dam_desktop.ui.inspector.image_pane import ImagePane
    from dam_desktop.ui.inspector.image_preview import ImagePreview
    from dam_desktop.ui.inspector.trash_bar import TrashBar
    from dam_desktop.ui.inspector.video_player import VideoPlayer


# Kinds shown as a picture: PDFs by their first page, fonts by a sample.
PICTURED_KINDS = frozenset({"image", "document", "font"})
KIND_NAMES = {"image": "Image", "audio": "Sound", "video": "Video", "document": "Document", "font": "Font"}
DETAIL_COMPONENTS = frozenset({"file", "asset", "trash"})  # changes that alter the properties shown


class Inspector(QScrollArea):
    def __init__(self, client: WorldClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.setObjectName("inspector")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget(self)
        body.setObjectName("inspectorBody")
        self._layout = QVBoxLayout(body)
        self._layout.setContentsMargins(14, 14, 14, 14)
        self._layout.setSpacing(10)

        self.title = QLabel("Nothing selected", body)
        self.title.setObjectName("inspectorTitle")
        self.title.setWordWrap(True)
        self.subtitle = QLabel("Select an image or a sound to preview it here.", body)
        self.subtitle.setObjectName("dimLabel")
        self.subtitle.setWordWrap(True)

        self.previews = QStackedWidget(body)
        self.previews.setMinimumHeight(280)
        self.previews.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        # The image pane and the trash note are made when first needed, like the players: the
        # window paints its first grid without them (nothing is selected at start).
        self._image_pane: ImagePane | None = None
        self._backdrop: str | None = None  # Preferences' backdrop, for the pane once it is made
        self.players = LazyPlayers(self.previews)
        self.no_preview = QLabel("", self.previews)
        self.no_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_preview.setObjectName("dimLabel")
        self.previews.addWidget(self.no_preview)
        self._trash_bar: TrashBar | None = None
        self.properties_header = QToolButton(body)
        self.properties_header.setObjectName("sectionHeader")
        self.properties_header.setText("Properties")
        self.properties_header.setCheckable(True)
        self.properties_header.setChecked(True)
        self.properties_header.setArrowType(Qt.ArrowType.DownArrow)
        self.properties_header.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.properties_header.toggled.connect(self._fold_properties)
        self.properties_header.hide()

        # Name above value, not a QFormLayout: long hashes and paths wrap without being clipped.
        self.properties_box = QWidget(body)
        self.properties = QVBoxLayout(self.properties_box)
        self.properties.setContentsMargins(0, 6, 0, 0)
        self.properties.setSpacing(9)
        self._values: dict[str, QLabel] = {}

        # The sections (tags, marks) edit a selection: with nothing selected they are hidden, not
        # shown greyed out with nothing to edit.
        self.sections_box = QWidget(body)
        self._sections = QVBoxLayout(self.sections_box)
        self._sections.setContentsMargins(0, 0, 0, 0)
        self._sections.setSpacing(10)
        self._layout.addWidget(self.title)
        self._layout.addWidget(self.subtitle)
        self._layout.addWidget(self.previews, 3)
        self._layout.addWidget(self.sections_box)
        self.sections_box.hide()  # until something is selected
        self._layout.addWidget(self.properties_header)
        self._layout.addWidget(self.properties_box)
        self._layout.addStretch(1)
        self._min_width = 0  # the narrowest the splitter was last told the panel may be
        self.setWidget(body)
        body.installEventFilter(self)

        self.details: AssetDetails | None = None
        self.autoplay = False  # play a selected sound at once (Preferences)
        self.selected_ids: list[int] = []
        self._generation = 0
        self._task: asyncio.Task[None] | None = None
        # A change was announced while `_task` read: it may be newer than what the read saw.
        self._changed_meanwhile = False
        self.previews.hide()
        self.change_follower = ChangeFollower(client, self._follows, self._on_change, self)

    restore_requested = Signal(int)  # the entity id whose Restore was clicked

    def _on_restore(self) -> None:
        if self.details is not None:
            self.restore_requested.emit(self.details.entity_id)

    def _fold_properties(self, shown: bool) -> None:
        self.properties_header.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.properties_box.setVisible(shown)

    @property
    def image_pane(self) -> ImagePane:
        if self._image_pane is None:
            from dam_desktop.ui.inspector.image_pane import ImagePane

            self._image_pane = ImagePane(self.previews)
            if self._backdrop is not None:
                self._image_pane.preview.backdrop = self._backdrop
            self.previews.addWidget(self._image_pane)
        return self._image_pane

    @property
    def image_preview(self) -> ImagePreview:
        return self.image_pane.preview

    def set_backdrop(self, backdrop: str) -> None:
        """What shows through transparent pictures in the preview (Preferences)."""
        self._backdrop = backdrop
        if self._image_pane is not None:
            self._image_pane.preview.backdrop = backdrop
            self._image_pane.preview.update()

    @property
    def trash_bar(self) -> TrashBar:
        """The note on a trashed asset, between the preview and the sections."""
        if self._trash_bar is None:
            from dam_desktop.ui.inspector.trash_bar import TrashBar

            self._trash_bar = TrashBar(lambda: self.client.paths.root, self.widget())
            self._trash_bar.restore_clicked.connect(self._on_restore)
            self._layout.insertWidget(self._layout.indexOf(self.sections_box), self._trash_bar)
        return self._trash_bar

    def _hide_trash_bar(self) -> None:
        if self._trash_bar is not None:
            self._trash_bar.hide()

    def _clear_image(self) -> None:
        if self._image_pane is not None:
            self._image_pane.preview.clear()

    @property
    def audio_player(self) -> AudioPlayer:
        return self.players.audio

    @property
    def video_player(self) -> VideoPlayer:
        return self.players.video

    def shows(self, entity_id: int) -> bool:
        """Whether the panel shows that asset with its preview (a sound's or clip's player)."""
        return self.details is not None and self.details.entity_id == entity_id and self.previews.isVisible()

    def toggle_playback(self) -> None:
        """Space over the grid: play or pause the selected sound or clip, when its player is showing."""
        if not self.previews.isVisible():
            return
        if self.players.shows("audio"):
            self.audio_player.toggle()
        elif self.players.shows("video"):
            self.video_player.toggle()

    def add_section(self, title: str, widget: QWidget, position: int | None = None) -> None:
        """Add a titled section under the preview (e.g. the tag editor); `position` 0 puts it first."""
        label = QLabel(title, self.sections_box)
        label.setObjectName("sectionTitle")
        at = self._sections.count() if position is None else min(2 * position, self._sections.count())
        self._sections.insertWidget(at, label)
        self._sections.insertWidget(at + 1, widget)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self._follow_body_width()
        return super().eventFilter(watched, event)

    def _follow_body_width(self) -> None:
        """Tell the splitter when the panel's narrowest width changed (a section shown, a player's
        controls, a wider chip): a change inside the scroll area's body does not reach it, and a
        panel left narrower than its body scrolls sideways, an edge cut off with no scroll bar."""
        width = self.minimumSizeHint().width()
        if width != self._min_width:
            self._min_width = width
            self.updateGeometry()

    def minimumSizeHint(self) -> QSize:
        """Never narrower than its content and the scroll bar beside it: the panel scrolls only up
        and down, so a splitter that squeezed it further would cut off the preview's right edge and
        the rows of the widest section (the marks)."""
        hint = super().minimumSizeHint()
        body = self.widget()
        if body is None:
            return hint
        width = (
            body.minimumSizeHint().width()
            + self.verticalScrollBar().sizeHint().width()
            + 2 * self.frameWidth()
        )
        return QSize(max(hint.width(), width), hint.height())

    def show_selection(self, entity_ids: Sequence[int], count: int | None = None) -> asyncio.Task[None]:
        """Show the selection (`count` assets, of which `entity_ids` are known); the returned task
        finishes when the panel is filled in."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
        total = len(entity_ids) if count is None else count
        return self._start(self._show(list(entity_ids), total))

    def _start(self, reading: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run the panel's read; one a change was announced during is read again once it shows."""
        self._changed_meanwhile = False
        self._task = asyncio.get_running_loop().create_task(reading)
        self._task.add_done_callback(self._after_read)
        return self._task

    def _after_read(self, task: asyncio.Task[None]) -> None:
        if task is self._task and self._changed_meanwhile and not task.cancelled():
            self._on_change(None)

    async def _show(self, entity_ids: list[int], count: int) -> None:
        self._generation += 1
        self.selected_ids = entity_ids
        if count != 1 or not entity_ids:
            self._show_summary(count)
            return
        await self._show_details(entity_ids[0], None)

    async def _show_details(self, entity_id: int, shown: AssetDetails | None) -> None:
        """Read and show one asset; `shown` is what the panel shows of it already (after a change),
        whose preview is kept unless the file moved."""
        generation = self._generation
        details = await self._read_details(entity_id)
        if generation != self._generation:
            return
        if details is None:
            self._show_summary(0)
            return
        self.details = details
        self.sections_box.show()
        self.title.setText(details.filename)
        kind = KIND_NAMES.get(details.asset_type, "File")
        self.subtitle.setText(
            f"{kind} · {details.extension.upper() or details.mime_type} · {format_size(details.size_bytes)}"
        )
        self._fill_properties(details)
        self._show_trash(details)
        if shown is None or details.file_path != shown.file_path:
            await self._show_preview(details)

    async def _read_details(self, entity_id: int) -> AssetDetails | None:
        async def read(world: World) -> AssetDetails | None:
            # Imported here, on the world thread: the inspector is built before SQLAlchemy loads.
            from dam_desktop.use_cases.library import asset_details

            return await asset_details(world, entity_id)

        return await self.client.call(read)

    def _follows(self, change: WorldChanged) -> bool:
        return (
            len(self.selected_ids) == 1  # one asset is shown, or is being read
            and bool(change.everything or change.components & DETAIL_COMPONENTS)
            and concerns(change, self.selected_ids)
        )

    def _on_change(self, _change: WorldChanged | None) -> None:
        if self._task is not None and not self._task.done():
            self._changed_meanwhile = True
        elif self.details is not None:
            self._start(self._refresh_details())

    async def _refresh_details(self) -> None:
        """Show the asset again after it changed (moved, relinked, trashed)."""
        if self.details is not None:
            await self._show_details(self.details.entity_id, self.details)

    def _show_trash(self, details: AssetDetails) -> None:
        if details.trashed_at is None:
            self._hide_trash_bar()
            return
        where = next((loc.path for loc in details.locations if loc.storage_type == "trash"), None)
        self.trash_bar.show_trashed(format_date(details.trashed_at), where)

    def _show_summary(self, count: int) -> None:
        self.details = None
        self._hide_trash_bar()
        self.properties_header.hide()
        self._clear_image()
        self.players.clear_audio()
        self.players.clear_video()
        self.previews.hide()
        self._clear_properties()
        self.sections_box.setVisible(count > 0)
        if count:
            self.title.setText(f"{count:,} assets selected")
            self.subtitle.setText("Right-click for what you can do with them.")
        else:
            self.title.setText("Nothing selected")
            self.subtitle.setText("Select an image or a sound to preview it here.")

    async def _show_preview(self, details: AssetDetails) -> None:
        path = details.file_path
        self.previews.show()
        if details.asset_type != "video":
            self.players.clear_video()
        if path is None or not path.exists():
            self.players.clear_audio()
            self._clear_image()
            self.no_preview.setText("The file is missing from its location.")
            self.previews.setCurrentWidget(self.no_preview)
            return
        if details.asset_type in PICTURED_KINDS:
            self.players.clear_audio()
            self.previews.setCurrentWidget(self.image_pane)
            await self.image_preview.load(path, details.filename)
        elif details.asset_type == "audio":
            self._clear_image()
            self.previews.setCurrentWidget(self.audio_player)
            if await self.audio_player.load(path) and self.autoplay:
                self.audio_player.toggle()
        elif details.asset_type == "video":
            self._clear_image()
            self.players.clear_audio()
            self.previews.setCurrentWidget(self.video_player)
            self.video_player.load(path, details.duration_seconds)
        else:
            self._clear_image()
            self.players.clear_audio()
            self.previews.hide()

    def property_value(self, name: str) -> QLabel | None:
        """The label showing property `name` ("Dimensions", "SHA-256", ...), if shown."""
        return self._values.get(name)

    def _clear_properties(self) -> None:
        self._values.clear()
        while (item := self.properties.takeAt(0)) is not None:
            if (widget := item.widget()) is not None:
                widget.deleteLater()

    def _fill_properties(self, details: AssetDetails) -> None:
        self._clear_properties()
        self.properties_header.show()
        for name, value in property_rows(details):
            row = QWidget(self.properties_box)
            row_layout = QVBoxLayout(row)
            row_layout.setContentsMargins(0, 0, 0, 0)
            row_layout.setSpacing(1)
            label = QLabel(name.upper(), row)
            label.setObjectName("propertyName")
            shown = QLabel(value, row)
            shown.setObjectName("propertyValue")
            shown.setWordWrap(True)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if name == "SHA-256" or name in LOCATION_KINDS.values():
                shown.setToolTip(value)
                shown.setText(breakable(value))
            row_layout.addWidget(label)
            row_layout.addWidget(shown)
            self.properties.addWidget(row)
            self._values[name] = shown
