"""Issue 17's "done when", as a user runs it: a fresh library, `models import` of a tiny
real-architecture CLIP checkpoint, `import`, `process`, then `search --semantic` ranks the images
by that CLIP, `similar` says it used it, and the tags it proposed from the stored embeddings are
in the window's review view. Every step is the `dam-desktop` command in its own process.

The added catalogue lists the tiny model under the default's name (`clip-vit-b-32`), as a site
catalogue replacing a shipped entry would: nothing in the library is told which model to use.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.tagging_fixtures import TINY_ARCH, draw_image, tiny_weights_file  # noqa: F401
from tests.test_semantic_clip import write_tiny_catalogue
from tests.ui_helpers import run

REPO = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "dam_desktop.cli.main"]
MODEL = "clip-vit-b-32"


@pytest.fixture
def user_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment of every command (and of this process, for the window at the end)."""
    values = {
        "DAM_DESKTOP_MODEL_CATALOGUE": str(write_tiny_catalogue(tmp_path / "catalogue", MODEL)),
        "DAM_DESKTOP_MODELS_DIR": str(tmp_path / "models"),
        "HF_HUB_CACHE": str(tmp_path / "hf-cache"),
        "HF_HUB_OFFLINE": "1",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    pythonpath = os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, **values, "PYTHONPATH": pythonpath}


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*CLI, *args], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result


def _rows(stdout: str) -> list[list[str]]:
    return [line.split("\t") for line in stdout.splitlines() if line.strip()]


def _clip_cosines(weights: Path, library: Path, query: str) -> dict[str, float]:
    """What the tiny CLIP itself says: cosine of the query's text vector with each stored image vector."""
    from dam_desktop.ml.clip_embedder import ClipEmbedder
    from dam_desktop.ml.open_clip_loader import OpenClipSpec, build_model

    embedder = ClipEmbedder(build_model(OpenClipSpec(TINY_ARCH, "random-init"), weights))
    text = embedder.encode_texts([query])[0]
    with sqlite3.connect(library / "dam.sqlite3") as conn:
        rows = conn.execute(
            "SELECT p.original_filename, e.embedding_vector FROM component_image_embedding e"
            " JOIN component_file_properties p ON p.entity_id = e.entity_id WHERE e.model_name = ?",
            (MODEL,),
        ).fetchall()
    return {name: float(np.frombuffer(blob, dtype="<f4") @ text) for name, blob in rows}


@pytest.mark.slow
@pytest.mark.sqlite_only("checks the stored vectors straight from the library's SQLite file")
def test_import_weights_process_then_search_similar_and_review_tags(
    tmp_path: Path,
    user_env: dict[str, str],
    tiny_weights_file: Path,  # noqa: F811
    qtbot: Any,
    ui_loop: Any,
) -> None:
    library = tmp_path / "library"
    pictures = tmp_path / "pictures"
    for kind in ("disc", "stripes", "square", "line"):
        draw_image(pictures / f"{kind}.png", kind)
    (pictures / "disc_copy.png").write_bytes((pictures / "disc.png").read_bytes() + b"\0")

    imported = _cli(user_env, "models", "import", MODEL, str(tiny_weights_file))
    assert imported.stdout.startswith(f"{MODEL}: ready")
    _cli(user_env, "--library", str(library), "import", "--no-process", str(pictures))
    processed = _cli(user_env, "--library", str(library), "process")
    assert "image-embeddings: 5 done  failed: 0" in processed.stdout, processed.stdout
    assert "model-tags: 5 done  failed: 0" in processed.stdout, processed.stdout

    query = "a red disc"
    found = _rows(_cli(user_env, "--library", str(library), "search", "--semantic", query).stdout)
    # Names and tags (MiniLM) and pixels (CLIP) are fused by rank; each image keeps the model of the
    # list that ranked it best, so CLIP's rows are some of them, each scored with CLIP's own cosine.
    by_clip = {row[3]: float(row[1]) for row in found if row[4] == MODEL}
    expected = _clip_cosines(tiny_weights_file, library, query)
    assert set(expected) == {row[3] for row in found} == {p.name for p in pictures.iterdir()}
    assert len(by_clip) >= 2
    for name, score in by_clip.items():
        assert score == pytest.approx(expected[name], abs=1e-3)

    ids = {row[3]: row[0] for row in found}
    similar = _rows(_cli(user_env, "--library", str(library), "similar", ids["disc.png"]).stdout)
    assert similar[0][3] == "disc_copy.png"
    assert {row[4] for row in similar} == {MODEL}

    with sqlite3.connect(library / "dam.sqlite3") as conn:
        vectors = conn.execute(
            "SELECT model_name, count(*) FROM component_image_embedding GROUP BY 1"
        ).fetchall()
        proposals = conn.execute(
            "SELECT count(DISTINCT entity_id) FROM component_model_generated_tag_link"
        ).fetchone()
    assert vectors == [(MODEL, 5)]  # one vector per image: tagging embedded nothing again
    assert proposals == (5,)

    from dam_desktop.ui.model_tags.model_tags_view import ModelTagsView
    from dam_desktop.ui.world_client import WorldClient

    client = run(qtbot, WorldClient.open(library))
    try:
        view = ModelTagsView(client)
        qtbot.addWidget(view)
        view.show()
        run(qtbot, view.refresh())
        qtbot.waitUntil(lambda: view.model.rowCount() == 15)  # the tiny model's best three per image
        assert {r.filename for r in view.model.rows} == {p.name for p in pictures.iterdir()}
    finally:
        run(qtbot, client.close())
