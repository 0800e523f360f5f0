"""The inspector's tag editor: chips for the selection's tags, add with autocomplete, undo/redo.

Works on one asset or many. A chip in full colour is on every selected asset; a dashed, dimmed
chip ("cat 2/5") is on only some — clicking its name applies it to all. The × on a chip removes
the tag from every selected asset. Typing offers tags ranked by how often they are used; Enter
adds (commas separate several tags). Every edit is a QUndoCommand on `undo_stack`, so Ctrl+Z /
Ctrl+Shift+Z undo and redo exactly what an edit changed (only the links it created or removed).

All database work goes through `WorldClient.call` (the world thread); edits run one after the
other, in the order they were made, on a small queue.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QCompleter,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from dam_desktop.core.errors import TagNameError
from dam_desktop.core.events import WorldChanged
from dam_desktop.core.world import World
from dam_desktop.services.tags.tag_types import SelectionTags, TagEdit, TagInfo
from dam_desktop.ui.changes import ChangeFollower, concerns
from dam_desktop.ui.tags.result_tag_edit import ResultTagEditCommand
from dam_desktop.ui.tags.tag_chips import FlowLayout, TagChip
from dam_desktop.ui.tasks import Newest, TaskSet
from dam_desktop.ui.world_client import WorldClient
from dam_desktop.use_cases import tags as tag_cases
from dam_desktop.use_cases.result_scope import ResultScope

NO_TAGS = "No tags"
UNREAD = "The tags could not be read"


class TagEditCommand(QUndoCommand):
    """Adds tags to, or removes tags from, a fixed set of assets; undo reverts exactly its links."""

    def __init__(
        self,
        editor: TagEditor,
        text: str,
        entity_ids: Sequence[int],
        *,
        add_names: Sequence[str] = (),
        add_ids: Sequence[int] = (),
        remove_ids: Sequence[int] = (),
    ) -> None:
        super().__init__(text)
        self.editor = editor
        self.entity_ids = list(entity_ids)
        self.add_names = list(add_names)
        self.add_ids = list(add_ids)
        self.remove_ids = list(remove_ids)
        self.edit: TagEdit | None = None

    def redo(self) -> None:
        self.editor.enqueue(self._apply)

    def undo(self) -> None:
        self.editor.enqueue(self._revert)

    async def _apply(self, world: World) -> None:
        if self.remove_ids:
            self.edit = await tag_cases.remove_tag_ids(world, self.entity_ids, self.remove_ids)
        else:
            self.edit = await tag_cases.add_tags(world, self.entity_ids, self.add_names, self.add_ids)

    async def _revert(self, world: World) -> None:
        if self.edit is not None:
            await tag_cases.undo_edit(world, self.edit, removal=bool(self.remove_ids))


class TagEditor(QWidget):
    """Tag chips and an input for the current selection. Call `set_entities` when it changes."""

    read_failed = Signal(object)  # reading the selection's tags raised this: no chips are shown
    tags_read = Signal()  # the selection's tags were read and shown

    def __init__(
        self, client: WorldClient, undo_stack: QUndoStack | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.undo_stack = undo_stack if undo_stack is not None else QUndoStack(self)
        self.entity_ids: list[int] = []
        self.scope: ResultScope | None = None  # edits go to this whole result, not `entity_ids`
        self.selection = SelectionTags([], [])
        self._queue: asyncio.Queue[Callable[[], Awaitable[None]]] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._pending = 0
        self._idle: asyncio.Event | None = None
        self.tasks = TaskSet(self)
        self._answers = Newest(self.tasks, self._show_selection)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.chips_host = QWidget(self)
        self.chips = FlowLayout(self.chips_host)
        self._chip_widgets: list[TagChip] = []
        self.chips_host.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.empty_label = QLabel(NO_TAGS, self)
        self.empty_label.setObjectName("dimLabel")
        self.input = QLineEdit(self)
        self.input.setObjectName("tagInput")
        self.input.setPlaceholderText("Add tags…  (Enter; commas for several)")
        self.completions = QStringListModel(self)
        self.completer = QCompleter(self.completions, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setWidget(self.input)
        self.completer.activated.connect(self._completion_chosen)
        self._complete_timer = QTimer(self)
        self._complete_timer.setSingleShot(True)
        self._complete_timer.setInterval(120)
        self._complete_timer.timeout.connect(lambda: self.tasks.spawn(self.refresh_completions()))
        self.input.textEdited.connect(lambda _t: self._complete_timer.start())
        self.input.returnPressed.connect(self._return_pressed)
        layout.addWidget(self.chips_host)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.input)
        self.shortcuts: list[QShortcut] = []
        for keys, slot in (
            (QKeySequence.StandardKey.Undo, self.undo_stack.undo),
            (QKeySequence.StandardKey.Redo, self.undo_stack.redo),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
            # A window that puts Undo/Redo in its Edit menu disables these (one owner per key).
            self.shortcuts.append(shortcut)
        self.setEnabled(False)
        self.change_follower = ChangeFollower(
            client, self._follows, lambda _c: self.tasks.spawn(self.reload()), self
        )

    # --- selection --------------------------------------------------------------------------------

    async def set_entities(self, entity_ids: Sequence[int], scope: ResultScope | None = None) -> None:
        """Show the tags of these assets (all / some); with `scope`, edits apply to that result."""
        self.entity_ids = list(dict.fromkeys(int(i) for i in entity_ids))
        self.scope = scope
        self.setEnabled(bool(self.entity_ids))
        await self.reload()

    async def reload(self) -> None:
        """Read the selection's tags again. A read that fails shows no chips (those shown may be
        another selection's) and says so in the editor; it is told (`read_failed`), not raised."""
        ids = list(self.entity_ids)
        try:
            shown = await self._answers.ask(
                self.client.call(lambda world: tag_cases.tags_of_selection(world, ids))
            )
        except Exception as exc:
            if ids == self.entity_ids:
                self._show_selection(SelectionTags([], []))
                self.empty_label.setText(UNREAD)
            self.read_failed.emit(exc)
            return
        if shown:
            self.tags_read.emit()

    def _show_selection(self, selection: SelectionTags) -> None:
        self.selection = selection
        self.empty_label.setText(NO_TAGS)
        self._rebuild_chips()

    def _follows(self, change: WorldChanged) -> bool:
        """Tags of the shown assets changed elsewhere (the model review, the CLI, a tag renamed);
        the editor's own edits reload when its queue drains."""
        return (
            self._pending == 0
            and bool(self.entity_ids)
            and change.touches(tag_cases.TAGS)
            and concerns(change, self.entity_ids)
        )

    def _rebuild_chips(self) -> None:
        self.chips.forget_items()
        for old in self._chip_widgets:
            old.hide()
            old.deleteLater()
        self._chip_widgets = []
        total = len(self.entity_ids)
        entries = [(t, total) for t in self.selection.all] + list(self.selection.some)
        for tag, carried in sorted(entries, key=lambda e: (e[1] < total, e[0].name)):
            chip = TagChip(tag, carried, total, self.chips_host)
            chip.applyRequested.connect(self.apply_to_all)
            chip.removeRequested.connect(self.remove_tag_id)
            self.chips.addWidget(chip)
            self._chip_widgets.append(chip)
            chip.show()
        self.empty_label.setVisible(not entries and bool(self.entity_ids))
        self.chips_host.updateGeometry()

    def chip_names(self) -> list[tuple[str, bool]]:
        """(tag name, on every selected asset) for each chip, in display order (for tests)."""
        return [(chip.tag.name, not chip.partial) for chip in self._chip_widgets if not chip.isHidden()]

    # --- edits ------------------------------------------------------------------------------------

    def add_tags(self, names: Sequence[str]) -> None:
        """Add the tags to every selected asset (one undoable step)."""
        clean = []
        for name in names:
            try:
                clean.append(tag_cases.normalize_tag_name(name))
            except TagNameError:
                continue
        if clean and self.entity_ids:
            label = f"Add {', '.join(clean)}" if len(clean) < 4 else f"Add {len(clean)} tags"
            self._push(label, add_names=clean)

    def apply_to_all(self, tag_id: int) -> None:
        self._push(f"Add {self._name_of(tag_id)} to all", add_ids=[tag_id])

    def remove_tag_id(self, tag_id: int) -> None:
        self._push(f"Remove {self._name_of(tag_id)}", remove_ids=[tag_id])

    def _push(self, label: str, **edit: Sequence[Any]) -> None:
        if self.scope is not None:
            self.undo_stack.push(ResultTagEditCommand(self.enqueue, label, self.scope, **edit))
        else:
            self.undo_stack.push(TagEditCommand(self, label, self.entity_ids, **edit))

    def _name_of(self, tag_id: int) -> str:
        for tag in [*self.selection.all, *(t for t, _ in self.selection.some)]:
            if tag.id == tag_id:
                return tag.name
        return "tag"

    def enqueue(self, action: Callable[[World], Coroutine[Any, Any, None]]) -> None:
        """Run `action(world)` on the world thread after every earlier edit, then reload."""
        loop = asyncio.get_event_loop()
        if self._queue is None:
            self._queue = asyncio.Queue()
            self._idle = asyncio.Event()
        if self._worker is None or self._worker.done():
            self._worker = loop.create_task(self._drain())

        async def step() -> None:
            await self.client.call(action)

        self._pending += 1
        assert self._idle is not None
        self._idle.clear()
        self._queue.put_nowait(step)

    async def _drain(self) -> None:
        assert self._queue is not None
        while True:
            step = await self._queue.get()
            try:
                await step()
            finally:
                self._pending -= 1
            if self._pending == 0:
                await self.reload()
                if self._pending == 0 and self._idle is not None:
                    self._idle.set()

    async def wait_idle(self) -> None:
        """Wait until every queued edit is saved and the chips show the result."""
        if self._idle is not None:
            await self._idle.wait()

    # --- input and autocomplete -------------------------------------------------------------------

    def _return_pressed(self) -> None:
        popup = self.completer.popup()
        if popup is not None and popup.isVisible():
            popup.hide()
        names = [part for part in self.input.text().split(",") if part.strip()]
        self.input.clear()
        self.add_tags(names)

    def _completion_chosen(self, text: str) -> None:
        name = text.split("  (")[0]
        self.input.setText(name)

    async def refresh_completions(self) -> list[TagInfo]:
        prefix = self.input.text().split(",")[-1].strip()
        if not prefix:
            self.completions.setStringList([])
            return []

        found = await self.client.call(lambda world: tag_cases.autocomplete(world, prefix, limit=12))
        if self.input.text().split(",")[-1].strip() != prefix:
            return found
        self.completions.setStringList([f"{t.name}  ({t.use_count:,})" for t in found])
        if found and self.input.hasFocus():
            self.completer.complete()
        return found
