"""The main window: toolbar with search, library sidebar, centre view, inspector, status bar."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QSplitter,
    QStatusBar,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from dam_desktop.services import ecs_service
from dam_desktop.ui.world_client import WorldClient


class MainWindow(QMainWindow):
    def __init__(self, client: WorldClient) -> None:
        super().__init__()
        self.client = client
        self.setWindowTitle(f"{client.library_path.name} — dam-desktop")
        self.resize(1400, 900)

        toolbar = QToolBar("Search", self)
        toolbar.setMovable(False)
        self.search_box = QLineEdit(self)
        self.search_box.setPlaceholderText("Search tags, e.g.  cat -dog width:>1000")
        self.search_box.setClearButtonEnabled(True)
        toolbar.addWidget(self.search_box)
        self.addToolBar(toolbar)

        self.sidebar = QListWidget(self)
        self.sidebar.addItem(f"Library: {client.library_path.name}")
        self.sidebar.addItem("All assets")

        self.centre = QLabel("Opening library…", self)
        self.centre.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.centre.setObjectName("emptyState")

        inspector = QWidget(self)
        inspector_layout = QVBoxLayout(inspector)
        self.inspector_label = QLabel("Nothing selected", inspector)
        self.inspector_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        inspector_layout.addWidget(self.inspector_label)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.centre)
        self.splitter.addWidget(inspector)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([220, 900, 300])
        self.setCentralWidget(self.splitter)

        self.count_label = QLabel("", self)
        status = QStatusBar(self)
        status.addPermanentWidget(self.count_label)
        self.setStatusBar(status)

    async def refresh(self) -> None:
        async def count(world: object) -> int:
            from dam_desktop.core.world import World

            assert isinstance(world, World)
            async with world.session() as session:
                return await ecs_service.count_entities(session)

        total = await self.client.call(count)
        self.count_label.setText(f"{total} assets")
        if total == 0:
            self.centre.setText("This library is empty.\nDrop image or sound files here to import them.")
        else:
            self.centre.setText(f"{total} assets")
