"""Downloading catalogue weights from a local server that answers like the Hugging Face hub:
progress, verification, resume after a cut connection, cancel and resume, a wrong checksum,
and no network at all."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from dam_desktop.ml.catalogue import get_entry
from dam_desktop.ml.hub_download import ChecksumMismatchError, DownloadCancelledError, OfflineError, sha256_of
from dam_desktop.ml.model_store import STATE_ABSENT, STATE_READY, download_model, model_status
from tests.fake_hub import FakeHub
from tests.model_fixtures import TINY_FILE, TINY_REPO, TinyModels


def test_a_download_lands_in_the_hf_cache_verified_with_progress(
    tiny_models: TinyModels,
    fake_hub: FakeHub,
) -> None:
    entry = get_entry("tiny-clip")
    assert model_status(entry).state == STATE_ABSENT
    seen: list[tuple[int, int | None]] = []

    path = download_model(entry, progress=lambda done, total: seen.append((done, total)))

    size = tiny_models.weights.stat().st_size
    assert seen[-1] == (size, size)
    status = model_status(entry)
    assert status.state == STATE_READY
    assert status.weights == path
    assert status.disk_bytes == size
    assert sha256_of(path) == tiny_models.sha256
    assert "hf-cache" in str(path) and f"models--{TINY_REPO.replace('/', '--')}" in str(path)


def test_a_cut_connection_is_resumed_from_where_it_stopped(
    tiny_models: TinyModels,
    fake_hub: FakeHub,
) -> None:
    fake_hub.cut_next = True

    path = download_model(get_entry("tiny-clip"))

    assert sha256_of(path) == tiny_models.sha256
    ranges = fake_hub.ranges()
    assert ranges[0] is None and ranges[1] is not None and ranges[1].startswith("bytes=")
    assert int(ranges[1].removeprefix("bytes=").rstrip("-")) > 0


def test_a_cancelled_download_keeps_its_bytes_and_the_next_one_resumes(
    tiny_models: TinyModels,
    fake_hub: FakeHub,
) -> None:
    entry = get_entry("tiny-clip")
    cancel = threading.Event()
    fake_hub.gate = threading.Event()

    def progress(done: int, total: int | None) -> None:
        cancel.set()  # the user presses Cancel once bytes arrive
        assert fake_hub.gate is not None
        fake_hub.gate.set()

    with pytest.raises(DownloadCancelledError):
        download_model(entry, progress=progress, cancel=cancel)

    halfway = model_status(entry)
    assert halfway.state == STATE_ABSENT
    assert 0 < halfway.partial_bytes < tiny_models.weights.stat().st_size

    fake_hub.gate = None
    path = download_model(entry)

    assert fake_hub.ranges()[-1] == f"bytes={halfway.partial_bytes}-"
    assert sha256_of(path) == tiny_models.sha256
    assert model_status(entry).partial_bytes == 0


def test_bytes_that_do_not_match_the_checksum_are_deleted_and_reported(
    tiny_models: TinyModels,
    fake_hub: FakeHub,
) -> None:
    fake_hub.corrupt = True
    entry = get_entry("tiny-clip")

    with pytest.raises(ChecksumMismatchError, match="damaged"):
        download_model(entry)

    status = model_status(entry)
    assert status.state == STATE_ABSENT
    assert status.partial_bytes == 0 and status.disk_bytes == 0


def test_a_hub_file_that_is_not_the_catalogued_one_is_not_downloaded(
    tiny_models: TinyModels,
    fake_hub: FakeHub,
) -> None:
    fake_hub.add(TINY_REPO, TINY_FILE, tiny_models.p16_weights.read_bytes())

    with pytest.raises(ChecksumMismatchError, match="catalogue expects"):
        download_model(get_entry("tiny-clip"))

    assert fake_hub.ranges() == []


def test_without_a_network_the_download_fails_fast_in_one_sentence(
    tiny_models: TinyModels,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from huggingface_hub import constants

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")  # nothing listens there
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)

    started = time.monotonic()
    with pytest.raises(OfflineError) as failure:
        download_model(get_entry("tiny-clip"))

    assert time.monotonic() - started < 5
    message = str(failure.value)
    assert "offline" in message and "Import weights file" in message
    assert "\n" not in message and "Traceback" not in message


def test_with_downloads_turned_off_the_user_is_told_so(tiny_models: TinyModels) -> None:
    with pytest.raises(OfflineError, match="HF_HUB_OFFLINE"):
        download_model(get_entry("tiny-clip"))
