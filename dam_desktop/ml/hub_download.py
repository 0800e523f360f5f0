"""Downloading model files from the Hugging Face hub into its standard cache, resumably.

`fetch_hub_file` asks the hub for the file's metadata with a short timeout and no retries, so a
computer without a network is told within seconds (huggingface_hub's own `hf_hub_download` retries
the metadata call for about 60 s more when nothing is cached). The body is streamed by
huggingface_hub's `http_get` (which resumes by itself after a cut connection) into a partial file
that survives a cancel or a crash, so the next try asks only for the rest. The finished file is
checked against the catalogue's sha256 (else the sha256 the hub reports for LFS files) and laid out
as the cache expects (`blobs/<etag>`, `snapshots/<commit>/<file>`, `refs/main`), where
`try_to_load_from_cache`, open_clip and transformers find it. No torch here.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from dam_desktop.core.errors import DamError
from dam_desktop.settings import downloads_turned_off

METADATA_TIMEOUT_S = 4.0
HASH_CHUNK = 4 * 1024 * 1024
# huggingface_hub streams in 10 MB chunks: at a few MB/s that is seconds between progress updates
# and before a Cancel is noticed, and a cut loses up to 10 MB. 1 MB keeps both under a second.
STREAM_CHUNK = 1024 * 1024
PARTIAL_SUFFIX = ".dam-partial"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

Progress = Callable[[int, int | None], None]
"""`(bytes done, bytes in all or None)`; called from the downloading thread."""


class DownloadError(DamError):
    """A download that did not finish; the message is one sentence for people."""


class OfflineError(DownloadError):
    """The hub could not be reached."""


class ChecksumMismatchError(DownloadError):
    """The downloaded bytes are not the file the catalogue names."""


class DownloadCancelledError(DownloadError):
    """The user cancelled; what was fetched is kept for the next try."""


@dataclass(frozen=True)
class HubFile:
    repo: str
    filename: str
    sha256: str | None = None  # what the catalogue expects; None: trust the hub's LFS sha256


def offline_message(what: str) -> str:
    return (
        f"Cannot reach the Hugging Face hub to download {what}: this computer seems to be offline; "
        "use Import weights file… to install a weights file you already have."
    )


def hub_endpoint() -> str:
    from huggingface_hub import constants

    return os.environ.get("HF_ENDPOINT", "").rstrip("/") or constants.ENDPOINT


def hub_cache_dir() -> Path:
    """The standard HF cache, read from the environment now (huggingface_hub reads it at import)."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE)


def repo_cache_dir(repo: str) -> Path:
    return hub_cache_dir() / f"models--{repo.replace('/', '--')}"


def cached_file(repo: str, filename: str) -> Path | None:
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(repo, filename, cache_dir=str(hub_cache_dir()))
    return Path(found) if isinstance(found, str) and Path(found).is_file() else None


class _ProgressBar:
    """Stands in for tqdm inside `http_get`: reports bytes and stops the transfer on cancel."""

    def __init__(self, report: Progress | None, cancel: threading.Event | None, **kwargs: Any) -> None:
        self._report = report
        self._cancel = cancel
        self.total: int | None = kwargs.get("total")
        self.n = int(kwargs.get("initial") or 0)

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    def update(self, n: int = 1) -> None:
        if self._cancel is not None and self._cancel.is_set():
            raise DownloadCancelledError("The download was cancelled; what was fetched is kept.")
        self.n += n
        if self._report is not None:
            self._report(self.n, self.total)


def sha256_of(path: Path, cancel: threading.Event | None = None) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(HASH_CHUNK):
            if cancel is not None and cancel.is_set():
                raise DownloadCancelledError("The check was cancelled.")
            digest.update(chunk)
    return digest.hexdigest()


def _metadata(file: HubFile) -> Any:
    import httpx2
    from huggingface_hub import get_hf_file_metadata, hf_hub_url
    from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled

    endpoint = hub_endpoint()
    url = hf_hub_url(file.repo, file.filename, endpoint=endpoint)
    try:
        return get_hf_file_metadata(url, timeout=METADATA_TIMEOUT_S, endpoint=endpoint, retry_on_errors=False)
    except (httpx2.TransportError, OfflineModeIsEnabled, OSError) as exc:
        if isinstance(exc, HfHubHTTPError):
            status = exc.response.status_code if exc.response is not None else "?"
            raise DownloadError(
                f"The hub answered {status} for {file.repo}/{file.filename}; the file may have moved."
            ) from exc
        raise OfflineError(offline_message(f"{file.repo}/{file.filename}")) from exc


