"""A catalogue model's weights on this computer: are they here, how big, get them, remove them.

Weights are either imported (copied into the app's models folder) or downloaded (the Hugging Face
cache). The same functions serve the Models dialog and `dam-desktop models`; they block (disk,
network, torch for an import's check), so callers run them off the GUI thread.
"""

from __future__ import annotations

import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from dam_desktop.ml.catalogue import FAMILY_CLAP, CatalogueEntry
from dam_desktop.ml.checkpoints import InvalidWeightsError
from dam_desktop.ml.hub_download import (
    PARTIAL_SUFFIX,
    HubFile,
    Progress,
    cached_file,
    fetch_hub_file,
    repo_cache_dir,
)
from dam_desktop.ml.open_clip_loader import (
    OpenClipSpec,
    default_models_dir,
    find_local_weights,
    import_weights_file,
    local_weights_dir,
)

STATE_ABSENT = "absent"
STATE_READY = "ready"


@dataclass(frozen=True)
class ModelStatus:
    entry: CatalogueEntry
    state: str  # STATE_ABSENT or STATE_READY; a running download is the caller's to show
    weights: Path | None
    disk_bytes: int  # what Remove would free: the imported copy and the cached download
    partial_bytes: int  # fetched so far by an unfinished download (a later Download resumes it)


def open_clip_spec(entry: CatalogueEntry) -> OpenClipSpec:
    return OpenClipSpec(entry.architecture, entry.pretrained, entry.hf_hub if entry.hf_repo else "")


def local_folder(entry: CatalogueEntry, models_dir: Path | None = None) -> Path:
    if entry.family == FAMILY_CLAP:
        from dam_desktop.ml.clap import local_clap_dir

        return local_clap_dir(entry.hf_repo, models_dir)
    return local_weights_dir(open_clip_spec(entry), models_dir)


def _hub_files(entry: CatalogueEntry) -> list[HubFile]:
    if not entry.hf_repo:
        return []
    extras = [HubFile(entry.hf_repo, name) for name in entry.extra_files]
    return [*extras, HubFile(entry.hf_repo, entry.hf_file, entry.sha256)]


def find_model_weights(entry: CatalogueEntry, models_dir: Path | None = None) -> Path | None:
    """The imported weights, else the downloaded ones; no network."""
    if entry.family == FAMILY_CLAP:
        folder = local_folder(entry, models_dir)
        if (folder / "config.json").is_file():
            return folder
    else:
        found = find_local_weights(open_clip_spec(entry), models_dir)
        if found is not None:
            return found
    if not entry.hf_repo:
        return None
    cached = [cached_file(f.repo, f.filename) for f in _hub_files(entry)]
    return cached[-1] if cached and all(p is not None for p in cached) else None


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    return 0


def model_status(entry: CatalogueEntry, models_dir: Path | None = None) -> ModelStatus:
    weights = find_model_weights(entry, models_dir)
    disk = _size(local_folder(entry, models_dir))
    partial = 0
    for file in _hub_files(entry):
        cached = cached_file(file.repo, file.filename)
        if cached is not None:
            disk += cached.resolve().stat().st_size
    blobs = repo_cache_dir(entry.hf_repo) / "blobs" if entry.hf_repo else None
    if blobs is not None and blobs.is_dir():
        partial = sum(p.stat().st_size for p in blobs.glob(f"*{PARTIAL_SUFFIX}"))
    return ModelStatus(entry, STATE_READY if weights else STATE_ABSENT, weights, disk, partial)


def download_model(
    entry: CatalogueEntry, *, progress: Progress | None = None, cancel: threading.Event | None = None
) -> Path:
    """Fetch the entry's files into the HF cache (small files first, then the weights, verified)."""
    files = _hub_files(entry)
    if not files:
        raise InvalidWeightsError(f"{entry.name} has no download; import a weights file for it")
    path = None
    for file in files:
        report = progress if file.filename == entry.hf_file else None
        path = fetch_hub_file(file, progress=report, cancel=cancel)
    assert path is not None
    return path


def import_model(entry: CatalogueEntry, source: Path, models_dir: Path | None = None) -> Path:
    """Check `source` against the entry and copy it into the models folder (InvalidWeightsError if not)."""
    if entry.family == FAMILY_CLAP:
        from dam_desktop.ml.clap import import_clap_folder

        return import_clap_folder(entry.hf_repo, Path(source), models_dir)
    return import_weights_file(open_clip_spec(entry), Path(source), models_dir)


def remove_model(entry: CatalogueEntry, models_dir: Path | None = None) -> int:
    """Delete the imported copy and the downloaded files of this entry; the bytes freed."""
    freed = 0
    folder = local_folder(entry, models_dir)
    if folder.exists():
        freed += _size(folder)
        shutil.rmtree(folder)
    for file in _hub_files(entry):
        cached = cached_file(file.repo, file.filename)
        if cached is None:
            continue
        blob = cached.resolve()
        freed += blob.stat().st_size
        cached.unlink()
        if blob != cached:
            blob.unlink(missing_ok=True)
    if entry.hf_repo:
        for partial in (repo_cache_dir(entry.hf_repo) / "blobs").glob(f"*{PARTIAL_SUFFIX}"):
            freed += partial.stat().st_size
            partial.unlink()
    return freed


def models_folder(models_dir: Path | None = None) -> Path:
    return models_dir or default_models_dir()
