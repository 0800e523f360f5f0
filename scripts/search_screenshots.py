"""Make the README screenshots of issue 16 from a library of real images, under Xvfb:

    xvfb-run -a -s '-screen 0 1600x1000x24' .venv/bin/python scripts/search_screenshots.py

The images are Debian's wallpapers (`mate-backgrounds`, `gnome-backgrounds`, `desktop-base`,
fetched with `apt-get download` and unpacked with `dpkg-deb -x`; no root needed), at most 1280
pixels on their long side, imported in folders named after their set (nature, abstract, ...), each
asset tagged with its set (`set:nature`) and a few with what they show. The background stages run
to completion before the window opens, as the window's background work would.

- docs/screenshots/search-autocomplete.png: the box's autocomplete on "se": a namespace and its
  tags, with how many assets carry each.
- docs/screenshots/search-name.png: a name search typed in the box ("stor" finds Storm.jpg).
- docs/screenshots/search-hybrid.png: the ≈ mode: a sentence ranked by meaning in the grid, each
  tile with its score, the header naming the result, narrowed by a tag query shown as a chip.
- docs/screenshots/find-similar-grid.png: right-click › Find Similar on Storm.jpg: the ranked
  result in the main grid, its two near-copies first with their scores, the header naming the
  method.

Licences: MATE backgrounds GPL-2+, GNOME backgrounds CC-BY-SA 3.0, Debian themes GPL-2+; see each
package's /usr/share/doc/<package>/copyright.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLineEdit

    from dam_desktop.ui.world_client import WorldClient

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from screenshot_kit import (  # noqa: E402  (beside this script)
    capture,
    file_ids,
    grid_settled,
    run_shooting,
    show_window,
    wait_for,
)

PACKAGES = ("mate-backgrounds", "gnome-backgrounds", "desktop-base")
# (glob under the unpacked packages, the set the files go in)
SOURCES = (
    ("usr/share/backgrounds/mate/nature/*.jpg", "nature"),
    ("usr/share/backgrounds/mate/abstract/*.png", "abstract"),
    ("usr/share/backgrounds/mate/abstract/Elephants.jpg", "abstract"),
    ("usr/share/backgrounds/mate/desktop/*", "desktop"),
    ("usr/share/backgrounds/gnome/*.webp", "gnome"),
    ("usr/share/desktop-base/*-theme/grub/grub-16x9.png", "debian"),
)
SKIP = frozenset({"vnc-l.webp", "vnc-d.webp"})  # one flat colour each
# What a few pictures show, as tags (the rest carry only their set).
SUBJECTS = {
    "Storm.jpg": ["sky", "clouds", "weather"],
    "RainDrops.jpg": ["water", "drops", "weather"],
    "Aqua.jpg": ["water"],
    "FreshFlower.jpg": ["flower", "plant"],
    "YellowFlower.jpg": ["flower", "plant"],
    "LadyBird.jpg": ["insect", "plant"],
    "GreenMeadow.jpg": ["grass", "plant"],
    "Garden.jpg": ["plant"],
    "Dune.jpg": ["sand"],
    "Wood.jpg": ["wood"],
    "wood-d.webp": ["wood"],
    "wood-l.webp": ["wood"],
}


def build_corpus(into: Path) -> Path:
    from PIL import Image

    debs, root, corpus = into / "debs", into / "root", into / "corpus"
    for folder in (debs, root, corpus):
        folder.mkdir(parents=True, exist_ok=True)
    for package in PACKAGES:
        subprocess.run(["apt-get", "download", package], cwd=debs, check=True, capture_output=True)
    for deb in sorted(debs.glob("*.deb")):
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    for pattern, group in SOURCES:
        for path in sorted(root.glob(pattern)):
            if path.name in SKIP or path.suffix.lower() not in (".jpg", ".png", ".webp"):
                continue
            name = path.name
            if group == "debian":  # each theme's picture is grub/grub-16x9.png: name it by its theme
                name = path.parent.parent.name.removesuffix("-theme") + ".png"
            image = Image.open(path)
            image.thumbnail((1280, 1280))
            target = corpus / group / name
            target.parent.mkdir(exist_ok=True)
            image.convert("RGB").save(target) if target.suffix == ".jpg" else image.save(target)
    add_near_copies(corpus)
    return corpus


def add_near_copies(corpus: Path) -> None:
    """Two copies of Storm.jpg as a library collects them (a smaller download, an edited crop
    re-saved at low quality), in a Downloads folder: what Find Similar should put first."""
    from PIL import Image

    downloads = corpus / "downloads"
    downloads.mkdir(exist_ok=True)
    with Image.open(corpus / "nature" / "Storm.jpg") as storm:
        w, h = storm.size
        storm.resize((w // 2, h // 2)).save(downloads / "storm-small.jpg", quality=85)
        storm.crop((w // 20, h // 20, w - w // 20, h - h // 20)).save(downloads / "Storm (1).jpg", quality=60)


async def fill_library(client: WorldClient, corpus: Path) -> dict[str, int]:
    """Import each set's folder, tag its assets with the set, tag the subjects, run the stages;
    returns {file name: entity id}."""
    from dam_desktop.services.ingest.import_service import import_paths
    from dam_desktop.use_cases.pipeline import run_stages
    from dam_desktop.use_cases.tags import add_tags

    for folder in sorted(p for p in corpus.iterdir() if p.is_dir()):
        report = await client.call(lambda world, f=folder: import_paths(world, [f]))
        await client.call(
            lambda world, ids=report.imported, f=folder: add_tags(world, ids, [f"set:{f.name}"])
        )

    ids = await client.call(file_ids)
    for filename, tags in SUBJECTS.items():
        if filename in ids:
            await client.call(lambda world, i=ids[filename], t=tags: add_tags(world, [i], t))
    await client.call(lambda world: run_stages(world))
    return ids


async def type_into(box: QLineEdit, text: str) -> None:
    """Type as a person does, key by key (the completer follows edits)."""
    from PySide6.QtTest import QTest

    for ch in text:
        QTest.keyClicks(box, ch)
        await asyncio.sleep(0.08)


async def shoot(library: Path, corpus: Path, out: Path) -> None:
    from PySide6.QtCore import QItemSelectionModel

    from dam_desktop.ui.semantic.semantic_search import semantic_search_of
    from dam_desktop.ui.world_client import WorldClient

    fresh = not library.exists()
    client = await WorldClient.open(library)
    ids = await fill_library(client, corpus) if fresh else await client.call(file_ids)
    window = await show_window(client, library)
    model, box = window.model, window.search_box

    def settled() -> bool:
        return grid_settled(window, first=12)

    # Autocomplete: a namespace and its tags, with how many assets carry each.
    box.setFocus()
    await type_into(box, "se")
    await wait_for(lambda: window.controls.completer.popup.isVisible() and window.search_text == "se")
    capture(window, out / "search-autocomplete.png")
    window.controls.completer.popup.hide()

    # A name search: the start of a file name finds it.
    box.clear()
    await type_into(box, "stor")
    await wait_for(lambda: window.search_text == "stor" and settled())
    window.controls.completer.popup.hide()
    await wait_for(settled)
    capture(window, out / "search-name.png")

    # The ≈ mode: a sentence, narrowed to the nature set by a click on its tag in the sidebar.
    semantic = semantic_search_of(window)
    assert semantic is not None
    semantic.set_semantic_mode(True)
    box.setText("rain falling from a dark sky")
    window.controls.search_now(remember=True)
    await wait_for(lambda: model.ranking is not None and not model.loading)
    await window.ranked_flow.narrow("set:nature")
    await wait_for(lambda: model.ranking is not None and settled())
    window.grid.selectionModel().setCurrentIndex(
        model.index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    await wait_for(settled)
    capture(window, out / "search-hybrid.png")

    # Find Similar on Storm.jpg, from the library's grid.
    await window.ranked_flow.leave()
    semantic.set_semantic_mode(False)
    await wait_for(lambda: window.ranked is None and window.search_text == "" and not model.loading)
    window.grid.selectionModel().setCurrentIndex(
        model.index(model.row_of(ids["Storm.jpg"]), 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    await window._run_action_by_key("find-similar")  # what the context menu's entry runs
    await wait_for(lambda: model.ranking is not None and settled())
    window.grid.selectionModel().setCurrentIndex(
        model.index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    await wait_for(settled)
    capture(window, out / "find-similar-grid.png")
    await window.shutdown()
    await client.close()


def main() -> None:
    run_shooting(__doc__.splitlines()[0], "dam-search-shots-", build_corpus, shoot)


if __name__ == "__main__":
    main()
