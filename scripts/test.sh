#!/usr/bin/env bash
# The whole test suite: lint, types, then pytest (Qt offscreen). Fails if pytest collects no test.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${DAM_VENV:-.venv}"

echo "== ruff"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
echo "== mypy"
"$VENV/bin/mypy"
echo "== import contracts (layers, see pyproject.toml)"
"$VENV/bin/lint-imports" --no-cache
echo "== pytest"
export QT_QPA_PLATFORM=offscreen
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
# pytest exits 5 when it collects nothing; that is a failure here, as any non-zero status is.
"$VENV/bin/python" -m pytest "$@"
