"""Make the two README screenshots of issue 17 from real states of the app, under Xvfb:

    xvfb-run -a -s '-screen 0 1600x1000x24' .venv/bin/python scripts/models_screenshots.py

- docs/screenshots/models-dialog-downloading.png: Preferences › Models… of the main window while
  a download is under way. The download is real: `huggingface_hub` fetches a tiny open_clip
  checkpoint from the tests' local stand-in for the hub (`tests/fake_hub.py`), which holds the
  response after its first 2 MB, so the dialog shows its progress mid-file.
- docs/screenshots/model-tags-review.png: the Model tags review view of a library whose image
  model is a tiny CLIP of the real architecture (random weights: the tags are noise, the
  confidences low); the proposals were scored from the stored image embeddings by the pipeline.

Everything lives in a temporary folder; no weights are downloaded from the internet.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.fake_hub import FakeHub, serve_fake_hub  # noqa: E402
from tests.tagging_fixtures import TINY_ARCH, TINY_CONFIG, draw_image  # noqa: E402

OUT = REPO / "docs" / "screenshots"
HUB_REPO = "example/tiny-clip"
HUB_FILE = "open_clip_model.safetensors"


def tiny_checkpoint(folder: Path) -> Path:
    import open_clip
    import torch  # noqa: TID251
    from safetensors.torch import save_file

    config = folder / f"{TINY_ARCH}.json"
    config.write_text(json.dumps(TINY_CONFIG))
    open_clip.add_model_config(config)
    torch.manual_seed(0)
    model = open_clip.create_model(TINY_ARCH, pretrained=None)
    weights = folder / "tiny-clip.safetensors"
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(weights))
    return weights


def catalogue(folder: Path, weights: Path) -> Path:
    common = {
        "tasks": ["image-search", "image-tags"],
        "family": "open_clip",
        "architecture": TINY_ARCH,
        "pretrained": "random-init",
        "dimensions": 32,
        "licence": "MIT",
        "open_clip_config": f"{TINY_ARCH}.json",
        "tag_threshold": 0.0,
        "max_tags": 3,
    }
    entries = [
        {**common, "name": "tiny-clip", "title": "Tiny test CLIP (imported)", "size_bytes": 0},
        {
            **common,
            "name": "tiny-clip-hub",
            "title": "Tiny test CLIP (from the local test hub)",
            "pretrained": "random-init-hub",
            "hf_repo": HUB_REPO,
            "hf_file": HUB_FILE,
            "size_bytes": weights.stat().st_size,
            "size_exact": True,
            "sha256": None,
        },
    ]
    path = folder / "catalogue.json"
    path.write_text(json.dumps({"version": 1, "models": entries}))
    return path


def pictures(folder: Path) -> Path:
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    for i in range(3):
        draw_image(folder / f"red-disc-{i:02d}.png", "disc", (320, 240))
        draw_image(folder / f"stripes-{i:02d}.png", "stripes", (320, 240))
        sunset = Image.new("RGB", (320, 240), (240, 170, 150 + 30 * i))
        draw = ImageDraw.Draw(sunset)
        draw.ellipse((120, 120, 200, 200), fill=(250, 220, 90))
        draw.rectangle((0, 190, 320, 240), fill=(40, 60, 120))
        sunset.save(folder / f"sunset-{i:02d}.jpg", quality=90)
    return folder


async def prepare_library(library: Path, images: Path, weights: Path) -> None:
    """Import, choose the tiny model, and let the pipeline embed and tag, as `process` does."""
    from dam_desktop.ml.catalogue import get_entry
    from dam_desktop.ml.model_store import import_model
    from dam_desktop.services.ingest.import_service import import_paths
    from dam_desktop.use_cases.models import use_image_model
    from dam_desktop.use_cases.pipeline import run_stages
    from dam_desktop.world_setup import open_world

    import_model(get_entry("tiny-clip"), weights)
    world = await open_world(library)
    try:
        await import_paths(world, [images])
        await use_image_model(world, "tiny-clip")
        await run_stages(world, list(world.scheduler.stages))
    finally:
        await world.close()


async def shoot(library: Path, hub: FakeHub) -> None:
    from PySide6.QtWidgets import QApplication

    from dam_desktop.app import install_room_ui
    from dam_desktop.ui.model_tags.model_tags_view import MODEL_TAGS_VIEW, ModelTagsView
    from dam_desktop.ui.models.menu import open_models_dialog
    from dam_desktop.ui.window.main_window import MainWindow
    from dam_desktop.ui.world_client import WorldClient

    async def until(condition: object, what: str, timeout: float = 120.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():  # type: ignore[operator]
            if loop.time() > deadline:
                raise TimeoutError(f"waited {timeout:.0f} s for {what}")
            await asyncio.sleep(0.1)

    client = await WorldClient.open(library)
    window = MainWindow(client)
    install_room_ui(window)
    window.resize(1400, 860)
    window.show()
    await window.refresh()
    view = window.findChild(ModelTagsView)
    window.sidebar.select_view(MODEL_TAGS_VIEW)
    await view.refresh()
    await until(lambda: view.model.rowCount() > 0, "proposals")
    view.table.clearSelection()
    await asyncio.sleep(1.0)  # thumbnails come from the CPU pool
    QApplication.processEvents()
    window.grab().save(str(OUT / "model-tags-review.png"))

    dialog = open_models_dialog(window, select="tiny-clip-hub")
    dialog.resize(1000, 400)
    await until(lambda: dialog.state_text("tiny-clip-hub") == "absent", "the dialog's states")
    hub.gate = threading.Event()
    dialog.download_button.click()
    await until(lambda: dialog.state_text("tiny-clip-hub").startswith("downloading "), "progress")
    await asyncio.sleep(0.5)
    QApplication.processEvents()
    dialog.grab().save(str(OUT / "models-dialog-downloading.png"))
    dialog.cancel_button.click()
    hub.gate.set()
    await until(lambda: dialog.state_text("tiny-clip-hub") == "absent", "the cancelled download")
    dialog.close()
    window.close()
    await window.shutdown()
    await client.close()


def main() -> int:
    import qasync

    from dam_desktop.app import create_application

    with tempfile.TemporaryDirectory(prefix="dam-shots-") as tmp:
        root = Path(tmp)
        weights = tiny_checkpoint(root)
        os.environ.update(
            {
                "DAM_DESKTOP_MODEL_CATALOGUE": str(catalogue(root, weights)),
                "DAM_DESKTOP_MODELS_DIR": str(root / "models"),
                "HF_HUB_CACHE": str(root / "hf-cache"),
                "HF_HUB_OFFLINE": "0",
            }
        )
        library = root / "Design refs"
        asyncio.run(prepare_library(library, pictures(root / "pictures"), weights))
        hub = FakeHub()
        hub.add(HUB_REPO, HUB_FILE, weights.read_bytes())
        with serve_fake_hub(hub):
            os.environ["HF_ENDPOINT"] = hub.url
            from huggingface_hub import constants

            constants.HF_HUB_OFFLINE = False
            create_application().setQuitOnLastWindowClosed(False)
            qasync.run(shoot(library, hub))
    print(f"wrote {OUT / 'model-tags-review.png'} and {OUT / 'models-dialog-downloading.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
