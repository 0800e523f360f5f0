"""The tag manager dialog: find a tag, rename it, merge it into another, set its parents and
aliases, or delete it. Every change is saved at once (one transaction each); refusals (a name
already taken, a parent that would make a cycle) are shown in the dialog, in words.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from dam_desktop.core.errors import DamError
from dam_desktop.core.world import World
from dam_desktop.services.tags.tag_types import TagInfo
from dam_desktop.ui.tasks import TaskSet
from dam_desktop.ui.world_client import WorldClient
from dam_desktop.use_cases import tags as tag_cases

TAG_ID_ROLE = Qt.ItemDataRole.UserRole


class TagManagerDialog(QDialog):
    def __init__(self, client: WorldClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Manage Tags")
        self.resize(720, 480)
        self.client = client
        self.current: TagInfo | None = None
        self.tags: list[TagInfo] = []
        self.tasks = TaskSet()

        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Find a tag…")
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(150)
        self._filter_timer.timeout.connect(lambda: self.tasks.spawn(self.load_tags()))
        self.filter.textEdited.connect(lambda _t: self._filter_timer.start())
        self.tag_list = QListWidget(self)
        self.tag_list.currentItemChanged.connect(self._current_changed)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.filter)
        left_layout.addWidget(self.tag_list)

        right = QWidget(self)
        form = QFormLayout(right)
        self.title = QLabel("Choose a tag", right)
        self.title.setObjectName("sectionTitle")
        form.addRow(self.title)
        self.name_edit = QLineEdit(right)
        self.rename_button = QPushButton("Rename", right)
        self.rename_button.clicked.connect(lambda: self.tasks.spawn(self.rename(self.name_edit.text())))
        form.addRow("Name", self._row(self.name_edit, self.rename_button))
        self.merge_edit = QLineEdit(right)
        self.merge_edit.setPlaceholderText("target tag")
        self.merge_button = QPushButton("Merge into", right)
        self.merge_button.clicked.connect(lambda: self.tasks.spawn(self.merge_into(self.merge_edit.text())))
        form.addRow("Merge", self._row(self.merge_edit, self.merge_button))
        self.parent_list = QListWidget(right)
        self.parent_list.setMaximumHeight(90)
        self.parent_edit = QLineEdit(right)
        self.parent_edit.setPlaceholderText("add a parent (this tag implies it)")
        self.parent_edit.returnPressed.connect(
            lambda: self.tasks.spawn(self.add_parent(self.parent_edit.text()))
        )
        self.remove_parent_button = QPushButton("Remove", right)
        self.remove_parent_button.clicked.connect(lambda: self.tasks.spawn(self.remove_selected_parent()))
        form.addRow("Parents", self.parent_list)
        form.addRow("", self._row(self.parent_edit, self.remove_parent_button))
        self.alias_list = QListWidget(right)
        self.alias_list.setMaximumHeight(90)
        self.alias_edit = QLineEdit(right)
        self.alias_edit.setPlaceholderText("add an alias (another name for this tag)")
        self.alias_edit.returnPressed.connect(
            lambda: self.tasks.spawn(self.add_alias(self.alias_edit.text()))
        )
        self.remove_alias_button = QPushButton("Remove", right)
        self.remove_alias_button.clicked.connect(lambda: self.tasks.spawn(self.remove_selected_alias()))
        form.addRow("Aliases", self.alias_list)
        form.addRow("", self._row(self.alias_edit, self.remove_alias_button))
        self.delete_button = QPushButton("Delete tag…", right)
        self.delete_button.clicked.connect(self._confirm_delete)
        form.addRow("", self.delete_button)
        self.message = QLabel("", right)
        self.message.setObjectName("errorLabel")
        self.message.setWordWrap(True)
        form.addRow(self.message)

        splitter = QSplitter(self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([260, 460])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        layout.addWidget(buttons)
        self._set_editing_enabled(False)
        # Tests replace this to answer the delete confirmation.
        self.confirm: Callable[[str, str], bool] = self._confirm

    @staticmethod
    def _row(*widgets: QWidget) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in widgets:
            layout.addWidget(w)
        return row

    def _set_editing_enabled(self, enabled: bool) -> None:
        for w in (
            self.name_edit,
            self.rename_button,
            self.merge_edit,
            self.merge_button,
            self.parent_edit,
            self.remove_parent_button,
            self.alias_edit,
            self.remove_alias_button,
            self.delete_button,
        ):
            w.setEnabled(enabled)

    # --- loading ----------------------------------------------------------------------------------

    async def load_tags(self) -> None:
        prefix = self.filter.text().strip()

        limit = 500 if prefix else 5000
        self.tags = await self.client.call(lambda world: tag_cases.find_tags(world, prefix, limit))
        keep = self.current.id if self.current else None
        self.tag_list.blockSignals(True)
        self.tag_list.clear()
        for tag in self.tags:
            item = QListWidgetItem(f"{tag.name}   ({tag.use_count:,})")
            item.setData(TAG_ID_ROLE, tag.id)
            self.tag_list.addItem(item)
            if tag.id == keep:
                self.tag_list.setCurrentItem(item)
        self.tag_list.blockSignals(False)

    def select_tag(self, name: str) -> None:
        for i in range(self.tag_list.count()):
            item = self.tag_list.item(i)
            if item is not None and item.text().split("   (")[0] == name:
                self.tag_list.setCurrentItem(item)
                return
        raise KeyError(name)

    async def open_tag(self, name: str) -> None:
        """Select the tag in the list and show it (awaitable, unlike a click)."""
        self.tag_list.blockSignals(True)
        try:
            self.select_tag(name)
        finally:
            self.tag_list.blockSignals(False)
        item = self.tag_list.currentItem()
        await self.show_tag(int(item.data(TAG_ID_ROLE)) if item is not None else None)

    def _current_changed(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        tag_id = int(item.data(TAG_ID_ROLE)) if item is not None else None
        self.tasks.spawn(self.show_tag(tag_id))

    async def show_tag(self, tag_id: int | None) -> None:
        self.message.clear()
        if tag_id is None:
            self.current = None
            self.title.setText("Choose a tag")
            self._set_editing_enabled(False)
            return

        details = await self.client.call(lambda world: tag_cases.tag_details(world, tag_id))
        self.current = details.tag if details is not None else None
        self._set_editing_enabled(details is not None)
        if details is None:
            return
        info, parents, aliases = details.tag, details.parents, details.aliases
        self.title.setText(f"{info.name} — on {info.use_count:,} assets")
        self.name_edit.setText(info.name)
        self.parent_list.clear()
        for p in parents:
            item = QListWidgetItem(p.name)
            item.setData(TAG_ID_ROLE, p.id)
            self.parent_list.addItem(item)
        self.alias_list.clear()
        self.alias_list.addItems(aliases)

    # --- edits ------------------------------------------------------------------------------------

    async def _edit(
        self, action: Callable[[World, TagInfo], Awaitable[object]], *, reload_list: bool
    ) -> bool:
        """Run one change (a use case, its own transaction); show its refusal, if any, in the dialog.
        The window follows from the change event the use case sends."""
        tag = self.current
        if tag is None:
            return False
        try:
            await self.client.call(lambda world: action(world, tag))
        except DamError as exc:
            self.message.setText(str(exc))
            return False
        self.message.clear()
        if reload_list:
            await self.load_tags()
        await self.show_tag(self.current.id if self.current else None)
        return True

    async def rename(self, new_name: str) -> bool:
        return await self._edit(
            lambda world, tag: tag_cases.rename_tag(world, tag.id, new_name), reload_list=True
        )

    async def merge_into(self, target_name: str) -> bool:
        done = await self._edit(
            lambda world, tag: tag_cases.merge_tags(world, tag.id, target_name), reload_list=False
        )
        if done:
            self.current = None
            await self.load_tags()
            self.merge_edit.clear()
            await self.open_tag(tag_cases.normalize_tag_name(target_name))
        return done

    async def add_parent(self, parent_name: str) -> bool:
        done = await self._edit(
            lambda world, tag: tag_cases.add_parent(world, tag.id, parent_name), reload_list=True
        )
        if done:
            self.parent_edit.clear()
        return done

    async def remove_selected_parent(self) -> bool:
        item = self.parent_list.currentItem()
        if item is None:
            return False
        parent_id = int(item.data(TAG_ID_ROLE))

        return await self._edit(
            lambda world, tag: tag_cases.remove_parent(world, tag.id, parent_id), reload_list=False
        )

    async def add_alias(self, alias: str) -> bool:
        done = await self._edit(
            lambda world, tag: tag_cases.add_alias(world, tag.id, alias), reload_list=False
        )
        if done:
            self.alias_edit.clear()
        return done

    async def remove_selected_alias(self) -> bool:
        item = self.alias_list.currentItem()
        if item is None:
            return False
        alias = item.text()

        return await self._edit(lambda world, _tag: tag_cases.remove_alias(world, alias), reload_list=False)

    async def delete_current(self) -> bool:
        done = await self._edit(lambda world, tag: tag_cases.delete_tag(world, tag.id), reload_list=False)
        if done:
            self.current = None
            await self.load_tags()
            await self.show_tag(None)
        return done

    def _confirm_delete(self) -> None:
        tag = self.current
        if tag is not None and self.confirm(
            "Delete tag", f"Delete '{tag.name}'? It is removed from {tag.use_count:,} assets."
        ):
            self.tasks.spawn(self.delete_current())

    def _confirm(self, title: str, text: str) -> bool:
        from PySide6.QtWidgets import QMessageBox

        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes
