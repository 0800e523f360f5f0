"""Make the screenshots of Library › Write Tags to Sidecars, under Xvfb:

    xvfb-run -a -s '-screen 0 1600x1000x24' .venv/bin/python scripts/sidecars_screenshots.py

A photographer's card (pictures drawn by tests/media_kind_factory, referenced where they are) and
two pictures stored in the library; the card's pictures are tagged (`paris` under `europe` under
`places`), rated and labelled; one already has a sidecar that another program left broken.

- docs/screenshots/sidecars-preview.png: Preview for the selection: what would be written where.
- docs/screenshots/sidecars-written.png: Write for every asset: the sidecars written, each with what
  changed, the broken one kept and named with its reason.
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

CARD = ("DSC_0101.jpg", "DSC_0102.jpg", "DSC_0103.jpg", "DSC_0104.jpg", "DSC_0105.jpg", "DSC_0106.jpg")
STORED = ("moodboard.png", "logo-final.png")
TAGS = {
    "DSC_0101.jpg": ["paris", "night", "street"],
    "DSC_0102.jpg": ["paris", "river"],
    "DSC_0103.jpg": ["lyon", "market"],
    "DSC_0104.jpg": ["portrait", "studio"],
    "DSC_0105.jpg": ["portrait"],
    "DSC_0106.jpg": ["lyon", "river"],
    "moodboard.png": ["client:acme", "draft"],
    "logo-final.png": ["client:acme", "logo"],
}


def build_corpus(work: Path) -> Path:
    from tests.media_kind_factory import picture

    corpus = work / "corpus"
    (corpus / "card").mkdir(parents=True)
    (corpus / "inbox").mkdir()
    for step, name in enumerate(CARD):
        picture((1200, 800), step * 3).save(corpus / "card" / name, quality=88)
    for step, name in enumerate(STORED):
        picture((900, 900), 40 + step * 5).save(corpus / "inbox" / name)
    (corpus / "card" / "DSC_0106.jpg.xmp").write_text("<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF")
    return corpus


async def shoot(library: Path, corpus: Path, out: Path) -> None:
    from PySide6.QtCore import QItemSelection, QItemSelectionModel

    from dam_desktop.services.ingest.import_service import import_paths
    from dam_desktop.ui.world_client import WorldClient
    from dam_desktop.use_cases.marks import MarkChanges, set_marks
    from dam_desktop.use_cases.pipeline import run_stages
    from dam_desktop.use_cases.tags import add_parent, add_tags

    client = await WorldClient.open(library)
    await client.call(lambda world: import_paths(world, [corpus / "card"], mode="reference"))
    await client.call(lambda world: import_paths(world, [corpus / "inbox"]))
    ids = await client.call(file_ids)
    for name, tags in TAGS.items():
        await client.call(lambda world, n=name, t=tags: add_tags(world, [ids[n]], t))
    for child, parent in (("paris", "europe"), ("lyon", "europe"), ("europe", "places")):
        await client.call(lambda world, c=child, p=parent: add_parent(world, c, p))
    await client.call(
        lambda world: set_marks(world, [ids["DSC_0101.jpg"]], MarkChanges(rating=5, label="green"))
    )
    await client.call(lambda world: set_marks(world, [ids["DSC_0104.jpg"]], MarkChanges(rating=3)))
    await client.call(lambda world: run_stages(world))

    window = await show_window(client, library)
    model = window.model
    await wait_for(lambda: grid_settled(window))
    selection = QItemSelection()
    for name in ("DSC_0101.jpg", "DSC_0102.jpg", "DSC_0104.jpg"):
        index = model.index(model.row_of(ids[name]), 0)
        selection.select(index, index)
    window.grid.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    ui = next(child for child in window.children() if type(child).__name__ == "SidecarsUI")
    dialog = ui.open_dialog()
    dialog.resize(980, 560)
    dialog.move(240, 200)  # over the grid, clear of the inspector (no window manager draws its edge)
    dialog.preview_button.click()
    await wait_for(lambda: ui.job is None and dialog.results.isVisible())
    capture(dialog, out / "sidecars-preview.png")

    dialog.everything_choice.setChecked(True)
    dialog.write_button.click()
    await wait_for(lambda: ui.job is None and dialog.write_button.isEnabled())
    capture(dialog, out / "sidecars-written.png")
    dialog.close()
    await window.shutdown()
    await client.close()


if __name__ == "__main__":
    run_shooting(__doc__.splitlines()[0], "dam-sidecar-shots-", build_corpus, shoot)
