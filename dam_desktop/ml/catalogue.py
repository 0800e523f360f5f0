"""The model catalogue: which models the app can download or import, as data.

`resources/models/catalogue.json` ships with the app. `$DAM_DESKTOP_MODEL_CATALOGUE` may name a
second JSON file of the same shape whose entries are added (or replace shipped ones of the same
name); an entry there may carry `open_clip_config`, a model config file (relative to that JSON)
for an architecture open_clip does not ship. Reading the catalogue never imports torch.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from dam_desktop.core.errors import DamError
from dam_desktop.paths import resources_dir

CATALOGUE_ENV_VAR = "DAM_DESKTOP_MODEL_CATALOGUE"
TASK_IMAGE_SEARCH = "image-search"
TASK_IMAGE_TAGS = "image-tags"
TASK_AUDIO_SEARCH = "audio-search"
FAMILY_OPEN_CLIP = "open_clip"
FAMILY_CLAP = "clap"
TASK_WORDS = {
    TASK_IMAGE_SEARCH: "image search and find similar",
    TASK_IMAGE_TAGS: "AI tags for images",
    TASK_AUDIO_SEARCH: "sound search by description",
}


class UnknownCatalogueModelError(DamError):
    """A name the catalogue does not list."""


@dataclass(frozen=True)
class CatalogueEntry:
    name: str
    title: str
    tasks: tuple[str, ...]
    family: str  # "open_clip" or "clap"
    architecture: str
    pretrained: str
    dimensions: int
    hf_repo: str
    hf_file: str
    size_bytes: int
    size_exact: bool
    sha256: str | None  # None: not confirmed when the catalogue was written; the hub's is used
    licence: str
    default_for: tuple[str, ...] = ()
    extra_files: tuple[str, ...] = ()  # small files fetched beside hf_file (CLAP's config, tokenizer)
    open_clip_config: Path | None = None
    # Zero-shot tags: the least softmax probability a proposal needs, and how many per image at most;
    # None: the tagging service's defaults.
    tag_threshold: float | None = None
    max_tags: int | None = None

    @property
    def open_clip_name(self) -> str:
        """open_clip's `ARCHITECTURE/PRETRAINED` name, which the loaders and caches key on."""
        return f"{self.architecture}/{self.pretrained}"

    @property
    def hf_hub(self) -> str:
        """The `org/repo/file` form the open_clip loader takes."""
        return f"{self.hf_repo}/{self.hf_file}"

    def describe_tasks(self) -> str:
        return ", ".join(TASK_WORDS.get(task, task) for task in self.tasks)


def _entry(raw: dict[str, Any], base: Path) -> CatalogueEntry:
    config = raw.get("open_clip_config")
    sha = raw.get("sha256")
    return CatalogueEntry(
        name=str(raw["name"]),
        title=str(raw.get("title", raw["name"])),
        tasks=tuple(str(t) for t in raw.get("tasks", ())),
        family=str(raw.get("family", FAMILY_OPEN_CLIP)),
        architecture=str(raw["architecture"]),
        pretrained=str(raw["pretrained"]),
        dimensions=int(raw["dimensions"]),
        hf_repo=str(raw.get("hf_repo", "")),
        hf_file=str(raw.get("hf_file", "")),
        size_bytes=int(raw.get("size_bytes", 0)),
        size_exact=bool(raw.get("size_exact", False)),
        sha256=str(sha).lower() if sha else None,
        licence=str(raw.get("licence", "unknown")),
        default_for=tuple(str(t) for t in raw.get("default_for", ())),
        extra_files=tuple(str(f) for f in raw.get("extra_files", ())),
        open_clip_config=(base / str(config)) if config else None,
        tag_threshold=float(raw["tag_threshold"]) if raw.get("tag_threshold") is not None else None,
        max_tags=int(raw["max_tags"]) if raw.get("max_tags") is not None else None,
    )


def read_catalogue_file(path: Path) -> list[CatalogueEntry]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [_entry(raw, path.parent) for raw in data["models"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DamError(f"cannot read the model catalogue {path}: {exc}") from exc


def shipped_catalogue_path() -> Path:
    return resources_dir() / "models" / "catalogue.json"


@lru_cache(maxsize=4)
def _load(extra: str) -> tuple[CatalogueEntry, ...]:
    entries = {e.name: e for e in read_catalogue_file(shipped_catalogue_path())}
    if extra:
        entries.update((e.name, e) for e in read_catalogue_file(Path(extra).expanduser()))
    return tuple(entries.values())


def catalogue() -> tuple[CatalogueEntry, ...]:
    """Every entry, shipped ones first, in the catalogue's order."""
    return _load(os.environ.get(CATALOGUE_ENV_VAR, ""))


def get_entry(name: str) -> CatalogueEntry:
    for entry in catalogue():
        if entry.name == name:
            return entry
    known = ", ".join(e.name for e in catalogue())
    raise UnknownCatalogueModelError(f"no model named '{name}' in the catalogue (known: {known})")


def find_entry(name: str) -> CatalogueEntry | None:
    return next((e for e in catalogue() if e.name == name), None)


def entry_for_open_clip(open_clip_name: str) -> CatalogueEntry | None:
    return next((e for e in catalogue() if e.open_clip_name == open_clip_name), None)


def default_entry(task: str) -> CatalogueEntry:
    for entry in catalogue():
        if task in entry.default_for:
            return entry
    for entry in catalogue():
        if task in entry.tasks:
            return entry
    raise UnknownCatalogueModelError(f"the catalogue has no model for {task}")
