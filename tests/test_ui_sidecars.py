"""Library › Write Tags to Sidecars in the window: the dialog offers the selection or everything,
Preview lists what would change and writes nothing, Write writes sidecars our import (and
exiftool, see test_xmp_write) reads, and a sidecar it may not overwrite is a row with its reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QTreeWidget

from dam_desktop.services.ingest.import_service import import_paths
from dam_desktop.services.media.xmp import sidecar_xmp
from dam_desktop.ui.sidecars.install import MENU_TEXT, SidecarsUI, install_sidecars
from dam_desktop.ui.window.main_window import MainWindow
from dam_desktop.use_cases.marks import MarkChanges, set_marks
from dam_desktop.use_cases.tags import add_tags
from tests.ui_helpers import make_image, run


def _rows(tree: QTreeWidget) -> list[tuple[str, str, str]]:
    items = (tree.topLevelItem(i) for i in range(tree.topLevelItemCount()))
    return [(item.text(0), item.text(1), item.text(2)) for item in items if item is not None]


def _select(window: MainWindow, entity_id: int) -> None:
    model = window.grid.selectionModel()
    index = window.model.index(window.model.row_of(entity_id), 0)
    model.select(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    model.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)


def _open(window: MainWindow, ui: SidecarsUI) -> Any:
    action = next(a for a in window.library_menu.menu.actions() if a.text() == MENU_TEXT)
    action.trigger()
    assert ui.dialog is not None and ui.dialog.isVisible()
    return ui.dialog


def test_write_tags_to_sidecars_from_the_library_menu(
    qtbot: Any, ui_window: MainWindow, tmp_path: Path
) -> None:
    ui = install_sidecars(ui_window)
    card = tmp_path / "card"
    files = [
        make_image(card / f"{name}.png", colour)
        for name, colour in (("dune", (200, 160, 90)), ("lake", (40, 90, 200)))
    ]
    dune, lake = files
    client = ui_window.client
    report = run(qtbot, client.call(lambda world: import_paths(world, files, mode="reference")))
    dune_id, lake_id = report.imported
    run(qtbot, client.call(lambda world: add_tags(world, [dune_id], ["desert", "sand"])))
    run(qtbot, client.call(lambda world: add_tags(world, [lake_id], ["water"])))
    run(qtbot, client.call(lambda world: set_marks(world, [dune_id], MarkChanges(rating=3, label="yellow"))))
    run(qtbot, ui_window.reload())
    _select(ui_window, dune_id)

    dialog = _open(ui_window, ui)
    assert dialog.selection_choice.text() == "The 1 selected asset" and dialog.selection_choice.isChecked()
    assert str(ui_window.client.paths.root / "sidecars") in dialog.intro.text()

    dialog.preview_button.click()
    qtbot.waitUntil(lambda: ui.job is None and dialog.results.isVisible())
    assert _rows(dialog.results) == [("Would write", f"{dune}.xmp", "+desert, +sand, rating 3, label Yellow")]
    assert sorted(p.name for p in card.iterdir()) == ["dune.png", "lake.png"]

    # A sidecar that is not XMP beside the other file is kept, and named with the reason.
    Path(f"{lake}.xmp").write_text("not xmp")
    dialog.everything_choice.setChecked(True)
    dialog.write_button.click()
    assert not dialog.write_button.isEnabled() and ui.job in ui_window.jobs.jobs
    qtbot.waitUntil(lambda: ui.job is None and dialog.write_button.isEnabled())
    assert dialog.selection_choice.isEnabled()
    assert _rows(dialog.results) == [
        ("Failed", f"{lake}.xmp", "the existing sidecar holds no complete XMP packet"),
        ("Written", f"{dune}.xmp", "+desert, +sand, rating 3, label Yellow"),
    ]
    assert dialog.status.text() == "Wrote 1 sidecar for 2 assets; 0 already up to date; 1 failed."
    assert (
        ui_window.statusBar().currentMessage()
        == "wrote 1 sidecar for 2 assets; 0 already up to date; 1 failed"
    )
    facts = sidecar_xmp(str(dune))
    assert (facts.keywords, facts.rating, facts.label) == (("desert", "sand"), 3, "Yellow")
    assert Path(f"{lake}.xmp").read_text() == "not xmp"
