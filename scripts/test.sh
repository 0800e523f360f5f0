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

# Second pass: the whole suite again on a shared library (a real PostgreSQL server the tests start
# themselves; see tests/pg_server.py). Every test that touches a library runs again; the others
# are skipped, each with its reason (tests/backends.py says how that is decided and checked).
# Skipped, saying why, where the server is not installed. Only `pytest` with no arguments runs it.
if [ "$#" -eq 0 ]; then
  echo "== pytest on PostgreSQL (DAM_TEST_BACKEND=postgresql)"
  if reason=$("$VENV/bin/python" -c 'import sys; sys.path.insert(0, "."); from tests.pg_server import unavailable_reason as r; print(r() or "")') && [ -n "$reason" ]; then
    echo "skipped: $reason"
  else
    DAM_TEST_BACKEND=postgresql "$VENV/bin/python" -m pytest -q
  fi
fi
