"""Make the screenshots of issue 19 (everyday browsing and tagging) from real files:

    .venv/bin/python scripts/everyday_screenshots.py            # offscreen; or under xvfb-run

The files are Debian's: photos from `mate-backgrounds` (GPL-2+), icons from `adwaita-icon-theme`
(CC-BY-SA 3.0 / LGPL-3) including its black "symbolic" icons, 16 and 48 px with transparency, and
sounds from `sound-theme-freedesktop` (GPL-2+ / CC-BY), fetched with `apt-get download` and
unpacked with `dpkg-deb -x` (no root needed). The background stages (thumbnails, waveforms) run to
completion before the window opens, as the window's background work would.

- docs/screenshots/inspector-image.png: a photo selected: the preview, its tags, its marks (stars,
  label) right under it, the properties below.
- docs/screenshots/inspector-sound.png: a sound selected: waveform, player with loop and volume.
- docs/screenshots/inspector-trashed.png: the trash: where the trash keeps the file, and Restore.
- docs/screenshots/preview-overlay.png: Space over the grid: the photo large over the window.
- docs/screenshots/grid-transparent-icons.png: black transparent icons on the tiles' checkerboard,
  16 px icons grown by whole pixels.
- docs/screenshots/preferences.png, help-shortcuts.png, help-about.png: the dialogs.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from dam_desktop.core.world import World
    from dam_desktop.ui.window.main_window import MainWindow
    from dam_desktop.ui.world_client import WorldClient

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from screenshot_kit import file_ids, run_shooting, wait_for  # noqa: E402  (beside this script)

PACKAGES = ("mate-backgrounds", "adwaita-icon-theme", "sound-theme-freedesktop")
PHOTOS = "usr/share/backgrounds/mate/nature/*.jpg"
ICONS = (
    "usr/share/icons/Adwaita/16x16/*/*-symbolic.symbolic.png",
    "usr/share/icons/Adwaita/48x48/*/*-symbolic.symbolic.png",
    "usr/share/icons/Adwaita/48x48/legacy/*.png",
)
SYMBOLIC = (
    "accessories-calculator",
    "utilities-terminal",
    "edit-cut",
    "media-playback-start",
    "system-search",
)
SYMBOLIC_48 = ("star-new", "mail-send", "document-save", "battery-full-charged", "insert-image")
COLOUR = ("applications-graphics", "audio-speakers", "accessories-text-editor", "applications-games")
SOUNDS = (
    "bell",
    "camera-shutter",
    "complete",
    "dialog-warning",
    "message-new-instant",
    "phone-incoming-call",
)
TAGS = {
    "Storm.jpg": ["sky", "clouds", "weather", "set:nature"],
    "LadyBird.jpg": ["insect", "plant", "set:nature"],
    "camera-shutter.oga": ["sfx:camera", "ui"],
}


def build_corpus(into: Path) -> Path:
    from PIL import Image

    debs, root, corpus = into / "debs", into / "root", into / "corpus"
    for folder in (debs, root, corpus / "photos", corpus / "icons", corpus / "sounds"):
        folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["apt-get", "download", *PACKAGES], cwd=debs, check=True, capture_output=True)
    for deb in sorted(debs.glob("*.deb")):
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    for path in sorted(root.glob(PHOTOS)):
        with Image.open(path) as image:
            image.thumbnail((1600, 1600))
            image.convert("RGB").save(corpus / "photos" / path.name, quality=90)
    for pattern, wanted in zip(ICONS, (SYMBOLIC + SYMBOLIC_48, SYMBOLIC_48, COLOUR), strict=True):
        size = pattern.split("/")[4].split("x")[0]
        for path in sorted(root.glob(pattern)):
            name = path.name.split(".")[0].removesuffix("-symbolic")
            if name in wanted:
                kind = "symbolic" if "symbolic" in path.name else "colour"
                (corpus / "icons" / f"{name}-{kind}-{size}.png").write_bytes(path.read_bytes())
    for name in SOUNDS:
        source = root / "usr/share/sounds/freedesktop/stereo" / f"{name}.oga"
        (corpus / "sounds" / source.name).write_bytes(source.read_bytes())
    return corpus


async def named_assets(world: World) -> dict[str, int]:
    """{file name: entity id}; a library made by an earlier run gets its trashed assets back."""
    from dam_desktop.use_cases.library import iter_assets
    from dam_desktop.use_cases.trash import restore_from_trash

    trashed: list[int] = []
    async for page in iter_assets(world, trashed=True):
        trashed.extend(entity_id for entity_id, _kind, _name in page)
    if trashed:
        await restore_from_trash(world, trashed)
    return await file_ids(world)


async def fill_library(client: WorldClient, corpus: Path) -> dict[str, int]:
    from dam_desktop.services.ingest.import_service import import_paths
    from dam_desktop.use_cases.marks import MarkChanges, set_marks
    from dam_desktop.use_cases.pipeline import run_stages
    from dam_desktop.use_cases.tags import add_tags

    for folder in ("sounds", "photos", "icons"):  # icons last: newest first in the grid
        report = await client.call(lambda world, f=corpus / folder: import_paths(world, [f]))
        if folder == "icons":
            await client.call(lambda world, i=report.imported: add_tags(world, i, ["set:icons"]))
    ids = await client.call(named_assets)
    for filename, tags in TAGS.items():
        await client.call(lambda world, i=ids[filename], t=tags: add_tags(world, [i], t))
    marks = {
        "Storm.jpg": MarkChanges(
            rating=4, label="blue", source_url="https://packages.debian.org/mate-backgrounds"
        ),
        "LadyBird.jpg": MarkChanges(rating=5, label="green", flag="pick"),
        "camera-shutter.oga": MarkChanges(rating=3, note="Short and dry: good for UI feedback"),
    }
    for filename, changes in marks.items():
        await client.call(lambda world, i=ids[filename], c=changes: set_marks(world, [i], c))
    await client.call(lambda world: run_stages(world))
    return ids


def capture(widget: QWidget, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(path))
    print(f"wrote {path}")


async def select(window: MainWindow, entity_id: int) -> None:
    from PySide6.QtCore import QItemSelectionModel

    model = window.model
    await wait_for(lambda: not model.loading and model.row_of(entity_id) >= 0)
    index = model.index(model.row_of(entity_id), 0)
    window.grid.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    window.grid.scrollTo(index)
    inspector = window.inspector
    await wait_for(lambda: inspector.details is not None and inspector.details.entity_id == entity_id)


async def shoot(library: Path, corpus: Path, out: Path) -> None:
    from PySide6.QtCore import QSettings

    from dam_desktop.app import install_room_ui
    from dam_desktop.ui.window.context_menu import TRASH_VIEW
    from dam_desktop.ui.window.main_window import MainWindow
    from dam_desktop.ui.world_client import WorldClient

    fresh = not library.exists()
    client = await WorldClient.open(library)
    ids = await fill_library(client, corpus) if fresh else await client.call(named_assets)
    settings = QSettings(str(library / "screenshot-settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(client, settings)
    window.confirm = lambda _title, _text: True  # "Remove from library?": yes
    window.resize(1600, 1000)
    window.show()
    install_room_ui(window)
    await window.refresh()
    window.splitter.setSizes([230, 960, 410])
    grid, model, inspector = window.grid, window.model, window.inspector

    def thumbnails_shown() -> bool:
        rows = model.ids_in(0, min(model.rowCount(), 20))
        return not model.loading and all(grid.thumbnail_shown(eid) for eid in rows)

    # Transparent icons: the set:icons search at a zoom where 16 px icons grow by whole pixels.
    grid.set_tile_size(128)
    await window.apply_search("set:icons")
    window.controls.show_text("set:icons")
    await wait_for(thumbnails_shown)
    await select(window, ids["star-new-symbolic-16.png"])
    capture(window, out / "grid-transparent-icons.png")

    await window.apply_search("-set:icons")
    window.controls.show_text("-set:icons")
    grid.set_tile_size(160)
    await select(window, ids["Storm.jpg"])
    await wait_for(lambda: not inspector.image_preview.image_size.isEmpty() and thumbnails_shown())
    capture(window, out / "inspector-image.png")

    overlay = window.menus.preview
    overlay.open()
    await wait_for(lambda: not overlay.image.image_size.isEmpty())
    capture(window, out / "preview-overlay.png")
    overlay.close_preview()

    await select(window, ids["camera-shutter.oga"])
    await wait_for(lambda: inspector.audio_player.waveform.has_peaks)
    capture(window, out / "inspector-sound.png")

    await select(window, ids["Wood.jpg"])
    await window._run_action_by_key("remove")
    await window.apply_search("")
    window.controls.show_text("")
    window.sidebar.select_view(TRASH_VIEW)
    await wait_for(lambda: window.view_key == TRASH_VIEW and ids["Wood.jpg"] in model.ids.tolist())
    await select(window, ids["Wood.jpg"])
    await wait_for(
        lambda: inspector.trash_bar.isVisible() and not inspector.image_preview.image_size.isEmpty()
    )
    capture(window, out / "inspector-trashed.png")
    await window._run_action_by_key("restore")

    from dam_desktop.ui.preferences.install import Preferences

    prefs = window.findChild(Preferences)
    assert prefs is not None
    dialog = prefs.show()
    await asyncio.sleep(0.3)
    capture(dialog, out / "preferences.png")
    dialog.close()
    sheet = window.menus.help.show_shortcuts()
    await asyncio.sleep(0.3)
    capture(sheet, out / "help-shortcuts.png")
    about = window.menus.help.show_about()
    await asyncio.sleep(0.3)
    capture(about, out / "help-about.png")
    about.close()
    await window.shutdown()
    await client.close()


def main() -> None:
    run_shooting(__doc__.splitlines()[0], "dam-everyday-shots-", build_corpus, shoot)


if __name__ == "__main__":
    main()
