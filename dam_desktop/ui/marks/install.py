"""Marks in the window: the inspector's Marks section, keys 0-5 over the grid, the tiles' stars and
label frames, undo, and results that follow (a `rating:>=4` search drops an asset whose rating
falls to 2). Installed once the world is open (`app.install_room_ui`): it reads marks at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand

from dam_desktop.core.errors import DamError
from dam_desktop.core.events import WorldChanged
from dam_desktop.ui.changes import ChangeFollower, concerns
from dam_desktop.ui.grid.tile_marks import TileMark
from dam_desktop.ui.marks.marks_editor import STAR, MarksEditor
from dam_desktop.ui.tasks import TaskSet
from dam_desktop.ui.window.read_failure import SELECTION_MARKS_UNREAD, TILES_STALE
from dam_desktop.ui.window.results import selection_scope
from dam_desktop.ui.window.undoable import STEPS
from dam_desktop.use_cases import marks as marks_cases
from dam_desktop.use_cases.marks import BulkMarksEdit, MarkChanges, Marks
from dam_desktop.use_cases.result_scope import ResultScope

if TYPE_CHECKING:
    from dam_desktop.ui.window.main_window import MainWindow

SELECTION_LIMIT = 10_000  # a bulk edit marks at most this many selected assets at once
TILE_MARKS_LIMIT = 50_000  # tiles' marks kept; beyond, forgotten and read again as tiles show


def describe(changes: MarkChanges, count: int) -> str:
    what = f"{count:,} asset{'s' if count != 1 else ''}"
    if changes.rating is not None:
        return f"Rated {what} {STAR * changes.rating}" if changes.rating else f"Cleared the rating of {what}"
    if changes.label or changes.clear_label:
        return f"Labelled {what} {changes.label}" if changes.label else f"Cleared the label of {what}"
    if changes.flag or changes.clear_flag:
        return f"Flagged {what} as {changes.flag}" if changes.flag else f"Cleared the flag of {what}"
    return f"Noted on {what}"


class MarksUI(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.tasks = TaskSet()
        self.editor = MarksEditor(window)
        window.inspector.add_section("Marks", self.editor)
        self.editor.change_requested.connect(self.apply)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(80)
        self.timer.timeout.connect(lambda: self.tasks.spawn(self.load()))
        window.grid.selectionModel().selectionChanged.connect(lambda *_: self.timer.start())
        window.model.modelReset.connect(self.timer.start)
        self.follower = ChangeFollower(
            window.client, lambda c: c.touches(marks_cases.MARKS), self._changed, self
        )
        window.model.infos_arrived.connect(lambda ids: self.tasks.spawn(self.load_tiles(list(ids))))
        # The start-up grid comes with its tiles' facts, not through infos_arrived.
        window.model.modelReset.connect(lambda: self.tasks.spawn(self.load_tiles(self._known_ids())))
        for stars in range(6):
            key = QAction(f"Rate {stars}", window)
            key.setShortcut(QKeySequence(str(stars)))
            key.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            key.triggered.connect(lambda _c=False, n=stars: self.apply(MarkChanges(rating=n)))
            window.grid.addAction(key)
        self.tasks.spawn(self.load_tiles(self._known_ids()))

    async def load(self) -> None:
        ids = self.window.selected_ids(limit=SELECTION_LIMIT)
        if not ids:
            self.editor.show_marks([])
            return
        try:
            found = await self.window.client.call(lambda world: marks_cases.marks_of(world, ids))
        except Exception as exc:  # said in the status bar; the editor shows no marks it has not read
            if ids == self.window.selected_ids(limit=SELECTION_LIMIT):
                self.editor.show_marks([])
            self.window.read_failure.beside_failed(exc, SELECTION_MARKS_UNREAD)
            return
        self.window.read_failure.beside_read(SELECTION_MARKS_UNREAD)
        if ids == self.window.selected_ids(limit=SELECTION_LIMIT):
            self.editor.show_marks([found[i] for i in ids])

    def _known_ids(self) -> list[int]:
        model = self.window.model
        return [eid for eid in model.ids_in(0, min(model.rowCount(), 400)) if model.info(eid) is not None]

    async def load_tiles(self, entity_ids: list[int]) -> None:
        """The marks the tiles of these assets show (stars, label frame, pick/reject)."""
        if not entity_ids:
            return
        try:
            found = await self.window.client.call(lambda world: marks_cases.marks_of(world, entity_ids))
        except Exception as exc:  # the tiles keep the marks they showed
            self.window.read_failure.beside_failed(exc, TILES_STALE)
            return
        self.window.read_failure.beside_read(TILES_STALE)
        shown = self.window.grid.delegate.tile_marks.marks
        if len(shown) > TILE_MARKS_LIMIT:
            shown.clear()
        for entity_id, marks in found.items():
            mark = TileMark(marks.rating, marks.label, marks.flag)
            if mark.empty:
                shown.pop(entity_id, None)
            else:
                shown[entity_id] = mark
        self.window.grid.viewport().update()

    def _changed(self, change: WorldChanged) -> None:
        # A change over a whole result names no assets: every tile the grid knows is read again.
        known = list(change.entity_ids) if change.entity_ids else self.window.model.known_ids()
        self.tasks.spawn(self.load_tiles(known))
        if concerns(change, self.window.selected_ids(limit=SELECTION_LIMIT)):
            self.timer.start()
        if self.window.search_text and any(
            word in self.window.search_text for word in ("rating:", "label:", "flag:", "has:")
        ):
            self.window.tasks.spawn(self.window.reload())

    def apply(self, changes: MarkChanges) -> None:
        scope = selection_scope(self.window, SELECTION_LIMIT)
        if scope is not None:  # Select All over more than the limit: the query is marked, in SQL
            self.tasks.spawn(self._apply_result(scope, changes))
            return
        ids = self.window.selected_ids(limit=SELECTION_LIMIT)
        if ids:
            self.tasks.spawn(self._apply(ids, changes))

    async def _apply_result(self, scope: ResultScope, changes: MarkChanges) -> None:
        try:
            edit = await self.window.client.call(
                lambda world: marks_cases.set_marks_on_result(world, scope, changes)
            )
        except DamError as exc:
            self.window.statusBar().showMessage(str(exc), 8000)
            return
        if edit.count:
            text = describe(changes, edit.count)
            self.window.actions_menu.undo_stack.push(_ResultMarksCommand(self, text, scope, changes, edit))
            self.window.statusBar().showMessage(text, 6000)

    async def _apply(self, ids: list[int], changes: MarkChanges) -> None:
        try:
            outcome = await self.window.client.call(lambda world: marks_cases.set_marks(world, ids, changes))
        except DamError as exc:
            self.window.statusBar().showMessage(str(exc), 8000)
            return
        if outcome.entity_ids:
            text = describe(changes, len(outcome.entity_ids))
            self.window.actions_menu.undo_stack.push(_MarksCommand(self, text, changes, outcome.previous))
            self.window.statusBar().showMessage(text, 6000)


class _MarksCommand(QUndoCommand):
    def __init__(self, ui: MarksUI, text: str, changes: MarkChanges, previous: dict[int, Marks]) -> None:
        super().__init__(text)
        self.ui, self.changes, self.previous = ui, changes, previous
        self._pushed = False

    def redo(self) -> None:
        if not self._pushed:
            self._pushed = True  # applied before the push
            return
        ids, changes, client = list(self.previous), self.changes, self.ui.window.client

        async def step() -> None:
            await client.call(lambda world: marks_cases.set_marks(world, ids, changes))

        STEPS.run(step)

    def undo(self) -> None:
        previous, client = self.previous, self.ui.window.client

        async def step() -> None:
            await client.call(lambda world: marks_cases.restore(world, previous))

        STEPS.run(step)


class _ResultMarksCommand(QUndoCommand):
    """Marks over a whole result: undo puts back what each asset had, redo marks the same assets."""

    def __init__(
        self, ui: MarksUI, text: str, scope: ResultScope, changes: MarkChanges, edit: BulkMarksEdit
    ) -> None:
        super().__init__(text)
        self.ui, self.scope, self.changes, self.edit = ui, scope, changes, edit
        self._pushed = False

    def redo(self) -> None:
        if not self._pushed:
            self._pushed = True  # applied before the push
            return
        scope, changes, client, ids = self.scope, self.changes, self.ui.window.client, self.edit.entity_ids()

        async def step() -> None:
            self.edit = await client.call(
                lambda world: marks_cases.set_marks_on_result(world, scope, changes, entity_ids=ids)
            )

        STEPS.run(step)

    def undo(self) -> None:
        client = self.ui.window.client

        async def step() -> None:
            edit = self.edit
            await client.call(lambda world: marks_cases.undo_bulk(world, edit))

        STEPS.run(step)
