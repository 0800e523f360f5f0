"""The lite package (no torch): stages that need a neural model are skipped with a note, and the
weights-free sound fingerprint still runs, so "find similar" on a sound works there.

The run happens in a child process whose imports of torch, transformers and open_clip fail, as
they would where those packages are not installed (the test process itself may have loaded them).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.audio_synthesis import write_altered_copy, write_sounds

LITE_RUNNER = """
import importlib.abc, sys

class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"torch", "transformers", "open_clip", "torchaudio"}:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NotInstalled())
from dam_desktop.cli.main import main
status = main(sys.argv[1:])
assert "torch" not in sys.modules
sys.exit(status)
"""


def _lite(*argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run(
        [sys.executable, "-c", LITE_RUNNER, *argv], capture_output=True, text=True, env=env, timeout=300
    )


def test_without_torch_sounds_are_fingerprinted_and_find_similar_works(
    tmp_path: Path, library_location: Path | str
) -> None:
    library = library_location
    sounds = write_sounds(tmp_path / "sounds", count=8)
    write_altered_copy(sounds[3], tmp_path / "sounds" / "take_2_quieter.wav")

    imported = _lite("--library", str(library), "import", str(tmp_path / "sounds"))
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "fingerprints: 9 done  failed: 0  waiting: 0" in imported.stdout
    assert "text-embeddings: Embedding names and tags needs torch, transformers, not installed here" in (
        imported.stderr
    )
    assert "Traceback" not in imported.stderr

    listed = _lite("--library", str(library), "list")
    ids = {line.split("\t")[2]: line.split("\t")[0] for line in listed.stdout.splitlines()}
    similar = _lite("--library", str(library), "similar", ids["take_2_quieter.wav"])
    assert similar.returncode == 0, similar.stdout + similar.stderr
    assert similar.stdout.splitlines()[0].split("\t")[3] == "sound_03.wav"
