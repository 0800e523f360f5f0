"""Make the screenshots of the inspector with many tagged, rated assets selected, under Xvfb:

    xvfb-run -a -s '-screen 0 1600x1000x24' .venv/bin/python scripts/inspector_width_screenshots.py

Six pictures (drawn by tests/media_kind_factory) tagged with long hierarchical tags and rated
differently, all six selected: the chips wrap, the marks say "mixed", nothing is cut off.

- docs/screenshots/inspector-many-tags.png: at the window's default size, which is the narrowest
  the panel may be (the width of its marks' rows): the longest tag is shortened in the middle.
- docs/screenshots/inspector-many-tags-wide.png: the splitter dragged left: the chips take the
  room, the longest tag whole.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scripts.screenshot_kit import (  # noqa: E402
    capture,
    file_ids,
    grid_settled,
    run_shooting,
    show_window,
    wait_for,
)

TAGS = {
    "IMG_2041.jpg": ["places|europe|paris", "night", "client:acme-corporation|spring-campaign|hero-shots"],
    "IMG_2042.jpg": ["places|europe|paris", "places|europe|lyon", "street", "people|crowd"],
    "IMG_2043.jpg": ["places|europe|lyon", "portrait", "a-rather-long-tag-name-for-a-project"],
    "IMG_2044.jpg": ["studio", "night", "lighting|softbox|two-lights"],
    "IMG_2045.jpg": ["places|asia|japan|kyoto", "temple", "autumn"],
    "IMG_2046.jpg": ["places|europe|paris", "river", "boats"],
}
RATINGS = {"IMG_2041.jpg": 5, "IMG_2042.jpg": 3, "IMG_2044.jpg": 4}


def build_corpus(work: Path) -> Path:
    from tests.media_kind_factory import picture

    corpus = work / "corpus"
    corpus.mkdir()
    for step, name in enumerate(TAGS):
        picture((1200, 800), step * 4).save(corpus / name, quality=88)
    return corpus


async def shoot(library: Path, corpus: Path, out: Path) -> None:
    from PySide6.QtCore import QItemSelection, QItemSelectionModel

    from dam_desktop.services.ingest.import_service import import_paths
    from dam_desktop.ui.marks.marks_editor import MarksEditor
    from dam_desktop.ui.tags.tag_editor import TagEditor
    from dam_desktop.ui.world_client import WorldClient
    from dam_desktop.use_cases.marks import MarkChanges, set_marks
    from dam_desktop.use_cases.pipeline import run_stages
    from dam_desktop.use_cases.tags import add_tags

    client = await WorldClient.open(library)
    await client.call(lambda world: import_paths(world, [corpus]))
    ids = await client.call(file_ids)
    for name, tags in TAGS.items():
        await client.call(lambda world, n=name, t=tags: add_tags(world, [ids[n]], t))
    for name, stars in RATINGS.items():
        await client.call(lambda world, n=name, s=stars: set_marks(world, [ids[n]], MarkChanges(rating=s)))
    await client.call(lambda world: run_stages(world))

    window = await show_window(client, library)
    model = window.model
    await wait_for(lambda: grid_settled(window))
    selection = QItemSelection()
    for name in TAGS:
        index = model.index(model.row_of(ids[name]), 0)
        selection.select(index, index)
    window.grid.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    editor, marks = window.findChild(TagEditor), window.findChild(MarksEditor)
    assert editor is not None and marks is not None
    names = {name for tags in TAGS.values() for name in tags}
    await wait_for(lambda: len(editor.chip_names()) == len(names) and marks.rating_note.text() == "mixed")
    capture(window, out / "inspector-many-tags.png")

    inspector = window.inspector
    window.splitter.setSizes([220, 760, 620])
    await wait_for(lambda: inspector.width() == 620)
    capture(window, out / "inspector-many-tags-wide.png")
    await window.shutdown()
    await client.close()


if __name__ == "__main__":
    run_shooting(__doc__.splitlines()[0], "dam-inspector-width-shots-", build_corpus, shoot)
