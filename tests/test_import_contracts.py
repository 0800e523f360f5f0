"""The house's own import-linter contracts catch what they are for, on a small package made here.

`make test` runs them over dam_desktop; these tests show each one breaks on a violation and keeps
on the allowed form, so a contract that silently passes everything would fail here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

CONFIG = """
[importlinter]
root_package = demo
contract_types =
    lazy_only: tests.import_contracts.LazyOnlyContract
    calls_only_use_cases: tests.import_contracts.CallsOnlyUseCasesContract

[importlinter:contract:front]
name = front ends call use cases
type = calls_only_use_cases
source_modules = demo.ui
layers = demo.services

[importlinter:contract:lazy]
name = heavy is imported lazily
type = lazy_only
source_modules = demo
lazy_modules = demo.heavy
"""


def _package(root: Path, ui_source: str) -> None:
    files = {
        "demo/__init__.py": "",
        "demo/heavy.py": "WEIGHT = 1\n",
        "demo/services/__init__.py": "",
        "demo/services/tagging.py": textwrap.dedent(
            """
            from dataclasses import dataclass

            LIMIT = 10

            @dataclass
            class TagEdit:
                added: int

            def add_tags() -> TagEdit:
                return TagEdit(1)
            """
        ),
        "demo/ui/__init__.py": "",
        "demo/ui/editor.py": textwrap.dedent(ui_source),
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / ".importlinter").write_text(CONFIG, encoding="utf-8")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(REPO)])}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / ".importlinter"), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is a dev requirement")
def test_front_end_may_name_types_and_constants_and_import_lazily(tmp_path: Path) -> None:
    _package(
        tmp_path,
        """
        from demo.services.tagging import LIMIT, TagEdit

        def show(edit: TagEdit) -> int:
            from demo.heavy import WEIGHT
            return edit.added + LIMIT + WEIGHT
        """,
    )
    result = _lint(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is a dev requirement")
def test_front_end_calling_a_service_or_importing_heavy_eagerly_breaks(tmp_path: Path) -> None:
    _package(
        tmp_path,
        """
        from demo.heavy import WEIGHT
        from demo.services import tagging
        from demo.services.tagging import add_tags
        """,
    )
    result = _lint(tmp_path)
    assert result.returncode == 1
    out = " ".join(result.stdout.split())  # import-linter wraps long lines
    assert "demo.ui.editor imports demo.services.tagging.add_tags (line 4)" in out
    assert "demo.ui.editor imports demo.services.tagging (line 3)" in out
    assert "demo.ui.editor imports demo.heavy at module level (line 2)" in out
    assert "Contracts: 0 kept, 2 broken." in result.stdout