def _place_in_cache(partial: Path, file: HubFile, etag: str, commit: str) -> Path:
    repo_dir = repo_cache_dir(file.repo)
    blob = repo_dir / "blobs" / etag
    partial.replace(blob)
    snapshot = repo_dir / "snapshots" / commit / file.filename
    snapshot.parent.mkdir(parents=True, exist_ok=True)
    snapshot.unlink(missing_ok=True)
    try:
        snapshot.symlink_to(os.path.relpath(blob, snapshot.parent))
    except OSError:  # no symlinks (Windows without developer mode): the cache then holds copies
        import shutil

        shutil.copyfile(blob, snapshot)
    refs = repo_dir / "refs"
    refs.mkdir(parents=True, exist_ok=True)
    (refs / "main").write_text(commit, encoding="utf-8")
    return snapshot


def fetch_hub_file(
    file: HubFile, *, progress: Progress | None = None, cancel: threading.Event | None = None
) -> Path:
    """The file in the HF cache, downloading what is missing. Raises a DownloadError subclass."""
    if downloads_turned_off():
        raise OfflineError(
            f"Downloads are turned off (HF_HUB_OFFLINE), so {file.repo}/{file.filename} cannot be "
            "fetched; use Import weights file… to install a weights file you already have."
        )
    meta = _metadata(file)
    etag = str(meta.etag or "").strip('"')
    commit = str(meta.commit_hash or "")
    if not etag or not commit:
        raise DownloadError(f"The hub did not describe {file.repo}/{file.filename} (no etag or commit).")
    hub_sha = etag if _SHA256.match(etag) else None
    expected = file.sha256 or hub_sha
    if file.sha256 and hub_sha and hub_sha != file.sha256:
        raise ChecksumMismatchError(
            f"The hub now serves a different {file.filename} for {file.repo} (sha256 {hub_sha[:12]}…, "
            f"the catalogue expects {file.sha256[:12]}…); it was not downloaded."
        )
    done = cached_file(file.repo, file.filename)
    if done is not None and (expected is None or done.resolve().name == expected):
        return done
    partial = repo_cache_dir(file.repo) / "blobs" / f"{etag}{PARTIAL_SUFFIX}"
    partial.parent.mkdir(parents=True, exist_ok=True)
    _stream(meta, partial, f"{file.repo}/{file.filename}", progress, cancel)
    if expected is not None:
        actual = sha256_of(partial, cancel)
        if actual != expected:
            partial.unlink(missing_ok=True)
            raise ChecksumMismatchError(
                f"The downloaded {file.filename} is damaged (sha256 {actual[:12]}…, expected "
                f"{expected[:12]}…); it was deleted, try again."
            )
    return _place_in_cache(partial, file, etag, commit)


def _stream(
    meta: Any, partial: Path, label: str, progress: Progress | None, cancel: threading.Event | None
) -> None:
    import httpx2
    from huggingface_hub import constants
    from huggingface_hub.file_download import http_get
    from huggingface_hub.utils._headers import build_hf_headers

    resume = partial.stat().st_size if partial.exists() else 0
    if meta.size is not None and resume > meta.size:
        partial.unlink()
        resume = 0

    def bar(**kwargs: Any) -> _ProgressBar:
        return _ProgressBar(progress, cancel, **kwargs)

    headers = build_hf_headers()
    constants.DOWNLOAD_CHUNK_SIZE = min(constants.DOWNLOAD_CHUNK_SIZE, STREAM_CHUNK)
    try:
        with partial.open("ab") as fh:
            http_get(
                meta.location,
                fh,
                resume_size=resume,
                headers=headers,
                expected_size=meta.size,
                tqdm_class=bar,  # type: ignore[arg-type]
            )
    except (httpx2.TransportError, ConnectionError) as exc:
        raise OfflineError(offline_message(label)) from exc
    except OSError as exc:
        if isinstance(exc, DownloadError):
            raise
        raise DownloadError(f"The download stopped: {str(exc).splitlines()[0][:200]}") from exc


def download_open_clip_weights(spec: Any) -> Path:
    """Synchronous download of an open_clip model's catalogue file (the loader's `allow_download`)."""
    from dam_desktop.ml.catalogue import entry_for_open_clip
    from dam_desktop.ml.open_clip_loader import WeightsMissingError, describe_search

    entry = entry_for_open_clip(spec.name)
    if entry is None:
        hint = "The model catalogue has no download for it."
        raise WeightsMissingError(spec.name, describe_search(spec), hint)
    try:
        return fetch_hub_file(HubFile(entry.hf_repo, entry.hf_file, entry.sha256))
    except DownloadError as exc:
        raise WeightsMissingError(spec.name, describe_search(spec), str(exc)) from exc
