"""Wires the tag widgets into a `MainWindow` without the window knowing: `install_tag_ui(window)`.

- the tag editor as the inspector's "Tags" section, following the grid's selection (a selection of
  a whole search result, past what the editor lists, edits the query's every match);
- the tag sidebar (counts for the current result, click / Ctrl-click, saved searches) as a
  sidebar section whose clicks set the search box and whose counts follow each loaded result;
- tag edits on the window's undo stack (Edit › Undo / Redo) and Edit › Manage Tags… (the tag manager dialog);
- nothing is wired from an edit to the window: the tag use cases report what changed, and the
  grid, the sidebar counts and the chips follow those change events.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMenu

from dam_desktop.ui.tags.saved_searches import SavedOrder, SavedSearchEdits
from dam_desktop.ui.tags.tag_editor import TagEditor
from dam_desktop.ui.tags.tag_manager import TagManagerDialog
from dam_desktop.ui.tags.tag_sidebar import TagSidebar
from dam_desktop.ui.tasks import TaskSet
from dam_desktop.ui.window.read_failure import SELECTION_TAGS_UNREAD, TAG_COUNTS_STALE
from dam_desktop.ui.window.results import selection_scope

SELECTION_LIMIT = 5000  # the editor edits at most this many selected assets at once


@dataclass
class TagUI:
    editor: TagEditor
    sidebar: TagSidebar
    selection_timer: QTimer
    tasks: TaskSet


def install_tag_ui(window: Any) -> TagUI:
    """Add the tag editor, sidebar, undo/redo and tag manager to `window` (a MainWindow)."""
    editor = TagEditor(window.client, window.actions_menu.undo_stack, parent=window)
    window.inspector.add_section("Tags", editor, position=0)  # right under the preview
    editor.read_failed.connect(lambda error: window.read_failure.beside_failed(error, SELECTION_TAGS_UNREAD))
    editor.tags_read.connect(lambda: window.read_failure.beside_read(SELECTION_TAGS_UNREAD))
    sidebar = TagSidebar(window.client, window, show_title=False)
    window.sidebar.add_section("Tags", sidebar)
    # Saved searches are renamed, reordered and deleted on the tag edits' undo stack (one Edit › Undo).
    order = SavedOrder(window.settings, str(window.client.library_path))
    sidebar.manage_saved(SavedSearchEdits(window.client, order, editor.undo_stack))
    sidebar.message.connect(lambda text: window.statusBar().showMessage(text, 8000))
    sidebar.read_failed.connect(lambda error: window.read_failure.beside_failed(error, TAG_COUNTS_STALE))
    sidebar.counts_read.connect(lambda: window.read_failure.beside_read(TAG_COUNTS_STALE))
    timer = QTimer(window)
    timer.setSingleShot(True)
    timer.setInterval(120)
    ui = TagUI(editor, sidebar, timer, TaskSet())

    def follow_selection() -> None:
        ids = window.selected_ids(limit=SELECTION_LIMIT)
        ui.tasks.spawn(editor.set_entities(ids, selection_scope(window, SELECTION_LIMIT)))

    timer.timeout.connect(follow_selection)
    window.grid.selectionModel().selectionChanged.connect(lambda *_: timer.start())
    flow = window.ranked_flow
    window.model.result_loaded.connect(lambda: ui.tasks.spawn(sidebar.refresh(flow.sidebar_query())))
    # A new result resets the grid's selection without a selectionChanged signal.
    window.model.result_loaded.connect(lambda: timer.start())
    if window.model.loaded_once:
        # Installed once the world is open, after the grid was filled from the start-up read.
        ui.tasks.spawn(sidebar.refresh(flow.sidebar_query()))
    # A click searches, or narrows the ranked result shown ("Find similar"), by the clicked tag.
    sidebar.queryRequested.connect(lambda query: ui.tasks.spawn(flow.apply_sidebar_query(query)))

    edit_menu = next(
        (a.menu() for a in window.menuBar().actions() if a.menu() and "Edit" in a.text()),
        None,
    )
    if isinstance(edit_menu, QMenu):
        # Edit › Undo / Redo are the window's (its one stack); the editor's own keys would collide.
        for shortcut in editor.shortcuts:
            shortcut.setEnabled(False)
        edit_tags = edit_menu.addAction("Edit &Tags")
        edit_tags.setShortcut(QKeySequence("Ctrl+T"))
        edit_tags.triggered.connect(lambda: editor.input.setFocus(Qt.FocusReason.ShortcutFocusReason))
        manage = edit_menu.addAction("Manage &Tags…")

        def open_manager() -> None:
            dialog = TagManagerDialog(window.client, window)
            dialog.show()
            ui.tasks.spawn(dialog.load_tags())

        manage.triggered.connect(open_manager)
    return ui
