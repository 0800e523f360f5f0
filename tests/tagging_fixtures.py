"""A tiny open_clip model of the real CLIP architecture (ViT + text transformer), random weights.

It is registered with open_clip as the architecture `dam-test-tiny-vit`, saved once per test
session as a `.safetensors` file, and reaches the app through "Import weights file…", the same path
a user's file takes. Images are real PNG/JPEG files drawn with Pillow.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from dam_desktop.core.library import STORAGE_REFERENCE
from dam_desktop.core.stages import SystemStage
from dam_desktop.core.world import World
from dam_desktop.models.core.pipeline_markers import NeedsAutoTaggingMarker
from dam_desktop.models.files import FileLocationComponent, FilePropertiesComponent
from dam_desktop.services import ecs_service
from dam_desktop.services.tagging.tagging_service import (
    TAGGING_MODEL_CONCEPTUAL_PARAMS,
    AutoTaggingSettings,
    TaggingModelParams,
)

TINY_ARCH = "dam-test-tiny-vit"
TINY_MODEL = f"{TINY_ARCH}/random-init"
TINY_CONFIG = {
    "embed_dim": 32,
    "vision_cfg": {"image_size": 32, "layers": 2, "width": 64, "patch_size": 8, "head_width": 32},
    "text_cfg": {"context_length": 16, "vocab_size": 49408, "width": 32, "heads": 2, "layers": 2},
}
# Random weights give a nearly flat distribution over the vocabulary: keep the best three, whatever
# their confidence, so every image gets proposals.
TINY_PARAMS = TaggingModelParams(threshold=0.0, max_tags=3, hf_hub="", fallback_batch_size=4)


@pytest.fixture(scope="session")
def tiny_weights_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import open_clip
    import torch  # noqa: TID251
    from safetensors.torch import save_file

    folder = tmp_path_factory.mktemp("tiny-open-clip")
    config_dir = folder / "configs"
    config_dir.mkdir()
    (config_dir / f"{TINY_ARCH}.json").write_text(json.dumps(TINY_CONFIG))
    open_clip.add_model_config(config_dir)
    torch.manual_seed(0)
    model = open_clip.create_model(TINY_ARCH, pretrained=None)
    weights = folder / "downloads" / "tiny-clip.safetensors"
    weights.parent.mkdir()
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(weights))
    return weights


@pytest.fixture
def tagging_models_dir(tmp_path: Path) -> Path:
    return tmp_path / "models"


@pytest.fixture
def tiny_settings(world: World, tagging_models_dir: Path) -> AutoTaggingSettings:
    """The world's tagging settings, pointed at the tiny model and an empty models folder."""
    TAGGING_MODEL_CONCEPTUAL_PARAMS[TINY_MODEL] = TINY_PARAMS
    settings = world.resources.get(AutoTaggingSettings)
    settings.model_name = TINY_MODEL
    settings.models_dir = tagging_models_dir
    world.scheduler.set_batch_size(SystemStage.AUTO_TAGGING, 4)
    return settings


def draw_image(path: Path, kind: str, size: tuple[int, int] = (96, 72)) -> Path:
    """A small real picture: a red disc, blue stripes, a green square on grey, ..."""
    image = Image.new("RGB", size, (200, 200, 200))
    draw = ImageDraw.Draw(image)
    w, h = size
    if kind == "disc":
        draw.ellipse((w // 4, h // 4, 3 * w // 4, 3 * h // 4), fill=(220, 30, 30))
    elif kind == "stripes":
        for x in range(0, w, 8):
            draw.rectangle((x, 0, x + 3, h), fill=(20, 40, 200))
    elif kind == "square":
        draw.rectangle((10, 10, w - 10, h - 10), fill=(30, 160, 40))
    else:
        draw.line((0, 0, w, h), fill=(0, 0, 0), width=5)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    return path


async def add_asset(world: World, path: Path, *, asset_type: str = "image", mark: bool = True) -> int:
    """An asset referencing `path`, as an import leaves it: properties, location, tagging marker."""
    async with world.session() as session:
        entity = await ecs_service.create_entity(session)
        await ecs_service.add_component_to_entity(
            session,
            entity.id,
            FilePropertiesComponent(
                original_filename=path.name,
                file_size_bytes=path.stat().st_size if path.exists() else 0,
                mime_type="image/png" if asset_type == "image" else "audio/wav",
                file_extension=path.suffix.lstrip(".").lower(),
                asset_type=asset_type,
            ),
        )
        await ecs_service.add_component_to_entity(
            session, entity.id, FileLocationComponent(storage_type=STORAGE_REFERENCE, path=str(path))
        )
        if mark:
            await ecs_service.add_marker(session, [entity.id], NeedsAutoTaggingMarker)
        await session.commit()
        return entity.id
